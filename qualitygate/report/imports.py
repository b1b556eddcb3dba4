"""Which test files import which source modules, from the tests' own `import` lines (static).

A source file answers to several dotted names, one per folder it could be
imported from: the repository root, each `source` folder, `src/`, and the
first folder above it that is not a package. `import a.b.c`,
`from a.b import c` (module `a.b.c`, else `a.b`), relative imports
(`from ..app import x`, resolved against the test file's folder) and
`importlib.import_module("a.b")` with a literal name all count. Imports
anywhere in the file count, inside functions too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

ModuleIndex = Mapping[str, str]  # dotted name -> repo-relative source path


def _module_parts(rel: str) -> tuple[str, ...]:
    path = PurePosixPath(rel)
    parts = path.with_suffix("").parts
    return parts[:-1] if path.name == "__init__.py" else parts


def import_roots(rel: str, folders: Iterable[str], packages: frozenset[str]) -> set[int]:
    """How many leading folders of `rel` to drop for each way it could be imported."""
    parts = PurePosixPath(rel).parts[:-1]
    drops = {0}
    for folder in (*folders, "src"):
        fparts = PurePosixPath(folder.strip("/")).parts
        if fparts and fparts != (".",) and parts[: len(fparts)] == fparts:
            drops.add(len(fparts))
    top = len(parts)
    while top > 0 and "/".join(parts[:top]) in packages:
        top -= 1
    drops.add(top)
    return drops


def module_index(files: Iterable[str], folders: Iterable[str]) -> dict[str, str]:
    """Every dotted name each source file can be imported as."""
    files = list(files)
    packages = frozenset(
        str(PurePosixPath(f).parent) for f in files if PurePosixPath(f).name == "__init__.py"
    )
    index: dict[str, str] = {}
    for rel in files:
        parts = _module_parts(rel)
        for drop in sorted(import_roots(rel, folders, packages), reverse=True):
            if parts[drop:]:
                index.setdefault(".".join(parts[drop:]), rel)
    return index


def _relative_base(test: str, level: int) -> PurePosixPath:
    base = PurePosixPath(test).parent
    for _ in range(level - 1):
        base = base.parent
    return base


def _by_path(base: PurePosixPath, dotted: str, sources: frozenset[str]) -> str | None:
    path = base.joinpath(*dotted.split(".")) if dotted else base
    for candidate in (f"{path}.py", f"{path}/__init__.py"):
        candidate = candidate.removeprefix("./")
        if candidate in sources:
            return candidate
    return None


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(relative level, module, imported names) for each import in a parsed file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            yield node.level, node.module or "", tuple(a.name for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            yield 0, node.args[0].value, ()


def resolve(
    test: str,
    level: int,
    module: str,
    names: tuple[str, ...],
    index: ModuleIndex,
    sources: frozenset[str],
) -> set[str]:
    """The source files one import statement of `test` brings in."""

    def find(dotted: str) -> str | None:
        if level:
            return _by_path(_relative_base(test, level), dotted, sources)
        return index.get(dotted)

    found = set()
    for name in names:
        hit = find(f"{module}.{name}" if module else name)
        if hit:
            found.add(hit)
    if len(found) < len(names) or not names:
        whole = find(module)
        if whole:
            found.add(whole)
    return found


def imports_of(test: str, text: str, index: ModuleIndex, sources: frozenset[str]) -> set[str]:
    """The source files a test file imports."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for level, module, names in imported_names(tree):
        found |= resolve(test, level, module, names, index, sources)
    return found


def importing_tests(
    root: Path, tests: Iterable[str], sources: Iterable[str], folders: Iterable[str]
) -> dict[str, frozenset[str]]:
    """source file -> the test files that import it."""
    sources = list(sources)
    index = module_index(sources, folders)
    known = frozenset(sources)
    found: dict[str, set[str]] = {}
    for test in tests:
        text = (root / test).read_text(encoding="utf-8", errors="replace")
        for source in imports_of(test, text, index, known):
            found.setdefault(source, set()).add(test)
    return {source: frozenset(t) for source, t in found.items()}
