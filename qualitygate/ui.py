"""Progress while the gate works: rich on a terminal, plain lines elsewhere (stderr)."""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.status import Status

from qualitygate.progress import Progress as PipelineProgress


def interactive(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class ConsoleProgress(PipelineProgress):
    """A spinner per stage and a bar for mutants on a terminal; one line per stage otherwise."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._quiet = quiet
        self._rich = interactive(self._stream)
        self._console = Console(file=self._stream)
        self._status: Status | None = None
        self._bar: Progress | None = None
        self._task = TaskID(0)
        self._last_plain = -1
        self._last_tests = 0
        self._tests_started: float | None = None

    def __enter__(self) -> ConsoleProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def stage(self, text: str) -> None:
        if self._quiet:
            return
        self._stop()
        if self._rich:
            self._status = self._console.status(text + "…")
            self._status.start()
        else:
            print(f"qualitygate: {text}", file=self._stream, flush=True)

    def tests(self, ran: int, collected: int) -> None:
        """'412/1,200 tests · 0:37' on a terminal; in plain text, a line each tenth."""
        if self._quiet or not collected:
            return
        if self._tests_started is None:
            self._tests_started = time.monotonic()
        elapsed = int(time.monotonic() - self._tests_started)
        text = f"{ran:,}/{collected:,} tests · {elapsed // 60}:{elapsed % 60:02d}"
        if self._rich:
            if self._status is not None:
                self._status.update(f"Running the tests under coverage: {text}")
            return
        step = max(1, collected // 10)
        if ran == collected or ran - self._last_tests >= step:
            self._last_tests = ran
            print(f"qualitygate: {text}", file=self._stream, flush=True)

    def mutants(self, done: int, total: int, killed: int, survived: int) -> None:
        if self._quiet:
            return
        text = f"killed {killed}, survived {survived}"
        if not self._rich:
            step = max(1, total // 10)
            if done != self._last_plain and (done == total or done - self._last_plain >= step):
                self._last_plain = done
                print(f"qualitygate: mutants {done}/{total}, {text}", file=self._stream, flush=True)
            return
        if self._bar is None:
            self._stop()
            self._bar = Progress(
                TextColumn("Mutants"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self._console,
            )
            self._bar.start()
            self._task = self._bar.add_task(text, total=total)
        self._bar.update(self._task, completed=done, total=total, description=text)
