"""The gap report in markdown: critical gaps first, then each layer's modules, then the summary."""

from __future__ import annotations

from typing import TextIO

from qualitygate.project.priority import rank
from qualitygate.report.model import (
    IMPORTED_ONLY,
    TESTED,
    UNTESTED,
    LayerReport,
    ModuleReport,
    Report,
)
from qualitygate.reporters.report.text import (
    MARKERS,
    SUMMARY_COLUMNS,
    gap_sentences,
    layer_row,
    missing_what,
    module_tree,
    path_tree,
    plural,
    source_line,
    total_row,
    verdict_line,
)
from qualitygate.reporters.wording import write_lines

URGENT = ("CRITICAL", "HIGH")
GAP_COLUMNS = ("Component", "Layer", "Status", "Missing tests", "Write them in", "Priority")
CELL_SPECIAL = str.maketrans({c: "\\" + c for c in "\\|*<>[]`"})


def escape(text: str) -> str:
    """Text safe in a table cell or list item (GFM leaves intraword underscores alone)."""
    return text.translate(CELL_SPECIAL).replace("\n", " ")


def code(text: str) -> str:
    return f"`{text}`" if text and "`" not in text and text != "-" else escape(text)


def table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def where_to_write(m: ModuleReport) -> str:
    where = m.write_in or "-"
    return f"{where} (exists)" if m.suggested_exists else where


def gap_row(m: ModuleReport) -> tuple[str, ...]:
    return (
        code(m.path),
        escape(m.layer),
        f"{MARKERS[m.status]} {m.status}",
        escape(f"~{m.missing_tests}: {missing_what(m)}"),
        code(where_to_write(m)),
        m.priority,
    )


def urgent_gaps(report: Report) -> list[ModuleReport]:
    found = [m for m in report.modules if m.is_gap and m.priority in URGENT]
    return sorted(found, key=lambda m: (rank(m.priority), -m.logic_statements, m.path))


def layer_section(layer: LayerReport) -> list[str]:
    gaps, tested = layer.gaps, len(layer.modules) - len(layer.gaps)
    title = (
        f"## {layer.name}: {layer.count(UNTESTED)} of {plural(len(layer.modules), 'module')} "
        f"with no test, {layer.count(IMPORTED_ONLY)} imported only"
    )
    lines = [title]
    sentences = gap_sentences(layer)
    if sentences:
        lines += ["", *(f"- {escape(s)}" for s in sentences)]
    if gaps:
        lines += ["", "```text", *module_tree(gaps), "```"]
    suggested = [m.suggested_test for m in gaps if m.suggested_test]
    if suggested:
        existing = {m.suggested_test or "" for m in gaps if m.suggested_exists}
        tree = path_tree(suggested, existing)
        lines += ["", "Write the missing tests in:", "", "```text", *tree, "```"]
    if tested:
        more = sum(m.missing_tests for m in layer.modules if not m.is_gap)
        extra = f" (~{plural(more, 'more test')} for functions no test runs)" if more else ""
        lines += ["", f"{MARKERS[TESTED]} {plural(tested, 'module')} tested{extra}, not listed."]
    return [*lines, ""]


def render(report: Report, out: TextIO) -> None:
    lines = ["# Missing Test Coverage Report", "", f"**{escape(verdict_line(report))}**", ""]
    lines += ["## Critical Gaps (Fix Immediately)", ""]
    urgent = urgent_gaps(report)
    lines += (
        table(GAP_COLUMNS, [gap_row(m) for m in urgent]) if urgent else ["No CRITICAL or HIGH gap."]
    )
    lines.append("")
    for layer in report.layers:
        lines += layer_section(layer)
    lines += ["## Summary", ""]
    rows = [*(layer_row(la) for la in report.layers), total_row(report)]
    lines += table(SUMMARY_COLUMNS, [tuple(escape(c) for c in row) for row in rows])
    lines += [
        "",
        "## How these figures are made",
        "",
        f"- Source: {escape(source_line(report))}.",
        "- With tests: modules with a test of their own (tested) over all modules.",
        "- Tested coverage: lines run by a test, not merely at import time.",
        f"- Missing tests: {escape(report.method)}.",
        f"- Priority: {escape(report.priority_rule)}.",
    ]
    if report.skipped_markers:
        lines.append(
            f"- {plural(report.skipped_markers, 'package __init__.py file')} with no "
            "function or class left out."
        )
    write_lines(out, lines)
