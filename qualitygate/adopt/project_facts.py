"""What `init` reads from the project beyond its file list: its virtual environment, the
extra or dependency group that holds its test dependencies, where pytest finds the tests,
and how this qualitygate was installed, so that the lines it prints work as they are.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from qualitygate import __version__, process
from qualitygate.errors import QualityGateError
from qualitygate.measure import testrun

HOME = "https://github.com/qualitygate/qualitygate"
VENV_FOLDERS = (".venv", "venv", "env")
TEST_EXTRAS = ("test", "tests", "testing", "dev")
BIN = "Scripts/python.exe" if os.name == "nt" else "bin/python"


def find_venv(root: Path, env: Mapping[str, str] = os.environ) -> str | None:
    """The project's interpreter: uv's UV_PROJECT_ENVIRONMENT, a `.venv`/`venv`/`env`
    folder, else poetry's environment for a poetry project. Relative to `root` when inside
    it, so the config stays valid on every clone."""
    folders = [env["UV_PROJECT_ENVIRONMENT"]] if env.get("UV_PROJECT_ENVIRONMENT") else []
    for folder in [*folders, *VENV_FOLDERS]:
        python = Path(folder) / BIN
        if (root / python).is_file():
            return python.as_posix() if not python.is_absolute() else str(python)
    poetry = shutil.which("poetry")
    if poetry and (root / "poetry.lock").is_file():
        try:
            done = process.run([poetry, "env", "info", "--path"], cwd=root, timeout=60)
        except QualityGateError:
            return None
        python = Path(done.stdout.strip()) / BIN
        if done.returncode == 0 and done.stdout.strip() and python.is_file():
            return str(python)
    return None


def test_install(pyproject: Mapping[str, Any]) -> str:
    """pip's arguments that install the project with its test dependencies: its extra
    named for tests (`test`, `tests`, `testing`, `dev`), else such a dependency group."""
    project = pyproject.get("project")
    extras = project.get("optional-dependencies") if isinstance(project, dict) else None
    groups = pyproject.get("dependency-groups")
    for name in TEST_EXTRAS:
        if isinstance(extras, dict) and name in extras:
            return f'-e ".[{name}]"'
    for name in TEST_EXTRAS:
        if isinstance(groups, dict) and name in groups:
            return f"-e . --group {name}"  # pip 25.1 and later
    return "-e ."


def pytest_testpaths(root: Path, pythons: list[str]) -> tuple[str, ...] | None:
    """pytest's `testpaths`, as pytest itself resolves them in the first interpreter that
    can say, relative to `root`; () when pytest has none, None when none could be asked."""
    for python in dict.fromkeys([*pythons, sys.executable]):
        try:
            facts = testrun.ask_pytest(root, python, (), (), timeout=120)
        except QualityGateError:
            continue
        found = []
        for path in facts.testpaths:
            full = Path(facts.rootdir, path)
            try:
                found.append(full.resolve().relative_to(root.resolve()).as_posix())
            except ValueError:
                found.append(path)
        return tuple(found)
    return None


@dataclass(frozen=True)
class Install:
    """How a project installs this qualitygate, and the pre-commit repo and rev to use."""

    requirement: str  # what pip takes: a release, a VCS URL at a commit, or a path
    hooks_repo: str
    rev: str


def _git(path: Path, *args: str) -> str:
    try:
        done = process.run(["git", "-C", str(path), *args], cwd=path, timeout=30)
    except QualityGateError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


class Metadata(Protocol):
    """What install_source reads of a distribution (importlib.metadata.Distribution)."""

    def read_text(self, filename: str) -> str | None: ...


def install_source(dist: Metadata | None = None) -> Install:
    """From the installed distribution's direct_url.json (PEP 610): a VCS install names
    its URL and commit; a local checkout its remote and commit (tag when there is one),
    or its path when it has no remote; a release from an index its version."""
    try:
        dist = dist or metadata.distribution("qualitygate")
        direct = json.loads(dist.read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, json.JSONDecodeError):
        direct = None
    release = Install(f"qualitygate=={__version__}", HOME, f"v{__version__}")
    if not isinstance(direct, dict) or not isinstance(direct.get("url"), str):
        return release
    url = direct["url"]
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        return Install(f"qualitygate @ git+{url}@{vcs['commit_id']}", url, str(vcs["commit_id"]))
    if not url.startswith("file://"):
        return release
    checkout = Path(unquote(urlparse(url).path))
    commit = _git(checkout, "rev-parse", "HEAD")
    tag = _git(checkout, "describe", "--tags", "--exact-match", "HEAD")
    remote = _git(checkout, "remote", "get-url", "origin")
    if remote and commit:
        return Install(f"qualitygate @ git+{remote}@{tag or commit}", remote, tag or commit)
    return Install(str(checkout), str(checkout), tag or commit or f"v{__version__}")
