"""`python -m qualitygate`, and the `qualitygate` console script (`console`)."""

from __future__ import annotations

import signal

from qualitygate.errors import interrupted, on_sigterm


def console() -> int:
    """The signal handlers go in first, before the second of imports (rich, coverage,
    diff-cover): Ctrl-C or SIGTERM then, even when the parent ignored SIGINT, exits 130
    with one line, like one later in the run. The `try` holds the installation itself
    too: a signal can land while `signal.signal` returns, once the handler is in, and
    in the moment between the imports and `main`'s own `try`."""
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, on_sigterm)
        from qualitygate.main import main

        return main()
    except KeyboardInterrupt:
        return interrupted()


if __name__ == "__main__":
    raise SystemExit(console())
