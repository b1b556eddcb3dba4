"""Run the project's tests under coverage, in the project's own interpreter.

Branch coverage is on and every line records the tests that ran it: a small
pytest plugin switches coverage's context to the test's node id around each
test, so lines run at import time stay under the empty context. Everything
qualitygate writes (data file, JUnit XML, the plugin) goes to a temporary
folder outside the repository; bytecode is not written and pytest's cache is
off, so the working tree is left as it was.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualitygate import process
from qualitygate.errors import TestsFailedError, ToolError
from qualitygate.measure.coverage_data import Measured, read_sqlite

PLUGIN_NAME = "_qualitygate_contexts"
PLUGIN = """
import coverage
import pytest


def _switch(name):
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _switch(item.nodeid + "|setup")
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _switch(item.nodeid + "|run")
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    _switch(item.nodeid + "|teardown")
    yield
    _switch("")
"""
PROBE = (
    "import importlib.util as u, sys; "
    "missing = [m for m in ('coverage', 'pytest') if u.find_spec(m) is None]; "
    "print(','.join(missing)); print(int(u.find_spec('pytest_cov') is not None))"
)
NO_TESTS = 5


ISOLATED_HINT = (
    "the tests ran in pre-commit's own environment, which lacks the project's packages: "
    "set python in [tool.qualitygate] or pass --python .venv/bin/python"
)


def _in_pre_commit_env(python: str) -> bool:
    """True when the interpreter is one pre-commit made for qualitygate's own hook."""
    return f"{os.sep}pre-commit{os.sep}" in str(Path(python).absolute())


@dataclass(frozen=True)
class TestRun:
    __test__ = False

    measured: dict[str, Measured]
    seconds: float


def _probe(python: str, root: Path) -> bool:
    """Check the interpreter has coverage and pytest; True when pytest-cov is there."""
    done = process.run([python, "-c", PROBE], cwd=root, timeout=60, what="the project's python")
    if done.returncode != 0:
        raise ToolError(
            f"cannot run the project's python {python}: {done.stderr.strip()[-200:]}",
            "set python in [tool.qualitygate] or pass --python",
        )
    missing, has_cov = done.stdout.split("\n")[:2]
    if missing:
        raise ToolError(
            f"{missing.replace(',', ' and ')} not installed for {python}",
            f"{python} -m pip install {missing.replace(',', ' ')}",
        )
    return has_cov.strip() == "1"


def failed_tests(output: str) -> list[str]:
    """Node ids from pytest's short summary (`-rfE`): FAILED and ERROR lines."""
    failed = []
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            failed.append(line.split(" ", 1)[1].split(" - ", 1)[0].strip())
    return failed


def command(
    python: str,
    work: Path,
    source: Sequence[Path],
    tests: Sequence[str],
    has_cov: bool,
    extra: Sequence[str] = (),
) -> list[str]:
    args = [python, "-m", "coverage", "run", "--branch", f"--data-file={work / '.coverage'}"]
    if source:
        args.append("--source=" + ",".join(str(s) for s in source))
    args += [
        "-m",
        "pytest",
        *tests,
        "-p",
        PLUGIN_NAME,
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
        "-rfE",
        *extra,
    ]
    return [*args, "--no-cov"] if has_cov else args


def run_tests(
    root: Path,
    python: str,
    source: Sequence[str],
    tests: Sequence[str],
    timeout: float,
    pytest_args: Sequence[str] = (),
) -> TestRun:
    """Run the suite once under coverage; a red suite raises TestsFailedError."""
    has_cov = _probe(python, root)
    with tempfile.TemporaryDirectory(prefix="qualitygate-") as tmp:
        work = Path(tmp)
        (work / f"{PLUGIN_NAME}.py").write_text(PLUGIN)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (tmp, env.get("PYTHONPATH", "")) if p)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("COVERAGE_PROCESS_START", None)
        started = time.monotonic()
        args = command(python, work, [root / s for s in source], tests, has_cov, pytest_args)
        done = process.run(args, cwd=root, timeout=timeout, env=env, what="pytest")
        seconds = time.monotonic() - started
        if done.returncode == NO_TESTS:
            raise ToolError(
                f"pytest collected no tests in {', '.join(tests)}",
                "set tests in [tool.qualitygate] to your test folders",
            )
        if done.returncode != 0:
            failed = failed_tests(done.stdout)
            if _in_pre_commit_env(python):
                raise TestsFailedError(failed, hint=ISOLATED_HINT)
            tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
            raise TestsFailedError(failed, f"pytest exit {done.returncode}: {tail[0][:200]}")
        data = work / ".coverage"
        if not data.is_file():
            raise ToolError("coverage wrote no data", "check the coverage settings of the project")
        return TestRun(read_sqlite(data), seconds)
