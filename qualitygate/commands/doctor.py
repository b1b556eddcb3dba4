"""`qualitygate doctor`: does the project's interpreter have what the gate needs? With
--install, pip puts what is missing there (and only there)."""

from __future__ import annotations

import argparse

from qualitygate.adopt import interpreter
from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode, ToolError
from qualitygate.measure.gather import python_of


def add_arguments(p: argparse.ArgumentParser) -> None:
    cli.add_config(p)
    p.add_argument("--python", metavar="PATH", help="the project's interpreter for its tests")
    p.add_argument(
        "--install",
        action="store_true",
        help="pip install what is missing into the project's interpreter",
    )


def run(args: argparse.Namespace) -> int:
    root = cli.repository(args)
    cfg = cli.load_config(args, root)
    python = python_of(cfg)
    needs = interpreter.inspect(root, python, cfg)
    if args.install and not all(n.met for n in needs):
        interpreter.install(root, python, needs)
        needs = interpreter.inspect(root, python, cfg)
    print(f"qualitygate doctor: the tests run in {python}")
    for need in needs:
        state = "ok" if need.met else ("missing" if need.installed is None else "mismatch")
        have = need.installed or "-"
        print(f"  {need.requirement:<17} {have:<7} {state:<8} {need.why}")
    missing = [n for n in needs if not n.met]
    if missing:
        names = " ".join(f"'{n.requirement}'" for n in missing)
        raise ToolError(
            f"{python} lacks {', '.join(n.name for n in missing)}",
            f"run qualitygate doctor --install, or {python} -m pip install {names}",
        )
    print("Everything the gate needs is there.")
    return ExitCode.PASSED
