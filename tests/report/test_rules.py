"""Pure rules of the report, table-driven: status, estimate, priority, layer gaps."""

from __future__ import annotations

import pytest

from qualitygate.project.priority import PrioritySettings, describe, level, points, priority_of
from qualitygate.report.model import (
    IMPORTED_ONLY,
    RUN,
    STATIC,
    TESTED,
    UNTESTED,
    LayerReport,
    ModuleReport,
    layer_rules,
    missing_tests,
    module_status,
)


@pytest.mark.parametrize(
    ("imported", "run_by_tests", "has_functions", "exercised", "by_run", "expected"),
    [
        (False, None, True, False, False, UNTESTED),  # static, nobody imports it
        (True, None, True, False, False, TESTED),  # static: an import counts as a test
        (True, None, False, False, False, TESTED),  # static, classes only
        (False, False, True, False, False, UNTESTED),
        (True, False, True, False, True, IMPORTED_ONLY),  # imported, nothing run by a test
        (False, True, True, False, False, IMPORTED_ONLY),  # a test ran module-level lines only
        (True, True, True, True, True, TESTED),
        (False, True, True, True, False, TESTED),  # exercised through another module
        (True, False, False, False, True, TESTED),  # classes only, imported by a test that ran
        (True, False, False, False, False, IMPORTED_ONLY),  # imported by a test not in the run
        (False, True, False, True, False, TESTED),  # classes only, a line run by a test
        (False, False, False, False, False, UNTESTED),  # classes only, run at import by others
    ],
)
def test_module_status(imported, run_by_tests, has_functions, exercised, by_run, expected):
    assert module_status(imported, run_by_tests, has_functions, exercised, by_run) == expected


@pytest.mark.parametrize(
    ("status", "public", "unexercised", "mode", "expected"),
    [
        (UNTESTED, 5, 5, STATIC, 5),
        (UNTESTED, 0, 0, STATIC, 1),  # at least one per module
        (TESTED, 5, 0, STATIC, 0),  # static: an imported module is not estimated
        (UNTESTED, 3, 3, RUN, 3),
        (IMPORTED_ONLY, 0, 0, RUN, 1),
        (IMPORTED_ONLY, 2, 2, RUN, 2),
        (TESTED, 4, 1, RUN, 1),  # one public function no test runs
        (TESTED, 4, 0, RUN, 0),
    ],
)
def test_missing_tests(status, public, unexercised, mode, expected):
    assert missing_tests(status, public, unexercised, mode) == expected


DEFAULTS = PrioritySettings()


@pytest.mark.parametrize(
    ("layer", "status", "logic", "expected"),
    [
        ("repositories", UNTESTED, 40, "CRITICAL"),  # untested repository with real logic
        ("infrastructure", UNTESTED, 30, "CRITICAL"),
        ("infrastructure", UNTESTED, 0, "HIGH"),  # classes only
        ("repositories", IMPORTED_ONLY, 30, "HIGH"),
        ("services", UNTESTED, 30, "HIGH"),
        ("services", UNTESTED, 5, "MEDIUM"),
        ("workers", UNTESTED, 30, "MEDIUM"),
        ("workers", IMPORTED_ONLY, 0, "LOW"),
        ("repositories", TESTED, 100, "MEDIUM"),
        ("other", TESTED, 100, "LOW"),
    ],
)
def test_default_priority(layer, status, logic, expected):
    assert priority_of(DEFAULTS, layer, status, logic) == expected


def test_priority_settings_change_the_ranking():
    settings = PrioritySettings(
        critical_layers=("workers",),
        important_layers=(),
        large_module=5,
        untested=3,
        imported_only=0,
    )
    assert points(settings, "workers", UNTESTED, 5) == 6
    assert priority_of(settings, "repositories", IMPORTED_ONLY, 0) == "LOW"
    assert "critical: workers 2" in describe(settings)
    assert "untested 3, imported only 0" in describe(settings)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "LOW"),
        (1, "LOW"),
        (2, "MEDIUM"),
        (3, "MEDIUM"),
        (4, "HIGH"),
        (5, "CRITICAL"),
        (7, "CRITICAL"),
    ],
)
def test_level(score, expected):
    assert level(score) == expected


def module(status: str, statements: int | None, covered: int | None) -> ModuleReport:
    return ModuleReport(
        path=f"m{statements}{status}.py",
        layer="l",
        lines=10,
        status=status,
        priority="LOW",
        missing_tests=1,
        public_functions=(),
        unexercised=(),
        logic_statements=0,
        importing_tests=(),
        statements=statements,
        covered=covered,
        tested_lines=covered,
    )


def layer(modules: list[ModuleReport], min_coverage: float, min_files: float) -> LayerReport:
    report = LayerReport("l", ("**",), tuple(modules), (), (), min_coverage, min_files)
    return LayerReport(
        "l", ("**",), tuple(modules), (), layer_rules(report), min_coverage, min_files
    )


def test_layer_gap_in_lines_and_modules():
    found = layer(
        [module(TESTED, 100, 40), module(UNTESTED, 300, 0), module(UNTESTED, 100, 10)],
        min_coverage=60,
        min_files=70,
    )
    assert found.line_coverage == 10.0  # 50 of 500
    assert found.lines_to_cover == 250  # 60% of 500 = 300, minus 50
    assert found.tested_files_ratio == pytest.approx(33.3)
    assert found.modules_to_test == 2  # 70% of 3 = 2.1 -> 3 modules, 1 has a test
    assert [(r.metric, r.gap) for r in found.rules] == [("coverage", 50.0), ("tested_files", 36.7)]
    assert not found.passed


def test_static_layer_cannot_fail_on_line_coverage():
    found = layer([module(TESTED, None, None)], min_coverage=90, min_files=50)
    assert found.line_coverage is None
    assert found.lines_to_cover == 0
    assert [r.passed for r in found.rules] == [True, True]
    assert found.rules[0].note.startswith("not measured")
