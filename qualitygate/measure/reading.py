"""A coverage data file read in a forked process while the gate does other work.

The module imports nothing of coverage.py, expat or the data model: the fork imports
them when the read starts. `check` starts it before it imports its pipeline, so the
read runs beside those imports, the config's loading and git's commands."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualitygate.errors import QualityGateError, ToolError, UsageError

if TYPE_CHECKING:
    from qualitygate.measure.coverage_data import Measured


def read_in_background(path: Path) -> Callable[[], dict[str, Measured]]:
    """Start read_data_file(path) in a forked process; return what waits for it and gives
    its result or raises its error. Started before the change is read, the read runs
    beside git's commands and the work on their output (0.2 s of a 2,000-file change,
    whose 600k lines take 0.55 s to read). Not a thread: expat's callbacks hold the GIL,
    and the waits for git then queued behind them (no time saved). The process is a
    daemon: a run that finds nothing to gate exits without waiting for it."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return partial(_read_now, path)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    reader = context.Process(
        target=_read_into, args=(path, send), name="qualitygate-read-coverage", daemon=True
    )
    reader.start()
    send.close()

    def taken() -> dict[str, Measured]:
        try:
            kind, value = receive.recv()
        except EOFError:  # killed, or out of memory
            reader.join()
            raise ToolError(
                f"reading {path} stopped: its reader exited with {reader.exitcode}",
                "run again; if it stops again, check the machine's free memory",
            ) from None
        finally:
            receive.close()
        reader.join()
        if kind == "error":
            raise value
        found: dict[str, Measured] = value
        return found

    return taken


def _read_into(path: Path, send: Any) -> None:
    """In the reader: read_data_file(path) or its error, through `send`. The error goes
    as a plain UsageError or ToolError with its message and hint (any exception pickles,
    not every one comes back: ConfigError's constructor takes other arguments)."""
    from qualitygate.measure import coverage_data

    coverage_data._leave_signals()
    try:
        answer: tuple[str, Any] = ("found", coverage_data.read_data_file(path))
    except QualityGateError as exc:
        kind = UsageError if isinstance(exc, UsageError) else ToolError
        answer = ("error", kind(exc.message, exc.hint))
    except Exception as exc:  # a fault of the reader's own: never a pass
        answer = ("error", ToolError(f"reading {path} failed ({type(exc).__name__}: {exc})"))
    send.send(answer)
    send.close()


def _read_now(path: Path) -> dict[str, Measured]:
    from qualitygate.measure import coverage_data

    return coverage_data.read_data_file(path)
