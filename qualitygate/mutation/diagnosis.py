"""Find the tests that break under mutmut's trampolines, so the run can go on without them.

Every pytest run qualitygate or mutmut makes in the copy loads the trace
plugin (`pytest_trace_plugin`): it records which tests ran and failed, and
stops the run when one test runs longer than the budget's hang limit.

When mutmut's clean or stats run fails, the suite is run once more on the
mutated copy (`mutants/`, every trampoline switched to the original code)
without stopping at the first failure. The tests that failed or hung there
are then run on the unmutated copy. One that hangs there too is a ToolError
naming it. One that fails there too is run once more in the user's own
tree, as `check`'s coverage run does: failing there as well, the suite is
simply red (TestsFailedError), not ours to hide; passing there, it fails only
in the copy (a git-ignored file it reads, a path it assumes) and is left out
and named, like every test that fails only under mutmut.

A test that failed in mutmut's run but passes in that fresh one fails only in
mutmut's process: typically it changes its own parameters or shared state, and
fails when run a second time in one interpreter, as mutmut runs the suite (its
statistics, then the clean run). The suite is then run twice in one
interpreter, and every test that fails the second time is left out at once;
mutmut's own run stops at the first, which would leave out one per round.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualitygate import process
from qualitygate.errors import TestsFailedError, ToolError
from qualitygate.mutation import mutmut_adapter
from qualitygate.mutation.budget import Budget
from qualitygate.mutation.workspace import Workspace

MAX_HANGING = 5
TRACE_PLUGIN = "qualitygate_trace"
TRACE_ARGS = ("-p", TRACE_PLUGIN)
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
]


@dataclass(frozen=True)
class Trace:
    started: tuple[str, ...]
    failed: tuple[str, ...]
    finished: tuple[str, ...]
    hung: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> Trace:
        events: dict[str, list[str]] = {"start": [], "fail": [], "done": [], "hang": []}
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        for line in lines:
            event, _, nodeid = line.partition(" ")
            events.get(event, []).append(nodeid)
        return cls(*(tuple(dict.fromkeys(events[e])) for e in ("start", "fail", "done", "hang")))

    def running(self) -> str | None:
        """The test that was running when the run stopped, if any."""
        running = [nodeid for nodeid in self.started if nodeid not in self.finished]
        return running[-1] if running else None


@dataclass(frozen=True)
class Diagnosis:
    failing: tuple[str, ...]
    hanging: tuple[str, ...]

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.hanging + self.failing


def tracing(env: dict[str, str], trace: Path, budget: Budget) -> dict[str, str]:
    """`env` for a run traced to `trace`, where a test running past the hang limit stops it."""
    return {
        **env,
        "QUALITYGATE_TRACE": str(trace),
        "QUALITYGATE_HANG_LIMIT": f"{budget.hang_limit}",
    }


def out_of_time(budget: Budget, trace: Trace) -> ToolError:
    running = trace.running()
    return ToolError(
        f"mutation testing did not finish within {budget.seconds:.0f} s"
        + (f" (test {running} was running)" if running else ""),
        "fix the slow test or raise the timeout (--timeout)",
    )


def hangs(nodeid: str, budget: Budget) -> ToolError:
    return ToolError(
        f"test {nodeid} hangs: still running after {budget.hang_limit:.0f} s "
        "on the unmodified project",
        "fix or deselect it, or raise the timeout (--timeout; one test may take a third of it)",
    )


def _environment(workspace: Workspace, cwd: Path, trampolines: bool) -> dict[str, str]:
    env = mutmut_adapter.child_environment(workspace)
    extra = [str(cwd / folder) for folder in ("src", "source") if (cwd / folder).is_dir()]
    env["PYTHONPATH"] = os.pathsep.join([*extra, env["PYTHONPATH"]])
    env["PY_IGNORE_IMPORTMISMATCH"] = "1"
    if trampolines:
        env["MUTANT_UNDER_TEST"] = ""  # every trampoline calls the original code
    return env


def _pytest(
    workspace: Workspace,
    python: str,
    args: Sequence[str],
    budget: Budget,
    trace: Path,
    trampolines: bool,
    cwd: Path | None = None,
) -> Trace:
    """Run pytest with the trace plugin: in `mutants/`, in the unmutated copy, or in `cwd`."""
    cwd = cwd or (workspace.project / "mutants" if trampolines else workspace.project)
    plugin = [] if TRACE_PLUGIN in args else list(TRACE_ARGS)
    trace.unlink(missing_ok=True)
    try:
        process.run(
            [python, *PYTEST_BASE, *plugin, *args],
            cwd=cwd,
            timeout=budget.left(),
            env=tracing(_environment(workspace, cwd, trampolines), trace, budget),
            what="pytest (diagnosis)",
        )
    except process.Timeout:
        raise out_of_time(budget, Trace.read(trace)) from None
    return Trace.read(trace)


def check_unmutated(
    workspace: Workspace, python: str, args: Sequence[str], tests: Sequence[str], budget: Budget
) -> None:
    """Tests left out under mutmut must pass on the unmodified project; raise if they hang
    on the copy, or fail both on the copy and in the user's own tree."""
    trace = workspace.scratch / "trace-unmutated.txt"
    found = _pytest(workspace, python, [*args, *tests], budget, trace, trampolines=False)
    if found.hung:
        raise hangs(found.hung[0], budget)
    if found.failed:
        trace = workspace.scratch / "trace-origin.txt"
        origin = _pytest(
            workspace, python, [*args, *found.failed], budget, trace, False, workspace.origin
        )
        red = [t for t in found.failed if t in origin.failed]
        if red:
            raise TestsFailedError(red)


def _under_trampolines(
    workspace: Workspace, python: str, args: Sequence[str], budget: Budget
) -> Diagnosis:
    hanging: list[str] = []
    for attempt in range(MAX_HANGING + 1):
        trace = workspace.scratch / f"trace-diagnosis-{attempt}.txt"
        deselect = [arg for nodeid in hanging for arg in ("--deselect", nodeid)]
        found = _pytest(workspace, python, [*args, *deselect], budget, trace, trampolines=True)
        if not found.hung:
            return Diagnosis(failing=found.failed, hanging=tuple(hanging))
        hanging.append(found.hung[0])
    raise ToolError(
        f"more than {MAX_HANGING} tests hang under mutmut (first: {hanging[0]})",
        "fix the hanging tests or raise --timeout",
    )


def diagnose(
    workspace: Workspace,
    python: str,
    pytest_args: Sequence[str],
    selection: Sequence[str],
    budget: Budget,
    failed_in_mutmut: Sequence[str] = (),
) -> Diagnosis:
    """Tests that fail or hang only under mutmut; raise when they fail or hang anyway.

    `failed_in_mutmut` are the tests mutmut's own run traced as failing. Some fail only
    there, in mutmut's process (a stack-depth assertion, a test that needs a fresh
    interpreter), and pass in the diagnosis run: they count as failing under mutmut."""
    found = _under_trampolines(workspace, python, [*pytest_args, *selection], budget)
    if any(t not in found.failing for t in failed_in_mutmut):  # only in mutmut's process
        hanging = [arg for nodeid in found.hanging for arg in ("--deselect", nodeid)]
        args = [*pytest_args, *hanging, *selection]  # a hanging test would hang it too
        failed_in_mutmut = [
            *failed_in_mutmut,
            *second_run_failures(workspace, python, args, budget),
        ]
    failing = tuple(dict.fromkeys([*found.failing, *failed_in_mutmut]))
    found = Diagnosis(
        failing=tuple(t for t in failing if t not in found.hanging), hanging=found.hanging
    )
    if found.excluded:
        check_unmutated(workspace, python, pytest_args, found.excluded, budget)
    return found


# Runs the tests twice in one interpreter, as mutmut does (statistics, then the clean run
# and the mutants), and prints the ids of the tests that fail the second time.
RERUN = """
import json, sys, pytest
class Failed:
    def __init__(self): self.ids = []
    def pytest_runtest_logreport(self, report):
        if report.failed: self.ids.append(report.nodeid)
args = ["-q", "--rootdir=.", "-p", "no:cacheprovider", "-p", "no:randomly", *sys.argv[1:]]
pytest.main(args)
second = Failed()
pytest.main(args, plugins=[second])
print(json.dumps(sorted(set(second.ids))))
"""


def second_run_failures(
    workspace: Workspace, python: str, args: Sequence[str], budget: Budget
) -> list[str]:
    """The tests that pass in a fresh interpreter but fail when run a second time in it (a
    test that changes its own parameters or shared state), all found in one go: mutmut's
    own run stops at the first of them, which would leave out one per round."""
    return _in_one_interpreter(workspace, python, RERUN, args, budget, "second-run") or []


def _in_one_interpreter(
    workspace: Workspace,
    python: str,
    script: str,
    args: Sequence[str],
    budget: Budget,
    check: str,
) -> list[str] | None:
    """The list of test ids `script` prints last, run with pytest `args` where mutmut runs
    pytest (`mutants/`, trampolines calling the original code, once it exists); None when
    it cannot tell (it ran out of time, or printed no list)."""
    args = [a for a in args if a not in TRACE_ARGS]
    mutants = workspace.project / "mutants"
    cwd = mutants if mutants.is_dir() else workspace.project
    try:
        done = process.run(
            [python, "-c", script, *args],
            cwd=cwd,
            timeout=budget.left(),
            env=_environment(workspace, cwd, trampolines=cwd == mutants),
            what=f"pytest ({check} check)",
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (process.Timeout, ValueError, IndexError):
        return None
    return [str(t) for t in found] if isinstance(found, list) else None


# Collects twice in one interpreter, as mutmut does (parametrize's values kept as the
# driver keeps them), and prints the test ids that differ.
TWICE = """
import json, sys, pytest
import qualitygate_driver
qualitygate_driver.keep_parameters()
class Ids:
    def __init__(self): self.ids = []
    def pytest_collection_finish(self, session): self.ids = [i.nodeid for i in session.items]
args = ["--collect-only", "-q", "--rootdir=.", "-p", "no:cacheprovider", *sys.argv[1:]]
first, second = Ids(), Ids()
pytest.main(args, plugins=[first])
pytest.main(args, plugins=[second])
print(json.dumps(sorted(set(first.ids) ^ set(second.ids))))
"""


def collection_drift(
    workspace: Workspace, python: str, args: Sequence[str], budget: Budget
) -> ToolError | None:
    """An error naming the tests that pytest collects differently the second time in one
    process (mutmut collects, then runs what it collected): their cases come from
    something the first collection used up, such as an iterator that
    `pytest_generate_tests` reads (parametrize's own values are kept by the driver)."""
    differing = _in_one_interpreter(workspace, python, TWICE, args, budget, "collection")
    if not differing:
        return None
    functions = sorted({nodeid.split("[", 1)[0] for nodeid in differing})
    return ToolError(
        f"{', '.join(functions)}: collected differently each time pytest runs in one process "
        "(mutmut collects, then runs what it collected): the first collection used up what "
        "its cases are made from, as an iterator read in pytest_generate_tests is",
        "make the cases from a list each time they are asked for",
    )
