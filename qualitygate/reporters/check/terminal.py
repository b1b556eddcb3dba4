"""The gap summary for people: a rich table on a terminal, plain text elsewhere."""

from __future__ import annotations

import shutil
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from qualitygate.model import CheckResult
from qualitygate.reporters.check.summary import (
    ACCEPT_HINT,
    DETAILED_GAPS,
    FIGURE_METRICS,
    LAYER_COLUMNS,
    accepted_lines,
    arid_line,
    gaps,
    has_survivors,
    layer_row,
    more_gaps,
    rule_line,
    verdict_line,
)
from qualitygate.reporters.wording import plain_table, styled, visible, write_lines

LINE_STYLES = {"+": "green", "-": "red", "!": "yellow"}  # mutated, original, uncovered code


def _selection_lines(result: CheckResult) -> list[str]:
    sentence = result.selection.sentence if result.selection else ""
    return [line for line in (sentence, result.mutation_note, arid_line(result)) if line]


def columns() -> int:
    """The width plain text is laid out for: $COLUMNS, else 80 (a log, a pipe)."""
    return max(shutil.get_terminal_size((80, 24)).columns, 40)


def render_plain(result: CheckResult, out: TextIO) -> None:
    lines = [verdict_line(result), *_selection_lines(result), ""]
    lines += plain_table([LAYER_COLUMNS, *(layer_row(layer) for layer in result.layers)])
    found = gaps(result)
    if found:
        lines += ["", "Gaps, worst first:"]
        for gap in found[:DETAILED_GAPS]:
            lines.append(f"  {gap.file.path} [{gap.file.layer}]")
            lines += [f"    {line}" for line in gap.lines(columns() - 4)]
        lines += [f"  {line}" for line in more_gaps(found)]
        if has_survivors(result):
            lines.append(f"  ({ACCEPT_HINT})")
    if result.excluded_tests:
        lines += ["", "Tests left out of mutation testing (they fail under mutmut):"]
        lines += [f"  {t}" for t in result.excluded_tests]
    settled = accepted_lines(result)
    if settled:
        lines += ["", "Accepted mutants (not run, not counted):"] + [f"  {s}" for s in settled]
    failed = result.failed_rules
    if failed:
        lines += ["", "Failed rules:"] + [f"  {rule_line(layer, rule)}" for layer, rule in failed]
    write_lines(out, lines)


def render_rich(result: CheckResult, out: TextIO) -> None:
    console = Console(file=out, highlight=False)
    colour = "green" if result.passed else "red"
    console.print(Text(verdict_line(result), style=f"bold {colour}"))
    for line in _selection_lines(result):
        console.print(Text(line), markup=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    for name in LAYER_COLUMNS:
        table.add_column(name, no_wrap=True, justify="left" if name == "Layer" else "right")
    for layer in result.layers:
        row = layer_row(layer)
        failed = {r.metric for r in layer.rules if not r.passed}
        cells = [
            Text(cell, style="red" if metric in failed else "")
            for cell, metric in zip(row[2:-1], FIGURE_METRICS, strict=True)
        ]
        verdict = Text(row[-1], style="green" if layer.passed else "bold red")
        table.add_row(Text(row[0], overflow="ellipsis"), row[1], *cells, verdict)
    console.print(table)
    found = gaps(result)
    if found:
        console.print(Text("Gaps, worst first", style="bold"))
    for gap in found[:DETAILED_GAPS]:
        console.print(
            Text.assemble(("  " + visible(gap.file.path), "bold"), f" [{gap.file.layer}]")
        )
        for line in gap.lines(console.width - 4):
            style = LINE_STYLES.get(line.lstrip()[:1], "")
            console.print(
                Text("    " + visible(line), style=style), no_wrap=True, overflow="ellipsis"
            )
    for line in more_gaps(found):
        console.print(Text("  " + visible(line)), no_wrap=True, overflow="ellipsis")
    if has_survivors(result):
        console.print(Text(f"  ({ACCEPT_HINT})", style="dim"))
    if result.excluded_tests:
        console.print(Text("Tests left out of mutation testing (they fail under mutmut):", "bold"))
        for test in result.excluded_tests:
            console.print("  " + visible(test), markup=False)
    settled = accepted_lines(result)
    if settled:
        console.print(Text("Accepted mutants (not run, not counted):", "bold"))
    for line in settled:
        console.print(Text("  " + visible(line)))
    if result.failed_rules:
        console.print(Text("Failed rules:", "bold"))
    for name, rule in result.failed_rules:
        console.print(Text("  " + rule_line(name, rule), style="red"))


def render(result: CheckResult, out: TextIO) -> None:
    (render_rich if styled(out) else render_plain)(result, out)
