"""SARIF 2.1.0 for code scanning: each uncovered changed range and undetected mutant a result.

Locations are URIs relative to the repository root (`uriBaseId` SRCROOT),
percent-encoded, so a path with spaces, `%` or `|` stays one valid URI.
Gaps in layers that fail the gate are errors, in passing layers warnings.
"""

from __future__ import annotations

import json
from typing import Any, TextIO
from urllib.parse import quote

from qualitygate import __version__
from qualitygate.model import CheckResult
from qualitygate.reporters.check.findings import MUTANT, UNCOVERED, Finding, findings, span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = {
    UNCOVERED: (
        "UncoveredChange",
        "Changed lines that no test runs.",
        "The change adds or modifies statements that no test executes, so nothing checks "
        "them. Write a test that runs them and asserts on their effect.",
    ),
    MUTANT: (
        "SurvivingMutant",
        "A small change to a changed line that no test notices.",
        "Mutation testing altered this line and every test still passed (or none ran it): "
        "the tests run the code without checking what it does. Add an assertion that fails "
        "on the mutated version.",
    ),
}


def rule(rule_id: str) -> dict[str, Any]:
    name, short, full = RULES[rule_id]
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": full},
        "defaultConfiguration": {"level": "error"},
    }


def region(finding: Finding) -> dict[str, int]:
    out = {"startLine": finding.start, "endLine": finding.end}
    if finding.mutant is not None:
        changed = span(finding.mutant.diff)
        if len(changed.original) == 1 and len(changed.mutated) == 1:
            out |= {"startColumn": changed.start_column, "endColumn": changed.end_column}
    return out


def sarif_result(finding: Finding) -> dict[str, Any]:
    return {
        "ruleId": finding.kind,
        "ruleIndex": list(RULES).index(finding.kind),
        "level": "error" if finding.failing else "warning",
        "message": {"text": f"{finding.title}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "SRCROOT"},
                    "region": region(finding),
                }
            }
        ],
        "properties": {"layer": finding.layer},
    }


def as_dict(result: CheckResult) -> dict[str, Any]:
    driver = {
        "name": "qualitygate",
        "version": __version__,
        "informationUri": "https://pypi.org/project/qualitygate/",
        "rules": [rule(rule_id) for rule_id in RULES],
    }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {
                    "SRCROOT": {"description": {"text": "The root of the git repository."}}
                },
                "results": [sarif_result(f) for f in findings(result)],
                "properties": {"passed": result.passed, "base": result.base},
            }
        ],
    }


def render(result: CheckResult, out: TextIO) -> None:
    json.dump(as_dict(result), out, indent=2, ensure_ascii=False)
    out.write("\n")
