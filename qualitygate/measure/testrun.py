"""Run the project's tests under coverage, in the project's own interpreter.

First pytest itself is asked what it would do (`pytest_plugin`'s facts:
rootdir, testpaths, which plugins are active), before it collects anything.
Then the suite runs once under `coverage run --branch` with the same plugin,
which records each test's lines as a coverage context and writes a record
when the session really ends. What real projects put in their config is
handled here:

- xdist in `addopts` (`-n 4`): coverage would measure only the controller,
  so the run adds `-n 0`, which keeps xdist's `worker_id` fixture ("master");
- pytest-cov in `addopts`: `--no-cov`, so only our coverage measures;
- `[tool.coverage.run] parallel = true`: the data comes as `.coverage.*`
  files, which are combined through coverage's API.

Everything qualitygate writes (data file, records, the plugin) goes to a
temporary folder outside the repository; bytecode is not written and
pytest's cache is off, so the working tree is left as it was.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualitygate import process
from qualitygate.errors import TestsFailedError, ToolError
from qualitygate.measure.coverage_data import (
    Measured,
    combine_parallel,
    read_sqlite,
    with_test_lines,
)

if TYPE_CHECKING:
    from qualitygate.measure.selection import Selection

PLUGIN_NAME = "_qualitygate_pytest"
PYTEST_EXIT = {
    2: "pytest was interrupted",
    3: "pytest had an internal error",
    4: "pytest rejected its command line",
    5: "pytest collected no tests",
}
ISOLATED_HINT = (
    "the tests ran in pre-commit's own environment, which lacks the project's packages: "
    "set python in [tool.qualitygate] or pass --python .venv/bin/python"
)
NO_CONTEXT = "the tests ran but coverage recorded no line under any test"
NO_CONTEXT_HINT = (
    "something ran the tests outside the measured process (a plugin that forks or "
    "distributes tests, a runner wrapper in addopts): check pytest's addopts and plugins"
)


def _in_pre_commit_env(python: str) -> bool:
    """True when the interpreter is one pre-commit made for qualitygate's own hook."""
    return f"{os.sep}pre-commit{os.sep}" in str(Path(python).absolute())


@dataclass(frozen=True)
class PytestFacts:
    """What pytest resolved for the project, as its own config API reports it."""

    rootdir: str
    inifile: str | None
    testpaths: tuple[str, ...]
    python_files: tuple[str, ...]
    xdist: bool
    pytest_cov: bool
    environment: str = ""  # the interpreter and its installed distributions, hashed
    core: str = "pytrace"  # coverage's tracer for the measured run: ctrace where it was built

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PytestFacts:
        return cls(
            rootdir=str(data["rootdir"]),
            inifile=data.get("inifile"),
            testpaths=tuple(data.get("testpaths") or ()),
            python_files=tuple(data.get("python_files") or ()),
            xdist=bool(data.get("xdist")),
            pytest_cov=bool(data.get("pytest_cov")),
            environment=str(data.get("environment") or ""),
            core="ctrace" if data["core"] == "ctrace" else "pytrace",  # missing: ask again
        )


@dataclass(frozen=True)
class TestRun:
    __test__ = False

    measured: dict[str, Measured]
    seconds: float
    facts: PytestFacts
    tests_ran: int
    test_files: frozenset[str] = frozenset()  # the files of the tests that ran
    durations: Mapping[str, float] = field(default_factory=dict)  # test id -> call seconds


def _durations(session: Mapping[str, Any] | None) -> dict[str, float]:
    """Each test's call time from the run's record; a value that is not a finite,
    non-negative number leaves the whole record out (then nothing is seeded from it)."""
    found = (session or {}).get("durations")
    if not isinstance(found, dict):
        return {}
    durations: dict[str, float] = {}
    for test, seconds in found.items():
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            return {}
        durations[str(test)] = float(seconds)
    return durations


def failed_tests(output: str) -> list[str]:
    """Node ids from pytest's short summary (`-rfE`): FAILED and ERROR lines."""
    failed = []
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            failed.append(line.split(" ", 1)[1].split(" - ", 1)[0].strip())
    return failed


IMPORTING = "ImportError while importing test module"
ERROR_STARTS = ("ERROR:", "E   ", "ImportError", "ModuleNotFoundError", "INTERNALERROR>")


def error_line(output: str) -> str:
    """pytest's own words for why it stopped: the command-line complaint (`...: error: `),
    else its first `ERROR:` line, else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if ": error: " in line:
            return line.split(": error: ", 1)[1][:300]
    for at, line in enumerate(lines):
        if line.startswith(IMPORTING):  # the error itself is on an `E   ` line after it
            why = next((n for n in lines[at + 1 :] if n.startswith("E   ")), "")
            if why:
                module = line.removeprefix(IMPORTING).strip(" '.")
                return f"{why.removeprefix('E   ')} (importing {module})"[:300]
    for line in lines:
        if line.startswith(ERROR_STARTS) and not line.startswith("ERROR: usage:"):
            return line.removeprefix("E   ")[:300]
    return lines[-1][:300] if lines else "no output"


class _Work:
    """The temporary folder of one run: the plugin, the records, the coverage data."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path, self.root = path, root
        shutil.copyfile(Path(__file__).with_name("pytest_plugin.py"), path / f"{PLUGIN_NAME}.py")

    def env(self, facts_only: bool = False, core: str = "") -> dict[str, str]:
        """The child's environment. `core`: coverage's tracer for the measured run, as
        the facts chose it (never sys.monitoring: see the plugin's `_core`)."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.path), env.get("PYTHONPATH")) if p)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["QUALITYGATE_WORK"] = str(self.path)
        env["COVERAGE_FILE"] = str(self.path / ".coverage")  # stray data stays out of the tree
        env.pop("COVERAGE_PROCESS_START", None)
        env.pop("QUALITYGATE_FACTS_ONLY", None)
        env.pop("QUALITYGATE_SELECT", None)
        env.pop("QUALITYGATE_PER_TEST", None)
        env.pop("QUALITYGATE_MAP", None)
        if core:
            env["COVERAGE_CORE"] = core
        if facts_only:
            env["QUALITYGATE_FACTS_ONLY"] = "1"
        return env

    def record(self, name: str) -> dict[str, Any] | None:
        path = self.path / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def pytest_args(tests: Sequence[str], extra: Sequence[str]) -> list[str]:
    return ["-p", PLUGIN_NAME, "-p", "no:cacheprovider", *extra, *tests]


def ask_pytest(
    root: Path, python: str, tests: Sequence[str], extra: Sequence[str], timeout: float
) -> PytestFacts:
    """pytest's resolved config for this project, from a run that stops before collecting."""
    with tempfile.TemporaryDirectory(prefix="qualitygate-") as tmp:
        work = _Work(Path(tmp), root)
        args = [python, "-m", "pytest", *pytest_args(tests, extra)]
        done = process.run(
            args, cwd=root, timeout=timeout, env=work.env(True), what="the project's pytest"
        )
        facts = work.record("facts.json")
    output = done.stdout + done.stderr
    if facts is None:
        if "No module named pytest" in output:
            raise ToolError(f"pytest not installed for {python}", f"{python} -m pip install pytest")
        if done.returncode in PYTEST_EXIT:
            raise ToolError(
                f"{PYTEST_EXIT[done.returncode]} (exit {done.returncode}): {error_line(output)}",
                "check pytest's config (addopts) and pytest_args in [tool.qualitygate]",
            )
        raise ToolError(
            f"pytest could not start for {python}: {error_line(output)}",
            "set python in [tool.qualitygate] or pass --python, and check pytest's config",
        )
    if not facts.get("coverage"):
        raise ToolError(f"coverage not installed for {python}", f"{python} -m pip install coverage")
    return PytestFacts.from_json(facts)


def command(
    python: str,
    work: Path,
    source: Sequence[Path],
    tests: Sequence[str],
    facts: PytestFacts,
    extra: Sequence[str] = (),
) -> list[str]:
    args = [python, "-m", "coverage", "run", "--branch", f"--data-file={work / '.coverage'}"]
    if source:
        args.append("--source=" + ",".join(str(s) for s in source))
    options = [*extra, "-q", "--no-header", "-rfE"]
    if facts.xdist:
        options += ["-n", "0"]  # one process that coverage measures; worker_id stays
    if facts.pytest_cov:
        options.append("--no-cov")
    return [*args, "-m", "pytest", *pytest_args(tests, options)]


def _check_exit(returncode: int, output: str, python: str, session: dict[str, Any] | None) -> None:
    if returncode == 1:
        failed = failed_tests(output)
        if _in_pre_commit_env(python):
            raise TestsFailedError(failed, hint=ISOLATED_HINT)
        raise TestsFailedError(failed, f"pytest exit 1: {error_line(output)}")
    if returncode in PYTEST_EXIT:
        raise ToolError(
            f"{PYTEST_EXIT[returncode]} (exit {returncode}): {error_line(output)}",
            "run the same tests with pytest alone to see the whole error",
        )
    if returncode != 0:
        raise ToolError(
            f"pytest ended with exit {returncode}: {error_line(output)}",
            "a test or a library ended the process; run pytest alone to see where",
        )
    _check_session(session)


def _check_forks(work: Path) -> None:
    """A forked child that returned into pytest ran the rest of the suite a second time,
    into the same coverage data: no figure of that run can be trusted."""
    if any(work.glob("forked.*.json")):
        raise ToolError(
            "a test forked a child that went on running the suite, so the coverage "
            "data mixes two runs",
            "end the forked child with os._exit() once its work is done",
        )


def _check_session(session: dict[str, Any] | None) -> None:
    """The session record must say the run ended as pytest ends it, every test run."""
    if session is None:
        raise ToolError(
            "the test run ended before pytest finished its session, so not every test ran",
            "a test or a library ended the process early (os._exit, a forked child); "
            "run pytest alone to see which test was the last",
        )
    collected, ran = int(session.get("collected", -1)), int(session.get("ran", -1))
    if session.get("exitstatus") != 0 or session.get("failed") or ran != collected:
        raise ToolError(
            f"the test run's record does not add up: {ran} of {collected} tests ran, "
            f"exit status {session.get('exitstatus')}",
            "run pytest alone to see which tests did not run",
        )


def _has_test_lines(measured: Mapping[str, Measured]) -> bool:
    return any(
        tests for m in measured.values() if m.contexts for tests in m.contexts.values() if tests
    )


def _progress_reader(
    path: Path, on_tests: Callable[[int, int], None] | None
) -> Callable[[], None] | None:
    """A callback that passes the plugin's latest "RAN COLLECTED" to `on_tests`."""
    if on_tests is None:
        return None
    told = (-1, -1)

    def read() -> None:
        nonlocal told
        try:
            ran, collected = (int(n) for n in path.read_text().split())
        except (OSError, ValueError):
            return
        if (ran, collected) != told:
            told = (ran, collected)
            on_tests(ran, collected)

    return read


def _with_map(work: _Work, measured: dict[str, Measured]) -> dict[str, Measured]:
    """The run's contexts with the plugin's per-test record of the unwatched files; as
    they are when coverage's own contexts were per test (its fallback) or nothing ran."""
    path = work.path / "map.json"
    if not path.is_file():
        return measured
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        merged = with_test_lines(measured, record)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ToolError(f"the plugin's per-test record is unreadable ({exc})") from exc
    return measured if merged is None else merged


def run_tests(
    root: Path,
    python: str,
    source: Sequence[str],
    tests: Sequence[str],
    timeout: float,
    extra: Sequence[str] = (),
    facts: PytestFacts | None = None,
    select: Selection | None = None,
    on_tests: Callable[[int, int], None] | None = None,
    per_test: Collection[str] | None = None,
    test_map: bool = False,
) -> TestRun:
    """Run the suite once under coverage; a red suite raises TestsFailedError.

    With `select`, only its tests and whole test files run (none at all is a run),
    collected from `select.test_files` when it names any. `on_tests(ran, collected)` is
    told how far the run is, from the plugin's progress file, while it runs.
    `per_test` (paths under `root`): the only files whose lines each test's context
    holds; every other file's test-time lines go under ANY_TEST. None: every file.
    `test_map` (with `per_test`): every other file's lines are recorded per test as well,
    outside coverage's data, for the stored test map, and read back as contexts."""
    started = time.monotonic()
    facts = facts or ask_pytest(root, python, tests, extra, timeout)
    with tempfile.TemporaryDirectory(prefix="qualitygate-") as tmp:
        work = _Work(Path(tmp), root)
        env = work.env(core=facts.core)
        if select is not None:
            chosen = work.path / "select.json"
            wanted = {"tests": sorted(select.tests), "files": sorted(select.files)}
            chosen.write_text(json.dumps(wanted))
            env["QUALITYGATE_SELECT"] = str(chosen)
            tests = sorted(select.test_files) or tests
        if per_test is not None:
            watched = work.path / "per_test.json"
            watched.write_text(json.dumps([str(root / p) for p in sorted(per_test)]))
            env["QUALITYGATE_PER_TEST"] = str(watched)
            if test_map:
                env["QUALITYGATE_MAP"] = "1"
        args = command(python, work.path, [root / s for s in source], tests, facts, extra)
        left = max(1.0, timeout - (time.monotonic() - started))
        try:
            done = process.run(
                args,
                cwd=root,
                timeout=left,
                env=env,
                what="pytest",
                while_waiting=_progress_reader(work.path / "progress", on_tests),
            )
        except process.Timeout as exc:  # name the budget the user set, not what was left
            raise process.Timeout(
                f"pytest did not finish within {timeout:.0f} s and was stopped", exc.hint
            ) from None
        seconds = time.monotonic() - started
        session = work.record("session.json")
        returncode = done.returncode
        if select is not None and returncode == 5 and session and not session["collected"]:
            returncode, session = 0, {**session, "exitstatus": 0}  # nothing selected to run
        _check_exit(returncode, done.stdout + done.stderr, python, session)
        if session and session.get("per_test_lost"):
            raise ToolError(
                f"the per-test coverage was not written: {session['per_test_lost']}",
                "qualitygate knows coverage.py 7.6 and newer: pip install -U coverage",
            )
        if session and session.get("tracer") == "SysMonitor":
            raise ToolError(
                "coverage measured with sys.monitoring, which sees a line once a run, "
                "not once a test",
                f"qualitygate sets COVERAGE_CORE={facts.core}: check what in the run changes it",
            )
        _check_forks(work.path)
        data = combine_parallel(work.path / ".coverage")
        if data is None:
            raise ToolError(
                "coverage wrote no data file although the tests passed",
                "check [tool.coverage.run] (data_file, source) and plugins that stop coverage",
            )
        measured = read_sqlite(data)
        if per_test is not None and test_map:
            measured = _with_map(work, measured)
        ran = int(session["collected"]) if session else 0
        if ran and not _has_test_lines(measured) and any(m.lines for m in measured.values()):
            raise ToolError(NO_CONTEXT, NO_CONTEXT_HINT)
        files = frozenset(str(f) for f in session.get("test_files", ())) if session else frozenset()
        return TestRun(measured, seconds, facts, ran, files, _durations(session))
