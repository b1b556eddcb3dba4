"""Run inside the project's interpreter (not qualitygate's): drive mutmut in one process.

One interpreter does both of qualitygate's mutmut steps, so mutmut and libcst
are imported once, while qualitygate is still copying the project:

    python mutmut_driver.py serve FD   in the project copy; commands on stdin,
                                       one JSON line each, replies on file descriptor FD:
      (on start)                        -> {"mutmut_version", "pytest_cov", "xdist"}
      {"probe": {path: [lines]}}        -> {"files": {path: generated}}: mutmut's mutants
                                           of those files, only on those lines
      {"run": [mutmut run arguments], "seed": {"tests": {key: [test ids]},
                                        "durations": {test id: seconds}} or null}
                                        -> none: the process becomes `mutmut run` and
                                           exits with its code; with a seed, mutmut takes
                                           it as its test statistics and runs its stats run
                                           over the seeded tests only
    python mutmut_driver.py probe REQUEST.json RESULT.json
                                        one-shot probe; REQUEST.json: {"files": {path:
                                        [lines]}} or {"files": [path, ...]} (every mutant)
    python mutmut_driver.py run [ARGUMENTS]
                                        one-shot `mutmut run ARGUMENTS`, as `serve` runs it

The probe has mutmut generate the mutants with its own code, into mutants/
where `mutmut run` finds them (newer than the source, so it does not generate
them again), and reports them without running any test. "generated" also holds
the generated files' text, for qualitygate's cache.

mutmut's clean run, its forced-fail run and each mutant's tests run in forks
of one pytest session configured and collected once after mutmut's statistics
run (`_Collected`), instead of a whole `pytest.main` each: see `_Collected` for
why and for how it checks itself.
Standard library and mutmut only: this file is copied out of the package and
executed on its own. `mutmut_adapter` and `mutmut_session` are its only readers.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib.metadata
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_KEPT: list[tuple[Any, Any]] = []  # streams that must never be collected in a fork
PREIMPORTED = ("libcst", "libcst.matchers", "mutmut.mutation.file_mutation", "click", "pytest")


def environment() -> dict[str, Any]:
    try:
        version: str | None = importlib.metadata.version("mutmut")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return {
        "mutmut_version": version,
        "pytest_cov": importlib.util.find_spec("pytest_cov") is not None,
        "xdist": importlib.util.find_spec("xdist") is not None,
    }


def _generated_functions(filename: str) -> dict[str, Any]:
    from mutmut.__main__ import create_file_mutants

    result = create_file_mutants(Path(filename))
    if result.error is not None:
        return {"mutated": False, "reason": f"mutmut cannot mutate the file ({result.error})"}
    if result.ignored:
        return {"mutated": False, "reason": "excluded by [tool.mutmut] do_not_mutate"}
    if any(isinstance(w, SyntaxWarning) for w in result.warnings):
        return {"mutated": False, "reason": "mutmut cannot parse the file"}
    generated = Path("mutants") / filename
    files = {
        suffix: Path(f"{generated}{suffix}").read_text(encoding="utf-8")
        for suffix in ("", ".meta", ".spans")
    }
    lines = files[""].splitlines(keepends=True)
    spans = json.loads(files[".spans"])["spans"]
    names = json.loads(files[".meta"])["exit_code_by_key"]

    def text(function: str) -> str:
        start, end = spans[function]
        return "".join(lines[start - 1 : end])

    functions: dict[str, str] = {}
    mutants: dict[str, list[str]] = {}
    for name in names:
        function = name.rpartition(".")[2]
        key = function.partition("__mutmut_")[0]
        functions.setdefault(key, text(key + "__mutmut_orig"))
        mutants[name] = [key, function, text(function)]
    return {
        "mutated": True,
        "reason": None,
        "functions": functions,
        "mutants": mutants,
        "generated": files,
    }


def probe(files: dict[str, list[int]] | list[str]) -> dict[str, Any]:
    """mutmut's mutants of `files`: with lines, only mutants of nodes starting on them."""
    from mutmut.state import state

    if isinstance(files, dict):  # mutmut's covered-lines filter
        state()._covered_lines = {
            str((Path("mutants") / name).absolute()): set(lines) for name, lines in files.items()
        }
    try:
        return {"files": _each(_generated_functions, list(files))}
    finally:
        state()._covered_lines = None


def _each(work: Any, names: list[str]) -> dict[str, Any]:
    """work(name) for each name; two or more in forked workers, one per core (libcst's
    visits of a module are pure Python, about 0.15 s for 200 lines). A worker that fails
    raises here, as the same call in this process would."""
    workers = min(len(names), os.cpu_count() or 1)
    if workers < 2 or not hasattr(os, "fork"):
        return {name: work(name) for name in names}
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return dict(zip(names, pool.map(work, names), strict=True))


def _reply(fd: int, value: dict[str, Any]) -> None:
    data = (json.dumps(value) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def _seeded(seed: dict[str, Any]) -> Any:
    """A stand-in for mutmut's collect_or_load_stats: the map from `seed`, then mutmut's
    own statistics run over the seeded tests only (not the whole suite). That run records
    mutmut's own hits and call times for them, and it is the run before the clean run, as
    in mutmut's own order: a test that fails when run a second time in one process (it
    changes shared state) still fails the clean run instead of killing every mutant.
    Its forced-fail check runs over the seeded tests too."""
    from mutmut import __main__ as mutmut_main
    from mutmut.state import state
    from mutmut.stats import save_stats

    def collect_or_load_stats(runner: Any, **options: Any) -> None:
        found = state()
        for key, tests in seed["tests"].items():
            found.tests_by_mangled_function_name[key] |= set(tests)
        for test, seconds in seed["durations"].items():
            found.duration_by_test[test] = float(seconds)
        found.stats_time = 0.0
        tests = sorted(seed["durations"])
        if tests:
            mutmut_main.run_stats_collection(runner, tests=tests)
            # The forced-fail check over the same tests, which call mutated functions, not
            # over the whole suite until one does (mutmut sets the "fail" mutant first).
            if hasattr(runner, "forced_fail_tests"):
                runner.forced_fail_tests = tests
            else:
                runner.run_forced_fail = lambda: runner.run_clean_tests(tests)
        else:
            save_stats()

    return collect_or_load_stats


@contextlib.contextmanager
def _quiet(null: Any) -> Iterator[None]:
    """File descriptors 1 and 2, and sys.stdout and sys.stderr, on /dev/null (`null`, a
    stream the caller keeps open) meanwhile. A pytest session configured here keeps
    writing to whatever they were (its terminal writer, its capture's saved descriptors),
    and its forks must not write into mutmut's output. The descriptors are put back even
    when pytest moved them."""
    saved = os.dup(1), os.dup(2)
    streams = sys.stdout, sys.stderr
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        sys.stdout = sys.stderr = null
        yield
    finally:
        sys.stdout, sys.stderr = streams
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


class _Collected:
    """One pytest session, configured and collected once in mutmut's process, and run in
    forks of it: mutmut's clean run, its forced-fail run and each mutant's tests.

    Why: `pytest.main` builds a new config and session and collects again in every fork
    (about 60 ms before the first test on a small project, more with plugins and big test
    modules). pytest offers no public way to configure and collect once and run later, so
    this drives the session's steps as `pytest.main` does (`_pytest.config`,
    `_pytest.main.Session`, pinned by tests/mutation/test_mutmut_contract.py).

    It is built after mutmut's statistics run, with the arguments of mutmut's test runs,
    over the tests the statistics found. A fork runs its tests in the order given with
    pytest's own per-test protocol, stops at the first failure (mutmut's `-x`), finishes
    the session (fixture teardown, cache) and exits with pytest.main's exit code.
    Each mutant's fork starts from the state the clean run checked: the process after
    one run of the tests (mutmut's statistics run), so a test that fails when run twice in
    one process fails the clean run, as in mutmut's own order.

    It checks itself on mutmut's own checks: when the clean run fails in a fork, it runs
    again as mutmut runs it (`pytest.main` in the process), and so does a forced-fail run
    that passed in a fork. If mutmut's way disagrees, or anything goes wrong while
    building, every mutant is left to mutmut's own `pytest.main` (`off`, said in mutmut's
    output).
    """

    def __init__(self, runner: Any) -> None:
        self.runner = runner  # mutmut's PytestRunner
        self.config: Any = None
        self.session: Any = None
        self.items: dict[str, Any] = {}
        self.tests: list[str] = []
        self.started = False
        self.null = open(os.devnull, "w")  # noqa: SIM115 (pytest writes to it until finish)

    def start(self, tests: list[str]) -> None:
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        self.started = True
        if not tests:
            return
        arguments = ["--rootdir=.", "--tb=native", *self.runner._pytest_args_regular_run(tests)]
        arguments += self.runner._pytest_add_cli_args
        try:
            with _frozen(), _quiet(self.null), _inside("mutants"):
                self.config = _prepareconfig(arguments, [])
                self.config._do_configure()
                self.session = Session.from_config(self.config)
                self.config.hook.pytest_sessionstart(session=self.session)
                self.config.hook.pytest_collection(session=self.session)
        except BaseException as exc:  # pytest.exit, UsageError, anything
            self.off(f"collection failed ({type(exc).__name__}: {exc})")
            return
        if self.session.testsfailed:
            self.off("collection errors")
            return
        self.items = {item.nodeid: item for item in self.session.items}
        missing = [t for t in tests if t not in self.items]
        if missing:
            self.off(f"{len(missing)} tests not collected, such as {missing[0]}")
            return
        self.tests = tests
        _say("one collected pytest session for the clean run and the mutants")

    def off(self, why: str) -> None:
        _say(f"each mutant runs in pytest.main: {why}")
        self.items, self.tests = {}, []
        self.finish()

    def covers(self, tests: list[str]) -> bool:
        return bool(tests) and all(t in self.items for t in tests)

    def fork(self, tests: list[str]) -> int:
        """`tests` in a fork, with the mutant under test as it is set here; its exit code."""
        sys.stdout.flush()
        sys.stderr.flush()
        with _frozen():  # as mutmut forks its mutants
            pid = os.fork()
            if pid == 0:
                code = 3
                try:
                    code = self.run(tests)
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    def run(self, tests: list[str]) -> int:
        """In a fork: `tests`, in this order, as `pytest.main` would run them with `-x`,
        with sys.stdout and sys.stderr on the session's /dev/null. The streams they held
        are kept: pytest's capture puts back the session's, and a dropped unclosed file
        (mutmut's own /dev/null in its forks) is a ResourceWarning, a failure under
        filterwarnings=error."""
        from _pytest.outcomes import Exit

        _KEPT.append((sys.stdout, sys.stderr))
        sys.stdout = sys.stderr = self.null
        items = [self.items[t] for t in tests]
        session = self.session
        try:
            with _inside("mutants"):
                for at, item in enumerate(items):
                    following = items[at + 1] if at + 1 < len(items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
                    if session.shouldfail or session.shouldstop:
                        break
                code = 1 if session.testsfailed else 0
                self.config.hook.pytest_sessionfinish(session=session, exitstatus=code)
                self.config._ensure_unconfigure()
        except Exit as exc:
            return int(exc.returncode) if exc.returncode is not None else 2
        except KeyboardInterrupt:
            return 2
        except BaseException:  # pytest.main's internal error
            return 3
        return code

    def finish(self) -> None:
        if self.config is not None:
            with (
                contextlib.suppress(BaseException),
                _frozen(),
                _quiet(self.null),
                _inside("mutants"),
            ):
                if self.session is not None:
                    self.config.hook.pytest_sessionfinish(session=self.session, exitstatus=0)
                self.config._ensure_unconfigure()
            self.config = None


def _say(text: str) -> None:
    """A line in mutmut's output (shown with --verbose), past mutmut's own capture."""
    stream = sys.__stdout__ or sys.stdout
    stream.write(f"qualitygate: {text}\n")
    stream.flush()


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Meanwhile, the objects that exist now are out of the collector's reach (gc.freeze),
    unless they are already. pytest ends each session with gc.collect(), to report
    unraisable exceptions: a full pass over this process's heap, mutmut, libcst and pytest
    included, 20-25 ms each, four times in a stage. What runs meanwhile still has its own
    garbage collected, and the heap is put back after."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _inside(folder: str) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _collected_runner(original: Any) -> Any:
    """A stand-in for mutmut's get_mutant_runner: its ForkRunner, whose clean run,
    forced-fail run and mutants run in forks of one `_Collected` session."""
    from mutmut.configuration import ProcessIsolation, config
    from mutmut.runners.harness import PytestRunner
    from mutmut.state import state
    from mutmut.workers.isolation import ForkRunner

    class CollectedPytestRunner(PytestRunner):
        def __init__(self) -> None:
            super().__init__()
            self.collected = _Collected(self)

        def run_tests(self, *, mutant_name: str | None, tests: Any) -> int:
            tests = list(tests)
            if mutant_name is not None and self.collected.covers(tests):
                return self.collected.run(tests)  # in the mutant's fork
            return int(super().run_tests(mutant_name=mutant_name, tests=tests))

    class CollectedForkRunner(ForkRunner):
        forced_fail_tests: list[str] | None = None  # the seeded tests (`_seeded`)

        def __init__(self, workers: int, runner: CollectedPytestRunner, debug: bool) -> None:
            super().__init__(max_workers=workers, test_runner=runner, debug=debug)
            self.collected = runner.collected

        def _collected(self) -> _Collected:
            collected = self.collected
            if not collected.started:
                found = state().tests_by_mangled_function_name.values()
                collected.start(sorted(set().union(*found)))
            return collected

        def collect_stats(self, tests: Any) -> int:
            with _frozen():  # mutmut's statistics run, a pytest.main in this process
                return int(super().collect_stats(tests))

        def run_clean_tests(self, tests: Any) -> int:
            with _frozen():
                return self._run_clean_tests(list(tests))

        def _run_clean_tests(self, tests: list[str]) -> int:
            collected = self._collected()
            if not collected.covers(tests):
                return int(super().run_clean_tests(tests))
            code = collected.fork(tests)
            if code != 0:  # as mutmut runs it: a real failure, or a session to give up
                code = int(super().run_clean_tests(tests))
                if code == 0:
                    collected.off("the clean run failed only in the collected session")
            return code

        def run_forced_fail(self) -> int:
            with _frozen():
                return self._run_forced_fail()

        def _run_forced_fail(self) -> int:
            collected = self._collected()
            tests = self.forced_fail_tests or collected.tests
            if not collected.covers(tests):
                return self._forced_fail_in_process()
            code = collected.fork(tests)
            if code == 0:
                code = self._forced_fail_in_process()
                if code != 0:
                    collected.off("the forced-fail run passed only in the collected session")
            return code

        def _forced_fail_in_process(self) -> int:
            if self.forced_fail_tests:
                return int(super().run_clean_tests(self.forced_fail_tests))
            return int(super().run_forced_fail())

        def shutdown(self) -> None:
            super().shutdown()
            self.collected.finish()
            self.collected.null.close()

    def get_mutant_runner(max_workers: int = 1) -> Any:
        if config().process_isolation != ProcessIsolation.FORK:
            return original(max_workers)
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        pytest_runner = CollectedPytestRunner()
        pytest_runner.prepare_main_test_run()
        return CollectedForkRunner(max_workers, pytest_runner, config().debug)

    return get_mutant_runner


def keep_parameters() -> None:
    """parametrize's values read once, where the test module makes the mark: an iterator
    passed as its values (`itertools.product(...)`, a generator) becomes a list there.

    Why: mutmut collects the tests, then runs what it collected, in one process, and
    pytest reads a parametrize mark's values at every collection. The test module is
    imported once, so an iterator is used up by the first collection and the second
    finds no cases: mutmut cannot run the tests it listed, or counts kills that are not
    (seen on structlog's test suite). The list holds exactly what the first collection
    read, as the coverage run read it. pytest has no option for this; every mark's
    arguments pass through `MarkDecorator.with_args`. Where that is not as expected,
    nothing changes, and a collection that differs is still found and named
    (`diagnosis.collection_drift`)."""
    try:
        from _pytest.mark.structures import MarkDecorator
    except ImportError:
        return
    original = getattr(MarkDecorator, "with_args", None)
    if original is None or getattr(original, "qualitygate", False):
        return

    def with_args(self: Any, *args: object, **kwargs: object) -> Any:
        if getattr(self, "name", None) == "parametrize":
            if len(args) > 1 and isinstance(args[1], Iterator):
                args = (args[0], list(args[1]), *args[2:])
            if isinstance(kwargs.get("argvalues"), Iterator):
                kwargs = {**kwargs, "argvalues": list(kwargs["argvalues"])}  # type: ignore[call-overload]
        return original(self, *args, **kwargs)

    with_args.qualitygate = True  # type: ignore[attr-defined]
    MarkDecorator.with_args = with_args  # type: ignore[method-assign]


TOOLS_HOLD = "qualitygate: held by the test tools: "  # read by mutmut_adapter


def held_by_the_tools(arguments: list[str]) -> list[str]:
    """The mutants' modules already imported before any test runs: by pytest, mutmut or
    a pytest plugin (pluggy is pytest's own). The tests would call that copy, never the
    mutants mutmut writes, so every mutant would look untested or surviving."""
    names = [a for a in arguments if "__mutmut_" in a]
    modules = {name.partition("__mutmut_")[0].rpartition(".")[0] for name in names}
    return sorted(m for m in modules if m in sys.modules)


def _run(arguments: list[str], seed: dict[str, Any] | None = None) -> None:
    import mutmut.__main__
    from mutmut.__main__ import cli

    held = held_by_the_tools(arguments)
    if held:
        print(TOOLS_HOLD + ", ".join(held), file=sys.stderr)
        _exit(1)
    keep_parameters()
    configuration = sys.modules.get("mutmut.configuration")
    reset = getattr(configuration, "reset_config", None)
    if callable(reset):  # read again: the round's config may be newer than the probe's
        reset()
    if seed is not None and callable(getattr(mutmut.__main__, "collect_or_load_stats", None)):
        mutmut.__main__.collect_or_load_stats = _seeded(seed)
    original = getattr(mutmut.__main__, "get_mutant_runner")  # noqa: B009 (not exported)
    mutmut.__main__.get_mutant_runner = _collected_runner(original)  # type: ignore[attr-defined]
    sys.argv = ["mutmut", *arguments]
    try:
        cli()
    except SystemExit as stop:
        _exit(stop.code)
    _exit(0)


def _exit(code: str | int | None) -> None:
    """End the process as `sys.exit(code)` would, but without the interpreter's teardown:
    the atexit handlers run (mutmut's, pytest's, the tests') and the streams are flushed,
    then the process ends. Clearing the modules of mutmut, libcst, pytest and the tests
    took 80 ms of a 1.1 s mutation stage; mutmut has written its results by then."""
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # not CPython: the interpreter's own way
        sys.exit(code)
    run_exit_handlers()
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def _import_pytest_plugins() -> None:
    """pytest's own plugins, and the modules they import (unittest, xml.etree, pdb), which
    the first `pytest.main` of a stage would import: 10 ms off mutmut's statistics run.
    pytest imports these before it installs its assert rewriting and never rewrites them,
    so importing them earlier changes nothing (no PytestAssertRewriteWarning, even with
    `-p pytester`). A third-party plugin is not imported here: pytest rewrites its asserts
    only when it imports the plugin itself."""
    from _pytest.config import default_plugins

    for name in default_plugins:
        __import__(f"_pytest.{name}")
    __import__("pdb")  # by _pytest.debugging when it configures


def serve(fd: int) -> None:
    found = environment()
    _reply(fd, found)
    if found["mutmut_version"] is None:
        return
    for module in PREIMPORTED:  # while qualitygate copies the project; none reads its config
        __import__(module)
    _import_pytest_plugins()
    for line in sys.stdin:
        command = json.loads(line)
        if "probe" in command:
            _reply(fd, probe(command["probe"]))
        elif "run" in command:
            os.close(fd)
            _run(command["run"], command.get("seed"))
            return


def main(argv: list[str]) -> None:
    if argv[0] == "serve":
        serve(int(argv[1]))
        return
    if argv[0] == "run":
        _run(argv[1:])
        return
    files = json.loads(Path(argv[1]).read_text(encoding="utf-8"))["files"]
    found = {**environment(), **probe(files)}
    Path(argv[2]).write_text(json.dumps(found), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
