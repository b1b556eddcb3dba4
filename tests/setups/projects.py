"""Small projects shaped like the setups real projects have, and independent measurements.

Each builder returns the files of a project; `independent_coverage` measures the
same project with coverage.py (or pytest-cov) alone, the way a user would
without qualitygate, so a test can compare figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

APP = {
    "app/__init__.py": "",
    "app/services/__init__.py": "",
    "app/services/calc.py": """
        def add(a, b):
            return a + b


        def ratio(a, b):
            if b == 0:
                return None
            return a / b


        def never(x):
            return x * 2
        """,
    "tests/conftest.py": """
        import pytest


        @pytest.fixture
        def tag(worker_id):
            return worker_id
        """,
    "tests/test_calc.py": """
        from app.services.calc import add, ratio


        def test_add(tag):
            assert tag in ("master", "gw0", "gw1")
            assert add(1, 2) == 3


        def test_ratio():
            assert ratio(4, 2) == 2
        """,
}

GATE = """
[tool.qualitygate]
source = ["app"]
min_diff_coverage = 80

[tool.qualitygate.layers.services]
paths = ["app/services/**"]
min_coverage = 50
min_diff_coverage = 80
"""

XDIST = '[tool.pytest.ini_options]\naddopts = "-n 2 --dist loadfile"\ntestpaths = ["tests"]\n'
PARALLEL = "[tool.coverage.run]\nparallel = true\nbranch = true\n"

# A change to the project: a covered and an uncovered line.
CHANGE = {
    "app/services/calc.py": """
        def add(a, b):
            return b + a


        def ratio(a, b):
            if b == 0:
                return None
            return a / b


        def never(x):
            return x * 3
        """,
}


def project(*pyproject_parts: str) -> dict[str, str]:
    """The app and its tests with the gate config plus `pyproject_parts`."""
    return {**APP, "pyproject.toml": "\n".join([GATE, *pyproject_parts])}


def with_gate_key(pyproject: str, line: str) -> str:
    """The pyproject text with one more [tool.qualitygate] key, set by `line`."""
    return pyproject.replace('source = ["app"]', f'source = ["app"]\n{line}', 1)


def independent_coverage(root: Path, *pytest_args: str, pytest_cov: bool = False) -> dict:
    """coverage.py's own JSON report of the project's suite, measured outside qualitygate:
    `coverage run` (then `coverage combine`, for parallel data), or pytest-cov."""
    with tempfile.TemporaryDirectory() as tmp:
        data, report = Path(tmp) / ".coverage", Path(tmp) / "coverage.json"
        env = {**os.environ, "COVERAGE_FILE": str(data), "PYTHONDONTWRITEBYTECODE": "1"}
        python = [sys.executable, "-m"]
        if pytest_cov:
            run = [*python, "pytest", "--cov=app", "--cov-branch", *pytest_args]
        else:
            run = [*python, "coverage", "run", "--branch", "--source=app", "-m", "pytest"]
            run += list(pytest_args)
        run += ["-p", "no:cacheprovider", "-q"]
        subprocess.run(run, cwd=root, env=env, check=True, capture_output=True, timeout=600)
        if not data.exists():
            subprocess.run(
                [*python, "coverage", "combine", str(tmp)], cwd=root, env=env, check=True,
                capture_output=True, timeout=600,
            )  # fmt: skip
        subprocess.run(
            [*python, "coverage", "json", "-o", str(report)], cwd=root, env=env, check=True,
            capture_output=True, timeout=600,
        )  # fmt: skip
        return json.loads(report.read_text())


def per_file(report: dict) -> dict[str, tuple[int, int]]:
    """path -> (statements, covered lines) from coverage.py's JSON report."""
    return {
        path: (f["summary"]["num_statements"], f["summary"]["covered_lines"])
        for path, f in report["files"].items()
    }
