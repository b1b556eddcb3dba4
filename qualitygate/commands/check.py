"""`qualitygate check`: gate the current change."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from qualitygate import config, git
from qualitygate.check import CheckOptions, run_check
from qualitygate.errors import ExitCode, UsageError
from qualitygate.reporters import REPORTERS
from qualitygate.reporting import ReportTarget, parse_report, write_reports
from qualitygate.shard import parse_shard
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
    p.add_argument("--staged", action="store_true", help="gate only the staged changes")
    p.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="config file (default: qualitygate.toml, else pyproject.toml)",
    )
    p.add_argument(
        "--coverage-file",
        type=Path,
        metavar="PATH",
        help="use this .coverage data file or Cobertura XML instead of running tests",
    )
    p.add_argument("--python", metavar="PATH", help="the project's interpreter for its tests")
    p.add_argument(
        "--report",
        action="append",
        type=parse_report,
        default=[],
        metavar="FORMAT[:PATH]",
        help=f"report format, repeatable: {', '.join(REPORTERS)} "
        "(default: terminal, plus github on GitHub Actions)",
    )
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
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="limit for each phase")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    for key in config.THRESHOLDS:
        flag = "--" + key.replace("_", "-")
        p.add_argument(
            flag, type=float, metavar="PCT", help=f"{key} for files in no declared layer"
        )


def load_config(args: argparse.Namespace, root: Path) -> config.Config:
    overrides = {key: getattr(args, key, None) for key in (*config.THRESHOLDS, "timeout")}
    overrides["python"] = args.python
    return config.load(root, args.config, overrides=overrides)


def default_reports() -> list[ReportTarget]:
    """The terminal report; on GitHub Actions also annotations and the step summary."""
    terminal = ReportTarget("terminal", None)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return [terminal, ReportTarget("github", None)]
    return [terminal]


def run(args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        raise UsageError(f"{args.directory} is not a folder", "check -C/--directory")
    root = git.repo_root(args.directory)
    cfg = load_config(args, root)
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
    )
    if args.workers:
        options = dataclasses.replace(options, workers=args.workers)
    with ConsoleProgress(sys.stderr, quiet=args.quiet) as progress:
        result = run_check(options, progress)
    targets: list[ReportTarget] = args.report or default_reports()
    write_reports(result, targets, sys.stdout, REPORTERS)
    return ExitCode.PASSED if result.passed else ExitCode.GATE_FAILED
