"""Verdicts kept between runs, in qualitygate's own cache folder.

A verdict is found by a key made of the mutant itself (its function's source,
its line in the function and its diff; not mutmut's number, which depends on
the changed lines), mutmut's version and the qualitygate config. It is
reused only while the tests that decided it are unchanged:
- killed / timeout: the test files that ran the mutant (and the suite-wide
  test setup: conftest files, pytest config) are unchanged;
- survived / no tests / suspicious / skipped: the whole test suite is
  unchanged, since any new test could kill the mutant.
Of the config files only what pytest reads counts ([tool.pytest*] of
pyproject.toml, [pytest] / [tool:pytest] of the ini files): bumping a version
in pyproject.toml keeps the verdicts. Entries unused for KEEP_DAYS are pruned.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import json
import os
import tempfile
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualitygate.mutation.model import DETECTED, Mutant, MutantSpec
from qualitygate.mutation.workspace import content_hash

FORMAT_VERSION = 2
FILE_NAME = "mutation-results.json"
LEFT_OUT_FILE = "left-out-tests.json"
LEFT_OUT_KEPT = 32  # sets of mutated functions whose left-out tests are remembered
PYTEST_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml")
ALWAYS_PYTEST_CONFIG = ("pytest.ini", ".pytest.ini")  # pytest's config even when empty
INI_SECTIONS = ("pytest", "tool:pytest")
KEEP_DAYS = 30


def _sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _today() -> int:
    return int(time.time() // 86400)


def pytest_settings(path: Path) -> object:
    """What pytest reads from a config file; the whole text when it cannot be parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        if path.name == "pyproject.toml":
            tool = tomllib.loads(text).get("tool", {})
            return {k: v for k, v in tool.items() if k.startswith("pytest")}
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        return {s: dict(parser.items(s)) for s in INI_SECTIONS if parser.has_section(s)}
    except (tomllib.TOMLDecodeError, configparser.Error, UnicodeDecodeError):
        return text


@dataclass(frozen=True)
class TestSuite:
    """The project's test files, hashed, to tell whether a verdict still holds."""

    __test__ = False  # not a pytest class

    root: Path
    setup_hash: str  # conftest files and pytest config, shared by every test
    suite_hash: str  # every test file, plus the setup

    @classmethod
    def of(
        cls,
        root: Path,
        files: Iterable[str],
        test_folders: Iterable[str],
        test_files: Iterable[str] = (),
    ) -> TestSuite:
        names = list(files)
        named = set(test_files)
        folders = tuple(f.rstrip("/") + "/" for f in test_folders)
        conftests = [n for n in names if n.rsplit("/", 1)[-1] == "conftest.py"]
        config = {
            n: found
            for n in names
            if n in PYTEST_CONFIG_FILES
            and ((found := pytest_settings(root / n)) or n in ALWAYS_PYTEST_CONFIG)
        }
        tests = [n for n in names if n.startswith(folders) or n in conftests or n in named]
        setup_hash = _sha([content_hash(root, conftests), config])
        return cls(
            root=root,
            setup_hash=setup_hash,
            suite_hash=_sha([setup_hash, content_hash(root, tests)]),
        )

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
        entries = data.get("entries", {})
        if not isinstance(entries, dict):
            return {}
        return {key: entry for key, entry in entries.items() if _valid(entry)}

    def key(self, spec: MutantSpec) -> str:
        return _sha([self.salt, spec.path, spec.identity, spec.function_source])

    def lookup(self, spec: MutantSpec, suite: TestSuite) -> Mutant | None:
        entry = self.entries.get(self.key(spec))
        if (
            not entry
            or suite.fingerprint(entry["status"], entry["test_files"]) != entry["fingerprint"]
        ):
            return None
        entry["used"] = _today()
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
                "used": _today(),
            }

    def prune(self, days: int = KEEP_DAYS) -> None:
        """Forget verdicts no run has used for `days` (deleted functions, old versions)."""
        oldest = _today() - days
        self.entries = {k: e for k, e in self.entries.items() if e.get("used", 0) >= oldest}

    def save(self) -> None:
        """Write the verdicts; a cache that cannot be written (a read-only .git, a file
        where its folder belongs) is only a slower next run, never a failed gate."""
        _save(self.path, {"version": FORMAT_VERSION, "entries": self.entries})


def _save(path: Path, data: object, sort_keys: bool = True) -> None:
    """`data` as JSON at `path`, whole or not at all; nothing when it cannot be written."""
    text = json.dumps(data, sort_keys=sort_keys)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mutation-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)


class LeftOutTests:
    """The tests an earlier run had to leave out (they fail under mutmut, not in the
    user's tree), so that the next run leaves them out from its first round instead of
    finding them again: on structlog's suite that search is a round of mutmut and two
    more runs of the suite, half of a cold check.

    Whether a test fails under mutmut depends on the functions mutmut replaces with its
    trampolines (the extra frames of a stack-depth assertion, a class that no longer
    pickles, a caller's name read from the stack), so tests are remembered for one set of
    mutated functions: a later change to the same functions (new mutants, not cached)
    leaves them out at once. A test is remembered while its test file, the suite's setup
    (conftest files, pytest config), mutmut's version and the config are unchanged. One
    remembered that would now pass under mutmut can only leave a mutant unkilled (a
    survivor more, never a kill more); the report lists every test left out."""

    def __init__(
        self, cache_dir: Path, salt: str, suite: TestSuite, functions: Iterable[str]
    ) -> None:
        self.path = cache_dir / LEFT_OUT_FILE
        self.key = _sha([salt, suite.setup_hash, sorted(set(functions))])
        self.root = suite.root
        self.entries: dict[str, Any] = {}

    def _file_hash(self, test: str) -> str:
        return content_hash(self.root, [test.split("::", 1)[0]])

    def load(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            return []
        self.entries = {k: v for k, v in entries.items() if isinstance(v, dict)}
        tests = self.entries.get(self.key, {})
        return sorted(t for t, found in tests.items() if found == self._file_hash(t))

    def save(self, tests: Iterable[str]) -> None:
        """These tests for this set of functions, the latest LEFT_OUT_KEPT sets kept."""
        self.entries.pop(self.key, None)
        self.entries[self.key] = {t: self._file_hash(t) for t in tests}
        kept = dict(list(self.entries.items())[-LEFT_OUT_KEPT:])
        _save(self.path, {"entries": kept}, sort_keys=False)  # oldest first


def _valid(entry: Any) -> bool:
    """An entry as `store` writes it; anything else (a damaged cache) is a miss."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("status"), str)
        and isinstance(entry.get("fingerprint"), str)
        and isinstance(entry.get("used", 0), int)
        and all(
            isinstance(entry.get(k), list) and all(isinstance(v, str) for v in entry[k])
            for k in ("tests", "test_files")
        )
    )
