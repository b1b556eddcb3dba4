"""What `check` found per changed file: changed, uncovered lines, mutants, nearby tests."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from qualitygate.model import SOURCE_LINES, ChangedFile, FileCoverage, FileResult
from qualitygate.mutation import hints
from qualitygate.mutation.model import UNDETECTED, Mutant, MutationOutcome, NotTestable
from qualitygate.project.config import Config
from qualitygate.project.files import function_spans
from qualitygate.project.layers import layer_of


def nearby_tests(root: Path, cov: FileCoverage, lines: Iterable[int]) -> tuple[str, ...]:
    """Tests that run other lines of the functions holding `lines` (or lines close by)."""
    wanted = set(lines)
    if not wanted or not cov.tests_by_line:
        return ()
    spans = function_spans((root / cov.path).read_text(errors="replace"))
    near: set[int] = set()
    for line in wanted:
        inside = [s for s in spans if s[0] <= line <= s[1]]
        first, last = min(inside, key=lambda s: s[1] - s[0]) if inside else (line - 3, line + 3)
        near.update(range(first, last + 1))
    tests = {t.split("[", 1)[0] for line in near for t in cov.tests_by_line.get(line, ())}
    return tuple(sorted(tests))  # parametrized cases as their one test function


def tests_reaching(fc: FileCoverage, spans: list[tuple[int, int]], line: int) -> frozenset[str]:
    """The tests that run `line`, by per-line coverage: those of the statement it is part
    of (coverage records a statement on its first line). A `def` line runs at import
    time; what reaches a mutant there (a default argument) is the tests of its function."""
    starts = [s for s in fc.statements if s <= line]
    statement = max(starts) if starts else line
    for first, last in sorted(spans, key=lambda s: s[1] - s[0]):
        if first == statement:
            return frozenset(t for n in range(first, last + 1) for t in fc.tests_by_line.get(n, ()))
    return fc.tests_by_line.get(statement, frozenset())


def _per_line(root: Path, fc: FileCoverage | None, mutants: list[Mutant]) -> list[Mutant]:
    """Mutants with "run by" from per-line coverage, not mutmut's per-function statistics
    (a survivor on a line no test runs is "no tests"), and each survivor's hint."""
    if fc is None or not mutants:
        return mutants
    source = (root / fc.path).read_text(errors="replace")
    spans = function_spans(source)
    tree = _tree(source)
    found = []
    for m in mutants:
        if fc.has_contexts:
            tests = tests_reaching(fc, spans, m.line)
            status = "no_tests" if m.status == "survived" and not tests else m.status
        else:
            tests, status = frozenset(m.tests), m.status
        hint = ""
        if status in UNDETECTED and tree is not None:
            hint = hints.hint(source, tree, m.line, m.diff, function_label(m.name))
        found.append(replace(m, tests=tuple(sorted(tests)), status=status, hint=hint))
    return found


def source_lines(root: Path, path: str, lines: list[int]) -> tuple[tuple[int, str], ...]:
    """The text of the first SOURCE_LINES of `lines`, numbered as coverage numbers them
    (only "\n" ends a line: a form feed inside a line does not)."""
    if not lines:
        return ()
    shown = lines[:SOURCE_LINES]
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    rows = text.split("\n", max(shown))  # the lines after the last one shown stay one
    return tuple((n, rows[n - 1].rstrip("\r")) for n in shown if 0 < n <= len(rows))


def _tree(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def function_label(mutant: str) -> str:
    """`bulk_discount` or `Cart.add`, from mutmut's name `app.x.xǁCartǁadd__mutmut_3`."""
    key = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if key.startswith("xǁ"):
        return key[2:].replace("ǁ", ".", 1)
    return key.removeprefix("x_")


def file_results(
    root: Path,
    changed: list[ChangedFile],
    cov: Mapping[str, FileCoverage],
    config: Config,
    outcome: MutationOutcome | None,
    coverage_on: bool = True,
) -> tuple[FileResult, ...]:
    mutants: dict[str, list[Mutant]] = defaultdict(list)
    untestable: dict[str, list[NotTestable]] = defaultdict(list)
    for m in outcome.mutants if outcome else ():
        mutants[m.path].append(m)
    for n in outcome.not_testable if outcome else ():
        untestable[n.path].append(n)
    results = []
    for c in changed:
        fc = cov.get(c.path)
        gated = c.lines & fc.statements if fc else frozenset()
        lines = sorted(gated)
        missing = sorted(gated - fc.executed) if fc and coverage_on else []
        results.append(
            FileResult(
                path=c.path,
                layer=layer_of(c.path, config).name,
                status=c.status,
                changed_lines=tuple(lines),
                uncovered_changed_lines=tuple(missing),
                measured=bool(fc and fc.executed) or not coverage_on,
                old_path=c.old_path,
                nearby_tests=nearby_tests(root, fc, missing) if fc and missing else (),
                mutants=tuple(
                    sorted(_per_line(root, fc, mutants[c.path]), key=lambda m: (m.line, m.name))
                ),
                not_testable=tuple(sorted(untestable[c.path], key=lambda n: n.line)),
                source=source_lines(root, c.path, missing),
            )
        )
    return tuple(results)
