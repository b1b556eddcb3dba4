"""One `mutmut run` over chosen mutants in the project copy, retried without
the tests that break under mutmut, with progress read from its result files."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qualitygate import process
from qualitygate.errors import ToolError
from qualitygate.mutation import diagnosis, mutmut_adapter, mutmut_config
from qualitygate.mutation.model import MutmutResults
from qualitygate.mutation.workspace import Workspace

MAX_ROUNDS = 3
POLL_SECONDS = 0.5
Progress = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class MutmutJob:
    workspace: Workspace
    python: str
    names: tuple[str, ...]
    paths: tuple[str, ...]  # the files the mutants are in
    table: Mapping[str, Any]  # [tool.mutmut] without test exclusions
    workers: int
    timeout: float


@dataclass(frozen=True)
class ProgressBase:
    """Counts from mutants not run now (cached), added to the live counts."""

    done: int
    total: int
    killed: int
    survived: int


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


def _run_once(job: MutmutJob, base: ProgressBase, progress: Progress | None) -> process.Completed:
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(job, base, progress, stop), daemon=True)
    if progress:
        watcher.start()
    try:
        return process.run(
            mutmut_adapter.run_command(job.python, job.names, job.workers),
            cwd=job.workspace.project,
            timeout=job.timeout,
            env=mutmut_adapter.child_environment(job.workspace),
            what="mutmut run",
        )
    finally:
        stop.set()
        if progress:
            watcher.join()


def _configure(job: MutmutJob, excluded: Sequence[str]) -> None:
    """Config for this round; after a failed round, mutmut starts again from scratch."""
    table = {**job.table, "pytest_add_cli_args": mutmut_config.pytest_args_of(job.table, excluded)}
    mutmut_config.write_settings(job.workspace.project, table)
    if excluded:
        shutil.rmtree(job.workspace.project / "mutants", ignore_errors=True)


def _attempt(
    job: MutmutJob, base: ProgressBase, progress: Progress | None
) -> tuple[MutmutResults | None, str]:
    """Run mutmut; its results, or why it failed."""
    try:
        done = _run_once(job, base, progress)
    except process.Timeout as exc:
        return None, exc.message
    output = done.stdout + done.stderr
    if done.returncode == 0:
        return mutmut_adapter.results(job.workspace.project, job.paths, job.names), ""
    if mutmut_adapter.found_no_tests(output):
        return MutmutResults({name: "no_tests" for name in job.names}, {}), ""
    return None, f"mutmut exited with {done.returncode}: {mutmut_adapter.failure_summary(output)}"


def run_mutants(
    job: MutmutJob, base: ProgressBase, progress: Progress | None
) -> tuple[MutmutResults, tuple[str, ...]]:
    """Verdicts for job.names, and the tests that had to be left out to get them."""
    excluded: list[str] = []
    for _ in range(MAX_ROUNDS):
        _configure(job, excluded)
        found, failure = _attempt(job, base, progress)
        if found is not None:
            return found, tuple(excluded)
        if not (job.workspace.project / "mutants").is_dir():
            raise ToolError(failure, "run `mutmut run` in the project to see the full error")
        args = mutmut_config.pytest_args_of(job.table, excluded)
        new = diagnosis.diagnose(
            job.workspace, job.python, args, mutmut_config.test_selection_of(job.table), job.timeout
        ).excluded
        if not new:
            raise ToolError(failure, "run `mutmut run` in the project to see the full error")
        excluded += [nodeid for nodeid in new if nodeid not in excluded]
    raise ToolError(
        f"mutmut still fails after leaving out {len(excluded)} tests: {failure}",
        "run `mutmut run` in the project to see the full error",
    )
