"""The mutation-testing-report-schema JSON (schema version 1), for the Stryker viewers.

`mutation-testing-elements` and the Stryker dashboard read it. A report sees
only the result, not the working tree, so each file's `source` holds the
lines the mutants change, at their line numbers, and blank lines between:
enough for the viewer to place and show every mutant.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from collections.abc import Iterable
from typing import Any, TextIO

from qualitygate import __version__
from qualitygate.model import CheckResult, FileResult
from qualitygate.mutation.model import Mutant
from qualitygate.reporters.check.findings import Span, span

STATUS = {
    "killed": "Killed",
    "survived": "Survived",
    "timeout": "Timeout",
    "no_tests": "NoCoverage",
    "suspicious": "Survived",  # undetected, as qualitygate counts it
    "skipped": "Ignored",
    "accepted": "Ignored",
}
DEFAULT_THRESHOLDS = {"high": 80, "low": 60}


def mutator_name(changed: Span) -> str:
    """A coarse category from what the mutant replaced (mutmut does not name its operators)."""
    if len(changed.original) != 1:
        return "StatementMutation"
    punctuation = " ()[]{},:;"
    old = changed.original[0][changed.start_column - 1 : changed.end_column - 1].strip(punctuation)
    new = changed.replacement.strip(punctuation)
    for test, name in (
        (lambda t: t[:1] in ("'", '"') or t[-1:] in ("'", '"'), "StringLiteral"),
        (lambda t: t in ("True", "False"), "BooleanLiteral"),
        (lambda t: t == "None", "NoneValue"),
        (lambda t: t.replace(".", "", 1).isdigit(), "NumberLiteral"),
        (keyword.iskeyword, "KeywordReplacement"),
        (lambda t: bool(re.fullmatch(r"[-+*/%<>=!&|^~@]+", t)), "OperatorMutation"),
    ):
        if test(old) or test(new):
            return name
    return "ExpressionReplacement"


def location(m: Mutant, changed: Span) -> dict[str, dict[str, int]]:
    if len(changed.original) == 1:
        start, end = changed.start_column, changed.end_column
        return {"start": {"line": m.line, "column": start}, "end": {"line": m.line, "column": end}}
    last = m.line + max(len(changed.original), 1) - 1
    end_column = len(changed.original[-1]) + 1 if changed.original else 1
    return {"start": {"line": m.line, "column": 1}, "end": {"line": last, "column": end_column}}


def mutant_dict(m: Mutant) -> dict[str, Any]:
    changed = span(m.diff)
    out: dict[str, Any] = {
        "id": m.name,
        "mutatorName": mutator_name(changed),
        "replacement": changed.replacement,
        "location": location(m, changed),
        "status": STATUS.get(m.status, "Pending"),
        "coveredBy": list(m.tests),
        "static": False,
    }
    if m.status == "suspicious":
        out["statusReason"] = "mutmut: suspicious (the tests slowed down without failing)"
    return out


def sparse_source(mutants: Iterable[Mutant]) -> str:
    """The original lines the mutants change, placed at their line numbers."""
    known: dict[int, str] = {}
    for m in mutants:
        for offset, text in enumerate(span(m.diff).original):
            known.setdefault(m.line + offset, text)
    last = max(known, default=0)
    return "".join(known.get(line, "") + "\n" for line in range(1, last + 1))


def file_dict(file: FileResult) -> dict[str, Any]:
    return {
        "language": "python",
        "source": sparse_source(file.mutants),
        "mutants": [mutant_dict(m) for m in file.mutants],
    }


def tests_by_file(files: Iterable[FileResult]) -> dict[str, Any]:
    """Tests named by mutants, by file: `tests/test_x.py::test_y` under `tests/test_x.py`."""
    by_file: dict[str, set[str]] = {}
    for f in files:
        for test in (t for m in f.mutants for t in m.tests):
            by_file.setdefault(test.partition("::")[0], set()).add(test)
    return {
        path: {"tests": [{"id": t, "name": t.partition("::")[2] or t} for t in sorted(ids)]}
        for path, ids in sorted(by_file.items())
    }


def thresholds(result: CheckResult) -> dict[str, int]:
    """Stryker's high/low from the layers' mutation-score targets."""
    required = [
        r.required for layer in result.layers for r in layer.rules if r.metric == "mutation_score"
    ]
    if not required:
        return DEFAULT_THRESHOLDS
    return {"high": min(100, math.ceil(max(required))), "low": max(0, math.floor(min(required)))}


def as_dict(result: CheckResult) -> dict[str, Any]:
    mutated = [f for f in result.files if f.mutants]
    return {
        "$schema": "https://git.io/mutation-testing-schema",
        "schemaVersion": "1",
        "thresholds": thresholds(result),
        "files": {f.path: file_dict(f) for f in mutated},
        "testFiles": tests_by_file(mutated),
        "framework": {"name": "qualitygate (mutmut)", "version": __version__},
    }


def render(result: CheckResult, out: TextIO) -> None:
    json.dump(as_dict(result), out, indent=2, ensure_ascii=False)
    out.write("\n")
