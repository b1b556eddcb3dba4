"""The data the mutation stage takes and returns; no behaviour, no mutmut types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("killed", "survived", "timeout", "no_tests", "suspicious", "skipped", "accepted")
DETECTED = frozenset({"killed", "timeout"})
UNDETECTED = frozenset({"survived", "no_tests", "suspicious"})
ACCEPTED = "accepted"  # marked equivalent or accepted by a reviewer: neither detected nor not


@dataclass(frozen=True)
class Mark:
    """One accepted mutant, as the committed marks file holds it. Its identity is the file,
    the function and the normalised mutation, never a line number; `code` fingerprints the
    function's code when it was accepted ("" for a hand-written mark without one)."""

    file: str
    function: str
    mutation: str
    reason: str
    code: str = ""
    where: str = ""  # "qualitygate-accepted.toml: mutant[3]", for messages


@dataclass(frozen=True)
class ExpiredMark:
    """A mark whose function changed (or went) since it was accepted: it no longer applies."""

    mark: Mark
    why: str


@dataclass(frozen=True)
class TestMap:
    """What the full coverage run just made knows of the changed files: the tests that
    ran each line, and each test's call time. mutmut's own statistics run measures the
    same thing over the whole suite; with this it runs only the tests that matter (`seed`)."""

    __test__ = False

    tests_by_line: Mapping[str, Mapping[int, frozenset[str]]]  # path -> line -> test ids
    executed: Mapping[str, frozenset[int]]  # path -> every line run, in a test or not
    durations: Mapping[str, float]  # test id -> seconds of its call phase


@dataclass(frozen=True)
class MutationRequest:
    root: Path
    changed_lines: Mapping[str, frozenset[int]]
    source: tuple[str, ...]
    tests: tuple[str, ...]
    python: str
    workers: int
    timeout: float
    cache_dir: Path
    config_key: str = ""
    test_files: tuple[str, ...] = ()  # every test file, for the verdict cache's fingerprint
    workspace_include: tuple[str, ...] = ()  # ignored files the tests need (globs)
    pytest_args: tuple[str, ...] = ()  # the project's extra pytest arguments, for every run
    keep_workspace: bool = False  # leave the copy in place, for a look after a failure
    arid: tuple[str, ...] | None = None  # call-name globs whose arguments get no mutants
    accepted: tuple[Mark, ...] = ()  # mutants a reviewer settled: not run, not counted
    test_map: TestMap | None = None  # from a full run with per-test contexts, else None


@dataclass(frozen=True)
class Mutant:
    path: str
    line: int
    status: str
    diff: str
    tests: tuple[str, ...]
    name: str
    cached: bool = False
    hint: str = ""  # for a survivor: what a test must check to kill it
    reason: str = ""  # for an accepted mutant: the reason its mark gives


@dataclass(frozen=True)
class NotTestable:
    path: str
    line: int
    reason: str


@dataclass(frozen=True)
class MutationOutcome:
    mutants: tuple[Mutant, ...]
    not_testable: tuple[NotTestable, ...]
    excluded_tests: tuple[str, ...]
    executed: int
    arid: tuple[tuple[str, int], ...] = ()  # (reason, mutants not run for it)
    expired: tuple[ExpiredMark, ...] = ()  # marks of changed functions that no longer apply


@dataclass(frozen=True)
class MutantSpec:
    """A mutant mutmut would generate, located in the user's file."""

    name: str
    path: str
    line: int
    diff: str
    function: str  # mutmut's mangled function key, qualified: "app.calc.x_over"
    function_source: str
    identity: str  # what the mutant is, whatever mutmut numbers it: function, line in it, diff
    qualname: str = ""  # the function as a person names it: "bulk_discount", "Cart.total"


@dataclass(frozen=True)
class FileMutants:
    """What mutmut makes of one changed file."""

    path: str
    mutants: tuple[MutantSpec, ...]
    not_mutated_reason: str | None = None


@dataclass(frozen=True)
class MutmutResults:
    """Verdicts of one mutmut run, in our terms."""

    status_by_name: Mapping[str, str]
    tests_by_function: Mapping[str, tuple[str, ...]]
