"""Split the mutation work of one change into N deterministic, balanced shards.

The unit of work is a changed function (changed lines outside any function form one unit
per file). Its estimated cost is its number of changed statements, which is what the
number of mutants grows with. Units go, most costly first, to the least loaded shard (ties:
the lowest shard), after a stable sort by cost, path and line: every job of a CI matrix
computes the same split from the same change, with no coordination. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from qualitygate.errors import UsageError

SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Unit:
    path: str
    first: int  # first line of the function, 0 for module-level lines
    lines: frozenset[int]

    @property
    def cost(self) -> int:
        return len(self.lines)


def parse_shard(text: str) -> tuple[int, int]:
    """'2/3' -> (2, 3); K counts from 1."""
    match = SHARD.fullmatch(text.strip())
    if not match:
        raise UsageError(f"--shard {text!r} is not K/N", "write it like --shard 2/3")
    k, n = int(match[1]), int(match[2])
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be from 1 to N", "write it like --shard 2/3")
    return k, n


def units_of(
    targets: Mapping[str, frozenset[int]], spans: Mapping[str, list[tuple[int, int]]]
) -> list[Unit]:
    """Group each file's target lines by the innermost function that holds them."""
    units = []
    for path, lines in sorted(targets.items()):
        groups: dict[int, set[int]] = {}
        for line in lines:
            holding = [s for s in spans.get(path, []) if s[0] <= line <= s[1]]
            first = min(holding, key=lambda s: s[1] - s[0])[0] if holding else 0
            groups.setdefault(first, set()).add(line)
        units += [Unit(path, first, frozenset(group)) for first, group in sorted(groups.items())]
    return units


def assign(units: list[Unit], count: int) -> list[list[Unit]]:
    """Longest-processing-time-first: balanced, and the same on every machine."""
    shards: list[list[Unit]] = [[] for _ in range(count)]
    load = [0] * count
    for unit in sorted(units, key=lambda u: (-u.cost, u.path, u.first)):
        lightest = min(range(count), key=lambda i: (load[i], i))
        shards[lightest].append(unit)
        load[lightest] += unit.cost
    return shards


def select(
    targets: Mapping[str, frozenset[int]],
    spans: Mapping[str, list[tuple[int, int]]],
    shard: tuple[int, int],
) -> dict[str, frozenset[int]]:
    """The target lines of shard K of N."""
    k, n = shard
    chosen: dict[str, set[int]] = {}
    for unit in assign(units_of(targets, spans), n)[k - 1]:
        chosen.setdefault(unit.path, set()).update(unit.lines)
    return {path: frozenset(lines) for path, lines in chosen.items()}
