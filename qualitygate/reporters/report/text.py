"""What every human-readable gap report says, worded once: rows, sentences, trees."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Sequence

from qualitygate.model import Rule, percent
from qualitygate.report.model import (
    IMPORTED_ONLY,
    TESTED,
    UNTESTED,
    LayerReport,
    ModuleReport,
    Report,
)
from qualitygate.reporters.wording import pct

MARKERS = {UNTESTED: "❌", IMPORTED_ONLY: "⚠️", TESTED: "✅"}
SHORT = {
    "coverage": "cov",
    "tested_files": "files",
    "tested_coverage_baseline": "base tested",
    "tested_files_baseline": "base files",
}
SUMMARY_COLUMNS = (
    "Layer",
    "Modules",
    "With tests",
    "Test files",
    "Line cov",
    "Tested cov",
    "Targets",
    "Gap",
    "Missing tests",
    "Result",
)


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def with_tests(layer: LayerReport) -> str:
    return f"{layer.count(TESTED)}/{len(layer.modules)} ({pct(layer.tested_files_ratio)})"


def targets(rules: Sequence[Rule]) -> str:
    return " / ".join(f"{SHORT[r.metric]} {r.required:g}%" for r in rules) or "none"


def gap_text(rules: Sequence[Rule]) -> str:
    return ", ".join(f"{SHORT[r.metric]} -{r.gap:.1f}" for r in rules if r.gap is not None) or "-"


def layer_row(layer: LayerReport) -> tuple[str, ...]:
    return (
        layer.name,
        str(len(layer.modules)),
        with_tests(layer),
        str(len(layer.test_files)),
        pct(layer.line_coverage),
        pct(layer.tested_coverage),
        targets(layer.rules),
        gap_text(layer.rules),
        f"~{layer.missing_tests}",
        "PASS" if layer.passed else "FAIL",
    )


def total_row(report: Report) -> tuple[str, ...]:
    modules = report.modules
    tested = sum(m.status == TESTED for m in modules)
    layers = report.layers
    statements = sum(la.statements or 0 for la in layers)
    measured = report.mode == "run" or any(la.covered is not None for la in layers)
    covered = sum(la.covered or 0 for la in layers)
    line = pct(percent(covered, statements)) if measured else "-"
    tested_lines = sum(la.tested_lines or 0 for la in layers)
    tested_cov = pct(percent(tested_lines, statements)) if report.mode == "run" else "-"
    return (
        "TOTAL",
        str(len(modules)),
        f"{tested}/{len(modules)} ({pct(percent(tested, len(modules)))})",
        str(report.test_files),
        line,
        tested_cov,
        "",
        "",
        f"~{report.missing_tests}",
        "PASS" if report.passed else "FAIL",
    )


def verdict_line(report: Report) -> str:
    word = "PASSED" if report.passed else "FAILED"
    below = [layer.name for layer in report.layers if not layer.passed]
    where = f": {', '.join(below)} below target" if below else ": every layer meets its targets"
    return f"qualitygate report {word}{where} ({source_line(report)})"


def source_line(report: Report) -> str:
    if report.coverage_source == "none":
        return "static: source and test imports only, tests not run"
    if report.mode == "run":
        return f"coverage with test contexts from {report.coverage_source}"
    return f"coverage from {report.coverage_source}, without test contexts"


def gap_sentences(layer: LayerReport) -> list[str]:
    """The layer's gaps in points and in concrete numbers."""
    out = []
    for rule in layer.rules:
        if rule.gap is None:
            continue
        if rule.metric == "coverage":
            out.append(
                f"line coverage {pct(rule.actual)} is below {rule.required:g}% "
                f"(gap {rule.gap:.1f} points): cover about "
                f"{plural(layer.lines_to_cover, 'more line')}"
            )
        elif rule.metric.endswith("_baseline"):
            what = rule.metric.removesuffix("_baseline").replace("_", " ")
            out.append(
                f"{what} {pct(rule.actual)} dropped below its baseline {rule.required:g}% "
                f"(gap {rule.gap:.1f} points)"
            )
        else:
            out.append(
                f"{with_tests(layer)} modules have tests, below {rule.required:g}% "
                f"(gap {rule.gap:.1f} points): test about "
                f"{plural(layer.modules_to_test, 'more module')}"
            )
    untested, imported = layer.count(UNTESTED), layer.count(IMPORTED_ONLY)
    if untested:
        out.append(f"{plural(untested, 'module has', 'modules have')} no test")
    if imported:
        out.append(
            f"{plural(imported, 'module is', 'modules are')} imported by tests "
            "but none of its functions is run by one"
        )
    return out


def module_detail(m: ModuleReport) -> str:
    """Why a module has its status, in a few words."""
    if m.status == UNTESTED:
        why = "no test imports or runs it"
    elif m.status == IMPORTED_ONLY:
        why = f"{plural(len(m.importing_tests), 'import')} only, no function run by a test"
    elif m.running_tests:
        why = f"run by {plural(len(m.running_tests), 'test')}"
    else:
        why = f"imported by {plural(len(m.importing_tests), 'test file')}"
    missing = f", ~{plural(m.missing_tests, 'test')} missing" if m.missing_tests else ""
    return f"{why}{missing}"


def missing_what(m: ModuleReport, limit: int = 4) -> str:
    names = list(m.unexercised[:limit])
    more = len(m.unexercised) - limit
    return ", ".join(names + ([f"+{more} more"] if more > 0 else [])) or "the module as a whole"


def common_folder(paths: Sequence[str]) -> str:
    folders = [posixpath.dirname(p) for p in paths]
    return posixpath.commonpath(folders) if folders and all(folders) else ""


def tree_lines(items: Sequence[tuple[str, str]], indent: str = "") -> list[str]:
    """(relative path, label) in display order -> a tree drawn with ├── └── │."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for path, label in items:
        head, _, rest = path.partition("/")
        groups.setdefault(head + ("/" if rest else ""), []).append((rest, label))
    width = max(len(name) for name in groups)
    out = []
    for i, (name, members) in enumerate(groups.items()):
        last = i == len(groups) - 1
        branch, more = ("└── ", "    ") if last else ("├── ", "│   ")
        if name.endswith("/"):
            out.append(f"{indent}{branch}{name}")
            out += tree_lines(members, indent + more)
        else:
            out.append(f"{indent}{branch}{name.ljust(width)} {members[0][1]}")
    return out


def module_tree(modules: Sequence[ModuleReport]) -> list[str]:
    """The modules under their common folder, each with line count, marker and detail."""
    base = common_folder([m.path for m in modules])
    items = [
        (
            posixpath.relpath(m.path, base) if base else m.path,
            f"({m.lines} lines) {MARKERS[m.status]} {m.status}, {m.priority}: {module_detail(m)}",
        )
        for m in modules
    ]
    return [f"{base}/" if base else "./", *tree_lines(items)]


def path_tree(paths: Sequence[str], existing: Collection[str] = ()) -> list[str]:
    """Plain paths as a tree (the recommended test files); those in `existing` are marked
    as files to add to."""
    base = common_folder(paths)
    items = [
        (posixpath.relpath(p, base) if base else p, "(exists: add to it)" if p in existing else "")
        for p in sorted(set(paths))
    ]
    return [f"{base}/" if base else "./", *(line.rstrip() for line in tree_lines(items))]
