"""The project's Python files: sources under `source`, test files, and functions' spans."""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from qualitygate.project import git
from qualitygate.project.config import Config
from qualitygate.project.layers import excluded, in_folders


def is_test_file(path: str, config: Config) -> bool:
    """In the test folders (`tests`, else pytest's testpaths), or named as pytest names
    test files (its python_files, and conftest.py)."""
    folders = config.tests or config.test_paths
    name = PurePosixPath(path).name
    return in_folders(path, folders) or bool(_name_matcher(config.test_patterns)(name))


@functools.cache
def _name_matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """One regex for pytest's file-name patterns, matched on a file's name as
    `PurePath(name).match` would: case-sensitive, `./` and a trailing `/` dropped, a
    pattern of more than one part (or none) never matching a bare name. Compiled once,
    since every tracked file is asked."""
    parts = [PurePosixPath(p).parts for p in patterns]
    names = [fnmatch.translate(found[0]) for found in parts if len(found) == 1]
    return re.compile("|".join(names) if names else "(?!)").match


def source_files(root: Path, config: Config) -> list[str]:
    """Every Python file under `source`, tests and `exclude` left out, as git sees the
    working tree."""
    return [
        path for path in git.tracked_files(root) if path.endswith(".py") and gated(path, config)
    ]


def gated(path: str, config: Config) -> bool:
    """Under `source`, not a test file, not excluded: a file whose lines the gate counts."""
    return (
        in_folders(path, config.source or (".",))
        and not is_test_file(path, config)
        and not excluded(path, config)
    )


def function_spans(source: str) -> list[tuple[int, int]]:
    """(first, last) line of each function in a module, innermost last."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
