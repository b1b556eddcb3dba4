"""The mutation stage: changed lines in, verdicts per mutant out.

list files -> copy the project -> probe: mutmut's mutants of the changed files
-> keep the mutants on changed lines; the other changed lines are "not testable"
-> verdicts from the cache -> `mutmut run` for the rest -> cache -> outcome
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from qualitygate.mutation import mutmut_adapter, mutmut_config, pytest_options, scope
from qualitygate.mutation.cache import ResultCache, TestSuite
from qualitygate.mutation.model import (
    FileMutants,
    Mutant,
    MutantSpec,
    MutationOutcome,
    MutationRequest,
    MutmutResults,
    NotTestable,
)
from qualitygate.mutation.runner import MutmutJob, ProgressBase, run_mutants
from qualitygate.mutation.workspace import Workspace, isolated_copy, project_files

OUTSIDE_SOURCE = "outside the source folders"
NOT_IN_PROJECT = "file not in the working tree"
EXCLUDED_BY_ONLY_MUTATE = "excluded by [tool.mutmut] only_mutate"


@dataclass(frozen=True)
class Scoped:
    """The changed files, split into mutants to run and lines mutmut cannot test."""

    mutants: tuple[MutantSpec, ...]
    not_testable: tuple[NotTestable, ...]


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


def _unplaced_lines(
    path: str, source: str, lines: frozenset[int], placed: set[int], file_reason: str | None
) -> list[NotTestable]:
    found = []
    for line in sorted(lines - placed):
        reason = scope.untestable_reason(source, line)
        if reason is not None:
            found.append(NotTestable(path=path, line=line, reason=file_reason or reason))
    return found


def _scope(
    workspace: Workspace,
    request: MutationRequest,
    files: set[str],
    probed: Mapping[str, Any],
    skipped: Mapping[str, str],
) -> Scoped:
    mutants: list[MutantSpec] = []
    not_testable: list[NotTestable] = []
    for path, lines in sorted(request.changed_lines.items()):
        source = (workspace.project / path).read_text(encoding="utf-8") if path in files else ""
        if path in skipped:
            file = FileMutants(path=path, mutants=(), not_mutated_reason=skipped[path])
        else:
            file = mutmut_adapter.file_mutants(path, source, probed["files"][path])
        on_lines = [spec for spec in file.mutants if spec.line in lines]
        mutants += on_lines
        placed = {spec.line for spec in on_lines}
        not_testable += _unplaced_lines(path, source, lines, placed, file.not_mutated_reason)
    return Scoped(mutants=tuple(mutants), not_testable=tuple(not_testable))


def _mutant(spec: MutantSpec, results: MutmutResults) -> Mutant:
    return Mutant(
        path=spec.path,
        line=spec.line,
        status=results.status_by_name[spec.name],
        diff=spec.diff,
        tests=results.tests_by_function.get(spec.function, ()),
        name=spec.name,
    )


def _table(
    workspace: Workspace,
    request: MutationRequest,
    files: Sequence[str],
    mutate: Sequence[str],
    pytest_args: Sequence[str],
) -> dict[str, Any]:
    return mutmut_config.settings(
        mutmut_config.user_settings(workspace.project),
        source=request.source,
        tests=request.tests,
        mutate=mutate,
        also_copy=mutmut_config.copy_roots(files, request.source),
        pytest_args=pytest_args,
    )


def run_mutation(
    request: MutationRequest, progress: Callable[[int, int, int, int], None] | None = None
) -> MutationOutcome:
    """Mutation-test the changed lines; see the package docstring."""
    changed = {path: lines for path, lines in request.changed_lines.items() if lines}
    if not changed:
        return MutationOutcome(mutants=(), not_testable=(), excluded_tests=(), executed=0)
    files = project_files(request.root, request.timeout)
    listed = set(files)
    with isolated_copy(request.root, files) as workspace:
        user = mutmut_config.user_settings(workspace.project)
        skipped = {p: r for p in changed if (r := _skip_reason(p, listed, request.source, user))}
        mutate = sorted(set(changed) - set(skipped))
        mutmut_config.write_settings(
            workspace.project, _table(workspace, request, files, mutate, [])
        )
        probed = mutmut_adapter.probe(
            workspace, request.python, {path: changed[path] for path in mutate}, request.timeout
        )
        scoped = _scope(workspace, request, listed, probed, skipped)
        suite = TestSuite.of(request.root, files, request.tests)
        cache = ResultCache(request.cache_dir, f"{probed['mutmut_version']}\0{request.config_key}")
        hits = {spec.name: m for spec in scoped.mutants if (m := cache.lookup(spec, suite))}
        misses = [spec for spec in scoped.mutants if spec.name not in hits]
        fresh: list[Mutant] = []
        excluded: tuple[str, ...] = ()
        if misses:
            neutralise = pytest_options.neutralising_args(
                workspace.project, pytest_cov=probed["pytest_cov"], xdist=probed["xdist"]
            )
            job = MutmutJob(
                workspace=workspace,
                python=request.python,
                names=tuple(s.name for s in misses),
                paths=tuple(sorted({s.path for s in misses})),
                workers=request.workers,
                table=_table(workspace, request, files, mutate, neutralise),
                timeout=request.timeout,
            )
            cached = list(hits.values())
            base = ProgressBase(
                done=len(cached),
                total=len(scoped.mutants),
                killed=sum(m.status == "killed" for m in cached),
                survived=sum(m.status == "survived" for m in cached),
            )
            results, excluded = run_mutants(job, base, progress)
            fresh = [_mutant(spec, results) for spec in misses]
            cache.store({s.name: s for s in misses}, fresh, suite)
            cache.save()
    by_name = {**hits, **{m.name: m for m in fresh}}
    mutants = tuple(sorted(by_name.values(), key=lambda m: (m.path, m.line, m.name)))
    if progress:
        progress(
            len(mutants),
            len(mutants),
            sum(m.status == "killed" for m in mutants),
            sum(m.status == "survived" for m in mutants),
        )
    return MutationOutcome(
        mutants=mutants,
        not_testable=scoped.not_testable,
        excluded_tests=excluded,
        executed=len(fresh),
    )
