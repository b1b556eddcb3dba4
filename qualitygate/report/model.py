"""The test gap report's model: every source module, every layer, and how they are judged.

Pure data plus the pure rules that classify a module and estimate its missing
tests; `survey` builds it, the `report_*` reporters render it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qualitygate.gate.rules import check_rule
from qualitygate.model import Rule, percent
from qualitygate.project.priority import rank

TESTED, IMPORTED_ONLY, UNTESTED = "tested", "imported only", "untested"
STATUS_ORDER = (UNTESTED, IMPORTED_ONLY, TESTED)
STATIC, RUN = "static", "run"
METHOD = {
    RUN: "one test per public function or method that no test runs (lines run at import time "
    "do not count); one per module that still lacks a test and has no public function",
    STATIC: "for each module no test imports, one test per public function or method, at least "
    "one per module; modules a test imports count as tested (run the tests to tell "
    "tested from imported only)",
}


def module_status(
    imported: bool,
    run_by_tests: bool | None,
    has_functions: bool,
    exercised: bool,
    imported_by_run: bool = False,
) -> str:
    """tested / imported only / untested.

    `run_by_tests` is None when no test contexts exist (static report): a module a
    test imports then counts as tested. With contexts, a module is tested when a
    test runs its functions (`exercised`); a module with no function to run (classes
    and constants only) when a test runs one of its lines, or when a test file that
    was part of the run imports it. An import by a test file that did not run does
    not count.
    """
    reached = imported or bool(run_by_tests)
    if run_by_tests is None:
        return TESTED if reached else UNTESTED
    if exercised or (not has_functions and imported_by_run):
        return TESTED
    return IMPORTED_ONLY if reached else UNTESTED


def missing_tests(status: str, public_functions: int, unexercised: int, mode: str) -> int:
    """Estimated tests to write for one module, by the method in METHOD[mode]."""
    if mode == STATIC:
        return 0 if status == TESTED else max(1, public_functions)
    if status == TESTED:
        return unexercised
    return max(1, unexercised)


@dataclass(frozen=True)
class ModuleReport:
    path: str
    layer: str
    lines: int  # physical lines
    status: str
    priority: str
    missing_tests: int
    public_functions: tuple[str, ...]
    unexercised: tuple[str, ...]  # public functions no test runs (all of them when static)
    logic_statements: int
    importing_tests: tuple[str, ...]  # test files (static)
    running_tests: tuple[str, ...] = ()  # test ids (dynamic)
    statements: int | None = None  # None: no coverage data (static report)
    covered: int | None = None
    tested_lines: int | None = None
    suggested_test: str | None = None
    suggested_exists: bool = False  # the suggested test file is already there: add to it

    @property
    def write_in(self) -> str | None:
        """Where the missing tests go: the suggested file, else a test module that imports
        this one (never a conftest.py, which holds fixtures, not tests)."""
        if self.suggested_test:
            return self.suggested_test
        modules = [t for t in self.importing_tests if t.rsplit("/", 1)[-1] != "conftest.py"]
        return modules[0] if modules else None

    @property
    def line_coverage(self) -> float | None:
        return None if self.covered is None else percent(self.covered, self.statements or 0)

    @property
    def tested_coverage(self) -> float | None:
        return (
            None if self.tested_lines is None else percent(self.tested_lines, self.statements or 0)
        )

    @property
    def is_gap(self) -> bool:
        return self.status != TESTED


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v or 0 for v in values)


@dataclass(frozen=True)
class LayerReport:
    name: str
    paths: tuple[str, ...]
    modules: tuple[ModuleReport, ...]
    test_files: tuple[str, ...]
    rules: tuple[Rule, ...]
    min_coverage: float = 0.0
    min_tested_files: float = 0.0
    # __init__.py files with nothing to test: not listed, but their lines count in the
    # layer's coverage, as they do in `check` and in coverage.py's own report
    package_markers: tuple[ModuleReport, ...] = ()

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.modules)

    @property
    def tested_files_ratio(self) -> float | None:
        return percent(self.count(TESTED), len(self.modules))

    @property
    def statements(self) -> int | None:
        return _sum([m.statements for m in (*self.modules, *self.package_markers)])

    @property
    def covered(self) -> int | None:
        return _sum([m.covered for m in (*self.modules, *self.package_markers)])

    @property
    def tested_lines(self) -> int | None:
        return _sum([m.tested_lines for m in (*self.modules, *self.package_markers)])

    @property
    def line_coverage(self) -> float | None:
        return None if self.covered is None else percent(self.covered, self.statements or 0)

    @property
    def tested_coverage(self) -> float | None:
        tested = self.tested_lines
        return None if tested is None else percent(tested, self.statements or 0)

    @property
    def missing_tests(self) -> int:
        return sum(m.missing_tests for m in self.modules)

    @property
    def lines_to_cover(self) -> int:
        """More covered lines needed to reach min_coverage (0 when met or not measured)."""
        if self.covered is None or not self.min_coverage:
            return 0
        return max(0, math.ceil(self.min_coverage * (self.statements or 0) / 100) - self.covered)

    @property
    def modules_to_test(self) -> int:
        """More tested modules needed to reach min_tested_files."""
        needed = math.ceil(self.min_tested_files * len(self.modules) / 100)
        return max(0, needed - self.count(TESTED))

    @property
    def passed(self) -> bool:
        return all(rule.passed for rule in self.rules)

    @property
    def gaps(self) -> tuple[ModuleReport, ...]:
        return tuple(m for m in self.modules if m.is_gap)


@dataclass(frozen=True)
class Report:
    layers: tuple[LayerReport, ...]
    mode: str  # static | run
    coverage_source: str  # "none", "pytest" or the data file
    priority_rule: str
    generated: str  # ISO time, or a fixed text in tests
    skipped_markers: int = 0  # __init__.py files with nothing to test

    @property
    def method(self) -> str:
        return METHOD[self.mode]

    @property
    def passed(self) -> bool:
        return all(layer.passed for layer in self.layers)

    @property
    def modules(self) -> tuple[ModuleReport, ...]:
        return tuple(m for layer in self.layers for m in layer.modules)

    @property
    def missing_tests(self) -> int:
        return sum(layer.missing_tests for layer in self.layers)

    @property
    def test_files(self) -> int:
        return len({t for layer in self.layers for t in layer.test_files})


def layer_rules(layer: LayerReport) -> tuple[Rule, ...]:
    """The layer's targets, checked: line coverage and the share of modules with tests."""
    rules = []
    if layer.min_coverage > 0:
        rules.append(
            check_rule(
                "coverage",
                layer.line_coverage,
                layer.min_coverage,
                "not measured: run the tests for line coverage",
            )
        )
    if layer.min_tested_files > 0:
        rules.append(
            check_rule(
                "tested_files", layer.tested_files_ratio, layer.min_tested_files, "no modules"
            )
        )
    return tuple(rules)


def worst_first(module: ModuleReport) -> tuple[int, int, int, str]:
    return (rank(module.priority), STATUS_ORDER.index(module.status), -module.lines, module.path)
