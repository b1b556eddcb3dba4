"""Every CI format from real `qualitygate check` runs (git, pytest, coverage; mutmut once).

One run writes all the formats at once, as CI would; github and junit output
are pinned in gold files, the others checked by their parser or schema.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from junitparser import JUnitXml

from qualitygate.main import main
from tests.conftest import FAILING_CHANGE, LAYERED_FILES
from tests.fixtures import make_repo, write
from tests.test_gold import check_gold
from tests.test_report_github import parse
from tests.test_report_markdown import table_rows

SCHEMAS = Path(__file__).parent / "schemas"
FORMATS = {"github": "g.txt", "junit": "j.xml", "sarif": "s.sarif", "stryker": "m.json"}
CHANGE = FAILING_CHANGE


def schema(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((SCHEMAS / name).read_text())
    return loaded


def check(root: Path, *args: str) -> int:
    return main(["check", "-C", str(root), "-q", "--base", "HEAD", *args])


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The failing change of test_gold.py, every format written to a file by one run."""
    tmp = tmp_path_factory.mktemp("ci")
    root = make_repo(tmp / "repo", LAYERED_FILES)
    write(root, CHANGE)
    files = {**FORMATS, "markdown": "r.md"}
    args = [arg for fmt, name in files.items() for arg in ("--report", f"{fmt}:{tmp / name}")]
    with pytest.MonkeyPatch.context() as env:  # the autouse clean-up is per test, not module
        for var in [v for v in os.environ if v.startswith(("QUALITYGATE_", "GITHUB_"))]:
            env.delenv(var)
        assert check(root, *args) == 1
    return {fmt: (tmp / name).read_text() for fmt, name in files.items()}


def test_github_gold(reports: dict[str, str]) -> None:
    check_gold("check.github.txt", reports["github"])
    assert [p["file"] for _, p, _ in parse(reports["github"]) if "file" in p] == [
        "app/db/cache.py",
        "app/db/store.py",
    ]


def test_junit_gold_and_parses(reports: dict[str, str]) -> None:
    stamped = re.sub(
        r'timestamp="[^"]*" hostname="[^"]*"',
        'timestamp="<now>" hostname="<host>"',
        reports["junit"],
    )
    check_gold("check.junit.xml", stamped)
    [suite] = list(JUnitXml.fromstring(reports["junit"]))
    assert (suite.tests, suite.failures) == (5, 2)


def test_sarif_valid(reports: dict[str, str]) -> None:
    log = json.loads(reports["sarif"])
    jsonschema.Draft4Validator(schema("sarif-2.1.0-rtm.5.json")).validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["app/db/cache.py", "app/db/store.py"]


def test_stryker_valid_and_empty_without_mutation(reports: dict[str, str]) -> None:
    report = json.loads(reports["stryker"])
    jsonschema.Draft7Validator(schema("mutation-testing-report-schema-3.8.4.json")).validate(report)
    assert report["files"] == {}


def test_markdown_parses(reports: dict[str, str]) -> None:
    assert len(table_rows(reports["markdown"])) == 4


def test_github_actions_default_adds_annotations_and_step_summary(
    layered: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(layered, CHANGE)
    summary = tmp_path / "step_summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert check(layered) == 1
    out = capsys.readouterr().out
    assert out.startswith("qualitygate FAILED")  # the terminal report, then the annotations
    assert "::error file=app/db/cache.py,line=1,endLine=2," in out
    assert summary.read_text().startswith("<!-- qualitygate -->\n### ❌ qualitygate failed")


def test_an_explicit_report_replaces_the_github_default(
    layered: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, CHANGE)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert check(layered, "--report", "json") == 1
    assert "::error" not in capsys.readouterr().out


@pytest.mark.slow
def test_a_real_surviving_mutant_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        **LAYERED_FILES,
        "pyproject.toml": LAYERED_FILES["pyproject.toml"] + "min_mutation_score = 50\n",
    }
    root = make_repo(tmp_path / "repo", files)
    write(
        root,
        {
            "app/services/calc.py": "def add(a, b):\n    return a + b\n\n\n"
            "def over(a, b):\n    return a > b\n",
            "tests/test_calc.py": "from app.services.calc import add, over\n\n\ndef test_add():\n"
            "    assert add(1, 2) == 3\n\n\ndef test_over():\n    assert over(3, 1)\n",
        },
    )
    out = tmp_path / "out"
    args = [
        arg for fmt in ("junit", "sarif", "stryker") for arg in ("--report", f"{fmt}:{out / fmt}")
    ]
    assert check(root, "--report", "github", *args) == 1
    [(name, props, message)] = parse(capsys.readouterr().out)
    assert (name, props["file"], props["line"]) == ("error", "app/services/calc.py", "6")
    assert "-    return a > b\n+    return a >= b" in message
    stryker = json.loads((out / "stryker").read_text())
    jsonschema.Draft7Validator(schema("mutation-testing-report-schema-3.8.4.json")).validate(
        stryker
    )
    [mutant] = stryker["files"]["app/services/calc.py"]["mutants"]
    assert (mutant["status"], mutant["replacement"], mutant["location"]["start"]) == (
        "Survived",
        ">=",
        {"line": 6, "column": 14},
    )
    sarif = json.loads((out / "sarif").read_text())
    jsonschema.Draft4Validator(schema("sarif-2.1.0-rtm.5.json")).validate(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["surviving-mutant"]
    [suite] = list(JUnitXml.fromstring((out / "junit").read_text()))
    failed = [
        case.name for case in suite if case.result and case.result[0].message.startswith("services")
    ]
    assert failed == ["mutation score"]
