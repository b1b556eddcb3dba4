"""Fuzz the config with 10,000 examples per property (CI runs 2,000) and print a table.

python benchmarks/fuzz_config.py [EXAMPLES]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "10000"
    env = {**os.environ, "QUALITYGATE_FUZZ_EXAMPLES": examples}
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "tests/faults/test_config_fuzz.py",
        ],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    last = (done.stdout.strip().splitlines() or ["no output"])[-1]
    print(f"{'property tests':<16}{'examples each':>14}{'wall s':>10}  result")
    print(f"{3:<16}{int(examples):>14,}{seconds:>10.1f}  {last}")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
