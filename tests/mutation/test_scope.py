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
