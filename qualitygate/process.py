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
import time
from collections.abc import Callable, Mapping, Sequence
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


POLL = 0.25  # seconds between two calls of while_waiting


def _communicate(
    proc: subprocess.Popen[bytes], timeout: float | None, while_waiting: Callable[[], None] | None
) -> tuple[bytes, bytes]:
    """proc.communicate, waking every POLL seconds to call `while_waiting` (communicate may
    be called again after its timeout: the output read so far is kept)."""
    if while_waiting is None:
        return proc.communicate(timeout=timeout)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise subprocess.TimeoutExpired(proc.args, timeout or 0)
        try:
            return proc.communicate(timeout=POLL if left is None else min(POLL, left))
        except subprocess.TimeoutExpired:
            if deadline is not None and time.monotonic() >= deadline:
                raise
            while_waiting()


def run(
    args: Sequence[str],
    *,
    cwd: Path,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    what: str = "",
    while_waiting: Callable[[], None] | None = None,
) -> Completed:
    """Run `args` in `cwd`; kill its whole process group on timeout or interrupt.
    `while_waiting` is called about every POLL seconds until it ends (for progress)."""
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
        out, err = _communicate(proc, timeout, while_waiting)
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
