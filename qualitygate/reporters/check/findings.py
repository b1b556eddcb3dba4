"""Findings: the located gaps that CI formats point at, worst first.

A finding is one range of uncovered changed lines or one undetected mutant,
with the words a reviewer reads beside the code. The github, sarif and junit
reports draw from this one list, so they agree on what a gap is and its order.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualitygate.model import CheckResult, FileResult
from qualitygate.mutation.model import Mutant
from qualitygate.reporters.check.summary import SURVIVORS, gaps, mutant_label

UNCOVERED = "uncovered-change"
MUTANT = "surviving-mutant"
MUTANT_OUTCOME = {
    "survived": "was mutated like this and every test still passed",
    "no_tests": "was mutated like this and no test runs it",
    "suspicious": "was mutated like this and the tests slowed down without failing",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # UNCOVERED | MUTANT
    path: str
    layer: str
    start: int
    end: int
    title: str
    message: str
    failing: bool  # the file's layer fails the gate
    mutant: Mutant | None = None


@dataclass(frozen=True)
class Span:
    """What a mutant changes: original and mutated text, 1-based columns, end exclusive."""

    original: tuple[str, ...]
    mutated: tuple[str, ...]
    start_column: int
    end_column: int
    replacement: str


def line_runs(lines: tuple[int, ...]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def span(diff: str) -> Span:
    """The changed words of a one-line change; whole lines when a mutant adds or drops lines."""
    original = tuple(line[1:] for line in diff.splitlines() if line.startswith("-"))
    mutated = tuple(line[1:] for line in diff.splitlines() if line.startswith("+"))
    if len(original) != 1 or len(mutated) != 1:
        end = len(original[-1]) + 1 if original else 1
        return Span(original, mutated, 1, end, "\n".join(mutated))
    old, new = original[0], mutated[0]
    prefix = common_prefix(old, new)
    suffix = min(common_prefix(old[::-1], new[::-1]), min(len(old), len(new)) - prefix)
    while prefix and not old[prefix - 1].isspace():  # widen to whole words: '>' -> '>='
        prefix -= 1
    while suffix and not old[len(old) - suffix].isspace():
        suffix -= 1
    return Span(
        original, mutated, prefix + 1, len(old) - suffix + 1, new[prefix : len(new) - suffix]
    )


def _uncovered(file: FileResult, failing: bool) -> list[Finding]:
    found = []
    for start, end in line_runs(file.uncovered_changed_lines):
        where = (
            f"Line {start} changed and no test runs it"
            if start == end
            else (f"Lines {start}-{end} changed and no test runs them")
        )
        if not file.measured:
            why = "no test imports this file."
        elif file.nearby_tests:
            why = "tests that run nearby lines: " + ", ".join(file.nearby_tests[:3]) + "."
        else:
            why = "no test runs the lines around them either."
        found.append(
            Finding(
                kind=UNCOVERED,
                path=file.path,
                layer=file.layer,
                start=start,
                end=end,
                title=f"Uncovered change ({file.layer})",
                message=f"{where}; {why}",
                failing=failing,
            )
        )
    return found


def _mutants(file: FileResult, failing: bool) -> list[Finding]:
    found = []
    for m in file.mutants:
        if m.status not in SURVIVORS:
            continue
        changed = span(m.diff)
        run_by = ", ".join(m.tests[:3]) or "no test"
        found.append(
            Finding(
                kind=MUTANT,
                path=file.path,
                layer=file.layer,
                start=m.line,
                end=m.line + max(len(changed.original), 1) - 1,
                title=f"{mutant_label(m.status).capitalize()} ({file.layer})",
                message=f"Line {m.line} {MUTANT_OUTCOME.get(m.status, m.status)}:\n"
                f"{m.diff}\nRun by: {run_by}." + (f"\nTest to write: {m.hint}." if m.hint else ""),
                failing=failing,
                mutant=m,
            )
        )
    return found


def findings(result: CheckResult) -> list[Finding]:
    """Uncovered line ranges and undetected mutants: failing layers first, then as `gaps`."""
    failing = {layer.name for layer in result.layers if not layer.passed}
    ordered = [gap.file for gap in gaps(result)]
    found = [
        item
        for file in ordered
        for item in (
            *_uncovered(file, file.layer in failing),
            *_mutants(file, file.layer in failing),
        )
    ]
    return sorted(found, key=lambda f: not f.failing)  # stable: keeps the gaps order within
