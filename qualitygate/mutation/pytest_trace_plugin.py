"""A pytest plugin loaded with `-p qualitygate_trace` in mutmut's and qualitygate's runs.

It appends one line per event to the file named by QUALITYGATE_TRACE, flushed
at once, so that a run that was stopped still tells which test was running:
    start <nodeid>
    fail <nodeid>
    done <nodeid>
    hang <nodeid>
    forced <nodeid>   (a failure in mutmut's forced-fail run, where all must fail)
With QUALITYGATE_HANG_LIMIT=SECONDS, a test still running after that long is
taken as hanging: "hang" is traced and the whole process group (the run, which
qualitygate started in a group of its own) is killed.
Runs of one mutant (inside mutmut's workers) are not traced: mutmut times them.
Standard library only: it is copied out of the package and imported by the
project's own pytest.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

_watchdog: list[threading.Timer] = []


def _active() -> bool:
    return "QUALITYGATE_TRACE" in os.environ and "__mutmut_" not in os.environ.get(
        "MUTANT_UNDER_TEST", ""
    )


def _trace(event: str, nodeid: str) -> None:
    with open(os.environ["QUALITYGATE_TRACE"], "a", encoding="utf-8") as trace:
        trace.write(f"{event} {nodeid}\n")


def _hung(nodeid: str) -> None:
    _trace("hang", nodeid)
    os.killpg(0, signal.SIGKILL)


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    if not _active():
        return
    _trace("start", nodeid)
    limit = os.environ.get("QUALITYGATE_HANG_LIMIT")
    if limit:
        timer = threading.Timer(float(limit), _hung, args=(nodeid,))
        timer.daemon = True
        timer.start()
        _watchdog.append(timer)


def pytest_runtest_logreport(report: Any) -> None:
    if report.failed and _active():
        # in mutmut's forced-fail run every test must fail: that is no finding
        forced = os.environ.get("MUTANT_UNDER_TEST") == "fail"
        _trace("forced" if forced else "fail", report.nodeid)


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    while _watchdog:
        _watchdog.pop().cancel()
    if _active():
        _trace("done", nodeid)
