"""The gap report as JSON: every figure, versioned. Percentages are 0-100, null when unknown."""

from __future__ import annotations

from typing import Any, TextIO

from qualitygate.report.model import (
    IMPORTED_ONLY,
    TESTED,
    UNTESTED,
    LayerReport,
    ModuleReport,
    Report,
)
from qualitygate.reporters.json_fields import dump, rule_dict, tool

FORMAT_VERSION = 1


def module_dict(m: ModuleReport) -> dict[str, Any]:
    return {
        "path": m.path,
        "layer": m.layer,
        "status": m.status,
        "priority": m.priority,
        "lines": m.lines,
        "statements": m.statements,
        "covered": m.covered,
        "tested_lines": m.tested_lines,
        "line_coverage": m.line_coverage,
        "tested_coverage": m.tested_coverage,
        "logic_statements": m.logic_statements,
        "missing_tests": m.missing_tests,
        "public_functions": list(m.public_functions),
        "unexercised": list(m.unexercised),
        "importing_tests": list(m.importing_tests),
        "running_tests": list(m.running_tests),
        "suggested_test": m.suggested_test,
        "suggested_test_exists": m.suggested_exists,
    }


def layer_dict(layer: LayerReport) -> dict[str, Any]:
    return {
        "name": layer.name,
        "paths": list(layer.paths),
        "passed": layer.passed,
        "modules": len(layer.modules),
        "test_files": len(layer.test_files),
        "tested": layer.count(TESTED),
        "imported_only": layer.count(IMPORTED_ONLY),
        "untested": layer.count(UNTESTED),
        "tested_files_ratio": layer.tested_files_ratio,
        "statements": layer.statements,
        "covered": layer.covered,
        "tested_lines": layer.tested_lines,
        "line_coverage": layer.line_coverage,
        "tested_coverage": layer.tested_coverage,
        "min_coverage": layer.min_coverage,
        "min_tested_files": layer.min_tested_files,
        "lines_to_cover": layer.lines_to_cover,
        "modules_to_test": layer.modules_to_test,
        "missing_tests": layer.missing_tests,
        "rules": [rule_dict(r) for r in layer.rules],
        "test_file_paths": list(layer.test_files),
        "files": [module_dict(m) for m in layer.modules],
    }


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "tool": tool(command="report"),
        "generated": report.generated,
        "passed": report.passed,
        "mode": report.mode,
        "coverage_source": report.coverage_source,
        "method": {"missing_tests": report.method, "priority": report.priority_rule},
        "totals": {
            "modules": len(report.modules),
            "test_files": report.test_files,
            "tested": sum(m.status == TESTED for m in report.modules),
            "missing_tests": report.missing_tests,
            "skipped_package_markers": report.skipped_markers,
        },
        "layers": [layer_dict(layer) for layer in report.layers],
    }


MODULE_LEVEL = 4  # report -> "layers" -> layer -> "files" -> a module, on one line


def render(report: Report, out: TextIO) -> None:
    dump(as_dict(report), out, flat_from=MODULE_LEVEL)
    out.write("\n")
