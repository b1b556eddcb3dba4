"""`qualitygate check`: gate the current change."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from qualitygate.check.shard import parse_shard
from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode, UsageError
from qualitygate.measure.reading import read_in_background
from qualitygate.project import config
from qualitygate.reporters import REPORTERS, reporters_in
from qualitygate.reporters.targets import ReportTarget, with_summary, write_reports
from qualitygate.ui import ConsoleProgress


def shard_arg(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--base",
        metavar="REF",
        help="compare against REF (default: config base, "
        "else the merge base with the default branch)",
    )
    p.add_argument(
        "--staged",
        action="store_true",
        help="gate only the staged changes (runs the tests stored coverage selects)",
    )
    selecting = p.add_mutually_exclusive_group()
    selecting.add_argument(
        "--select",
        action="store_true",
        help="run only the tests that stored coverage says reach the change",
    )
    selecting.add_argument(
        "--full-suite", action="store_true", help="run the whole suite, even with --staged"
    )
    cli.add_test_run(
        p,
        coverage_help="use this .coverage data file or Cobertura XML instead of running tests",
        timeout_help="limit for each phase",
    )
    cli.add_report(p, REPORTERS, "terminal, plus github on GitHub Actions")
    only = p.add_mutually_exclusive_group()
    only.add_argument("--no-mutation", action="store_true", help="coverage gate only")
    only.add_argument(
        "--mutation-only", action="store_true", help="mutation testing only, no coverage run"
    )
    p.add_argument(
        "--shard",
        type=shard_arg,
        metavar="K/N",
        help="mutation-test only part K of N (merge the parts' JSON with qualitygate merge)",
    )
    p.add_argument("--workers", type=int, metavar="N", help="parallel mutation workers")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="trust nothing stored: run every mutant and the whole suite (for required checks)",
    )
    p.add_argument(
        "--keep-workspace",
        action="store_true",
        help="keep the copy mutmut ran in, and print its path (to see why it failed)",
    )
    for key in config.THRESHOLDS:
        flag = "--" + key.replace("_", "-")
        p.add_argument(
            flag, type=float, metavar="PCT", help=f"{key} for files in no declared layer"
        )


def default_reports() -> list[ReportTarget]:
    """The terminal report; on GitHub Actions also annotations and the step summary."""
    terminal = ReportTarget("terminal", None)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return [terminal, ReportTarget("github", None)]
    return [terminal]


def run(args: argparse.Namespace) -> int:
    # A data file is read in a fork from here on, beside the pipeline's imports (0.1 s)
    # and git's commands, which it does not need.
    reading = None
    if args.coverage_file is not None and not args.mutation_only:
        reading = read_in_background(args.coverage_file)
    from qualitygate.check.pipeline import CheckOptions, run_check

    root = cli.repository(args)
    cfg = cli.load_config(args, root)
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    options = CheckOptions(
        root=root,
        config=cfg,
        base=args.base,
        staged=args.staged,
        coverage_file=args.coverage_file,
        mutation=not args.no_mutation,
        coverage=not args.mutation_only,
        shard=args.shard,
        keep_workspace=args.keep_workspace,
        use_cache=not args.no_cache,
        select=(args.staged or args.select) and not args.full_suite,
    )
    if args.workers:
        options = dataclasses.replace(options, workers=args.workers)
    with ConsoleProgress(sys.stderr, quiet=args.quiet) as progress:
        result = run_check(options, progress, reading)
    targets = with_summary(args.report, args.quiet) or default_reports()
    write_reports(result, targets, sys.stdout, reporters_in(root))
    return ExitCode.PASSED if result.passed else ExitCode.GATE_FAILED
