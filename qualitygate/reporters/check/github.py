"""GitHub Actions: workflow-command annotations on the gaps, and the step summary.

GitHub shows at most 10 error and 10 warning annotations per step, so this
writes the worst 10 of each (gaps in failing layers are errors, gaps in
passing layers warnings) and one notice saying how many it left out. The
markdown report is appended to `$GITHUB_STEP_SUMMARY` when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from qualitygate.model import CheckResult
from qualitygate.reporters.check import markdown
from qualitygate.reporters.check.findings import Finding, findings

SHOWN_PER_LEVEL = 10  # GitHub's per-step display limit for errors, and for warnings
DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
PROPERTY_ESCAPES = {**DATA_ESCAPES, ":": "%3A", ",": "%2C"}


def escape_data(text: str) -> str:
    """A command's message: GitHub unescapes %25, %0D and %0A."""
    return "".join(DATA_ESCAPES.get(c, c) for c in text)


def escape_property(text: str) -> str:
    """A property value (file, title): also ':' and ',' that would end it."""
    return "".join(PROPERTY_ESCAPES.get(c, c) for c in text)


def command(name: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    return command(
        "error" if finding.failing else "warning",
        finding.message,
        file=finding.path,
        line=finding.start,
        endLine=finding.end,
        title=f"qualitygate: {finding.title}",
    )


def workflow_commands(result: CheckResult) -> list[str]:
    """The worst findings of each level GitHub shows, then a notice for the rest."""
    found = findings(result)
    errors = [f for f in found if f.failing]
    warnings = [f for f in found if not f.failing]
    shown = errors[:SHOWN_PER_LEVEL] + warnings[:SHOWN_PER_LEVEL]
    lines = [annotation(f) for f in shown]
    if result.mutation_note:
        lines.append(command("notice", result.mutation_note, title="qualitygate"))
    left_out = len(found) - len(shown)
    if left_out:
        lines.append(
            command(
                "notice",
                f"{left_out} more gap{'s' * (left_out != 1)} not annotated "
                "(GitHub shows 10 per level); the step summary and --report markdown list all.",
                title="qualitygate",
            )
        )
    return lines


def append_step_summary(result: CheckResult, path: str) -> str | None:
    """Append the markdown report; return the problem instead of failing the report."""
    try:
        with Path(path).open("a", encoding="utf-8") as out:
            markdown.render(result, out)
    except OSError as exc:
        return f"cannot write the step summary to {path}: {exc.strerror or exc}"
    return None


def render(result: CheckResult, out: TextIO) -> None:
    lines = workflow_commands(result)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    problem = append_step_summary(result, summary_file) if summary_file else None
    if problem:
        lines.append(command("warning", problem, title="qualitygate"))
    out.write("".join(line + "\n" for line in lines))
