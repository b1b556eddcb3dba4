"""Where a changed line sits in its module, read with `ast` from the user's file.

Two questions: where is each top-level function and method (to place a
mutant on a line of the user's file), and why can a changed line that got no
mutant not be mutation-tested (module-level code, class body, decorated
function, ...). Pure functions of the source text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

ALLOWED_DECORATORS = frozenset({"staticmethod", "classmethod"})
NEVER_MUTATED = frozenset({"__getattribute__", "__setattr__", "__new__"})
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
ENUM_HOOKS = frozenset({"__init__", "_generate_next_value_"})
MODULE_LEVEL = "module-level code (runs at import time)"
CLASS_BODY = "class body (runs at import time)"
NO_OPERATOR = "no mutation applies to this line"

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class FunctionLocation:
    def_line: int  # the line of `def`, after any decorators
    source: str  # the function's text, decorators included
    body: tuple[int, int] = (0, 0)  # first and last line of its body: they run only in a call


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _contains(node: ast.stmt, line: int) -> bool:
    return _first_line(node) <= line <= (node.end_lineno or node.lineno)


def _location(node: FunctionNode, lines: list[str]) -> FunctionLocation:
    text = "".join(lines[_first_line(node) - 1 : node.end_lineno])
    body = (node.body[0].lineno, node.end_lineno or node.lineno)
    return FunctionLocation(def_line=node.lineno, source=text, body=body)


def functions_in(source: str) -> dict[tuple[str | None, str], FunctionLocation]:
    """(class name or None, function name) -> location, for the functions mutmut can mutate."""
    lines = source.splitlines(keepends=True)
    found: dict[tuple[str | None, str], FunctionLocation] = {}
    for node in ast.parse(source).body:
        if isinstance(node, FunctionNode):
            found[(None, node.name)] = _location(node, lines)
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, FunctionNode):
                    found[(node.name, method.name)] = _location(method, lines)
    return found


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target)


def _function_reason(node: FunctionNode, line: int, enum_class: bool = False) -> str:
    names = [_decorator_name(d) for d in node.decorator_list]
    if names and not (len(names) == 1 and names[0] in ALLOWED_DECORATORS):
        shown = ", ".join(f"@{name}" for name in names)
        return f"decorated function ({shown}): mutmut skips it"
    if node.name in NEVER_MUTATED:
        return f"mutmut never mutates {node.name}"
    if enum_class and node.name in ENUM_HOOKS:
        return f"enum hook {node.name}: mutmut skips it"
    if line < node.lineno:
        return "decorator (runs at import time)"
    return NO_OPERATOR


def _is_enum(node: ast.ClassDef) -> bool:
    return any(_decorator_name(base).rpartition(".")[2] in ENUM_BASES for base in node.bases)


def _class_reason(node: ast.ClassDef, line: int) -> str:
    for child in node.body:
        if not _contains(child, line):
            continue
        if isinstance(child, FunctionNode):
            return _function_reason(child, line, enum_class=_is_enum(node))
        if isinstance(child, ast.ClassDef):
            inner = [n for n in child.body if isinstance(n, FunctionNode) and _contains(n, line)]
            return "method of a nested class: mutmut skips it" if inner else CLASS_BODY
    return CLASS_BODY


def is_code(line_text: str) -> bool:
    stripped = line_text.strip()
    return bool(stripped) and not stripped.startswith("#")


def untestable_reason(source: str, line: int) -> str | None:
    """Why `line` got no mutant; None when it is not code (blank, comment, past the end)."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines) or not is_code(lines[line - 1]):
        return None
    if "pragma: no mutate" in lines[line - 1]:
        return "marked '# pragma: no mutate'"
    for node in ast.parse(source).body:
        if not _contains(node, line):
            continue
        if isinstance(node, FunctionNode):
            return _function_reason(node, line)
        if isinstance(node, ast.ClassDef):
            return _class_reason(node, line)
        return _block_reason(node, line)
    return MODULE_LEVEL


BLOCKS = {ast.If: "if", ast.Try: "try", ast.With: "with", ast.For: "for", ast.While: "while"}


def _block_reason(node: ast.stmt, line: int) -> str:
    """A line of a module-level statement: a function or class it defines (`if
    sys.platform == ...:`, `try: ... except ImportError:`) is not top-level, so mutmut
    leaves it alone, although its body does not run at import time."""
    for inner in ast.walk(node):
        if isinstance(inner, FunctionNode | ast.ClassDef) and _contains(inner, line):
            keyword = next((k for t, k in BLOCKS.items() if isinstance(node, t)), "compound")
            what = "function" if isinstance(inner, FunctionNode) else "class"
            return f"{what} defined inside a module-level `{keyword}`: mutmut skips it"
    return MODULE_LEVEL


IMPORT_TIME_ONLY = (
    "its function runs only at import time (a factory): mutmut cannot switch its mutants on"
)


def _outer_statements(node: FunctionNode) -> set[int]:
    """First lines of the statements of a function's own body, nested functions' and
    classes' bodies left out (their `def` line is the function's own statement)."""
    lines: set[int] = set()
    todo: list[ast.stmt] = list(node.body)
    while todo:
        stmt = todo.pop()
        lines.add(stmt.lineno)
        if isinstance(stmt, FunctionNode | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(stmt, field, []) or []:
                if isinstance(child, ast.stmt):
                    todo.append(child)
                else:  # an except handler or a match case holds statements
                    todo.extend(getattr(child, "body", []))
    return lines


def import_time_only(
    source: str, executed: frozenset[int], tested: frozenset[int]
) -> list[tuple[int, int]]:
    """(first, last) line of each function mutmut mutates whose own body ran, but never
    under a test: only at import time. A closure it built and the tests call still
    belongs to it, and mutmut's trampoline, switched at call time, never reaches it.

    `executed` are the lines coverage saw run, `tested` those it saw run under a test.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    units: list[FunctionNode] = []
    for node in tree.body:
        if isinstance(node, FunctionNode):
            units.append(node)
        elif isinstance(node, ast.ClassDef):
            units += [m for m in node.body if isinstance(m, FunctionNode)]
    found = []
    for unit in units:
        own = _outer_statements(unit)
        if own & executed and not own & tested:
            found.append((_first_line(unit), unit.end_lineno or unit.lineno))
    return found
