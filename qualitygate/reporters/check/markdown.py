"""Markdown for a pull-request comment or a CI step summary, in a narrow column.

The verdict and the rules that failed come first, then one compact table of
layers (each figure beside its target), then each file's gaps folded in a
`<details>` block. Every name, path and message from the change is escaped for
where it lands: markdown text, a table cell, a code span, or raw HTML.
"""

from __future__ import annotations

import html
import re
from typing import TextIO

from qualitygate.model import CheckResult, LayerVerdict, Rule
from qualitygate.reporters.check.summary import (
    FIGURE_METRICS,
    NEARBY_TESTS,
    SURVIVORS,
    UNCOVERED_LINES,
    Gap,
    accepted_lines,
    arid_line,
    figure,
    gaps,
    mutant_label,
    rule_sentence,
)
from qualitygate.reporters.wording import visible

PASS, FAIL = "✅", "❌"
# The first line, invisible once rendered: a CI step finds the pull-request comment it
# wrote before by it, and updates that one comment instead of adding another.
MARKER = "<!-- qualitygate -->"
MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|&~#!"})
COLUMNS = ("Layer", "Changed", "Diff cov", "Layer cov", "Mutation", "Result")


def one_line(text: str) -> str:
    return visible(re.sub(r"[\r\n]+", " ", text))


def escape(text: str) -> str:
    """Text safe in a paragraph or a table cell: no markup, no line break, no cell break."""
    return one_line(text).translate(MARKDOWN_SPECIAL)


def code(text: str) -> str:
    """A code span that no backtick in `text` can close (not for table cells)."""
    text = one_line(text)
    if "`" not in text:
        return f"`{text}`"
    ticks = "`" * (max(len(run) for run in re.findall("`+", text)) + 1)
    return f"{ticks} {text} {ticks}"


def fenced(lines: list[str], info: str = "") -> list[str]:
    """A fenced block longer than any backtick run inside, so nothing closes it early."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]


def layer_row(layer: LayerVerdict) -> str:
    cells = [
        escape(layer.name),
        str(layer.figures.changed_lines),
        *(figure(layer, metric, lambda text: f"**{text}**") for metric in FIGURE_METRICS),
        PASS if layer.passed else FAIL,
    ]
    return "| " + " | ".join(cells) + " |"


def failed_rule(layer: str, rule: Rule) -> str:
    return f"- **{escape(layer)}**: {escape(rule_sentence(rule))}"


def verdict(result: CheckResult) -> list[str]:
    changed = len(result.files)
    source = result.coverage_source
    where = "coverage not measured" if source == "not measured" else f"coverage from {code(source)}"
    about = (
        f"{changed} changed file{'s' * (changed != 1)} against {code(result.base)} · {where}"
        f" · {mutation_words(result)}"
    )
    title = f"### {PASS} qualitygate passed" if result.passed else f"### {FAIL} qualitygate failed"
    return [MARKER, title, "", about]


MUTATION_WORDS = {"off": "off", "ran": "ran", "skipped": "skipped (no mutable change)"}


def mutation_words(result: CheckResult) -> str:
    if result.mutation_note:
        return result.mutation_note
    return f"mutation testing {MUTATION_WORDS.get(result.mutation, result.mutation)}"


def gap_counts(gap: Gap) -> str:
    uncovered = len(gap.file.uncovered_changed_lines)
    survivors = len(gap.survivors)
    parts = [
        f"{uncovered} uncovered line{'s' * (uncovered != 1)}" if uncovered else "",
        f"{survivors} undetected mutant{'s' * (survivors != 1)}" if survivors else "",
        "not mutation-tested lines"
        if gap.file.not_testable and not (uncovered or survivors)
        else "",
    ]
    return ", ".join(p for p in parts if p)


def coverage_bullet(gap: Gap, line: str) -> str:
    if line.startswith(NEARBY_TESTS):
        return f"- {NEARBY_TESTS}: " + ", ".join(code(t) for t in gap.file.nearby_tests[:5])
    return f"- {escape(line)}"


def gap_details(gap: Gap) -> list[str]:
    f = gap.file
    where = [f"<code>{html.escape(one_line(f.path))}</code>", html.escape(one_line(f.layer))]
    summary = " · ".join([*where, gap_counts(gap)])
    lines = ["", f"<details><summary>{summary}</summary>", ""]
    for line in gap.coverage_lines():
        lines.append(coverage_bullet(gap, line))
        if line.startswith(UNCOVERED_LINES) and f.source:
            code_block = fenced([visible(c) for c in gap.code_lines()], "text")
            lines += ["", *("  " + c for c in code_block), ""]
    for m in f.mutants:
        if m.status in SURVIVORS:
            run_by = ", ".join(code(t) for t in m.tests[:5]) or "no test"
            lines += [f"- {mutant_label(m.status)}, line {m.line}, run by {run_by}:", ""]
            lines += [*fenced(m.diff.splitlines(), "diff"), ""]
            if m.hint:
                lines += [f"  Test to write: {escape(m.hint)}.", ""]
    lines += [f"- {escape(line)}" for line in gap.not_testable_lines()]
    if lines[-1]:
        lines.append("")
    return [*lines, "</details>"]


def render(result: CheckResult, out: TextIO) -> None:
    lines = verdict(result)
    failed = result.failed_rules
    if failed:
        lines += ["", *(failed_rule(layer, rule) for layer, rule in failed)]
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|:--|--:|--:|--:|--:|:-:|"]
    lines += [layer_row(layer) for layer in result.layers]
    found = gaps(result)
    if found:
        lines += ["", "**Gaps, worst first**"]
    for gap in found:
        lines += gap_details(gap)
    if result.excluded_tests:
        lines += ["", "Tests left out of mutation testing (they fail under mutmut):"]
        lines += [f"- {code(t)}" for t in result.excluded_tests]
    if arid_line(result):
        lines += ["", escape(arid_line(result)[0].upper() + arid_line(result)[1:]) + "."]
    settled = accepted_lines(result)
    if settled:
        lines += ["", "Accepted mutants (not run, not counted):", ""]
        lines += [*fenced(settled, "text")]
    out.write("\n".join(lines) + "\n")
