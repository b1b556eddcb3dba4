"""`qualitygate check` end to end: real git, real pytest, real coverage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualitygate.main import main
from qualitygate.measure import selection
from tests.conftest import FAILING_CHANGE, run_cli, run_json
from tests.fixtures import commit, git, git_state, measure, snapshot, write

LOOP = """
def last(xs):
    found = None
    for x in xs:
        found = x
        return found
""".lstrip()
LOOP_TEST = "from app.db.loop import last\n\n\ndef test_last():\n    assert last([1]) == 1\n"

BIG_SAVE = """
    def save(rows, limit):
        if len(rows) > limit:
            return "too many"
        return "ok"


    def purge(rows):
        kept = []
        for row in rows:
            if row:
                kept.append(row)
        return kept
    """


def layer(report: dict, name: str) -> dict:
    return next(la for la in report["layers"] if la["name"] == name)


def rule(report: dict, name: str, metric: str) -> dict:
    return next(r for r in layer(report, name)["rules"] if r["metric"] == metric)


def test_covered_change_passes(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(layered, {"app/services/calc.py": "def add(a, b):\n    return b + a\n"})
    code, report = run_json(layered, "--base", "HEAD", capsys=capsys)
    assert code == 0 and report["passed"] is True
    assert layer(report, "services")["diff_coverage"] == 100.0
    assert report["files"] == [
        {
            "path": "app/services/calc.py",
            "layer": "services",
            "status": "modified",
            "old_path": None,
            "measured": True,
            "changed_lines": [2],
            "uncovered_changed_lines": [],
            "nearby_tests": [],
            "mutants": [],
            "not_mutation_testable": [],
            "source": {},
        }
    ]


def test_one_failing_layer_fails_the_gate(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        layered,
        {
            "app/services/calc.py": """
            def add(a, b):
                return a + b


            def ratio(a, b):
                if b == 0:
                    return None
                return a / b
            """,
            "app/db/store.py": BIG_SAVE,
        },
    )
    code, report = run_json(layered, "--base", "HEAD", capsys=capsys)
    assert code == 1 and report["passed"] is False
    services, infra = layer(report, "services"), layer(report, "infrastructure")
    # services: ratio() adds 4 statements; only its `def` runs (at import time)
    assert (services["changed_lines"], services["uncovered_changed_lines"]) == (4, 3)
    assert rule(report, "services", "diff_coverage") == {
        "metric": "diff_coverage",
        "actual": 25.0,
        "required": 90.0,
        "passed": False,
        "gap": 65.0,
        "note": None,
        "at_most": False,
    }
    # infrastructure: purge() adds 6 statements, its `def` alone runs
    assert (infra["changed_lines"], infra["uncovered_changed_lines"]) == (6, 5)
    # whole layer: store.py has 4 + 6 statements; save's def, if, return "ok" and purge's def run
    assert infra["statements"] == 10 and infra["covered"] == 4
    assert rule(report, "infrastructure", "coverage")["actual"] == 40.0
    store = next(f for f in report["files"] if f["path"] == "app/db/store.py")
    assert store["uncovered_changed_lines"] == [8, 9, 10, 11, 12]


def test_never_imported_changed_file_counts_as_zero(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, {"app/db/cache.py": "def get(key):\n    return key\n"})
    code, report = run_json(layered, "--base", "HEAD", capsys=capsys)
    assert code == 1
    cache = next(f for f in report["files"] if f["path"] == "app/db/cache.py")
    assert (cache["status"], cache["measured"]) == ("added", False)
    assert cache["uncovered_changed_lines"] == [1, 2]
    assert rule(report, "infrastructure", "diff_coverage")["actual"] == 0.0


def test_uncovered_line_names_the_tests_that_run_its_function(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, {"app/db/store.py": FAILING_CHANGE["app/db/store.py"]})
    _, report = run_json(layered, "--base", "HEAD", capsys=capsys)
    store = report["files"][0]
    assert store["uncovered_changed_lines"] == [3]
    assert store["nearby_tests"] == ["tests/test_store.py::test_save_ok"]


def test_rename_and_delete(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(layered, "mv", "app/services/calc.py", "app/services/maths.py")
    write(
        layered,
        {
            "tests/test_calc.py": "from app.services.maths import add\n\n\n"
            "def test_add():\n    assert add(1, 2) == 3\n"
        },
    )
    git(layered, "rm", "-q", "app/db/store.py", "tests/test_store.py")
    commit(layered)
    code, report = run_json(layered, "--base", "HEAD~1", capsys=capsys)
    files = {f["path"]: (f["status"], f["old_path"], f["changed_lines"]) for f in report["files"]}
    assert files == {
        "app/db/store.py": ("deleted", None, []),
        "app/services/maths.py": ("renamed", "app/services/calc.py", []),
    }
    assert code == 0


def test_staged_only_ignores_unstaged_work(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, {"app/services/calc.py": "def add(a, b):\n    return b + a\n"})
    git(layered, "add", "app/services/calc.py")
    write(layered, {"app/db/cache.py": "def get(key):\n    return key\n"})
    code, report = run_json(layered, "--staged", capsys=capsys)
    assert [f["path"] for f in report["files"]] == ["app/services/calc.py"]
    assert code == 0


@pytest.mark.parametrize("fmt", ["data", "xml"])
def test_coverage_file_gives_the_same_verdict(
    layered: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, {"app/db/store.py": BIG_SAVE})
    data = tmp_path / "ci.coverage"
    xml = tmp_path / "coverage.xml"
    measure(layered, data, xml)
    if fmt == "xml":
        data = xml
    code, from_file = run_json(
        layered, "--base", "HEAD", "--coverage-file", str(data), capsys=capsys
    )
    _, from_run = run_json(layered, "--base", "HEAD", capsys=capsys)
    assert from_file["coverage_source"] == str(data)
    assert from_file["layers"] == from_run["layers"]
    assert [f["uncovered_changed_lines"] for f in from_file["files"]] == [
        f["uncovered_changed_lines"] for f in from_run["files"]
    ]
    assert code == 1


def test_red_suite_is_a_tool_error_naming_the_tests(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        layered,
        {
            "app/services/calc.py": "def add(a, b):\n    return b + a\n",  # a change to gate
            "tests/test_calc.py": """
        from app.services.calc import add

        def test_add():
            assert add(1, 2) == 4

        def test_fine():
            assert add(0, 0) == 0
        """,
        },
    )
    code, out, err = run_cli(layered, "--base", "HEAD", capsys=capsys)
    assert code == 3 and out == ""
    assert "the test suite failed (1 failing: tests/test_calc.py::test_add)" in err
    assert len(err.strip().splitlines()) == 1


def test_hanging_suite_times_out(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        layered,
        {
            "tests/test_hang.py": "import time\n\n\ndef test_hang():\n    time.sleep(600)\n",
            "app/services/calc.py": "def add(a, b):\n    return b + a\n",  # a change to gate
        },
    )
    code, _, err = run_cli(layered, "--base", "HEAD", "--timeout", "20", capsys=capsys)
    assert code == 3
    assert "pytest did not finish within 20 s and was stopped" in err


def test_tree_index_and_branch_untouched(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(layered, {"app/db/store.py": BIG_SAVE, "app/db/cache.py": "X = 1\n"})
    git(layered, "add", "app/db/cache.py")
    before, state = snapshot(layered), git_state(layered)
    status = git(layered, "status", "--porcelain", "--ignored")
    run_cli(layered, "--base", "HEAD", capsys=capsys)
    assert snapshot(layered) == before
    assert git_state(layered) == state
    assert git(layered, "status", "--porcelain", "--ignored") == status


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "nope"], "unknown base ref 'nope'"),
        (["--config", "missing.toml"], "missing.toml: cannot read the file"),
        (["--min-diff-coverage", "120"], "--min-diff-coverage: expected a number from 0 to 100"),
        (["--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_usage_errors_exit_2(
    layered: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(layered, *args, capsys=capsys)
    assert code == 2 and message in err and out == ""


def test_not_a_repository_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(tmp_path, capsys=capsys)
    assert code == 2 and "is not inside a git repository" in err


def test_unknown_report_format_exits_2(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run_cli(layered, "--report", "xml", capsys=capsys)
    assert caught.value.code == 2
    assert "unknown report format 'xml'" in capsys.readouterr().err


def test_reports_to_files(
    layered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, {"app/db/cache.py": "X = 1\n"})
    out_dir = tmp_path / "out"
    _, out, _ = run_cli(
        layered,
        "--base",
        "HEAD",
        "--report",
        f"json:{out_dir}/r.json",
        "--report",
        f"markdown:{out_dir}/r.md",
        "--report",
        "terminal",
        capsys=capsys,
    )
    assert (out_dir / "r.json").read_text().startswith("{")
    assert "| infrastructure |" in (out_dir / "r.md").read_text()
    assert out.startswith("qualitygate FAILED")


MUTATION_LAYER = """
[tool.qualitygate.layers.domain]
paths = ["app/domain/**"]
min_diff_coverage = 80
min_mutation_score = 60
"""

CAPPED = """
    def capped(total, limit):
        if total > limit:
            return limit
        return total
    """


@pytest.fixture
def with_domain(layered: Path) -> Path:
    config = (layered / "pyproject.toml").read_text()
    write(
        layered,
        {
            "pyproject.toml": config + MUTATION_LAYER,
            "app/domain/__init__.py": "",
            "app/domain/caps.py": "def capped(total, limit):\n    return total\n",
            "tests/test_caps.py": "from app.domain.caps import capped\n\n\n"
            "def test_capped():\n    assert capped(1, 10) == 1\n"
            "    assert capped(20, 10) == 10 or True\n",
        },
    )
    commit(layered)
    write(layered, {"app/domain/caps.py": CAPPED})
    return layered


@pytest.mark.slow
def test_with_no_map_to_keep_only_the_changed_files_are_measured_per_test(
    with_domain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check that keeps a stored map up to date records every file per test; with no
    map (a fresh clone, CI) only the changed files' lines are attributed to each test,
    and every figure, nearby test, mutant and its tests is the same."""
    kept = selection.map_path(with_domain)
    write(with_domain, FAILING_CHANGE)
    # --no-cache: no verdict is kept for the second run to reuse
    _, bare = run_json(with_domain, "--base", "HEAD", "--no-cache", capsys=capsys)
    assert not kept.exists()
    seed = ["report", "-C", str(with_domain), "-q", "--report", f"json:{tmp_path / 'r.json'}"]
    assert main(seed) in (0, 1)
    before = kept.stat().st_mtime_ns
    _, mapped = run_json(with_domain, "--base", "HEAD", capsys=capsys)
    assert kept.stat().st_mtime_ns != before  # stored again by the check
    for report in (mapped, bare):
        report.pop("duration_seconds", None)
        report.pop("mutants_executed", None)
    assert bare == mapped
    store = next(f for f in bare["files"] if f["path"] == "app/db/store.py")
    assert store["nearby_tests"] == ["tests/test_store.py::test_save_ok"]
    caps = next(f for f in bare["files"] if f["path"] == "app/domain/caps.py")
    assert [m["tests"] for m in caps["mutants"] if m["status"] == "survived"] == [
        ["tests/test_caps.py::test_capped"]
    ]


@pytest.mark.slow
def test_mutation_gate_names_the_survivor_and_each_mode_gates_its_own_part(
    with_domain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, full = run_json(with_domain, "--base", "HEAD", capsys=capsys)
    caps = next(f for f in full["files"] if f["path"] == "app/domain/caps.py")
    survivors = [m for m in caps["mutants"] if m["status"] == "survived"]
    assert code == 1 and survivors, caps
    assert {"line": 2, "diff": "-    if total > limit:\n+    if total >= limit:"}.items() <= (
        survivors[0].items()
    )
    assert survivors[0]["tests"] == ["tests/test_caps.py::test_capped"]
    assert rule(full, "domain", "mutation_score")["passed"] is False
    assert rule(full, "domain", "diff_coverage")["passed"] is True

    code, coverage_only = run_json(with_domain, "--base", "HEAD", "--no-mutation", capsys=capsys)
    assert code == 0 and rule(coverage_only, "domain", "mutation_score")["actual"] is None
    assert coverage_only["mutation"] == "off"

    code, mutation_only = run_json(with_domain, "--base", "HEAD", "--mutation-only", capsys=capsys)
    assert code == 1 and layer(mutation_only, "domain")["diff_coverage"] is None
    assert mutation_only["mutants_executed"] == 0  # the first run's verdicts, from the cache
    assert (
        layer(mutation_only, "domain")["mutation_score"] == layer(full, "domain")["mutation_score"]
    )


def test_a_changed_file_that_is_not_python_fails_closed(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(layered, {"app/db/broken.py": "def get(key):\n    return key +\n"})
    code, out, err = run_cli(layered, "--base", "HEAD", capsys=capsys)
    assert code == 2 and out == ""
    assert "app/db/broken.py: not valid Python" in err


def test_no_python_change_exits_at_once_without_running_tests(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README and a test file changed: no gated line, so no test run (the red test file
    would fail the suite if one ran) and no mutant."""
    write(layered, {"README.md": "hello\n", "tests/test_red.py": "def test_red():\n    assert 0\n"})
    code, out, err = run_cli(layered, "--base", "HEAD", capsys=capsys)
    assert code == 0 and err == ""
    assert "0 changed files against HEAD, no Python change to gate" in out


def test_a_layer_that_holds_no_file_is_reported(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (layered / "pyproject.toml").read_text()
    config += '\n[tool.qualitygate.layers.typo]\npaths = ["app/servics/**"]\nmin_coverage = 90\n'
    write(layered, {"pyproject.toml": config, **FAILING_CHANGE})
    code = main(["check", "-C", str(layered), "--base", "HEAD", "--no-mutation"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "Layer 'typo' holds no file under source: check its paths" in err


def test_changed_lines_are_those_diff_cover_sees_with_whitespace_kept(
    layered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An indentation-only change and a real one, gated as diff-cover itself sees them."""
    loop = LOOP
    write(layered, {"app/db/loop.py": loop, "tests/test_loop.py": LOOP_TEST})
    commit(layered, "loop")
    write(layered, {"app/db/loop.py": loop.replace("        return found", "    return found")})
    write(layered, {"app/db/store.py": BIG_SAVE})
    xml = tmp_path / "coverage.xml"
    measure(layered, tmp_path / ".coverage", xml)
    out = tmp_path / "diff-cover.json"
    subprocess.run(
        [sys.executable, "-m", "diff_cover.diff_cover_tool", str(xml), "--compare-branch=HEAD",
         f"--format=json:{out}"], cwd=layered, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    stats = json.loads(out.read_text())["src_stats"]
    truth = {
        path: sorted({*s["covered_lines"], *s["violation_lines"]}) for path, s in stats.items()
    }
    _, report = run_json(layered, "--base", "HEAD", "--no-mutation", capsys=capsys)
    ours = {f["path"]: f["changed_lines"] for f in report["files"]}
    assert ours == truth
    assert ours["app/db/loop.py"] == [5]  # the return that moved out of the loop


def test_excluded_files_are_not_gated(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`exclude` (gitignore globs, top level and per layer): a migration is not gated at
    all; a layer's exclude leaves the file to the next layer that matches it."""
    pyproject = (layered / "pyproject.toml").read_text()
    pyproject = pyproject.replace(
        'tests = ["tests"]\n', 'tests = ["tests"]\nexclude = ["**/migrations/**"]\n'
    ).replace('paths = ["app/db/**"]\n', 'paths = ["app/db/**"]\nexclude = ["app/db/[ab]*.py"]\n')
    write(layered, {"pyproject.toml": pyproject})
    commit(layered, "exclude")
    write(
        layered,
        {
            "app/db/migrations/__init__.py": "",
            "app/db/migrations/m0001.py": "def up():\n    return 1\n",
            "app/db/adapter.py": "def get(key):\n    return key\n",
        },
    )
    code, report = run_json(layered, "--base", "HEAD", capsys=capsys)
    paths = {f["path"]: f["layer"] for f in report["files"]}
    assert paths == {"app/db/adapter.py": "other"}
    assert code == 1  # adapter.py is uncovered, in "other" (80% of changed lines)


def test_a_report_to_a_file_keeps_the_terminal_summary(
    failing_change: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "gate.json"
    code = main(
        ["check", "-C", str(failing_change), "--base", "HEAD", "--report", f"json:{target}"]
    )
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("qualitygate FAILED")
    assert json.loads(target.read_text())["passed"] is False
    code = main(
        ["check", "-C", str(failing_change), "--base", "HEAD", "-q", "--report", f"json:{target}"]
    )
    assert code == 1 and capsys.readouterr().out == ""  # -q: the file only


def test_uncovered_lines_carry_their_code_as_coverage_numbers_them(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A form feed inside a line does not end it (str.splitlines would shift every number
    after it), and a CRLF file shows no stray carriage return."""
    text = "import os  # page\x0cbreak\r\n\r\ndef get(key):\r\n    return os.sep + key\r\n"
    (layered / "app" / "db" / "cache.py").write_bytes(text.encode())
    _, report = run_json(layered, "--base", "HEAD", "--no-mutation", capsys=capsys)
    (cache,) = [f for f in report["files"] if f["path"] == "app/db/cache.py"]
    assert cache["uncovered_changed_lines"] == [1, 3, 4]
    assert cache["source"] == {
        "1": "import os  # page\x0cbreak",
        "3": "def get(key):",
        "4": "    return os.sep + key",
    }
