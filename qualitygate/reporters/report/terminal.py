"""The gap report on a terminal: a summary table per layer, then module trees, worst first.

rich draws it on a tty; with NO_COLOR or into a pipe it is plain text.
"""

from __future__ import annotations

import posixpath
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from qualitygate.report.model import IMPORTED_ONLY, TESTED, UNTESTED, LayerReport, Report
from qualitygate.reporters.report.text import (
    MARKERS,
    SUMMARY_COLUMNS,
    gap_sentences,
    layer_row,
    module_detail,
    module_tree,
    plural,
    total_row,
    verdict_line,
)
from qualitygate.reporters.wording import plain_table, styled, write_lines

STYLES = {UNTESTED: "red", IMPORTED_ONLY: "yellow", TESTED: "green"}


def layer_title(layer: LayerReport) -> str:
    return (
        f"{layer.name}: {plural(len(layer.modules), 'module')}, "
        f"{layer.count(UNTESTED)} untested, {layer.count(IMPORTED_ONLY)} imported only"
    )


def footer(report: Report) -> list[str]:
    return [f"Missing tests: {report.method}.", f"Priority: {report.priority_rule}."]


def render_plain(report: Report, out: TextIO) -> None:
    lines = [verdict_line(report), ""]
    rows = [SUMMARY_COLUMNS, *(layer_row(la) for la in report.layers), total_row(report)]
    lines += plain_table(rows)
    for layer in report.layers:
        lines += ["", layer_title(layer)]
        lines += [f"  {s}" for s in gap_sentences(layer)]
        lines += [f"  {line}" for line in module_tree(layer.modules)]
    lines += ["", *footer(report)]
    write_lines(out, lines)


def layer_tree(layer: LayerReport) -> Tree:
    """The layer's modules grouped by folder, folders in the order of their worst module."""
    tree = Tree(Text(layer_title(layer), style="bold"))
    folders: dict[str, Tree] = {}
    for m in layer.modules:
        folder, name = posixpath.split(m.path)
        if folder not in folders:
            folders[folder] = tree.add(Text(f"{folder or '.'}/", style="bold blue"))
        folders[folder].add(
            Text.assemble(
                (name, STYLES[m.status]),
                f" ({m.lines} lines) ",
                MARKERS[m.status],
                f" {m.priority.lower()}: {module_detail(m)}",
            )
        )
    return tree


def render_rich(report: Report, out: TextIO) -> None:
    console = Console(file=out, highlight=False)
    console.print(Text(verdict_line(report), style="bold " + ("green" if report.passed else "red")))
    table = Table(*SUMMARY_COLUMNS, title_justify="left")
    for layer in report.layers:
        row = layer_row(layer)
        table.add_row(*row[:-1], Text(row[-1], style="green" if layer.passed else "bold red"))
    table.add_row(*total_row(report), style="bold")
    console.print(table)
    for layer in report.layers:
        console.print(layer_tree(layer))
        for sentence in gap_sentences(layer):
            console.print(Text("  " + sentence, style="red" if not layer.passed else ""))
    for line in footer(report):
        console.print(Text(line, style="dim"))


def render(report: Report, out: TextIO) -> None:
    (render_rich if styled(out) else render_plain)(report, out)
