"""run_mutation end to end: real mutmut on small projects in real git repositories."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qualitygate.errors import ToolError
from qualitygate.mutation import Mutant, MutationOutcome, run_mutation
from tests.fixtures import commit, git_state, snapshot, write
from tests.mutation.projects import BOUNDARY_TEST, calc_project, request

pytestmark = pytest.mark.slow
ALL_LINES = {"app/calc.py": set(range(1, 17))}


def by_line(outcome: MutationOutcome, line: int) -> list[Mutant]:
    return [m for m in outcome.mutants if m.line == line]


def test_weak_test_leaves_a_named_survivor_and_lines_mutmut_cannot_test(tmp_path: Path) -> None:
    root = calc_project(tmp_path)
    before, state = snapshot(root), git_state(root)
    outcome = run_mutation(request(root, ALL_LINES, tmp_path / "cache"))
    [survivor] = [m for m in outcome.mutants if m.status == "survived"]
    assert (survivor.path, survivor.line) == ("app/calc.py", 5)
    assert survivor.diff == "-    if total >= limit:\n+    if total > limit:"
    assert survivor.tests == ("tests/test_calc.py::test_over",)
    assert survivor.name == "app.calc.x_over__mutmut_1"
    assert {m.status for m in outcome.mutants if m is not survivor} == {"killed"}
    assert {m.name for m in by_line(outcome, 12)} == {
        "app.calc.xǁCartǁadd__mutmut_1",
        "app.calc.xǁCartǁadd__mutmut_2",
    }
    reasons = {n.line: n.reason for n in outcome.not_testable}
    assert reasons[1] == "module-level code (runs at import time)"
    assert reasons[15] == reasons[16] == "decorated function (@property): mutmut skips it"
    assert reasons[10] == "class body (runs at import time)"
    assert not {m.line for m in outcome.mutants} & set(reasons)
    assert outcome.executed == len(outcome.mutants) == 5 and outcome.excluded_tests == ()
    assert snapshot(root) == before and git_state(root) == state
    assert not (root / "mutants").exists()


def test_only_changed_lines_are_mutated_and_a_strong_test_kills(tmp_path: Path) -> None:
    root = calc_project(tmp_path, {"tests/test_boundary.py": BOUNDARY_TEST})
    outcome = run_mutation(request(root, {"app/calc.py": {5}}, tmp_path / "cache"))
    assert [(m.line, m.status) for m in outcome.mutants] == [(5, "killed")]
    assert "tests/test_boundary.py::test_boundary" in outcome.mutants[0].tests


def test_without_pidfd_mutmut_s_exit_is_waited_for_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel older than Linux 5.3 (a fault this machine cannot make): the session
    waits for mutmut with Popen.wait, and the verdicts are the same."""

    def no_pidfd(pid: int) -> int:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    root = calc_project(tmp_path, {"tests/test_boundary.py": BOUNDARY_TEST})
    outcome = run_mutation(request(root, {"app/calc.py": {5}}, tmp_path / "cache"))
    assert [(m.line, m.status) for m in outcome.mutants] == [(5, "killed")]


def test_mutmut_s_process_ends_with_the_exit_handlers_of_the_tests_it_ran(
    tmp_path: Path,
) -> None:
    """The driver leaves without the interpreter's teardown, but after the atexit
    handlers: a suite's own (a conftest cleaning up after itself) still runs. (mutmut's
    forks of the process may run it too, as they did before.)"""
    marker = tmp_path / "exit-handler-ran"
    conftest = textwrap.dedent(f"""
        import atexit


        def _cleanup():
            with open({str(marker)!r}, "a") as out:
                out.write("ran\\n")


        atexit.register(_cleanup)
        """)
    root = calc_project(tmp_path, {"tests/conftest.py": conftest})
    outcome = run_mutation(request(root, {"app/calc.py": {5}}, tmp_path / "cache"))
    assert [(m.line, m.status) for m in outcome.mutants] == [(5, "survived")]
    assert "ran\n" in marker.read_text()


def test_cache_reuses_verdicts_until_a_killing_test_is_added(tmp_path: Path) -> None:
    root = calc_project(tmp_path)
    changed = request(root, {"app/calc.py": {5, 6}}, tmp_path / "cache")
    first = run_mutation(changed)
    assert [m.status for m in first.mutants] == ["survived", "killed"]
    generated = list((tmp_path / "cache" / "generated").iterdir())
    write(root, {"pyproject.toml": '[project]\nname = "calc"\nversion = "2"\n'})
    commit(root, "a version bump, not pytest config")
    second = run_mutation(changed)
    assert second.executed == 0 and all(m.cached for m in second.mutants)
    assert [(m.status, m.diff, m.tests) for m in second.mutants] == [
        (m.status, m.diff, m.tests) for m in first.mutants
    ]
    write(root, {"tests/test_boundary.py": BOUNDARY_TEST})
    commit(root, "a killing test")
    third = run_mutation(changed)
    assert [(m.line, m.status) for m in third.mutants] == [(5, "killed"), (6, "killed")]
    assert third.executed == 1 and [m.cached for m in third.mutants] == [False, True]
    assert list((tmp_path / "cache" / "generated").iterdir()) == generated  # probe not rerun


CALLER_NAME = textwrap.dedent("""
    import inspect


    def caller_name():
        return inspect.stack()[1].function.upper()


    def double(x):
        return x * 2
    """)
CALLER_NAME_TESTS = textwrap.dedent("""
    from app.calc import caller_name, double


    def test_caller_name():
        assert caller_name() == "TEST_CALLER_NAME"


    def test_double():
        assert double(3) == 6
    """)


def test_a_test_failing_only_under_mutmut_is_excluded_and_named(tmp_path: Path) -> None:
    files = {"app/calc.py": CALLER_NAME, "tests/test_calc.py": CALLER_NAME_TESTS}
    root = calc_project(tmp_path, files)
    before = snapshot(root)
    outcome = run_mutation(request(root, {"app/calc.py": {5, 9}}, tmp_path / "cache"))
    assert outcome.excluded_tests == ("tests/test_calc.py::test_caller_name",)
    assert {(m.line, m.status) for m in outcome.mutants} == {(5, "no_tests"), (9, "killed")}
    assert snapshot(root) == before


def test_tests_left_out_are_remembered_until_their_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later change to the same functions (new mutants, not cached) leaves out from its
    first round the tests an earlier run had to leave out, instead of finding them again
    (a round of mutmut and runs of the suite): the same verdicts and the same tests left
    out as a run that remembers nothing. Other functions mutated, or a changed test file:
    looked at again."""
    from qualitygate.mutation import runner

    searched: list[int] = []
    real = runner._left_out
    monkeypatch.setattr(runner, "_left_out", lambda *a: searched.append(1) or real(*a))  # a spy
    files = {"app/calc.py": CALLER_NAME, "tests/test_calc.py": CALLER_NAME_TESTS}
    root = calc_project(tmp_path, files)
    cache, left_out = tmp_path / "cache", ("tests/test_calc.py::test_caller_name",)
    lines = {"app/calc.py": {5, 9}}
    assert run_mutation(request(root, lines, cache)).excluded_tests == left_out
    assert searched == [1]
    write(root, {"app/calc.py": CALLER_NAME.replace(".upper()", ".strip().upper()")})
    commit(root, "the same functions, other mutants")
    said: list[str] = []
    remembered = run_mutation(request(root, lines, cache), steps=said.append)
    assert searched == [1] and remembered.excluded_tests == left_out
    assert remembered.executed == len(remembered.mutants) - 2  # line 9's two are cached
    assert "Mutation: leaving out 1 test that failed under mutmut in an earlier run" in said
    fresh = run_mutation(request(root, lines, tmp_path / "fresh"))
    assert searched == [1, 1] and fresh.excluded_tests == left_out
    assert [(m.line, m.status, m.diff) for m in remembered.mutants] == [
        (m.line, m.status, m.diff) for m in fresh.mutants
    ]
    only_double = run_mutation(request(root, {"app/calc.py": {9}}, tmp_path / "cache2"))
    assert only_double.excluded_tests == ()  # caller_name not mutated: the test passes
    write(root, {"tests/test_calc.py": CALLER_NAME_TESTS + "# changed\n"})
    commit(root, "the test file changes")
    again = run_mutation(request(root, lines, cache))
    assert searched == [1, 1, 1] and again.excluded_tests == left_out


def test_a_test_hanging_only_under_mutmut_is_stopped_and_excluded(tmp_path: Path) -> None:
    hanging = textwrap.dedent("""
        import os
        import time

        from app.calc import over


        def test_hangs_under_mutmut():
            if "MUTANT_UNDER_TEST" in os.environ:
                time.sleep(600)
            assert over(3, 1)
        """)
    root = calc_project(tmp_path, {"tests/test_hang.py": hanging})
    started = time.monotonic()
    # generous: at a load of 12 on 2 cores an honest stats run must stay under the hang limit
    outcome = run_mutation(request(root, {"app/calc.py": {5, 6}}, tmp_path / "cache", timeout=60))
    assert time.monotonic() - started < 60 + 15
    assert outcome.excluded_tests == ("tests/test_hang.py::test_hangs_under_mutmut",)
    assert [m.status for m in outcome.mutants] == ["survived", "killed"]


def test_a_test_hanging_on_the_unmodified_code_fails_within_the_timeout(tmp_path: Path) -> None:
    hanging = "import time\n\n\ndef test_forever():\n    time.sleep(600)\n"
    root = calc_project(tmp_path, {"tests/test_hang.py": hanging})
    started = time.monotonic()
    with pytest.raises(ToolError) as caught:
        run_mutation(request(root, {"app/calc.py": {5, 6}}, tmp_path / "cache", timeout=30))
    assert time.monotonic() - started < 30 + 15
    # "hangs: still running after 10 s on the unmodified project", or on a loaded machine
    # "did not finish within 30 s (test ... was running)"
    test = re.escape("tests/test_hang.py::test_forever")
    assert re.match(rf"test {test} hangs: |.* \(test {test} was running\)", str(caught.value))
    assert "\n" not in str(caught.value)


def test_a_retry_keeps_the_probes_mutants_and_names(tmp_path: Path) -> None:
    calc = textwrap.dedent("""
        import inspect


        def caller_name():
            return inspect.stack()[1].function.upper()


        def scale(x):
            label = "scale"
            return x * 2
        """)
    tests = textwrap.dedent("""
        from app.calc import caller_name, scale


        def test_caller_name():
            assert caller_name() == "TEST_CALLER_NAME"


        def test_scale():
            assert scale(3) == 6
        """)
    root = calc_project(tmp_path, {"app/calc.py": calc, "tests/test_calc.py": tests})
    outcome = run_mutation(request(root, {"app/calc.py": {5, 10}}, tmp_path / "cache"))
    assert outcome.excluded_tests == ("tests/test_calc.py::test_caller_name",)
    on_10 = [(m.status, m.diff) for m in outcome.mutants if m.line == 10]
    assert on_10 == [
        ("killed", "-    return x * 2\n+    return x / 2"),
        ("killed", "-    return x * 2\n+    return x * 3"),
    ]


def test_mutants_of_a_changed_call_are_kept_on_the_lines_they_change(tmp_path: Path) -> None:
    calc = textwrap.dedent("""
        def total(a, b):
            return combine(
                a,
                b,
            )


        def combine(a, b):
            return a + b
        """)
    tests = "from app.calc import total\n\n\ndef test_total():\n    assert total(1, 2) == 3\n"
    root = calc_project(tmp_path, {"app/calc.py": calc, "tests/test_calc.py": tests})
    outcome = run_mutation(request(root, {"app/calc.py": {2}}, tmp_path / "cache"))
    assert {m.line for m in outcome.mutants} == {3, 4}
    assert {m.status for m in outcome.mutants} == {"killed"}
    assert outcome.not_testable == ()


def test_mutmut_missing_from_the_interpreter_is_a_tool_error(tmp_path: Path) -> None:
    root = calc_project(tmp_path)
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    no_mutmut = request(root, {"app/calc.py": {5}}, tmp_path / "cache")
    no_mutmut = type(no_mutmut)(**{**no_mutmut.__dict__, "python": str(bare / "bin" / "python")})
    with pytest.raises(ToolError, match="mutmut is not importable") as caught:
        run_mutation(no_mutmut)
    assert "pip install 'mutmut>=3.8,<3.9'" in str(caught.value)


INTERRUPTED = """
import signal
import sys
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)  # as qualitygate's main does
sys.path.insert(0, {repo!r})
from qualitygate.mutation import run_mutation
from tests.mutation.projects import request
print("started", flush=True)
run_mutation(request(Path({root!r}), {{"app/calc.py": {{5, 6, 7, 12}}}}, Path({cache!r})))
"""


def _processes_in(folder: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if str(folder) in os.readlink(proc / "cwd"):
                found.append(proc.name)
        except OSError:
            continue
    return found


def test_interrupted_run_leaves_no_trace_and_fails(tmp_path: Path) -> None:
    slow = "import time\n\ndef test_slow():\n    time.sleep(0.3)\n" * 1
    slow_tests = {
        f"tests/test_slow_{i}.py": "import time\nfrom app.calc import over\n\n\n"
        f"def test_slow_{i}():\n    time.sleep(0.4)\n    assert over(5, 1)\n"
        for i in range(8)
    }
    root = calc_project(tmp_path, {"tests/test_slow.py": slow, **slow_tests})
    before, state = snapshot(root), git_state(root)
    temp = tmp_path / "tmp"
    temp.mkdir()
    script = INTERRUPTED.format(repo=str(Path.cwd()), root=str(root), cache=str(tmp_path / "cache"))
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not list(temp.glob("*/project/mutants")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode != 0 and "KeyboardInterrupt" in stderr
    assert snapshot(root) == before and git_state(root) == state
    assert list(temp.iterdir()) == []
    assert _processes_in(temp) == []


def rows(outcome: MutationOutcome) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    mutants = sorted((m.path, m.line, m.diff, m.status, m.tests) for m in outcome.mutants)
    return mutants, sorted((n.path, n.line, n.reason) for n in outcome.not_testable)


MORE = {"app/more.py": "def more(x):\n    return x + 1\n"}


@pytest.mark.parametrize(
    ("early", "taken"),
    [
        ({"app/calc.py": {5, 6, 12}}, True),  # more lines: the stage's part is taken
        ({"app/calc.py": {5, 6}}, True),
        ({"app/calc.py": {5}}, False),  # fewer: probed again, in a fresh workspace
        ({"app/calc.py": {5, 6}, "app/more.py": {2}}, False),  # other files: the same
        ({}, False),  # nothing probed: the standby's own workspace, probed now
    ],
)
def test_a_probe_made_early_gives_the_verdicts_of_the_stage_s_own(
    tmp_path: Path, early: dict[str, set[int]], taken: bool
) -> None:
    """`check` probes the changed statements while its tests run; the coverage run may
    narrow them (code that runs only at import time). The stage's mutants, verdicts
    and untestable lines are those of a stage that probed its own lines."""
    from qualitygate.mutation import Standby

    root = calc_project(tmp_path, MORE)
    asked = {"app/calc.py": {5, 6}}
    alone = run_mutation(request(root, asked, tmp_path / "alone"))
    steps: list[str] = []
    with Standby.of(request(root, asked, tmp_path / "cache")) as standby:
        wide = request(root, early, tmp_path / "cache")
        standby.probe_early(wide, lambda: wide.changed_lines)
        outcome = run_mutation(
            request(root, asked, tmp_path / "cache"), steps=steps.append, standby=standby
        )
    assert rows(outcome) == rows(alone) and len(outcome.mutants) == 2
    assert any("generated while the tests ran" in step for step in steps) is taken
    assert any("generating the mutants" in step for step in steps) is not taken
    assert standby.spoiled is (not taken and bool(early))
