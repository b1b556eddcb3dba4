"""One ready-to-file issue per layer below its targets, in markdown."""

from __future__ import annotations

from typing import TextIO

from qualitygate import __version__
from qualitygate.project.priority import rank
from qualitygate.report.model import TESTED, LayerReport, ModuleReport, Report
from qualitygate.reporters.report.text import (
    MARKERS,
    gap_sentences,
    missing_what,
    path_tree,
    plural,
    source_line,
)
from qualitygate.reporters.wording import pct

SEPARATOR = "\n<!-- qualitygate: next issue -->\n\n"
NAMES = {
    "coverage": "line coverage",
    "tested_files": "modules with tests",
    "tested_coverage_baseline": "tested coverage (baseline)",
    "tested_files_baseline": "modules with tests (baseline)",
}


def layer_priority(layer: LayerReport) -> str:
    """The priority of the layer's worst gap (LOW when it has none)."""
    return min((m.priority for m in layer.gaps), key=rank, default="LOW")


def headline(layer: LayerReport) -> str:
    failed = [r for r in layer.rules if not r.passed]
    what = ", ".join(f"{NAMES[r.metric]} {pct(r.actual)} (target {r.required:g}%)" for r in failed)
    return f"# [TEST COVERAGE] Gap in the {layer.name} layer - {what}"


def information(layer: LayerReport, report: Report) -> list[str]:
    priority = layer_priority(layer)
    lines = [
        "### Coverage Information",
        f"- **Area/Layer**: {layer.name} (`{'`, `'.join(layer.paths)}`)",
        f"- **Modules with tests**: {pct(layer.tested_files_ratio)} "
        f"({layer.count(TESTED)} of {plural(len(layer.modules), 'source file')}; "
        f"test files: {len(layer.test_files)})",
        f"- **Line coverage**: {pct(layer.line_coverage)}",
        f"- **Tested coverage** (lines run by a test, not at import): {pct(layer.tested_coverage)}",
    ]
    for rule in layer.rules:
        lines.append(
            f"- **Target {NAMES[rule.metric]}**: {rule.required:g}% "
            + (f"(gap {rule.gap:.1f} points)" if rule.gap is not None else "(met)")
        )
    lines += [
        f"- **Gap**: {'; '.join(gap_sentences(layer))}",
        f"- **Estimated missing tests**: ~{layer.missing_tests} ({report.method})",
        f"- **Priority**: {priority.capitalize()}",
    ]
    return lines


def component(m: ModuleReport) -> str:
    return (
        f"- [ ] `{m.path}` ({m.lines} lines) {MARKERS[m.status]} {m.status}, "
        f"{m.priority}: ~{plural(m.missing_tests, 'test')} for {missing_what(m, 6)}"
    )


def issue(layer: LayerReport, report: Report) -> list[str]:
    priority = layer_priority(layer)
    gaps = sorted(layer.gaps, key=lambda m: (rank(m.priority), -m.logic_statements, m.path))
    files = [m.suggested_test for m in gaps if m.suggested_test]
    lines = [
        headline(layer),
        "",
        f"**Labels**: test-coverage, {priority.lower()}, {layer.name}",
        "",
        "## Test Coverage Gap Details",
        "",
        *information(layer, report),
        "",
        "### Affected Components",
        *(component(m) for m in gaps),
    ]
    if not gaps:
        lines.append(
            f"- every module has a test ({MARKERS[TESTED]}); line coverage is what falls short"
        )
    if files:
        existing = {m.suggested_test or "" for m in gaps if m.suggested_exists}
        lines += ["", "### Recommended Test Files", "```", *path_tree(files, existing), "```"]
    lines += ["", "### Acceptance Criteria"]
    lines += [
        f"- [ ] {layer.name} {NAMES[r.metric]} >= {r.required:g}% (now {pct(r.actual)})"
        for r in layer.rules
        if not r.passed
    ]
    if gaps:
        lines.append("- [ ] each module listed above has a test that runs its functions")
    lines += [
        f"- [ ] `qualitygate report` passes for the {layer.name} layer",
        "",
        "---",
        "### Analysis Details",
        f"**Report Generated**: {report.generated}  ",
        f"**Analysis Tool**: qualitygate report {__version__} ({source_line(report)})  ",
        f"**Priority rule**: {report.priority_rule}",
    ]
    return lines


def render(report: Report, out: TextIO) -> None:
    failing = [layer for layer in report.layers if not layer.passed]
    if not failing:
        out.write("No layer is below its targets: no issue to file.\n")
        return
    out.write(SEPARATOR.join("\n".join(issue(la, report)) + "\n" for la in failing))
