"""Exit codes and the one exception tree.

    QualityGateError          any failure that stops the gate; never a pass
    ├── UsageError            exit 2: bad flags, refs, paths
    │   └── ConfigError       exit 2: bad config (names file and key)
    └── ToolError             exit 3: git, pytest, coverage or mutmut broke
        └── TestsFailedError  exit 3: the test suite itself is red

`main` turns each into one line on stderr and its exit code. Anything else
that escapes is an internal error and also exits non-zero.
"""

from __future__ import annotations

import enum
import sys


class ExitCode(enum.IntEnum):
    PASSED = 0
    GATE_FAILED = 1
    USAGE_ERROR = 2
    TOOL_ERROR = 3
    INTERNAL_ERROR = 4
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # 128 + SIGPIPE: the output's reader went away


class QualityGateError(Exception):
    exit_code = ExitCode.INTERNAL_ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}: {self.hint}" if self.hint else self.message


class UsageError(QualityGateError):
    exit_code = ExitCode.USAGE_ERROR


class ConfigError(UsageError):
    def __init__(self, path: str, key: str, problem: str) -> None:
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key


class ToolError(QualityGateError):
    exit_code = ExitCode.TOOL_ERROR


class TestsFailedError(ToolError):
    __test__ = False  # not a pytest test class

    def __init__(
        self,
        failed: list[str],
        detail: str = "",
        hint: str = "fix the tests first; a red suite gives no coverage verdict",
    ) -> None:
        shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
        message = (
            f"the test suite failed ({len(failed)} failing: {shown})"
            if failed
            else ("the test suite failed" + (f" ({detail})" if detail else ""))
        )
        super().__init__(message, hint)
        self.failed = failed


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every cleanup runs."""


def on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def interrupted() -> int:
    """Say that the person stopped the run (not an error), and give its exit code."""
    print("qualitygate: interrupted; nothing in the repository was changed", file=sys.stderr)
    return ExitCode.INTERRUPTED
