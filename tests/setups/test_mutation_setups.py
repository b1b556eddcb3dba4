"""The mutation phase on real setups: xdist fixtures, generated git-ignored modules,
pytest_args, a src layout. Each compares verdicts with the same project set up plainly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qualitygate.main import main
from tests.conftest import run_cli, run_json
from tests.fixtures import commit, make_repo, write
from tests.setups.projects import CHANGE, XDIST, project, with_gate_key

pytestmark = pytest.mark.slow

MUTATION = "\n[tool.qualitygate.layers.services]\nmin_mutation_score = 10\n"


def verdicts(report: dict) -> list[tuple[int, str, str]]:
    return sorted(
        (m["line"], m["status"], m["diff"]) for f in report["files"] for m in f["mutants"]
    )


def mutation_project(*parts: str) -> dict[str, str]:
    files = project(*parts)
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        "min_coverage = 50\n", "min_coverage = 50\nmin_mutation_score = 10\n"
    )
    return files


def test_xdist_fixtures_work_in_the_mutation_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """worker_id comes from xdist: the mutation phase must keep the plugin, inactive."""
    plain = make_repo(tmp_path / "plain", mutation_project())
    xdist = make_repo(tmp_path / "xdist", mutation_project(XDIST))
    for root in (plain, xdist):
        write(root, CHANGE)
    code_plain, plain_report = run_json(plain, "--base", "HEAD", capsys=capsys)
    code_xdist, xdist_report = run_json(xdist, "--base", "HEAD", capsys=capsys)
    assert verdicts(xdist_report) == verdicts(plain_report)
    assert verdicts(xdist_report), "the change has mutants"
    assert code_xdist == code_plain


SCM_PYPROJECT = """
[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "scmpkg"
dynamic = ["version"]

[tool.setuptools_scm]
version_file = "src/scmpkg/_version.py"

[tool.qualitygate]
source = ["src"]
min_diff_coverage = 50

[tool.qualitygate.layers.core]
paths = ["src/scmpkg/**"]
min_mutation_score = 10

[tool.pytest.ini_options]
pythonpath = ["src"]
"""

SCM_FILES = {
    "pyproject.toml": SCM_PYPROJECT,
    ".gitignore": "src/scmpkg/_version.py\n",
    "src/scmpkg/__init__.py": "from scmpkg._version import version\n\n__all__ = ['version']\n",
    "src/scmpkg/size.py": "def big(n):\n    return n > 10\n",
    "tests/test_size.py": textwrap.dedent(
        """
        import scmpkg
        from scmpkg.size import big


        def test_big():
            assert scmpkg.version
            assert big(20) and not big(1)
        """
    ),
}


def write_version_file(root: Path) -> None:
    """What `pip install -e .` or a build does in a hatch-vcs or setuptools-scm project."""
    from setuptools_scm import get_version

    get_version(
        root=".", relative_to=str(root / "pyproject.toml"), version_file="src/scmpkg/_version.py"
    )


def test_a_generated_ignored_module_is_in_the_mutation_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "scm", SCM_FILES)
    write_version_file(root)
    assert (root / "src/scmpkg/_version.py").is_file()
    tracked = {**SCM_FILES, ".gitignore": ""}
    plain = make_repo(tmp_path / "tracked", tracked)
    write_version_file(plain)
    commit(plain, "version file tracked")
    for r in (root, plain):
        write(r, {"src/scmpkg/size.py": "def big(n):\n    return n >= 10\n"})
    code, report = run_json(root, "--base", "HEAD", capsys=capsys)
    _, plain_report = run_json(plain, "--base", "HEAD", capsys=capsys)
    assert verdicts(report) == verdicts(plain_report)
    assert any(status == "survived" for _, status, _ in verdicts(report))  # 10 is untested
    assert code == 1  # no test checks n == 10: both boundary mutants survive


def test_workspace_include_brings_other_ignored_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data file a build step writes into an ignored folder, which the tests read."""
    files = mutation_project()
    files[".gitignore"] = "generated/\n"
    files["tests/test_data.py"] = (
        "from pathlib import Path\n\n\ndef test_data():\n"
        "    assert Path('generated/data.txt').read_text() == 'ok'\n"
    )
    root = make_repo(tmp_path / "r", files)
    write(root, {"generated/data.txt": "ok", **CHANGE})
    _, report = run_json(root, "--base", "HEAD", capsys=capsys)
    # it reaches no changed function: the mutants' runs never run it, nothing is left out
    assert report["excluded_tests"] == []
    files["tests/test_data.py"] = (
        "from pathlib import Path\n\nfrom app.services.calc import add\n\n\n"
        "def test_data():\n    assert add(1, 2) == 3\n"
        "    assert Path('generated/data.txt').read_text() == 'ok'\n"
    )
    write(root, {"tests/test_data.py": files["tests/test_data.py"]})
    _, report = run_json(root, "--base", "HEAD", capsys=capsys)
    # passes in the user's tree, fails in the copy without the ignored file: left out, named
    assert report["excluded_tests"] == ["tests/test_data.py::test_data"]
    # the same test, parametrised with ids that need care on a command line
    write(
        root,
        {
            "tests/test_data.py": (
                "from pathlib import Path\nimport pytest\n\n"
                "from app.services.calc import add\n\n\n"
                "@pytest.mark.parametrize('name', ['a b', 'c/d', 'e::f'])\n"
                "def test_data(name):\n    assert add(1, 2) == 3\n"
                "    assert Path('generated/data.txt').read_text() == 'ok'\n"
            )
        },
    )
    _, report = run_json(root, "--base", "HEAD", capsys=capsys)
    assert report["excluded_tests"] == [
        f"tests/test_data.py::test_data[{name}]" for name in ("a b", "c/d", "e::f")
    ]
    pyproject = (root / "pyproject.toml").read_text()
    write(
        root,
        {"pyproject.toml": with_gate_key(pyproject, 'workspace_include = ["generated/**"]')},
    )
    commit(root, "include generated files, with the change")
    _, report = run_json(root, "--base", "HEAD~1", capsys=capsys)
    assert report["excluded_tests"] == [] and verdicts(report)


def test_pytest_args_reach_the_mutation_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A suite whose slow tests are left out by pytest_args is left out under mutmut too."""
    files = mutation_project()
    files["pyproject.toml"] = with_gate_key(
        files["pyproject.toml"], 'pytest_args = ["-m", "not broken"]'
    )
    files["pyproject.toml"] += '\n[tool.pytest.ini_options]\nmarkers = ["broken: never run"]\n'
    files["tests/test_broken.py"] = (
        "import pytest\n\n\n@pytest.mark.broken\ndef test_broken():\n    assert False\n"
    )
    root = make_repo(tmp_path / "r", files)
    write(root, CHANGE)
    code, report = run_json(root, "--base", "HEAD", capsys=capsys)
    assert report["excluded_tests"] == [] and verdicts(report)
    assert code in (0, 1)


PRODUCT_TEST = """
import itertools

import pytest

from app.services.calc import add

CASES = itertools.product([1, 2], [3])


@pytest.mark.parametrize(("a", "b"), CASES)
def test_add_cases(a, b):
    assert add(a, b) == a + b
"""


def test_parametrize_over_an_iterator_gives_the_verdicts_of_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """parametrize over an iterator (structlog's suite does): mutmut collects twice in one
    process, and its second collection would find no cases (plain mutmut counts false
    kills). The values are kept as the first collection read them: the same verdicts as
    the same suite written with a list."""
    verdicts_of = []
    for name, cases in [("iterator", "CASES"), ("list", "list(CASES)")]:
        files = mutation_project()
        files["tests/test_product.py"] = PRODUCT_TEST.replace('"b"), CASES)', f'"b"), {cases})')
        root = make_repo(tmp_path / name, files)
        write(root, CHANGE)
        code, report = run_json(root, "--base", "HEAD", capsys=capsys)
        assert code in (0, 1) and report["excluded_tests"] == []
        verdicts_of.append((code, verdicts(report)))
    assert verdicts_of[0] == verdicts_of[1] and verdicts_of[0][1]
    assert "list(CASES)" not in PRODUCT_TEST


GENERATED_CASES = """
from app.services.calc import add

CASES = iter([(1, 3), (2, 3)])


def pytest_generate_tests(metafunc):
    if "a" in metafunc.fixturenames:
        metafunc.parametrize(("a", "b"), list(CASES))


def test_add_cases(a, b):
    assert add(a, b) == a + b
"""


def test_a_collection_that_differs_between_runs_is_named_with_its_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cases made by the test module's pytest_generate_tests from the module's iterator:
    mutmut's second collection in the same process finds none (the module is imported
    once). The gate must stop and say which test and why."""
    files = mutation_project()
    files["tests/test_generated.py"] = GENERATED_CASES
    root = make_repo(tmp_path / "r", files)
    write(root, CHANGE)
    code, out, err = run_cli(root, "--base", "HEAD", capsys=capsys)
    lines = err.strip().splitlines()
    assert code == 3 and out == "" and len(lines) == 1, err
    assert "tests/test_generated.py::test_add_cases: collected differently" in lines[0]
    assert "pytest_generate_tests" in lines[0] and "from a list" in lines[0]
    assert len(lines[0]) < 700


def test_keep_workspace_and_verbose_show_what_mutmut_ran_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", mutation_project())
    write(root, CHANGE)
    code = main(["check", "-C", str(root), "--base", "HEAD", "--keep-workspace", "--verbose"])
    _, err = capsys.readouterr()
    kept = [line for line in err.splitlines() if "Keeping the mutation workspace: " in line]
    assert code in (0, 1) and len(kept) == 1
    workspace = Path(kept[0].split("workspace: ", 1)[1].strip())
    try:
        assert (workspace / "app/services/calc.py").read_text() == (
            root / "app/services/calc.py"
        ).read_text()
        assert "$ " in err and "mutmut" in err  # the tools' commands and their own output
    finally:
        shutil.rmtree(workspace.parent)


def test_no_cache_runs_every_mutant_and_keeps_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", mutation_project())
    write(root, CHANGE)
    _, first = run_json(root, "--base", "HEAD", capsys=capsys)
    _, cached = run_json(root, "--base", "HEAD", capsys=capsys)
    cache = root / ".git" / "qualitygate"
    before = sorted(p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file())
    _, fresh = run_json(root, "--base", "HEAD", "--no-cache", capsys=capsys)
    assert first["mutants_executed"] > 0 and cached["mutants_executed"] == 0
    assert fresh["mutants_executed"] == first["mutants_executed"]
    assert all(m["cached"] for f in cached["files"] for m in f["mutants"])
    assert not any(m["cached"] for f in fresh["files"] for m in f["mutants"])
    assert verdicts(fresh) == verdicts(first)
    assert sorted(p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()) == before


FACTORY = """
    def make_scaler(factor):
        def scale(x):
            return x * factor
        return scale


    DOUBLE = make_scaler(2)


    def ratio(a, b):
        if b == 0:
            return a - 1
        return a / b
    """
FACTORY_TESTS = """
    from app.services.calc import DOUBLE, ratio


    def test_double():
        assert DOUBLE(3) == 6


    def test_ratio():
        assert ratio(4, 2) == 2
    """
FACTORY_CHANGE = FACTORY.replace("x * factor", "factor * x").replace("a - 1", "a - 2")


def plain_mutmut_statuses(root: Path, work: Path, path: str) -> dict[int, set[str]]:
    """line -> the statuses plain `mutmut run` gives the mutants of `path` (a copy)."""
    from benchmarks.mutation import plain_mutmut

    _, found = plain_mutmut(root, work, [path], [])
    by_line: dict[int, set[str]] = {}
    for (_, line, _), status in found.items():
        by_line.setdefault(line, set()).add(status)
    return by_line


def test_mutants_of_a_closure_built_at_import_time_are_not_testable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """make_scaler runs only at import time; test_double would kill a mutant of `scale`,
    but mutmut can never switch it on: plain mutmut calls it survived."""
    files = mutation_project()
    files["app/services/calc.py"] = FACTORY
    files["tests/test_calc.py"] = FACTORY_TESTS
    root = make_repo(tmp_path / "r", files)
    write(root, {"app/services/calc.py": FACTORY_CHANGE})
    code, report = run_json(root, "--base", "HEAD", capsys=capsys)
    (result,) = report["files"]
    assert code == 1  # the uncovered line 12 fails diff coverage
    assert [m["line"] for m in result["mutants"] if m["line"] == 3] == []
    (closure,) = [n for n in result["not_mutation_testable"] if n["line"] == 3]
    assert "only at import time" in closure["reason"]
    # One source for "run by": the uncovered line 12 has no tests, whatever mutmut's
    # per-function statistics say about ratio().
    uncovered = [m for m in result["mutants"] if m["line"] == 12]
    assert uncovered and all(m["status"] == "no_tests" and m["tests"] == [] for m in uncovered)
    assert result["uncovered_changed_lines"] == [12]
    plain = plain_mutmut_statuses(root, tmp_path / "plain", "app/services/calc.py")
    assert plain[3] == {"survived"}  # the false survivor qualitygate no longer reports


def test_only_import_time_mutants_start_no_mutmut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every changed line in an import-time factory: mutmut would stop with 'Unable to force
    test failures'; the gate reports the lines and runs no mutant."""
    files = mutation_project()
    files["app/services/calc.py"] = FACTORY
    files["tests/test_calc.py"] = FACTORY_TESTS
    root = make_repo(tmp_path / "r", files)
    write(root, {"app/services/calc.py": FACTORY.replace("x * factor", "factor * x")})
    code, report = run_json(root, "--base", "HEAD", capsys=capsys)
    (result,) = report["files"]
    assert code == 0 and result["mutants"] == [] and report["mutants_executed"] == 0
    assert [n["line"] for n in result["not_mutation_testable"]] == [3]


DEPTH_TEST = """
import inspect
import os

from app.services.calc import add


def test_shallow_stack():
    assert add(1, 2) == 3  # it reaches the change, so the mutants' runs run it
    depth = len(inspect.stack())
    if os.environ.get("DEPTH_FILE"):
        with open(os.environ["DEPTH_FILE"], "w") as out:
            out.write(str(depth))
    assert depth <= LIMIT, depth
"""


def test_a_test_that_fails_only_in_mutmuts_own_process_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stack-depth assertion passes under pytest, in the user's tree and in any pytest run
    of the copy, and fails only in mutmut's in-process stats run, whose stack is deeper.
    mutmut's traced failure is what finds it."""
    files = mutation_project()
    files["tests/test_depth.py"] = DEPTH_TEST.replace("LIMIT", "10_000")
    root = make_repo(tmp_path / "r", files)
    depth_file = tmp_path / "depth.txt"
    run = [sys.executable, "-m", "coverage", "run", f"--data-file={tmp_path / 'data'}"]
    subprocess.run(
        [*run, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_depth.py"],
        cwd=root, env={**os.environ, "DEPTH_FILE": str(depth_file)}, check=True,
        capture_output=True, timeout=600,
    )  # fmt: skip
    # the depth under coverage's runner, as qualitygate's coverage run has it, plus room;
    # mutmut's stats run is deeper by its own frames
    limit = int(depth_file.read_text()) + 3
    write(root, {"tests/test_depth.py": DEPTH_TEST.replace("LIMIT", str(limit))})
    commit(root, "a stack-depth limit")
    write(root, CHANGE)
    code, report = run_json(root, "--base", "HEAD", capsys=capsys)
    assert report["excluded_tests"] == ["tests/test_depth.py::test_shallow_stack"]
    assert code in (0, 1) and verdicts(report)


SPIN = """
import time


def wait(seconds):
    time.sleep(seconds)
    return seconds


def work(x):
    return wait(3 * (x - 1))
"""
SPIN_TEST = """
from app.services.spin import work


def test_work_runs():
    work(1)
"""


def test_a_timeout_is_retried_with_twice_the_limit_before_it_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mutmut stops a mutant after (its tests' time + 4 s) here. The mutant `x + 1` sleeps
    6 s, so it times out and would count as detected; with twice the limit (8 s) it
    finishes, and no test notices it: a survivor, as on an unloaded machine. Sleeping
    costs no CPU, so a loaded machine does not move these margins."""
    files = mutation_project()
    files["pyproject.toml"] += "\n[tool.mutmut]\ntimeout_multiplier = 1.0\ntimeout_constant = 4.0\n"
    root = make_repo(tmp_path / "r", files)
    write(root, {"app/services/spin.py": SPIN, "tests/test_spin.py": SPIN_TEST})
    _, report = run_json(root, "--base", "HEAD", "--no-cache", capsys=capsys)
    (spin,) = [f for f in report["files"] if f["path"] == "app/services/spin.py"]
    slow = [m for m in spin["mutants"] if "(x + 1)" in m["diff"]]
    assert [m["status"] for m in slow] == ["survived"], spin["mutants"]


def test_a_package_the_test_tools_import_themselves_stops_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pluggy's own repository: pytest imports the package before any test runs, so the
    tests call that copy and never a mutant; every mutant would read "no tests" (a 0%
    score, a failure with the wrong reason). Here the package is named like iniconfig,
    which pytest imports too. The gate must stop and say why."""
    files = {
        "pyproject.toml": (
            '[tool.qualitygate]\nsource = ["src"]\nmin_diff_coverage = 0\n\n'
            '[tool.qualitygate.layers.lib]\npaths = ["src/**"]\nmin_mutation_score = 10\n'
        ),
        "src/iniconfig/__init__.py": "def twice(x):\n    return x * 2\n",
        "tests/test_it.py": "import iniconfig\n\n\ndef test_imports():\n    assert iniconfig\n",
    }
    root = make_repo(tmp_path / "r", files)
    write(root, {"src/iniconfig/__init__.py": "def twice(x):\n    return x * 3\n"})
    code, out, err = run_cli(root, "--base", "HEAD", capsys=capsys)
    lines = err.strip().splitlines()
    assert code == 3 and out == "" and len(lines) == 1, err
    assert lines[0].startswith("qualitygate: error: iniconfig: imported by pytest"), err
