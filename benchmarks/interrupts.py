"""Interrupt `qualitygate check` (mutation on) at random moments and count what is left.

    python benchmarks/interrupts.py [RUNS] [SEED]

Each run gets its own TMPDIR, so every process it started can be found afterwards by that
variable in /proc/*/environ, and every temporary folder by listing it. Prints a table:
runs, how they ended, changed bytes in the tree, processes left, temporary folders left.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from tests.conftest import FAILING_CHANGE, LAYERED_FILES  # noqa: E402
from tests.fixtures import commit, git_state, make_repo, snapshot, write  # noqa: E402


def survivors(tmpdir: str) -> list[int]:
    """Processes whose environment names this run's TMPDIR."""
    needle = f"TMPDIR={tmpdir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if needle in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def project(base: Path) -> Path:
    config = LAYERED_FILES["pyproject.toml"].replace(
        "min_coverage = 60\n", "min_coverage = 60\nmin_mutation_score = 50\n"
    )
    root = make_repo(base / "repo", {**LAYERED_FILES, "pyproject.toml": config})
    slow = "import time\n\n\ndef test_slow():\n    time.sleep(0.2)\n"
    write(root, {f"tests/test_slow_{i}.py": slow for i in range(5)})
    commit(root, "slow tests")
    write(root, FAILING_CHANGE)
    return root


def one_run(root: Path, delay: float, sig: signal.Signals) -> tuple[str, int, int, int]:
    script = shutil.which("qualitygate", path=str(Path(sys.executable).parent)) or "qualitygate"
    tmpdir = tempfile.mkdtemp(prefix="qg-interrupt-")
    before, state = snapshot(root), git_state(root)
    env = {**os.environ, "TMPDIR": tmpdir}
    proc = subprocess.Popen(
        [script, "check", "-C", str(root), "-q", "--base", "HEAD", "--no-cache"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    proc.send_signal(sig)
    proc.communicate(timeout=600)
    time.sleep(0.5)  # let killed groups be reaped
    ended = {130: "130 interrupted", 1: "1 finished first"}.get(proc.returncode)
    changed = sum(len(v) for k, v in snapshot(root).items() if before.get(k) != v) + sum(
        len(v) for k, v in before.items() if k not in snapshot(root)
    )
    changed += 0 if git_state(root) == state else 1
    left = survivors(tmpdir)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    folders = len(list(Path(tmpdir).iterdir()))
    shutil.rmtree(tmpdir, ignore_errors=True)
    return ended or f"{proc.returncode} unexpected", changed, len(left), folders


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 12)
    with tempfile.TemporaryDirectory() as base:
        root = project(Path(base))
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "qualitygate", "check", "-C", str(root), "-q", "--base",
             "HEAD", "--no-cache"], capture_output=True, check=False,
        )  # fmt: skip
        full = time.monotonic() - started
        endings: Counter[str] = Counter()
        changed = left = folders = 0
        for _ in range(runs):
            sig = rng.choice([signal.SIGINT, signal.SIGTERM])
            ended, c, p, f = one_run(root, rng.uniform(0.0, full), sig)
            endings[ended] += 1
            changed, left, folders = changed + c, left + p, folders + f
    print(f"one full run: {full:.1f} s; {runs} runs interrupted at random within it")
    print(f"{'ended':<22}{'runs':>6}")
    for ended, count in sorted(endings.items()):
        print(f"{ended:<22}{count:>6}")
    print(f"changed bytes {changed}, processes left {left}, temporary folders left {folders}")
    return (
        0 if not (changed or left or folders) and not any("unexpected" in e for e in endings) else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
