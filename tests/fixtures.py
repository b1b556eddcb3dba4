"""Real git repositories with small projects in temporary directories.

Tests build the project they need with `make_repo`, change it with `write`
and `commit`, and run the real git, pytest, coverage and mutmut on it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": os.devnull,
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def write(root: Path, files: Mapping[str, str]) -> None:
    """Write files (dedented) below root, creating folders."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def commit(root: Path, message: str = "change") -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", message)
    return git(root, "rev-parse", "HEAD")


def make_repo(root: Path, files: Mapping[str, str]) -> Path:
    """A git repository on branch main with `files` in its first commit."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    write(root, files)
    commit(root, "initial")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root (but .git internals), for before/after comparisons."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def git_state(root: Path) -> tuple[str, str, str]:
    """HEAD, branch and index as git sees them."""
    return (
        git(root, "rev-parse", "HEAD"),
        git(root, "symbolic-ref", "-q", "HEAD"),
        git(root, "ls-files", "-s"),
    )


def measure(root: Path, data: Path, xml: Path | None = None) -> None:
    """What a CI job does: pytest under coverage into `data`, optionally Cobertura `xml` too."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    coverage = [sys.executable, "-m", "coverage"]
    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    subprocess.run(
        [*coverage, "run", "--branch", f"--data-file={data}", "--source=app", *pytest_args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    if xml is not None:
        subprocess.run(
            [*coverage, "xml", f"--data-file={data}", "-o", str(xml)],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
