"""The stryker report against the mutation-testing-report-schema (vendored in tests/schemas)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qualitygate.model import CheckResult
from qualitygate.reporters.check import stryker
from qualitygate.reporters.check.findings import span
from tests.ci_results import BAD_DIFF, BAD_PATH, hostile, many_gaps, result

SCHEMA_FILE = Path(__file__).parent / "schemas" / "mutation-testing-report-schema-3.8.4.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())


def render(result: CheckResult) -> dict[str, Any]:
    out = io.StringIO()
    stryker.render(result, out)
    report: dict[str, Any] = json.loads(out.getvalue())
    jsonschema.Draft7Validator(SCHEMA).validate(report)
    return report


@pytest.mark.parametrize("make", [result, hostile, lambda: many_gaps(3)])
def test_valid_against_the_schema(make: Any) -> None:
    render(make())


def test_every_mutant_with_status_location_and_replacement() -> None:
    report = render(result())
    assert report["schemaVersion"] == "1"
    assert report["thresholds"] == {"high": 60, "low": 60}
    store = report["files"]["app/db/store.py"]
    assert store["language"] == "python"
    statuses = [(m["status"], m["location"]["start"]["line"]) for m in store["mutants"]]
    assert statuses == [("Survived", 2), ("Killed", 2), ("NoCoverage", 5)]
    survivor = store["mutants"][0]
    assert survivor["mutatorName"] == "OperatorMutation"
    assert survivor["replacement"] == ">="
    assert survivor["location"] == {
        "start": {"line": 2, "column": 18},
        "end": {"line": 2, "column": 19},
    }
    assert survivor["coveredBy"] == ["tests/test_store.py::test_save_ok"]
    assert report["testFiles"]["tests/test_store.py"]["tests"][0]["name"] == "test_save_ok"
    assert report["files"]["app/services/calc.py"]["mutants"][0]["status"] == "Killed"


def test_source_holds_each_mutated_line_where_its_location_points() -> None:
    report = render(result())
    for file in report["files"].values():
        lines = file["source"].splitlines()
        for m in file["mutants"]:
            start, end = m["location"]["start"], m["location"]["end"]
            original = lines[start["line"] - 1][start["column"] - 1 : end["column"] - 1]
            assert original and original != m["replacement"]


def test_hostile_paths_and_diffs_round_trip() -> None:
    report = render(hostile())
    assert BAD_PATH in report["files"]
    source = report["files"][BAD_PATH]["source"].splitlines()
    assert source[1] == span(BAD_DIFF).original[0]


@pytest.mark.parametrize(
    ("diff", "name", "replacement"),
    [
        ("-    return a > b\n+    return a >= b", "OperatorMutation", ">="),
        ('-    x = "foo"\n+    x = "XXfooXX"', "StringLiteral", '"XXfooXX"'),
        ("-    f(x, 1)\n+    f(x, 2)", "NumberLiteral", "2)"),
        ("-    if a and b:\n+    if a or b:", "KeywordReplacement", "or"),
        ("-    y = foo(a)\n+    y = None", "NoneValue", "None"),
        ("-    return True\n+    return False", "BooleanLiteral", "False"),
        ("-    a = b\n+    a = c", "ExpressionReplacement", "c"),
        ("-    a = 1\n-    b = 2\n+    a = 1", "StatementMutation", "    a = 1"),
    ],
)
def test_mutator_names(diff: str, name: str, replacement: str) -> None:
    changed = span(diff)
    assert (stryker.mutator_name(changed), changed.replacement) == (name, replacement)


def test_thresholds_default_without_mutation_targets() -> None:
    base = result()
    layers = tuple(
        type(layer)(layer.figures, tuple(r for r in layer.rules if r.metric != "mutation_score"))
        for layer in base.layers
    )
    plain = CheckResult(base.base, base.head, layers, base.files, "pytest")
    assert render(plain)["thresholds"] == {"high": 80, "low": 60}
