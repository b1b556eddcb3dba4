"""Reporters: each takes a result and a text stream. `--report FORMAT[:PATH]` picks them.

`check/` renders a check result, `report/` a report, one module per format; `wording`,
`json_fields` and `targets` serve both. May import `model`, `mutation.model`, `project`
and `report.model`, never a pipeline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from qualitygate.model import CheckResult
from qualitygate.reporters.check import (
    github,
    html,
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
    "html": html.render,  # commands pass the repository, to show the changed files' source
}

def reporters_in(root: Path) -> dict[str, Reporter]:
    """The reporters for a repository: the HTML page reads the changed files from it."""
    return {**REPORTERS, "html": functools.partial(html.render, root=root)}


__all__ = ["REPORTERS", "Reporter", "reporters_in"]
