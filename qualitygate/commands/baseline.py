"""`qualitygate baseline`: record each layer's figures so they can only go up."""

from __future__ import annotations

import argparse
import sys

from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode
from qualitygate.gate import ratchet
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


def run(args: argparse.Namespace) -> int:
    from qualitygate.report.pipeline import measure_baseline  # only this command needs it

    root = cli.repository(args)
    cfg = cli.load_config(args, root)
    path = root / cfg.baseline
    old = ratchet.read(path)
    with ConsoleProgress(sys.stderr, quiet=args.quiet) as progress:
        current = measure_baseline(root, cfg, args.coverage_file, progress)
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
