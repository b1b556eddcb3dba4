"""The mutation stage's one time budget: every child process gets what is left of it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from qualitygate.errors import ToolError

HANG_SHARE = 3  # a single test running longer than budget / HANG_SHARE is taken as hanging


@dataclass
class Budget:
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        """Seconds left; a ToolError once the budget is spent."""
        left = self.started + self.seconds - time.monotonic()
        if left <= 0:
            raise ToolError(
                f"mutation testing did not finish within {self.seconds:.0f} s",
                "raise the timeout (--timeout) or change fewer lines at once",
            )
        return left

    @property
    def hang_limit(self) -> float:
        """How long one test may run in a clean (unmutated) run before it counts as hanging."""
        return self.seconds / HANG_SHARE
