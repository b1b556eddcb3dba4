"""The fields both JSON reports carry: who wrote the report, and a rule with its gap."""

from __future__ import annotations

from typing import Any

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
