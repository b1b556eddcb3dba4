"""`qualitygate merge PART...`: one verdict from the JSON parts of a sharded check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qualitygate.check.merge import merge, read_part
from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode
from qualitygate.reporters import REPORTERS, reporters_in
from qualitygate.reporters.targets import ReportTarget, write_reports


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "parts",
        nargs="+",
        type=Path,
        metavar="PART",
        help="JSON reports of check --shard K/N --report json:PATH, one per part",
    )
    cli.add_report(p, REPORTERS, "terminal")


def run(args: argparse.Namespace) -> int:
    result = merge([(str(path), read_part(path)) for path in args.parts])
    targets: list[ReportTarget] = args.report or [ReportTarget("terminal", None)]
    write_reports(result, targets, sys.stdout, reporters_in(args.directory))
    return ExitCode.PASSED if result.passed else ExitCode.GATE_FAILED
