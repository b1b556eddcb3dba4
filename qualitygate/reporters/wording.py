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
