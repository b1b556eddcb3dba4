"""Small fixture projects for the mutation tests, in real git repositories."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from qualitygate.mutation import MutationRequest
from tests.fixtures import make_repo

PYTHON = sys.executable

CALC = """
    LIMIT = 10


    def over(total, limit):
        if total >= limit:
            return True
        return False


    class Cart:
        def add(self, x):
            return x + 1

        @property
        def size(self):
            return 1 + 2
    """

WEAK_TESTS = """
    from app.calc import Cart, over


    def test_over():
        assert over(20, 10)
        assert not over(1, 10)


    def test_cart():
        assert Cart().add(1) == 2
    """

BOUNDARY_TEST = """
    from app.calc import over


    def test_boundary():
        assert over(10, 10)
    """


def calc_project(base: Path, extra: Mapping[str, str] | None = None) -> Path:
    files = {"app/__init__.py": "", "app/calc.py": CALC, "tests/test_calc.py": WEAK_TESTS}
    return make_repo(base / "repo", {**files, **(extra or {})})


def request(
    root: Path, changed: Mapping[str, set[int]], cache: Path, timeout: float = 60
) -> MutationRequest:
    return MutationRequest(
        root=root,
        changed_lines={path: frozenset(lines) for path, lines in changed.items()},
        source=("app",),
        tests=("tests",),
        python=PYTHON,
        workers=2,
        timeout=timeout,
        cache_dir=cache,
        config_key="test",
    )
