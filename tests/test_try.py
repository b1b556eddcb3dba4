"""README's first command: the try on examples/shop shows what the README says it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_try_fails_with_the_gaps_the_readme_describes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path), "COLUMNS": "80"}
    done = subprocess.run(
        ["sh", str(CHECKOUT / "examples" / "try.sh")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 1, done.stdout + done.stderr
    assert "qualitygate exited 1" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.endswith(("PASS", "FAIL"))}
    assert "77.8% / 90" in rows["domain"] and rows["domain"].endswith("FAIL")
    assert "66.7% / 80" in rows["services"] and rows["services"].endswith("FAIL")
    assert rows["infrastructure"].endswith("PASS")
    assert len(re.findall(r"mutant survived, line 5:", out)) == 2
    assert "! 7  return price * quantity / 2" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    readme = (CHECKOUT / "README.md").read_text()
    for figure in ("77.8%", "66.7%", "line 5", "line 7", "exit code 1"):
        assert figure in readme  # the README describes this very output
    assert list(tmp_path.iterdir()) == []  # the temporary repository is gone
    steps = done.stderr.splitlines()  # progress, plain: not a terminal
    assert "qualitygate: Mutation: the mutants of 1 file, generated while the tests ran" in steps
    seeded = "qualitygate: Mutation: test statistics from the coverage run, then 9 mutants"
    assert f"{seeded} (0 cached)" in steps
