"""JUnit XML: one test case per rule (layer x metric), for CI test-report views.

A failed rule is a <failure> whose message is the rule and whose text lists
the gaps behind it; a rule that does not apply (no changed lines, mutation
off) is <skipped>. Built with xml.etree.ElementTree, which escapes markup;
characters XML 1.0 cannot hold at all are replaced first.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TextIO

from qualitygate.model import CheckResult, LayerVerdict, Rule
from qualitygate.reporters.check.findings import MUTANT, UNCOVERED, Finding, findings
from qualitygate.reporters.check.summary import METRIC_NAMES, rule_line

NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FINDING_KIND = {"diff_coverage": UNCOVERED, "mutation_score": MUTANT}


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: control characters become U+FFFD."""
    return NOT_XML.sub("\ufffd", text)


def gap_text(layer: LayerVerdict, rule: Rule, found: list[Finding]) -> str:
    kind = FINDING_KIND.get(rule.metric)
    lines = [
        f"{item.path}:{item.start}: {item.message}"
        for item in found
        if item.layer == layer.name and item.kind == kind
    ]
    if rule.metric == "coverage":
        f = layer.figures
        lines.append(f"{f.covered} of {f.statements} statements in the layer run by the tests")
    return "\n".join(lines)


def testcase(layer: LayerVerdict, rule: Rule, found: list[Finding]) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=xml_text(METRIC_NAMES[rule.metric]),
        classname=xml_text(f"qualitygate.{layer.name}"),
        time="0",
    )
    if rule.actual is None:
        ET.SubElement(case, "skipped", message=xml_text(rule.note or "does not apply"))
    elif not rule.passed:
        failure = ET.SubElement(
            case, "failure", message=xml_text(rule_line(layer.name, rule)), type=rule.metric
        )
        failure.text = xml_text(gap_text(layer, rule, found))
    return case


def as_element(result: CheckResult, now: datetime | None = None) -> ET.Element:
    """The report; `now` (UTC) stamps the suite, as JUnit readers sort runs by it."""
    found = findings(result)
    cases = [testcase(layer, rule, found) for layer in result.layers for rule in layer.rules]
    counts = {
        "name": "qualitygate",
        "tests": str(len(cases)),
        "failures": str(sum(case.find("failure") is not None for case in cases)),
        "errors": "0",
        "skipped": str(sum(case.find("skipped") is not None for case in cases)),
        "time": "0",
    }
    root = ET.Element("testsuites", counts)
    stamp = (now or datetime.now(UTC)).replace(microsecond=0, tzinfo=None).isoformat()
    suite = ET.SubElement(
        root, "testsuite", {**counts, "timestamp": stamp, "hostname": xml_text(_hostname())}
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="base", value=xml_text(result.base))
    if result.mutation_note:
        ET.SubElement(properties, "property", name="mutation", value=result.mutation_note)
    suite.extend(cases)
    return root


def _hostname() -> str:
    return socket.gethostname() or "localhost"


def render(result: CheckResult, out: TextIO) -> None:
    tree = ET.ElementTree(as_element(result))
    ET.indent(tree)
    tree.write(out, encoding="unicode", xml_declaration=True)
    out.write("\n")
