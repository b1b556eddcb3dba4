"""qualitygate in its own environment, the tests in the project's: `doctor` says what the
project's interpreter lacks and, with --install, puts exactly that there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qualitygate.main import main
from tests.conftest import FAILING_CHANGE, LAYERED_FILES
from tests.fixtures import make_repo, write


def venv(where: Path, *options: str) -> str:
    subprocess.run([sys.executable, "-m", "venv", *options, str(where)], check=True, timeout=300)
    return str(where / "bin" / "python")


def importable(python: str, module: str) -> bool:
    probe = subprocess.run(
        [python, "-c", f"import {module}"], cwd="/", capture_output=True, timeout=60
    )
    return probe.returncode == 0


def test_this_environment_has_everything(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "-C", str(layered), "--python", sys.executable]) == 0
    out = capsys.readouterr().out
    assert "pytest>=8" in out and "coverage>=7.6,<8" in out
    assert "mutmut" not in out  # no layer of the fixture sets min_mutation_score
    assert all(len(line) <= 80 for line in out.splitlines() if sys.executable not in line)


def test_a_bare_interpreter_is_told_what_it_lacks(
    layered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = venv(tmp_path / "bare", "--without-pip")
    strict = LAYERED_FILES["pyproject.toml"].replace("80\n", "80\nmin_mutation_score = 50\n", 1)
    write(layered, {"pyproject.toml": strict})
    assert main(["doctor", "-C", str(layered), "--python", bare]) == 3
    out, err = capsys.readouterr()
    assert "missing" in out and "mutmut>=3.8,<3.9" in out  # a layer mutation-tests now
    assert f"qualitygate: error: {bare} lacks pytest, coverage, mutmut" in err
    assert "qualitygate doctor --install" in err
    assert main(["doctor", "-C", str(layered), "--python", bare, "--install"]) == 3
    assert "pip could not install" in capsys.readouterr().err  # no pip there: it says so


@pytest.mark.slow
def test_install_puts_only_what_the_gate_needs_in_the_projects_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The supported setup: qualitygate here, the project's tests in its own venv. The
    project's environment gets pytest and coverage, and none of qualitygate's packages."""
    root = make_repo(tmp_path / "repo", LAYERED_FILES)
    python = venv(root / ".venv")
    write(root, {".gitignore": ".venv/\n"})
    assert main(["doctor", "-C", str(root), "--python", python]) == 3
    capsys.readouterr()
    assert main(["doctor", "-C", str(root), "--python", python, "--install"]) == 0
    assert "Everything the gate needs is there." in capsys.readouterr().out
    assert importable(python, "pytest") and importable(python, "coverage")
    for own in ("diff_cover", "rich", "tomlkit", "qualitygate", "mutmut"):
        assert not importable(python, own), own
    write(root, FAILING_CHANGE)
    code = main(["check", "-C", str(root), "--base", "HEAD", "-q", "--python", python])
    assert code == 1  # the gate ran the tests in the project's interpreter, and judged
    assert "42.9% / 50" in capsys.readouterr().out
