"""`qualitygate report`: the whole-repository test gap report, per layer; a gate in CI."""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable, Mapping
from typing import TextIO

from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode, UsageError
from qualitygate.report.model import Report
from qualitygate.reporters import LazyRenderers
from qualitygate.reporters.targets import (
    ReportTarget,
    target_parser,
    with_summary,
    write_reports,
)
from qualitygate.ui import ConsoleProgress

ReportRenderer = Callable[[Report, TextIO], None]

REPORT_FORMATS: Mapping[str, ReportRenderer] = LazyRenderers(
    "qualitygate.reporters.report",
    {f: f for f in ("terminal", "markdown", "issue", "html")} | {"json": "jsonreport"},
)


parse_target = target_parser(REPORT_FORMATS)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-run",
        action="store_true",
        help="static report from the code and the tests' imports; no test is run",
    )
    cli.add_test_run(
        p,
        coverage_help="use this .coverage data file (with test contexts for the full "
        "report) or Cobertura XML instead of running the tests",
        timeout_help="limit for the test run",
    )
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        type=parse_target,
        default=[],
        metavar="FORMAT",
        help=f"output format: {', '.join(REPORT_FORMATS)}",
    )
    cli.add_report(p, REPORT_FORMATS, "terminal on standard output", dest="formats")


def run(args: argparse.Namespace) -> int:
    if args.no_run and args.coverage_file is not None:
        raise UsageError(
            "--no-run and --coverage-file exclude each other",
            "drop --no-run to read the coverage file",
        )
    from qualitygate.report.pipeline import ReportOptions, run_report

    root = cli.repository(args)
    cfg = cli.load_config(args, root)
    options = ReportOptions(
        root=root,
        config=cfg,
        run_tests=not args.no_run,
        coverage_file=args.coverage_file,
        generated=datetime.datetime.now().isoformat(timespec="seconds"),
    )
    with ConsoleProgress(sys.stderr, quiet=args.quiet) as progress:
        report = run_report(options, progress)
    write_reports(
        report,
        with_summary(args.formats, args.quiet) or [ReportTarget("terminal", None)],
        sys.stdout,
        REPORT_FORMATS,
    )
    return ExitCode.PASSED if report.passed else ExitCode.GATE_FAILED
