"""Test selection for the commit hook: a selected run gives the verdict a full run gives.

Each case seeds the stored map with a full run (`qualitygate report`), stages a change,
then gates it twice: selected (`--staged`) and whole (`--staged --full-suite`). The
changed lines, the uncovered ones and every layer's diff coverage must be equal.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualitygate.main import main
from qualitygate.measure import selection
from tests.conftest import run_cli, run_json
from tests.fixtures import git, make_repo, write
from tests.setups.projects import APP, project

CALC = textwrap.dedent(APP["app/services/calc.py"])
OTHER = """
LIMIT = 3


def mul(a, b):
    return a * b


def div(a, b):
    return a / b
"""
OTHER_TESTS = """
from app.services.consts import RATE
from app.services.other import div, mul


def test_mul():
    assert mul(2, 3) == 6


def test_div():
    assert div(6, 3) == 2
"""

CASES = {
    # a covered line: only test_add reaches add()
    "covered": ({"app/services/calc.py": CALC.replace("a + b", "b + a")}, 1),
    # an uncovered line: no test reaches never(), none runs, the suite is still collected
    "uncovered": ({"app/services/calc.py": CALC.replace("x * 2", "x * 3")}, 0),
    # lines moved by an insertion above, and a changed uncovered line below it
    "moved": (
        {"app/services/calc.py": "# a header\n# of two lines\n" + CALC.replace("None", "0")},
        None,
    ),
    # a new function, called by a changed one
    "new function": (
        {
            "app/services/calc.py": CALC.replace("return a / b", "return helper(a) / b")
            + "\n\ndef helper(x):\n    return x\n"
        },
        None,
    ),
    # module-level code: every test that runs code of the file
    "module level": ({"app/services/other.py": OTHER.replace("LIMIT = 3", "LIMIT = 4")}, 2),
    # code that runs only as the suite is collected: the whole suite is collected, none runs
    "import time only": ({"app/services/consts.py": "RATE = 2\n"}, 0),
    # the same beside a selected test: collecting only its file would miss RATE's line
    "import time and a test": (
        {
            "app/services/consts.py": "RATE = 2\n",
            "app/services/calc.py": CALC.replace("a + b", "b + a"),
        },
        1,
    ),
    # a deleted test file: its tests in the map are not asked for
    "deleted test file": (
        {"app/services/other.py": OTHER.replace("a * b", "b * a"), "tests/test_other.py": None},
        0,
    ),
    # a new test file runs whole, and covers the changed line
    "new test": (
        {
            "app/services/calc.py": CALC.replace("x * 2", "x * 3"),
            "tests/test_never.py": (
                "from app.services.calc import never\n\n\n"
                "def test_never():\n    assert never(1) == 3\n"
            ),
        },
        1,
    ),
}


def seeded(tmp_path: Path) -> Path:
    files = project()
    files["app/services/other.py"] = OTHER
    files["tests/test_other.py"] = OTHER_TESTS
    files["app/services/consts.py"] = "RATE = 1\n"
    root = make_repo(tmp_path / "repo", files)
    assert main(["report", "-C", str(root), "-q", "--report", f"json:{tmp_path / 'r.json'}"]) in (
        0,
        1,
    )
    assert selection.map_path(root).is_file()
    return root


def verdict(report: dict) -> tuple:
    files = [(f["path"], f["changed_lines"], f["uncovered_changed_lines"]) for f in report["files"]]
    diff = {
        layer["name"]: [
            (r["actual"], r["passed"]) for r in layer["rules"] if r["metric"] == "diff_coverage"
        ]
        for layer in report["layers"]
    }
    return files, diff


def both(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, dict]:
    _, selected = run_json(root, "--staged", "--no-mutation", capsys=capsys)
    _, whole = run_json(root, "--staged", "--no-mutation", "--full-suite", capsys=capsys)
    return selected, whole


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_selected_run_gives_the_full_runs_verdict(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, expected_ran = CASES[case]
    root = seeded(tmp_path)
    write(root, {p: textwrap.dedent(t) for p, t in change.items() if t is not None})
    for path in (p for p, t in change.items() if t is None):
        (root / path).unlink()
    git(root, "add", "-A")
    selected, whole = both(root, capsys)
    assert selected["test_selection"]["selected"] is True, selected["test_selection"]
    assert selected["test_selection"]["of"] == 4
    if expected_ran is not None:
        assert selected["test_selection"]["ran"] == expected_ran
    assert (
        selected["test_selection"]["ran"]
        < whole["test_selection"]["ran"]
        == {"new test": 5, "deleted test file": 2}.get(case, 4)
    )
    assert verdict(selected) == verdict(whole)
    assert whole["test_selection"]["selected"] is False


@pytest.mark.slow
def test_the_layer_coverage_rule_is_not_measured_in_a_selected_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = seeded(tmp_path)
    write(root, {"app/services/calc.py": textwrap.dedent(CALC.replace("a + b", "b + a"))})
    git(root, "add", "-A")
    _, out, _ = run_cli(root, "--staged", "--no-mutation", capsys=capsys)
    assert "ran 1 of 4 tests (selected by stored coverage)" in out
    _, report = run_json(root, "--staged", "--no-mutation", capsys=capsys)
    (rule,) = [
        r
        for la in report["layers"]
        if la["name"] == "services"
        for r in la["rules"]
        if r["metric"] == "coverage"
    ]
    assert rule["actual"] is None and "not measured in a selected run" in rule["note"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tests/conftest.py": None}, "tests/conftest.py changed"),
        ({"pyproject.toml": None}, "pyproject.toml changed"),
        ({"tests/helpers.py": "X = 1\n"}, "tests/helpers.py changed, and the stored test map"),
        ({"app/services/data.json": "{}\n"}, "app/services/data.json changed under the source"),
    ],
)
def test_what_the_map_cannot_follow_runs_the_full_suite_and_says_why(
    change: dict, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = seeded(tmp_path)
    change = {  # None: the file as it is, with a comment added
        path: (root / path).read_text() + "\n# edited\n" if text is None else text
        for path, text in change.items()
    }
    write(root, {**change, "app/services/calc.py": textwrap.dedent(CALC.replace("a + b", "b + a"))})
    git(root, "add", "-A")
    _, report = run_json(root, "--staged", "--no-mutation", capsys=capsys)
    chosen = report["test_selection"]
    assert chosen["selected"] is False and reason in chosen["reason"], chosen
    assert chosen["ran"] == 4


@pytest.mark.slow
def test_no_map_runs_the_full_suite_and_stores_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = project()
    root = make_repo(tmp_path / "repo", files)
    write(root, {"app/services/calc.py": files["app/services/calc.py"].replace("a + b", "b + a")})
    git(root, "add", "-A")
    _, first = run_json(root, "--staged", "--no-mutation", capsys=capsys)
    _, second = run_json(root, "--staged", "--no-mutation", capsys=capsys)
    assert first["test_selection"] == {
        "selected": False,
        "ran": 2,
        "of": None,
        "reason": "no stored test map yet",
    }
    assert second["test_selection"]["selected"] is True
    assert verdict(first) == verdict(second)
    # the map lives under .git: the tree holds the staged change and nothing else
    assert git(root, "status", "--porcelain", "--ignored").splitlines() == [
        "M  app/services/calc.py"
    ]
