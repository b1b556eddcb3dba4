"""`python -m qualitygate`, and the `qualitygate` console script (`console`)."""

from __future__ import annotations

import signal
import sys

from qualitygate.errors import ExitCode, on_sigterm


def console() -> int:
    """The signal handlers go in first, before the second of imports (rich, coverage,
    diff-cover): Ctrl-C or SIGTERM then, even when the parent ignored SIGINT, exits 130
    with one line, like one later in the run."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        from qualitygate.main import main
    except KeyboardInterrupt:
        print("qualitygate: interrupted; nothing in the repository was changed", file=sys.stderr)
        return ExitCode.INTERRUPTED
    return main()


if __name__ == "__main__":
    raise SystemExit(console())
