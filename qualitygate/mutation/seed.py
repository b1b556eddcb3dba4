"""mutmut's test statistics from qualitygate's own coverage run, not from a second run.

`mutmut run` starts with a statistics run: the whole suite once more, with a
trampoline in every mutated function recording which tests call it, and each
test's call time (for the order and the time limit of the mutants' runs). The
full coverage run `check` has just made measured both: per-test contexts say
which tests ran each line, the plugin records each test's call time. So the
stage hands mutmut that map, and its statistics run covers only the tests in
it instead of the whole suite (see `mutmut_driver._seeded`).

A test calls a function exactly when it runs one of the function's body
statements, so a function's tests are the union of its body lines' tests. The
seed is refused (None: mutmut measures for itself, as before) wherever that
equality is not certain:
- there is no map (a selected run, `--coverage-file` data, `--mutation-only`);
- the user's [tool.mutmut] changes which tests run or which calls count;
- a function's body ran outside every test (at import time, in a subprocess):
  mutmut's trampoline would count that call, coverage cannot say whose it was;
- a test that reaches a function has no recorded call time;
- a test's id climbs out of the project (`../`: pytest's rootdir is above it, in a
  monorepo): mutmut runs pytest with its rootdir in the project's copy, so its own
  ids never match, and the seeded round would fail and run again unseeded.

Hand-written: mutmut has no API for statistics from elsewhere; the driver
puts this seed where its statistics run would have written its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qualitygate.model import FileCoverage
from qualitygate.mutation import mutmut_adapter, scope
from qualitygate.mutation.model import MutantSpec, TestMap

# [tool.mutmut] keys that change which tests mutmut runs, or which calls it counts.
SELECTION_KEYS = ("pytest_add_cli_args", "pytest_add_cli_args_test_selection", "tests_dir")
DEPTH_KEYS = ("max_stack_depth", "dependency_tracking_depth")


def test_map(files: Iterable[FileCoverage], durations: Mapping[str, float]) -> TestMap | None:
    """The map of a full run with per-test contexts over `files` (the changed files), and
    each test's call time; None when a file has no contexts or no time was recorded."""
    files = list(files)
    if not durations or not all(f.has_contexts for f in files):
        return None
    return TestMap(
        tests_by_line={f.path: f.tests_by_line for f in files},
        executed={f.path: f.executed for f in files},
        durations=durations,
    )


def _user_allows(user: Mapping[str, Any]) -> bool:
    if any(user.get(key) for key in SELECTION_KEYS):
        return False
    return all(user.get(key, -1) == -1 for key in DEPTH_KEYS)


def _function_tests(
    spec: MutantSpec, location: scope.FunctionLocation, test_map: TestMap
) -> frozenset[str] | None:
    """The tests that call the function of `spec`; None when coverage cannot tell."""
    first, last = location.body
    by_line = test_map.tests_by_line.get(spec.path, {})
    executed = test_map.executed.get(spec.path, frozenset())
    tests: set[str] = set()
    for line in range(first, last + 1):
        line_tests = by_line.get(line, frozenset())
        if line in executed and not line_tests:
            return None  # run, but by no test: at import time, or in another process
        tests |= line_tests
    return frozenset(tests)


def seed(
    specs: Sequence[MutantSpec],
    sources: Mapping[str, str],
    user: Mapping[str, Any],
    test_map: TestMap | None,
) -> dict[str, Any] | None:
    """The statistics mutmut would measure for the functions of `specs`:
    {"tests": {mangled key: [test ids]}, "durations": {test id: seconds}}, or None."""
    if test_map is None or not specs or not _user_allows(user):
        return None
    functions = {path: scope.functions_in(sources[path]) for path in {s.path for s in specs}}
    tests: dict[str, list[str]] = {}
    for spec in {s.function: s for s in specs}.values():  # one spec per function
        key = spec.function.rpartition(".")[2]
        location = functions[spec.path][mutmut_adapter.split_key(key)]
        found = _function_tests(spec, location, test_map)
        if found is None:
            return None
        if found:
            tests[spec.function] = sorted(found)
    used = {test for ids in tests.values() for test in ids}
    if not used <= test_map.durations.keys() or any(t.startswith("../") for t in used):
        return None
    return {"tests": tests, "durations": {test: test_map.durations[test] for test in sorted(used)}}


def without(found: dict[str, Any] | None, left_out: Sequence[str]) -> dict[str, Any] | None:
    """The seed with `left_out` tests taken out, as mutmut's own statistics run would not
    have run them; a function left with no test has none."""
    if found is None or not left_out:
        return found
    gone = set(left_out)
    tests = {
        key: kept
        for key, ids in found["tests"].items()
        if (kept := [t for t in ids if t not in gone])
    }
    used = {test for ids in tests.values() for test in ids}
    durations = {test: seconds for test, seconds in found["durations"].items() if test in used}
    return {"tests": tests, "durations": durations}
