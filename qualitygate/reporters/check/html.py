"""The check as one HTML page: the verdict, the layer table, and each changed file's source,
its changed lines tinted, the uncovered ones marked `!`, each mutant shown under its line.

`--report html:DIR` writes DIR/index.html: one self-contained file, nothing fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from qualitygate.model import CheckResult, FileResult, LayerVerdict
from qualitygate.mutation.model import ACCEPTED, UNDETECTED, Mutant
from qualitygate.reporters.check.summary import (
    FIGURE_METRICS,
    LAYER_COLUMNS,
    Gap,
    arid_line,
    figure,
    gaps,
    mutant_label,
    rule_line,
    verdict_line,
)
from qualitygate.reporters.html_page import esc, page, table

CONTEXT = 3  # unchanged lines shown around each changed line
MAX_ROWS = 600  # source rows per file; a huge new file is cut short, with a count


def _fail(text: str) -> str:
    return f'<span class="fail">{text}</span>'


def layer_rows(layer: LayerVerdict) -> list[str]:
    verdict = '<span class="pass">PASS</span>' if layer.passed else _fail("FAIL")
    return [
        esc(layer.name),
        str(layer.figures.changed_lines),
        *(figure(layer, metric, _fail) for metric in FIGURE_METRICS),
        verdict,
    ]


def heading(result: CheckResult) -> str:
    state = "pass" if result.passed else "fail"
    about = [
        result.selection.sentence if result.selection else "",
        result.mutation_note or f"mutation testing: {result.mutation}",
        arid_line(result),
    ]
    lines = "".join(f'<p class="about">{esc(line)}</p>' for line in about if line)
    return f'<h1 class="{state}">{esc(verdict_line(result))}</h1>{lines}'


def failed_rules(result: CheckResult) -> str:
    if not result.failed_rules:
        return ""
    items = "".join(f"<li>{esc(rule_line(name, rule))}</li>" for name, rule in result.failed_rules)
    return f'<h2>Failed rules</h2><ul class="rules">{items}</ul>'


def read_lines(root: Path | None, path: str) -> list[str] | None:
    """The file's lines as coverage numbers them, or None when it cannot be read here."""
    if root is None:
        return None
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    return lines[:-1] if lines and not lines[-1] else lines  # the end of the last line


def shown_lines(f: FileResult, count: int) -> list[int]:
    """The changed lines and mutant lines, each with CONTEXT lines around it."""
    wanted = set(f.changed_lines) | {m.line for m in f.mutants}
    return sorted(
        {n for line in wanted for n in range(line - CONTEXT, line + CONTEXT + 1) if 0 < n <= count}
    )


def mutant_row(m: Mutant) -> str:
    diff = "".join(
        f'<span class="{"del" if d.startswith("-") else "ins"}">{esc(d)}</span>\n'
        for d in m.diff.splitlines()
        if d.startswith(("-", "+"))
    )
    if m.status == ACCEPTED:
        words = f"accepted ({esc(m.reason)})"
    else:
        run_by = ", ".join(esc(t) for t in m.tests[:5]) or "no test"
        words = f"{esc(mutant_label(m.status))}, run by {run_by}"
        if m.hint:
            words += f"<br>Test to write: {esc(m.hint)}."
    return (
        f'<tr class="mutant"><td colspan="3"><strong>Line {m.line}</strong>: {words}'
        f"<pre>{diff}</pre></td></tr>"
    )


def source_rows(f: FileResult, lines: list[str]) -> list[str]:
    uncovered = set(f.uncovered_changed_lines)
    changed = set(f.changed_lines)
    shown_mutants = [m for m in f.mutants if m.status in UNDETECTED or m.status == ACCEPTED]
    rows: list[str] = []
    previous = 0
    wanted = shown_lines(f, len(lines))
    for n in wanted[:MAX_ROWS]:
        if previous and n != previous + 1:
            rows.append('<tr class="skip"><td colspan="3">⋯</td></tr>')
        state = "uncovered" if n in uncovered else ("changed" if n in changed else "")
        mark = "!" if n in uncovered else ""
        rows.append(
            f'<tr class="{state}" id="{esc(f.path)}-L{n}"><td class="no">{n}</td>'
            f'<td class="mark">{mark}</td><td class="code">{esc(lines[n - 1])}</td></tr>'
        )
        rows += [mutant_row(m) for m in shown_mutants if m.line == n]
        previous = n
    if len(wanted) > MAX_ROWS:
        more = len(wanted) - MAX_ROWS
        rows.append(f'<tr class="skip"><td colspan="3">{more} more lines</td></tr>')
    return rows


def known_rows(f: FileResult) -> list[str]:
    """Without the file at hand (a merge elsewhere): the uncovered lines the result carries."""
    return [
        f'<tr class="uncovered"><td class="no">{n}</td><td class="mark">!</td>'
        f'<td class="code">{esc(text)}</td></tr>'
        for n, text in f.source
    ]


def file_section(f: FileResult, root: Path | None, is_gap: bool) -> str:
    gap = Gap(f)
    tags = [f'<span class="tag">{esc(f.layer)}</span>', f'<span class="tag">{esc(f.status)}</span>']
    if f.uncovered_changed_lines:
        count = len(f.uncovered_changed_lines)
        tags.append(f'<span class="tag fail">{count} uncovered line{"s" * (count != 1)}</span>')
    if gap.survivors:
        count = len(gap.survivors)
        tags.append(f'<span class="tag fail">{count} undetected mutant{"s" * (count != 1)}</span>')
    notes = [line for line in gap.coverage_lines() if not line.startswith("uncovered changed")]
    notes += gap.not_testable_lines()
    lines = read_lines(root, f.path) if f.status != "deleted" else None
    rows = source_rows(f, lines) if lines is not None else known_rows(f)
    listing = f'<table class="source"><tbody>{"".join(rows)}</tbody></table>' if rows else ""
    if lines is None and f.status != "deleted":
        notes.append("the file is not here to show: only its uncovered lines are listed")
    body = "".join(f'<p class="muted">{esc(n)}</p>' for n in notes)
    return (
        f'<details class="file"{" open" if is_gap else ""}><summary><h3>{esc(f.path)}</h3>'
        f"{''.join(tags)}</summary>{body}{listing}</details>"
    )


def render(result: CheckResult, out: TextIO, root: Path | None = None) -> None:
    """The page; `root` is where the changed files are read from (None: show only what the
    result carries)."""
    found = [gap.file for gap in gaps(result)]
    rest = [f for f in result.files if f not in found]
    sections = [file_section(f, root, True) for f in found]
    sections += [file_section(f, root, False) for f in rest]
    body = [
        heading(result),
        "<h2>Layers</h2>",
        table(LAYER_COLUMNS, (layer_rows(la) for la in result.layers), numeric=(1, 2, 3, 4)),
        failed_rules(result),
        f"<h2>Changed files</h2>{''.join(sections)}" if sections else "",
    ]
    if result.excluded_tests:
        items = "".join(f"<li>{esc(t)}</li>" for t in result.excluded_tests)
        body.append(f"<h2>Tests left out of mutation testing</h2><ul>{items}</ul>")
    out.write(page(verdict_line(result), "\n".join(part for part in body if part)))
