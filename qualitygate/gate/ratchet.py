"""The ratchet: each layer may not drop below the figures it once reached.

`qualitygate baseline` records every layer's figures in a small committed JSON file;
`check` and `report` then add one rule per recorded figure, so a layer at 21% can climb to
its 60% target without failing every build on day one, but can never slide back. Running
`baseline` again raises the bar where figures improved and never lowers it (unless
`--reset`). Reading, merging and judging are pure; only `read` and `write` touch a file.

    {"version": 1,
     "layers": {"infrastructure": {"coverage": 21.3, "tested_files": 29.0}}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qualitygate.errors import UsageError
from qualitygate.gate.rules import check_rule
from qualitygate.model import Rule

VERSION = 1
SUFFIX = "_baseline"
CHECK = ("coverage",)  # measured by check, the way check measures it
REPORT = ("tested_coverage", "tested_files")  # measured by report from a test run
METRICS = (*CHECK, *REPORT)


@dataclass(frozen=True)
class Baseline:
    layers: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


def read(path: Path) -> Baseline:
    """The recorded baseline; an empty one when the file does not exist."""
    if not path.exists():
        return Baseline()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"{path}: not a readable baseline ({exc})",
            "restore it from git or write it anew with qualitygate baseline",
        ) from exc
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise UsageError(
            f"{path}: version: expected {VERSION}", "write it with qualitygate baseline"
        )
    layers = data.get("layers")
    if not isinstance(layers, dict):
        raise UsageError(f"{path}: layers: expected a table of layers")
    result: dict[str, dict[str, float]] = {}
    for name, figures in layers.items():
        if not isinstance(figures, dict):
            raise UsageError(f"{path}: layers.{name}: expected metric: number pairs")
        for metric, value in figures.items():
            ok = (
                metric in METRICS and isinstance(value, int | float) and not isinstance(value, bool)
            )
            if not ok or not 0 <= value <= 100:
                raise UsageError(
                    f"{path}: layers.{name}.{metric}: expected one of "
                    f"{', '.join(METRICS)} with a number from 0 to 100"
                )
        result[name] = {m: float(v) for m, v in figures.items()}
    return Baseline(result)


def write(path: Path, baseline: Baseline) -> None:
    data = {
        "version": VERSION,
        "layers": {
            name: dict(sorted(figures.items())) for name, figures in sorted(baseline.layers.items())
        },
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def raise_bar(old: Baseline, current: Baseline) -> Baseline:
    """Each figure the higher of recorded and current; layers no longer declared drop out."""
    layers = {}
    for name, figures in current.layers.items():
        before = old.layers.get(name, {})
        layers[name] = {m: max(v, before.get(m, v)) for m, v in figures.items()}
    return Baseline(layers)


def rules(layer: str, actual: Mapping[str, float | None], baseline: Baseline) -> tuple[Rule, ...]:
    """One rule per recorded figure this run measured: not below the baseline."""
    recorded = baseline.layers.get(layer, {})
    return tuple(
        check_rule(metric + SUFFIX, actual[metric], recorded[metric], "not measured in this run")
        for metric in METRICS
        if metric in recorded and metric in actual
    )
