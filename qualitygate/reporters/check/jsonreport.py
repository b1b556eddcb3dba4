"""The JSON report: the machine contract for CI scripts. Versioned; percentages 0-100."""

from __future__ import annotations

import json
from typing import Any, TextIO

from qualitygate.model import CheckResult, FileResult, LayerVerdict
from qualitygate.reporters.json_fields import rule_dict, tool

FORMAT_VERSION = 1


def layer_dict(layer: LayerVerdict) -> dict[str, Any]:
    f = layer.figures
    return {
        "name": f.name,
        "passed": layer.passed,
        "files": f.files,
        "statements": f.statements,
        "covered": f.covered,
        "coverage": f.coverage,
        "changed_files": f.changed_files,
        "changed_lines": f.changed_lines,
        "uncovered_changed_lines": f.uncovered_changed_lines,
        "diff_coverage": f.diff_coverage,
        "mutation_score": f.mutation_score,
        "mutants_detected": f.mutants_detected,
        "mutants_undetected": f.mutants_undetected,
        "mutants_accepted": f.mutants_accepted,
        "rules": [rule_dict(r) for r in layer.rules],
    }


def file_dict(f: FileResult) -> dict[str, Any]:
    return {
        "path": f.path,
        "layer": f.layer,
        "status": f.status,
        "old_path": f.old_path,
        "measured": f.measured,
        "changed_lines": list(f.changed_lines),
        "uncovered_changed_lines": list(f.uncovered_changed_lines),
        "nearby_tests": list(f.nearby_tests),
        "mutants": [
            {
                "line": m.line,
                "status": m.status,
                "diff": m.diff,
                "tests": list(m.tests),
                "name": m.name,
                "cached": m.cached,  # the verdict came from .git/qualitygate, not a run
                "hint": m.hint or None,
                "reason": m.reason or None,  # an accepted mutant's reason
            }
            for m in f.mutants
        ],
        "not_mutation_testable": [{"line": n.line, "reason": n.reason} for n in f.not_testable],
        "source": {str(line): text for line, text in f.source},  # uncovered lines' code
    }


def shard_dict(shard: tuple[int, int] | None) -> dict[str, int] | None:
    return None if shard is None else {"index": shard[0], "count": shard[1]}


def selection_dict(result: CheckResult) -> dict[str, Any] | None:
    """Which tests ran: null when none ran under coverage (data given, --mutation-only)."""
    chosen = result.selection
    if chosen is None:
        return None
    return {
        "selected": chosen.selected,
        "ran": chosen.ran,
        "of": chosen.total,
        "reason": chosen.reason or None,
    }


def as_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "tool": tool(),
        "passed": result.passed,
        "base": result.base,
        "head": result.head,
        "coverage_source": result.coverage_source,
        "mutation": result.mutation,
        "mutation_note": result.mutation_note or None,
        "mutants_executed": result.mutants_executed,
        "excluded_tests": list(result.excluded_tests),
        "test_selection": selection_dict(result),
        "arid_mutants": dict(result.arid_mutants),
        "expired_marks": [
            {
                "file": e.mark.file,
                "function": e.mark.function,
                "mutation": e.mark.mutation,
                "reason": e.mark.reason,
                "why": e.why,
            }
            for e in result.expired_marks
        ],
        "shard": shard_dict(result.shard),
        "layers": [layer_dict(layer) for layer in result.layers],
        "files": [file_dict(f) for f in result.files],
    }


def render(result: CheckResult, out: TextIO) -> None:
    json.dump(as_dict(result), out, indent=2)
    out.write("\n")
