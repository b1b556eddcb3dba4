"""Find the tests that break under mutmut's trampolines, so the run can go on without them.

When mutmut's clean or stats run fails (or hangs), the suite is run once more
on the mutated copy (`mutants/`, every trampoline switched to the original
code) with a tracing plugin: failed tests are read from the trace, and after
a timeout the test that was running is the one that hangs. Failing tests are
then run on the unmutated copy: if they fail there too the suite is simply
red, which is not ours to hide.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualitygate import process
from qualitygate.errors import TestsFailedError, ToolError
from qualitygate.mutation import mutmut_adapter
from qualitygate.mutation.workspace import Workspace

MAX_HANGING = 5
PYTEST_BASE = [
    "-m",
    "pytest",
    "--rootdir=.",
    "-q",
    "--tb=line",
    "-p",
    "no:randomly",
    "-p",
    "no:random-order",
    "-p",
    "no:cacheprovider",
    "-p",
    "qualitygate_trace",
]


@dataclass(frozen=True)
class Diagnosis:
    failing: tuple[str, ...]
    hanging: tuple[str, ...]

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.hanging + self.failing


def _read_trace(trace: Path) -> tuple[list[str], list[str], list[str]]:
    started: list[str] = []
    failed: list[str] = []
    finished: list[str] = []
    lines = trace.read_text(encoding="utf-8").splitlines() if trace.is_file() else []
    for line in lines:
        event, _, nodeid = line.partition(" ")
        {"start": started, "fail": failed, "done": finished}.get(event, []).append(nodeid)
    return started, failed, finished


def _environment(workspace: Workspace, cwd: Path, trace: Path) -> dict[str, str]:
    env = mutmut_adapter.child_environment(workspace)
    extra = [str(cwd / folder) for folder in ("src", "source") if (cwd / folder).is_dir()]
    env["PYTHONPATH"] = os.pathsep.join([*extra, env["PYTHONPATH"]])
    env.update(MUTANT_UNDER_TEST="", PY_IGNORE_IMPORTMISMATCH="1", QUALITYGATE_TRACE=str(trace))
    return env


def _pytest(
    workspace: Workspace, python: str, cwd: Path, args: Sequence[str], timeout: float, trace: Path
) -> list[str]:
    """Run pytest with the trace plugin; return the failed node ids."""
    trace.unlink(missing_ok=True)
    process.run(
        [python, *PYTEST_BASE, *args],
        cwd=cwd,
        timeout=timeout,
        env=_environment(workspace, cwd, trace),
        what="pytest (diagnosis)",
    )
    return list(dict.fromkeys(_read_trace(trace)[1]))


def _hanging_test(trace: Path) -> str:
    started, _, finished = _read_trace(trace)
    running = [nodeid for nodeid in started if nodeid not in finished]
    if not running:
        raise ToolError(
            "the test suite did not finish under mutmut, and no single test was running",
            "a fixture or collection hangs; raise --timeout or fix it",
        )
    return running[-1]


def _under_trampolines(
    workspace: Workspace, python: str, args: Sequence[str], timeout: float
) -> Diagnosis:
    hanging: list[str] = []
    for attempt in range(MAX_HANGING + 1):
        trace = workspace.scratch / f"trace-{attempt}.txt"
        deselect = [arg for nodeid in hanging for arg in ("--deselect", nodeid)]
        try:
            failed = _pytest(
                workspace, python, workspace.project / "mutants", [*args, *deselect], timeout, trace
            )
        except process.Timeout:
            hanging.append(_hanging_test(trace))
            continue
        return Diagnosis(failing=tuple(failed), hanging=tuple(hanging))
    raise ToolError(
        f"more than {MAX_HANGING} tests hang under mutmut (first: {hanging[0]})",
        "fix the hanging tests or raise --timeout",
    )


def diagnose(
    workspace: Workspace,
    python: str,
    pytest_args: Sequence[str],
    selection: Sequence[str],
    timeout: float,
) -> Diagnosis:
    """Tests that fail or hang only under mutmut; raise TestsFailedError when they fail anyway."""
    found = _under_trampolines(workspace, python, [*pytest_args, *selection], timeout)
    if found.failing:
        trace = workspace.scratch / "trace-plain.txt"
        red = _pytest(
            workspace, python, workspace.project, [*pytest_args, *found.failing], timeout, trace
        )
        if red:
            raise TestsFailedError(red)
    return found
