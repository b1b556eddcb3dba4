"""The junit report through junitparser: one case per rule, failures carrying the gap."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from junitparser import Failure, JUnitXml, Skipped, TestSuite

from qualitygate.model import CheckResult
from qualitygate.reporters.check import junit
from tests.ci_results import BAD_LAYER, BAD_PATH, INJECTING_PATH, hostile, result


def parse(result: CheckResult) -> TestSuite:
    out = io.StringIO()
    junit.render(result, out)
    suites = list(JUnitXml.fromstring(out.getvalue()))
    assert len(suites) == 1
    return suites[0]


def outcomes(suite: TestSuite) -> dict[tuple[str, str], list[object]]:
    return {(case.classname, case.name): list(case.result) for case in suite}


def test_one_case_per_layer_and_metric() -> None:
    suite = parse(result())
    assert (suite.name, suite.tests, suite.failures, suite.skipped, suite.errors) == (
        "qualitygate",
        6,
        3,
        1,
        0,
    )
    cases = outcomes(suite)
    assert list(cases) == [
        ("qualitygate.infrastructure", "layer coverage"),
        ("qualitygate.infrastructure", "diff coverage"),
        ("qualitygate.infrastructure", "mutation score"),
        ("qualitygate.services", "layer coverage"),
        ("qualitygate.services", "diff coverage"),
        ("qualitygate.services", "mutation score"),
    ]
    assert cases[("qualitygate.services", "diff coverage")] == []
    [skipped] = cases[("qualitygate.services", "mutation score")]
    assert isinstance(skipped, Skipped) and skipped.message == "no mutants on changed lines"


def test_failures_carry_the_rule_and_its_gaps() -> None:
    cases = outcomes(parse(result()))
    [diff] = cases[("qualitygate.infrastructure", "diff coverage")]
    assert isinstance(diff, Failure)
    assert diff.message == "infrastructure: diff coverage 50.0% is below 80% (gap 30.0 points)"
    assert diff.type == "diff_coverage"
    assert diff.text.splitlines()[0].startswith("app/db/store.py:3: Lines 3-4 changed")
    [mutation] = cases[("qualitygate.infrastructure", "mutation score")]
    assert "+    if len(rows) >= limit:" in mutation.text
    assert "x = 2" in mutation.text  # the mutant no test runs
    [coverage] = cases[("qualitygate.infrastructure", "layer coverage")]
    assert coverage.text == "9 of 20 statements in the layer run by the tests"


def test_markup_in_names_is_escaped_and_round_trips() -> None:
    cases = outcomes(parse(hostile()))
    assert {classname for classname, _ in cases} == {
        f"qualitygate.{BAD_LAYER}",
        "qualitygate.services",
    }
    [diff] = cases[(f"qualitygate.{BAD_LAYER}", "diff coverage")]
    assert diff.text.splitlines()[0].startswith(f"{BAD_PATH}:3:")
    assert f"{INJECTING_PATH}:1:".replace("\r", "\n") in diff.text  # XML reads CR as LF
    [mutation] = cases[(f"qualitygate.{BAD_LAYER}", "mutation score")]
    assert "'</details>'" in mutation.text


def test_characters_xml_cannot_hold_are_replaced_not_fatal() -> None:
    out = io.StringIO()
    junit.render(result(db="layer\x00\x1b[31m", store="app/\x07bell.py"), out)
    root = ET.fromstring(out.getvalue())  # a strict XML parser accepts it
    names = {case.get("classname") for case in root.iter("testcase")}
    assert "qualitygate.layer\ufffd\ufffd[31m" in names


def test_the_suite_says_when_and_where_it_ran() -> None:
    from datetime import UTC, datetime

    element = junit.as_element(result(), now=datetime(2026, 12, 2, 10, 30, 5, 123, tzinfo=UTC))
    suite = element.find("testsuite")
    assert suite is not None
    assert suite.get("timestamp") == "2026-12-02T10:30:05"
    assert suite.get("hostname")
    [parsed] = list(JUnitXml.fromstring(ET.tostring(element, encoding="unicode")))
    assert parsed.timestamp == "2026-12-02T10:30:05"
