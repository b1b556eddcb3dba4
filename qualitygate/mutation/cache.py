"""Verdicts kept between runs, in qualitygate's own cache folder.

A verdict is found by a key made of the mutant itself (its function's source,
its line in the function and its diff; not mutmut's number, which depends on
the changed lines), mutmut's version and the qualitygate config. It is
reused only while the tests that decided it are unchanged:
- killed / timeout: the test files that ran the mutant (and the suite-wide
  test setup: conftest files, pytest config) are unchanged;
- survived / no tests / suspicious / skipped: the whole test suite is
  unchanged, since any new test could kill the mutant.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualitygate.mutation.model import DETECTED, Mutant, MutantSpec
from qualitygate.mutation.workspace import content_hash

FORMAT_VERSION = 1
FILE_NAME = "mutation-results.json"
PYTEST_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml")


def _sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class TestSuite:
    """The project's test files, hashed, to tell whether a verdict still holds."""

    __test__ = False  # not a pytest class

    root: Path
    setup_hash: str  # conftest files and pytest config, shared by every test
    suite_hash: str  # every test file, plus the setup

    @classmethod
    def of(cls, root: Path, files: Iterable[str], test_folders: Iterable[str]) -> TestSuite:
        names = list(files)
        folders = tuple(f.rstrip("/") + "/" for f in test_folders)
        setup = [
            n for n in names if n.rsplit("/", 1)[-1] == "conftest.py" or n in PYTEST_CONFIG_FILES
        ]
        tests = [n for n in names if n.startswith(folders) or n in setup]
        setup_hash = content_hash(root, setup)
        return cls(root=root, setup_hash=setup_hash, suite_hash=content_hash(root, tests))

    def fingerprint(self, status: str, test_files: Iterable[str]) -> str:
        if status in DETECTED:
            return _sha([self.setup_hash, content_hash(self.root, test_files)])
        return self.suite_hash


def test_files(tests: Iterable[str]) -> list[str]:
    return sorted({nodeid.split("::", 1)[0] for nodeid in tests})


class ResultCache:
    def __init__(self, cache_dir: Path, salt: str) -> None:
        self.path = cache_dir / FILE_NAME
        self.salt = salt
        self.entries = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            return {}
        entries: dict[str, Any] = data.get("entries", {})
        return entries

    def key(self, spec: MutantSpec) -> str:
        return _sha([self.salt, spec.path, spec.identity, spec.function_source])

    def lookup(self, spec: MutantSpec, suite: TestSuite) -> Mutant | None:
        entry = self.entries.get(self.key(spec))
        if (
            not entry
            or suite.fingerprint(entry["status"], entry["test_files"]) != entry["fingerprint"]
        ):
            return None
        return Mutant(
            path=spec.path,
            line=spec.line,
            status=entry["status"],
            diff=spec.diff,
            tests=tuple(entry["tests"]),
            name=spec.name,
            cached=True,
        )

    def store(
        self, specs: Mapping[str, MutantSpec], mutants: Iterable[Mutant], suite: TestSuite
    ) -> None:
        for mutant in mutants:
            files = test_files(mutant.tests)
            self.entries[self.key(specs[mutant.name])] = {
                "status": mutant.status,
                "tests": list(mutant.tests),
                "test_files": files,
                "fingerprint": suite.fingerprint(mutant.status, files),
            }

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": FORMAT_VERSION, "entries": self.entries}, sort_keys=True)
        handle, temporary = tempfile.mkstemp(
            dir=self.path.parent, prefix=".mutation-", suffix=".tmp"
        )
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.path)
