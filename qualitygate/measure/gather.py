"""Coverage for a list of files: read from a data file, or measured by running the tests.

Both pipelines first ask pytest where the project's tests are (`with_pytest_layout`),
so that test files are told from sources the way pytest tells them, then gather.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from qualitygate.errors import ConfigError
from qualitygate.measure import coverage_data, facts_cache, testrun
from qualitygate.measure.selection import Selection
from qualitygate.measure.testrun import PytestFacts
from qualitygate.model import FileCoverage
from qualitygate.progress import Progress
from qualitygate.project import git
from qualitygate.project.config import TEST_FILE_NAMES, Config


def python_of(cfg: Config) -> str:
    """The project's interpreter: `python` from the config, else the one running us."""
    return cfg.python or sys.executable


def check_test_folders(root: Path, cfg: Config) -> None:
    """Every folder in `tests` must exist: pytest would stop with a usage error."""
    for folder in cfg.tests:
        if not (root / folder).exists():
            raise ConfigError(
                cfg.origin, "tests", f"'{folder}' does not exist in {root}; fix or remove it"
            )


def _relative(root: Path, rootdir: str, paths: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for path in paths:
        full = (Path(rootdir) / path).resolve()
        if full.is_relative_to(root.resolve()):
            found.append(full.relative_to(root.resolve()).as_posix())
    return tuple(found)


def with_pytest_layout(root: Path, cfg: Config, progress: Progress) -> tuple[Config, PytestFacts]:
    """`cfg` knowing where pytest finds the tests (testpaths, python_files), and pytest's
    resolved facts for the run that follows."""
    check_test_folders(root, cfg)
    progress.stage("Asking pytest where the tests are")
    python = python_of(cfg)
    facts = facts_cache.cached(
        git.git_dir(root) / "qualitygate",
        root,
        python,
        cfg.tests,
        cfg.pytest_args,
        lambda: testrun.ask_pytest(root, python, cfg.tests, cfg.pytest_args, cfg.timeout),
    )
    patterns = (*facts.python_files, "conftest.py") if facts.python_files else TEST_FILE_NAMES
    paths = _relative(root, facts.rootdir, facts.testpaths)
    return replace(cfg, test_paths=paths, test_patterns=patterns), facts


@dataclass(frozen=True)
class Gathered:
    """Coverage of the files asked for, where it came from, and the test files whose
    tests ran (from the run's record; from the data's test contexts when read); after a
    run, how many tests ran and each one's call time."""

    files: dict[str, FileCoverage]
    source: str
    test_files: frozenset[str] = frozenset()
    tests_ran: int = 0
    durations: Mapping[str, float] = field(default_factory=dict)  # test id -> call seconds


def _context_files(measured: dict[str, coverage_data.Measured]) -> frozenset[str]:
    return frozenset(
        test.split("::", 1)[0]
        for m in measured.values()
        for tests in (m.contexts or {}).values()
        for test in tests
        if test != coverage_data.ANY_TEST_NAME
    )


def gather_coverage(
    root: Path,
    cfg: Config,
    files: list[str],
    progress: Progress,
    coverage_file: Path | None = None,
    measure: bool = True,
    facts: PytestFacts | None = None,
    select: Selection | None = None,
    parsing: Callable[[], dict[str, frozenset[int]]] | None = None,
    reading: Callable[[], dict[str, coverage_data.Measured]] | None = None,
    per_test: Collection[str] | None = None,
    test_map: bool = False,
) -> Gathered:
    """Coverage of `files` and where it came from: `coverage_file`, else a run of the tests
    (none with `measure` off: every file then has its statements and nothing executed).
    `parsing`: the files' statements, being parsed since the caller started it; else the
    parse starts here, in the background of the test run. `reading`: `coverage_file`,
    being read since the caller started it. `per_test`: the only files whose lines the
    run attributes to each test (the rest: to the tests as a whole); None: every file.
    `test_map`: the rest per test too, for the stored test map (testrun.run_tests)."""
    if not measure:
        return Gathered(coverage_data.file_coverage(root, files, {}), "not measured")
    if coverage_file is not None:
        progress.stage(f"Reading coverage from {coverage_file}")
        measured = (reading or partial(coverage_data.read_data_file, coverage_file))()
        ran = _context_files(measured)
        source = str(coverage_file)
        if parsing is not None:
            found = coverage_data.file_coverage(root, files, measured, parsing())
            return Gathered(found, source, ran)
    else:
        progress.stage("Running the tests under coverage")
        files = list(files)
        if parsing is None:  # parsed while the tests run
            parsing = coverage_data.StatementParser(root).in_background(files)
        run = testrun.run_tests(
            root,
            python_of(cfg),
            cfg.source,
            cfg.tests,
            cfg.timeout,
            cfg.pytest_args,
            facts,
            select,
            on_tests=progress.tests,
            per_test=per_test,
            test_map=test_map,
        )
        measured, source = run.measured, "pytest"
        ran = run.test_files | _context_files(measured)
        found = coverage_data.file_coverage(root, files, measured, parsing())
        return Gathered(found, source, ran, run.tests_ran, run.durations)
    return Gathered(coverage_data.file_coverage(root, files, measured), source, ran)
