"""The folder layout's import contract (pyproject's [tool.importlinter]) holds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def test_folders_import_only_in_the_allowed_direction() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, "import-linter is part of the test extra: pip install -e '.[test]'"
    done = subprocess.run([command], cwd=CHECKOUT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


def test_top_level_holds_at_most_ten_modules() -> None:
    top = sorted(p.name for p in (CHECKOUT / "qualitygate").glob("*.py"))
    assert len(top) <= 10, top
