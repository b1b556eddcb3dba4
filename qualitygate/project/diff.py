"""The changed lines of a change, through diff-cover (its API is undocumented).

diff-cover is used here and nowhere else. It runs git in the current
directory and keeps the repository root in process-wide state, so each call
enters the repository for its duration. It passes no rename detection to git;
`-M` is added so a renamed file is not a brand-new file, and statuses
(added, renamed, deleted) come from `git diff --name-status -M`.

Whitespace is kept: in Python, a `return` moved out of a loop is a code
change. Blank lines count for nothing because only statements are gated.
diff-cover counts an untracked file's lines by decoding it as UTF-8 and
counts 0 for any other encoding, which would drop a latin-1 file with a
coding cookie from the change; untracked files are listed and counted here.
So are the files the change adds: every line of one is added, they are counted
on disk (a change that ends in the working tree) or by git's --numstat, and
diff-cover would parse each of those lines of its diff (600k lines of new files
took it 0.8 s); its diffs leave them out.

`root` is the project's folder, which may be a subfolder of the repository
(a monorepo): `--relative` makes git give paths relative to it and leave out
changes outside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from diff_cover.command_runner import CommandError, execute
from diff_cover.diff_reporter import GitDiffReporter
from diff_cover.git_diff import GitDiffError, GitDiffTool
from diff_cover.git_path import GitPathTool

from qualitygate.errors import ToolError
from qualitygate.model import ChangedFile
from qualitygate.project import git

STATUS_NAMES = {"A": "added", "M": "modified", "R": "renamed", "C": "added", "D": "deleted"}


@dataclass(frozen=True)
class DiffSpec:
    """What the change is. `worktree`: base to the working tree, untracked files
    included; `staged`: HEAD to the index; `range`: base to `to`."""

    base: str  # a commit
    label: str  # what the user called it
    mode: str = "worktree"
    to: str = "HEAD"


# Paths left out of diff-cover's diffs go on git's command line; past this many
# characters (a change that adds tens of thousands of files) they stay in.
MAX_EXCLUDED = 200_000


class _GitDiff(GitDiffTool):  # type: ignore[misc]
    def __init__(self, spec: DiffSpec, leave_out: list[str]) -> None:
        super().__init__("...", ignore_whitespace=False)
        self._default_diff_args += ["-M", "--relative"]
        self._spec = spec
        self._paths = ["--", *(f":(exclude,literal){path}" for path in leave_out)]

    def _diff(self, *args: str, leave_out: bool = True) -> str:
        paths = self._paths if leave_out else []
        command = self._default_git_args + self._default_diff_args + [*args, *paths]
        return str(execute(command)[0])

    def diff_committed(self, compare_branch: str = "") -> str:
        if self._spec.mode == "staged":
            return ""
        return self._diff(f"{self._spec.base}...{self._spec.to}")

    def diff_staged(self) -> str:
        return self._diff("--cached")

    def diff_unstaged(self) -> str:
        # no paths left out: a file the change adds differs here only where it was
        # edited since it was staged, and its lines are all taken as added anyway;
        # thousands of exclude patterns cost git more than those few hunks
        return self._diff(leave_out=False)


@contextlib.contextmanager
def _inside(root: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(root)
    try:
        GitPathTool.set_cwd(str(root))
        yield
    finally:
        os.chdir(before)


def _line_count(path: Path) -> int:
    """Lines of a file, whatever its encoding."""
    return _lines_in(path.read_bytes())


def _lines_in(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _untracked(root: Path) -> dict[str, frozenset[int]]:
    """New files git does not ignore, every line added. Listed with -z here: diff-cover
    lists them without it, and git quotes a name with a backslash or a newline."""
    return {
        path: frozenset(range(1, _line_count(root / path) + 1))
        for path in git.untracked_files(root)
        if path.endswith(".py") and (root / path).is_file()
    }


def _reporter(spec: DiffSpec, leave_out: list[str]) -> GitDiffReporter:
    return GitDiffReporter(
        compare_branch=spec.base,
        git_diff=_GitDiff(spec, leave_out),
        ignore_staged=spec.mode == "range",
        ignore_unstaged=spec.mode != "worktree",
        include_untracked=False,  # see _untracked
        supported_extensions=["py"],
    )


def _compared(spec: DiffSpec) -> list[str]:
    """git diff's arguments for the whole change, from its base to where it ends."""
    return {
        "worktree": [spec.base],
        "staged": ["--cached", "HEAD"],
        "range": [f"{spec.base}...{spec.to}"],
    }[spec.mode]


def _on_disk(root: Path, paths: list[str]) -> dict[str, int] | None:
    """Line counts of files in the working tree, as git's --numstat counts a file added
    there (a file with a NUL in its first 8,000 bytes is binary: no count); None if
    one cannot be read. Reading them is faster than git's diff of each against
    nothing, which also reads them (0.16 s at 2,000 files)."""
    counts = {}
    for path in paths:
        try:
            data = (root / path).read_bytes()
        except OSError:
            return None
        if b"\0" not in data[:8000]:
            counts[path] = _lines_in(data)
    return counts


def _added(
    root: Path, spec: DiffSpec, statuses: dict[str, tuple[str, str | None]]
) -> dict[str, frozenset[int]]:
    """The Python files the change adds, every line added."""
    counts = None
    if spec.mode == "worktree":  # the added files are those on disk
        new = [p for p, (letter, _) in statuses.items() if letter == "A" and p.endswith(".py")]
        counts = _on_disk(root, new)
    if counts is None:
        counts = git.added_line_counts(root, _compared(spec))
    return {p: frozenset(range(1, n + 1)) for p, n in counts.items() if p.endswith(".py")}


def changed_files(root: Path, spec: DiffSpec) -> list[ChangedFile]:
    """Every Python file the change adds, modifies, renames or deletes."""
    statuses = dict(git.name_status(root, _compared(spec)))
    added = _added(root, spec, statuses)
    leave_out = sorted(added)
    if sum(len(path) + 20 for path in leave_out) > MAX_EXCLUDED:
        leave_out = []
    try:
        with _inside(root):
            reporter = _reporter(spec, leave_out)
            lines = {path: reporter.lines_changed(path) for path in reporter.src_paths_changed()}
        lines.update(added)
        if spec.mode == "worktree":
            lines.update(_untracked(root))
    except (CommandError, GitDiffError, ValueError) as exc:
        raise ToolError(f"git diff failed: {str(exc).strip()}", "check the base ref") from exc
    result = []
    for path in sorted(set(lines) | {p for p in statuses if p.endswith(".py")}):
        letter, old = statuses.get(path, ("A", None))  # not in name-status: untracked, so new
        status = STATUS_NAMES.get(letter, "modified")
        changed = frozenset() if status == "deleted" else frozenset(lines.get(path, ()))
        if changed or status in ("deleted", "renamed"):
            result.append(ChangedFile(path, changed, status, old))
    return result
