"""Options every command that runs the project's tests shares, defined once."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from qualitygate.errors import UsageError
from qualitygate.project import config, git
from qualitygate.reporters.targets import target_parser


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="config file (default: qualitygate.toml, else pyproject.toml)",
    )


def add_test_run(p: argparse.ArgumentParser, coverage_help: str, timeout_help: str) -> None:
    """--config, --coverage-file, --python, --timeout and -q."""
    add_config(p)
    p.add_argument("--coverage-file", type=Path, metavar="PATH", help=coverage_help)
    p.add_argument("--python", metavar="PATH", help="the project's interpreter for its tests")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help=timeout_help)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show every command qualitygate runs and the tools' own output (stderr)",
    )


def add_report(
    p: argparse.ArgumentParser, formats: Mapping[str, object], default: str, dest: str = "report"
) -> None:
    p.add_argument(
        "--report",
        dest=dest,
        action="append",
        type=target_parser(formats),
        default=[],
        metavar="FORMAT[:PATH]",
        help=f"report format, repeatable: {', '.join(formats)} (default: {default})",
    )


def repository(args: argparse.Namespace) -> Path:
    """The project's folder that -C/--directory (default: here) points into: the nearest
    holding the config or a Python project file, up to the repository's root. Every path
    qualitygate reports is relative to it, and pytest runs there."""
    if not args.directory.is_dir():
        raise UsageError(f"{args.directory} is not a folder", "check -C/--directory")
    return config.project_root(args.directory, git.repo_root(args.directory))


def load_config(args: argparse.Namespace, root: Path) -> config.Config:
    """The config with the command's flags on top (those it has)."""
    keys = (*config.THRESHOLDS, "timeout", "python")
    overrides = {key: getattr(args, key, None) for key in keys}
    return config.load(root, getattr(args, "config", None), overrides=overrides)
