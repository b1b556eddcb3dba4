"""Test selection for a change, from a stored map of which tests ran which code
(the idea of pytest-testmon, kept to what a gate can prove).

After every run with per-test coverage, `store` writes the map under
`.git/qualitygate/`: for each source file, its units (each top-level function
and method, and `<module>` for the rest) with a hash of the unit's text and the
tests that ran a line of it; a hash of every file of the project; and the
fingerprint of what the run depended on (conftest.py files, config and
dependency files, the interpreter and its installed distributions, the gate's
test settings).

`select` then answers, for the working tree now: which tests can reach what
differs from the map, and the changed lines being gated. A changed function's
tests are the tests that ran it: its callers have not changed, or they differ
too and bring their own tests. A change outside any function (or a function
added or removed, which changes the module's own text) selects every test that
ran the file. Changed test files run whole. Only the selected tests' files
are collected, unless a changed unit ran in the stored run under no test
(at import, as the suite was collected): then the whole suite is collected,
so it runs as in a full run. Anything the map
cannot follow means the full suite, with the reason: no map, a changed
fingerprint, a changed Python file that is neither a source nor a test, or a
changed non-Python file under the source or test folders.

Hand-written: pytest-testmon selects by its own tracer and database, inside
pytest; the gate needs the selection before pytest starts and from the
coverage data it measures anyway.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from qualitygate import __version__
from qualitygate.measure.coverage_data import ANY_TEST_NAME
from qualitygate.model import FileCoverage
from qualitygate.project import git
from qualitygate.project.config import Config
from qualitygate.project.files import is_test_file
from qualitygate.project.layers import in_folders

MAP_VERSION = 1
MODULE = "<module>"
CONFIG_FILES = frozenset(
    {
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "tox.ini",
        "pytest.ini",
        "pytest.toml",
        ".pytest.toml",
        ".coveragerc",
        "qualitygate.toml",
    }
)
DEPENDENCY_SUFFIXES = (".lock",)
DEPENDENCY_PREFIXES = ("requirements", "constraints")
DOCUMENTS = (".md", ".rst")


@dataclass(frozen=True)
class Unit:
    name: str
    first: int
    last: int


def units_of(source: str) -> tuple[list[Unit], dict[str, str]]:
    """The file's units, and each unit's text hashed (`<module>`: the file with every
    unit's text replaced by its name, so moving lines inside a function leaves it)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return [], {MODULE: _hash(source)}
    nodes: list[tuple[str, ast.stmt]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nodes.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    nodes.append((f"{node.name}.{method.name}", method))
    lines = source.splitlines()
    units, hashes, module = [], {}, list(lines)
    for name, node in nodes:
        decorators = [d.lineno for d in getattr(node, "decorator_list", [])]
        first, last = min([node.lineno, *decorators]), node.end_lineno or node.lineno
        units.append(Unit(name, first, last))
        hashes[name] = _hash("\n".join(lines[first - 1 : last]))
        module[first - 1 : last] = [f"<{name}>"] + [""] * (last - first)
    hashes[MODULE] = _hash("\n".join(module))
    return units, hashes


def unit_at(units: Iterable[Unit], line: int) -> str:
    inside = [u for u in units if u.first <= line <= u.last]
    return min(inside, key=lambda u: u.last - u.first).name if inside else MODULE


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def file_hashes(root: Path) -> dict[str, str]:
    """A content hash of every file in the working tree that git does not ignore."""
    hashes = git.index_blobs(root)
    for path in set(git.worktree_changed(root)) | set(git.untracked_files(root)):
        full = root / path
        if full.is_file():
            data = full.read_bytes()
            hashes[path] = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        else:
            hashes.pop(path, None)
    return hashes


def _is_config(path: str) -> bool:
    name = PurePosixPath(path).name
    return (
        name == "conftest.py"
        or ("/" not in path and name in CONFIG_FILES)
        or name.endswith(DEPENDENCY_SUFFIXES)
        or (name.startswith(DEPENDENCY_PREFIXES) and name.endswith(".txt"))
    )


def fingerprint(hashes: Mapping[str, str], cfg: Config, environment: str) -> dict[str, str]:
    """What a map depends on besides the sources: name -> hash."""
    found = {path: sha for path, sha in hashes.items() if _is_config(path)}
    found["<environment>"] = environment
    found["<settings>"] = _hash(repr((__version__, cfg.source, cfg.tests, cfg.pytest_args)))
    return found


@dataclass(frozen=True)
class Selection:
    """What to run: test ids and whole test files; or, with `reason`, the full suite."""

    tests: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()
    total: int = 0  # tests in the stored map's run
    reason: str = ""  # why the full suite runs; empty for a selection
    collect_all: bool = False  # code that ran only at import time changed: collect it all

    @property
    def full(self) -> bool:
        return bool(self.reason)

    @property
    def test_files(self) -> frozenset[str]:
        """The files to collect: the selected tests' own, or every test file (empty) when
        nothing is selected or code that ran only at import time changed."""
        if self.collect_all or not (self.tests or self.files):
            return frozenset()
        return self.files | {t.split("::", 1)[0] for t in self.tests}


def full(reason: str) -> Selection:
    return Selection(reason=reason)


def map_path(root: Path) -> Path:
    """One map per project root, under the repository's git folder."""
    where = _hash(str(root.resolve()))[:12]
    return git.git_dir(root) / "qualitygate" / "tests" / f"map-{where}.json"


def store(
    root: Path,
    cfg: Config,
    cov: Mapping[str, FileCoverage],
    hashes: Mapping[str, str],
    environment: str,
    total: int,
) -> None:
    """Write the map of a run with per-test coverage. Never fails the gate: a map that
    cannot be written is only a slower next run. A run that measured only some files
    per test writes none: its other files name no test."""
    ids = sorted({t for fc in cov.values() for ts in fc.tests_by_line.values() for t in ts})
    if ANY_TEST_NAME in ids:
        return
    index = {t: i for i, t in enumerate(ids)}
    files: dict[str, Any] = {}
    for path, fc in cov.items():
        if not fc.has_contexts or not fc.executed:
            continue
        source = (root / path).read_text(encoding="utf-8", errors="surrogateescape")
        units, unit_hashes = units_of(source)
        reached: dict[str, set[int]] = {name: set() for name in unit_hashes}
        for line, line_tests in fc.tests_by_line.items():
            reached[unit_at(units, line)].update(index[t] for t in line_tests)
        ran = {unit_at(units, line) for line in fc.executed}
        files[path] = {
            name: [unit_hashes[name], sorted(reached[name]), name in ran] for name in unit_hashes
        }
    data = {
        "version": MAP_VERSION,
        "fingerprint": fingerprint(hashes, cfg, environment),
        "hashes": dict(hashes),
        "tests": ids,
        "total": total,
        "files": files,
    }
    target = map_path(root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        partial.replace(target)
    except OSError:
        pass


def has_map(root: Path) -> bool:
    """A map is stored for this project root, current or not."""
    return map_path(root).is_file()


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and data.get("version") == MAP_VERSION
        and all(isinstance(data.get(k), dict) for k in ("fingerprint", "hashes", "files"))
        and isinstance(data.get("tests"), list)
    )
    return data if ok else None


def _changed_fingerprint(old: Mapping[str, str], new: Mapping[str, str]) -> str | None:
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            if name == "<environment>":
                return "the interpreter or its installed packages changed"
            if name == "<settings>":
                return "the gate's test settings (source, tests, pytest_args) changed"
            return f"{name} changed"
    return None


def select(
    root: Path,
    cfg: Config,
    hashes: Mapping[str, str],
    environment: str,
    gated: Mapping[str, frozenset[int]],
) -> Selection:
    """The tests that reach every unit that differs from the map and every gated line
    (path -> changed lines), or the full suite with the reason."""
    data = _load(map_path(root))
    if data is None:
        return full("no stored test map yet")
    why = _changed_fingerprint(data["fingerprint"], fingerprint(hashes, cfg, environment))
    if why:
        return full(f"{why} since the stored test map")
    ids: list[str] = [str(t) for t in data["tests"]]
    stored: dict[str, dict[str, list[Any]]] = data["files"]
    old_hashes: dict[str, str] = data["hashes"]
    folders = cfg.source or (".",)
    chosen: set[int] = set()
    whole_files: set[str] = set()
    import_time: list[bool] = []
    differing = {p for p in set(old_hashes) | set(hashes) if old_hashes.get(p) != hashes.get(p)}
    for path in sorted(differing | set(gated)):
        is_python = path.endswith(".py")
        if is_python and is_test_file(path, cfg):
            if path in hashes:
                whole_files.add(path)
            continue
        if is_python and in_folders(path, folders):
            if path not in hashes:
                continue  # deleted: nothing of it is left to reach
            lines = gated.get(path, frozenset())
            import_time.append(_select_in(root, path, stored.get(path), lines, chosen))
            continue
        if path not in differing:
            continue
        if is_python:
            return full(f"{path} changed, and the stored test map does not follow it")
        if in_folders(path, (*folders, *(cfg.tests or cfg.test_paths))) and not path.endswith(
            DOCUMENTS
        ):
            return full(f"{path} changed under the source or test folders")
    picked = (ids[i] for i in chosen if 0 <= i < len(ids))
    return Selection(  # a test whose file is gone now cannot run
        tests=frozenset(t for t in picked if t.split("::", 1)[0] in hashes),
        files=frozenset(whole_files),
        total=int(data.get("total") or len(ids)),
        collect_all=any(import_time),
    )


def _select_in(
    root: Path,
    path: str,
    stored: Mapping[str, list[Any]] | None,
    lines: frozenset[int],
    chosen: set[int],
) -> bool:
    """Add the tests that can reach what changed in one source file. True when a changed
    unit ran in the stored run under no test, only as the suite was collected: then only
    collecting the whole suite runs it as a full run does. (Any other changed unit runs,
    if at all, in a test the selection has, whose file imports this one.)"""
    if stored is None:
        return False  # no test ran it, and an unchanged file cannot start to call it
    source = (root / path).read_text(encoding="utf-8", errors="surrogateescape")
    units, hashes = units_of(source)
    touched = {unit_at(units, line) for line in lines}
    touched |= {
        name
        for name in set(hashes) | set(stored)
        if stored.get(name, [None])[0] != hashes.get(name)
    }
    every = {i for entry in stored.values() for i in entry[1]}
    at_import = False
    for name in touched:
        entry = stored.get(name)
        tests = every if name == MODULE or entry is None else set(entry[1])
        chosen |= tests
        ran = any(e[2] for e in stored.values()) if entry is None else bool(entry[2])
        at_import |= ran and not tests
    return at_import
