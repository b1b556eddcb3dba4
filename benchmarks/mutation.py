"""Benchmark: qualitygate's mutation stage against plain mutmut on the same change.

    python benchmarks/mutation.py

Builds a service-sized fixture project in a temporary git repository (12
modules of about 180 lines: 16 functions of 5 shapes and a class each, a test
per function and per class, some of them weak), changes one or two lines in
each of 5 functions across 2 files (10 lines) (and their tests, as a pull request would),
then runs and times, side by side and on the same machine in the same run:
  1. `mutmut run` over the changed files (what a user would otherwise run),
  2. `mutmut run` restricted to the changed functions (name globs),
  3. qualitygate's run_mutation with empty caches (cold), given the test map of
     the coverage run `check` makes first (so mutmut runs no statistics run),
  4. again with the mutants cached but no verdicts (as after a change of tests),
  5. again with nothing changed (warm).
It checks that every mutant qualitygate runs gets the same verdict from both
mutmut runs, and counts mutmut's mutants on changed lines that qualitygate
did not run. Takes about a minute on 2 cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualitygate.measure import coverage_data, testrun
from qualitygate.mutation import MutationOutcome, MutationRequest, mutmut_adapter, run_mutation
from qualitygate.mutation import runner as mutation_runner
from qualitygate.mutation.model import TestMap
from qualitygate.mutation.seed import test_map
from tests.fixtures import commit, git, make_repo

MODULES = (
    "pricing",
    "discounts",
    "tax",
    "stock",
    "orders",
    "payments",
    "shipping",
    "invoices",
    "customers",
    "loyalty",
    "returns",
    "reports",
)
FUNCTIONS_PER_MODULE = 16
CHANGED = {"pricing": (0, 2, 7), "orders": (1, 6)}  # module -> numbers of the changed functions
WORKERS = os.cpu_count() or 2
Verdicts = dict[tuple[str, int, str], str]

THRESHOLD = '''
def {name}(amount, limit, rate={k}):
    """Step {k} of the rules: scale, cap, floor."""
    total = amount * rate + {k}
    if total >= limit:
        total = total - limit // 2
    elif total < {k}:
        total = total + 1
    values = [total, amount, limit]
    return max(values) - min(values) + (1 if amount > {k} else 0)
'''
CAPPED_SUM = '''
def {name}(items, cap={k}):
    """Sum of the items, each capped, negatives skipped."""
    total = 0
    for item in items:
        if item < 0:
            continue
        total += min(item, cap)
    return total
'''
LABEL = '''
def {name}(code, default="n/a"):
    """The display label of a code, or the default."""
    table = {{"a": {k}, "b": {k} * 2, "c": {k} + 7}}
    value = table.get(code)
    if value is None:
        return default
    return f"{{code}}-{{value:03d}}"
'''
DISCOUNT = '''
def {name}(price, percent={k}):
    """The price after a percentage discount, to the cent."""
    if percent <= 0 or percent > 100:
        raise ValueError("percent out of range")
    discount = price * percent / 100
    return round(price - discount, 2)
'''
TIER = '''
def {name}(age, member, total):
    """The customer tier."""
    if member and total > {k} * 10:
        return "gold"
    if age >= 65 or total >= {k} * 5:
        return "silver"
    return "basic"
'''
# shape, the change a pull request makes to it, its test cases (argument tuples)
SHAPES: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]], ...] = (
    (
        THRESHOLD,
        (("rate + {k}\n", "rate + {k} - limit % 3\n"), (">= limit", "> limit")),
        ("(5, 10)", "(50, 40)", "(0, 3)"),
    ),
    (
        CAPPED_SUM,
        (("min(item, cap)", "min(item, cap + 1)"), ("item < 0", "item <= 0")),
        ("([1, 2, 3],)", "([{k}, {k} + 5, -1],)", "([],)"),
    ),
    (
        LABEL,
        (("if value is None:", "if not value:"), (":03d}", ":04d}")),
        ('("a",)', '("c",)', '("z",)'),
    ),
    (
        DISCOUNT,
        (("percent <= 0", "percent < 0"), ("/ 100", "/ 100.0")),
        ("(100,)", "(19.99, 50)", "(10, 101)"),
    ),
    (
        TIER,
        (("age >= 65", "age > 65"), ("total > {k} * 10", "total >= {k} * 10")),
        ("(30, True, 1000)", "(70, False, 0)", "(30, False, 1)"),
    ),
)
CLASS = '''

class {cls}Ledger:
    """Entries of the {module} ledger, with a limit."""

    def __init__(self, limit={k}):
        self.limit = limit
        self.entries = []

    def add(self, value):
        if len(self.entries) >= self.limit:
            return False
        self.entries.append(value)
        return True

    def balance(self):
        return sum(self.entries) - self.limit // 2

    def largest(self, count=2):
        return sorted(self.entries, reverse=True)[:count]
'''
CLASS_TEST = """

def test_{module}_ledger():
    ledger = {cls}Ledger(limit=3)
    assert ledger.add(5) and ledger.add(7) and ledger.add(1)
    assert not ledger.add(9)
    assert ledger.balance() == 12
    assert ledger.largest() == [7, 5]
"""


def module_source(module: str, changed: tuple[int, ...] = ()) -> str:
    parts = [f'"""The {module} rules of the shop service."""\n\nDEFAULT_LIMIT = 100\n']
    for number in range(FUNCTIONS_PER_MODULE):
        template, edits, _ = SHAPES[number % len(SHAPES)]
        k = str(number + 2)
        text = template.format(name=f"{module}_{number}", k=k)
        for old, new in edits if number in changed else ():
            text = text.replace(old.replace("{k}", k), new.replace("{k}", k), 1)
        parts.append("\n" + text)
    parts.append(CLASS.format(cls=module.capitalize(), module=module, k=10))
    return "".join(parts)


def test_source(module: str, source: str) -> str:
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # expected values, computed from the code under test
    parts = [f"import pytest\n\nfrom app.{module} import *  # noqa: F403\n"]
    for number in range(FUNCTIONS_PER_MODULE):
        name = f"{module}_{number}"
        cases = SHAPES[number % len(SHAPES)][2]
        cases = cases[:1] if number % 4 == 3 else cases  # some weak tests: survivors
        body = []
        for case in cases:
            args = eval(case.replace("{k}", str(number + 2)))
            try:
                body.append(f"    assert {name}{args!r} == {namespace[name](*args)!r}\n")
            except ValueError:
                body.append(f"    with pytest.raises(ValueError):\n        {name}{args!r}\n")
        parts.append(f"\n\ndef test_{name}():\n{''.join(body)}")
    parts.append(CLASS_TEST.format(module=module, cls=module.capitalize()))
    return "".join(parts)


def build(base: Path) -> tuple[Path, dict[str, frozenset[int]], list[str]]:
    files = {"app/__init__.py": "", "README.md": "fixture\n"}
    for module in MODULES:
        files[f"app/{module}.py"] = module_source(module)
        files[f"tests/test_{module}.py"] = test_source(module, module_source(module))
    root = make_repo(base / "repo", files)
    changed: dict[str, frozenset[int]] = {}
    globs = []
    for module, numbers in CHANGED.items():
        path = f"app/{module}.py"
        before = (root / path).read_text().splitlines()
        after = module_source(module, numbers)
        (root / path).write_text(after)
        (root / "tests" / f"test_{module}.py").write_text(test_source(module, after))
        changed[path] = frozenset(
            i + 1 for i, (a, b) in enumerate(zip(before, after.splitlines(), strict=True)) if a != b
        )
        globs += [f"app.{module}.x_{module}_{number}__mutmut_*" for number in numbers]
    commit(root, "change five functions")
    return root, changed, globs


def plain_mutmut(
    root: Path, work: Path, changed: list[str], names: list[str], python: str = sys.executable
) -> tuple[float, Verdicts]:
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(root, project, ignore=shutil.ignore_patterns(".git"))
    table = {
        "source_paths": ["app"],
        "only_mutate": changed,
        "pytest_add_cli_args_test_selection": ["tests"],
    }
    (project / "pyproject.toml").write_text(
        "[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())
    )
    command = [python, "-c", mutmut_adapter.RUN_MUTMUT, "run"]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--max-children", str(WORKERS), *names],
        cwd=project,
        check=True,
        capture_output=True,
        timeout=900,
    )
    elapsed = time.perf_counter() - started
    return elapsed, verdicts_by_place(project, changed, python)


def verdicts_by_place(project: Path, paths: list[str], python: str = sys.executable) -> Verdicts:
    """(path, line, diff) -> status of every mutant mutmut checked in `project`."""
    driver = Path(mutmut_adapter.__file__).with_name("mutmut_driver.py")
    request, result = project / "qg-request.json", project / "qg-result.json"
    request.write_text(json.dumps({"files": paths}))
    subprocess.run(
        [python, str(driver), "probe", str(request), str(result)],
        cwd=project,
        check=True,
        capture_output=True,
    )
    probed = json.loads(result.read_text())
    codes = mutmut_adapter.exit_codes(project, paths)
    found = {}
    for path in paths:
        source = (project / path).read_text()
        for spec in mutmut_adapter.file_mutants(path, source, probed["files"][path]).mutants:
            if codes.get(spec.name) is not None:
                found[(path, spec.line, spec.diff)] = mutmut_adapter.status_of(codes[spec.name])
    return found


PHASES = {  # the step that starts a phase -> the phase's name in the breakdown
    "Mutation: copying": "copy",
    "Mutation: starting": "mutmut start",
    "Mutation: generating": "generation",
    "Mutation: test statistics": "stats",
}


def timed(request: MutationRequest) -> tuple[float, MutationOutcome]:
    seconds, outcome, _ = timed_phases(request)
    return seconds, outcome


def measured_map(
    root: Path, changed: dict[str, frozenset[int]], python: str = sys.executable
) -> TestMap:
    """The test map of the coverage run `check` makes before its mutation stage (not timed
    here: `check` makes that run for the coverage figures anyway)."""
    run = testrun.run_tests(root, python, ("app",), ("tests",), 600)
    found = coverage_data.file_coverage(root, changed, run.measured)
    made = test_map(found.values(), run.durations)
    assert made is not None, "the coverage run recorded no per-test contexts or call times"
    return made


def timed_phases(request: MutationRequest) -> tuple[float, MutationOutcome, dict[str, float]]:
    """The mutation stage's time, and where it went: the workspace copy, mutmut's start,
    the generation of the mutants, mutmut's test statistics (until the first mutant's
    verdict), and the mutants themselves, from the stage's own steps. Progress is read
    every 20 ms here, not every 0.5 s, so the first verdict is seen when it lands."""
    marks: list[tuple[str, float]] = []

    def step(text: str) -> None:
        name = next((n for start, n in PHASES.items() if text.startswith(start)), None)
        if name:
            marks.append((name, time.perf_counter()))

    def progress(done: int, total: int, killed: int, survived: int) -> None:
        if done and not any(name == "mutants" for name, _ in marks):
            marks.append(("mutants", time.perf_counter()))

    poll, mutation_runner.POLL_SECONDS = mutation_runner.POLL_SECONDS, 0.02
    try:
        started = time.perf_counter()
        outcome = run_mutation(request, progress, steps=step)
        ended = time.perf_counter()
    finally:
        mutation_runner.POLL_SECONDS = poll
    phases: dict[str, float] = {}
    for (name, at), (_, until) in zip(marks, [*marks[1:], ("end", ended)], strict=True):
        phases[name] = phases.get(name, 0.0) + until - at
    return ended - started, outcome, phases


def agreement(outcome: MutationOutcome, full: Verdicts, scoped: Verdicts, changed: Any) -> int:
    """Print the verdict check; the number of disagreements."""
    mismatches = [
        m
        for m in outcome.mutants
        if full.get((m.path, m.line, m.diff)) != m.status
        or scoped.get((m.path, m.line, m.diff)) != m.status
    ]
    ours = {(m.path, m.line, m.diff) for m in outcome.mutants}
    missed = [k for k in full if k[1] in changed[k[0]] and k not in ours]
    survived = sum(m.status == "survived" for m in outcome.mutants)
    print(
        f"\n{len(outcome.mutants)} mutants on changed lines ({survived} survived); "
        f"same verdict from qualitygate and both mutmut runs: {'yes' if not mismatches else 'NO'}"
        f"\nmutmut's mutants on changed lines that qualitygate did not run: {len(missed)}"
    )
    for mutant in mismatches:
        print(
            f"  differs: {mutant.name} qualitygate={mutant.status} "
            f"mutmut={full.get((mutant.path, mutant.line, mutant.diff))}"
        )
    for path, line, diff in missed:
        print(f"  not run: {path}:{line} {diff!r}")
    return len(mismatches)


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="qualitygate-bench-"))
    try:
        root, changed, globs = build(base)
        lines = sum(len((root / "app" / f"{m}.py").read_text().splitlines()) for m in MODULES)
        tests = len(MODULES) * (FUNCTIONS_PER_MODULE + 1)
        print(
            f"fixture: {len(MODULES)} modules, {lines} lines, {tests} tests; "
            f"change: {sum(len(v) for v in CHANGED.values())} functions "
            f"({sum(len(v) for v in changed.values())} lines) in {len(CHANGED)} files; "
            f"workers: {WORKERS}"
        )
        full_time, full = plain_mutmut(root, base / "full", sorted(changed), [])
        scoped_time, scoped = plain_mutmut(root, base / "scoped", sorted(changed), globs)
        request = MutationRequest(
            root=root,
            changed_lines=changed,
            source=("app",),
            tests=("tests",),
            python=sys.executable,
            workers=WORKERS,
            timeout=600,
            cache_dir=base / "cache",
            test_map=measured_map(root, changed),
        )
        cold_time, cold = timed(request)
        (base / "cache" / "mutation-results.json").unlink()  # verdicts gone, mutants cached
        tests_time, tests_changed = timed(request)
        warm_time, warm = timed(request)
        rows = [
            ("mutmut run, changed files", len(full), full_time),
            ("mutmut run, changed functions", len(scoped), scoped_time),
            ("qualitygate, changed lines (cold)", cold.executed, cold_time),
            ("qualitygate (mutants cached, no verdicts)", tests_changed.executed, tests_time),
            ("qualitygate, changed lines (warm)", warm.executed, warm_time),
        ]
        print(f"\n{'run':42} {'mutants':>8} {'wall s':>8} {'speed-up':>9}")
        for label, count, seconds in rows:
            print(f"{label:42} {count:8d} {seconds:8.2f} {full_time / seconds:8.1f}x")
        mismatches = agreement(cold, full, scoped, changed)
        again = [(m.name, m.status) for m in tests_changed.mutants + warm.mutants]
        same = again == [(m.name, m.status) for m in cold.mutants + cold.mutants]
        print(f"the mutants-cached and warm runs give the same verdicts: {'yes' if same else 'NO'}")
        mismatches += not same
        assert git(root, "status", "--porcelain") == "", "the fixture's tree was changed"
        return 1 if mismatches else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
