"""`init` reads the project: pytest's testpaths, the test extra, the library preset, the
project's environment, and the install line and pre-commit rev of this very qualitygate."""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from qualitygate.adopt import project_facts
from qualitygate.main import main
from qualitygate.project import config
from tests.fixtures import git, make_repo


def init(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["init", "-C", str(root)]) == 0
    out: str = capsys.readouterr().out
    return out


def written(root: Path) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((root / "pyproject.toml").read_text())["tool"][
        "qualitygate"
    ]
    return table


LIBRARY = {
    "pyproject.toml": """\
[project]
name = "tinylib"
version = "1"

[project.optional-dependencies]
tests = ["pytest"]

[tool.pytest.ini_options]
testpaths = ["checks"]
""",
    "tinylib/__init__.py": "def double(x):\n    return 2 * x\n",
    "checks/test_double.py": "from tinylib import double\n\ndef test_double():\n"
    "    assert double(2) == 4\n",
}


def test_a_flat_library_gets_its_testpaths_extra_and_the_library_preset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "lib", LIBRARY)
    out = init(root, capsys)
    assert re.search(r"tests\s+checks \(pytest's testpaths\)", out)
    table = written(root)
    assert table["preset"] == "library" and "tests" not in table  # testpaths decides
    assert table["source"] == ["tinylib"]
    cfg = config.load(root, env={})
    assert cfg.preset == "library" and cfg.layers[0].min_mutation_score == 60
    assert 'python -m pip install -e ".[tests]"' in out  # the project's own extra
    assert "(docs/" not in out  # no path that exists only in qualitygate's repository
    paths = (str(root), project_facts.install_source().requirement)  # as long as they are
    wide = [line for line in out.splitlines() if len(line) > 80]
    assert all(any(p in line for p in paths) for line in wide), wide
    assert f"{project_facts.HOME}/blob/main/docs/pre-commit.md" in out


def test_a_dependency_group_and_a_src_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "s"\nversion = "1"\n\n'
        '[dependency-groups]\ndev = ["pytest"]\n',
        "src/s/__init__.py": "X = 1\n",
        "tests/test_s.py": "def test_s():\n    pass\n",
    }
    root = make_repo(tmp_path / "s", files)
    out = init(root, capsys)
    assert "python -m pip install -e . --group dev" in out
    table = written(root)
    assert table["preset"] == "library" and table["source"] == ["src"]
    assert table["tests"] == ["tests"]  # no testpaths: the folder found is written


def test_the_projects_venv_becomes_python(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "v", LIBRARY)
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    out = init(root, capsys)
    assert written(root)["python"] == ".venv/bin/python"
    assert "Install qualitygate where the tests run: .venv/bin/python -m pip install" in out
    assert "args: [--python=.venv/bin/python]" in out  # the hooks run the project's python


def test_uv_project_environment_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "envs" / "p" / "bin").mkdir(parents=True)
    (tmp_path / "envs" / "p" / "bin" / "python").write_text("")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", "envs/p")
    assert project_facts.find_venv(tmp_path, os.environ) == "envs/p/bin/python"
    assert project_facts.find_venv(tmp_path, {}) is None


class Dist:
    """A distribution's metadata as importlib gives it: only direct_url.json is read."""

    def __init__(self, direct: dict[str, Any] | None) -> None:
        self.direct = direct

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.direct) if self.direct and name == "direct_url.json" else None


def source(direct: dict[str, Any] | None) -> project_facts.Install:
    return project_facts.install_source(Dist(direct))


def test_the_install_line_and_rev_follow_how_qualitygate_was_installed(tmp_path: Path) -> None:
    release = source(None)
    assert release.requirement.startswith("qualitygate==") and release.rev.startswith("v")
    url = "https://example.invalid/qg.git"
    assert source({"url": url, "vcs_info": {"vcs": "git", "commit_id": "abc"}}) == (
        project_facts.Install(f"qualitygate @ git+{url}@abc", url, "abc")
    )
    checkout = make_repo(tmp_path / "qg", {"x.py": "x = 1\n"})
    head = git(checkout, "rev-parse", "HEAD")
    local = source({"url": checkout.as_uri(), "dir_info": {}})
    assert local == project_facts.Install(str(checkout), str(checkout), head)  # a rev that exists
    git(checkout, "tag", "v9.9.9")
    git(checkout, "remote", "add", "origin", "https://example.invalid/mine.git")
    tagged = source({"url": checkout.as_uri(), "dir_info": {"editable": True}})
    assert tagged.requirement == "qualitygate @ git+https://example.invalid/mine.git@v9.9.9"
    assert tagged.rev == "v9.9.9"


def test_a_project_in_a_monorepo_subfolder_gets_snippets_that_run_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {f"services/shop/{path}": text for path, text in LIBRARY.items()}
    top = make_repo(tmp_path / "mono", {**files, "README.md": "x\n"})
    shop = top / "services" / "shop"
    (shop / ".venv" / "bin").mkdir(parents=True)
    (shop / ".venv" / "bin" / "python").symlink_to(sys.executable)
    out = init(shop, capsys)
    assert (shop / "pyproject.toml").read_text().count("[tool.qualitygate]") == 1
    assert "working-directory: services/shop" in out  # every CI step runs in the project
    assert "args: [--python=services/shop/.venv/bin/python, -C, services/shop]" in out
