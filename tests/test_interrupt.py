"""Interrupted runs: exit 130, nothing left running, nothing changed in the repository."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures import git_state, snapshot, write

HANG = "import time\n\n\ndef test_hang():\n    open('started', 'w').close()\n    time.sleep(120)\n"


def start_check(root: Path, **env: str) -> subprocess.Popen[str]:
    """`qualitygate check --base HEAD` on `root`, in the background, plain output."""
    return subprocess.Popen(
        [sys.executable, "-m", "qualitygate", "check", "--base", "HEAD", "-q"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **env},
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_while_tests_run(layered: Path, sig: signal.Signals) -> None:
    write(layered, {"tests/test_hang.py": HANG, "app/db/cache.py": "X = 1\n"})
    before, state = snapshot(layered), git_state(layered)
    marker = layered / "started"
    proc = start_check(layered)
    deadline = time.monotonic() + 240  # a loaded machine starts pytest slowly
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the hanging test never started"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=240)
    marker.unlink()  # written by the fixture's own test, not by qualitygate
    assert proc.returncode == 130, err
    assert "qualitygate: interrupted; nothing in the repository was changed" in err
    assert "error:" not in err  # the person stopped it: not an error
    assert snapshot(layered) == before and git_state(layered) == state
    assert not processes_running(str(layered)), "a pytest child outlived the gate"


def processes_running(needle: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in text:
            found.append(text)
    return found


def test_a_reader_that_goes_away_stops_the_output_quietly(layered: Path) -> None:
    write(layered, {"app/db/cache.py": "X = 1\n"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitygate", "check", "--base", "HEAD", "-q", "--report", "json"],
        cwd=layered,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # like `| head -0`
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141
    assert b"Traceback" not in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_start_up_exits_130(layered: Path, sig: signal.Signals) -> None:
    """Even within the imports, and when the parent started it with SIGINT ignored."""
    script = shutil.which("qualitygate", path=str(Path(sys.executable).parent))
    assert script
    proc = subprocess.Popen(
        [script, "check", "-C", str(layered), "--base", "HEAD"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert catches(proc.pid, sig), "the gate never installed its handler"
    proc.send_signal(sig)  # within the imports that follow the handlers
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err


# A signal that lands in the last instant of `signal.signal`, once the handler is in
# (the race the test above can only hit by chance): the Nth call raises as the handler
# would. The first two are `console`'s own, the third and fourth `main`'s.
LATE_SIGNAL = """
import signal, sys
from qualitygate import __main__ as entry
install, calls = signal.signal, []
def late(*args):
    previous = install(*args)
    calls.append(args)
    if len(calls) == {n}:
        raise KeyboardInterrupt
    return previous
signal.signal = late
sys.argv = ["qualitygate", "--version"]
raise SystemExit(entry.console())
"""


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_a_signal_as_a_handler_goes_in_exits_130(n: int) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LATE_SIGNAL.format(n=n)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "qualitygate: interrupted; nothing in the repository was changed\n"


def catches(pid: int, sig: signal.Signals, timeout: float = 120) -> bool:
    """Wait until process `pid` catches `sig` (its SigCgt in /proc). A signal sent before
    that, while the interpreter itself starts, is ignored as the parent asked; on a loaded
    machine that start can outlast any fixed sleep."""
    bit = 1 << (int(sig) - 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        for line in status.splitlines():
            if line.startswith("SigCgt:") and int(line.split()[1], 16) & bit:
                return True
        time.sleep(0.001)
    return False


def with_mutation(root: Path) -> None:
    """The services layer gets a mutation target."""
    config = (root / "pyproject.toml").read_text()
    write(root, {"pyproject.toml": config + "min_mutation_score = 1\n"})


def test_interrupt_while_mutmut_stands_by_leaves_nothing(layered: Path, tmp_path: Path) -> None:
    """mutmut's interpreter starts beside the coverage run (it imports mutmut meanwhile);
    an interrupt then stops it too and removes its workspace."""
    change = "def add(a, b):\n    return b + a\n"
    with_mutation(layered)
    write(layered, {"tests/test_hang.py": HANG, "app/services/calc.py": change})
    temp = tmp_path / "tmp"
    temp.mkdir()
    marker = layered / "started"
    proc = start_check(layered, TMPDIR=str(temp))
    deadline = time.monotonic() + 240  # a loaded machine starts pytest slowly
    while time.monotonic() < deadline and not (
        marker.exists() and processes_running("qualitygate_driver.py serve")
    ):
        time.sleep(0.05)
    assert marker.exists(), "the hanging test never started"
    assert processes_running(f"{temp}"), "mutmut's interpreter was not standing by"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 130, err
    assert not processes_running(str(temp)), "mutmut's interpreter outlived the gate"
    assert not [p.name for p in temp.iterdir() if p.name.startswith("qualitygate")]


def test_failing_tests_stop_mutmut_standing_by(failing_change: Path, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with_mutation(failing_change)
    write(failing_change, {"tests/test_fails.py": "def test_fails():\n    assert False\n"})
    done = subprocess.run(
        [sys.executable, "-m", "qualitygate", "check", "--base", "HEAD", "-q"],
        cwd=failing_change,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(temp)},
        timeout=300,
    )
    assert done.returncode == 3, done.stderr
    assert "test_fails" in done.stderr
    assert not processes_running(str(temp)), "mutmut's interpreter outlived the gate"
    assert not [p.name for p in temp.iterdir() if p.name.startswith("qualitygate")]
