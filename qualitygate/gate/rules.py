"""The gate: figures plus thresholds in, one verdict per layer out. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qualitygate.model import LayerFigures, LayerVerdict, Rule
from qualitygate.project.config import Layer


def check_rule(metric: str, actual: float | None, required: float, why_absent: str = "") -> Rule:
    """A rule passes when its figure reaches the threshold, or when it does not apply."""
    if actual is None:
        return Rule(metric, None, required, True, why_absent or "does not apply")
    return Rule(metric, actual, required, actual >= required)


def budget_rule(metric: str, actual: float | None, most: float, why_absent: str = "") -> Rule:
    """A budget passes while its figure stays at or under it, or when it does not apply."""
    if actual is None:
        return Rule(metric, None, most, True, why_absent or "does not apply", at_most=True)
    return Rule(metric, actual, most, actual <= most, at_most=True)


ABSENT = {
    "coverage": "no statements",
    "diff_coverage": "no changed lines",
    "mutation_score": "no mutants on changed lines",
}


def skipped(mutation: bool, coverage: bool) -> dict[str, str]:
    """The metrics a run did not measure, with the reason its rules say."""
    off = {} if mutation else {"mutation_score": "mutation testing off"}
    if not coverage:
        off |= dict.fromkeys(("coverage", "diff_coverage"), "coverage not measured")
    return off


def evaluate_layer(
    figures: LayerFigures, layer: Layer, skipped: Mapping[str, str] | None = None
) -> LayerVerdict:
    """One rule per non-zero threshold, and one for a layer's budget of accepted mutants; a
    metric in `skipped` (metric -> why) passes as absent."""
    skipped = skipped or {}
    actual = {
        "coverage": figures.coverage,
        "diff_coverage": figures.diff_coverage,
        "mutation_score": figures.mutation_score,
    }
    required = {
        "coverage": layer.min_coverage,
        "diff_coverage": layer.min_diff_coverage,
        "mutation_score": layer.min_mutation_score,
    }
    rules = [
        check_rule(
            metric,
            None if metric in skipped else actual[metric],
            required[metric],
            skipped.get(metric, ABSENT[metric]),
        )
        for metric in ABSENT
        if required[metric] > 0
    ]
    if layer.max_accepted is not None:
        off = skipped.get("mutation_score") or ("" if figures.mutation_ran else "mutation not run")
        accepted = None if off else figures.mutants_accepted
        rules.append(budget_rule("accepted_mutants", accepted, layer.max_accepted, off))
    return LayerVerdict(figures, tuple(rules))


def evaluate(
    figures: Iterable[LayerFigures],
    layers: Mapping[str, Layer],
    skipped: Mapping[str, str] | None = None,
) -> tuple[LayerVerdict, ...]:
    """One verdict per layer, in the order the figures come."""
    return tuple(evaluate_layer(f, layers[f.name], skipped) for f in figures)
