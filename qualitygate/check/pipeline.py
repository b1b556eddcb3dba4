"""The `check` pipeline: diff -> changed modules -> layers -> coverage -> mutation -> rules.

Each stage takes and returns qualitygate's own frozen data; the adapters
(`diff`, `coverage_data`, `testrun`, `mutation`) keep third-party types to
themselves.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qualitygate.check import shard
from qualitygate.check.results import file_results
from qualitygate.errors import UsageError
from qualitygate.gate import ratchet, rules
from qualitygate.gate.figures import layer_figures
from qualitygate.measure import selection
from qualitygate.measure.coverage_data import Measured, StatementParser
from qualitygate.measure.gather import Gathered, gather_coverage, python_of, with_pytest_layout
from qualitygate.measure.testrun import PytestFacts
from qualitygate.model import (
    NO_CHANGE,
    NO_MUTATION_TARGET,
    ChangedFile,
    CheckResult,
    FileCoverage,
    TestSelection,
)
from qualitygate.mutation import accepted, scope, seed
from qualitygate.mutation.model import MutationOutcome, MutationRequest, NotTestable, TestMap
from qualitygate.progress import Progress
from qualitygate.project import diff, git
from qualitygate.project.config import Config, Layer, check_source
from qualitygate.project.diff import DiffSpec
from qualitygate.project.files import function_spans, is_test_file, source_files
from qualitygate.project.layers import empty_layers, excluded, in_folders, layer_of

if TYPE_CHECKING:
    from qualitygate.mutation import Standby


@dataclass(frozen=True)
class CheckOptions:
    root: Path
    config: Config
    base: str | None = None
    staged: bool = False
    coverage_file: Path | None = None
    mutation: bool = True
    coverage: bool = True  # False with --mutation-only: no test run under coverage
    shard: tuple[int, int] | None = None  # (K, N): only the Kth of N parts of the mutants
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    keep_workspace: bool = False
    use_cache: bool = True  # False with --no-cache: every verdict from a run of its own
    select: bool = False  # run only the tests a stored map says reach the change
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def resolve_diff(
    root: Path, config: Config, base_flag: str | None, staged: bool, env: Mapping[str, str]
) -> DiffSpec:
    """--base, else pre-commit's refs, else config `base`, else the default branch's merge base."""
    head = git.head(root)
    if staged:
        return DiffSpec(base=head, label="HEAD (staged changes)", mode="staged")
    from_ref, to_ref = env.get("PRE_COMMIT_FROM_REF"), env.get("PRE_COMMIT_TO_REF")
    if base_flag is None and from_ref and to_ref:
        to = git.resolve(root, to_ref, "PRE_COMMIT_TO_REF")
        if to != head:
            raise UsageError(
                f"PRE_COMMIT_TO_REF {to_ref} is not the checked-out commit",
                "qualitygate gates the checked-out tree: check it out first",
            )
        base = git.resolve(root, from_ref, "PRE_COMMIT_FROM_REF")
        return DiffSpec(base=git.merge_base(root, base, to), label=from_ref, mode="range", to=to)
    ref = base_flag or config.base or git.default_branch(root)
    if ref is None:
        raise UsageError(
            "no base to compare against", "pass --base REF or set base in [tool.qualitygate]"
        )
    commit = git.resolve(root, ref)
    return DiffSpec(base=git.merge_base(root, commit, head), label=ref)


def mutate(
    options: CheckOptions,
    changed: list[ChangedFile],
    cov: Mapping[str, FileCoverage],
    progress: Progress,
    test_map: TestMap | None,
    standby: Standby | None,
    cache_dir: Path,
) -> MutationOutcome | None:
    """Mutation testing of the changed statements of layers with a mutation target;
    `standby`, when given, was started for this request (the same root, python, timeout
    and workspace option). `cache_dir`: where the verdicts are kept (`_cache_dir`)."""
    statements = {path: fc.statements for path, fc in cov.items()}
    targets = mutation_targets(options, changed, statements)
    targets, import_only = split_import_time(options.root, targets, cov)
    if options.shard is not None:
        spans = {p: function_spans((options.root / p).read_text(errors="replace")) for p in targets}
        targets = shard.select(targets, spans, options.shard)
    if not options.mutation:
        return None
    if not targets:
        return MutationOutcome((), import_only, (), 0) if import_only else None
    progress.stage("Mutation testing the changed lines")
    from qualitygate.mutation import run_mutation

    def kept(path: Path) -> None:
        progress.stage(f"Keeping the mutation workspace: {path}")

    request = _mutation_request(options, targets, cache_dir, test_map)
    outcome = run_mutation(request, progress.mutants, kept, progress.stage, standby)
    return replace(outcome, not_testable=outcome.not_testable + import_only)


def mutation_targets(
    options: CheckOptions, changed: list[ChangedFile], statements: Mapping[str, frozenset[int]]
) -> dict[str, frozenset[int]]:
    """The changed statements of the files whose layer has a mutation target."""
    cfg = options.config
    targets = {
        c.path: c.lines & statements[c.path]
        for c in changed
        if c.path in statements and layer_of(c.path, cfg).min_mutation_score > 0
    }
    return {path: lines for path, lines in targets.items() if lines}


def _cache_dir(options: CheckOptions, stack: contextlib.ExitStack) -> Path:
    """The repository's verdict cache; with --no-cache, an empty folder for this run."""
    if options.use_cache:
        return git.git_dir(options.root) / "qualitygate" / "mutation"
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qualitygate-no-cache-")))


def _mutation_request(
    options: CheckOptions,
    targets: Mapping[str, frozenset[int]],
    cache_dir: Path,
    test_map: TestMap | None = None,
) -> MutationRequest:
    cfg = options.config
    return MutationRequest(
        root=options.root,
        changed_lines=dict(targets),
        source=cfg.source or (".",),
        tests=cfg.tests,
        python=python_of(cfg),
        workers=options.workers,
        timeout=cfg.timeout,
        cache_dir=cache_dir,
        config_key=repr((cfg.source, cfg.tests, cfg.timeout, cfg.pytest_args)),
        test_files=tuple(p for p in git.tracked_files(options.root) if is_test_file(p, cfg)),
        workspace_include=cfg.workspace_include,
        pytest_args=cfg.pytest_args,
        keep_workspace=options.keep_workspace,
        arid=cfg.arid,
        accepted=accepted.load(options.root / cfg.accepted),
        test_map=test_map,
    )


def _test_map(changed: list[ChangedFile], gathered: Gathered, full_run: bool) -> TestMap | None:
    """What mutmut's statistics run would measure again, from a full run with per-test
    contexts; None after a selected run or from data read from a file (other test ids)."""
    if not full_run:
        return None
    files = [gathered.files[c.path] for c in changed if c.path in gathered.files]
    return seed.test_map(files, gathered.durations)


def split_import_time(
    root: Path, targets: Mapping[str, frozenset[int]], cov: Mapping[str, FileCoverage]
) -> tuple[dict[str, frozenset[int]], tuple[NotTestable, ...]]:
    """The targets without the lines of functions that run only at import time, and those
    lines as not mutation-testable. Needs per-test coverage: without it nothing is split."""
    kept: dict[str, frozenset[int]] = {}
    found: list[NotTestable] = []
    for path, lines in targets.items():
        fc = cov[path]
        spans = []
        if fc.has_contexts:
            source = (root / path).read_text(encoding="utf-8", errors="replace")
            spans = scope.import_time_only(source, fc.executed, fc.tested)
        inside = {n for n in lines if any(a <= n <= b for a, b in spans)}
        found += [NotTestable(path, n, scope.IMPORT_TIME_ONLY) for n in sorted(inside)]
        if lines - inside:
            kept[path] = lines - inside
    return kept, tuple(found)


def _no_change(options: CheckOptions, spec: DiffSpec) -> CheckResult:
    """The verdict on a change with no Python source file in it (or only test files):
    every rule passes as not applying, and nothing was run."""
    cfg = options.config
    layers = {layer.name: layer for layer in (*cfg.layers, cfg.other)}
    figures = layer_figures(cfg, {}, (), mutation_ran=False, coverage_on=False)
    skipped = dict.fromkeys(("coverage", "diff_coverage", "mutation_score"), NO_CHANGE)
    return CheckResult(
        base=spec.label,
        head=git.head(options.root),
        files=(),
        coverage_source=NO_CHANGE,
        layers=rules.evaluate(figures, layers, skipped),
        mutation="skipped",
        shard=options.shard,
    )


def run_check(
    options: CheckOptions,
    progress: Progress | None = None,
    reading: Callable[[], dict[str, Measured]] | None = None,
) -> CheckResult:
    """The verdict on the change. `reading`: options.coverage_file, being read since the
    caller started it (`reading.read_in_background`, as the check command does before
    it imports this module); else the file is read when the coverage is gathered."""
    progress = progress or Progress()
    cfg, root = options.config, options.root
    check_source(root, cfg)
    progress.stage("Reading the change")
    spec = resolve_diff(root, cfg, options.base, options.staged, options.env)
    folders = cfg.source or (".",)
    in_source = [
        c
        for c in diff.changed_files(root, spec)
        if in_folders(c.path, folders) and not excluded(c.path, cfg)
    ]
    facts = None
    needs_pytest = options.mutation or (options.coverage and options.coverage_file is None)
    if in_source and needs_pytest:
        cfg, facts = with_pytest_layout(root, cfg, progress)
        options = replace(options, config=cfg)
    changed = [c for c in in_source if not is_test_file(c.path, cfg)]
    if not changed:  # nothing to gate: no test run, no mutant, at once
        progress.stage("No Python change to gate")
        return _no_change(options, spec)
    with contextlib.ExitStack() as stack:
        cache_dir = _cache_dir(options, stack)
        standby = stack.enter_context(_standby(options, changed, cache_dir))
        return _gate(options, spec, changed, facts, progress, standby, cache_dir, reading)


def _standby(
    options: CheckOptions, changed: list[ChangedFile], cache_dir: Path
) -> contextlib.AbstractContextManager[Standby | None]:
    """mutmut's interpreter, started now to import mutmut and libcst while the tests run
    under coverage, when a changed file's layer has a mutation target; it generates the
    mutants of the changed statements meanwhile (the coverage run may narrow them: the
    stage then takes the part it asks for)."""
    cfg = options.config
    wanted = options.mutation and any(
        c.status != "deleted" and layer_of(c.path, cfg).min_mutation_score > 0 for c in changed
    )
    if not wanted:
        return contextlib.nullcontext()
    from qualitygate.mutation import Standby

    python = python_of(cfg)
    standby = Standby(options.root, python, cfg.timeout, options.keep_workspace)
    if options.shard is not None:  # a shard's part of the mutants is known after the run
        return standby

    def statements() -> dict[str, frozenset[int]]:
        present = [c.path for c in changed if c.status != "deleted"]
        parsed = StatementParser(options.root).statements(present, parallel=False)
        return mutation_targets(options, changed, parsed)

    try:
        standby.probe_early(_mutation_request(options, {}, cache_dir), statements)
    except BaseException:
        standby.__exit__(None, None, None)
        raise
    return standby


def _gate(
    options: CheckOptions,
    spec: DiffSpec,
    changed: list[ChangedFile],
    facts: PytestFacts | None,
    progress: Progress,
    standby: Standby | None,
    cache_dir: Path,
    reading: Callable[[], dict[str, Measured]] | None,
) -> CheckResult:
    """The coverage of the change, its mutants and the verdicts of its layers."""
    cfg, root = options.config, options.root
    files = sorted(
        set(source_files(root, cfg)) | {c.path for c in changed if c.status != "deleted"}
    )
    chosen, hashes = None, None
    stores = options.use_cache and options.coverage and options.coverage_file is None
    # a map is kept up to date where there is one (the commit hook's first run stores
    # it). Each test's lines of the changed files, all the verdicts need, go into
    # coverage's data; with a map to store, the plugin records every other file's per
    # test as well, outside coverage's data (a flush per test was a tenth of a real
    # library's run). With no map, as on CI's fresh clone, nothing more is recorded.
    stores = stores and (options.staged or options.select or selection.has_map(root))
    if facts is not None and stores:  # --no-cache trusts and writes nothing stored
        hashes = selection.file_hashes(root)
        if options.select:
            progress.stage("Selecting tests by stored coverage")
            gated = {c.path: c.lines for c in changed}
            chosen = selection.select(root, cfg, hashes, facts.environment, gated)
    if chosen is not None and not chosen.full and facts is not None:
        gathered = _selected_run(options, cfg, files, progress, facts, chosen)
    else:
        gathered = gather_coverage(
            root, cfg, files, progress, options.coverage_file, options.coverage, facts,
            reading=reading, per_test=[c.path for c in changed], test_map=hashes is not None,
        )  # fmt: skip
        if hashes is not None and facts is not None:
            selection.store(
                root, cfg, gathered.files, hashes, facts.environment, gathered.tests_ran
            )
    cov, cov_source = gathered.files, gathered.source
    for name in empty_layers(cfg, files):
        progress.stage(f"Layer '{name}' holds no file under source: check its paths")
    full_run = cov_source == "pytest" and (chosen is None or chosen.full)
    test_map = _test_map(changed, gathered, full_run)
    outcome = mutate(options, changed, cov, progress, test_map, standby, cache_dir)
    results = file_results(root, changed, cov, cfg, outcome, options.coverage)
    layers: dict[str, Layer] = {layer.name: layer for layer in (*cfg.layers, cfg.other)}
    figures = layer_figures(cfg, cov, results, outcome is not None, options.coverage)
    skipped = rules.skipped(options.mutation, options.coverage)
    partial = chosen is not None and not chosen.full
    if partial:
        skipped["coverage"] = SELECTED_RUN
    verdicts = rules.evaluate(figures, layers, skipped)
    baseline = ratchet.read(root / cfg.baseline)
    verdicts = tuple(
        replace(
            v,
            rules=v.rules
            + ratchet.rules(
                v.name, {"coverage": None if partial else v.figures.coverage}, baseline
            ),
        )
        for v in verdicts
    )
    mutation_wanted = any(layer.min_mutation_score > 0 for layer in layers.values())
    return CheckResult(
        base=spec.label,
        head=git.head(root),
        files=results,
        coverage_source=cov_source,
        layers=verdicts,
        mutation="ran" if outcome else ("off" if not options.mutation else "skipped"),
        excluded_tests=outcome.excluded_tests if outcome else (),
        arid_mutants=outcome.arid if outcome else (),
        expired_marks=outcome.expired if outcome else (),
        mutation_note="" if mutation_wanted or not options.mutation else NO_MUTATION_TARGET,
        mutants_executed=outcome.executed if outcome else 0,
        shard=options.shard,
        selection=_selection_of(chosen, gathered) if cov_source == "pytest" else None,
    )


SELECTED_RUN = "not measured in a selected run (the whole suite measures it)"


def _selection_of(chosen: selection.Selection | None, gathered: Gathered) -> TestSelection:
    if chosen is None or chosen.full:
        return TestSelection(False, gathered.tests_ran, reason=chosen.reason if chosen else "")
    return TestSelection(True, gathered.tests_ran, chosen.total)


def _selected_run(
    options: CheckOptions,
    cfg: Config,
    files: list[str],
    progress: Progress,
    facts: PytestFacts,
    chosen: selection.Selection,
) -> Gathered:
    """Coverage from the selected tests only, collected from their own files (the whole
    suite is collected when none is selected, or when code that ran only at import time
    changed, so that it runs as in a full run)."""
    return gather_coverage(options.root, cfg, files, progress, None, True, facts, chosen)
