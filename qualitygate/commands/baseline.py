"""`qualitygate baseline`: record each layer's figures so they can only go up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qualitygate import ratchet
from qualitygate.check import CheckOptions, gather_coverage, layer_figures, source_files
from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode
from qualitygate.survey import ReportOptions, ratchet_figures, run_report
from qualitygate.ui import ConsoleProgress


def add_arguments(p: argparse.ArgumentParser) -> None:
    cli.add_test_run(
        p,
        coverage_help=".coverage data file with test contexts, instead of running the tests",
        timeout_help="limit for the test run",
    )
    p.add_argument(
        "--reset",
        action="store_true",
        help="record the figures as they are, drops included",
    )


def measure(root: Path, args: argparse.Namespace) -> ratchet.Baseline:
    """Every layer's figures, from one run of the tests under coverage."""
    cfg = cli.load_config(args, root)
    with ConsoleProgress(sys.stderr, quiet=args.quiet) as progress:
        options = CheckOptions(root=root, config=cfg, coverage_file=args.coverage_file)
        cov, source = gather_coverage(options, source_files(root, cfg), progress)
        report = run_report(ReportOptions(root=root, config=cfg), progress, (cov, source))
    layers: dict[str, dict[str, float]] = {}
    for figures in layer_figures(cfg, cov, (), mutation_ran=False):
        if figures.coverage is not None:
            layers.setdefault(figures.name, {})["coverage"] = figures.coverage
    for layer in report.layers:
        for metric, value in ratchet_figures(layer).items():
            if value is not None:
                layers.setdefault(layer.name, {})[metric] = value
    return ratchet.Baseline(layers)


def run(args: argparse.Namespace) -> int:
    root = cli.repository(args)
    path = root / cli.load_config(args, root).baseline
    old = ratchet.read(path)
    current = measure(root, args)
    new = current if args.reset else ratchet.raise_bar(old, current)
    ratchet.write(path, new)
    for name, figures in sorted(new.layers.items()):
        for metric, value in sorted(figures.items()):
            before = old.layers.get(name, {}).get(metric)
            now = current.layers[name][metric]
            change = "new" if before is None else f"was {before:.1f}"
            note = "" if now >= value else f", now {now:.1f}: kept"
            print(f"{name:<20} {metric:<16} {value:5.1f}  ({change}{note})")
    print(
        f"qualitygate: wrote {path.relative_to(root)}; commit it so check and report "
        "hold every layer to it"
    )
    return ExitCode.PASSED
