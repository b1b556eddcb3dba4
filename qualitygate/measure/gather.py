"""Coverage for a list of files: read from a data file, or measured by running the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from qualitygate.measure import coverage_data, testrun
from qualitygate.model import FileCoverage
from qualitygate.progress import Progress
from qualitygate.project.config import Config


def gather_coverage(
    root: Path,
    cfg: Config,
    files: list[str],
    progress: Progress,
    coverage_file: Path | None = None,
    measure: bool = True,
) -> tuple[dict[str, FileCoverage], str]:
    """Coverage of `files` and where it came from: `coverage_file`, else a run of the tests
    (none with `measure` off: every file then has its statements and nothing executed)."""
    if not measure:
        return coverage_data.file_coverage(root, files, {}), "not measured"
    if coverage_file is not None:
        progress.stage(f"Reading coverage from {coverage_file}")
        measured = coverage_data.read_data_file(coverage_file)
        source = str(coverage_file)
    else:
        progress.stage("Running the tests under coverage")
        run = testrun.run_tests(
            root, python_of(cfg), cfg.source, cfg.tests, cfg.timeout, cfg.pytest_args
        )
        measured, source = run.measured, "pytest"
    return coverage_data.file_coverage(root, files, measured), source


def python_of(cfg: Config) -> str:
    """The project's interpreter: `python` from the config, else the one running us."""
    return cfg.python or sys.executable
