from __future__ import annotations

import textwrap

import pytest

from qualitygate.mutation import scope

SOURCE = textwrap.dedent("""
    import functools

    LIMIT = 10


    def plain(x):
        # a comment
        return x + 1


    @functools.lru_cache(maxsize=None)
    def cached(x):
        return x * 2


    class Shape:
        sides = 4

        @staticmethod
        def area(x):
            return x * x

        @property
        def name(self):
            return "shape"

        class Inner:
            def inner(self):
                return 1

        def __new__(cls):
            return super().__new__(cls)

        def tagged(self):
            return 1  # pragma: no mutate
""").lstrip("\n")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (1, scope.MODULE_LEVEL),
        (2, None),
        (3, scope.MODULE_LEVEL),
        (6, scope.NO_OPERATOR),
        (7, None),
        (8, scope.NO_OPERATOR),
        (11, "decorated function (@functools.lru_cache): mutmut skips it"),
        (13, "decorated function (@functools.lru_cache): mutmut skips it"),
        (16, scope.CLASS_BODY),
        (17, scope.CLASS_BODY),
        (19, "decorator (runs at import time)"),
        (21, scope.NO_OPERATOR),
        (25, "decorated function (@property): mutmut skips it"),
        (27, scope.CLASS_BODY),
        (29, "method of a nested class: mutmut skips it"),
        (32, "mutmut never mutates __new__"),
        (35, "marked '# pragma: no mutate'"),
        (99, None),
    ],
)
def test_untestable_reason(line: int, reason: str | None) -> None:
    assert scope.untestable_reason(SOURCE, line) == reason


def test_functions_in_places_def_lines_after_decorators() -> None:
    found = scope.functions_in(SOURCE)
    assert found[(None, "plain")].def_line == 6
    assert found[("Shape", "area")].def_line == 20
    assert found[("Shape", "area")].source.startswith("    @staticmethod\n")
    assert (("Inner", "inner")) not in found


IMPORT_TIME = """\
def make(factor):
    def scale(x):
        return x * factor
    return scale


SCALE = make(2)


def called(x):
    return x + 1


class Registry:
    def register(self):
        return self
"""


def test_import_time_only_finds_functions_whose_own_body_runs_under_no_test():
    executed = frozenset({1, 2, 3, 4, 7, 10, 11, 14, 15, 16})
    tested = frozenset({3, 11, 16})  # the bodies of scale, called and register
    assert scope.import_time_only(IMPORT_TIME, executed, tested) == [(1, 4)]
    # make's own body (lines 2 and 4) under a test: a test builds the closure itself
    assert scope.import_time_only(IMPORT_TIME, executed, tested | {4}) == []
    # a method that never ran is "no tests" for mutmut, not import-time only
    assert scope.import_time_only(IMPORT_TIME, executed - {16}, tested - {16}) == [(1, 4)]
    # a method run at import time only (a registration at module level)
    assert scope.import_time_only(IMPORT_TIME, executed, tested - {16}) == [(1, 4), (15, 16)]


def test_a_function_defined_inside_a_module_level_block_is_named_as_such() -> None:
    # mutmut 3.8 mutates g and not f (tests/mutation/test_mutmut_contract.py's probe)
    source = textwrap.dedent("""
        import sys
        if sys.platform != "win32":
            LIMIT = 3

            def f(x):
                return x + LIMIT
        try:
            import fast
        except ImportError:
            class Slow:
                def run(self):
                    return 1
        """).lstrip("\n")
    assert scope.untestable_reason(source, 3) == scope.MODULE_LEVEL
    assert scope.untestable_reason(source, 6) == (
        "function defined inside a module-level `if`: mutmut skips it"
    )
    assert scope.untestable_reason(source, 8) == scope.MODULE_LEVEL
    assert scope.untestable_reason(source, 12) == (
        "class defined inside a module-level `try`: mutmut skips it"
    )
