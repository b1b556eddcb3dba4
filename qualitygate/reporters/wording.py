"""What both families of reporters share: how a percentage reads, and plain or styled text."""

from __future__ import annotations

import os
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
    return "".join(
        c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def write_lines(out: TextIO, lines: list[str]) -> None:
    """Plain text output: one visible line per entry."""
    out.write("\n".join(visible(line) for line in lines) + "\n")
