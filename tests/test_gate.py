"""The gate is a pure function: figures and thresholds in, verdict out."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualitygate.gate.rules import evaluate, evaluate_layer
from qualitygate.model import LayerFigures, percent, ranges
from qualitygate.project.config import Layer

INFRA = Layer("infra", ("app/db/**",), min_coverage=60, min_diff_coverage=80, min_mutation_score=50)


@pytest.mark.parametrize(
    ("figures", "failed"),
    [
        # 21.3% layer coverage, 1 of 2 changed lines covered
        (
            LayerFigures(
                "infra",
                files=3,
                statements=150,
                covered=32,
                changed_lines=2,
                uncovered_changed_lines=1,
            ),
            {"coverage", "diff_coverage"},
        ),
        (
            LayerFigures(
                "infra", statements=10, covered=6, changed_lines=5, uncovered_changed_lines=1
            ),
            set(),
        ),  # exactly 60 and 80 pass
        (LayerFigures("infra", statements=10, covered=10, changed_lines=0), set()),  # no change
        (LayerFigures("infra", statements=0, covered=0), set()),  # nothing to measure
        (
            LayerFigures(
                "infra",
                statements=10,
                covered=10,
                changed_lines=4,
                mutants_detected=1,
                mutants_undetected=2,
                mutation_ran=True,
            ),
            {"mutation_score"},
        ),
        (
            LayerFigures(
                "infra",
                statements=10,
                covered=10,
                changed_lines=4,
                mutants_detected=1,
                mutants_undetected=1,
                mutation_ran=True,
            ),
            set(),
        ),
    ],
)
def test_rules_fail_exactly_when_below_threshold(figures: LayerFigures, failed: set[str]) -> None:
    verdict = evaluate_layer(figures, INFRA)
    assert {r.metric for r in verdict.rules if not r.passed} == failed
    assert verdict.passed is (not failed)


def test_every_rule_listed_with_actual_required_and_gap() -> None:
    figures = LayerFigures(
        "infra", statements=1000, covered=213, changed_lines=4, uncovered_changed_lines=2
    )
    rules = {r.metric: r for r in evaluate_layer(figures, INFRA).rules}
    assert (rules["coverage"].actual, rules["coverage"].required, rules["coverage"].gap) == (
        21.3,
        60,
        38.7,
    )
    assert (rules["diff_coverage"].actual, rules["diff_coverage"].gap) == (50.0, 30.0)
    assert rules["mutation_score"].actual is None
    assert rules["mutation_score"].passed and rules["mutation_score"].note


def test_zero_threshold_means_no_rule() -> None:
    layer = Layer("docs", ("docs/**",))
    assert evaluate_layer(LayerFigures("docs", statements=10, covered=0), layer).rules == ()


def test_one_layer_cannot_hide_behind_another() -> None:
    good = Layer("good", ("a/**",), min_diff_coverage=80)
    bad = Layer("bad", ("b/**",), min_diff_coverage=80)
    verdicts = evaluate(
        [
            LayerFigures("good", changed_lines=100, uncovered_changed_lines=0),
            LayerFigures("bad", changed_lines=2, uncovered_changed_lines=2),
        ],
        {"good": good, "bad": bad},
    )
    assert [v.passed for v in verdicts] == [True, False]


@pytest.mark.parametrize(
    ("lines", "text"),
    [([1, 2, 3, 7, 9, 10], "1-3, 7, 9-10"), ([], ""), ([5], "5"), ([3, 1, 2, 2], "1-3")],
)
def test_ranges(lines: list[int], text: str) -> None:
    assert ranges(lines) == text


@given(st.sets(st.integers(min_value=1, max_value=60)))
def test_ranges_names_each_line_once_in_maximal_runs(lines: set[int]) -> None:
    parts = [p.split("-") for p in ranges(lines).split(", ")]
    runs = [(int(p[0]), int(p[-1])) for p in parts if p != [""]]
    assert [n for a, b in runs for n in range(a, b + 1)] == sorted(lines)
    assert all(later[0] > earlier[1] + 1 for earlier, later in pairwise(runs))


def test_percent() -> None:
    assert percent(1, 3) == 33.3
    assert percent(0, 0) is None
