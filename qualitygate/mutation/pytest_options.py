"""pytest options that keep plugins from breaking mutmut's runs.

pytest-cov in `addopts` slows mutmut and causes false kills: `--no-cov`
(only valid when pytest-cov is installed). xdist breaks mutmut's stats run:
`-p no:xdist`, and its options are removed from `addopts` (else pytest
rejects `-n`) by overriding `addopts` with `-o`.
"""

from __future__ import annotations

import configparser
import shlex
import tomllib
from pathlib import Path

XDIST_WITH_VALUE = frozenset({"-n", "--numprocesses", "--dist", "--maxprocesses", "--tx"})
XDIST_FLAGS = frozenset({"--looponfail", "-f"})


def _ini_addopts(path: Path, section: str) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return None
    if not parser.has_section(section):
        return None
    return parser.get(section, "addopts", fallback="")


def _pyproject_addopts(path: Path) -> str | None:
    try:
        tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except tomllib.TOMLDecodeError:
        return None
    table = tool.get("pytest", {})
    if "ini_options" in table:
        table = table["ini_options"]
    elif not table:
        return None
    value = table.get("addopts", "")
    return " ".join(shlex.quote(v) for v in value) if isinstance(value, list) else str(value)


def addopts(project: Path) -> list[str]:
    """The `addopts` pytest reads at the project root, in pytest's order of config files."""
    readers = (
        (project / "pytest.ini", lambda p: _ini_addopts(p, "pytest")),
        (project / ".pytest.ini", lambda p: _ini_addopts(p, "pytest")),
        (project / "pyproject.toml", _pyproject_addopts),
        (project / "tox.ini", lambda p: _ini_addopts(p, "pytest")),
        (project / "setup.cfg", lambda p: _ini_addopts(p, "tool:pytest")),
    )
    for path, read in readers:
        found = read(path) if path.is_file() else None
        if found is not None:
            return shlex.split(found)
    return []


def _is_xdist(option: str) -> bool:
    name = option.split("=", 1)[0]
    return (
        name in XDIST_WITH_VALUE
        or name in XDIST_FLAGS
        or (option.startswith("-n") and len(option) > 2)
    )


def without_xdist(options: list[str]) -> list[str]:
    kept: list[str] = []
    skip_next = False
    for i, option in enumerate(options):
        if skip_next:
            skip_next = False
            continue
        if option in ("-p",) and i + 1 < len(options) and options[i + 1].startswith("xdist"):
            skip_next = True
            continue
        if _is_xdist(option):
            skip_next = option in XDIST_WITH_VALUE
            continue
        kept.append(option)
    return kept


def neutralising_args(project: Path, *, pytest_cov: bool, xdist: bool) -> list[str]:
    args = ["--no-cov"] if pytest_cov else []
    if xdist:
        args += ["-p", "no:xdist"]
        current = addopts(project)
        cleaned = without_xdist(current)
        if cleaned != current:
            args += ["-o", "addopts=" + shlex.join(cleaned)]
    return args
