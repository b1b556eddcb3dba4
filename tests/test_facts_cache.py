"""pytest's facts are asked once and reused while nothing they depend on changed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from qualitygate.measure import facts_cache, testrun
from qualitygate.measure.testrun import PytestFacts
from tests.fixtures import make_repo


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {"app/__init__.py": "", "tests/test_a.py": "def test_a():\n    pass\n"}
    return make_repo(tmp_path / "r", files)


def asking(root: Path, asked: list[int]) -> PytestFacts:
    cache = root / ".git" / "qualitygate"

    def ask() -> PytestFacts:
        asked.append(1)
        return testrun.ask_pytest(root, sys.executable, ("tests",), (), 300)

    return facts_cache.cached(cache, root, sys.executable, ("tests",), (), ask)


def test_facts_are_reused_until_a_config_file_changes(project: Path) -> None:
    asked: list[int] = []
    first = asking(project, asked)
    assert asking(project, asked) == first and len(asked) == 1  # the second run asks nothing
    (project / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    changed = asking(project, asked)
    assert len(asked) == 2 and changed.testpaths == ("tests",)
    stamp = (project / "pytest.ini").stat()
    (project / "pytest.ini").write_text("[pytest]\ntestpaths = app\n")  # same size
    os.utime(project / "pytest.ini", ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
    assert asking(project, asked).testpaths == ("app",) and len(asked) == 3


def test_arguments_and_the_environment_are_part_of_the_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, python = project, sys.executable
    base = facts_cache.key(root, python, ("tests",), (), "")
    assert base and base == facts_cache.key(root, python, ("tests",), (), "")
    assert facts_cache.key(root, python, ("tests",), ("-m", "slow"), "") != base
    monkeypatch.setenv("PYTEST_ADDOPTS", "-n 4")
    assert facts_cache.key(root, python, ("tests",), (), "") != base
    assert facts_cache.key(root, str(root / "no-python"), ("tests",), (), "") == ""


@pytest.mark.parametrize("stored", ["not json", '{"key": 1, "facts": 3}', "[]"])
def test_a_damaged_cache_is_asked_again(project: Path, stored: str) -> None:
    path = project / ".git" / "qualitygate" / facts_cache.FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(stored)
    asked: list[int] = []
    asking(project, asked)
    assert len(asked) == 1 and asking(project, asked) and len(asked) == 1
