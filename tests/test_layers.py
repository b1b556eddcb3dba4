from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualitygate.errors import ConfigError
from qualitygate.project import config
from qualitygate.project.config import Layer
from qualitygate.project.files import is_test_file, source_files
from qualitygate.project.layers import classify, in_folders, matches


@pytest.mark.parametrize(
    ("path", "glob", "expected"),
    [
        ("app/db/x.py", "app/db/**", True),
        ("app/db/deep/er/x.py", "app/db/**", True),
        ("app/dbx/x.py", "app/db/**", False),
        ("app/db/x.py", "**/db/**", True),
        ("db/x.py", "**/db/**", True),
        ("a/b/db/x.py", "**/db/**", True),
        ("app/x.py", "app/*.py", True),
        ("app/sub/x.py", "app/*.py", False),
        ("app/x.py", "./app/*.py", True),
        ("app/x1.py", "app/x?.py", True),
        ("anything/at/all.py", "**", True),
        ("app/services/a.py", "app/services/*", True),
        ("app/services.py", "app/services/**", False),
        # gitignore semantics, through pathspec
        ("app/x.py", "app/[xy].py", True),
        ("app/z.py", "app/[xy].py", False),
        ("a/b/c_repo.py", "*_repo.py", True),  # no slash: any depth
        ("app/db/deep/x.py", "app/db", True),  # a folder: everything in it
        ("app/db.py", "app/db/", False),  # a trailing slash: folders only
        ("x/migrations/0001_init.py", "**/migrations/**", True),
        ("src/pkg/_version.py", "**/_version.py", True),
    ],
)
def test_glob_matching(path: str, glob: str, expected: bool) -> None:
    assert matches(path, glob) is expected


def test_a_negated_glob_takes_back_what_the_list_matched() -> None:
    api = Layer("api", ("app/api/**", "!app/api/schemas/**"))
    other = Layer("other", ("**",))
    assert classify("app/api/routes.py", [api], other) is api
    assert classify("app/api/schemas/user.py", [api], other) is other


def test_a_layer_exclude_leaves_the_file_to_the_next_layer() -> None:
    services = Layer("services", ("app/**",), exclude=("**/legacy/**",))
    legacy = Layer("legacy", ("app/legacy/**",))
    other = Layer("other", ("**",))
    assert classify("app/legacy/old.py", [services, legacy], other) is legacy
    assert classify("app/new.py", [services, legacy], other) is services


@pytest.mark.parametrize(
    ("glob", "problem"),
    [("!", "not a valid glob"), ("a/[z-a].py", "not a valid glob"), ("# x", "matches nothing")],
)
def test_a_bad_glob_is_named_with_its_key(tmp_path: Path, glob: str, problem: str) -> None:
    path = tmp_path / "qualitygate.toml"
    path.write_text(f'exclude = ["ok/**", {json.dumps(glob)}]\n')
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path, path, env={})
    assert "exclude[1]" in str(caught.value) and problem in str(caught.value)


def test_top_level_exclude_takes_files_out_of_the_gate(tmp_path: Path) -> None:
    from tests.fixtures import make_repo

    root = make_repo(
        tmp_path / "r",
        {
            "app/__init__.py": "",
            "app/core.py": "X = 1\n",
            "app/migrations/0001_init.py": "Y = 2\n",
            "app/_version.py": "V = '1'\n",
        },
    )
    cfg = replace(config.load(root, None, env={}), exclude=("**/migrations/**", "**/_version.py"))
    assert source_files(root, cfg) == ["app/__init__.py", "app/core.py"]


def test_first_declared_layer_wins() -> None:
    repos = Layer("repositories", ("**/repositories/**",))
    infra = Layer("infrastructure", ("app/db/**",))
    other = Layer("other", ("**",))
    assert classify("app/db/repositories/user.py", [repos, infra], other) is repos
    assert classify("app/db/repositories/user.py", [infra, repos], other) is infra
    assert classify("app/db/session.py", [repos, infra], other) is infra
    assert classify("app/main.py", [repos, infra], other) is other


@pytest.mark.parametrize(
    ("path", "folders", "expected"),
    [
        ("app/x.py", ["app"], True),
        ("app/x.py", ["app/"], True),
        ("application/x.py", ["app"], False),
        ("x.py", ["."], True),
        ("tests/t.py", ["src", "tests"], True),
    ],
)
def test_in_folders(path: str, folders: list[str], expected: bool) -> None:
    assert in_folders(path, folders) is expected


names = st.text(alphabet="abtesT_.-*?[]!/", min_size=1, max_size=12)


@given(names.filter(lambda n: "/" not in n), st.lists(names, min_size=1, max_size=3))
def test_test_file_names_match_as_pathlib_matches_them(name: str, patterns: list[str]) -> None:
    """The compiled patterns agree with `PurePath(name).match`, which they replace."""
    cfg = replace(config.Config("test"), tests=("nowhere",), test_patterns=tuple(patterns))
    try:
        expected = any(PurePosixPath(name).match(p) for p in patterns)
    except ValueError:  # pathlib: "empty pattern" ("." or ""), which matches nothing here
        expected = any(PurePosixPath(name).match(p) for p in patterns if PurePosixPath(p).parts)
    assert is_test_file(f"src/{name}", cfg) is expected
