"""Reporters: each takes a result and a text stream. `--report FORMAT[:PATH]` picks them.

`check/` renders a check result, `report/` a report, one module per format; `wording`,
`json_fields` and `targets` serve both. May import `model`, `mutation.model`, `project`
and `report.model`, never a pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from qualitygate.model import CheckResult
from qualitygate.reporters.check import (
    github,
    jsonreport,
    junit,
    markdown,
    sarif,
    stryker,
    terminal,
)

Reporter = Callable[[CheckResult, TextIO], None]

REPORTERS: dict[str, Reporter] = {
    "terminal": terminal.render,
    "json": jsonreport.render,
    "markdown": markdown.render,
    "github": github.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "stryker": stryker.render,
}

__all__ = ["REPORTERS", "Reporter"]
