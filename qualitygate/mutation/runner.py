"""`mutmut run` over chosen mutants in the project copy, retried without the tests
that break under mutmut, with progress read from its result files.

Each round is one `mutmut run` in a `MutmutSession` (the first round's session
is the one that probed). A test that hangs in mutmut's clean or stats run is
stopped by the trace plugin at the budget's hang limit and run once on the
unmutated copy: hanging there too is a ToolError naming it, otherwise it is
left out like a test that fails only under mutmut (`diagnosis`). The rounds
share one time budget.

A job with a seed (`seed`) runs mutmut's statistics run over the seeded
tests only, not the whole suite. If that round fails in any way, it runs
again unseeded, as mutmut alone would, before anything is diagnosed: a seed
can make a run faster, never change a verdict or an error.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qualitygate import process
from qualitygate.errors import ToolError
from qualitygate.mutation import diagnosis, mutmut_adapter, mutmut_config
from qualitygate.mutation.budget import Budget
from qualitygate.mutation.model import MutmutResults
from qualitygate.mutation.mutmut_session import MutmutSession
from qualitygate.mutation.workspace import Workspace

MAX_ROUNDS = 3
RETRY_ROUND = MAX_ROUNDS  # the round number of the timeout retry (its trace and log files)
POLL_SECONDS = 0.5
HINT = (
    "run again with --verbose to see mutmut's output, and --keep-workspace to keep "
    "the copy it ran in"
)
Progress = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class MutmutJob:
    workspace: Workspace
    python: str
    names: tuple[str, ...]
    paths: tuple[str, ...]  # the files the mutants are in
    table: Mapping[str, Any]  # [tool.mutmut] without test exclusions
    workers: int
    budget: Budget
    generated: Mapping[str, Mapping[str, str]]  # path -> what the probe generated for it
    seed: Mapping[str, Any] | None = None  # mutmut's test statistics, measured already


@dataclass(frozen=True)
class ProgressBase:
    """Counts from mutants not run now (cached), added to the live counts."""

    done: int
    total: int
    killed: int
    survived: int


@dataclass(frozen=True)
class Attempt:
    results: MutmutResults | None = None
    failure: str = ""
    hanging: str | None = None


def start_session(workspace: Workspace, python: str, budget: Budget, round: int) -> MutmutSession:
    """The interpreter for round `round`; its pytest runs are traced to trace_path(round)."""
    env = diagnosis.tracing(
        mutmut_adapter.child_environment(workspace), trace_path(workspace, round), budget
    )
    return MutmutSession(workspace, python, env, workspace.scratch / f"mutmut-{round}.log")


def trace_path(workspace: Workspace, round: int) -> Path:
    return workspace.scratch / f"trace-mutmut-{round}.txt"


def _counts(job: MutmutJob) -> tuple[int, int, int]:
    codes = mutmut_adapter.exit_codes(job.workspace.project, job.paths)
    statuses = [
        mutmut_adapter.status_of(codes[n])
        for n in job.names
        if codes.get(n) not in mutmut_adapter.NOT_CHECKED
    ]
    return len(statuses), statuses.count("killed"), statuses.count("survived")


def _watch(job: MutmutJob, base: ProgressBase, progress: Progress, stop: threading.Event) -> None:
    last = (-1, -1, -1)
    while not stop.wait(POLL_SECONDS):
        counts = _counts(job)
        if counts != last:
            last = counts
            progress(
                base.done + counts[0],
                base.total,
                base.killed + counts[1],
                base.survived + counts[2],
            )


def _run_once(
    job: MutmutJob, session: MutmutSession, base: ProgressBase, progress: Progress | None
) -> process.Completed:
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(job, base, progress, stop), daemon=True)
    if progress:
        watcher.start()
    try:
        arguments = mutmut_adapter.run_arguments(job.names, job.workers)
        return session.run(arguments, job.budget, job.seed)
    finally:
        stop.set()
        if progress:
            watcher.join()


def _write_settings(job: MutmutJob, excluded: Sequence[str]) -> None:
    """mutmut's config with `excluded` left out of every pytest run."""
    table = {**job.table, "pytest_add_cli_args": mutmut_config.pytest_args_of(job.table, excluded)}
    mutmut_config.write_settings(job.workspace.project, table)


def _configure(job: MutmutJob, excluded: Sequence[str]) -> None:
    """Config for a later round, and mutants/ as the probe left it (same mutants, same names)."""
    _write_settings(job, excluded)
    shutil.rmtree(job.workspace.project / "mutants", ignore_errors=True)
    for path, generated in job.generated.items():
        mutmut_adapter.restore(job.workspace.project, path, generated)


def _attempt(
    job: MutmutJob,
    session: MutmutSession,
    round: int,
    base: ProgressBase,
    progress: Progress | None,
) -> Attempt:
    """Run mutmut: its results, or the test that hung, or why it failed."""
    trace = trace_path(job.workspace, round)
    try:
        done = _run_once(job, session, base, progress)
    except process.Timeout:
        raise diagnosis.out_of_time(job.budget, diagnosis.Trace.read(trace)) from None
    output = done.stdout + done.stderr
    if done.returncode == 0:
        return Attempt(results=mutmut_adapter.results(job.workspace.project, job.paths, job.names))
    if mutmut_adapter.found_no_tests(output):
        return Attempt(results=MutmutResults({name: "no_tests" for name in job.names}, {}))
    hung = diagnosis.Trace.read(trace).hung
    if hung:
        return Attempt(hanging=hung[0])
    modules = mutmut_adapter.held_by_the_tools(output)
    if modules is not None:
        raise ToolError(
            f"{modules}: imported by pytest, mutmut or a pytest plugin before any test runs, "
            "so the tests would call that copy and never a mutant",
            "mutation testing cannot measure this package: leave its layer's "
            "min_mutation_score unset",
        )
    summary = mutmut_adapter.failure_summary(output)
    if "BadTestExecutionCommandsException" in output and job.seed is None:  # it could not
        # run what it collected (a seeded run is first retried without its seed)
        args = mutmut_config.pytest_args_of(job.table, ())
        drift = diagnosis.collection_drift(job.workspace, job.python, args, job.budget)
        if drift is not None:
            raise drift
    return Attempt(failure=f"mutmut exited with {done.returncode}: {summary}")


def _left_out(job: MutmutJob, attempt: Attempt, excluded: Sequence[str], round: int) -> list[str]:
    """The tests to leave out next round; raises when the suite itself is red or hangs."""
    args = mutmut_config.pytest_args_of(job.table, excluded)
    if attempt.hanging:
        diagnosis.check_unmutated(job.workspace, job.python, args, [attempt.hanging], job.budget)
        return [attempt.hanging]
    if not (job.workspace.project / "mutants").is_dir():
        raise ToolError(attempt.failure, HINT)
    selection = mutmut_config.test_selection_of(job.table)
    traced = diagnosis.Trace.read(trace_path(job.workspace, round)).failed
    found = diagnosis.diagnose(job.workspace, job.python, args, selection, job.budget, traced)
    if not found.excluded:
        raise ToolError(attempt.failure, HINT)
    return list(found.excluded)


def _retry_timeouts(
    job: MutmutJob, results: MutmutResults, excluded: Sequence[str], base: ProgressBase
) -> MutmutResults:
    """Each mutant that timed out runs once more with twice mutmut's time limit: a loaded
    machine must not turn a survivor into a kill. A second timeout is a timeout."""
    timed_out = tuple(n for n, status in results.status_by_name.items() if status == "timeout")
    if not timed_out or job.budget.left() < 1:
        return results
    multiplier = float(job.table.get("timeout_multiplier", 5.0)) * 2
    retry = replace(job, names=timed_out, table={**job.table, "timeout_multiplier": multiplier})
    _configure(retry, excluded)
    session = start_session(job.workspace, job.python, job.budget, RETRY_ROUND)
    with session:
        attempt = _attempt(retry, session, RETRY_ROUND, base, None)
    if attempt.results is None:  # the retry broke: keep the first verdicts
        return results
    statuses = {**results.status_by_name, **attempt.results.status_by_name}
    return MutmutResults(statuses, results.tests_by_function)


def run_mutants(
    job: MutmutJob,
    session: MutmutSession,
    base: ProgressBase,
    progress: Progress | None,
    left_out: Sequence[str] = (),
) -> tuple[MutmutResults, tuple[str, ...]]:
    """Verdicts for job.names, and the tests that had to be left out to get them.

    `session` has the round-0 config and mutants/ in place; it is closed here.
    `left_out`: tests left out from the first round on (an earlier run found them)."""
    excluded: list[str] = list(left_out)
    if excluded:  # the round-0 config with them left out; mutants/ stays as it is
        _write_settings(job, excluded)
    attempt = Attempt()
    round = 0
    while round < MAX_ROUNDS:
        with session:
            attempt = _attempt(job, session, round, base, progress)
        if attempt.results is not None:
            # sorted: which failing test a round finds first depends on the run's timing
            return _retry_timeouts(job, attempt.results, excluded, base), tuple(sorted(excluded))
        if job.seed is not None:  # the same round again, as mutmut alone runs it
            job = replace(job, seed=None)
        else:
            excluded += [t for t in _left_out(job, attempt, excluded, round) if t not in excluded]
            round += 1
        if round < MAX_ROUNDS:
            _configure(job, excluded)
            session = start_session(job.workspace, job.python, job.budget, round)
    raise ToolError(
        f"mutmut still fails after leaving out {len(excluded)} tests: "
        f"{attempt.failure or 'test ' + str(attempt.hanging) + ' hangs under mutmut'}",
        HINT,
    )
