"""What a mutant means for the tests: arid mutants that no test should kill, and for a
survivor, the one sentence that says what a test must check.

Both read the mutant's one-line diff against the user's source with `ast`: the
changed span of the line, and the innermost node that holds it. No mutation
tool says this (mutmut reports the diff only), so it is written here.

Arid: text of logging calls (the call names in `arid`, globs on the dotted
name), `help=`/`description=`-style keyword arguments (argparse, click),
docstrings, the text of `__repr__`, and a `None` default of a parameter
annotated as optional. Such mutants are not run, and are counted by reason.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_ARID = (
    "logging.*",
    "logger.*",
    "log.*",
    "*.logger.*",
    "*.log.*",
    "*_logger.*",
    "*_log.*",
    "LOGGER.*",
    "LOG.*",
    "structlog.*",
    "warnings.warn",
)
TEXT_KEYWORDS = frozenset({"help", "description", "epilog", "usage", "short_help"})
COMPARISONS = ("<=", ">=", "==", "!=", "<", ">", " is not ", " is ", " not in ", " in ")
ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"})
LOGGING_TEXT = "logging text"
HELP_TEXT = "help text"
DOCSTRING = "docstring"
REPR_TEXT = "__repr__ text"
PLACEHOLDER = "type placeholder default"


@dataclass(frozen=True)
class Change:
    """The first changed line of a mutant's diff, and where it differs."""

    old: str
    new: str
    start: int  # column where old and new first differ
    old_end: int  # end of the differing part in `old`
    new_end: int

    @property
    def removed(self) -> str:
        return self.old[self.start : self.old_end]

    @property
    def added(self) -> str:
        return self.new[self.start : self.new_end]


def change_of(diff: str) -> Change | None:
    old = next((line[1:] for line in diff.splitlines() if line.startswith("-")), None)
    new = next((line[1:] for line in diff.splitlines() if line.startswith("+")), None)
    if old is None or new is None:
        return None
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < min(len(old), len(new)) - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_end, new_end = len(old) - tail, len(new) - tail
    # widen to whole tokens: `>=` to `>` differs in one character, `10` to `11` in one digit
    kind = _kind(old[start] if start < len(old) else (old[start - 1] if start else " "))
    while start > 0 and _kind(old[start - 1]) == kind:
        start -= 1
    while old_end < len(old) and old_end > 0 and _kind(old[old_end]) == _kind(old[old_end - 1]):
        old_end += 1
    while new_end < len(new) and new_end > 0 and _kind(new[new_end]) == _kind(new[new_end - 1]):
        new_end += 1
    return Change(old, new, start, old_end, new_end)


def _kind(char: str) -> str:
    if char.isalnum() or char in "_.":
        return "word"
    if char in "<>=!+-*/%&|^~@":
        return "operator"
    return char


# Per tree, kept for the few trees of one run: each mutant of a file asks of the same
# tree, and walking it again for each took 10 ms a mutant on a 300-line module.
@functools.lru_cache(maxsize=16)
def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


@functools.lru_cache(maxsize=16)
def _placed_nodes(tree: ast.AST) -> tuple[ast.expr | ast.stmt | ast.arg | ast.keyword, ...]:
    """The nodes a change can be in, in `ast.walk`'s order."""
    kinds = ast.expr | ast.stmt | ast.arg | ast.keyword
    return tuple(node for node in ast.walk(tree) if isinstance(node, kinds))


def _holds(node: ast.AST, line: int, start: int, end: int) -> bool:
    first = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    last = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
    return first <= (line, start) and (line, max(start, end)) <= last


def _innermost(tree: ast.AST, line: int, start: int, end: int) -> ast.AST | None:
    found = None
    for node in _placed_nodes(tree):
        inside = found is None or _holds(found, node.lineno, node.col_offset, node.col_offset)
        if inside and _holds(node, line, start, end):
            found = node
    return found


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return "?"


def _is_docstring(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    expr = parents.get(node)
    owner = parents.get(expr) if isinstance(expr, ast.Expr) else None
    if not isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return bool(owner.body) and owner.body[0] is expr


def _optional(annotation: ast.expr | None) -> bool:
    text = ast.unparse(annotation) if annotation is not None else ""
    return "None" in text or "Optional" in text


def arid_reason(
    tree: ast.AST, line: int, diff: str, arid_calls: Sequence[str] = DEFAULT_ARID
) -> str | None:
    """Why the mutant of `line` with `diff` is arid, or None when a test should kill it."""
    change = change_of(diff)
    if change is None:
        return None
    node = _innermost(tree, line, change.start, change.old_end)
    if node is None:
        return None
    parents = _parents(tree)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _is_docstring(node, parents)
    ):
        return DOCSTRING
    if isinstance(node, ast.Constant) and node.value is None:
        parent = parents.get(node)
        if isinstance(parent, ast.arguments):
            positional = parent.posonlyargs + parent.args
            pairs = list(zip(reversed(positional), reversed(parent.defaults), strict=False))
            keywords = zip(parent.kwonlyargs, parent.kw_defaults, strict=True)
            pairs += [(a, d) for a, d in keywords if d is not None]
            if any(default is node and _optional(arg.annotation) for arg, default in pairs):
                return PLACEHOLDER
    in_text = False
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.Constant | ast.JoinedStr) and isinstance(
            getattr(current, "value", ""), str
        ):
            in_text = True
        if isinstance(current, ast.keyword) and current.arg in TEXT_KEYWORDS:
            return HELP_TEXT
        in_arguments = current is not node or (
            isinstance(current, ast.Call)
            and (current.func.end_lineno, current.func.end_col_offset) <= (line, change.start)
        )
        if isinstance(current, ast.Call) and in_arguments:
            name = _dotted(current.func)
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in arid_calls):
                return LOGGING_TEXT
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            return REPR_TEXT if current.name == "__repr__" and in_text else None
        current = parents.get(current)
    return None


def _segment(source: str, node: ast.AST | None) -> str:
    return (ast.get_source_segment(source, node) or "") if node is not None else ""


def _number(text: str) -> bool:
    try:
        float(text.strip().replace("_", ""))
    except ValueError:
        return False
    return True


def hint(source: str, tree: ast.AST, line: int, diff: str, function: str) -> str:
    """One sentence: what a test of `function` must check to kill this survivor."""
    change = change_of(diff)
    where = f"`{function}`"
    unknown = "no rule gives a hint for this mutant: write a test whose assertion fails on the diff"
    if change is None:
        return unknown
    removed, added = change.removed.strip(), change.added.strip()
    node = _innermost(tree, line, change.start, change.old_end)
    if isinstance(node, ast.Constant) and node.lineno == node.end_lineno == line:
        # the whole literal, as written and as mutated ('x' -> 'XXxXX')
        first, last = node.col_offset, node.end_col_offset or node.col_offset
        removed = change.old[first:last]
        added = change.new[first : last + len(change.new) - len(change.old)]
    compare = node
    parents = _parents(tree)
    while compare is not None and not isinstance(compare, ast.Compare):
        compare = parents.get(compare)
    if isinstance(compare, ast.Compare) and removed in {c.strip() for c in COMPARISONS} | {
        "is not",
        "not in",
    }:
        left = _segment(source, compare.left)
        right = _segment(source, compare.comparators[0])
        if {removed, added} <= {"<", "<=", ">", ">="}:
            return (
                f"no test calls {where} with `{left} == {right}`: "
                f"`{removed}` and `{added}` differ only there"
            )
        return (
            f"no test of {where} has a case where `{left} {removed} {right}` and "
            f"`{left} {added} {right}` differ: check both outcomes"
        )
    if {removed, added} == {"and", "or"}:
        return (
            f"no test of {where} tells `and` from `or` here: check a case where one side "
            "is true and the other false"
        )
    if _number(removed) and _number(added):
        return (
            f"no test of {where} depends on the value {removed}: assert on a result that "
            f"would change if it were {added}"
        )
    if removed[:1] in "\"'" or removed[:2] in ("f'", 'f"', "b'", 'b"'):
        return f"no test of {where} checks the text {removed}: assert on the value it ends in"
    if removed in ARITHMETIC and added in ARITHMETIC:
        return (
            f"no test of {where} tells `{removed}` from `{added}` here: check a result "
            "with values where they give different answers"
        )
    if (
        removed
        and added.strip("()").startswith(removed.strip("()"))
        and added.endswith((" or True", " and False"))
    ):
        return f"no test of {where} checks both outcomes of `{removed}`"
    if {removed, added} <= {"True", "False"} or "not " in (removed + " ", added + " "):
        return f"no test of {where} checks both outcomes of this condition"
    if change.new.strip().startswith("return") and added in ("None", "return None", ""):
        return f"no test asserts on what {where} returns"
    if added in ("None", "") or change.new.strip() in ("pass", "..."):
        return f"no test of {where} checks the effect of `{change.old.strip()}`"
    return unknown
