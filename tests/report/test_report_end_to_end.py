"""`qualitygate report` on a layered backend, run for real, checked against hand counts.

The expected figures below are counted by eye from `backend.py` (its comments
say which lines run when), not computed by qualitygate's own code.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qualitygate import __version__
from qualitygate.main import main
from qualitygate.project.config import load
from qualitygate.report.pipeline import ReportOptions, run_report
from qualitygate.reporters.report import terminal as report_terminal
from tests.fixtures import make_repo, write
from tests.report.backend import FILES

GOLD = Path(__file__).parent / "gold"
FORMATS = ("json", "markdown", "issue", "terminal")
REPOS = "app/db/repositories/"

# path: status, statements, covered, tested lines, missing tests, priority, suggested test
RUN_MODULES = {
    REPOS + "user_repository.py": ("tested", 11, 10, 4, 1, "MEDIUM", None),
    REPOS + "order_repository.py": (
        "untested",
        10,
        0,
        0,
        2,
        "CRITICAL",
        "tests/db/repositories/test_order_repository.py",
    ),
    REPOS + "audit_repository.py": ("imported only", 2, 1, 0, 1, "MEDIUM", None),
    "app/services/billing.py": ("tested", 6, 5, 3, 0, "MEDIUM", None),
    "app/services/notify.py": ("untested", 5, 0, 0, 1, "HIGH", "tests/services/test_notify.py"),
    "app/events/order_events.py": ("tested", 4, 4, 0, 0, "LOW", None),
    "app/events/user_events.py": (
        "untested",
        4,
        4,
        0,
        1,
        "MEDIUM",
        "tests/events/test_user_events.py",
    ),
    "app/middleware/cache.py": ("tested", 2, 2, 1, 0, "LOW", None),
    "app/middleware/limits.py": (
        "untested",
        2,
        0,
        0,
        1,
        "MEDIUM",
        "tests/middleware/test_limits.py",
    ),
    "workers/run_worker.py": ("tested", 5, 5, 5, 0, "LOW", None),
    "workers/dlq.py": ("untested", 2, 0, 0, 1, "MEDIUM", "tests/workers/test_dlq.py"),
}
# layer: modules, tested, imported only, untested, test files, statements, covered,
#        tested lines, lines to cover, modules to test, missing tests, passed
RUN_LAYERS = {
    "repositories": (3, 1, 1, 1, 2, 23, 11, 4, 6, 1, 4, False),  # 70% of 23 = 16.1 -> 17
    "services": (2, 1, 0, 1, 1, 11, 5, 3, 2, 1, 1, False),  # 60% of 11 = 6.6 -> 7
    "events": (2, 1, 0, 1, 1, 8, 8, 0, 0, 0, 1, True),
    "middleware": (2, 1, 0, 1, 1, 4, 2, 1, 0, 0, 1, True),
    "workers": (2, 1, 0, 1, 1, 7, 5, 5, 0, 0, 1, True),  # 71.4% >= 50%
}
# Without running tests an import is all we know: audit_repository counts as tested.
STATIC_STATUS = {path: row[0] for path, row in RUN_MODULES.items()}
STATIC_STATUS[REPOS + "audit_repository.py"] = "tested"
STATIC_MISSING = {
    REPOS + "order_repository.py": 2,
    "app/services/notify.py": 1,
    "app/events/user_events.py": 1,
    "app/middleware/limits.py": 1,
    "workers/dlq.py": 1,
}


def run_formats(root: Path, out: Path, *args: str) -> tuple[int, dict[str, str]]:
    reports = [a for f in FORMATS for a in ("--report", f"{f}:{out / f}")]
    code = main(["report", "-C", str(root), "-q", *reports, *args])
    return code, {f: (out / f).read_text() for f in FORMATS}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("backend") / "repo", FILES)


@pytest.fixture(scope="module")
def full(backend: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, str]]:
    return run_formats(backend, tmp_path_factory.mktemp("full"))


@pytest.fixture(scope="module")
def static(backend: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, str]]:
    return run_formats(backend, tmp_path_factory.mktemp("static"), "--no-run")


def modules_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["path"]: m for layer in data["layers"] for m in layer["files"]}


def normalise(text: str) -> str:
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", "<generated>", text)
    return text.replace(f"qualitygate report {__version__}", "qualitygate report <version>")


def check_gold(name: str, actual: str) -> None:
    path = GOLD / name
    if os.environ.get("UPDATE_GOLD"):
        path.write_text(normalise(actual))
    assert normalise(actual) == path.read_text(), f"{name} differs; see {GOLD / 'README.md'}"


@pytest.mark.slow
def test_every_module_figure_after_running_the_tests(full):
    code, out = full
    data = json.loads(out["json"])
    assert code == 1 and data["mode"] == "run" and data["coverage_source"] == "pytest"
    found = {
        path: (
            m["status"],
            m["statements"],
            m["covered"],
            m["tested_lines"],
            m["missing_tests"],
            m["priority"],
            m["suggested_test"],
        )
        for path, m in modules_of(data).items()
    }
    assert found == RUN_MODULES


@pytest.mark.slow
def test_tests_that_import_and_run_each_module(full):
    modules = modules_of(json.loads(full[1]["json"]))
    audit = modules[REPOS + "audit_repository.py"]
    assert audit["importing_tests"] == ["tests/db/repositories/test_audit_import.py"]
    assert audit["running_tests"] == []
    assert modules["app/services/billing.py"]["running_tests"] == [
        "tests/services/test_billing.py::test_discount",
        "tests/services/test_billing.py::test_total",
    ]
    worker = modules["workers/run_worker.py"]  # importlib.import_module inside the test
    assert worker["importing_tests"] == ["tests/workers/test_run_worker.py"]
    assert modules["app/middleware/cache.py"]["importing_tests"] == [
        "tests/middleware/test_cache.py"
    ]  # from app.middleware import cache
    user = modules[REPOS + "user_repository.py"]
    assert user["unexercised"] == ["UserRepository.count"]
    assert user["public_functions"] == [
        "UserRepository.add",
        "UserRepository.get",
        "UserRepository.count",
    ]
    events = modules["app/events/user_events.py"]
    assert (events["line_coverage"], events["tested_coverage"]) == (100.0, 0.0)


@pytest.mark.slow
def test_every_layer_figure_after_running_the_tests(full):
    data = json.loads(full[1]["json"])
    found = {
        la["name"]: (
            la["modules"],
            la["tested"],
            la["imported_only"],
            la["untested"],
            la["test_files"],
            la["statements"],
            la["covered"],
            la["tested_lines"],
            la["lines_to_cover"],
            la["modules_to_test"],
            la["missing_tests"],
            la["passed"],
        )
        for la in data["layers"]
    }
    assert found == RUN_LAYERS
    repos = data["layers"][0]
    assert repos["line_coverage"] == round(100 * 11 / 23, 1)
    assert repos["tested_coverage"] == round(100 * 4 / 23, 1)
    assert repos["tested_files_ratio"] == round(100 / 3, 1)
    assert [(r["metric"], r["gap"]) for r in repos["rules"]] == [
        ("coverage", round(70 - 47.8, 1)),
        ("tested_files", round(50 - 33.3, 1)),
    ]
    assert data["totals"] == {
        "modules": 11,
        "test_files": 6,
        "tested": 5,
        "missing_tests": 8,
        "skipped_package_markers": 7,
    }
    assert data["version"] == 1 and data["tool"]["command"] == "report"
    assert "public function" in data["method"]["missing_tests"]


def test_static_report_from_imports_alone(static):
    code, out = static
    data = json.loads(out["json"])
    assert code == 1  # services: 1 of 2 modules tested, below 60%
    assert data["mode"] == "static" and data["coverage_source"] == "none"
    modules = modules_of(data)
    assert {p: m["status"] for p, m in modules.items()} == STATIC_STATUS
    assert {p: m["missing_tests"] for p, m in modules.items() if m["missing_tests"]} == (
        STATIC_MISSING
    )
    assert all(m["statements"] is None and m["line_coverage"] is None for m in modules.values())
    passed = {la["name"]: la["passed"] for la in data["layers"]}
    assert passed == {
        "repositories": True,
        "services": False,
        "events": True,
        "middleware": True,
        "workers": True,
    }


@pytest.mark.slow
def test_gold_after_running_the_tests(full):
    check_gold("report.md", full[1]["markdown"])
    check_gold("issue.md", full[1]["issue"])
    check_gold("terminal.txt", full[1]["terminal"])


def test_gold_of_the_static_report(static):
    check_gold("report_static.md", static[1]["markdown"])
    check_gold("issue_static.md", static[1]["issue"])
    check_gold("terminal_static.txt", static[1]["terminal"])


@pytest.mark.slow
def test_issue_per_layer_below_target(full):
    issues = full[1]["issue"].split("<!-- qualitygate: next issue -->")
    assert [i.strip().splitlines()[0] for i in issues] == [
        "# [TEST COVERAGE] Gap in the repositories layer - line coverage 47.8% (target 70%), "
        "modules with tests 33.3% (target 50%)",
        "# [TEST COVERAGE] Gap in the services layer - line coverage 45.5% (target 60%), "
        "modules with tests 50.0% (target 60%)",
    ]
    assert "- [ ] `app/db/repositories/order_repository.py` (12 lines)" in issues[0]


def test_rich_terminal_draws_trees_with_markers(backend):
    report = run_report(ReportOptions(backend, load(backend), run_tests=False))
    out = io.StringIO()
    report_terminal.render_rich(report, out)
    text = out.getvalue()
    assert "repositories: 3 modules, 1 untested, 0 imported only" in text
    assert "order_repository.py (12 lines) ❌ critical" in text
    assert "┏" in text  # a rich table


@pytest.mark.slow
def test_coverage_file_without_contexts_gives_line_coverage(backend, tmp_path):
    data = tmp_path / ".coverage"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            f"--data-file={data}",
            "--source=app,workers",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=backend,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    code = main(
        [
            "report",
            "-C",
            str(backend),
            "-q",
            "--coverage-file",
            str(data),
            "--report",
            f"json:{tmp_path / 'r.json'}",
        ]
    )
    found = json.loads((tmp_path / "r.json").read_text())
    assert code == 1 and found["mode"] == "static"
    modules = modules_of(found)
    assert {p: (m["statements"], m["covered"]) for p, m in modules.items()} == {
        p: row[1:3] for p, row in RUN_MODULES.items()
    }
    assert all(m["tested_lines"] is None for m in modules.values())


def test_passing_layers_exit_0_and_file_no_issue(tmp_path, capsys):
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": '[tool.qualitygate]\nsource = ["app"]\n'
            '[tool.qualitygate.layers.core]\npaths = ["app/**"]\n'
            "min_tested_files = 50\n",
            "app/__init__.py": "",
            "app/core.py": "def f():\n    return 1\n",
            "tests/test_core.py": "from app.core import f\n\ndef test_f():\n    assert f() == 1\n",
        },
    )
    assert main(["report", "-C", str(root), "-q", "--no-run", "--format", "issue"]) == 0
    assert capsys.readouterr().out == "No layer is below its targets: no issue to file.\n"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[tool.qualitygate.priority]\nlarge = 3\n",
            "tool.qualitygate.priority.large: unknown key",
        ),
        (
            "[tool.qualitygate.priority]\ncritical_layers = ['db']\n",
            "tool.qualitygate.priority.critical_layers: no layer named 'db'",
        ),
        (
            "[tool.qualitygate.priority]\nlarge_module = -1\n",
            "tool.qualitygate.priority.large_module: expected a whole number",
        ),
        (
            "[tool.qualitygate.layers.core]\npaths = ['app/**']\nmin_tested_files = 120\n",
            "tool.qualitygate.layers.core.min_tested_files: expected a number from 0 to 100",
        ),
    ],
)
def test_config_errors_name_file_and_key(tmp_path, capsys, table, message):
    root = make_repo(tmp_path / "repo", {"app/a.py": "x = 1\n"})
    write(root, {"pyproject.toml": "[tool.qualitygate]\nsource = ['app']\n" + table})
    assert main(["report", "-C", str(root), "-q", "--no-run"]) == 2
    err = capsys.readouterr().err
    assert f"pyproject.toml: {message}" in err


def test_no_run_with_coverage_file_is_a_usage_error(tmp_path, capsys):
    root = make_repo(tmp_path / "repo", {"app/a.py": "x = 1\n"})
    assert main(["report", "-C", str(root), "--no-run", "--coverage-file", "x"]) == 2
    assert "--no-run and --coverage-file" in capsys.readouterr().err


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "-C", str(tmp_path), "--format", "pdf"])
    assert exit_info.value.code == 2
    assert "unknown report format 'pdf'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_class_only_module_imported_by_a_test_that_did_not_run(tmp_path):
    """order_events is tested when tests/events runs, and not when pytest leaves it out:
    an import by a test file outside the run is no test."""
    config = FILES["pyproject.toml"].replace(
        'tests = ["tests"]\n', 'tests = ["tests"]\npytest_args = ["--ignore=tests/events"]\n'
    )
    root = make_repo(tmp_path / "repo", {**FILES, "pyproject.toml": config})
    out = tmp_path / "report.json"
    main(["report", "-C", str(root), "-q", "--report", f"json:{out}"])
    module = modules_of(json.loads(out.read_text()))["app/events/order_events.py"]
    assert module["importing_tests"] == ["tests/events/test_order_events.py"]
    assert (module["status"], module["tested_lines"]) == ("imported only", 0)


def test_write_the_test_in_an_existing_file_never_a_conftest(tmp_path):
    """The suggested file for notify already exists (it tests something else): it is named
    as existing. A module only a conftest.py imports is untested, and its test goes in a
    test module, not in the conftest."""
    extra = {
        "tests/services/test_notify.py": "def test_nothing_yet():\n    assert True\n",
        "tests/conftest.py": "from app.middleware import limits\n",
    }
    root = make_repo(tmp_path / "repo", {**FILES, **extra})
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    main(["report", "-C", str(root), "-q", "--no-run", "--report", f"json:{out}"])
    main(["report", "-C", str(root), "-q", "--no-run", "--report", f"markdown:{md}"])
    modules = modules_of(json.loads(out.read_text()))
    notify = modules["app/services/notify.py"]
    assert notify["suggested_test"] == "tests/services/test_notify.py"
    assert notify["suggested_test_exists"] is True
    limits = modules["app/middleware/limits.py"]
    assert (limits["status"], limits["importing_tests"]) == ("untested", [])
    assert limits["suggested_test"] == "tests/middleware/test_limits.py"
    text = md.read_text()
    assert "test_notify.py (exists: add to it)" in text
    assert "`tests/services/test_notify.py (exists)`" in text
    assert "conftest.py`" not in text.split("## Summary")[0].split("Write them in")[1]
