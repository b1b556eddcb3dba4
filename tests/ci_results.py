"""Check results built directly, for the CI report formats' fast tests.

`result()` is a failing change with uncovered lines and undetected mutants in
a failing layer and a passing one. `hostile()` is the same shape with names,
paths, tests and diffs made of markdown, XML and workflow-command
metacharacters, which no format may let break out of its place.
"""

from __future__ import annotations

from qualitygate.model import CheckResult, FileResult, LayerFigures, LayerVerdict, Rule
from qualitygate.mutation.model import Mutant, NotTestable

BAD_PATH = "app/a|b%0A.py"
INJECTING_PATH = "app/<x>&`q`,y:z\n::error file=pwned.py::injected\r.py"
BAD_LAYER = "infra|<b>&`x`"
BAD_TEST = "tests/test_x.py::test_`a`|<b>&%0A"
BAD_DIFF = "-    return '```' + '</details>' + '%0A'\n+    return '' + '</details>' + '%0A'"


def mutant(
    path: str,
    line: int,
    status: str = "survived",
    diff: str = "-    return a + b\n+    return a - b",
    tests: tuple[str, ...] = ("tests/test_calc.py::test_add",),
) -> Mutant:
    return Mutant(path, line, status, diff, tests, f"{path}__mutmut_{line}_{status}")


def layer(name: str, *rules: Rule, changed: int = 4, uncovered: int = 2) -> LayerVerdict:
    figures = LayerFigures(
        name,
        files=2,
        statements=20,
        covered=9,
        changed_files=1,
        changed_lines=changed,
        uncovered_changed_lines=uncovered,
        mutants_detected=1,
        mutants_undetected=2,
        mutation_ran=True,
    )
    return LayerVerdict(figures, rules)


def result(
    db: str = "infrastructure",
    store: str = "app/db/store.py",
    cache: str = "app/db/cache.py",
    test: str = "tests/test_store.py::test_save_ok",
    diff: str = "-    if len(rows) > limit:\n+    if len(rows) >= limit:",
) -> CheckResult:
    failing = layer(
        db,
        Rule("coverage", 45.0, 50, False),
        Rule("diff_coverage", 50.0, 80, False),
        Rule("mutation_score", 33.3, 60, False),
    )
    passing = layer(
        "services",
        Rule("coverage", 100.0, 60, True),
        Rule("diff_coverage", 100.0, 90, True),
        Rule("mutation_score", None, 60, True, "no mutants on changed lines"),
        uncovered=0,
    )
    files = (
        FileResult(
            store,
            db,
            "modified",
            changed_lines=(2, 3, 4, 7),
            uncovered_changed_lines=(3, 4, 7),
            nearby_tests=(test,),
            mutants=(
                mutant(store, 2, diff=diff, tests=(test,)),
                mutant(store, 2, status="killed", diff=diff.replace(">=", "<"), tests=(test,)),
                mutant(store, 5, status="no_tests", diff="-    x = 1\n+    x = 2", tests=()),
            ),
            not_testable=(NotTestable(store, 9, "module-level code"),),
        ),
        FileResult(cache, db, "added", (1, 2), (1, 2), measured=False),
        FileResult(
            "app/services/calc.py",
            "services",
            "modified",
            changed_lines=(2,),
            uncovered_changed_lines=(),
            mutants=(mutant("app/services/calc.py", 2, status="killed"),),
        ),
    )
    return CheckResult("main", "0" * 40, (failing, passing), files, "pytest", "ran")


def hostile() -> CheckResult:
    return result(db=BAD_LAYER, store=BAD_PATH, cache=INJECTING_PATH, test=BAD_TEST, diff=BAD_DIFF)


def many_gaps(count: int) -> CheckResult:
    """A failing layer with `count` separate uncovered lines in one file, and a passing one."""
    base = result()
    lines = tuple(range(1, 2 * count, 2))  # never adjacent: one finding each
    files = (
        FileResult("app/db/big.py", "infrastructure", "modified", lines, lines),
        FileResult("app/services/calc.py", "services", "modified", lines, lines),
    )
    return CheckResult("main", "0" * 40, base.layers, files, "pytest", "off")
