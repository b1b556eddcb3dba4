"""Run a child command in its own process group, bounded by a timeout.

Every tool qualitygate drives (pytest under coverage, mutmut) runs through
`run`: on a timeout, Ctrl-C or SIGTERM the whole group is killed, so no
worker of the child outlives the gate. With `--verbose` (`echo_to`), each
command and everything it printed is copied to a stream as it ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from qualitygate.errors import ToolError

_echo: list[TextIO] = []  # the --verbose stream, set once by the command line


def echo_to(stream: TextIO | None) -> None:
    """Copy every command and its output to `stream` (None: stop)."""
    _echo[:] = [stream] if stream is not None else []


def echo(args: Sequence[str], output: str) -> None:
    """Show a finished command and what it printed, when --verbose asked for it."""
    for stream in _echo:
        stream.write(f"$ {' '.join(args)}\n{output.rstrip()}\n")
        stream.flush()


@dataclass(frozen=True)
class Completed:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class Timeout(ToolError):
    pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run(
    args: Sequence[str],
    *,
    cwd: Path,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    what: str = "",
) -> Completed:
    """Run `args` in `cwd`; kill its whole process group on timeout or interrupt."""
    name = what or Path(args[0]).name
    try:
        proc = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ToolError(f"{name}: {args[0]} not found", "install it or fix the path") from exc
    except OSError as exc:  # not executable, a folder, a broken interpreter line
        raise ToolError(
            f"{name}: cannot run {args[0]} ({exc.strerror or exc})",
            "point it at an executable interpreter",
        ) from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise Timeout(
            f"{name} did not finish within {timeout:.0f} s and was stopped",
            "a test may hang; raise the timeout with --timeout or fix the test",
        ) from None
    except BaseException:
        _kill_group(proc)
        raise
    # decoded here: text mode would turn a CR (in a file name git lists with -z) into \n
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    echo(args, stdout + stderr)
    return Completed(tuple(args), proc.returncode, stdout, stderr)
