"""Benchmark: qualitygate's mutation stage against plain mutmut on the same change.

    python benchmarks/mutation.py

Builds a fixture project (6 modules, ~400 lines, a test per function) in a
temporary git repository, changes one line in each of 5 functions across 2
files, then runs and times, side by side:
  1. `mutmut run` over the changed files (what a user would otherwise run),
  2. `mutmut run` restricted to the changed functions (name globs),
  3. qualitygate's run_mutation (cold cache), and again (warm cache).
It checks that every mutant on a changed line gets the same verdict everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualitygate.mutation import (
    MutationRequest,
    mutmut_adapter,
    run_mutation,
)
from tests.fixtures import commit, git, make_repo

MODULES = ("pricing", "stock", "orders", "billing", "shipping", "reports")
FUNCTIONS_PER_MODULE = 8
CHANGED = {"pricing": (1, 3, 5), "orders": (2, 6)}  # module -> function numbers changed
WORKERS = os.cpu_count() or 2

TEMPLATE = '''
def {name}(amount, limit, rate={k}):
    """Step {k} of the {module} rules."""
    total = amount * rate + {k}
    if total >= limit:
        total = total - limit // 2
    elif total < {k}:
        total = total + 1
    values = [total, amount, limit]
    return max(values) - min(values) + (1 if amount > {k} else 0)

'''


def module_source(module: str) -> str:
    body = "".join(
        TEMPLATE.format(name=f"{module}_{i}", module=module, k=i + 2)
        for i in range(FUNCTIONS_PER_MODULE)
    )
    return f'"""The {module} rules."""\n\nDEFAULT_LIMIT = 100\n\n' + body


def test_source(module: str, source: str) -> str:
    namespace: dict[str, object] = {}
    exec(source, namespace)  # expected values, computed from the original code
    lines = [f"from app.{module} import *  # noqa: F403\n\n"]
    for i in range(FUNCTIONS_PER_MODULE):
        name = f"{module}_{i}"
        function = namespace[name]
        cases = [(5, 10), (50, 40)] if i % 3 else [(5, 10)]  # some weaker tests: survivors
        asserts = "".join(
            f"    assert {name}({a}, {b}) == {function(a, b)!r}\n"  # type: ignore[operator]
            for a, b in cases
        )
        lines.append(f"\ndef test_{name}():\n{asserts}\n")
    return "".join(lines)


def build(base: Path) -> tuple[Path, dict[str, frozenset[int]], list[str]]:
    files = {"app/__init__.py": "", "README.md": "fixture\n"}
    for module in MODULES:
        files[f"app/{module}.py"] = module_source(module)
        files[f"tests/test_{module}.py"] = test_source(module, module_source(module))
    root = make_repo(base / "repo", files)
    changed: dict[str, frozenset[int]] = {}
    globs = []
    for module, numbers in CHANGED.items():
        path = root / "app" / f"{module}.py"
        lines = path.read_text().splitlines(keepends=True)
        touched = set()
        for number in numbers:
            index = lines.index(f"def {module}_{number}(amount, limit, rate={number + 2}):\n")
            lines[index + 2] = lines[index + 2].replace("\n", " - limit % 3\n")  # the change
            lines[index + 3] = lines[index + 3].replace(">=", ">")
            touched.update({index + 3, index + 4})
            globs.append(f"app.{module}.x_{module}_{number}__mutmut_*")
        path.write_text("".join(lines))
        (root / "tests" / f"test_{module}.py").write_text(test_source(module, "".join(lines)))
        changed[f"app/{module}.py"] = frozenset(touched)
    commit(root, "change five functions")
    return root, changed, globs


def plain_mutmut(
    root: Path, work: Path, changed: list[str], names: list[str]
) -> tuple[float, dict[tuple[str, int, str], str]]:
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(root, project, ignore=shutil.ignore_patterns(".git"))
    table = {
        "source_paths": ["app"],
        "only_mutate": changed,
        "pytest_add_cli_args_test_selection": ["tests"],
    }
    (project / "pyproject.toml").write_text(
        "[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())
    )
    command = [
        sys.executable,
        "-c",
        mutmut_adapter.RUN_MUTMUT,
        "run",
        "--max-children",
        str(WORKERS),
        *names,
    ]
    started = time.perf_counter()
    subprocess.run(command, cwd=project, check=True, capture_output=True, timeout=900)
    elapsed = time.perf_counter() - started
    return elapsed, verdicts_by_place(project, changed)


def verdicts_by_place(project: Path, paths: list[str]) -> dict[tuple[str, int, str], str]:
    """(path, line, diff) -> status of every mutant mutmut checked in `project`."""
    probe = Path(mutmut_adapter.__file__).with_name("mutmut_probe.py")
    request, result = project / "qg-request.json", project / "qg-result.json"
    request.write_text(json.dumps({"files": paths}))
    subprocess.run(
        [sys.executable, str(probe), str(request), str(result)],
        cwd=project,
        check=True,
        capture_output=True,
    )
    probed = json.loads(result.read_text())
    codes = mutmut_adapter.exit_codes(project, paths)
    found = {}
    for path in paths:
        source = (project / path).read_text()
        for spec in mutmut_adapter.file_mutants(path, source, probed["files"][path]).mutants:
            if codes.get(spec.name) is not None:
                found[(path, spec.line, spec.diff)] = mutmut_adapter.status_of(codes[spec.name])
    return found


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="qualitygate-bench-"))
    try:
        root, changed, globs = build(base)
        lines = sum(len((root / "app" / f"{m}.py").read_text().splitlines()) for m in MODULES)
        print(
            f"fixture: {len(MODULES)} modules, {lines} lines, "
            f"{len(MODULES) * FUNCTIONS_PER_MODULE} tests; "
            f"change: {sum(len(v) for v in CHANGED.values())} functions in {len(CHANGED)} files; "
            f"workers: {WORKERS}"
        )
        full_time, full = plain_mutmut(root, base / "full", sorted(changed), [])
        scoped_time, scoped = plain_mutmut(root, base / "scoped", sorted(changed), globs)
        request = MutationRequest(
            root=root,
            changed_lines=changed,
            source=("app",),
            tests=("tests",),
            python=sys.executable,
            workers=WORKERS,
            timeout=600,
            cache_dir=base / "cache",
        )
        started = time.perf_counter()
        outcome = run_mutation(request)
        qg_time = time.perf_counter() - started
        started = time.perf_counter()
        warm = run_mutation(request)
        warm_time = time.perf_counter() - started
        rows = [
            ("mutmut run, changed files", len(full), full_time),
            ("mutmut run, changed functions", len(scoped), scoped_time),
            ("qualitygate, changed lines (cold)", outcome.executed, qg_time),
            ("qualitygate, changed lines (warm)", warm.executed, warm_time),
        ]
        print(f"\n{'run':36} {'mutants':>8} {'wall s':>8} {'speed-up':>9}")
        for label, count, seconds in rows:
            print(f"{label:36} {count:8d} {seconds:8.2f} {full_time / seconds:8.1f}x")
        mismatches = [
            m
            for m in outcome.mutants
            if full.get((m.path, m.line, m.diff)) != m.status
            or scoped.get((m.path, m.line, m.diff)) != m.status
        ]
        survived = sum(m.status == "survived" for m in outcome.mutants)
        print(
            f"\n{len(outcome.mutants)} mutants on changed lines ({survived} survived); "
            f"same verdict in all three runs: {'yes' if not mismatches else 'NO'}"
        )
        for mutant in mismatches:
            print(
                f"  differs: {mutant.name} qualitygate={mutant.status} "
                f"mutmut={full.get((mutant.path, mutant.line, mutant.diff))}"
            )
        git(root, "status", "--porcelain")
        return 1 if mismatches else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
