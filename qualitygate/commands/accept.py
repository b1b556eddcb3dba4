"""`qualitygate accept`: settle a surviving mutant once, in a committed file, with a reason."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from qualitygate.commands import options as cli
from qualitygate.errors import ExitCode, UsageError
from qualitygate.mutation import accepted
from qualitygate.mutation.model import Mark
from qualitygate.project import git

AT_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    cli.add_config(p)
    p.add_argument(
        "mutants",
        nargs="+",
        metavar="MUTANT",
        help="a survivor of the last check: its name (from --report json) or FILE:LINE "
        "for every survivor on that line",
    )
    p.add_argument(
        "--reason",
        required=True,
        help="why no test should kill it (equivalent, unreachable...): reviewers read it",
    )


def _matches(target: str, survivors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = [s for s in survivors if s["name"] == target]
    if by_name:
        return by_name
    at = AT_LINE.match(target)
    if at is None:
        return []
    file, line = Path(at["file"]).as_posix().removeprefix("./"), int(at["line"])
    return [s for s in survivors if s["file"] == file and s["line"] == line]


def _still_there(root: Path, survivor: dict[str, Any]) -> bool:
    """The survivor's function has the code the last check mutation-tested."""
    try:
        source = (root / survivor["file"]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return bool(accepted.functions_code(source).get(survivor["function"]) == survivor["code"])


def marks_for(root: Path, targets: list[str], reason: str) -> list[Mark]:
    folder = git.git_dir(root) / "qualitygate" / "mutation"
    survivors = accepted.recorded(folder)
    if not survivors:
        raise UsageError(
            "no surviving mutant is recorded",
            "run qualitygate check (without --no-cache, which records nothing) first, then accept",
        )
    marks = []
    for target in targets:
        found = _matches(target, survivors)
        if not found:
            shown = ", ".join(f"{s['file']}:{s['line']}" for s in survivors[:5])
            raise UsageError(
                f"{target}: not a survivor of the last check", f"its survivors: {shown}"
            )
        for s in found:
            if not _still_there(root, s):
                raise UsageError(
                    f"{s['file']}: {s['function']} changed since the last check",
                    "run qualitygate check again, then accept",
                )
            marks.append(Mark(s["file"], s["function"], s["mutation"], reason, s["code"]))
    return marks


def run(args: argparse.Namespace) -> int:
    root = cli.repository(args)
    cfg = cli.load_config(args, root)
    reason = " ".join(args.reason.split())
    if not reason:
        raise UsageError("--reason is empty", "say why no test should kill the mutant")
    marks = marks_for(root, args.mutants, reason)
    path = root / cfg.accepted
    new = accepted.append(path, marks)
    for mark in marks:
        change = " / ".join(line.strip() for line in mark.mutation.splitlines())
        print(f"accepted {mark.file} {mark.function}: {change}")
    known = len(marks) - new
    again = f" ({known} already there)" if known else ""
    print(
        f"qualitygate: wrote {new} mark{'s' * (new != 1)} to {cfg.accepted}{again}; "
        "commit it: reviewers see every accepted mutant there"
    )
    return ExitCode.PASSED
