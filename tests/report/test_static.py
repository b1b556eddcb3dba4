"""Reading code without running it: module shapes, test imports, where tests should go."""

from __future__ import annotations

import textwrap
from collections import Counter

import pytest

from qualitygate.report.imports import importing_tests, imports_of, sources_of
from qualitygate.report.module_shape import shape_of
from qualitygate.report.placement import FolderMapping, learn, mapping_of, suggest

SOURCES = [
    "app/__init__.py",
    "app/db/__init__.py",
    "app/db/repo.py",
    "app/services/__init__.py",
    "app/services/billing.py",
    "src/lib/__init__.py",
    "src/lib/core.py",
    "workers/run.py",
]
SRC = sources_of(None, SOURCES, ["app", "src", "workers"])


@pytest.mark.parametrize(
    ("test", "code", "expected"),
    [
        ("tests/t.py", "import app.db.repo", {"app/db/repo.py"}),
        ("tests/t.py", "from app.db.repo import Repo", {"app/db/repo.py"}),
        ("tests/t.py", "from app.db import repo", {"app/db/repo.py"}),  # from pkg import module
        (
            "tests/t.py",
            "from app.services import billing, missing",
            {"app/services/billing.py", "app/services/__init__.py"},
        ),
        ("tests/t.py", "from app import services", {"app/services/__init__.py"}),
        ("tests/t.py", "from lib.core import x", {"src/lib/core.py"}),  # src layout
        ("tests/t.py", "import workers.run", {"workers/run.py"}),
        ("tests/t.py", "from run import main", {"workers/run.py"}),  # workers/ is no package
        ("tests/t.py", "import json\nfrom os import path", set()),
        ("tests/t.py", "def test():\n    from app.db import repo", {"app/db/repo.py"}),
        (
            "tests/t.py",
            "import importlib\nm = importlib.import_module('app.db.repo')",
            {"app/db/repo.py"},
        ),
        ("app/db/tests/test_repo.py", "from .. import repo", {"app/db/repo.py"}),  # relative
        ("app/db/tests/test_repo.py", "from ..repo import Repo", {"app/db/repo.py"}),
        (
            "app/db/tests/test_repo.py",
            "from ...services.billing import f",
            {"app/services/billing.py"},
        ),
        ("tests/t.py", "this is not python", set()),
    ],
)
def test_imports_of(test, code, expected):
    assert imports_of(test, code, SRC) == expected


def write_tree(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return sorted(files)


def importers(tmp_path, files, source, tests):
    paths = write_tree(tmp_path, files)
    sources = [p for p in paths if p not in tests]
    return importing_tests(tmp_path, tests, sources, source)


def test_standard_library_names_are_not_project_modules(tmp_path):
    """`import logging` and `import types` are the standard library's, even beside a
    namespace-package module of that name."""
    files = {
        "app/core/logging.py": "def setup(): pass\n",
        "app/events/core/types.py": "class Event: pass\n",
        "tests/test_a.py": "import logging\nimport types\nfrom logging import getLogger\n",
        "tests/test_b.py": "from app.core.logging import setup\n",
    }
    found = importers(tmp_path, files, ["app"], ["tests/test_a.py", "tests/test_b.py"])
    assert found == {"app/core/logging.py": {"tests/test_b.py"}}


def test_reexports_credit_the_defining_submodule(tmp_path):
    files = {
        "humanize/__init__.py": """
            from humanize.filesize import naturalsize
            from .time import *
            from . import number as num
        """,
        "humanize/filesize.py": "def naturalsize(n): return str(n)\n",
        "humanize/time.py": "def naturaltime(t): return t\nEPOCH = 0\n",
        "humanize/number.py": "def intcomma(n): return n\n",
        "humanize/unused.py": "def nothing(): pass\n",
        "tests/test_size.py": "import humanize\ndef test(): humanize.naturalsize(1)\n",
        "tests/test_time.py": "from humanize import naturaltime\n",
        "tests/test_num.py": "import humanize as h\ndef test(): h.num.intcomma(1)\n",
    }
    tests = ["tests/test_num.py", "tests/test_size.py", "tests/test_time.py"]
    found = importers(tmp_path, files, ["humanize"], tests)
    assert found["humanize/filesize.py"] == {"tests/test_size.py"}
    assert found["humanize/time.py"] == {"tests/test_time.py"}
    assert found["humanize/number.py"] == {"tests/test_num.py"}
    assert "humanize/unused.py" not in found


def test_reexport_through_a_nested_package(tmp_path):
    """`from app.services.admin import AdminUserService`, defined in a submodule."""
    files = {
        "backend/app/__init__.py": "",
        "backend/app/services/__init__.py": "",
        "backend/app/services/admin/__init__.py": "from .service import AdminUserService\n",
        "backend/app/services/admin/service.py": "class AdminUserService: pass\n",
        "backend/tests/test_admin.py": "from app.services.admin import AdminUserService\n",
    }
    for source in (["backend/app"], ["backend"]):
        found = importers(tmp_path, files, source, ["backend/tests/test_admin.py"])
        assert found["backend/app/services/admin/service.py"] == {"backend/tests/test_admin.py"}


def test_split_source_folders_index_like_their_parent(tmp_path):
    """`source = ["backend/app", "backend/workers"]` finds what `["backend"]` finds, with
    namespace packages (no `__init__.py`) too."""
    files = {
        "backend/app/api.py": "def route(): pass\n",
        "backend/workers/jobs.py": "def job(): pass\n",
        "backend/tests/test_api.py": "from app.api import route\nimport workers.jobs\n",
    }
    tests = ["backend/tests/test_api.py"]
    split = importers(tmp_path, files, ["backend/app", "backend/workers"], tests)
    whole = importers(tmp_path, files, ["backend"], tests)
    assert (
        split
        == whole
        == {
            "backend/app/api.py": {"backend/tests/test_api.py"},
            "backend/workers/jobs.py": {"backend/tests/test_api.py"},
        }
    )


SHAPE = '''
"""A module."""
import os

class Repo:
    """Docs."""

    def __init__(self):
        self.rows = []

    def add(self, row):
        """Add a row."""
        if row:
            self.rows.append(row)

    def _private(self):
        return 1

    @property
    def size(self):
        return len(self.rows)

    def abstract(self):
        raise NotImplementedError

    def stub(self):
        ...

    class Inner:
        def deep(self):
            return 2

class _Hidden:
    def shown(self):
        return 3

async def fetch(url):
    def helper():
        return url
    return helper()
'''


def test_shape_of_counts_functions_and_logic():
    shape = shape_of(textwrap.dedent(SHAPE))
    names = {f.name: f.public for f in shape.functions}
    assert names == {
        "Repo.__init__": False,
        "Repo.add": True,
        "Repo._private": False,
        "Repo.size": True,
        "Repo.Inner.deep": True,
        "_Hidden.shown": False,
        "fetch": True,
    }
    assert shape.public_classes == ("Repo",)
    add = next(f for f in shape.functions if f.name == "Repo.add")
    assert (add.first, add.last) == (13, 14)  # the docstring is not the body
    # __init__ 1, add 2, _private 1, size 1, deep 1, shown 1, fetch 3 (def, return, return)
    assert shape.logic_statements == 10
    assert shape.lines == len(textwrap.dedent(SHAPE).splitlines())
    assert not shape.package_marker


@pytest.mark.parametrize(
    ("text", "is_init", "marker"),
    [
        ("", True, True),
        ("from .a import b\n__all__ = ['b']\n", True, True),
        ("def f():\n    return 1\n", True, False),
        ("", False, False),
    ],
)
def test_package_marker(text, is_init, marker):
    assert shape_of(text, is_init).package_marker is marker


def test_unparsable_module_has_nothing_to_test():
    shape = shape_of("def broken(:\n", False)
    assert not shape.parsed and shape.functions == () and shape.lines == 1


@pytest.mark.parametrize(
    ("source", "test", "expected"),
    [
        (
            "app/services/auth.py",
            "tests/unit/services/test_auth.py",
            FolderMapping(("app",), ("tests", "unit")),
        ),
        (
            "app/db/repositories/user.py",
            "tests/db/repositories/test_user.py",
            FolderMapping(("app",), ("tests",)),
        ),
        ("pkg/core.py", "pkg/core_test.py", FolderMapping((), (), True)),
        ("pkg/core.py", "tests/test_pkg.py", None),  # not named after the module
    ],
)
def test_mapping_of(source, test, expected):
    assert mapping_of(source, test) == expected


@pytest.mark.parametrize(
    ("imports", "source", "layer", "expected"),
    [
        (
            {"app/services/auth.py": ["tests/unit/services/test_auth.py"]},
            "app/db/repositories/user_repository.py",
            "repositories",
            "tests/unit/db/repositories/test_user_repository.py",
        ),
        (
            {"app/services/auth.py": ["tests/unit/services/test_auth.py"]},
            "workers/run.py",
            "workers",
            "tests/workers/test_run.py",
        ),  # no mapping fits
        ({}, "app/x.py", "other", "tests/other/test_x.py"),
        (
            {"pkg/a/core.py": ["pkg/a/core_test.py"]},
            "pkg/a/b/util.py",
            "lib",
            "pkg/a/b/util_test.py",
        ),  # tests beside the code, suffix style
        (
            {
                "app/services/auth.py": ["tests/unit/services/test_auth.py"],
                "app/db/x.py": ["tests/integration/db/test_x.py"],
            },
            "app/db/y.py",
            "db",
            "tests/integration/db/test_y.py",
        ),  # the longer prefix wins
    ],
)
def test_suggest(imports, source, layer, expected):
    assert suggest(source, layer, learn(imports), ("tests",)) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("app/db/__init__.py", "tests/db/test_db.py"),
        ("app/cli/__main__.py", "tests/cli/test_cli_main.py"),
    ],
)
def test_suggest_names_package_files_after_their_package(source, expected):
    assert suggest(source, "db", learn({"app/x.py": ["tests/test_x.py"]}), ("tests",)) == expected


def test_suggest_prefers_the_most_used_mapping():
    mappings = {
        FolderMapping(("app",), ("tests", "unit")): Counter({("app", "x"): 3}),
        FolderMapping(("app",), ("tests",)): Counter({("app", "y"): 1}),
    }
    assert suggest("app/a/b.py", "l", mappings, ("tests",)) == "tests/unit/a/test_b.py"
