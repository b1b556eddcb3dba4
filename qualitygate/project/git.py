"""Read-only questions to git. qualitygate never writes to the repository."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from qualitygate.errors import ToolError, UsageError

SHALLOW_HINT = "shallow clone: fetch more history (git fetch --unshallow, or fetch-depth: 0 in CI)"


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """git's answer as text. Decoded here, not by subprocess's text mode: that turns a CR
    in a file name into a newline, and a name git lists with -z must come back whole."""
    try:
        raw = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise ToolError("git is not installed", "install git and run again") from None
    done = subprocess.CompletedProcess(
        raw.args, raw.returncode, os.fsdecode(raw.stdout), os.fsdecode(raw.stderr)
    )
    if check and done.returncode != 0:
        raise ToolError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def repo_root(path: Path) -> Path:
    done = _git(path, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise UsageError(
            f"{path} is not inside a git repository",
            "run qualitygate in your project's repository (or git init it first)",
        )
    return Path(done.stdout.strip())


def git_dir(root: Path) -> Path:
    return (root / _git(root, "rev-parse", "--git-common-dir").stdout.strip()).resolve()


def is_shallow(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"


def resolve(root: Path, ref: str, what: str = "base") -> str:
    """The commit `ref` names; a clear usage error when it names none."""
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if done.returncode == 0:
        return done.stdout.strip()
    hint = f"check the name, or fetch it: git fetch origin {ref.removeprefix('origin/')}"
    if is_shallow(root):
        hint = SHALLOW_HINT
    raise UsageError(f"unknown {what} ref '{ref}'", hint)


def head(root: Path) -> str:
    done = _git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    if done.returncode != 0:
        raise UsageError("the repository has no commit yet", "commit something first")
    return done.stdout.strip()


def merge_base(root: Path, a: str, b: str) -> str:
    done = _git(root, "merge-base", a, b, check=False)
    if done.returncode != 0:
        hint = "the two have no common history"
        if is_shallow(root):
            hint = (
                "shallow clone: fetch more history (git fetch --unshallow, or fetch-depth: 0 in CI)"
            )
        raise UsageError(f"no merge base between {a} and {b}", hint)
    return done.stdout.strip()


def default_branch(root: Path) -> str | None:
    """origin's default branch, else a local main or master."""
    done = _git(root, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False)
    if done.returncode == 0:
        return done.stdout.strip().removeprefix("refs/remotes/")
    for name in ("origin/main", "origin/master", "main", "master"):
        if _git(root, "rev-parse", "--verify", "--quiet", name, check=False).returncode == 0:
            return name
    return None


def tracked_files(root: Path) -> list[str]:
    """Files git tracks plus untracked ones it does not ignore, as in the working tree."""
    out = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
    return sorted({p for p in out.split("\0") if p and (root / p).is_file()})


def untracked_files(root: Path) -> list[str]:
    """Files git neither tracks nor ignores, under `root`."""
    out = _git(root, "ls-files", "-z", "--others", "--exclude-standard").stdout
    return sorted(p for p in out.split("\0") if p)


def name_status(root: Path, args: list[str]) -> Mapping[str, tuple[str, str | None]]:
    """path -> (status letter, old path) for `git diff --name-status -M <args>`."""
    out = _git(root, "diff", "--name-status", "-z", "-M", "--relative", "--no-color", *args).stdout
    fields = out.split("\0")
    result: dict[str, tuple[str, str | None]] = {}
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status.startswith(("R", "C")):
            result[fields[i + 2]] = (status[0], fields[i + 1])
            i += 3
        else:
            result[fields[i + 1]] = (status[0], None)
            i += 2
    return result


def added_line_counts(root: Path, args: list[str]) -> dict[str, int]:
    """path -> line count of each file `git diff -M <args>` adds, as git's --numstat
    counts it (a binary file has none)."""
    out = _git(
        root, "diff", "--numstat", "-z", "-M", "--relative", "--no-color", "--diff-filter=A", *args
    ).stdout
    found = {}
    for entry in out.split("\0"):
        added, _, rest = entry.partition("\t")
        path = rest.partition("\t")[2]
        if path and added.isdigit():
            found[path] = int(added)
    return found


def index_blobs(root: Path) -> dict[str, str]:
    """path -> blob id of each file in the index, under `root` (paths relative to it)."""
    out = _git(root, "ls-files", "-z", "--stage").stdout
    found = {}
    for entry in out.split("\0"):
        meta, _, path = entry.partition("\t")
        if path and meta:
            found[path] = meta.split()[1]
    return found


def worktree_changed(root: Path) -> list[str]:
    """Files under `root` whose working-tree content may differ from the index."""
    out = _git(root, "diff-files", "-z", "--name-only", "--relative").stdout
    return sorted(p for p in out.split("\0") if p)
