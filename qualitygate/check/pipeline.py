"""The `check` pipeline: diff -> changed modules -> layers -> coverage -> mutation -> rules.

Each stage takes and returns qualitygate's own frozen data; the adapters
(`diff`, `coverage_data`, `testrun`, `mutation`) keep third-party types to
themselves.
"""

from __future__ import annotations

import ast
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from qualitygate.check import shard
from qualitygate.errors import UsageError
from qualitygate.gate import ratchet, rules
from qualitygate.measure import coverage_data, testrun
from qualitygate.model import ChangedFile, CheckResult, FileCoverage, FileResult, LayerFigures
from qualitygate.mutation.model import (
    Mutant,
    MutationOutcome,
    MutationRequest,
    NotTestable,
)
from qualitygate.project import diff, git
from qualitygate.project.config import Config, Layer
from qualitygate.project.diff import DiffSpec
from qualitygate.project.layers import in_folders, layer_of

TEST_FILE_NAMES = ("test_*.py", "*_test.py", "conftest.py")


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
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


class Progress:
    """What the pipeline tells the user while it works; the CLI draws it."""

    def stage(self, text: str) -> None:
        pass

    def mutants(self, done: int, total: int, killed: int, survived: int) -> None:
        pass


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


def is_test_file(path: str, config: Config) -> bool:
    name = Path(path).name
    return in_folders(path, config.tests) or any(Path(name).match(p) for p in TEST_FILE_NAMES)


def source_files(root: Path, config: Config) -> list[str]:
    """Every Python file under `source`, tests excluded, as git sees the working tree."""
    folders = config.source or (".",)
    return [
        path
        for path in git.tracked_files(root)
        if path.endswith(".py") and in_folders(path, folders) and not is_test_file(path, config)
    ]


def gather_coverage(
    options: CheckOptions, files: list[str], progress: Progress
) -> tuple[dict[str, FileCoverage], str]:
    cfg = options.config
    if not options.coverage:
        return coverage_data.file_coverage(options.root, files, {}), "not measured"
    if options.coverage_file is not None:
        progress.stage(f"Reading coverage from {options.coverage_file}")
        measured = coverage_data.read_data_file(options.coverage_file)
        source = str(options.coverage_file)
    else:
        progress.stage("Running the tests under coverage")
        python = cfg.python or _default_python()
        run = testrun.run_tests(
            options.root, python, cfg.source, cfg.tests, cfg.timeout, cfg.pytest_args
        )
        measured, source = run.measured, "pytest"
    return coverage_data.file_coverage(options.root, files, measured), source


def _default_python() -> str:
    return sys.executable


def function_spans(source: str) -> list[tuple[int, int]]:
    """(first, last) line of each function in a module, innermost last."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def nearby_tests(root: Path, cov: FileCoverage, lines: Iterable[int]) -> tuple[str, ...]:
    """Tests that run other lines of the functions holding `lines` (or lines close by)."""
    wanted = set(lines)
    if not wanted or not cov.tests_by_line:
        return ()
    spans = function_spans((root / cov.path).read_text(errors="replace"))
    near: set[int] = set()
    for line in wanted:
        inside = [s for s in spans if s[0] <= line <= s[1]]
        first, last = min(inside, key=lambda s: s[1] - s[0]) if inside else (line - 3, line + 3)
        near.update(range(first, last + 1))
    tests = {t.split("[", 1)[0] for line in near for t in cov.tests_by_line.get(line, ())}
    return tuple(sorted(tests))  # parametrized cases as their one test function


def mutate(
    options: CheckOptions,
    changed: list[ChangedFile],
    cov: Mapping[str, FileCoverage],
    progress: Progress,
) -> MutationOutcome | None:
    """Mutation testing of the changed statements of layers with a mutation target."""
    cfg = options.config
    targets = {
        c.path: c.lines & cov[c.path].statements
        for c in changed
        if c.path in cov and layer_of(c.path, cfg).min_mutation_score > 0
    }
    targets = {path: lines for path, lines in targets.items() if lines}
    if options.shard is not None:
        spans = {p: function_spans((options.root / p).read_text(errors="replace")) for p in targets}
        targets = shard.select(targets, spans, options.shard)
    if not options.mutation or not targets:
        return None
    progress.stage("Mutation testing the changed lines")
    request = MutationRequest(
        root=options.root,
        changed_lines=targets,
        source=cfg.source or (".",),
        tests=cfg.tests,
        python=cfg.python or _default_python(),
        workers=options.workers,
        timeout=cfg.timeout,
        cache_dir=git.git_dir(options.root) / "qualitygate" / "mutation",
        config_key=repr((cfg.source, cfg.tests, cfg.timeout)),
    )
    from qualitygate.mutation import run_mutation

    return run_mutation(request, progress.mutants)


def file_results(
    root: Path,
    changed: list[ChangedFile],
    cov: Mapping[str, FileCoverage],
    config: Config,
    outcome: MutationOutcome | None,
    coverage_on: bool = True,
) -> tuple[FileResult, ...]:
    mutants: dict[str, list[Mutant]] = defaultdict(list)
    untestable: dict[str, list[NotTestable]] = defaultdict(list)
    for m in outcome.mutants if outcome else ():
        mutants[m.path].append(m)
    for n in outcome.not_testable if outcome else ():
        untestable[n.path].append(n)
    results = []
    for c in changed:
        fc = cov.get(c.path)
        lines = sorted(c.lines & fc.statements) if fc else []
        missing = [n for n in lines if fc and n not in fc.executed] if coverage_on else []
        results.append(
            FileResult(
                path=c.path,
                layer=layer_of(c.path, config).name,
                status=c.status,
                changed_lines=tuple(lines),
                uncovered_changed_lines=tuple(missing),
                measured=bool(fc and fc.executed) or not coverage_on,
                old_path=c.old_path,
                nearby_tests=nearby_tests(root, fc, missing) if fc and missing else (),
                mutants=tuple(sorted(mutants[c.path], key=lambda m: (m.line, m.name))),
                not_testable=tuple(sorted(untestable[c.path], key=lambda n: n.line)),
            )
        )
    return tuple(results)


def layer_figures(
    config: Config,
    cov: Mapping[str, FileCoverage],
    files: Iterable[FileResult],
    mutation_ran: bool,
    coverage_on: bool = True,
) -> list[LayerFigures]:
    """Figures per layer, in declared order, then the catch-all layer when it has files."""
    totals: dict[str, dict[str, int]] = {
        layer.name: defaultdict(int) for layer in (*config.layers, config.other)
    }
    for fc in cov.values():
        t = totals[layer_of(fc.path, config).name]
        t["files"] += 1
        t["statements"] += len(fc.statements)
        t["covered"] += len(fc.executed)
    for f in files:
        t = totals[f.layer]
        t["changed_files"] += 1
        t["changed_lines"] += len(f.changed_lines)
        t["uncovered_changed_lines"] += len(f.uncovered_changed_lines)
        t["mutants_detected"] += f.mutants_detected
        t["mutants_undetected"] += f.mutants_undetected
    figures = []
    for name, t in totals.items():
        if name == config.other.name and not t["files"] and not t["changed_files"]:
            continue
        layer = next(la for la in (*config.layers, config.other) if la.name == name)
        ran = mutation_ran and layer.min_mutation_score > 0 and t["changed_lines"] > 0
        figures.append(
            LayerFigures(name=name, mutation_ran=ran, coverage_measured=coverage_on, **t)
        )
    return figures


def run_check(options: CheckOptions, progress: Progress | None = None) -> CheckResult:
    progress = progress or Progress()
    cfg, root = options.config, options.root
    progress.stage("Reading the change")
    spec = resolve_diff(root, cfg, options.base, options.staged, options.env)
    folders = cfg.source or (".",)
    changed = [
        c
        for c in diff.changed_files(root, spec)
        if in_folders(c.path, folders) and not is_test_file(c.path, cfg)
    ]
    files = sorted(
        set(source_files(root, cfg)) | {c.path for c in changed if c.status != "deleted"}
    )
    cov, cov_source = gather_coverage(options, files, progress)
    outcome = mutate(options, changed, cov, progress)
    results = file_results(root, changed, cov, cfg, outcome, options.coverage)
    layers: dict[str, Layer] = {layer.name: layer for layer in (*cfg.layers, cfg.other)}
    figures = layer_figures(cfg, cov, results, outcome is not None, options.coverage)
    verdicts = rules.evaluate(figures, layers, rules.skipped(options.mutation, options.coverage))
    baseline = ratchet.read(root / cfg.baseline)
    verdicts = tuple(
        replace(
            v, rules=v.rules + ratchet.rules(v.name, {"coverage": v.figures.coverage}, baseline)
        )
        for v in verdicts
    )
    return CheckResult(
        base=spec.label,
        head=git.head(root),
        files=results,
        coverage_source=cov_source,
        layers=verdicts,
        mutation="ran" if outcome else ("off" if not options.mutation else "skipped"),
        excluded_tests=outcome.excluded_tests if outcome else (),
        mutants_executed=outcome.executed if outcome else 0,
        shard=options.shard,
    )
