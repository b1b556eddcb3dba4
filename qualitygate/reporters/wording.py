"""What both families of reporters share: how a percentage reads, and plain or styled text."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TextIO


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def styled(out: TextIO) -> bool:
    """Colour and boxes only on a terminal, and never with NO_COLOR set."""
    return out.isatty() and not os.environ.get("NO_COLOR")


def plain_table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def visible(text: str) -> str:
    """`text` with every control character shown as its escape (`\\n`, `\\x1b`), so a file
    name cannot break a line, colour a terminal or forge a CI workflow command."""
    if text.isprintable():  # nearly always: no character to look at one by one
        return text
    return "".join(
        c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def write_lines(out: TextIO, lines: list[str]) -> None:
    """Plain text output: one visible line per entry."""
    out.write("\n".join(visible(line) for line in lines) + "\n")


ELLIPSIS = "…"
CONTEXT = 16  # characters of unchanged code kept before the change when a line is elided


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def fit_diff(lines: list[str], width: int) -> list[str]:
    """A mutant's diff lines (`-old`, `+new`) that fit `width` columns without wrapping
    mid-code: the shared indentation goes, and a line still too long keeps the change in
    sight, eliding unchanged code before it and whatever runs past the edge."""
    codes = [line[1:] for line in lines]
    indent = min((len(c) - len(c.lstrip()) for c in codes if c.strip()), default=0)
    codes = [c[indent:] for c in codes]
    removed = [c for line, c in zip(lines, codes, strict=True) if line.startswith("-")]
    added = [c for line, c in zip(lines, codes, strict=True) if line.startswith("+")]
    change = _common_prefix(removed[0], added[0]) if removed and added else 0
    needed = max(map(len, codes), default=0) + 2 - width  # characters to drop, with "…"
    start = max(0, min(change - CONTEXT, needed)) if needed > 0 else 0
    out = []
    for line, code in zip(lines, codes, strict=True):
        shown = line[:1] + (ELLIPSIS + code[start:] if start else code)
        out.append(elide(shown, width))
    return out


def elide(line: str, width: int) -> str:
    """`line` cut at `width` columns, its end shown as elided."""
    return line if len(line) <= width else line[: max(width - 1, 2)] + ELLIPSIS


def fit_list(label: str, items: Sequence[str], width: int, none: str) -> str:
    """'label: a, b and 3 more', with as many items as `width` columns hold (one at least)."""

    def line(count: int) -> str:
        more = len(items) - count
        return f"{label}: " + ", ".join(items[:count]) + (f" and {more} more" if more else "")

    if not items:
        return f"{label}: {none}"
    for count in range(len(items), 1, -1):
        if len(line(count)) <= width:
            return line(count)
    first, over = line(1), len(line(1)) - width + 1
    if over > 1 and over < len(items[0]) - 8:  # the one item, its start elided
        return first.replace(items[0], ELLIPSIS + items[0][over:], 1)
    return first
