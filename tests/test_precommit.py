"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit in temporary repositories.

pre-commit takes hooks from a git repository at a commit, so `hooks_repo` commits a copy
of this working tree (what git tracks plus untracked files it does not ignore): the hooks
under test are the ones on disk, not the last commit's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from qualitygate import __version__
from qualitygate.adopt import snippets
from qualitygate.project import git as qg_git
from tests.fixtures import GIT_ENV, commit, git, make_repo, write

CHECKOUT = Path(__file__).resolve().parents[1]
PROJECT = {
    ".gitignore": ".venv/\n",
    "pyproject.toml": """
        [tool.qualitygate]
        source = ["app"]
        tests = ["tests"]
        min_diff_coverage = 80
        """,
    "app/__init__.py": "",
    "app/calc.py": """
        def add(a, b):
            return a + b
        """,
    "tests/test_calc.py": """
        from app.calc import add


        def test_add():
            assert add(1, 2) == 3
        """,
}
COVERED = {"app/calc.py": "def add(a, b):\n    total = a + b\n    return total\n"}
UNCOVERED = {
    "app/calc.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
}
COMMIT_HOOK = "qualitygate (diff coverage of the staged change)"
FULL_HOOK = "qualitygate (diff coverage and mutation testing)"


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A commit of this working tree: (path, sha) for `repo:` and `rev:`."""
    clone = tmp_path_factory.mktemp("hooks") / "qualitygate"
    for rel in qg_git.tracked_files(CHECKOUT):
        (clone / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CHECKOUT / rel, clone / rel)
    make_repo(clone, {})
    return clone, git(clone, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's cache in a temporary home; this interpreter's qualitygate on PATH."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "QUALITYGATE_"))}
    path = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))
    return {**env, **GIT_ENV, "HOME": str(home), "PRE_COMMIT_HOME": str(home / "pc"), "PATH": path}


def pre_commit(
    root: Path, env: Mapping[str, str], *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=root,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def try_repo(root: Path, hooks: tuple[Path, str], env: Mapping[str, str], hook_id: str) -> str:
    done = pre_commit(root, env, "try-repo", str(hooks[0]), hook_id, "--ref", hooks[1])
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "project", PROJECT)


def test_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {
        "qualitygate",
        "qualitygate-full",
        "qualitygate-system",
        "qualitygate-full-system",
    }
    for name in ("qualitygate", "qualitygate-system"):
        assert hooks[name]["entry"] == "qualitygate check --staged --no-mutation"
        assert hooks[name]["stages"] == ["pre-commit"]
    for name in ("qualitygate-full", "qualitygate-full-system"):
        assert hooks[name]["entry"] == "qualitygate check"
        assert hooks[name]["stages"] == ["pre-push", "manual"]
    for name, hook in hooks.items():
        # pre-commit 4.4 reads `system` as its new name `unsupported`; older ones as `system`
        expected = {"system", "unsupported"} if name.endswith("-system") else {"python"}
        assert hook["language"] in expected
    assert not any(h["pass_filenames"] for h in hooks.values())


@pytest.mark.slow
def test_commit_hook_passes_a_covered_staged_change(
    project: Path, hooks_repo: tuple[Path, str], hook_env: dict[str, str]
) -> None:
    write(project, COVERED)
    git(project, "add", "-A")
    out = try_repo(project, hooks_repo, hook_env, "qualitygate-system")
    assert out.startswith("exit 0"), out
    assert f"{COMMIT_HOOK}..." in out and "Passed" in out


@pytest.mark.slow
def test_commit_hook_fails_an_uncovered_staged_change(
    project: Path, hooks_repo: tuple[Path, str], hook_env: dict[str, str]
) -> None:
    write(project, UNCOVERED)
    git(project, "add", "-A")
    out = try_repo(project, hooks_repo, hook_env, "qualitygate-system")
    assert out.startswith("exit 1"), out
    assert "Failed\n- hook id: qualitygate-system\n- exit code: 1" in out
    assert "qualitygate FAILED" in out and "HEAD (staged changes)" in out
    assert "uncovered changed lines: 6" in out


@pytest.mark.slow
def test_commit_hook_gates_only_what_is_staged(
    project: Path, hooks_repo: tuple[Path, str], hook_env: dict[str, str]
) -> None:
    write(project, {"app/more.py": "def one():\n    return 1\n"})
    git(project, "add", "app/more.py")  # staged, never run by a test
    write(project, COVERED)  # unstaged and covered
    failed = try_repo(project, hooks_repo, hook_env, "qualitygate-system")
    assert failed.startswith("exit 1") and "app/more.py" in failed, failed
    git(project, "rm", "-q", "--cached", "app/more.py")
    git(project, "add", "app/calc.py")
    write(project, UNCOVERED)  # unstaged and uncovered: pre-commit stashes it
    passed = try_repo(project, hooks_repo, hook_env, "qualitygate-system")
    assert passed.startswith("exit 0"), passed
    assert (project / "app/calc.py").read_text() == UNCOVERED["app/calc.py"]


@pytest.mark.slow
def test_commit_hook_skips_when_no_python_file_is_staged(
    project: Path, hooks_repo: tuple[Path, str], hook_env: dict[str, str]
) -> None:
    write(project, {"README.md": "# project\n", **UNCOVERED})
    git(project, "add", "README.md")
    out = try_repo(project, hooks_repo, hook_env, "qualitygate-system")
    assert out.startswith("exit 0") and "(no files to check)Skipped" in out, out


def _hooks_config(hooks: tuple[Path, str], template: str) -> str:
    """A documented snippet, pointed at the commit of this working tree."""
    repo = template.replace(snippets.HOOKS_REPO, str(hooks[0]))
    return repo.replace(f"rev: v{__version__}", f"rev: {hooks[1]}")


def _push(project: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", "-q", "origin", "main"],
        cwd=project,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_pre_push_gates_the_pushed_range(
    tmp_path: Path, project: Path, hooks_repo: tuple[Path, str], hook_env: dict[str, str]
) -> None:
    """The documented snippet, installed as git hooks; a real `git push` to a remote."""
    write(
        project,
        {".pre-commit-config.yaml": _hooks_config(hooks_repo, snippets.pre_commit_system())},
    )
    commit(project, "add hooks")
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    git(project, "remote", "add", "origin", str(tmp_path / "remote.git"))
    git(project, "push", "-q", "origin", "main")
    done = pre_commit(
        project, hook_env, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push"
    )
    assert done.returncode == 0, done.stderr

    pyproject = (project / "pyproject.toml").read_text()
    write(project, {"pyproject.toml": pyproject + "min_mutation_score = 50\n", **COVERED})
    commit(project, "covered, and gated on mutation testing")
    pushed = _push(project, hook_env)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert any((project / ".git/qualitygate").rglob("*")), "no mutant was run"
    remote_sha = git(project, "rev-parse", "origin/main")

    write(project, UNCOVERED)
    commit(project, "uncovered")  # --no-verify: the commit hook is not under test here
    refused = _push(project, hook_env)
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert f"{FULL_HOOK}..." in out and "- hook id: qualitygate-full-system" in out
    assert f"against {remote_sha}" in out, out  # the range from PRE_COMMIT_FROM_REF
    assert git(project, "rev-parse", "origin/main") == remote_sha


@pytest.mark.slow
def test_isolated_hooks_run_the_tests_in_the_project_python(
    project: Path, hooks_repo: tuple[Path, str], hook_env: dict[str, str]
) -> None:
    """language: python: pre-commit builds qualitygate's environment from PyPI (slow)."""
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    write(
        project,
        {
            "tests/test_where.py": """
                import sys
                from pathlib import Path


                def test_runs_in_the_project_python():
                    assert Path(sys.prefix).name == ".venv"
                """,
            ".pre-commit-config.yaml": _hooks_config(hooks_repo, snippets.pre_commit_isolated()),
            **COVERED,
        },
    )
    git(project, "add", "-A")
    done = pre_commit(project, hook_env, "run", "qualitygate", timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{COMMIT_HOOK}..." in done.stdout and "Passed" in done.stdout

    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    del config["repos"][0]["hooks"][0]["args"]  # without the project's python...
    write(project, {".pre-commit-config.yaml": yaml.safe_dump(config)})
    git(project, "add", "-A")
    done = pre_commit(project, hook_env, "run", "qualitygate")
    assert done.returncode == 3 or "exit code: 3" in done.stdout, done.stdout + done.stderr
    assert "test_runs_in_the_project_python" in done.stdout  # ...the tests run elsewhere

    pyproject = (project / "pyproject.toml").read_text()
    write(project, {"pyproject.toml": pyproject + 'python = ".venv/bin/python"\n'})
    git(project, "add", "-A")
    done = pre_commit(project, hook_env, "run", "qualitygate")
    assert done.returncode == 0, done.stdout + done.stderr
