"""What a source module holds, read with `ast`: its functions and how much logic they carry.

A function's *body* is the span of lines a test must run to exercise it
(docstring left out). Stubs (`...`, `pass`, `raise NotImplementedError`,
a docstring alone) are not functions to test. Methods are named
`Class.method`; nested functions belong to the function around them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

AnyFunction = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Function:
    name: str  # "func" or "Class.method"
    first: int  # first line of the body
    last: int
    public: bool

    def runs_any(self, lines: frozenset[int]) -> bool:
        return any(self.first <= line <= self.last for line in lines)


@dataclass(frozen=True)
class ModuleShape:
    lines: int  # physical lines
    functions: tuple[Function, ...]
    public_classes: tuple[str, ...]
    logic_statements: int  # statements inside function bodies
    package_marker: bool = False  # an __init__.py with no function or class
    parsed: bool = True

    @property
    def public_functions(self) -> tuple[Function, ...]:
        return tuple(f for f in self.functions if f.public)


def _body(node: AnyFunction) -> list[ast.stmt]:
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[1:]
    return body


def is_stub(node: AnyFunction) -> bool:
    body = _body(node)
    if not body:
        return True
    if len(body) > 1:
        return False
    only = body[0]
    if isinstance(only, ast.Pass):
        return True
    if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant):
        return only.value.value is Ellipsis
    if isinstance(only, ast.Raise) and only.exc is not None:
        exc = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(nodes: list[ast.stmt]) -> int:
    """Statements in `nodes` and the blocks nested in them (expressions are not walked)."""
    count = 0
    for node in nodes:
        count += isinstance(node, ast.stmt)
        for block in BLOCKS:
            count += _statements(getattr(node, block, None) or [])
    return count


def _functions(
    body: list[ast.stmt], owner: str, public_owner: bool
) -> Iterator[tuple[Function, int]]:
    for node in body:
        if isinstance(node, AnyFunction) and not is_stub(node):
            stmts = _body(node)
            public = public_owner and not node.name.startswith("_")
            yield (
                Function(
                    owner + node.name, stmts[0].lineno, node.end_lineno or stmts[-1].lineno, public
                ),
                _statements(stmts),
            )
        elif isinstance(node, ast.ClassDef):
            inner_public = public_owner and not node.name.startswith("_")
            yield from _functions(node.body, f"{owner}{node.name}.", inner_public)


def shape_of(text: str, is_init: bool = False) -> ModuleShape:
    """The shape of one module's source; unparsable text gives an empty, unparsed shape."""
    lines = len(text.splitlines())
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return ModuleShape(lines, (), (), 0, parsed=False)
    found = list(_functions(tree.body, "", True))
    classes = tuple(
        n.name for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")
    )
    has_defs = any(isinstance(n, AnyFunction | ast.ClassDef) for n in tree.body)
    return ModuleShape(
        lines,
        tuple(f for f, _ in found),
        classes,
        sum(n for _, n in found),
        package_marker=is_init and not has_defs,
    )


def module_shape(path: str, text: str) -> ModuleShape:
    """The shape of the module at `path` (in the repository) with source `text`."""
    return shape_of(text, PurePosixPath(path).name == "__init__.py")
