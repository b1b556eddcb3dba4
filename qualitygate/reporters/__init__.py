"""Reporters: each takes a result and a text stream. `--report FORMAT[:PATH]` picks them.

`check/` renders a check result, `report/` a report, one module per format; `wording`,
`json_fields` and `targets` serve both. May import `model`, `mutation.model`, `project`
and `report.model`, never a pipeline.

A format's module is imported when its report is written, not when the command line is
read: the commit hook writes one format and should not load rich for seven.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TextIO, TypeVar

from qualitygate.model import CheckResult

Reporter = Callable[[CheckResult, TextIO], None]
Result = TypeVar("Result")

MODULES = {
    "terminal": "terminal",
    "json": "jsonreport",
    "markdown": "markdown",
    "github": "github",
    "junit": "junit",
    "sarif": "sarif",
    "stryker": "stryker",
    "html": "html",  # commands pass the repository, to show the changed files' source
}


class LazyRenderers(Mapping[str, Callable[[Result, TextIO], None]]):
    """Format name -> `render` of its module in `package`, imported on first use."""

    def __init__(
        self,
        package: str,
        modules: Mapping[str, str],
        overrides: Mapping[str, Callable[[Result, TextIO], None]] | None = None,
    ) -> None:
        self._package, self._modules = package, dict(modules)
        self._overrides = dict(overrides or {})

    def __getitem__(self, name: str) -> Callable[[Result, TextIO], None]:
        if name in self._overrides:
            return self._overrides[name]
        module = importlib.import_module(f"{self._package}.{self._modules[name]}")
        render: Callable[[Result, TextIO], None] = module.render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


REPORTERS: Mapping[str, Reporter] = LazyRenderers("qualitygate.reporters.check", MODULES)


def reporters_in(root: Path) -> Mapping[str, Reporter]:
    """The reporters for a repository: the HTML page reads the changed files from it."""

    def html(result: CheckResult, out: TextIO) -> None:
        from qualitygate.reporters.check import html

        html.render(result, out, root=root)

    return LazyRenderers("qualitygate.reporters.check", MODULES, {"html": html})


__all__ = ["REPORTERS", "LazyRenderers", "Reporter", "reporters_in"]
