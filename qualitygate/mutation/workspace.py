"""The isolated copy of the project that mutmut runs in.

The user's tree is only ever read: `git ls-files` lists what to copy
(tracked plus untracked-not-ignored files, as they are in the working tree),
and the copy lives in a temporary folder that is removed afterwards, also
when the run is interrupted. The folder is made first, the project copied into
it later (`copy_project`), so that mutmut's interpreter can start meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from qualitygate import process
from qualitygate.errors import ToolError

TOOL_SCRIPTS = {
    "mutmut_driver.py": "qualitygate_driver.py",
    "pytest_trace_plugin.py": "qualitygate_trace.py",
}


@dataclass(frozen=True)
class Workspace:
    project: Path  # the copy of the user's project; mutmut's cwd
    tools: Path  # our scripts for the project's interpreter, outside the copy
    scratch: Path  # request/result files, traces


def project_files(root: Path, timeout: float) -> tuple[str, ...]:
    """Repo-relative paths git tracks plus untracked files not ignored, that exist now."""
    done = process.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        timeout=timeout,
        what="git ls-files",
    )
    if done.returncode != 0:
        raise ToolError(
            f"git ls-files failed in {root}: {done.stderr.strip()}", "is it a git repository?"
        )
    names = sorted({name for name in done.stdout.split("\0") if name})
    return tuple(name for name in names if (root / name).is_file() or (root / name).is_symlink())


def content_hash(root: Path, names: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(names):
        path = root / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def copy_project(root: Path, names: Iterable[str], target: Path) -> None:
    for name in names:
        source, destination = root / name, target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination, follow_symlinks=False)


def _install_tools(tools: Path) -> None:
    tools.mkdir()
    here = Path(__file__).parent
    for source, installed in TOOL_SCRIPTS.items():
        shutil.copyfile(here / source, tools / installed)


@contextlib.contextmanager
def temporary_workspace() -> Iterator[Workspace]:
    """An empty project folder and our tools, in a temporary folder removed on exit whatever
    happens."""
    base = Path(tempfile.mkdtemp(prefix="qualitygate-mutation-"))
    try:
        workspace = Workspace(
            project=base / "project", tools=base / "tools", scratch=base / "scratch"
        )
        workspace.project.mkdir()
        workspace.scratch.mkdir()
        _install_tools(workspace.tools)
        yield workspace
    finally:
        shutil.rmtree(base, ignore_errors=True)
