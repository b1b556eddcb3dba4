"""The changed lines, from real git repositories."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest

from qualitygate.check.pipeline import resolve_diff
from qualitygate.errors import UsageError
from qualitygate.project import config, git
from qualitygate.project.diff import DiffSpec, changed_files
from tests.fixtures import commit, make_repo, write
from tests.fixtures import git as run_git

BODY = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(8))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "r", {"pkg/mod.py": BODY, "pkg/other.py": "A = 1\n", "README.md": "hello\n"}
    )


def changes(root: Path, **kw: str) -> dict[str, tuple[str, list[int], str | None]]:
    spec = DiffSpec(base=kw.pop("base", "HEAD"), label="test", **kw)
    return {c.path: (c.status, sorted(c.lines), c.old_path) for c in changed_files(root, spec)}


def test_modified_added_untracked_and_non_python(repo: Path) -> None:
    base = git.head(repo)
    text = BODY.replace("return x + 3", "return x - 3")
    write(
        repo,
        {"pkg/mod.py": text, "pkg/new.py": "def g():\n    return 1\n", "README.md": "changed\n"},
    )
    run_git(repo, "add", "pkg/new.py")
    write(repo, {"pkg/untracked.py": "X = 2\n"})
    assert changes(repo, base=base) == {
        "pkg/mod.py": ("modified", [14], None),
        "pkg/new.py": ("added", [1, 2], None),
        "pkg/untracked.py": ("added", [1], None),
    }


def test_added_files_have_the_lines_diff_cover_finds(repo: Path) -> None:
    """Added files are counted (on disk, or by git), not parsed from diff-cover's diff:
    the same lines as diff-cover's own reporter finds, in each mode, for a file added and
    then edited, one with no final newline, one with CRLF endings, one git takes for
    binary and one whose name git would quote."""
    from diff_cover.diff_reporter import GitDiffReporter
    from diff_cover.git_diff import GitDiffTool
    from diff_cover.git_path import GitPathTool

    base = git.head(repo)
    write(repo, {"pkg/a.py": "A = 1\nB = 2\n", "pkg/we ird [x]\u00e9.py": "C = 3\nD = 4"})
    to = commit(repo)
    write(repo, {"pkg/a.py": "A = 1\nB = 2\nE = 5\n", "pkg/b.py": "F = 6\n"})
    run_git(repo, "add", "pkg/b.py")
    write(repo, {"pkg/mod.py": BODY + "Z = 1\n", "pkg/bin.py": "I = 9\x00\nJ = 10\n"})
    (repo / "pkg/crlf.py").write_bytes(b"G = 7\r\nH = 8\r\n")
    run_git(repo, "add", "pkg/bin.py", "pkg/crlf.py")
    for mode, start in (("worktree", base), ("staged", to), ("range", base)):
        ours = {p: lines for p, (_, lines, _) in changes(repo, base=start, mode=mode).items()}
        GitPathTool.set_cwd(str(repo))
        reporter = GitDiffReporter(
            compare_branch=start,
            git_diff=GitDiffTool("...", ignore_whitespace=False),
            ignore_staged=mode == "range",
            ignore_unstaged=mode != "worktree",
            supported_extensions=["py"],
        )
        with contextlib.chdir(repo):  # staged: HEAD...HEAD is empty, the index remains
            theirs = {p: sorted(reporter.lines_changed(p)) for p in reporter.src_paths_changed()}
        assert ours == {p: lines for p, lines in theirs.items() if lines}, mode  # not bin.py
        assert mode == "range" or ("pkg/crlf.py" in ours and "pkg/bin.py" in theirs)
        assert "pkg/a.py" in ours or mode == "staged"


def test_committed_changes_against_base(repo: Path) -> None:
    base = git.head(repo)
    write(repo, {"pkg/other.py": "A = 1\nB = 2\n"})
    commit(repo)
    assert changes(repo, base=base) == {"pkg/other.py": ("modified", [2], None)}


LOOP = "def first(xs):\n    for x in xs:\n        if x:\n            return x\n    return None\n"


def test_indentation_is_a_code_change(repo: Path) -> None:
    """A return moved out of a loop changes what the code does: its line is changed."""
    write(repo, {"pkg/loop.py": LOOP})
    commit(repo)
    write(repo, {"pkg/loop.py": LOOP.replace("            return x", "        return x")})
    assert changes(repo) == {"pkg/loop.py": ("modified", [4], None)}


def test_spacing_inside_a_line_is_a_change_too(repo: Path) -> None:
    """As diff-cover sees it with whitespace kept: the line differs, so it changed."""
    write(repo, {"pkg/mod.py": BODY.replace("return x + 3", "return  x +  3")})
    assert changes(repo) == {"pkg/mod.py": ("modified", [14], None)}


def test_untracked_file_in_another_encoding_keeps_its_lines(repo: Path) -> None:
    (repo / "pkg" / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n")
    assert changes(repo) == {"pkg/latin.py": ("added", [1, 2], None)}


def test_rename_is_not_a_new_file(repo: Path) -> None:
    base = git.head(repo)
    run_git(repo, "mv", "pkg/mod.py", "pkg/renamed.py")
    write(repo, {"pkg/renamed.py": BODY.replace("return x + 5", "return x * 5")})
    commit(repo)
    assert changes(repo, base=base) == {"pkg/renamed.py": ("renamed", [22], "pkg/mod.py")}


def test_deleted_file(repo: Path) -> None:
    base = git.head(repo)
    run_git(repo, "rm", "-q", "pkg/other.py")
    commit(repo)
    assert changes(repo, base=base) == {"pkg/other.py": ("deleted", [], None)}


def test_staged_only(repo: Path) -> None:
    write(repo, {"pkg/other.py": "A = 1\nB = 2\n"})
    run_git(repo, "add", "pkg/other.py")
    write(repo, {"pkg/mod.py": BODY + "Z = 1\n", "pkg/loose.py": "Y = 1\n"})
    assert changes(repo, base=git.head(repo), mode="staged") == {
        "pkg/other.py": ("modified", [2], None)
    }


def test_range_between_two_commits_ignores_the_work_tree(repo: Path) -> None:
    base = git.head(repo)
    write(repo, {"pkg/other.py": "A = 1\nB = 2\n"})
    to = commit(repo)
    write(repo, {"pkg/mod.py": BODY + "Z = 1\n"})
    assert changes(repo, base=base, mode="range", to=to) == {
        "pkg/other.py": ("modified", [2], None)
    }


def test_base_resolution_order(repo: Path) -> None:
    cfg = config.Config(origin="test", base="HEAD")
    first = git.head(repo)
    write(repo, {"pkg/other.py": "A = 2\n"})
    second = commit(repo)
    head = git.head(repo)
    assert resolve_diff(repo, cfg, None, False, {}).base == head  # config base
    assert resolve_diff(repo, cfg, "HEAD~1", False, {}).base == first  # flag wins
    env = {"PRE_COMMIT_FROM_REF": first, "PRE_COMMIT_TO_REF": second}
    spec = resolve_diff(repo, cfg, None, False, env)
    assert (spec.base, spec.mode, spec.to) == (first, "range", second)
    no_base = config.Config(origin="test")
    run_git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"pkg/other.py": "A = 3\n"})
    commit(repo)
    assert resolve_diff(repo, no_base, None, False, {}).base == second  # merge base with main


def test_pre_commit_to_ref_must_be_checked_out(repo: Path) -> None:
    first = git.head(repo)
    write(repo, {"pkg/other.py": "A = 2\n"})
    commit(repo)
    env = {"PRE_COMMIT_FROM_REF": first, "PRE_COMMIT_TO_REF": first}
    with pytest.raises(UsageError, match=r"PRE_COMMIT_TO_REF .* is not the checked-out commit"):
        resolve_diff(repo, config.Config(origin="t"), None, False, env)


def test_unknown_ref(repo: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown base ref 'origin/nope'.*git fetch origin nope"):
        resolve_diff(repo, config.Config(origin="t"), "origin/nope", False, {})


def test_shallow_clone_missing_the_base_says_fetch_more(repo: Path, tmp_path: Path) -> None:
    for i in range(3):
        write(repo, {"pkg/other.py": f"A = {i}\n"})
        commit(repo)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    with pytest.raises(UsageError, match="shallow clone: fetch more history"):
        resolve_diff(clone, config.Config(origin="t"), "HEAD~2", False, {})


def test_no_repository(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not inside a git repository"):
        git.repo_root(tmp_path)
