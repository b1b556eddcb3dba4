"""The sarif report against the SARIF 2.1.0 JSON schema (vendored in tests/schemas)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from qualitygate.model import CheckResult
from qualitygate.reporters.check import sarif
from tests.ci_results import BAD_PATH, INJECTING_PATH, hostile, many_gaps, result

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())


def render(result: CheckResult) -> dict[str, Any]:
    out = io.StringIO()
    sarif.render(result, out)
    log: dict[str, Any] = json.loads(out.getvalue())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def locations(log: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    out = []
    for item in log["runs"][0]["results"]:
        physical = item["locations"][0]["physicalLocation"]
        out.append((item["ruleId"], physical["artifactLocation"]["uri"], physical["region"]))
    return out


@pytest.mark.parametrize("make", [result, hostile, lambda: many_gaps(12)])
def test_valid_against_the_schema(make: Any) -> None:
    render(make())


def test_results_for_uncovered_ranges_and_mutants_with_regions() -> None:
    log = render(result())
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "uncovered-change",
        "surviving-mutant",
    ]
    assert locations(log) == [
        ("uncovered-change", "app/db/store.py", {"startLine": 3, "endLine": 4}),
        ("uncovered-change", "app/db/store.py", {"startLine": 7, "endLine": 7}),
        (
            "surviving-mutant",
            "app/db/store.py",
            {"startLine": 2, "endLine": 2, "startColumn": 18, "endColumn": 19},
        ),
        (
            "surviving-mutant",
            "app/db/store.py",
            {"startLine": 5, "endLine": 5, "startColumn": 9, "endColumn": 10},
        ),
        ("uncovered-change", "app/db/cache.py", {"startLine": 1, "endLine": 2}),
    ]
    assert {r["level"] for r in run["results"]} == {"error"}
    for item in run["results"]:
        rule = run["tool"]["driver"]["rules"][item["ruleIndex"]]
        assert rule["id"] == item["ruleId"]


def test_gaps_in_passing_layers_are_warnings() -> None:
    levels = [r["level"] for r in render(many_gaps(2))["runs"][0]["results"]]
    assert levels == ["error", "error", "warning", "warning"]


def test_paths_become_percent_encoded_relative_uris() -> None:
    uris = {uri for _, uri, _ in locations(render(hostile()))}
    assert "app/a%7Cb%250A.py" in uris
    assert {unquote(uri) for uri in uris} == {BAD_PATH, INJECTING_PATH}
    assert all(not uri.startswith("/") and "\n" not in uri for uri in uris)
