"""`--report FORMAT[:PATH]`: which reporters to run and where their output goes."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from qualitygate.errors import UsageError
from qualitygate.model import CheckResult
from qualitygate.reporters import REPORTERS


@dataclass(frozen=True)
class ReportTarget:
    format: str
    path: Path | None  # None: standard output


def parse_report(value: str) -> ReportTarget:
    name, _, path = value.partition(":")
    if name not in REPORTERS:
        raise argparse.ArgumentTypeError(
            f"unknown report format '{name}' (known: {', '.join(REPORTERS)})"
        )
    return ReportTarget(name, Path(path) if path else None)


def write_reports(result: CheckResult, targets: Iterable[ReportTarget], stdout: TextIO) -> None:
    for target in targets:
        render = REPORTERS[target.format]
        if target.path is None:
            render(result, stdout)
            continue
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            with target.path.open("w", encoding="utf-8") as out:
                render(result, out)
        except OSError as exc:
            raise UsageError(
                f"cannot write the {target.format} report to {target.path}",
                exc.strerror or str(exc),
            ) from exc
