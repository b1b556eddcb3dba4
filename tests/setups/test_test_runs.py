"""The coverage run on real setups: xdist in addopts, parallel coverage, pytest's own config,
and runs that end in ways other than passing or failing tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qualitygate.main import main
from tests.conftest import run_cli, run_json
from tests.fixtures import make_repo, snapshot, write
from tests.setups.projects import (
    CHANGE,
    PARALLEL,
    XDIST,
    independent_coverage,
    per_file,
    project,
    with_gate_key,
)


def services(report: dict) -> dict:
    return next(la for la in report["layers"] if la["name"] == "services")


def figures(report: dict) -> tuple:
    layer = services(report)
    return (layer["statements"], layer["covered"], layer["changed_lines"])


def gate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    write(root, CHANGE)
    return run_json(root, "--base", "HEAD", "--no-mutation", capsys=capsys)


def test_xdist_in_addopts_gives_the_figures_of_a_plain_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = make_repo(tmp_path / "plain", project())
    xdist = make_repo(tmp_path / "xdist", project(XDIST))
    code_plain, report_plain = gate(plain, capsys)
    code_xdist, report_xdist = gate(xdist, capsys)
    assert (code_plain, code_xdist) == (1, 1)  # `never` is changed and uncovered
    assert figures(report_xdist) == figures(report_plain)
    # pytest-cov really distributes the suite over two workers and measures each
    truth = per_file(independent_coverage(xdist, pytest_cov=True))
    statements, covered = truth["app/services/calc.py"]
    assert (services(report_xdist)["statements"], services(report_xdist)["covered"]) == (
        statements,
        covered,
    )
    assert services(report_xdist)["coverage"] == pytest.approx(100 * covered / statements, 0.01)
    assert [f["uncovered_changed_lines"] for f in report_xdist["files"]] == [[12]]


def test_parallel_coverage_gives_the_figures_of_a_plain_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = make_repo(tmp_path / "plain", project())
    parallel = make_repo(tmp_path / "parallel", project(PARALLEL))
    before = snapshot(parallel)
    _, report_plain = gate(plain, capsys)
    code, report = gate(parallel, capsys)
    assert code == 1 and figures(report) == figures(report_plain)
    truth = per_file(independent_coverage(parallel))
    assert (services(report)["statements"], services(report)["covered"]) == truth[
        "app/services/calc.py"
    ]
    after = snapshot(parallel)
    assert not [p for p in after if p.startswith(".coverage")]
    assert set(after) == set(before)


def test_parallel_and_xdist_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    both = make_repo(tmp_path / "both", project(XDIST, PARALLEL))
    plain = make_repo(tmp_path / "plain", project())
    _, report_plain = gate(plain, capsys)
    _, report = gate(both, capsys)
    assert figures(report) == figures(report_plain)


def test_a_run_that_stores_the_test_map_gives_the_figures_of_a_plain_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """xdist in addopts and parallel coverage, with the test map recorded beside the
    run: the same figures, and a map that names the suite's tests."""
    from qualitygate.measure import selection

    both = make_repo(tmp_path / "both", project(XDIST, PARALLEL))
    plain = make_repo(tmp_path / "plain", project())
    _, report_plain = gate(plain, capsys)
    write(both, CHANGE)
    _, report = run_json(both, "--base", "HEAD", "--no-mutation", "--select", capsys=capsys)
    assert figures(report) == figures(report_plain)
    stored = json.loads(selection.map_path(both).read_text(encoding="utf-8"))
    units = stored["files"]["app/services/calc.py"]
    assert stored["tests"] and any(tests for _, tests, _ in units.values())


PYTEST_CONFIGS = {
    "pyproject ini_options": (
        "pyproject.toml",
        '[tool.pytest.ini_options]\ntestpaths = ["checks"]\npython_files = ["check_*.py"]\n',
    ),
    "pyproject native": (
        "pyproject.toml",
        '[tool.pytest]\ntestpaths = ["checks"]\npython_files = ["check_*.py"]\n',
    ),
    "pytest.ini": ("pytest.ini", "[pytest]\ntestpaths = checks\npython_files = check_*.py\n"),
    "pytest.toml": (
        "pytest.toml",
        '[pytest]\ntestpaths = ["checks"]\npython_files = ["check_*.py"]\n',
    ),
    ".pytest.toml": (
        ".pytest.toml",
        '[pytest]\ntestpaths = ["checks"]\npython_files = ["check_*.py"]\n',
    ),
    "tox.ini": ("tox.ini", "[pytest]\ntestpaths = checks\npython_files = check_*.py\n"),
    "setup.cfg": ("setup.cfg", "[tool:pytest]\ntestpaths = checks\npython_files = check_*.py\n"),
}


@pytest.mark.parametrize("kind", list(PYTEST_CONFIGS))
def test_pytest_config_says_where_the_tests_are(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests in checks/check_*.py, as the project's pytest config says, in every file
    pytest reads; a helper module beside them is not a source to gate."""
    name, text = PYTEST_CONFIGS[kind]
    files = {k: v for k, v in project().items() if not k.startswith("tests/")}
    files["checks/check_calc.py"] = project()["tests/test_calc.py"].replace("(tag)", "()")
    files["checks/check_calc.py"] = files["checks/check_calc.py"].replace(
        'assert tag in ("master", "gw0", "gw1")\n', ""
    )
    files["checks/helpers.py"] = "def helper():\n    return 1\n"
    if name == "pyproject.toml":
        files["pyproject.toml"] += "\n" + text
    else:
        files[name] = text
    root = make_repo(tmp_path / "r", files)
    write(root, {**CHANGE, "checks/helpers.py": "def helper():\n    return 2\n"})
    code, report = run_json(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    truth = per_file(independent_coverage(root))
    assert (services(report)["statements"], services(report)["covered"]) == truth[
        "app/services/calc.py"
    ]
    assert [f["path"] for f in report["files"]] == ["app/services/calc.py"]
    assert code == 1


def test_root_level_test_py(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A flat package with its tests in one test.py at the root, named in testpaths."""
    files = {
        "pyproject.toml": '[tool.qualitygate]\nsource = ["calc"]\nmin_diff_coverage = 100\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["test.py"]\n',
        "calc/__init__.py": "def add(a, b):\n    return a + b\n",
        "test.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    }
    root = make_repo(tmp_path / "flat", files)
    write(root, {"calc/__init__.py": "def add(a, b):\n    return b + a\n"})
    code, report = run_json(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    assert code == 0, report
    assert report["files"][0]["changed_lines"] == [2]
    assert report["files"][0]["uncovered_changed_lines"] == []


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_test_that_ends_the_process_with_status_0_stops_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """os._exit(0) mid-run: coverage holds the earlier tests and pytest's exit code is 0,
    but the failing test after it never ran. That is no pass."""
    files = project()
    files["tests/test_exit.py"] = (
        "import os\n\n\ndef test_a_exit():\n    os._exit(0)\n\n\n"
        "def test_b_fails():\n    assert False\n"
    )
    root = make_repo(tmp_path / "r", files)
    write(root, CHANGE)
    code, out, err = run_cli(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    assert code == 3 and out == ""
    assert "ended before pytest finished its session" in one_error_line(err)


@pytest.mark.parametrize(
    ("addopts", "message"),
    [
        ('"--no-such-option"', "pytest rejected its command line (exit 4)"),
        ('"-k no_test_has_this_name"', "pytest collected no tests (exit 5)"),
    ],
)
def test_pytest_exits_that_are_not_failing_tests(
    addopts: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", project(f"[tool.pytest.ini_options]\naddopts = {addopts}\n"))
    write(root, CHANGE)
    code, _, err = run_cli(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    line = one_error_line(err)
    assert code == 3 and message in line and "the test suite failed" not in line


def test_a_test_module_that_cannot_import_names_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A test dependency not installed (seen on a real library): the line names the
    missing module and the test file, not only pytest's "ImportError while importing"."""
    files = project()
    files["tests/test_missing.py"] = "import time_machine_not_installed\n"
    root = make_repo(tmp_path / "r", files)
    write(root, CHANGE)
    code, _, err = run_cli(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    line = one_error_line(err)
    assert code == 3 and "No module named 'time_machine_not_installed'" in line
    assert "test_missing.py" in line


def test_a_tests_folder_that_does_not_exist_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = project()
    files["pyproject.toml"] = with_gate_key(files["pyproject.toml"], 'tests = ["tset"]')
    root = make_repo(tmp_path / "r", files)
    write(root, CHANGE)
    code, _, err = run_cli(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    line = one_error_line(err)
    assert code == 2 and "pyproject.toml" in line and "tests" in line and "'tset'" in line


MONOREPO = {
    "README.md": "a monorepo\n",
    "web/app.js": "console.log(1)\n",
    "web/tool.py": "def unrelated():\n    return 1\n",
    "backend/pyproject.toml": project()["pyproject.toml"]
    + '\n[tool.pytest.ini_options]\naddopts = "-ra"\ntestpaths = ["tests"]\n',
    "backend/settings.env": "RATE=2\n",
    **{f"backend/{k}": v for k, v in project().items() if k != "pyproject.toml"},
    # the suite reads its settings relative to the project's folder, as real ones do
    "backend/tests/test_settings.py": """
        from pathlib import Path


        def test_settings():
            assert Path("settings.env").read_text() == "RATE=2\\n"
        """,
}


@pytest.mark.parametrize("where", ["from the subfolder", "with -C"])
def test_a_project_in_a_monorepo_subfolder(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "mono", MONOREPO)
    backend = repo / "backend"
    write(backend, CHANGE)
    write(repo, {"web/tool.py": "def unrelated():\n    return 2\n"})  # outside the project
    if where == "with -C":
        code, report = run_json(backend, "--base", "HEAD", "--no-mutation", capsys=capsys)
    else:
        monkeypatch.chdir(backend)
        code = main(["check", "-q", "--base", "HEAD", "--no-mutation", "--report", "json"])
        report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["path"] for f in report["files"]] == ["app/services/calc.py"]
    assert report["files"][0]["uncovered_changed_lines"] == [12]
    truth = per_file(independent_coverage(backend))
    assert (services(report)["statements"], services(report)["covered"]) == truth[
        "app/services/calc.py"
    ]
    assert not (repo / "pyproject.toml").exists()


def test_report_and_check_give_a_layer_one_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An `__init__.py` with statements but nothing to test counts in both, as in
    coverage.py's own report."""
    files = project()
    files["app/services/__init__.py"] = "from app.services.calc import add\n\nVERSION = 1\n"
    root = make_repo(tmp_path / "p", files)
    truth = per_file(independent_coverage(root))
    services_files = [p for p in truth if p.startswith("app/services/")]
    statements = sum(truth[p][0] for p in services_files)
    covered = sum(truth[p][1] for p in services_files)
    out = tmp_path / "report.json"
    main(["report", "-C", str(root), "-q", "--report", f"json:{out}"])
    reported = services(json.loads(out.read_text()))
    _, checked = gate(root, capsys)
    layer = services(checked)
    assert (reported["statements"], reported["covered"]) == (statements, covered)
    assert (layer["statements"], layer["covered"]) == (statements, covered)
    assert reported["line_coverage"] == layer["coverage"]


def test_the_run_tells_how_far_it_is(tmp_path: Path) -> None:
    """The plugin writes "RAN COLLECTED" while pytest runs; the gate reads it to show
    '7/12 tests · 0:01'. Each test sleeps so the run outlasts a few polls."""
    from qualitygate.measure import testrun

    tests = "".join(f"def test_{i}():\n    time.sleep(0.15)\n\n" for i in range(12))
    files = {"app/__init__.py": "", "tests/test_s.py": "import time\n\n" + tests}
    root = make_repo(tmp_path / "r", files)
    before = snapshot(root)
    seen: list[tuple[int, int]] = []
    run = testrun.run_tests(
        root, sys.executable, ["app"], ["tests"], 300, on_tests=lambda r, c: seen.append((r, c))
    )
    assert run.tests_ran == 12
    assert seen and all(c == 12 and 0 <= r <= 12 for r, c in seen)
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)  # it only moves forward
    assert snapshot(root) == before  # the progress file lives in the work folder


CONTEXT_PROJECT = {
    "app/__init__.py": "",
    "app/calc.py": "def sign(x):\n    if x > 0:\n        return 1\n    return -1\n",
    "app/late.py": "def late():\n    return [n * 2 for n in range(3)]\n",
    "app/fixtures.py": """
        import pytest


        @pytest.fixture
        def resource():
            state = {"open": True}
            yield state
            state["open"] = False
        """,
    **{f"app/idle_{i}.py": f"def idle_{i}():\n    return {i}\n" for i in range(30)},
    "tests/conftest.py": "from app.fixtures import resource  # noqa: F401\n",
    "tests/test_calc.py": """
        import threading

        from app import calc
        from app import *  # noqa: F403
        import app.idle_0, app.idle_1, app.idle_2  # noqa: E401


        def test_positive(resource):
            assert calc.sign(3) == 1


        def test_negative():
            assert calc.sign(-3) == -1


        def test_in_a_thread():
            out = []
            worker = threading.Thread(target=lambda: out.append(calc.sign(0)))
            worker.start()
            worker.join()
            assert out == [-1]


        def test_imports_late(resource):
            from app.late import late

            assert late() == [0, 2, 4]
        """,
}


def test_per_test_lines_are_those_pytest_cov_records(tmp_path: Path) -> None:
    """Each test's lines, as the plugin records them, equal what pytest-cov's
    `--cov-context=test` records, phases joined: an independent measurement of the
    flush the plugin narrows to the files that ran (30 modules imported and idle)."""
    from qualitygate.measure import testrun

    files = dict(CONTEXT_PROJECT)
    call = "\n\ndef test_idle_{0}():\n    app.idle_{1}.idle_{1}()\n"
    idle = "".join(call.format(i, i % 3) for i in range(30))
    files["tests/test_calc.py"] = textwrap.dedent(files["tests/test_calc.py"]) + idle
    root = make_repo(tmp_path / "r", files)
    run = testrun.run_tests(root, sys.executable, ["app"], ["tests"], 300)
    ours = {
        Path(path).relative_to(root).as_posix(): {n: set(t) for n, t in m.contexts.items() if t}
        for path, m in run.measured.items()
        if m.contexts and any(m.contexts.values())
    }
    found = pytest_cov_contexts(root, tmp_path / "pytest-cov.coverage")
    theirs = {
        rel: {n: tests for n, tests in lines.items() if tests}
        for rel, lines in found.items()
        if any(lines.values())
    }
    assert ours == theirs
    late = {"tests/test_calc.py::test_imports_late"}
    assert ours["app/late.py"] == {1: late, 2: late}
    assert ours["app/fixtures.py"][8] == {  # teardown, in the test's own context
        "tests/test_calc.py::test_positive",
        "tests/test_calc.py::test_imports_late",
    }


def pytest_cov_contexts(root: Path, data_file: Path) -> dict[str, dict[int, set[str]]]:
    """Each file's lines and their tests, as pytest-cov's `--cov-context=test` records."""
    import coverage

    plugin = ["--cov=app", "--cov-branch", "--cov-context=test", "--cov-report="]
    env = {**os.environ, "COVERAGE_FILE": str(data_file), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin],
        cwd=root, env=env, check=True, capture_output=True,
    )  # fmt: skip
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    found: dict[str, dict[int, set[str]]] = {}
    for path in data.measured_files():
        rel = Path(path).relative_to(root).as_posix()
        for line, contexts in data.contexts_by_lineno(path).items():
            found.setdefault(rel, {})[line] = {c.rsplit("|", 1)[0] for c in contexts if c}
    return found


@pytest.mark.parametrize("watched", [["app/late.py"], ["app/calc.py", "app/fixtures.py"], []])
def test_per_test_lines_of_the_watched_files_only(tmp_path: Path, watched: list[str]) -> None:
    """A run told to attribute only some files' lines to each test records those files
    as pytest-cov's `--cov-context=test` does, and every other file with the same lines,
    the same import-time lines, and its test-time lines as run by ANY_TEST."""
    from qualitygate.measure import coverage_data, testrun

    root = make_repo(tmp_path / "r", CONTEXT_PROJECT)
    run = testrun.run_tests(root, sys.executable, ["app"], ["tests"], 300, per_test=watched)
    ours = {
        Path(path).relative_to(root).as_posix(): m.contexts
        for path, m in run.measured.items()
        if m.contexts and any(m.contexts.values())
    }
    found = pytest_cov_contexts(root, tmp_path / "pytest-cov.coverage")
    theirs = {rel: lines for rel, lines in found.items() if any(lines.values())}
    assert set(ours) == set(theirs)
    anyone = frozenset({coverage_data.ANY_TEST_NAME})
    for rel, lines in theirs.items():
        if rel in watched:
            assert ours[rel] == lines, rel
        else:
            expected = {n: anyone if tests else frozenset() for n, tests in lines.items()}
            assert ours[rel] == expected, rel
    assert run.tests_ran == 4


@pytest.mark.parametrize("core", ["ctrace", "pytrace"])
@pytest.mark.parametrize("watched", [["app/calc.py", "app/fixtures.py"], []])
def test_per_test_lines_for_the_test_map_are_those_pytest_cov_records(
    tmp_path: Path, watched: list[str], core: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the test map asked for, every file's lines come back per test, the watched
    files' through coverage's contexts and the rest through the plugin's own record,
    equal to pytest-cov's `--cov-context=test`, whichever way the tracer records arcs
    (the C tracer packs each in an int; the Python tracer keeps pairs)."""
    from qualitygate.measure import testrun

    monkeypatch.setenv("COVERAGE_CORE", core)
    root = make_repo(tmp_path / "r", CONTEXT_PROJECT)
    run = testrun.run_tests(
        root, sys.executable, ["app"], ["tests"], 300, per_test=watched, test_map=True
    )
    ours = {
        Path(path).relative_to(root).as_posix(): {n: set(t) for n, t in m.contexts.items()}
        for path, m in run.measured.items()
        if m.contexts  # a file never imported has no lines
    }
    assert ours == pytest_cov_contexts(root, tmp_path / "pytest-cov.coverage")
    assert ours["app/calc.py"][4] == {
        "tests/test_calc.py::test_negative",
        "tests/test_calc.py::test_in_a_thread",
    }


def test_per_test_lines_that_coverage_does_not_write_stop_the_gate(tmp_path: Path) -> None:
    """Fault injected: a test leaves coverage's flush doing nothing, so the watched
    file's per-test lines cannot be written back. An error, never figures without them."""
    from qualitygate.errors import ToolError
    from qualitygate.measure import testrun

    files = {
        "app/__init__.py": "",
        "app/calc.py": CONTEXT_PROJECT["app/calc.py"],
        "tests/test_calc.py": (
            "import coverage.collector\n\nfrom app.calc import sign\n\n\n"
            "def test_sign():\n    assert sign(2) == 1\n\n\n"
            "def test_breaks_the_flush():\n    assert sign(-2) == -1\n"
            "    coverage.collector.Collector.flush_data = lambda self: False\n"
        ),
    }
    root = make_repo(tmp_path / "r", files)
    with pytest.raises(ToolError, match="per-test coverage was not written"):
        testrun.run_tests(root, sys.executable, ["app"], ["tests"], 300, per_test=["app/calc.py"])


FORKING_TESTS = """
import os

from app import calc


def test_a_forks():
    pid = os.fork()
    if pid == 0:
        assert calc.sign(5) == 1
        {child_ends}
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_b_negative():
    assert calc.sign(-3) == -1


def test_c_positive():
    assert calc.sign(3) == 1
"""


def forking_project(tmp_path: Path, child_ends: str) -> Path:
    files = {"app/__init__.py": "", "app/calc.py": CONTEXT_PROJECT["app/calc.py"]}
    tests = FORKING_TESTS.replace("{child_ends}", child_ends)
    return make_repo(tmp_path / "r", {**files, "tests/test_fork.py": tests})


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("per_test", [None, ["app/calc.py"]])
def test_a_forked_child_leaves_every_test_its_lines(
    tmp_path: Path, per_test: list[str] | None
) -> None:
    """The plugin keeps coverage's data file open from one test to the next, across a
    test that forks a worker (as multiprocessing does): every later test keeps its
    context and lines, whether every file is measured per test or only calc.py."""
    from qualitygate.measure import testrun

    root = forking_project(tmp_path, "os._exit(0)")
    run = testrun.run_tests(root, sys.executable, ["app"], ["tests"], 300, per_test=per_test)
    calc = next(m for path, m in run.measured.items() if path.endswith("calc.py"))
    assert calc.contexts is not None
    assert calc.contexts[3] == {"tests/test_fork.py::test_c_positive"}
    assert calc.contexts[4] == {"tests/test_fork.py::test_b_negative"}
    assert run.tests_ran == 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_that_runs_the_suite_again_stops_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A child that returns into pytest runs the rest of the suite into the same data,
    which then holds neither run whole: an error, never figures."""
    root = forking_project(tmp_path, "return")
    write(root, {"app/calc.py": CONTEXT_PROJECT["app/calc.py"] + "\n\nZERO = 0\n"})
    code, out, err = run_cli(root, "--base", "HEAD", "--no-mutation", capsys=capsys)
    assert code == 3 and out == ""
    assert "forked a child that went on running the suite" in one_error_line(err)


def test_the_plugin_holds_nothing_where_coverage_looks_otherwise() -> None:
    """Fault injection: a coverage whose data has no SqliteDb behind `_connect` (or no
    `_connect` at all) keeps its own switch; the plugin holds nothing and raises nothing."""
    from qualitygate.measure import pytest_plugin as plugin

    class Data:
        def _connect(self) -> object:
            return object()

    class Collector:
        def __init__(self, covdata: object) -> None:
            self.covdata = covdata

    for collector in (Collector(Data()), Collector(object())):
        plugin._keep_open(collector)
        assert "held" not in plugin._state


TWO_TESTS_ONE_LINE = {
    "app/__init__.py": "",
    "app/calc.py": CONTEXT_PROJECT["app/calc.py"],
    "tests/test_calc.py": (
        "from app.calc import sign\n\n\n"
        "def test_one():\n    assert sign(-1) == -1\n\n\n"
        "def test_two():\n    assert sign(-2) == -1\n"
    ),
}


@pytest.mark.parametrize("asked", ["COVERAGE_CORE", ".coveragerc", "pytrace"])
def test_a_project_that_asks_for_sys_monitoring_still_has_every_test_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked: str
) -> None:
    """sys.monitoring (Python 3.14's default core, or the project's choice) reports a line
    once a run: a second test reaching it would go unseen in the per-test figures. The run
    asks coverage for its C tracer instead, or keeps the Python one a project chose."""
    from qualitygate.measure import testrun

    files = dict(TWO_TESTS_ONE_LINE)
    if asked == ".coveragerc":
        files[".coveragerc"] = "[run]\ncore = sysmon\n"
    else:
        monkeypatch.setenv("COVERAGE_CORE", "sysmon" if asked == "COVERAGE_CORE" else asked)
    root = make_repo(tmp_path / "r", files)
    run = testrun.run_tests(root, sys.executable, ["app"], ["tests"], 300, per_test=["app/calc.py"])
    both = {"tests/test_calc.py::test_one", "tests/test_calc.py::test_two"}
    assert set(run.measured[str(root / "app" / "calc.py")].contexts[4]) == both
    assert run.facts.core == ("pytrace" if asked == "pytrace" else "ctrace")
    work = testrun._Work(tmp_path, root)  # the child's environment, whatever the user's
    assert work.env(core=run.facts.core)["COVERAGE_CORE"] == run.facts.core


def test_a_run_measured_with_sys_monitoring_stops_the_gate(tmp_path: Path) -> None:
    """Fault injected (no Python 3.14 here): coverage says its tracer is sys.monitoring's
    although it was asked for another. An error, never per-test figures that miss tests."""
    from qualitygate.errors import ToolError
    from qualitygate.measure import testrun

    files = dict(TWO_TESTS_ONE_LINE)
    files["tests/conftest.py"] = (
        "import coverage.collector\n\n"
        "coverage.collector.Collector.tracer_name = lambda self: 'SysMonitor'\n"
    )
    root = make_repo(tmp_path / "r", files)
    with pytest.raises(ToolError, match=r"sys\.monitoring"):
        testrun.run_tests(root, sys.executable, ["app"], ["tests"], 300, per_test=["app/calc.py"])
