"""The fields both JSON reports carry: who wrote the report, and a rule with its gap; and
how a large report is written."""

from __future__ import annotations

import json
from typing import Any, TextIO

from qualitygate import __version__
from qualitygate.model import Rule


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "metric": rule.metric,
        "actual": rule.actual,
        "required": rule.required,
        "passed": rule.passed,
        "gap": rule.gap,
        "note": rule.note or None,
        "at_most": rule.at_most,  # a budget: passed while actual <= required
    }


def tool(**extra: str) -> dict[str, str]:
    """Who wrote a JSON report; both JSON contracts carry it."""
    return {"name": "qualitygate", "version": __version__, **extra}


def dump(value: Any, out: TextIO, flat_from: int, level: int = 0) -> None:
    """`value` as JSON, indented two spaces per level as `json.dump(indent=2)` does down
    to `flat_from` levels; each value deeper than that on one line (a module of the gap
    report per line).

    Hand-written because `json.dump` with `indent` encodes the whole document with the
    pure-Python encoder: 0.9 s for a report of 5,000 modules, where the C encoder, which
    only writes unindented JSON, takes a tenth of that for the deep values."""
    if level >= flat_from or not isinstance(value, dict | list) or not value:
        out.write(json.dumps(value, ensure_ascii=False))
        return
    inner = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        out.write("{")
        for i, (key, item) in enumerate(value.items()):
            name = key if isinstance(key, str) else json.dumps(key)  # as json.dump keys
            out.write(("," if i else "") + inner + json.dumps(name, ensure_ascii=False) + ": ")
            dump(item, out, flat_from, level + 1)
        out.write("\n" + "  " * level + "}")
        return
    out.write("[")
    for i, item in enumerate(value):
        out.write(("," if i else "") + inner)
        dump(item, out, flat_from, level + 1)
    out.write("\n" + "  " * level + "]")
