"""`--report FORMAT[:PATH]`: which reporters to run and where their output goes.

Shared by every command: each passes its own table of format names to renderers.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

from qualitygate.errors import UsageError

Result = TypeVar("Result")

# Formats that write a folder, and the page inside it.
FOLDER_FORMATS = {"html": "index.html"}


@dataclass(frozen=True)
class ReportTarget:
    format: str
    path: Path | None  # None: standard output


def target_parser(formats: Mapping[str, object]) -> Callable[[str], ReportTarget]:
    """An argparse `type=` for FORMAT[:PATH] that knows `formats`."""

    def parse(value: str) -> ReportTarget:
        name, _, path = value.partition(":")
        if name not in formats:
            raise argparse.ArgumentTypeError(
                f"unknown report format '{name}' (known: {', '.join(formats)})"
            )
        if name in FOLDER_FORMATS and not path:
            raise argparse.ArgumentTypeError(f"{name} writes a folder: give it, as {name}:DIR")
        return ReportTarget(name, Path(path) if path else None)

    return parse


def with_summary(targets: list[ReportTarget], quiet: bool) -> list[ReportTarget]:
    """The reports asked for, and the terminal summary too when every one of them goes to
    a file: writing JSON for a script must not leave the person at the terminal with
    nothing to read (-q does)."""
    if targets and not quiet and all(t.path is not None for t in targets):
        return [ReportTarget("terminal", None), *targets]
    return targets


def write_reports(
    result: Result,
    targets: Iterable[ReportTarget],
    stdout: TextIO,
    formats: Mapping[str, Callable[[Result, TextIO], None]],
) -> None:
    for target in targets:
        render = formats[target.format]
        if target.path is None:
            render(result, stdout)
            continue
        page = FOLDER_FORMATS.get(target.format)
        path = target.path / page if page else target.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as out:
                render(result, out)
        except OSError as exc:
            raise UsageError(
                f"cannot write the {target.format} report to {target.path}",
                exc.strerror or str(exc),
            ) from exc
