"""The `report` pipeline: every source file -> layers -> shape and test imports -> coverage
with test contexts (unless --no-run) -> status, estimate, priority, test path -> gate.

It shares its stages with `check` (source and test files from `project`, one test run
under coverage from `measure`, layer figures from `gate`) and adds what a
whole-repository report needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from qualitygate.gate import ratchet
from qualitygate.gate.figures import layer_figures
from qualitygate.measure import selection
from qualitygate.measure.coverage_data import StatementParser
from qualitygate.measure.gather import Gathered, gather_coverage, with_pytest_layout
from qualitygate.model import FileCoverage
from qualitygate.progress import Progress
from qualitygate.project import git
from qualitygate.project.config import Config, Layer, check_source
from qualitygate.project.files import is_test_file, source_files
from qualitygate.project.layers import layer_of
from qualitygate.project.priority import PrioritySettings, check_layer_names, describe, priority_of
from qualitygate.report import imports, placement
from qualitygate.report.model import (
    RUN,
    STATIC,
    UNTESTED,
    LayerReport,
    ModuleReport,
    Report,
    layer_rules,
    missing_tests,
    module_status,
    worst_first,
)
from qualitygate.report.module_shape import ModuleShape, module_shape


@dataclass(frozen=True)
class ReportOptions:
    root: Path
    config: Config
    run_tests: bool = True
    coverage_file: Path | None = None
    generated: str = ""


@dataclass(frozen=True)
class ModuleFacts:
    """What is known about one module before it is judged."""

    path: str
    layer: str
    shape: ModuleShape
    importing_tests: frozenset[str]
    coverage: FileCoverage | None
    ran_test_files: frozenset[str] = frozenset()  # test files with a test in the run


def _read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8", errors="replace")


def test_file_of(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def judge(facts: ModuleFacts, settings: PrioritySettings) -> ModuleReport:
    """Status, estimate and priority of one module."""
    shape, cov = facts.shape, facts.coverage
    dynamic = cov is not None and cov.has_contexts
    tested = cov.tested if cov is not None else frozenset()
    running = sorted({t for ts in cov.tests_by_line.values() for t in ts}) if cov else []
    if shape.functions:
        exercised = any(f.runs_any(tested) for f in shape.functions)
    else:
        exercised = bool(tested)
    status = module_status(
        bool(facts.importing_tests),
        bool(running) if dynamic else None,
        bool(shape.functions),
        exercised,
        bool(facts.importing_tests & facts.ran_test_files),
    )
    public = shape.public_functions
    if dynamic:
        unexercised = tuple(f.name for f in public if not f.runs_any(tested))
    else:
        unexercised = tuple(f.name for f in public) if status == UNTESTED else ()
    mode = RUN if dynamic else STATIC
    return ModuleReport(
        path=facts.path,
        layer=facts.layer,
        lines=shape.lines,
        status=status,
        priority=priority_of(settings, facts.layer, status, shape.logic_statements),
        missing_tests=missing_tests(status, len(public), len(unexercised), mode),
        public_functions=tuple(f.name for f in public),
        unexercised=unexercised,
        logic_statements=shape.logic_statements,
        importing_tests=tuple(sorted(facts.importing_tests)),
        running_tests=tuple(running),
        statements=len(cov.statements) if cov else None,
        covered=len(cov.executed) if cov else None,
        tested_lines=len(tested) if dynamic else None,
    )


def build_layer(
    layer: Layer, modules: list[ModuleReport], markers: Sequence[ModuleReport] = ()
) -> LayerReport:
    tests = {t for m in modules for t in m.importing_tests}
    tests |= {test_file_of(t) for m in modules for t in m.running_tests}
    report = LayerReport(
        name=layer.name,
        paths=layer.paths,
        modules=tuple(sorted(modules, key=worst_first)),
        test_files=tuple(sorted(tests)),
        rules=(),
        min_coverage=layer.min_coverage,
        min_tested_files=layer.min_tested_files,
        package_markers=tuple(markers),
    )
    return replace(report, rules=layer_rules(report))


def build_report(
    cfg: Config,
    facts: list[ModuleFacts],
    imported: Mapping[str, frozenset[str]],
    mode: str,
    coverage_source: str,
    generated: str,
    skipped: int,
    test_files: frozenset[str] = frozenset(),
) -> Report:
    """The report from what is known about each module. Pure."""
    mappings = placement.learn(imported)
    by_layer: dict[str, list[ModuleReport]] = {}
    markers: dict[str, list[ModuleReport]] = {}
    for f in facts:
        module = judge(f, cfg.priority)
        if f.shape.package_marker:  # counted in the layer's lines, never listed
            markers.setdefault(f.layer, []).append(module)
            continue
        if module.status == UNTESTED:
            where = placement.suggest(f.path, f.layer, mappings, cfg.tests)
            module = replace(module, suggested_test=where, suggested_exists=where in test_files)
        by_layer.setdefault(f.layer, []).append(module)
    layers = tuple(
        build_layer(layer, by_layer[layer.name], markers.get(layer.name, []))
        for layer in (*cfg.layers, cfg.other)
        if by_layer.get(layer.name)
    )
    return Report(layers, mode, coverage_source, describe(cfg.priority), generated, skipped)


def run_report(
    options: ReportOptions,
    progress: Progress | None = None,
    measured: Gathered | None = None,
) -> Report:
    """The report; `measured` is coverage already gathered (the baseline command's)."""
    progress = progress or Progress()
    cfg, root = options.config, options.root
    check_source(root, cfg)
    check_layer_names(cfg.priority, tuple(la.name for la in cfg.layers), cfg.origin)
    pytest_facts = None
    running = measured is None and options.run_tests and options.coverage_file is None
    if running:
        cfg, pytest_facts = with_pytest_layout(root, cfg, progress)
    progress.stage("Reading the sources and the tests' imports")
    tests = [p for p in git.tracked_files(root) if p.endswith(".py") and is_test_file(p, cfg)]
    sources = sorted(source_files(root, cfg))
    parsing = None
    if measured is None and (options.run_tests or options.coverage_file is not None):
        # coverage's statements and the shape of every module, parsed in workers while
        # this process reads the tests' imports and the tests run (one worker then, as
        # the tests keep a core busy)
        parsing = StatementParser(root).in_background(sources, 1 if running else 2, module_shape)
    # a conftest.py holds fixtures: its imports are no test of a module
    test_modules = [t for t in tests if PurePosixPath(t).name != "conftest.py"]
    gathered = Gathered({}, "none")
    with ThreadPoolExecutor(1, thread_name_prefix="qualitygate-imports") as reader:
        reading = reader.submit(imports.importing_tests, root, test_modules, sources, cfg.source)
        if measured is not None:
            gathered = measured
        elif options.run_tests or options.coverage_file is not None:
            hashes = selection.file_hashes(root) if pytest_facts is not None else None
            gathered = gather_coverage(
                root,
                cfg,
                sources,
                progress,
                options.coverage_file,
                facts=pytest_facts,
                parsing=parsing,
            )
            if hashes is not None and pytest_facts is not None:  # seeds test selection
                env, total = pytest_facts.environment, gathered.tests_ran
                selection.store(root, cfg, gathered.files, hashes, env, total)
        imported = reading.result()
    if parsing is not None:
        shapes: dict[str, ModuleShape] = parsing.also()
    else:
        shapes = {rel: module_shape(rel, _read(root, rel)) for rel in sources}
    modules = sorted(rel for rel, shape in shapes.items() if not shape.package_marker)
    cov = {rel: gathered.files[rel] for rel in shapes if rel in gathered.files}
    source = gathered.source
    mode = RUN if any(c.has_contexts for c in cov.values()) else STATIC
    ran = gathered.test_files
    facts = [
        ModuleFacts(
            rel,
            layer_of(rel, cfg).name,
            shapes[rel],
            imported.get(rel, frozenset()),
            cov.get(rel),
            ran,
        )
        for rel in sorted(shapes)
    ]
    report = build_report(
        cfg,
        facts,
        imported,
        mode,
        source,
        options.generated,
        len(shapes) - len(modules),
        frozenset(tests),
    )
    return with_baseline(report, ratchet.read(root / cfg.baseline))


def with_baseline(report: Report, baseline: ratchet.Baseline) -> Report:
    """Each layer also may not drop below its recorded tested coverage and tested files.

    The baseline holds figures from a run of the tests; a static report (imports only)
    measures neither, so its rules say so instead of comparing unlike figures.
    """
    layers = []
    for layer in report.layers:
        figures = ratchet_figures(layer) if report.mode == RUN else dict.fromkeys(ratchet.REPORT)
        layers.append(
            replace(layer, rules=layer.rules + ratchet.rules(layer.name, figures, baseline))
        )
    return replace(report, layers=tuple(layers))


def ratchet_figures(layer: LayerReport) -> dict[str, float | None]:
    return {"tested_coverage": layer.tested_coverage, "tested_files": layer.tested_files_ratio}


def measure_baseline(
    root: Path, cfg: Config, coverage_file: Path | None, progress: Progress
) -> ratchet.Baseline:
    """Every layer's ratchet figures from one run of the tests under coverage: line
    coverage measured as `check` measures it, tested figures as `report` does."""
    facts = None
    if coverage_file is None:
        cfg, facts = with_pytest_layout(root, cfg, progress)
    files = source_files(root, cfg)
    gathered = gather_coverage(root, cfg, files, progress, coverage_file, facts=facts)
    cov = gathered.files
    report = run_report(ReportOptions(root=root, config=cfg), progress, gathered)
    layers: dict[str, dict[str, float]] = {}
    for figures in layer_figures(cfg, cov, (), mutation_ran=False):
        if figures.coverage is not None:
            layers.setdefault(figures.name, {})["coverage"] = figures.coverage
    for layer in report.layers:
        for metric, value in ratchet_figures(layer).items():
            if value is not None:
                layers.setdefault(layer.name, {})[metric] = value
    return ratchet.Baseline(layers)
