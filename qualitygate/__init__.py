"""qualitygate: gate every change on diff coverage and mutation testing, per layer."""

from __future__ import annotations

__version__ = "0.1.0"
