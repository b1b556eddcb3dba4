"""`qualitygate init`'s proposal: source folders, test folders and layers, read from paths.

Pure functions of the repository's file list (repo-relative POSIX paths, as git
lists them), so every rule has a table-driven test. A layer is proposed for each
folder whose name says what it holds (`api`, `services`, `db`, ...); the
outermost such folder on a path wins, so proposed layers never overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import tomlkit
from tomlkit.items import Table


@dataclass(frozen=True)
class Targets:
    min_coverage: int
    min_diff_coverage: int
    min_mutation_score: int


@dataclass(frozen=True)
class LayerKind:
    name: str
    folders: tuple[str, ...]
    targets: Targets


# Declared in this order; the thresholds follow the layered-backend preset.
LAYER_KINDS = (
    LayerKind("domain", ("domain", "models", "entities"), Targets(90, 90, 70)),
    LayerKind("core", ("core",), Targets(80, 85, 60)),
    LayerKind("services", ("services", "service", "use_cases", "usecases"), Targets(80, 85, 60)),
    LayerKind("repositories", ("repositories", "repository", "repos"), Targets(70, 80, 50)),
    LayerKind(
        "infrastructure",
        ("infrastructure", "infra", "db", "database", "persistence", "adapters"),
        Targets(60, 80, 50),
    ),
    LayerKind("events", ("events", "handlers", "consumers", "messaging"), Targets(60, 80, 40)),
    LayerKind("middleware", ("middleware", "middlewares"), Targets(60, 80, 40)),
    LayerKind(
        "api",
        ("api", "routes", "routers", "views", "endpoints", "controllers"),
        Targets(70, 80, 40),
    ),
    LayerKind("workers", ("workers", "tasks", "jobs"), Targets(60, 80, 40)),
)
KIND_OF_FOLDER = {folder: kind for kind in LAYER_KINDS for folder in kind.folders}
TEST_FOLDERS = ("tests", "test")
NOT_SOURCE = {
    *TEST_FOLDERS,
    "docs",
    "doc",
    "examples",
    "example",
    "scripts",
    "benchmarks",
    "build",
    "dist",
    "migrations",
    "node_modules",
    "site-packages",
    "venv",
    "env",
    "__pycache__",
}
DEFAULT_TESTS = ("tests",)
MIN_DIFF_COVERAGE = 80


@dataclass(frozen=True)
class ProposedLayer:
    name: str
    paths: tuple[str, ...]
    targets: Targets


FOUND, TESTPATHS, NONE = "found", "pytest's testpaths", "none found"
LIBRARY = "library"  # the preset for one package with no layer folders


@dataclass(frozen=True)
class Proposal:
    source: tuple[str, ...]  # empty: the whole repository
    tests: tuple[str, ...]
    layers: tuple[ProposedLayer, ...]
    tests_found: bool = True  # False: no test file anywhere, `tests` is the default
    tests_from: str = FOUND  # FOUND: written as `tests`; else left to pytest's own discovery
    preset: str | None = None
    python: str | None = None  # the project's interpreter, when init found its environment


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _folders(path: str) -> tuple[str, ...]:
    return PurePosixPath(path).parts[:-1]


def _outermost(folders: Iterable[str]) -> tuple[str, ...]:
    """Sorted folders, without those inside another listed one."""
    kept: list[str] = []
    for folder in sorted(set(folders)):
        if not any(folder == k or folder.startswith(k + "/") for k in kept if k != "."):
            kept.append(folder)
    return (".",) if "." in kept else tuple(kept)


def _python_files(files: Iterable[str]) -> list[str]:
    return [
        f
        for f in files
        if f.endswith(".py") and not any(p.startswith(".") for p in PurePosixPath(f).parts)
    ]


def find_source_folders(files: Iterable[str]) -> tuple[str, ...]:
    """`src` in a src layout, else the top-level folders holding Python code; () if none."""
    python = _python_files(files)
    if any(f.startswith("src/") for f in python):
        return ("src",)
    tops = {_folders(f)[0] for f in python if _folders(f)}
    code = {t for t in tops if t.lower() not in NOT_SOURCE}
    packages = {t for t in code if f"{t}/__init__.py" in python}
    return tuple(sorted(packages or code))


def find_test_folders(files: Iterable[str]) -> tuple[str, ...]:
    """The folders holding test files: the outermost `tests`/`test` folder on their path,
    else the top-level folder they sit in."""
    found = []
    for path in filter(is_test_file, _python_files(files)):
        folders = _folders(path)
        named = [i for i, part in enumerate(folders) if part.lower() in TEST_FOLDERS]
        if named:
            found.append("/".join(folders[: named[0] + 1]))
        else:
            found.append(folders[0] if folders else ".")
    return _outermost(found)


def _in_tests(path: str) -> bool:
    return is_test_file(path) or any(p.lower() in TEST_FOLDERS for p in _folders(path))


def layer_folder(path: str) -> tuple[LayerKind, str] | None:
    """The outermost folder on `path` whose name names a layer, and that layer's kind."""
    folders = _folders(path)
    for i, part in enumerate(folders):
        kind = KIND_OF_FOLDER.get(part.lower())
        if kind is not None:
            return kind, "/".join(folders[: i + 1])
    return None


def propose_layers(files: Iterable[str], source: Sequence[str]) -> tuple[ProposedLayer, ...]:
    globs: dict[str, set[str]] = {}
    for path in _python_files(files):
        in_source = not source or any(path.startswith(s + "/") for s in source)
        found = layer_folder(path) if in_source and not _in_tests(path) else None
        if found is not None:
            globs.setdefault(found[0].name, set()).add(found[1] + "/**")
    return tuple(
        ProposedLayer(kind.name, tuple(sorted(globs[kind.name])), kind.targets)
        for kind in LAYER_KINDS
        if kind.name in globs
    )


def is_package(files: Sequence[str], source: Sequence[str]) -> bool:
    """A flat or src-layout package: an `__init__.py` under the source folders."""
    inits = [f for f in _python_files(files) if PurePosixPath(f).name == "__init__.py"]
    return any(any(f.startswith(s + "/") for s in source) for f in inits)


def propose(
    files: Sequence[str],
    testpaths: tuple[str, ...] | None = None,
    python: str | None = None,
) -> Proposal:
    """The proposal; `testpaths` is pytest's (None: unknown), which, when set, is where the
    tests are and needs no `tests` key."""
    source = find_source_folders(files)
    found = find_test_folders(files)
    layers = propose_layers(files, source)
    if testpaths:
        tests, tests_from = testpaths, TESTPATHS
    else:
        tests, tests_from = (found, FOUND) if found else (DEFAULT_TESTS, NONE)
    return Proposal(
        source=source,
        tests=tests,
        layers=layers,
        tests_found=bool(found or testpaths),
        tests_from=tests_from,
        preset=LIBRARY if not layers and is_package(files, source) else None,
        python=python,
    )


def config_table(proposal: Proposal) -> Table:
    """The proposal as qualitygate config keys, in a style-preserving TOML table."""
    table = tomlkit.table()
    if proposal.preset:
        table.add("preset", proposal.preset)
    if proposal.python:
        table.add("python", proposal.python)
    if proposal.source:
        table.add("source", list(proposal.source))
    if proposal.tests_from == FOUND:
        table.add("tests", list(proposal.tests))
    table.add("min_diff_coverage", MIN_DIFF_COVERAGE)
    if proposal.layers:
        layers = tomlkit.table(is_super_table=True)
        for layer in proposal.layers:
            body = tomlkit.table()
            body.add("paths", list(layer.paths))
            body.add("min_coverage", layer.targets.min_coverage)
            body.add("min_diff_coverage", layer.targets.min_diff_coverage)
            body.add("min_mutation_score", layer.targets.min_mutation_score)
            layers.add(layer.name, body)
        table.add("layers", layers)
    return table
