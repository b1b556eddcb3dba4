"""mutmut's test statistics seeded from the coverage run: the same map mutmut measures
for itself, the same verdicts, and mutmut's own statistics run wherever that is not
certain. Real pytest, coverage and mutmut on a small project."""

from __future__ import annotations

import json
import shutil
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from qualitygate.measure import coverage_data, testrun
from qualitygate.mutation import MutationOutcome, run_mutation
from qualitygate.mutation import seed as seeding
from qualitygate.mutation.model import MutantSpec, TestMap
from tests.fixtures import make_repo
from tests.mutation.projects import PYTHON, request

INIT = """
    from app.calc import Cart, over


    def label(n):
        return "n=" + str(n + 1)
    """
CALC = """
    def over(total, limit):
        if total >= limit:
            return True
        return False


    def helper(x):
        return x * 2


    def double_over(x, limit):
        return over(helper(x), limit)


    class Cart:
        def add(self, x):
            return x + 1


    def unused(x):
        return x - 1
    """
TESTS = """
    import pytest

    from app import Cart, label, over
    from app.calc import double_over


    @pytest.mark.parametrize("total", [20, 30])
    def test_over(total):
        assert over(total, 10)


    def test_double():
        assert double_over(6, 10)


    def test_cart():
        assert Cart().add(1) == 2


    def test_label():
        assert label(1) == "n=2"


    def test_nothing():
        assert True
    """
CHANGED = {"app/__init__.py": set(range(1, 6)), "app/calc.py": set(range(1, 25))}


def _project(tmp_path: Path) -> Path:
    files = {"app/__init__.py": INIT, "app/calc.py": CALC, "tests/test_calc.py": TESTS}
    return make_repo(tmp_path / "repo", files)


def _measured_map(root: Path) -> TestMap:
    """The map from a real run of the suite under coverage, as `check` makes it."""
    run = testrun.run_tests(root, PYTHON, ("app",), ("tests",), 120)
    found = coverage_data.file_coverage(root, sorted(CHANGED), run.measured)
    made = seeding.test_map(found.values(), run.durations)
    assert made is not None
    return made


def _run(root: Path, cache: Path, test_map: TestMap | None) -> tuple[MutationOutcome, Any]:
    """The outcome, and the statistics mutmut ran with (from the kept workspace)."""
    kept: list[Path] = []
    job = replace(request(root, CHANGED, cache, timeout=300), keep_workspace=True)
    outcome = run_mutation(replace(job, test_map=test_map), kept=kept.append)
    try:
        stats = json.loads((kept[0] / "mutants" / "mutmut-stats.json").read_text())
    finally:
        shutil.rmtree(kept[0].parent)
    return outcome, stats


def _tests(stats: Any) -> dict[str, set[str]]:
    return {k: set(v) for k, v in stats["tests_by_mangled_function_name"].items() if v}


@pytest.mark.slow
def test_the_seeded_map_is_the_map_mutmut_measures_and_the_verdicts_agree(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    test_map = _measured_map(root)
    assert set(test_map.durations) == {
        "tests/test_calc.py::test_over[20]",
        "tests/test_calc.py::test_over[30]",
        "tests/test_calc.py::test_double",
        "tests/test_calc.py::test_cart",
        "tests/test_calc.py::test_label",
        "tests/test_calc.py::test_nothing",
    }
    seeded, seeded_stats = _run(root, tmp_path / "cache-a", test_map)
    plain, plain_stats = _run(root, tmp_path / "cache-b", None)
    # mutmut's statistics ran over the seeded tests only (a whole-suite run sets stats_time)
    assert seeded_stats["stats_time"] == 0.0 and plain_stats["stats_time"] > 0.0
    nothing = "tests/test_calc.py::test_nothing"  # reaches no mutated function
    assert nothing in plain_stats["duration_by_test"]
    assert nothing not in seeded_stats["duration_by_test"]
    assert _tests(seeded_stats) == _tests(plain_stats)
    assert _tests(seeded_stats)["app.calc.x_helper"] == {"tests/test_calc.py::test_double"}
    assert "app.x_label" in _tests(seeded_stats)  # a package's __init__: mutmut's key
    verdicts = {(m.name, m.status, m.tests) for m in seeded.mutants}
    assert verdicts == {(m.name, m.status, m.tests) for m in plain.mutants}
    statuses = {m.status for m in seeded.mutants}
    assert {"killed", "survived", "no_tests"} <= statuses


@pytest.mark.slow
def test_a_seed_mutmut_cannot_run_falls_back_to_mutmut_s_own_statistics(
    tmp_path: Path,
) -> None:
    """A fault a real run cannot make: the map names a test that is not there."""
    root = _project(tmp_path)
    good = _measured_map(root)
    gone = "tests/test_calc.py::test_gone"
    bad = replace(
        good,
        tests_by_line={
            path: {line: tests | {gone} for line, tests in lines.items()}
            for path, lines in good.tests_by_line.items()
        },
        durations={**good.durations, gone: 0.1},
    )
    fallen_back, stats = _run(root, tmp_path / "cache-a", bad)
    plain, _ = _run(root, tmp_path / "cache-b", None)
    assert stats["stats_time"] > 0.0
    assert gone not in {t for ts in _tests(stats).values() for t in ts}
    assert {(m.name, m.status) for m in fallen_back.mutants} == {
        (m.name, m.status) for m in plain.mutants
    }


SIGN = """
    def sign(x):
        if x < 0:
            return "-"
        return "+"
    """
SIGN_TESTS = """
    import pytest

    from app.sign import sign

    CASES = [[5], [6], [7], [8]]  # more cases than mutmut gets rounds


    @pytest.mark.parametrize("args", CASES)
    def test_sign_flips(args):
        assert sign(*args) == "+"
        args[0] *= -1  # changes its own parameters: fails when run twice in one process
        assert sign(*args) == "-"


    def test_sign_zero():
        assert sign(0) == "+"
    """


@pytest.mark.slow
def test_a_test_that_fails_on_its_second_run_is_found_as_without_the_seed(
    tmp_path: Path,
) -> None:
    """mutmut runs its statistics, then the clean run, then forks each mutant's run: a
    test that changes shared state fails the clean run, and is left out. Seeded, the
    same order holds, instead of that test killing every mutant in the forks. Every case
    of it is found at once (mutmut's run stops at the first), not one per round."""
    files = {"app/__init__.py": "", "app/sign.py": SIGN, "tests/test_sign.py": SIGN_TESTS}
    root = make_repo(tmp_path / "repo", files)
    changed = {"app/sign.py": {2, 3, 4}}
    run = testrun.run_tests(root, PYTHON, ("app",), ("tests",), 120)
    found = coverage_data.file_coverage(root, sorted(changed), run.measured)
    test_map = seeding.test_map(found.values(), run.durations)
    assert test_map is not None
    outcomes = [
        run_mutation(replace(request(root, changed, tmp_path / f"cache-{n}", 300), test_map=m))
        for n, m in enumerate((test_map, None))
    ]
    seeded, plain = ({(m.name, m.status) for m in o.mutants} for o in outcomes)
    assert seeded == plain and "survived" in {status for _, status in seeded}
    cases = [f"tests/test_sign.py::test_sign_flips[args{n}]" for n in range(4)]
    assert sorted(outcomes[0].excluded_tests) == sorted(outcomes[1].excluded_tests) == cases


def _spec(path: str, function: str) -> MutantSpec:
    return MutantSpec(f"{function}__mutmut_1", path, 2, "", function, "", "")


SOURCE = textwrap.dedent(
    """\
    def f(x):
        return x + 1


    VALUE = f(1)
    """
)
F = _spec("app/m.py", "app.m.x_f")


def _map(tests: set[str], executed: set[int], durations: dict[str, float]) -> TestMap:
    return TestMap(
        {"app/m.py": {2: frozenset(tests)}}, {"app/m.py": frozenset(executed)}, durations
    )


def test_a_function_s_tests_are_its_body_lines_tests() -> None:
    found = seeding.seed([F], {"app/m.py": SOURCE}, {}, _map({"t::a"}, {1, 2, 5}, {"t::a": 0.2}))
    assert found == {"tests": {"app.m.x_f": ["t::a"]}, "durations": {"t::a": 0.2}}


def test_a_body_run_by_no_test_is_not_seeded() -> None:
    """f runs at import time (VALUE = f(1)): mutmut would count that call, coverage
    cannot say whose it is."""
    assert seeding.seed([F], {"app/m.py": SOURCE}, {}, _map(set(), {1, 2, 5}, {})) is None


def test_a_function_no_test_reaches_gets_no_tests() -> None:
    assert seeding.seed([F], {"app/m.py": SOURCE}, {}, _map(set(), {1, 5}, {})) == {
        "tests": {},
        "durations": {},
    }


@pytest.mark.parametrize(
    "user",
    [
        {"pytest_add_cli_args": ["-k", "fast"]},
        {"pytest_add_cli_args_test_selection": ["tests/unit"]},
        {"max_stack_depth": 2},
        {"dependency_tracking_depth": 1},
    ],
)
def test_mutmut_settings_that_change_which_tests_count_are_not_seeded(
    user: dict[str, Any],
) -> None:
    test_map = _map({"t::a"}, {1, 2, 5}, {"t::a": 0.2})
    assert seeding.seed([F], {"app/m.py": SOURCE}, user, test_map) is None


def test_no_map_or_a_test_without_its_time_is_not_seeded() -> None:
    assert seeding.seed([F], {"app/m.py": SOURCE}, {}, None) is None
    assert seeding.seed([F], {"app/m.py": SOURCE}, {}, _map({"t::a"}, {1, 2, 5}, {})) is None


def test_a_test_outside_the_project_is_not_seeded() -> None:
    """pytest's rootdir above the project (a monorepo) gives ids that climb out of it;
    mutmut, run with its rootdir in the project's copy, can never name them so."""
    outside = "../lib/tests/test_m.py::test_f"
    test_map = _map({outside}, {1, 2, 5}, {outside: 0.2})
    assert seeding.seed([F], {"app/m.py": SOURCE}, {}, test_map) is None


def test_a_seed_without_the_tests_left_out() -> None:
    """Tests left out from the first round are out of the seed too, as mutmut's own
    statistics run would not have run them; a function left with none has none."""
    found = {
        "tests": {"app.calc.x_a": ["t::one", "t::two"], "app.calc.x_b": ["t::two"]},
        "durations": {"t::one": 0.1, "t::two": 0.2},
    }
    assert seeding.without(found, ["t::two"]) == {
        "tests": {"app.calc.x_a": ["t::one"]},
        "durations": {"t::one": 0.1},
    }
    assert seeding.without(found, []) is found and seeding.without(None, ["t::two"]) is None
