"""The isolated copy of the project that mutmut runs in.

The user's tree is only ever read: `git ls-files` lists what to copy
(see `project_files`),
and the copy lives in a temporary folder that is removed afterwards, also
when the run is interrupted. The folder is made first, the project copied into
it later (`copy_project`), so that mutmut's interpreter can start meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

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
    origin: Path  # the user's project, only ever read (and its tests run, as check does)


def _ls_files(root: Path, timeout: float, *args: str) -> list[str]:
    done = process.run(
        ["git", "ls-files", "-z", *args], cwd=root, timeout=timeout, what="git ls-files"
    )
    if done.returncode != 0:
        raise ToolError(
            f"git ls-files failed in {root}: {done.stderr.strip()}", "is it a git repository?"
        )
    return [name for name in done.stdout.split("\0") if name]


def project_files(
    root: Path, timeout: float, source: Sequence[str] = (), include: Sequence[str] = ()
) -> tuple[str, ...]:
    """What the copy holds, as it is in the working tree: files git tracks, untracked files
    it does not ignore, the ignored Python modules under `source` that a build step
    generated (`_version.py` from setuptools-scm or hatch-vcs; a wholly ignored folder
    such as `.venv/` or `build/` is left out), and ignored files matching `include`
    (gitignore-style globs, the `workspace_include` key)."""
    names = set(_ls_files(root, timeout, "--cached", "--others", "--exclude-standard"))
    ignored = ["--others", "--ignored", "--exclude-standard"]
    folders = [s for s in source if s not in ("", ".")] or ["."]
    generated = _ls_files(root, timeout, *ignored, "--directory", "--", *folders)
    names |= {name for name in generated if name.endswith(".py")}
    if include:
        spec = pathspec.GitIgnoreSpec.from_lines(include)
        names |= set(spec.match_files(_ls_files(root, timeout, *ignored)))
    return tuple(
        name for name in sorted(names) if (root / name).is_file() or (root / name).is_symlink()
    )


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
def temporary_workspace(origin: Path, keep: bool = False) -> Iterator[Workspace]:
    """An empty project folder and our tools, in a temporary folder removed on exit whatever
    happens (unless `keep`: --keep-workspace, to look at what mutmut ran in)."""
    base = Path(tempfile.mkdtemp(prefix="qualitygate-mutation-"))
    try:
        workspace = Workspace(
            project=base / "project", tools=base / "tools", scratch=base / "scratch", origin=origin
        )
        workspace.project.mkdir()
        workspace.scratch.mkdir()
        _install_tools(workspace.tools)
        yield workspace
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
