"""Run inside the project's interpreter (not qualitygate's): drive mutmut in one process.

One interpreter does both of qualitygate's mutmut steps, so mutmut and libcst
are imported once, while qualitygate is still copying the project:

    python mutmut_driver.py serve FD   in the project copy; commands on stdin,
                                       one JSON line each, replies on file descriptor FD:
      (on start)                        -> {"mutmut_version", "pytest_cov", "xdist"}
      {"probe": {path: [lines]}}        -> {"files": {path: generated}}: mutmut's mutants
                                           of those files, only on those lines
      {"run": [mutmut run arguments], "seed": {"tests": {key: [test ids]},
                                        "durations": {test id: seconds}} or null}
                                        -> none: the process becomes `mutmut run` and
                                           exits with its code; with a seed, mutmut takes
                                           it as its test statistics and runs its stats run
                                           over the seeded tests only
    python mutmut_driver.py probe REQUEST.json RESULT.json
                                        one-shot probe; REQUEST.json: {"files": {path:
                                        [lines]}} or {"files": [path, ...]} (every mutant)

The probe has mutmut generate the mutants with its own code, into mutants/
where `mutmut run` finds them (newer than the source, so it does not generate
them again), and reports them without running any test. "generated" also holds
the generated files' text, for qualitygate's cache.
Standard library and mutmut only: this file is copied out of the package and
executed on its own. `mutmut_adapter` and `mutmut_session` are its only readers.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

PREIMPORTED = ("libcst", "libcst.matchers", "mutmut.mutation.file_mutation", "click", "pytest")


def environment() -> dict[str, Any]:
    try:
        version: str | None = importlib.metadata.version("mutmut")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return {
        "mutmut_version": version,
        "pytest_cov": importlib.util.find_spec("pytest_cov") is not None,
        "xdist": importlib.util.find_spec("xdist") is not None,
    }


def _generated_functions(filename: str) -> dict[str, Any]:
    from mutmut.__main__ import create_file_mutants

    result = create_file_mutants(Path(filename))
    if result.error is not None:
        return {"mutated": False, "reason": f"mutmut cannot mutate the file ({result.error})"}
    if result.ignored:
        return {"mutated": False, "reason": "excluded by [tool.mutmut] do_not_mutate"}
    if any(isinstance(w, SyntaxWarning) for w in result.warnings):
        return {"mutated": False, "reason": "mutmut cannot parse the file"}
    generated = Path("mutants") / filename
    files = {
        suffix: Path(f"{generated}{suffix}").read_text(encoding="utf-8")
        for suffix in ("", ".meta", ".spans")
    }
    lines = files[""].splitlines(keepends=True)
    spans = json.loads(files[".spans"])["spans"]
    names = json.loads(files[".meta"])["exit_code_by_key"]

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
    return {
        "mutated": True,
        "reason": None,
        "functions": functions,
        "mutants": mutants,
        "generated": files,
    }


def probe(files: dict[str, list[int]] | list[str]) -> dict[str, Any]:
    """mutmut's mutants of `files`: with lines, only mutants of nodes starting on them."""
    from mutmut.state import state

    if isinstance(files, dict):  # mutmut's covered-lines filter
        state()._covered_lines = {
            str((Path("mutants") / name).absolute()): set(lines) for name, lines in files.items()
        }
    try:
        return {"files": {name: _generated_functions(name) for name in files}}
    finally:
        state()._covered_lines = None


def _reply(fd: int, value: dict[str, Any]) -> None:
    data = (json.dumps(value) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def _seeded(seed: dict[str, Any]) -> Any:
    """A stand-in for mutmut's collect_or_load_stats: the map from `seed`, then mutmut's
    own statistics run over the seeded tests only (not the whole suite). That run records
    mutmut's own hits and call times for them, and it is the run before the clean run, as
    in mutmut's own order: a test that fails when run a second time in one process (it
    changes shared state) still fails the clean run instead of killing every mutant.
    Its forced-fail check runs over the seeded tests too."""
    from mutmut import __main__ as mutmut_main
    from mutmut.state import state
    from mutmut.stats import save_stats

    def collect_or_load_stats(runner: Any, **options: Any) -> None:
        found = state()
        for key, tests in seed["tests"].items():
            found.tests_by_mangled_function_name[key] |= set(tests)
        for test, seconds in seed["durations"].items():
            found.duration_by_test[test] = float(seconds)
        found.stats_time = 0.0
        tests = sorted(seed["durations"])
        if tests:
            mutmut_main.run_stats_collection(runner, tests=tests)
            # The forced-fail check over the same tests, which call mutated functions, not
            # over the whole suite until one does (mutmut sets the "fail" mutant first).
            runner.run_forced_fail = lambda: runner.run_clean_tests(tests)
        else:
            save_stats()

    return collect_or_load_stats


def _run(arguments: list[str], seed: dict[str, Any] | None = None) -> None:
    import mutmut.__main__
    from mutmut.__main__ import cli

    if seed is not None and callable(getattr(mutmut.__main__, "collect_or_load_stats", None)):
        mutmut.__main__.collect_or_load_stats = _seeded(seed)
    sys.argv = ["mutmut", *arguments]
    cli()


def serve(fd: int) -> None:
    found = environment()
    _reply(fd, found)
    if found["mutmut_version"] is None:
        return
    for module in PREIMPORTED:  # while qualitygate copies the project; none reads its config
        __import__(module)
    for line in sys.stdin:
        command = json.loads(line)
        if "probe" in command:
            _reply(fd, probe(command["probe"]))
        elif "run" in command:
            os.close(fd)
            _run(command["run"], command.get("seed"))
            return


def main(argv: list[str]) -> None:
    if argv[0] == "serve":
        serve(int(argv[1]))
        return
    files = json.loads(Path(argv[1]).read_text(encoding="utf-8"))["files"]
    found = {**environment(), **probe(files)}
    Path(argv[2]).write_text(json.dumps(found), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
