from __future__ import annotations

import pytest

from qualitygate.project.config import Layer
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
    ],
)
def test_glob_matching(path: str, glob: str, expected: bool) -> None:
    assert matches(path, glob) is expected


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
