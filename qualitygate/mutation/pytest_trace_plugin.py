"""A pytest plugin loaded with `-p qualitygate_trace` in diagnosis runs.

It appends one line per event to the file named by QUALITYGATE_TRACE, flushed
at once, so that a run killed on timeout still tells which test was running:
    start <nodeid>
    fail <nodeid>
    done <nodeid>
Standard library only: it is copied out of the package and imported by the
project's own pytest.
"""

from __future__ import annotations

import os
from typing import Any


def _trace(event: str, nodeid: str) -> None:
    with open(os.environ["QUALITYGATE_TRACE"], "a", encoding="utf-8") as trace:
        trace.write(f"{event} {nodeid}\n")


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    _trace("start", nodeid)


def pytest_runtest_logreport(report: Any) -> None:
    if report.failed:
        _trace("fail", report.nodeid)


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _trace("done", nodeid)
