"""What every human-readable report says, computed once: rows, gaps, wording."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from qualitygate.model import NO_CHANGE, CheckResult, FileResult, LayerVerdict, Rule, ranges
from qualitygate.mutation.model import ACCEPTED, UNDETECTED
from qualitygate.reporters.wording import ELLIPSIS, elide, fit_diff, fit_list, pct

WIDE = 10_000  # columns: no fitting, for formats a program reads


def wrap(text: str, width: int, first: str = "", rest: str = "  ") -> list[str]:
    """Prose wrapped at `width` columns, words (and line ranges such as 18-20) kept whole,
    later lines indented."""
    lines = textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )
    return lines or [first]


def wrap_words(text: str, width: int, rest: str = "  ") -> list[str]:
    """`wrap` for text of short words, one space apart (a list of line ranges), packed
    by hand: textwrap took 0.5 ms a file on a list of 150 ranges, a second over 2,000
    files, and on such text greedy packing gives its lines. Each line ends at the last
    space that fits (one `rfind` a line, not a step a word)."""
    words = text.split(" ")
    if max(map(len, words)) > width - len(rest):
        return wrap(text, width, rest=rest)
    out, start, prefix = [], 0, ""
    while len(text) - start > width - len(prefix):
        cut = text.rfind(" ", start, start + width - len(prefix) + 1)
        out.append(prefix + text[start:cut])
        start, prefix = cut + 1, rest
    return [*out, prefix + text[start:]]


# Each figure beside its target ("42.9% / 50"), so the table fits 80 columns; the rules
# that failed, with their gaps, follow the gaps.
LAYER_COLUMNS = ("Layer", "Changed", "Diff cov", "Layer cov", "Mutation", "Result")
FIGURE_METRICS = ("diff_coverage", "coverage", "mutation_score")
METRIC_NAMES = {
    "coverage": "layer coverage",
    "diff_coverage": "diff coverage",
    "mutation_score": "mutation score",
    "coverage_baseline": "layer coverage baseline",
    "accepted_mutants": "accepted mutants",
}
NEARBY_TESTS = "tests that run nearby lines"
UNCOVERED_LINES = "uncovered changed lines"


def figure(
    layer: LayerVerdict, metric: str, failing: Callable[[str], str] = lambda text: text
) -> str:
    """A layer's figure, and its target when a rule holds it to one: '42.9% / 50'; a figure
    whose rule failed goes through `failing` (markdown makes it bold)."""
    actual = pct(getattr(layer.figures, metric))
    rule = next((r for r in layer.rules if r.metric == metric), None)
    if rule is None:
        return actual
    return f"{actual if rule.passed else failing(actual)} / {rule.required:g}"


def layer_row(layer: LayerVerdict) -> tuple[str, ...]:
    return (
        layer.name,
        str(layer.figures.changed_lines),
        *(figure(layer, metric) for metric in FIGURE_METRICS),
        "PASS" if layer.passed else "FAIL",
    )


def verdict_line(result: CheckResult) -> str:
    word = "PASSED" if result.passed else "FAILED"
    changed = len(result.files)
    source = result.coverage_source
    where = {"not measured": "coverage not measured", NO_CHANGE: NO_CHANGE}.get(
        source, f"coverage from {source}"
    )
    files = f"{changed} changed file{'s' * (changed != 1)}"
    return f"qualitygate {word}: {files} against {result.base}, {where}"


def rule_sentence(rule: Rule) -> str:
    """What a failed rule says, after the layer's name."""
    if rule.at_most:
        return (
            f"{METRIC_NAMES[rule.metric]}: {rule.actual:g}, over the budget of "
            f"{rule.required:g} (max_accepted)"
        )
    return (
        f"{METRIC_NAMES[rule.metric]} {pct(rule.actual)} is below "
        f"{rule.required:g}% (gap {rule.gap:.1f} points)"
    )


def rule_line(layer: str, rule: Rule) -> str:
    return f"{layer}: {rule_sentence(rule)}"


SURVIVORS = UNDETECTED


def mutant_label(status: str) -> str:
    """'mutant survived', 'mutant no tests', ...: how reports name an undetected mutant."""
    return "mutant survived" if status == "survived" else f"mutant {status.replace('_', ' ')}"


@dataclass(frozen=True)
class Gap:
    """One file's gaps: what to look at and what test to write."""

    file: FileResult

    @property
    def weight(self) -> int:
        return len(self.file.uncovered_changed_lines) + len(self.survivors)

    @property
    def survivors(self) -> list[str]:
        return [m.name for m in self.file.mutants if m.status in SURVIVORS]

    def lines(self, width: int = WIDE) -> list[str]:
        """Detail lines, plain text, that fit `width` columns: diffs elided, never wrapped
        mid-code, test lists cut short with a count, prose wrapped with a hanging indent."""
        out = self.coverage_lines(width, code=True)
        inner = width - 4
        for m in self.file.mutants:
            if m.status in SURVIVORS:
                out.append(f"{mutant_label(m.status)}, line {m.line}:")
                out.extend("    " + d for d in fit_diff(m.diff.splitlines(), inner))
                out.append("    " + fit_list("run by", m.tests, inner, "no test"))
                if m.hint:
                    out += wrap(f"test to write: {m.hint}", inner, "    ", "      ")
        return out + [line for text in self.not_testable_lines() for line in wrap(text, width)]

    def coverage_lines(self, width: int = WIDE, code: bool = False) -> list[str]:
        """What the file's coverage lacks, the list of lines wrapped at `width`; with
        `code`, the uncovered lines' code after that list."""
        f = self.file
        out = []
        if not f.measured and f.changed_lines:
            out.append("never run by the tests: no test imports this file (counts as 0%)")
        if f.uncovered_changed_lines:
            out += wrap_words(f"{UNCOVERED_LINES}: {ranges(f.uncovered_changed_lines)}", width)
            if code:
                out += ["  " + line for line in self.code_lines(width - 2)]
            if f.nearby_tests:
                out.append(fit_list(NEARBY_TESTS, f.nearby_tests, width, "none"))
        return out

    def code_lines(self, width: int = WIDE) -> list[str]:
        """The uncovered changed lines with their code, each marked `!` as diff-cover marks
        them: the shared indentation dropped, a line too long for `width` elided, never
        wrapped, and a count of the lines left out."""
        shown = [(n, text.expandtabs(4)) for n, text in self.file.source]
        if not shown:
            return []
        digits = len(str(max(n for n, _ in shown)))
        indent = min((len(t) - len(t.lstrip()) for _, t in shown if t.strip()), default=0)
        out = [elide(f"! {n:>{digits}}  {text[indent:]}".rstrip(), width) for n, text in shown]
        more = len(self.file.uncovered_changed_lines) - len(shown)
        if more > 0:
            out.append(f"{ELLIPSIS} and {more} more uncovered line{'s' * (more != 1)}")
        return out

    def not_testable_lines(self) -> list[str]:
        by_reason: dict[str, list[int]] = {}
        for n in self.file.not_testable:
            by_reason.setdefault(n.reason, []).append(n.line)
        return [
            f"not mutation-tested, {'lines' if len(at) > 1 else 'line'} {ranges(at)}: {reason}"
            for reason, at in by_reason.items()
        ]


def arid_line(result: CheckResult) -> str:
    """The mutants not run because they sit on arid code, counted by reason."""
    total = sum(n for _, n in result.arid_mutants)
    if not total:
        return ""
    reasons = ", ".join(f"{n} {reason}" for reason, n in result.arid_mutants)
    return f"not run: {total} mutant{'s' * (total != 1)} on arid code ({reasons})"


ACCEPT_HINT = "a survivor no test should kill: qualitygate accept FILE:LINE --reason WHY"


def has_survivors(result: CheckResult) -> bool:
    return any(m.status in SURVIVORS for f in result.files for m in f.mutants)


def accepted_lines(result: CheckResult) -> list[str]:
    """The accepted mutants of the change, with their reasons, and the marks that expired."""
    out = []
    for f in result.files:
        for m in f.mutants:
            if m.status == ACCEPTED:
                out.append(f"{f.path}:{m.line} accepted ({m.reason}):")
                out.extend("    " + d for d in m.diff.splitlines())
    for e in result.expired_marks:
        out.append(
            f"{e.mark.file}: mark expired, {e.why} (was: {e.mark.reason}); its mutant "
            "counts again: accept it anew if it still holds"
        )
    return out


def gaps(result: CheckResult) -> list[Gap]:
    """Files with something to fix, worst first."""
    found = [Gap(f) for f in result.files if Gap(f).weight or f.not_testable]
    return sorted(found, key=lambda g: (-g.weight, g.file.path))


DETAILED_GAPS = 20  # files a terminal shows with their lines, code and mutants
LISTED_GAPS = 100  # files after those, one line each; the reports hold every one


def gap_line(gap: Gap) -> str:
    """One file's gaps counted on one line: where a terminal has shown enough detail."""
    f = gap.file
    uncovered, survivors = len(f.uncovered_changed_lines), len(gap.survivors)
    parts = ["never run by the tests"] if not f.measured and f.changed_lines else []
    if uncovered:
        parts.append(f"{uncovered:,} uncovered line{'s' * (uncovered != 1)}")
    if survivors:
        parts.append(f"{survivors} undetected mutant{'s' * (survivors != 1)}")
    if f.not_testable and not parts:
        parts.append("lines not mutation-tested")
    return f"{f.path} [{f.layer}]: {', '.join(parts)}"


def more_gaps(found: list[Gap]) -> list[str]:
    """The files past the first DETAILED_GAPS, a line each, then a count of the rest."""
    rest = found[DETAILED_GAPS:]
    out = [gap_line(g) for g in rest[:LISTED_GAPS]]
    left = len(rest) - LISTED_GAPS
    if left > 0:
        out.append(
            f"{ELLIPSIS} and {left:,} more file{'s' * (left != 1)} with gaps: "
            "--report json:FILE lists all"
        )
    return out
