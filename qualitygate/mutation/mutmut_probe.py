"""Run inside the project's interpreter (not qualitygate's): have mutmut generate
the mutants of some files, and report them, without running any test.

Usage: python mutmut_probe.py REQUEST.json RESULT.json, in the project copy.
REQUEST.json: {"files": {path: [changed lines]}} (only mutants on those lines), or
{"files": [path, ...]} (every mutant of the files).
Standard library and mutmut only: this file is copied out of the package and
executed on its own. `mutmut_adapter` is the only reader of its output.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any


def _generated_functions(filename: str) -> dict[str, Any]:
    """Generate the file's mutants with mutmut's own code, into mutants/ where `mutmut run`
    finds them (newer than the source, so it does not generate them again)."""
    from mutmut.__main__ import create_file_mutants

    result = create_file_mutants(Path(filename))
    if result.error is not None:
        return {"mutated": False, "reason": f"mutmut cannot mutate the file ({result.error})"}
    if result.ignored:
        return {"mutated": False, "reason": "excluded by [tool.mutmut] do_not_mutate"}
    if any(isinstance(w, SyntaxWarning) for w in result.warnings):
        return {"mutated": False, "reason": "mutmut cannot parse the file"}
    generated = Path("mutants") / filename
    lines = generated.read_text(encoding="utf-8").splitlines(keepends=True)
    spans = json.loads(Path(f"{generated}.spans").read_text(encoding="utf-8"))["spans"]
    names = json.loads(Path(f"{generated}.meta").read_text(encoding="utf-8"))["exit_code_by_key"]

    def text(function: str) -> str:
        start, end = spans[function]
        return "".join(lines[start - 1 : end])

    functions: dict[str, str] = {}
    mutants: dict[str, list[str]] = {}
    for name in names:
        function = name.rpartition(".")[2]
        key = function.partition("__mutmut_")[0]
        functions.setdefault(key, text(key + "__mutmut_orig"))
        mutants[name] = [key, function, text(function)]
    return {"mutated": True, "reason": None, "functions": functions, "mutants": mutants}


def _only_on_lines(lines_by_file: dict[str, list[int]]) -> None:
    """Make mutmut mutate only nodes starting on these lines (its covered-lines filter)."""
    from mutmut.state import state

    state()._covered_lines = {
        str((Path("mutants") / name).absolute()): set(lines)
        for name, lines in lines_by_file.items()
    }


def main(request_path: str, result_path: str) -> None:
    import mutmut

    files = json.loads(Path(request_path).read_text(encoding="utf-8"))["files"]
    if files and isinstance(files, dict):
        _only_on_lines(files)
    result = {
        "mutmut_version": mutmut.__version__,
        "pytest_cov": importlib.util.find_spec("pytest_cov") is not None,
        "xdist": importlib.util.find_spec("xdist") is not None,
        "files": {name: _generated_functions(name) for name in files},
    }
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
