"""The mutation stage: changed lines in, verdicts per mutant out.

list files -> start mutmut's interpreter (it imports mutmut meanwhile)
-> mutants of the changed lines: from the generation cache, else copy the
   project and probe -> the changed lines that got none are "not testable"
-> verdicts from the cache -> `mutmut run` for the rest, in the same
   interpreter, seeded with the coverage run's test map when it is certain
   (`seed`) -> cache -> outcome
A run with every answer cached copies nothing and runs nothing. One time
budget (request.timeout) bounds the whole stage.
"""

from __future__ import annotations

import ast
import contextlib
import json
import threading
import tokenize
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

from qualitygate.errors import QualityGateError
from qualitygate.mutation import (
    accepted,
    diagnosis,
    hints,
    mutmut_adapter,
    mutmut_config,
    pytest_options,
    scope,
    seed,
)
from qualitygate.mutation.budget import Budget
from qualitygate.mutation.cache import LeftOutTests, ResultCache, TestSuite
from qualitygate.mutation.generation_cache import GenerationCache
from qualitygate.mutation.model import (
    UNDETECTED,
    ExpiredMark,
    FileMutants,
    Mutant,
    MutantSpec,
    MutationOutcome,
    MutationRequest,
    MutmutResults,
    NotTestable,
)
from qualitygate.mutation.mutmut_session import MutmutSession
from qualitygate.mutation.runner import MutmutJob, ProgressBase, run_mutants, start_session
from qualitygate.mutation.workspace import (
    Workspace,
    copy_project,
    project_files,
    temporary_workspace,
)

OUTSIDE_SOURCE = "outside the source folders"
NOT_IN_PROJECT = "file not in the working tree"
EXCLUDED_BY_ONLY_MUTATE = "excluded by [tool.mutmut] only_mutate"
Progress = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class Scoped:
    """The changed files, split into mutants to run and lines mutmut cannot test."""

    mutants: tuple[MutantSpec, ...]
    not_testable: tuple[NotTestable, ...]
    arid: tuple[tuple[str, int], ...] = ()
    accepted: tuple[Mutant, ...] = ()  # marked by a reviewer: not run
    expired: tuple[ExpiredMark, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What one run works on: the changed files, read once from the user's tree."""

    request: MutationRequest
    files: tuple[str, ...]
    changed: Mapping[str, frozenset[int]]
    sources: Mapping[str, str]
    user: Mapping[str, Any]  # the user's [tool.mutmut]
    skipped: Mapping[str, str]  # path -> why mutmut does not mutate it
    mutate: tuple[str, ...]


def _under_source(path: str, source: Sequence[str]) -> bool:
    pure = PurePosixPath(path)
    return any(pure == PurePosixPath(s) or PurePosixPath(s) in pure.parents for s in source)


def _skip_reason(
    path: str, files: set[str], source: Sequence[str], user: Mapping[str, Any]
) -> str | None:
    if path not in files:
        return NOT_IN_PROJECT
    if not _under_source(path, source):
        return OUTSIDE_SOURCE
    if not mutmut_config.mutation_allowed(user, path):
        return EXCLUDED_BY_ONLY_MUTATE
    return None


def _python_source(path: Path) -> str:
    """A module's text, decoded as Python decodes it (its coding cookie, else UTF-8)."""
    with tokenize.open(path) as f:
        return f.read()


def _plan(request: MutationRequest, changed: Mapping[str, frozenset[int]], budget: Budget) -> Plan:
    files = project_files(request.root, budget.left(), request.source, request.workspace_include)
    listed = set(files)
    user = mutmut_config.user_settings(request.root)
    skipped = {p: r for p in changed if (r := _skip_reason(p, listed, request.source, user))}
    sources = {
        path: _python_source(request.root / path) if path in listed else "" for path in changed
    }
    mutate = tuple(sorted(set(changed) - set(skipped)))
    return Plan(request, files, changed, sources, user, skipped, mutate)


def _placed(lines: frozenset[int], mutants: Sequence[MutantSpec]) -> set[int]:
    """Changed lines that got a mutant. mutmut mutates the nodes that start on a changed
    line; a node's text may change first on a later line (an argument of a call that
    starts on the changed line): such a mutant belongs to the changed line before it."""
    placed = set()
    for spec in mutants:
        before = [line for line in lines if line <= spec.line]
        placed.add(spec.line if spec.line in lines or not before else max(before))
    return placed


def _unplaced_lines(
    path: str, source: str, lines: frozenset[int], placed: set[int], file_reason: str | None
) -> list[NotTestable]:
    found = []
    for line in sorted(lines - placed):
        reason = scope.untestable_reason(source, line)
        if reason is not None:
            found.append(NotTestable(path=path, line=line, reason=file_reason or reason))
    return found


def _narrowed(
    mutants: Sequence[MutantSpec], probed: frozenset[int], lines: frozenset[int]
) -> tuple[MutantSpec, ...]:
    """The mutants of a probe of `probed` lines that a probe of `lines` alone makes: those
    placed (as `_placed` places them) on one of `lines`."""
    kept = []
    for spec in mutants:
        before = [line for line in probed if line <= spec.line]
        at = spec.line if spec.line in probed or not before else max(before)
        if at in lines:
            kept.append(spec)
    return tuple(kept)


def _scope(
    plan: Plan,
    probed: Mapping[str, Mapping[str, Any]],
    wider: Mapping[str, frozenset[int]] | None = None,
) -> Scoped:
    """The mutants to run and the lines that get none; `wider`: the lines the probe was
    made for, when it was made early for more lines than `plan`'s."""
    mutants: list[MutantSpec] = []
    not_testable: list[NotTestable] = []
    arid: Counter[str] = Counter()
    calls = plan.request.arid if plan.request.arid is not None else hints.DEFAULT_ARID
    for path, lines in sorted(plan.changed.items()):
        source = plan.sources[path]
        if path in plan.skipped:
            file = FileMutants(path=path, mutants=(), not_mutated_reason=plan.skipped[path])
        else:
            file = mutmut_adapter.file_mutants(path, source, probed[path])
            if wider is not None and wider[path] != lines:
                file = replace(file, mutants=_narrowed(file.mutants, wider[path], lines))
        placed = _placed(lines, file.mutants)  # arid mutants are placed, only not run
        not_testable += _unplaced_lines(path, source, lines, placed, file.not_mutated_reason)
        tree = _tree(source) if file.mutants else None
        for spec in file.mutants:  # the probe made mutants of the changed lines only
            reason = hints.arid_reason(tree, spec.line, spec.diff, calls) if tree else None
            if reason:
                arid[reason] += 1
            else:
                mutants.append(spec)
    sources = {path: plan.sources[path] for path in plan.mutate}
    settled = accepted.settle(mutants, plan.request.accepted, sources)
    return Scoped(
        settled.run,
        tuple(not_testable),
        tuple(sorted(arid.items())),
        settled.accepted,
        settled.expired,
    )


def _tree(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _mutant(spec: MutantSpec, results: MutmutResults) -> Mutant:
    return Mutant(
        path=spec.path,
        line=spec.line,
        status=results.status_by_name[spec.name],
        diff=spec.diff,
        tests=results.tests_by_function.get(spec.function, ()),
        name=spec.name,
    )


def _prepare(workspace: Workspace, plan: Plan, environment: Mapping[str, Any]) -> dict[str, Any]:
    """Copy the project and write mutmut's config for it; the config."""
    request = plan.request
    copy_project(request.root, plan.files, workspace.project)
    neutralise = pytest_options.neutralising_args(
        pytest_cov=environment["pytest_cov"], xdist=environment["xdist"]
    )
    table = mutmut_config.settings(
        plan.user,
        source=request.source,
        tests=request.tests,
        mutate=plan.mutate,
        also_copy=mutmut_config.copy_roots(plan.files, request.source),
        pytest_args=[*neutralise, *request.pytest_args, *diagnosis.TRACE_ARGS],
    )
    mutmut_config.write_settings(workspace.project, table)
    return table


def _usable(path: str, plan: Plan, found: Mapping[str, Any]) -> bool:
    """A cached probe answer that reads as the probe writes it; a damaged one is a miss."""
    try:
        mutmut_adapter.file_mutants(path, plan.sources[path], found)
        generated = found.get("generated", {})
        return isinstance(generated, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in generated.items()
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return False


def _progress_base(cached: Sequence[Mutant], total: int) -> ProgressBase:
    return ProgressBase(
        done=len(cached),
        total=total,
        killed=sum(m.status == "killed" for m in cached),
        survived=sum(m.status == "survived" for m in cached),
    )


class Standby:
    """A workspace and a mutmut interpreter, started ahead of the stage.

    `check` starts one before its coverage run when a changed file's layer has a
    mutation target: the interpreter's start and its imports of mutmut, libcst and
    pytest (about 0.6 s) then happen on the core the test run leaves free. One stage
    takes it (`run_mutation(..., standby=)`); leaving the `with` block kills the
    interpreter and removes the workspace, whether a stage ran or not. The stage's own
    time budget still starts when the stage does; `timeout` here only sets the hang
    limit the interpreter's test runs are given, which depends on nothing else."""

    def __init__(self, root: Path, python: str, timeout: float, keep_workspace: bool) -> None:
        self.key = (root, python, timeout, keep_workspace)
        self.taken = False
        self.spoiled = False  # its early probe was for other files: the workspace holds it
        self._early: _Early | None = None
        self._stack = contextlib.ExitStack()
        try:
            self.workspace = self._stack.enter_context(temporary_workspace(root, keep_workspace))
            session = start_session(self.workspace, python, Budget(timeout), 0)
            self.session: MutmutSession = self._stack.enter_context(session)
        except BaseException:
            self._stack.close()
            raise

    @classmethod
    def of(cls, request: MutationRequest) -> Standby:
        return cls(request.root, request.python, request.timeout, request.keep_workspace)

    def take(self, request: MutationRequest) -> bool:
        """True (once) when this standby was started for what `request` asks."""
        asked = (request.root, request.python, request.timeout, request.keep_workspace)
        fits = not self.taken and self.key == asked
        self.taken = self.taken or fits
        return fits

    def probe_early(
        self, request: MutationRequest, lines: Callable[[], Mapping[str, frozenset[int]]]
    ) -> None:
        """Copy the project and generate the mutants of the lines `lines()` gives (`check`:
        the changed statements, before the coverage run can narrow them), in a thread,
        while the tests run under coverage on the other core. `request` holds the rest.
        The stage takes the answer when it asks for its own lines of the same files
        (`probed_for`); a QualityGateError from `lines` only means no early probe."""
        if self._early is None:
            self._early = _Early(request, lines, self)
            self._early.thread.start()

    def probed_for(self, plan: Plan) -> _Early | None:
        """The early probe, when it was made for `plan`'s files and request and for lines
        that hold `plan`'s (its failure, then, raised here); else None, and `spoiled`
        when one ran for anything else."""
        early = self._early
        if early is None:
            return None
        early.thread.join()
        if early.stage is None and early.error is None:  # it found nothing to probe:
            return None  # the workspace and the interpreter are as they started
        if not early.fits(plan):
            self.spoiled = True
            return None
        if early.error is not None:
            raise early.error
        return early

    def __enter__(self) -> Standby:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._early is not None:  # the session dies first: an early probe then stops
            self.session.close()
            self._early.thread.join()
        self._stack.close()


class _Early:
    """A probe started ahead of the stage (`Standby.probe_early`), in a thread of its own;
    the main thread reads it only once the thread has ended."""

    def __init__(
        self,
        request: MutationRequest,
        lines: Callable[[], Mapping[str, frozenset[int]]],
        standby: Standby,
    ) -> None:
        self.request, self.lines, self.standby = request, lines, standby
        self.stage: _Stage | None = None
        self.probed: dict[str, dict[str, Any]] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="qualitygate-probe", daemon=True)

    def _run(self) -> None:
        try:
            changed = {path: lines for path, lines in self.lines().items() if lines}
        except QualityGateError:  # a file that does not parse: the run says so, in its place
            return
        try:
            budget = Budget(self.request.timeout)
            self.request = replace(self.request, changed_lines=changed)
            plan = _plan(self.request, changed, budget)
            if plan.mutate:
                stage = _Stage(plan, self.standby.workspace, budget, self.standby.session)
                stage.start()
                self.probed = stage.probe()
                self.stage = stage
        except BaseException as exc:  # raised where the stage takes it
            self.error = exc

    def fits(self, plan: Plan) -> bool:
        ours = self.stage.plan if self.stage is not None else None
        if ours is None:
            return self.error is not None and self._same_request(plan)
        return (
            self._same_request(plan)
            and ours.mutate == plan.mutate
            and ours.files == plan.files
            and ours.user == plan.user
            and all(ours.sources[p] == plan.sources[p] for p in plan.mutate)
            and all(plan.changed[p] <= ours.changed[p] for p in plan.mutate)
        )

    def _same_request(self, plan: Plan) -> bool:
        asked = plan.request
        return replace(self.request, changed_lines=asked.changed_lines, test_map=None) == replace(
            asked, test_map=None
        )


class _Stage:
    """One run of the stage, in one temporary workspace, with one mutmut interpreter."""

    def __init__(
        self, plan: Plan, workspace: Workspace, budget: Budget, session: MutmutSession
    ) -> None:
        self.plan, self.workspace, self.budget = plan, workspace, budget
        self.session = session
        self.environment: dict[str, Any] = {}
        self.table: dict[str, Any] | None = None
        self.salt = ""
        self.probed_now: set[str] = set()  # files whose mutants the probe wrote in mutants/

    def prepared(self) -> dict[str, Any]:
        if self.table is None:
            self.table = _prepare(self.workspace, self.plan, self.environment)
        return self.table

    def start(self) -> None:
        self.environment = self.session.environment(self.budget)
        version = mutmut_adapter.check_version(self.environment, self.plan.request.python)
        self.salt = f"{version}\0{json.dumps(self.plan.user, sort_keys=True, default=str)}"

    def probe(self) -> dict[str, dict[str, Any]]:
        """The probe's answer for each file to mutate, from the generation cache or mutmut."""
        plan = self.plan
        cache = GenerationCache(plan.request.cache_dir, self.salt)
        keys = {
            p: cache.key(p, plan.sources[p].encode("utf-8"), plan.changed[p]) for p in plan.mutate
        }
        probed = {
            p: found
            for p in plan.mutate
            if (found := cache.lookup(keys[p])) is not None and _usable(p, plan, found)
        }
        missing = {p: sorted(plan.changed[p]) for p in plan.mutate if p not in probed}
        if missing:
            self.prepared()
            fresh = self.session.probe(missing, self.budget)["files"]
            for path in missing:
                cache.store(keys[path], fresh[path])
                probed[path] = fresh[path]
            self.probed_now = set(missing)
        cache.prune()
        return probed

    def run(
        self,
        misses: Sequence[MutantSpec],
        cached: Sequence[Mutant],
        probed: Mapping[str, Mapping[str, Any]],
        progress: Progress | None,
        statistics: Mapping[str, Any] | None,
        left_out: Sequence[str] = (),
    ) -> tuple[MutmutResults, tuple[str, ...]]:
        table = self.prepared()
        generated = {p: f["generated"] for p, f in probed.items() if "generated" in f}
        for path, files in generated.items():  # cached output of the probe: put it in place
            if path not in self.probed_now:
                mutmut_adapter.restore(self.workspace.project, path, files)
        job = MutmutJob(
            workspace=self.workspace,
            python=self.plan.request.python,
            names=tuple(s.name for s in misses),
            paths=tuple(sorted({s.path for s in misses})),
            workers=self.plan.request.workers,
            table=table,
            budget=self.budget,
            generated=generated,
            seed=statistics,
        )
        base = _progress_base(cached, len(misses) + len(cached))
        return run_mutants(job, self.session, base, progress, left_out)


def _outcome(
    mutants: Sequence[Mutant], scoped: Scoped, excluded: tuple[str, ...], executed: int
) -> MutationOutcome:
    every = (*mutants, *scoped.accepted)
    ordered = tuple(sorted(every, key=lambda m: (m.path, m.line, m.name)))
    return MutationOutcome(
        mutants=ordered,
        not_testable=scoped.not_testable,
        excluded_tests=excluded,
        executed=executed,
        arid=scoped.arid,
        expired=scoped.expired,
    )


def _report_done(progress: Progress | None, mutants: Sequence[Mutant]) -> None:
    if progress:
        killed = sum(m.status == "killed" for m in mutants)
        survived = sum(m.status == "survived" for m in mutants)
        progress(len(mutants), len(mutants), killed, survived)


def run_mutation(
    request: MutationRequest,
    progress: Progress | None = None,
    kept: Callable[[Path], None] | None = None,
    steps: Callable[[str], None] = lambda text: None,
    standby: Standby | None = None,
) -> MutationOutcome:
    """Mutation-test the changed lines; see the package docstring. `steps` is told each
    step of the set-up, before the mutants run (`progress`). `standby`: a workspace and
    interpreter started for this request ahead of time, used instead of new ones."""
    changed = {path: lines for path, lines in request.changed_lines.items() if lines}
    if not changed:
        return MutationOutcome(mutants=(), not_testable=(), excluded_tests=(), executed=0)
    budget = Budget(request.timeout)
    plan = _plan(request, changed, budget)
    if not plan.mutate:
        return _outcome((), _scope(plan, {}), (), 0)
    with contextlib.ExitStack() as own:
        early = None
        usable = standby is not None and standby.take(request)
        if standby is not None and usable:
            early = standby.probed_for(plan)
            usable = not standby.spoiled
        if standby is None or not usable:
            standby = own.enter_context(Standby.of(request))
        workspace = standby.workspace
        if request.keep_workspace and kept is not None:
            kept(workspace.project)
        count = len(plan.mutate)
        files = f"{count} file{'s' * (count != 1)}"
        wider: Mapping[str, frozenset[int]] | None = None
        if early is not None and early.stage is not None:  # else it raised its error
            stage = early.stage
            steps(f"Mutation: the mutants of {files}, generated while the tests ran")
            probed, wider = early.probed, stage.plan.changed
        else:
            steps("Mutation: copying the project to a workspace")
            stage = _Stage(plan, workspace, budget, standby.session)
        with stage.session:
            if wider is None:
                steps("Mutation: starting mutmut")
                stage.start()
                steps(f"Mutation: generating the mutants of {files}")
                probed = stage.probe()
            scoped = _scope(plan, probed, wider)
            suite = TestSuite.of(request.root, plan.files, request.tests, request.test_files)
            cache = ResultCache(request.cache_dir, f"{stage.salt}\0{request.config_key}")
            hits = {s.name: m for s in scoped.mutants if (m := cache.lookup(s, suite))}
            misses = [s for s in scoped.mutants if s.name not in hits]
            fresh: list[Mutant] = []
            excluded: tuple[str, ...] = ()
            if misses:
                salt = f"{stage.salt}\0{request.config_key}"
                functions = (s.function for s in scoped.mutants)  # mutmut's trampolines
                left = LeftOutTests(request.cache_dir, salt, suite, functions)
                remembered = left.load()
                statistics = seed.seed(misses, plan.sources, plan.user, request.test_map)
                statistics = seed.without(statistics, remembered)
                where = "from the coverage run" if statistics else "by mutmut"
                if remembered:
                    count = len(remembered)
                    steps(
                        f"Mutation: leaving out {count} test{'s' * (count != 1)} that "
                        "failed under mutmut in an earlier run"
                    )
                steps(
                    f"Mutation: test statistics {where}, "
                    f"then {len(misses)} mutants ({len(hits)} cached)"
                )
                results, excluded = stage.run(
                    misses, list(hits.values()), probed, progress, statistics, remembered
                )
                left.save(excluded)
                fresh = [_mutant(spec, results) for spec in misses]
                cache.store({s.name: s for s in misses}, fresh, suite)
    cache.prune()
    cache.save()
    mutants = [*hits.values(), *fresh]
    survivors = [m for m in mutants if m.status in UNDETECTED]
    accepted.remember(request.cache_dir, scoped.mutants, survivors)
    _report_done(progress, mutants)
    return _outcome(mutants, scoped, excluded, len(fresh))
