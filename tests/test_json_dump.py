"""The report's JSON writer: the data json writes, laid out as json.dump(indent=2) lays it
out, with values below a depth on one line each."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from qualitygate.reporters.json_fields import dump

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def written(value: Any, flat_from: int) -> str:
    out = io.StringIO()
    dump(value, out, flat_from)
    return out.getvalue()


@given(values, st.integers(min_value=0, max_value=6))
def test_the_same_data_comes_back(value: Any, flat_from: int) -> None:
    assert json.loads(written(value, flat_from)) == value


@given(values)
def test_unflattened_it_is_json_dump_with_indent_2(value: Any) -> None:
    assert written(value, 99) == json.dumps(value, indent=2, ensure_ascii=False)


def test_values_below_the_depth_are_one_line_each() -> None:
    text = written({"layers": [{"files": [{"path": "a.py", "tests": ["t"]}]}]}, 4)
    assert '    {"path": "a.py", "tests": ["t"]}' in text.splitlines()[4]
