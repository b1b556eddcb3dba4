"""Progress on stderr: plain lines when not on a terminal, at most one a tenth of the way."""

from __future__ import annotations

import io

from qualitygate.ui import ConsoleProgress


def test_the_test_run_is_counted_in_plain_lines() -> None:
    out = io.StringIO()
    with ConsoleProgress(out) as progress:
        progress.stage("Running the tests under coverage")
        for ran in range(0, 1201, 7):
            progress.tests(ran, 1200)
        progress.tests(1200, 1200)
    lines = out.getvalue().splitlines()
    assert lines[0] == "qualitygate: Running the tests under coverage"
    counted = lines[1:]
    assert 9 <= len(counted) <= 12  # about one line a tenth, never one a test
    assert counted[-1] == "qualitygate: 1,200/1,200 tests · 0:00"
    assert counted[0].startswith("qualitygate: 12") and counted[0].endswith("/1,200 tests · 0:00")


def test_quiet_says_nothing() -> None:
    out = io.StringIO()
    with ConsoleProgress(out, quiet=True) as progress:
        progress.stage("x")
        progress.tests(1, 2)
    assert out.getvalue() == ""
