"""Edit a TOML file as text, so every byte outside the edited tables stays as it was.

Style-preserving libraries attach the comments between two tables to the first one, so
deleting a table loses the comment that introduces the next. Here a table's lines run
from its header to the next header, less the comments and blank lines right above that
header, which stay with it. Every edit is checked by parsing before and after: the data
must differ by exactly the removed tables, or the edit is refused.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from qualitygate.errors import ConfigError

HEADER = re.compile(r"\s*\[\[?([^\]]*)\]")


def _table_name(line: str) -> str | None:
    match = HEADER.match(line)
    return None if match is None else re.sub(r"[\s\"']", "", match.group(1))


def _is_trivia(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _without(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    """`data` less the table at `dotted`, and less a parent it leaves empty."""
    first, _, rest = dotted.partition(".")
    if first not in data:
        return data
    if not rest:
        return {k: v for k, v in data.items() if k != first}
    inner = _without(data[first], rest)
    return {k: v for k, v in data.items() if k != first} | ({first: inner} if inner else {})


def _drop_lines(text: str, dotted: str) -> str:
    kept: list[str] = []
    held: list[str] = []  # trivia inside the removed table that may introduce the next one
    inside = False
    for line in text.splitlines(keepends=True):
        name = _table_name(line)
        if name is not None:
            ours = name == dotted or name.startswith(dotted + ".")
            if inside and not ours:
                while held and not held[0].strip() and (not kept or not kept[-1].strip()):
                    held.pop(0)
                kept += held
            held = []
            inside = ours
        if not inside:
            kept.append(line)
        elif _is_trivia(line) and name is None:
            held.append(line)
        else:
            held = []
    return "".join(kept)


def remove_table(text: str, dotted: str, where: str) -> str:
    """`text` without the table `dotted` (e.g. tool.qualitygate) and its sub-tables."""
    new = _drop_lines(text, dotted)
    try:
        same = tomllib.loads(new) == _without(tomllib.loads(text), dotted)
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise ConfigError(
            where, dotted, "cannot be removed cleanly (dotted keys?); delete it by hand"
        )
    return new


def append(text: str, section: str) -> str:
    """`section` after `text`, one blank line between them."""
    return (text.rstrip("\n") + "\n\n" if text.strip() else "") + section
