"""Pure pieces of the mutmut adapter, config writer and pytest options."""

from __future__ import annotations

import gc
import json
import tomllib
import weakref
from pathlib import Path

import pytest

from qualitygate.errors import ToolError
from qualitygate.mutation import (
    cache,
    mutmut_adapter,
    mutmut_config,
    mutmut_driver,
    pytest_options,
)
from qualitygate.mutation.generation_cache import GenerationCache

ORIG = "def x_over__mutmut_orig(total, limit):\n    if total >= limit:\n        return True\n"
MUTANT = "def x_over__mutmut_1(total, limit):\n    if total > limit:\n        return True\n"


def test_locate_maps_the_changed_line_and_diff_to_the_users_file() -> None:
    line, diff = mutmut_adapter.locate(ORIG, MUTANT, "x_over", "x_over__mutmut_1", def_line=40)
    assert line == 41
    assert diff == "-    if total >= limit:\n+    if total > limit:"


def test_locate_method_with_leading_comment_and_decorator() -> None:
    orig = "    # note\n    @staticmethod\n    def xǁCǁm__mutmut_orig(x=1):\n        return x\n"
    mutant = "    # note\n    @staticmethod\n    def xǁCǁm__mutmut_2(x=2):\n        return x\n"
    line, diff = mutmut_adapter.locate(orig, mutant, "xǁCǁm", "xǁCǁm__mutmut_2", def_line=7)
    assert (line, diff) == (7, "-    def m(x=1):\n+    def m(x=2):")


class _Cycle:
    me: object = None


def test_a_frozen_heap_still_collects_what_comes_after_and_nests() -> None:
    """The driver freezes its heap over each pytest session in its own process: what a
    test run makes is still garbage collected, and an inner freeze (a fork inside the
    clean run) leaves the outer one as it is."""
    assert gc.get_freeze_count() == 0
    with mutmut_driver._frozen():
        assert gc.get_freeze_count() > 0
        cycle = _Cycle()
        cycle.me = cycle
        ref = weakref.ref(cycle)
        del cycle
        with mutmut_driver._frozen():
            gc.collect()
        assert ref() is None
        assert gc.get_freeze_count() > 0  # (frozen objects freed meanwhile leave it)
    assert gc.get_freeze_count() == 0


def test_the_modules_the_test_tools_hold_are_named() -> None:
    """A mutant's module already imported when mutmut starts (json here, pluggy for
    pytest) is named; a module not imported yet is not."""
    names = [
        "run",
        "--max-children",
        "2",
        "json.x_dumps__mutmut_1",
        "json.xǁJSONDecoderǁdecode__mutmut_2",
    ]
    assert mutmut_driver.held_by_the_tools(names) == ["json"]
    assert mutmut_driver.held_by_the_tools(["app_not_imported.calc.x_add__mutmut_1"]) == []


def test_parametrize_values_that_are_iterators_are_kept_as_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In mutmut's process, parametrize's values are read where the mark is made: an
    iterator becomes the list of what it gives; every other value is left as it is."""
    import itertools

    from _pytest.mark.structures import MarkDecorator

    monkeypatch.setattr(MarkDecorator, "with_args", MarkDecorator.with_args)  # put back after
    mutmut_driver.keep_parameters()
    mutmut_driver.keep_parameters()  # once only: not wrapped twice
    assert getattr(MarkDecorator.with_args, "qualitygate", False)
    product = pytest.mark.parametrize(("a", "b"), itertools.product([1, 2], [3]))
    assert product.args[1] == [(1, 3), (2, 3)]
    named = pytest.mark.parametrize("n", argvalues=(n for n in range(2)))
    assert named.kwargs["argvalues"] == [0, 1]
    cases, numbers = [(1, 2)], range(3)
    assert pytest.mark.parametrize(("a", "b"), cases).args[1] is cases
    assert pytest.mark.parametrize("n", numbers).args[1] is numbers
    condition = iter([True])
    assert pytest.mark.skipif(condition, reason="x").args[0] is condition  # other marks


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, "killed"),
        (3, "killed"),
        (37, "killed"),
        (0, "survived"),
        (5, "no_tests"),
        (33, "no_tests"),
        (34, "skipped"),
        (36, "timeout"),
        (-24, "timeout"),
        (152, "timeout"),
        (255, "timeout"),
        (-11, "suspicious"),
        (-9, "suspicious"),
        (35, "suspicious"),
        (99, "suspicious"),
    ],
)
def test_status_of_exit_codes(code: int, status: str) -> None:
    assert mutmut_adapter.status_of(code) == status


def _meta(project: Path, codes: dict[str, int | None]) -> None:
    meta = project / "mutants" / "app" / "calc.py.meta"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes}))


@pytest.mark.parametrize("unchecked", [None, 2])
def test_unchecked_mutant_means_the_run_failed(tmp_path: Path, unchecked: int | None) -> None:
    _meta(tmp_path, {"app.calc.x_f__mutmut_1": 1, "app.calc.x_f__mutmut_2": unchecked})
    with pytest.raises(ToolError, match="stopped before checking 1 of 2 mutants"):
        mutmut_adapter.results(
            tmp_path, ["app/calc.py"], ["app.calc.x_f__mutmut_1", "app.calc.x_f__mutmut_2"]
        )


def test_results_read_statuses_and_tests(tmp_path: Path) -> None:
    _meta(tmp_path, {"app.calc.x_f__mutmut_1": 0})
    stats = {"tests_by_mangled_function_name": {"app.calc.x_f": ["tests/t.py::b", "tests/t.py::a"]}}
    (tmp_path / "mutants" / "mutmut-stats.json").write_text(json.dumps(stats))
    found = mutmut_adapter.results(tmp_path, ["app/calc.py"], ["app.calc.x_f__mutmut_1"])
    assert found.status_by_name == {"app.calc.x_f__mutmut_1": "survived"}
    assert found.tests_by_function == {"app.calc.x_f": ("tests/t.py::a", "tests/t.py::b")}


def test_neutralising_args_only_for_installed_plugins() -> None:
    """-n 0 after addopts wins over its -n and keeps xdist's fixtures (worker_id)."""
    assert pytest_options.neutralising_args(pytest_cov=False, xdist=False) == []
    assert pytest_options.neutralising_args(pytest_cov=True, xdist=True) == [
        "--no-cov",
        "-n",
        "0",
    ]


def test_copy_roots_cover_everything_outside_the_source() -> None:
    files = [
        "src/pkg/a.py",
        "src/other/data.txt",
        "tests/test_a.py",
        "README.md",
        "src/conftest.py",
    ]
    assert mutmut_config.copy_roots(files, ["src/pkg"]) == [
        "README.md",
        "src/conftest.py",
        "src/other",
        "tests",
    ]


def test_settings_keep_user_keys_and_control_scope(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mutmut]\nsource_paths = ["lib"]\ntimeout_multiplier = 9.0\n'
        'do_not_mutate = ["app/gen_*.py"]\npytest_add_cli_args = ["-W", "error"]\n'
        "\n[tool.other]\nkey = 1\n"
    )
    user = mutmut_config.user_settings(tmp_path)
    table = mutmut_config.settings(
        user,
        source=["app"],
        tests=["tests"],
        mutate=["app/a.py"],
        also_copy=["tests"],
        pytest_args=["--no-cov"],
    )
    mutmut_config.write_settings(tmp_path, table)
    written = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    mutmut = written["tool"]["mutmut"]
    assert written["project"] == {"name": "x"} and written["tool"]["other"] == {"key": 1}
    assert mutmut["source_paths"] == ["app"] and mutmut["only_mutate"] == ["app/a.py"]
    assert mutmut["timeout_multiplier"] == 9.0 and mutmut["timeout_constant"] == 1.0
    assert mutmut["do_not_mutate"] == ["app/gen_*.py"]
    assert mutmut["pytest_add_cli_args"] == ["-W", "error", "--no-cov"]
    assert mutmut["pytest_add_cli_args_test_selection"] == ["tests"]


def test_settings_from_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[mutmut]\ndo_not_mutate =\n    a.py\n    b.py\ndebug = true\n"
    )
    assert mutmut_config.user_settings(tmp_path) == {
        "do_not_mutate": ["a.py", "b.py"],
        "debug": True,
    }


def test_only_mutate_of_the_user_is_respected() -> None:
    assert mutmut_config.mutation_allowed({"only_mutate": ["app/core/*"]}, "app/core/a.py")
    assert not mutmut_config.mutation_allowed({"only_mutate": ["app/core/*"]}, "app/web/a.py")
    assert mutmut_config.mutation_allowed({}, "app/web/a.py")


def test_generation_cache_keeps_the_most_recently_used(tmp_path: Path) -> None:
    generated = GenerationCache(tmp_path, "3.8.1")
    keys = [generated.key("app/a.py", b"x = %d" % i, [1]) for i in range(3)]
    assert len(set(keys)) == 3 and generated.key("app/a.py", b"x = 0", [2]) not in keys
    for i, key in enumerate(keys):
        generated.store(key, {"mutated": False, "reason": str(i)})
    assert generated.lookup(keys[0]) == {"mutated": False, "reason": "0"}  # now the newest
    generated.prune(keep=2)
    assert [generated.lookup(k) is not None for k in keys] == [True, False, True]


def test_result_cache_forgets_verdicts_unused_for_a_month(tmp_path: Path) -> None:
    results = cache.ResultCache(tmp_path, "salt")
    results.entries = {"old": {"used": cache._today() - 31}, "new": {"used": cache._today()}}
    results.prune()
    assert set(results.entries) == {"new"}


def test_only_pytest_settings_of_config_files_count(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nversion = "1"\n[tool.pytest.ini_options]\naddopts = "-x"\n')
    before = cache.pytest_settings(pyproject)
    pyproject.write_text('[project]\nversion = "2"\n[tool.pytest.ini_options]\naddopts = "-x"\n')
    assert (
        cache.pytest_settings(pyproject) == before == {"pytest": {"ini_options": {"addopts": "-x"}}}
    )
    setup_cfg = tmp_path / "setup.cfg"
    setup_cfg.write_text("[metadata]\nname = x\n[tool:pytest]\naddopts = -x\n")
    assert cache.pytest_settings(setup_cfg) == {"tool:pytest": {"addopts": "-x"}}
