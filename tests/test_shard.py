"""Sharding is pure: the same change splits the same way on every machine, balanced."""

from __future__ import annotations

import pytest

from qualitygate.check.shard import Unit, assign, parse_shard, select, units_of
from qualitygate.errors import UsageError

SPANS = {"a.py": [(1, 10), (12, 20), (14, 16)], "b.py": [(1, 4)]}


def test_lines_group_by_innermost_function_and_module_level() -> None:
    targets = {"a.py": frozenset({2, 3, 13, 15, 30}), "b.py": frozenset({2})}
    assert units_of(targets, SPANS) == [
        Unit("a.py", 0, frozenset({30})),
        Unit("a.py", 1, frozenset({2, 3})),
        Unit("a.py", 12, frozenset({13})),
        Unit("a.py", 14, frozenset({15})),
        Unit("b.py", 1, frozenset({2})),
    ]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_every_unit_lands_in_exactly_one_shard(count: int) -> None:
    units = [Unit(f"m{i % 3}.py", i, frozenset(range(i % 5 + 1))) for i in range(11)]
    shards = assign(units, count)
    placed = [u for shard in shards for u in shard]
    assert sorted(placed, key=lambda u: (u.path, u.first)) == sorted(
        units, key=lambda u: (u.path, u.first)
    )
    loads = [sum(u.cost for u in shard) for shard in shards]
    assert max(loads) - min(loads) <= max(u.cost for u in units)  # greedy balance bound


def test_split_does_not_depend_on_input_order() -> None:
    units = [Unit("a.py", i, frozenset(range(i % 4 + 1))) for i in range(9)]
    assert assign(units, 3) == assign(list(reversed(units)), 3)


def test_shards_of_a_change_cover_it_once() -> None:
    targets = {"a.py": frozenset({2, 3, 13, 15, 30}), "b.py": frozenset({2})}
    parts = [select(targets, SPANS, (k, 3)) for k in (1, 2, 3)]
    for path, lines in targets.items():
        got = [line for part in parts for line in part.get(path, ())]
        assert sorted(got) == sorted(lines)


@pytest.mark.parametrize(("text", "expected"), [("1/1", (1, 1)), ("2/3", (2, 3)), (" 3/3", (3, 3))])
def test_parse_shard(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/3", "4/3", "2", "a/b", "1/0", "-1/2"])
def test_bad_shard(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        parse_shard(text)
