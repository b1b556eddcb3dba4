"""Which test files import which source modules, from the tests' own `import` lines (static).

Imports are resolved as Python would resolve them, from the roots a module can
be imported from: the project root, each `source` folder and the folder that
holds it (`source = ["backend/app"]` names the package `app` in `backend/`),
`src/`, and, for a file inside a regular package, the first folder above it
that is not one. A top-level name of the standard library (`import logging`,
`import types`) is the standard library's, whatever the project holds.

`import a.b.c`, `from a.b import c` (module `a.b.c`, else `a.b`), relative
imports (`from ..app import x`, resolved against the test file's folder) and
`importlib.import_module("a.b")` with a literal name all count, anywhere in
the file. A name a package re-exports from its `__init__.py` (`from .time
import naturaltime`, or `*`) is credited to the submodule that defines it,
whether the test imports the name (`from pkg import naturaltime`) or reaches
it as an attribute (`import pkg; pkg.naturaltime()`).

Hand-written on `ast`: pytest and importlib resolve imports only by running
them, and `report --no-run` must not run the project's code.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

ModuleIndex = Mapping[str, str]  # dotted name -> repo-relative source path
STDLIB = frozenset(sys.stdlib_module_names)
MAX_REEXPORT_DEPTH = 8


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
            drops.update({len(fparts), len(fparts) - 1})
    top = len(parts)
    while top > 0 and "/".join(parts[:top]) in packages:
        top -= 1
    if top < len(parts):  # inside a regular package: its root is importable
        drops.add(top)
    return drops


def module_index(files: Iterable[str], folders: Iterable[str]) -> dict[str, str]:
    """Every dotted name each source file can be imported as; standard library names
    excluded, since Python finds those first."""
    files = list(files)
    packages = frozenset(
        str(PurePosixPath(f).parent) for f in files if PurePosixPath(f).name == "__init__.py"
    )
    index: dict[str, str] = {}
    for rel in files:
        parts = _module_parts(rel)
        for drop in sorted(import_roots(rel, folders, packages), reverse=True):
            if parts[drop:] and parts[drop] not in STDLIB:
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


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _top_level_names(tree: ast.Module) -> set[str]:
    """Names a module defines at its top level (what `from m import *` can bring)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


@dataclass
class Sources:
    """The project's source files, the names they answer to, and what each package's
    `__init__.py` re-exports: (package file, name) -> the file that defines the name."""

    index: ModuleIndex
    known: frozenset[str]
    reexports: dict[str, dict[str, str]] = field(default_factory=dict)

    def find(self, importer: str, level: int, dotted: str) -> str | None:
        if level:
            return _by_path(_relative_base(importer, level), dotted, self.known)
        return self.index.get(dotted)

    def child(self, package: str, name: str) -> str | None:
        """The submodule `name` of the package whose `__init__.py` is `package`."""
        if PurePosixPath(package).name != "__init__.py":
            return None
        return _by_path(PurePosixPath(package).parent, name, self.known)

    def origin(self, package: str, name: str, depth: int = 0) -> str | None:
        """The file that defines `name` as `package` re-exports it, if it is a re-export."""
        target = self.reexports.get(package, {}).get(name)
        if target is None or depth >= MAX_REEXPORT_DEPTH:
            return target
        return self.origin(target, name, depth + 1) or target


def sources_of(root: Path | None, files: Iterable[str], folders: Iterable[str]) -> Sources:
    """The index of `files`; with `root`, also the re-exports their `__init__.py` make."""
    files = list(files)
    found = Sources(module_index(files, folders), frozenset(files))
    if root is None:
        return found
    for rel in files:
        if PurePosixPath(rel).name != "__init__.py":
            continue
        tree = _parse((root / rel).read_text(encoding="utf-8", errors="replace"))
        if tree is not None:
            found.reexports[rel] = _reexports(rel, tree, found, root)
    return found


def _reexports(init: str, tree: ast.Module, src: Sources, root: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                target = src.find(init, node.level, module)
                if target is not None and target != init:
                    text = (root / target).read_text(encoding="utf-8", errors="replace")
                    defined = _top_level_names(_parse(text) or ast.Module([], []))
                    for name in defined - names.keys():
                        names[name] = target
                continue
            dotted = f"{module}.{alias.name}" if module else alias.name
            target = src.find(init, node.level, dotted) or src.find(init, node.level, module)
            if target is not None and target != init:
                names[alias.asname or alias.name] = target
    return names


def _bindings(tree: ast.Module, test: str, src: Sources) -> dict[str, str]:
    """Local names bound to a project module or package: name -> its file."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                dotted = alias.name if alias.asname else alias.name.split(".")[0]
                hit = src.find(test, 0, dotted)
                if hit:
                    bound[alias.asname or dotted] = hit
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}" if node.module else alias.name
                hit = src.find(test, node.level, dotted)
                if hit:
                    bound[alias.asname or alias.name] = hit
    return bound


def _attribute_uses(tree: ast.Module, bound: Mapping[str, str], src: Sources) -> set[str]:
    """Files reached as attributes of a bound package: `pkg.naturaltime`, `pkg.sub.f`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain = [node.attr]
        base: ast.expr = node.value
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if not isinstance(base, ast.Name) or base.id not in bound:
            continue
        current = bound[base.id]
        for attr in reversed(chain):
            nxt = src.child(current, attr) or src.origin(current, attr)
            if nxt is None:
                break
            found.add(nxt)
            current = nxt
    return found


def resolve(test: str, level: int, module: str, names: tuple[str, ...], src: Sources) -> set[str]:
    """The source files one import statement of `test` brings in."""
    found = set()
    whole = src.find(test, level, module)
    for name in names:
        hit = src.find(test, level, f"{module}.{name}" if module else name)
        if hit is None and whole is not None:
            hit = src.origin(whole, name)
        if hit:
            found.add(hit)
    if whole and (len(found) < len(names) or not names):
        found.add(whole)
    return found


def imports_of(test: str, text: str, src: Sources) -> set[str]:
    """The source files a test file imports."""
    tree = _parse(text)
    if tree is None:
        return set()
    found: set[str] = set()
    for level, module, names in imported_names(tree):
        found |= resolve(test, level, module, names, src)
    return found | _attribute_uses(tree, _bindings(tree, test, src), src)


def importing_tests(
    root: Path, tests: Iterable[str], sources: Iterable[str], folders: Iterable[str]
) -> dict[str, frozenset[str]]:
    """source file -> the test files that import it."""
    src = sources_of(root, sources, folders)
    found: dict[str, set[str]] = {}
    for test in tests:
        text = (root / test).read_text(encoding="utf-8", errors="replace")
        for source in imports_of(test, text, src):
            found.setdefault(source, set()).add(test)
    return {source: frozenset(t) for source, t in found.items()}
