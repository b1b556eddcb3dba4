from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qualitygate.main import main
from qualitygate.reporters.check import jsonreport as check_json
from qualitygate.reporters.report import jsonreport as report_json
from tests import report_schemas
from tests.fixtures import commit, make_repo, write

LAYERED_CONFIG = """
[tool.qualitygate]
source = ["app"]
tests = ["tests"]
min_diff_coverage = 80

[tool.qualitygate.layers.infrastructure]
paths = ["app/db/**"]
min_coverage = 50
min_diff_coverage = 80

[tool.qualitygate.layers.services]
paths = ["app/services/**"]
min_coverage = 60
min_diff_coverage = 90
"""

LAYERED_FILES = {
    "pyproject.toml": LAYERED_CONFIG,
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/store.py": """
        def save(rows, limit):
            if len(rows) > limit:
                return "too many"
            return "ok"
        """,
    "app/services/__init__.py": "",
    "app/services/calc.py": """
        def add(a, b):
            return a + b
        """,
    "tests/test_store.py": """
        from app.db.store import save

        def test_save_ok():
            assert save([1], 2) == "ok"
        """,
    "tests/test_calc.py": """
        from app.services.calc import add

        def test_add():
            assert add(1, 2) == 3
        """,
}


# One change that fails the layered fixture's gate: a never-imported file, an uncovered
# line inside a tested function, and a covered change in a passing layer.
FAILING_CHANGE = {
    "app/db/store.py": """
        def save(rows, limit):
            if len(rows) > limit:
                print("over")
                return "too many"
            return "ok"
        """,
    "app/db/cache.py": "def get(key):\n    return key\n",
    "app/services/calc.py": "def add(a, b):\n    return b + a\n",
}


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    """A small layered project: infrastructure (app/db) and services, on branch main."""
    return make_repo(tmp_path / "repo", LAYERED_FILES)


@pytest.fixture
def failing_change(layered: Path) -> Path:
    write(layered, FAILING_CHANGE)
    return layered


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in list(os.environ):
        if var.startswith(("QUALITYGATE_", "PRE_COMMIT_", "GITHUB_")) or var == "NO_COLOR":
            monkeypatch.delenv(var)
    monkeypatch.setenv("COLUMNS", "80")  # plain text is laid out for the terminal's width


@pytest.fixture(autouse=True)
def _json_follows_its_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every JSON report a test makes in-process is validated against the published schema
    (tests that run qualitygate in a subprocess call report_schemas.validate themselves).
    A breach fails the test even where main() turned it into an exit code nobody checked."""
    breaches: list[str] = []

    def validating(made: Callable[[Any], dict[str, Any]], given: Any) -> dict[str, Any]:
        data = made(given)
        try:
            return report_schemas.validate(data)
        except jsonschema.ValidationError as exc:
            breaches.append(f"{exc.json_path}: {exc.message}")
            raise

    for module in (check_json, report_json):
        monkeypatch.setattr(module, "as_dict", functools.partial(validating, module.as_dict))
    yield
    assert not breaches, f"a JSON report breaks its published schema: {breaches[0]}"


def run_cli(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", "-C", str(root), "-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["check", "-C", str(root), "-q", "--report", "json", *args])
    out, err = capsys.readouterr()
    assert out, err
    return code, json.loads(out)


__all__ = ["FAILING_CHANGE", "LAYERED_FILES", "commit", "run_cli", "run_json", "write"]
