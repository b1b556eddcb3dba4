"""The gate: figures plus thresholds in, one verdict per layer out. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from qualitygate.config import Layer
from qualitygate.model import LayerFigures, LayerVerdict, Rule


def check_rule(metric: str, actual: float | None, required: float, why_absent: str = "") -> Rule:
    """A rule passes when its figure reaches the threshold, or when it does not apply."""
    if actual is None:
        return Rule(metric, None, required, True, why_absent or "does not apply")
    return Rule(metric, actual, required, actual >= required)


def evaluate_layer(figures: LayerFigures, layer: Layer, mutation_on: bool = True) -> LayerVerdict:
    rules: list[Rule] = []
    if layer.min_coverage > 0:
        rules.append(check_rule("coverage", figures.coverage, layer.min_coverage, "no statements"))
    if layer.min_diff_coverage > 0:
        rules.append(
            check_rule(
                "diff_coverage", figures.diff_coverage, layer.min_diff_coverage, "no changed lines"
            )
        )
    if layer.min_mutation_score > 0:
        note = "no mutants on changed lines" if mutation_on else "mutation testing off"
        rules.append(
            check_rule("mutation_score", figures.mutation_score, layer.min_mutation_score, note)
        )
    return LayerVerdict(figures, tuple(rules))


def evaluate(
    figures: Iterable[LayerFigures], layers: dict[str, Layer], mutation_on: bool = True
) -> tuple[LayerVerdict, ...]:
    """One verdict per layer, in the order the figures come."""
    return tuple(evaluate_layer(f, layers[f.name], mutation_on) for f in figures)
