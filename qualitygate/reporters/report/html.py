"""The whole-repository gap report as one HTML page: the layer summary, then every module of
every layer with its status, coverage, the tests it lacks and where to write them.

`--report html:DIR` writes DIR/index.html: one self-contained file, nothing fetched.
"""

from __future__ import annotations

from typing import TextIO

from qualitygate.report.model import IMPORTED_ONLY, TESTED, LayerReport, ModuleReport, Report
from qualitygate.reporters.html_page import esc, page, table
from qualitygate.reporters.report.text import (
    SUMMARY_COLUMNS,
    gap_sentences,
    layer_row,
    missing_what,
    module_detail,
    source_line,
    total_row,
    verdict_line,
)
from qualitygate.reporters.wording import pct

MODULE_COLUMNS = (
    "Module", "Status", "Priority", "Lines", "Line cov", "Tested cov", "Missing tests",
    "Write them in",
)  # fmt: skip
STATE = {TESTED: "pass", IMPORTED_ONLY: "warn"}  # the colour of a status; else "fail"


def summary_cells(row: tuple[str, ...]) -> list[str]:
    cells = [esc(c) for c in row]
    cells[-1] = f'<span class="{"pass" if row[-1] == "PASS" else "fail"}">{cells[-1]}</span>'
    return cells


def module_cells(m: ModuleReport) -> list[str]:
    where = m.write_in or "-"
    missing = f"~{m.missing_tests}: {missing_what(m)}" if m.missing_tests else "-"
    return [
        f'<span title="{esc(module_detail(m))}">{esc(m.path)}</span>',
        f'<span class="{STATE.get(m.status, "fail")}">● {esc(m.status)}</span>',
        esc(m.priority),
        str(m.lines),
        pct(m.line_coverage),
        pct(m.tested_coverage),
        esc(missing),
        esc(f"{where} (exists)" if m.suggested_exists else where),
    ]


def layer_section(layer: LayerReport) -> str:
    state = "pass" if layer.passed else "fail"
    sentences = "".join(f"<li>{esc(s)}</li>" for s in gap_sentences(layer))
    rows = (module_cells(m) for m in layer.modules)
    return (
        f'<h2>{esc(layer.name)} <span class="tag {state}">{"PASS" if layer.passed else "FAIL"}'
        f"</span></h2>"
        + (f'<ul class="rules">{sentences}</ul>' if sentences else "")
        + table(MODULE_COLUMNS, rows, numeric=(3, 4, 5))
    )


def render(report: Report, out: TextIO) -> None:
    state = "pass" if report.passed else "fail"
    rows = [*(layer_row(la) for la in report.layers), total_row(report)]
    body = [
        f'<h1 class="{state}">{esc(verdict_line(report))}</h1>',
        f'<p class="about">{esc(source_line(report))} · generated {esc(report.generated)}</p>',
        "<h2>Summary</h2>",
        table(SUMMARY_COLUMNS, (summary_cells(r) for r in rows), numeric=(1, 3, 4, 5, 8)),
        *(layer_section(layer) for layer in report.layers),
        f'<p class="muted">Missing tests: {esc(report.method)}. '
        f"Priority: {esc(report.priority_rule)}.</p>",
    ]
    out.write(page("qualitygate report", "\n".join(body)))
