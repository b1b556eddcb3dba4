"""A coverage data file read in forked processes while the gate does other work.

`check` starts the read before it imports its pipeline, so the read runs beside those
imports, the config's loading and git's commands. The reading code is imported here,
before the fork: the gate needs it anyway, and two readers importing it each cost
80 ms of the 2 cores. coverage.py too, when the file is its data rather than a Cobertura
report, which expat alone reads."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from qualitygate.errors import QualityGateError, ToolError, UsageError
from qualitygate.measure import coverage_data
from qualitygate.measure.coverage_data import Measured

# A Cobertura report this big is read in two processes at once (each half by expat): at
# 600k lines, 0.5 s alone. The parent holds the report's bytes until both are forked.
SPLIT_FROM = 4 << 20
SPLIT_UP_TO = 512 << 20


def read_in_background(path: Path) -> Callable[[], dict[str, Measured]]:
    """Start read_data_file(path) in forked processes; return what waits for them and
    gives the result or raises the error. Started before the change is read, the read
    runs beside git's commands and the work on their output (0.2 s of a 2,000-file
    change). Not a thread: expat's callbacks hold the GIL, and the waits for git then
    queued behind them (no time saved). The processes are daemons: a run that finds
    nothing to gate exits without waiting for them.

    A big Cobertura report is cut at a <class> near its middle and each part read in a
    process of its own (`split_point`, `_split`)."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return partial(coverage_data.read_data_file, path)
    data = _big_report(path)
    if data is None and not _xml_file(path):
        import coverage  # noqa: F401  (imported once, here, not in the reader: 0.1 s)
    cut = split_point(data) if data is not None else None
    if data is not None and cut is not None:
        first = _start(_read_part, path, data, cut, True)
        second = _start(_read_part, path, data, cut, False)
        del data  # the parts are the children's now
        return partial(_split, path, first, second)
    return partial(_taken, path, _start(_read_into, path))


Started = tuple[Any, Any]  # a reader process, the end of its pipe the answer comes through


def _start(target: Callable[..., None], path: Path, *args: Any) -> Started:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    reader = context.Process(
        target=target, args=(path, send, *args), name="qualitygate-read-coverage", daemon=True
    )
    reader.start()
    send.close()
    return reader, receive


def _answer(path: Path, started: Started) -> tuple[str, Any]:
    reader, receive = started
    try:
        answer: tuple[str, Any] = receive.recv()
    except EOFError:  # killed, or out of memory
        reader.join()
        raise ToolError(
            f"reading {path} stopped: its reader exited with {reader.exitcode}",
            "run again; if it stops again, check the machine's free memory",
        ) from None
    finally:
        receive.close()
    reader.join()
    return answer


def _taken(path: Path, started: Started) -> dict[str, Measured]:
    kind, value = _answer(path, started)
    if kind == "error":
        raise value
    found: dict[str, Measured] = value
    return found


def _split(path: Path, first: Started, second: Started) -> dict[str, Measured]:
    return combined(path, _answer(path, first), _answer(path, second))


def combined(path: Path, first: tuple[str, Any], second: tuple[str, Any]) -> dict[str, Measured]:
    """The report from the answers of its two parts (`part`); read whole here when they
    do not make it up (the cut inside a comment, a DTD the second part lacks: reports
    coverage.py never writes). The first part's error is the report's; the second's
    counts once the first holds."""
    if first[0] == "error":
        raise first[1]
    sources, lines, at_class = first[1]
    if not at_class or second[0] == "whole":
        return coverage_data.read_cobertura(path)
    if second[0] == "error":
        raise second[1]
    return coverage_data.merged_halves((sources, lines), second[1])


def _big_report(path: Path) -> bytes | None:
    """The bytes of a Cobertura report big enough to read in two; else None (read whole,
    as read_data_file reads it, with its errors)."""
    try:
        if not SPLIT_FROM <= path.stat().st_size <= SPLIT_UP_TO:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return data if coverage_data.is_xml(data) else None


def _xml_file(path: Path) -> bool:
    try:
        return coverage_data.is_xml(coverage_data.data_file_head(path))
    except UsageError:
        return False  # the reader says why


def split_point(data: bytes) -> int | None:
    """Where to cut a report: the first `<class ` from its middle, in one with no DTD
    (its entities and attribute defaults would be lost on the second part). None when
    there is none; whether the cut holds is checked by the reads (`_split`)."""
    cut = data.find(b"<class ", len(data) // 2)
    if cut < 0 or b"<!DOCTYPE" in data[:cut]:
        return None
    return cut


def part(path: Path, data: bytes, cut: int, first: bool) -> tuple[str, Any]:
    """One part of a report cut in two; the second answers "whole" when it cannot be
    read on its own."""
    if first:
        return "found", coverage_data.read_cobertura_first(path, data, cut)
    found = coverage_data.read_cobertura_second(path, data, cut)
    return ("whole", None) if found is None else ("found", found)


def _read_part(path: Path, send: Any, data: bytes, cut: int, first: bool) -> None:
    _answer_through(send, path, partial(part, path, data, cut, first))


def _read_into(path: Path, send: Any) -> None:
    """In the reader: read_data_file(path), or its error."""
    _answer_through(send, path, lambda: ("found", coverage_data.read_data_file(path)))


def _answer_through(send: Any, path: Path, work: Callable[[], tuple[str, Any]]) -> None:
    """work()'s answer through `send`, or its error as a plain UsageError or ToolError
    with its message and hint (any exception pickles, not every one comes back:
    ConfigError's constructor takes other arguments)."""
    coverage_data._leave_signals()
    try:
        answer = work()
    except QualityGateError as exc:
        kind = UsageError if isinstance(exc, UsageError) else ToolError
        answer = ("error", kind(exc.message, exc.hint))
    except Exception as exc:  # a fault of the reader's own: never a pass
        answer = ("error", ToolError(f"reading {path} failed ({type(exc).__name__}: {exc})"))
    send.send(answer)
    send.close()
