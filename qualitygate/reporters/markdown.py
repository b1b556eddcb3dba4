"""Markdown: verdict first, one table of layers, then the gaps, collapsible."""

from __future__ import annotations

from typing import TextIO

from qualitygate.model import CheckResult
from qualitygate.reporters.summary import LAYER_COLUMNS, gaps, layer_row, rule_line, verdict_line

MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|"})


def escape(text: str) -> str:
    """Text safe inside a markdown table cell or paragraph."""
    return text.translate(MARKDOWN_SPECIAL).replace("\n", " ").replace("\r", " ")


def render(result: CheckResult, out: TextIO) -> None:
    icon = ":white_check_mark:" if result.passed else ":x:"
    lines = [f"### {icon} {escape(verdict_line(result))}", ""]
    lines.append("| " + " | ".join(LAYER_COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in LAYER_COLUMNS) + "|")
    for layer in result.layers:
        lines.append("| " + " | ".join(escape(cell) for cell in layer_row(layer)) + " |")
    failed = result.failed_rules
    if failed:
        lines += ["", *(f"- {escape(rule_line(layer, rule))}" for layer, rule in failed)]
    for gap in gaps(result):
        summary = f"<code>{escape(gap.file.path)}</code> ({escape(gap.file.layer)})"
        lines += ["", f"<details><summary>{summary}</summary>", "", "```text"]
        lines += [line.replace("```", "'''") for line in gap.lines()]
        lines += ["```", "", "</details>"]
    if result.excluded_tests:
        lines += [
            "",
            "Tests left out of mutation testing (they fail under mutmut): "
            + ", ".join(f"`{t}`" for t in result.excluded_tests),
        ]
    out.write("\n".join(lines) + "\n")
