"""Figures per layer, summed from file coverage and per-file results. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from qualitygate.model import FileCoverage, FileResult, LayerFigures
from qualitygate.project.config import Config
from qualitygate.project.layers import layer_of


def layer_figures(
    config: Config,
    cov: Mapping[str, FileCoverage],
    files: Iterable[FileResult],
    mutation_ran: bool,
    coverage_on: bool = True,
) -> list[LayerFigures]:
    """Figures per layer, in declared order, then the catch-all layer when it has files."""
    totals: dict[str, dict[str, int]] = {
        layer.name: defaultdict(int) for layer in (*config.layers, config.other)
    }
    for fc in cov.values():
        t = totals[layer_of(fc.path, config).name]
        t["files"] += 1
        t["statements"] += len(fc.statements)
        t["covered"] += len(fc.executed)
    for f in files:
        t = totals[f.layer]
        t["changed_files"] += 1
        t["changed_lines"] += len(f.changed_lines)
        t["uncovered_changed_lines"] += len(f.uncovered_changed_lines)
        t["mutants_detected"] += f.mutants_detected
        t["mutants_undetected"] += f.mutants_undetected
        t["mutants_accepted"] += f.mutants_accepted
    figures = []
    for name, t in totals.items():
        if name == config.other.name and not t["files"] and not t["changed_files"]:
            continue
        layer = next(la for la in (*config.layers, config.other) if la.name == name)
        ran = mutation_ran and layer.min_mutation_score > 0 and t["changed_lines"] > 0
        figures.append(
            LayerFigures(name=name, mutation_ran=ran, coverage_measured=coverage_on, **t)
        )
    return figures
