"""The [tool.mutmut] table qualitygate writes into the project copy.

The user's own keys (from pyproject.toml [tool.mutmut] or setup.cfg
[mutmut]) are kept, except the few qualitygate must control to scope the run
and read its results. The copy's pyproject.toml is rewritten; the user's
file is never touched.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from qualitygate.errors import ConfigError

LIST_KEYS = frozenset(
    {
        "source_paths",
        "paths_to_mutate",
        "only_mutate",
        "do_not_mutate",
        "do_not_mutate_patterns",
        "also_copy",
        "pytest_add_cli_args",
        "pytest_add_cli_args_test_selection",
        "tests_dir",
        "type_check_command",
        "cache_invalidation_files",
        "cache_invalidation_exclude",
    }
)
FLOAT_KEYS = frozenset({"timeout_multiplier", "timeout_constant"})
BOOL_KEYS = frozenset(
    {
        "debug",
        "mutate_only_covered_lines",
        "use_setproctitle",
        "track_dependencies",
        "use_git_change_detection",
        "log_to_file",
    }
)
DEFAULTS: dict[str, Any] = {"timeout_multiplier": 5.0, "timeout_constant": 1.0}
TABLE_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*mutmut\s*\]\s*(#.*)?$")
ANY_HEADER = re.compile(r"^\s*\[")


def _setup_cfg_value(key: str, raw: str) -> Any:
    if key in LIST_KEYS:
        return [item.strip() for item in raw.splitlines() if item.strip()]
    if key in FLOAT_KEYS:
        return float(raw)
    if key in BOOL_KEYS:
        return raw.strip().lower() in ("1", "t", "true")
    return raw


def user_settings(project: Path) -> dict[str, Any]:
    """The user's mutmut keys, read the way mutmut reads them: pyproject first, then setup.cfg."""
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("pyproject.toml", "", f"not valid TOML ({exc})") from exc
        table = data.get("tool", {}).get("mutmut")
        if isinstance(table, dict):
            return dict(table)
    parser = configparser.ConfigParser()
    parser.read(project / "setup.cfg", encoding="utf-8")
    if not parser.has_section("mutmut"):
        return {}
    return {key: _setup_cfg_value(key, raw) for key, raw in parser.items("mutmut")}


def mutation_allowed(user: Mapping[str, Any], path: str) -> bool:
    """Whether the user's only_mutate lets mutmut mutate `path` (mutmut applies do_not_mutate)."""
    patterns = user.get("only_mutate") or []
    return not patterns or any(fnmatch.fnmatch(path, pattern) for pattern in patterns)


def _under(path: PurePosixPath, folder: PurePosixPath) -> bool:
    return path == folder or folder in path.parents


def copy_roots(files: Iterable[str], source: Sequence[str]) -> list[str]:
    """Shortest paths covering every file outside the source folders (mutmut's `also_copy`)."""
    folders = [PurePosixPath(s) for s in source]
    roots: set[str] = set()
    for name in files:
        path = PurePosixPath(name)
        if any(_under(path, folder) for folder in folders):
            continue
        for depth in range(1, len(path.parts) + 1):
            prefix = PurePosixPath(*path.parts[:depth])
            if not any(_under(folder, prefix) for folder in folders):
                roots.add(str(prefix))
                break
    return sorted(roots)


def settings(
    user: Mapping[str, Any],
    *,
    source: Sequence[str],
    tests: Sequence[str],
    mutate: Sequence[str],
    also_copy: Sequence[str],
    pytest_args: Sequence[str],
) -> dict[str, Any]:
    """The table for the copy: the user's keys, plus what qualitygate must control."""
    merged = {**DEFAULTS, **user}
    merged.pop("paths_to_mutate", None)
    merged.update(
        source_paths=sorted(source),
        only_mutate=sorted(mutate),
        also_copy=sorted({*user.get("also_copy", []), *also_copy}),
        pytest_add_cli_args=[*user.get("pytest_add_cli_args", []), *pytest_args],
        pytest_add_cli_args_test_selection=user.get("pytest_add_cli_args_test_selection")
        or list(tests),
        mutate_only_covered_lines=False,  # else mutmut's mutants differ from the probe's
        debug=False,
        log_to_file=False,
        use_git_change_detection=False,
    )
    return merged


def _without_mutmut_table(text: str) -> list[str]:
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if TABLE_HEADER.match(line):
            skipping = True
        elif skipping and ANY_HEADER.match(line):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def write_settings(project: Path, table: Mapping[str, Any]) -> None:
    """Replace [tool.mutmut] in the copy's pyproject.toml (created if missing)."""
    pyproject = project / "pyproject.toml"
    existing = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    rendered = [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    lines = [*_without_mutmut_table(existing), "", "[tool.mutmut]", *rendered, ""]
    pyproject.write_text("\n".join(lines), encoding="utf-8")


def pytest_args_of(table: Mapping[str, Any], excluded: Sequence[str]) -> list[str]:
    deselect = [arg for nodeid in excluded for arg in ("--deselect", nodeid)]
    return [*table.get("pytest_add_cli_args", []), *deselect]


def test_selection_of(table: Mapping[str, Any]) -> list[str]:
    return list(table.get("pytest_add_cli_args_test_selection", []))
