"""Command line: parse argv, dispatch to a command, turn errors into exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from qualitygate import __version__, process
from qualitygate.errors import ExitCode, QualityGateError, interrupted, on_sigterm

# name -> (help, module in qualitygate.commands with add_arguments(parser) and run(args)).
# A command's module is imported only when that command runs (or --help lists them all):
# the commit hook should not load what `init` or `report` need.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("gate the current change on diff coverage and mutation testing, per layer", "check"),
    "init": ("propose layers from the repository's folders and write [tool.qualitygate]", "init"),
    "report": (
        "report every layer's test gaps: modules untested or only imported, tests missing",
        "report",
    ),
    "baseline": (
        "record each layer's figures in a committed file that check and report hold them to",
        "baseline",
    ),
    "accept": (
        "mark a surviving mutant of the last check as accepted, with a reason, in a committed file",
        "accept",
    ),
    "doctor": (
        "check that the project's interpreter has pytest, coverage and mutmut; --install adds them",
        "doctor",
    ),
    "merge": (
        "merge the JSON parts of a sharded check into one verdict and render any report",
        "merge",
    ),
}


def command(name: str) -> ModuleType:
    return importlib.import_module(f"qualitygate.commands.{COMMANDS[name][1]}")


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `only`, the options of that command alone are defined (the
    others keep their name and help), so only its module is imported."""
    top = argparse.ArgumentParser(
        prog="qualitygate",
        description="Gate every change on diff coverage and mutation testing, per layer.",
        epilog="exit codes: 0 passed, 1 gate failed, 2 usage or config error, "
        "3 a tool broke (git, pytest, coverage, mutmut), 130 interrupted",
    )
    top.add_argument("--version", action="version", version=f"qualitygate {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, _) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument(
            "-C",
            "--directory",
            type=Path,
            default=Path.cwd(),
            help="the repository to work in (default: the current folder)",
        )
        if only is None or name == only:
            command(name).add_arguments(cmd)
    return top


MAX_CAUSE = 300  # characters: an error is one line a person reads, not a tool's dump


def one_line(text: str, limit: int = MAX_CAUSE) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error(message: str) -> None:
    print(f"qualitygate: error: {message}", file=sys.stderr)


def _failure(exc: QualityGateError) -> str:
    """The cause in one line, shortened if a tool gave pages of it; the hint in full."""
    cause = one_line(exc.message)
    return f"{cause}: {one_line(exc.hint, 10 * MAX_CAUSE)}" if exc.hint else cause


def main(argv: Sequence[str] | None = None) -> int:
    # Ctrl-C must always stop the gate cleanly, even when a parent (a CI runner, a shell
    # script's background job) started it with SIGINT ignored; and from the first import
    # of the command's module on, which the parser does.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        given = list(sys.argv[1:] if argv is None else argv)
        named = next((a for a in given if not a.startswith("-")), None)
        args = parser(named if named in COMMANDS else "").parse_args(given)
        if args.command is None:
            parser("").print_help()
            return ExitCode.USAGE_ERROR
        process.echo_to(sys.stderr if getattr(args, "verbose", False) else None)
        code: int = command(args.command).run(args)
        return code
    except QualityGateError as exc:
        _error(_failure(exc))
        return exc.exit_code
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as shells do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    except KeyboardInterrupt:  # the person asked for it: not an error
        return interrupted()
    except Exception as exc:  # an internal error must never look like a pass
        traceback.print_exc()
        _error(f"internal error: {exc!r}; please report it with the traceback above")
        return ExitCode.INTERNAL_ERROR
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
