"""Every speed target of the gate, measured side by side with the tool a user would
otherwise run, in one run, printed as one table of ratios.

    python benchmarks/targets.py            # every row (about 10 minutes on 2 cores)
    python benchmarks/targets.py --quick    # smaller inputs, no 60-second suite

Each row builds its own project in a temporary folder, times qualitygate and the
comparison there, one after the other, and checks that a selected run gives the
verdict of a full one. Rows:
  no Python change          `check --staged` (README staged) / plain `pytest`
  staged one-line change    `check --staged` after one full run / plain `pytest`
  commit hook, 60 s suite   the same on a suite of at least 60 s: seconds, target 5
  report                    `report` / `coverage run` + `coverage report`
  report --coverage-file    / `coverage json --show-contexts` on the same data
  check --no-mutation       / `pytest --cov --cov-branch`, keeping a stored test map
                            and with none (as in CI); on the generated suite and on a
                            real library's one-line change
  mutation phase            `mutmut run` over the changed files / the part of a cold
                            `check` after its coverage run (speed-up); then the stage
                            alone, nothing started before it, and where its time goes
  cold check with mutation  / `check --no-mutation`, about 20 mutants
  gate from data            2,000 changed files, 600k lines: seconds and peak MB
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import mutation as mutation_bench
from benchmarks import report as report_bench
from qualitygate.measure import selection
from qualitygate.mutation import MutationRequest
from tests.fixtures import commit, git, make_repo, write

PY = sys.executable
PYTEST = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
GATE = [PY, "-m", "qualitygate"]

SLOW_MODULE = """
def value_{i}(x):
    if x > 3:
        return x * {i}
    return x + {i}
"""
SLOW_TEST = """
import time

from app.services.mod_{i} import value_{i}


def test_value_{i}():
    time.sleep({seconds})
    assert value_{i}(1) == 1 + {i}
"""
GATE_CONFIG = """
[tool.qualitygate]
source = ["app"]
min_diff_coverage = 50

[tool.qualitygate.layers.services]
paths = ["app/services/**"]
min_coverage = 10
"""


def run(args: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


MUTATION_STARTS = "qualitygate: Mutation testing the changed lines"


def mutation_phase(args: list[str], cwd: Path) -> tuple[float, float]:
    """A `check` run's seconds, and the seconds from its step that starts the mutation
    stage (after the coverage run) to its exit, from its plain progress lines as they
    come."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    begun = None
    for line in proc.stderr:
        if begun is None and line.startswith(MUTATION_STARTS):
            begun = time.perf_counter()
    code = proc.wait()
    ended = time.perf_counter()
    if code not in (0, 1) or begun is None:
        raise SystemExit(f"{' '.join(args)} exited {code} (mutation step seen: {bool(begun)})")
    return ended - started, ended - begun


def slow_suite(root: Path, tests: int, seconds: float) -> None:
    """A project whose suite is `tests` tests of `seconds` each, one module per test."""
    files = {"pyproject.toml": GATE_CONFIG, "README.md": "# bench\n", "app/__init__.py": ""}
    files["app/services/__init__.py"] = ""
    for i in range(tests):
        files[f"app/services/mod_{i}.py"] = SLOW_MODULE.format(i=i)
        files[f"tests/test_mod_{i}.py"] = SLOW_TEST.format(i=i, seconds=seconds)
    make_repo(root, files)


def verdict(report: str) -> tuple[list[tuple[str, list[int], list[int]]], dict[str, object]]:
    data = json.loads(report)
    files = [(f["path"], f["changed_lines"], f["uncovered_changed_lines"]) for f in data["files"]]
    return files, data["test_selection"]


Row = tuple[str, float, float, str, str]  # measure, ours, theirs, ratio text, target


PROJECT_NEEDS = ("pytest>=8", "coverage>=7.6,<8", "pytest-cov>=5", "mutmut>=3.8,<3.9")


def project_python(base: Path) -> str:
    """The benchmark projects' own environment, with what such a project has (pytest,
    coverage, pytest-cov, mutmut) and nothing of qualitygate's: the set-up the README recommends,
    qualitygate in its own environment and `python` pointing here. Plain pytest, its
    comparison, starts in the same environment, so both pay the same start-up."""
    where = base / "project-venv"
    python = where / "bin" / "python"
    if not python.exists():
        subprocess.run([PY, "-m", "venv", str(where)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PROJECT_NEEDS], check=True)
    return str(python)


def staged_rows(base: Path, tests: int, seconds: float, label: str, hook_only: bool) -> list[Row]:
    root = base / f"suite-{tests}"
    slow_suite(root, tests, seconds)
    py = project_python(base)
    pytest = [py, *PYTEST[1:]]
    plain, _ = run(pytest, root)
    rows: list[Row] = []
    json_report = ["--report", "json", "-q", "--python", py]
    if not hook_only:
        write(root, {"README.md": "# bench, edited\n"})
        git(root, "add", "README.md")
        none, _ = run([*GATE, "check", "--staged", "--no-mutation", *json_report], root)
        rows.append(("no Python change / pytest", none, plain, f"{none / plain:.2f}x", "<= 0.05x"))
        commit(root, "readme")
    seed = [*GATE, "report", "-q", "--python", py, "--report", f"json:{base / 'seed.json'}"]
    run(seed, root)  # one full run
    write(root, {"app/services/mod_1.py": SLOW_MODULE.format(i=1).replace("x * 1", "1 * x")})
    git(root, "add", "-A")
    staged, selected = run([*GATE, "check", "--staged", "--no-mutation", *json_report], root)
    full_suite = [*GATE, "check", "--staged", "--no-mutation", "--full-suite", *json_report]
    _, whole = run(full_suite, root)
    same = verdict(selected)[0] == verdict(whole)[0]
    chosen = verdict(selected)[1]
    note = f"ran {chosen['ran']} of {chosen['of']}, same verdict: {'yes' if same else 'NO'}"
    if hook_only:
        rows.append((f"commit hook, {plain:.0f} s suite (s)", staged, plain, note, "<= 5 s"))
    else:
        rows.append((label, staged, plain, f"{staged / plain:.2f}x; {note}", "<= 0.2x"))
        gate = [*GATE, "check", "--base", "HEAD~1", "--no-mutation", "-q", "--python", py]
        check, _ = run(gate, root)  # the map the seed run stored is kept up to date
        with map_aside(root):
            bare, _ = run(gate, root)
        cov, _ = run([*pytest, "--cov=app", "--cov-branch"], root)
        ratio = f"{check / cov:.2f}x (keeps the test map)"
        rows.append(("check --no-mutation / pytest --cov", check, cov, ratio, "<= 1.1x"))
        rows.append(("  the same with no map (as in CI)", bare, cov, f"{bare / cov:.2f}x", ""))
    return rows


@contextlib.contextmanager
def map_aside(root: Path) -> Iterator[None]:
    """The stored test map moved away for a run, as on a fresh clone, then put back."""
    kept = selection.map_path(root)
    aside = kept.with_name(kept.name + ".aside")
    kept.replace(aside)
    try:
        yield
    finally:
        aside.replace(kept)


REAL_LIBRARY = "structlog==25.4.0"  # 948 tests of a few milliseconds, in its sdist
REAL_NEEDS = (
    "pytest-asyncio",
    "simplejson",
    "time-machine",
    "freezegun",
    "pretend",
    "twisted",
    "rich",
)
REAL_CHANGE = ("src/structlog/_utils.py", 'processname = "n/a"', 'processname = "n/" + "a"')


def real_library_rows(base: Path) -> list[Row]:
    """`check --no-mutation` on a one-line change to a real library, installed from its
    sdist as its developers install it (editable, in a git repository), against
    `pytest --cov --cov-branch` on the same tree: the median of three of each, taken
    in turn. Needs the package index; without it the row says why."""
    py = project_python(base)
    where = base / "real"
    fetched = subprocess.run(
        [py, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         REAL_LIBRARY, "-d", str(where / "sdist")],
        capture_output=True, text=True,
    )  # fmt: skip
    archives = sorted((where / "sdist").glob("*.tar.gz"))
    if fetched.returncode != 0 or not archives:
        return [(f"{REAL_LIBRARY}: not measured", 0.0, 0.0, "pip download failed", "")]
    shutil.unpack_archive(archives[0], where / "src", filter="data")
    root = make_repo(next((where / "src").iterdir()), {})
    install = [py, "-m", "pip", "install", "-q", "-e", str(root), *REAL_NEEDS]
    subprocess.run(install, check=True, capture_output=True)
    path, old, new = REAL_CHANGE
    text = (root / path).read_text()
    assert old in text, f"{path} no longer holds {old!r}"
    (root / path).write_text(text.replace(old, new, 1))
    commit(root, "one line")
    pytest_cov = [py, *PYTEST[1:], "--cov=src", "--cov-branch", "--cov-report="]
    gate = [*GATE, "check", "--base", "HEAD~1", "--no-mutation", "-q", "--python", py]
    run([*gate, "--select"], root)  # no map yet: the whole suite runs and stores one
    times: dict[str, list[float]] = {"cov": [], "map": [], "bare": []}
    for _ in range(3):
        times["cov"].append(run(pytest_cov, root)[0])
        for stray in root.glob(".coverage*"):
            stray.unlink()
        times["map"].append(run(gate, root)[0])
        with map_aside(root):
            times["bare"].append(run(gate, root)[0])
    cov, kept, bare = (statistics.median(times[k]) for k in ("cov", "map", "bare"))
    name = REAL_LIBRARY.split("==")[0]
    return [
        (f"{name}: check --no-mutation / pytest --cov", kept, cov,
         f"{kept / cov:.2f}x (keeps the test map)", "<= 1.1x"),
        ("  the same with no map (as in CI)", bare, cov, f"{bare / cov:.2f}x", "<= 1.1x"),
    ]  # fmt: skip


def report_rows(base: Path, modules: int) -> list[Row]:
    root = base / f"report-{modules}"
    root.mkdir()
    report_bench.build(root, modules)
    # bytecode for every module and test first, so that neither side is timed compiling
    # what the other side's run cached (the first run used to pay for both)
    subprocess.run([*PYTEST, "--collect-only"], cwd=root, check=True, capture_output=True)
    data = base / "report.coverage"
    coverage = [PY, "-m", "coverage"]
    plain, gate = [], []  # three runs of each, taken in turn, the medians: one pair of
    for _ in range(3):  # runs moved 1.05x-1.21x on one machine from day to day
        seconds, _ = run(
            [*coverage, "run", f"--data-file={data}", "--source=app", *PYTEST[1:]], root
        )
        plain.append(seconds + run([*coverage, "report", f"--data-file={data}"], root)[0])
        gate.append(run([*GATE, "report", "-q", "--report", f"json:{base / 'r.json'}"], root)[0])
    cov, ours = sorted(plain)[1], sorted(gate)[1]
    contexts = base / "contexts.coverage"
    env_data = ["--cov=app", "--cov-branch", "--cov-context=test", "--cov-report="]
    subprocess.run(
        [*PYTEST, *env_data], cwd=root, check=True, capture_output=True,
        env={**os.environ, "COVERAGE_FILE": str(contexts)},
    )  # fmt: skip
    json_out = base / "contexts.json"
    theirs, _ = run(
        [*coverage, "json", "--show-contexts", f"--data-file={contexts}", "-o", str(json_out)], root
    )
    from_data, _ = run(
        [*GATE, "report", "-q", "--coverage-file", str(contexts), "--report", f"json:{json_out}"],
        root,
    )
    return [
        (
            f"report, {modules} modules / coverage",
            ours,
            cov,
            f"{ours / cov:.2f}x, median of 3 each",
            "<= 1.2x",
        ),
        (
            f"report --coverage-file, {modules} / coverage json",
            from_data,
            theirs,
            f"{from_data / theirs:.2f}x",
            "<= 1.2x",
        ),
    ]


def mutation_rows(base: Path) -> list[Row]:
    root, changed, _ = mutation_bench.build(base / "mutation")
    py = project_python(base)
    plain_run = mutation_bench.plain_mutmut
    mutmut, full = plain_run(root, base / "plain-mutmut", sorted(changed), [], py)
    request = MutationRequest(
        root=root,
        changed_lines=changed,
        source=("app",),
        tests=("tests",),
        python=py,
        workers=mutation_bench.WORKERS,
        timeout=600,
        cache_dir=base / "mutation-cache",
        test_map=mutation_bench.measured_map(root, changed, py),
    )
    alone, outcome, phases = mutation_bench.timed_phases(request)
    same = all(full.get((m.path, m.line, m.diff)) == m.status for m in outcome.mutants)
    flags = ["check", "--base", "HEAD~1", "--min-mutation-score", "1", "--python", py]
    # "Cold" is the mutation stage with no verdict cached (--no-cache), not a project
    # never run: one run first compiles the tests' bytecode for both sides. Then three
    # of each, in turn, and the median of each: a single pair moved 1.45x-1.6x here.
    run([*GATE, *flags, "-q", "--no-mutation"], root)
    report = base / "mutation-check.json"
    runs = [
        (
            mutation_phase([*GATE, *flags, "--no-cache", "--report", f"json:{report}"], root),
            run([*GATE, *flags, "-q", "--no-mutation"], root)[0],
        )
        for _ in range(3)
    ]
    cold, phase = (sorted(side)[1] for side in zip(*(r[0] for r in runs), strict=True))
    plain = sorted(r[1] for r in runs)[1]
    checked = [
        (f["path"], m["line"], m["diff"], m["status"])
        for f in json.loads(report.read_text())["files"]
        for m in f["mutants"]
    ]
    same = same and len(checked) == len(outcome.mutants)
    same = same and all(full.get((path, line, diff)) == s for path, line, diff, s in checked)
    return [
        (
            "mutation phase of a cold check: mutmut run / ours",
            phase,
            mutmut,
            f"{mutmut / phase:.1f}x faster; {len(outcome.mutants)} mutants, "
            f"same verdicts: {'yes' if same else 'NO'}",
            ">= 20x",
        ),
        (
            "  the stage alone, nothing started before it",
            alone,
            mutmut,
            f"{mutmut / alone:.1f}x faster",
            "",
        ),
        (
            "  where the stage alone's time goes (s)",
            alone,
            mutmut,
            ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items()),
            "",
        ),
        (
            f"cold check, {len(outcome.mutants)} mutants / --no-mutation",
            cold,
            plain,
            f"{cold / plain:.2f}x, median of 3 each",
            "<= 1.5x for ~20",
        ),
    ]


def gate_from_data_row(base: Path, files: int, lines: int) -> list[Row]:
    """`check --coverage-file` on a change of `files` files of `lines` lines each (all
    new), from Cobertura XML, against diff-cover's console report of the same."""
    root = base / "data"
    make_repo(root, {"README.md": "x\n", "pyproject.toml": GATE_CONFIG})
    body = "".join(f"x{n} = {n}\n" for n in range(lines))
    write(root, {f"app/services/pkg{i % 40}/m{i}.py": body for i in range(files)})
    commit(root, "many files")
    from coverage import CoverageData

    data = CoverageData(basename=str(base / "big.coverage"))
    data.add_lines(
        {
            str(root / f"app/services/pkg{i % 40}/m{i}.py"): range(1, lines + 1, 2)
            for i in range(files)
        }
    )
    data.write()
    xml = base / "big.xml"
    subprocess.run(
        [PY, "-m", "coverage", "xml", f"--data-file={base / 'big.coverage'}", "-o", str(xml)],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip
    measure = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "code = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
        "print(time.perf_counter() - t, code, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    args = [*GATE, "check", "--base", "HEAD~1", "--no-mutation", "--coverage-file", str(xml), "-q"]
    measured = []  # three runs, the median: one run moved 0.89-1.09 s here
    for _ in range(3):
        _, out = run([PY, "-c", measure, *args], root)
        seconds, code, peak_kb = out.split()
        if code not in ("0", "1"):
            raise SystemExit(f"the gate exited {code} on the data row")
        measured.append((float(seconds), int(peak_kb)))
    ours = sorted(s for s, _ in measured)[1]
    peak = max(kb for _, kb in measured)
    theirs, _ = run(["diff-cover", str(xml), "--compare-branch", "HEAD~1"], root)
    total = files * lines
    return [
        (
            f"gate from data, {files} files, {total // 1000}k lines (s)",
            ours,
            theirs,
            f"median of 3, {peak / 1024:.0f} MB peak; diff-cover {theirs:.1f} s",
            "<= 1 s, <= 200 MB",
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, no 60 s suite")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="qualitygate-targets-"))
    steps: list[Callable[[], list[Row]]] = [
        lambda: staged_rows(base, 40, 0.2, "staged one-line change / pytest", False),
        lambda: real_library_rows(base),
        lambda: report_rows(base, 1000 if args.quick else 5000),
        lambda: mutation_rows(base),
        lambda: gate_from_data_row(base, 200 if args.quick else 2000, 300),
    ]
    if not args.quick:
        steps.insert(1, lambda: staged_rows(base, 300, 0.2, "", True))
    rows: list[Row] = []
    try:
        for step in steps:
            rows += step()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{'measure':52} {'ours s':>7} {'theirs s':>8}  {'ratio':<46} target")
    for name, ours, theirs, ratio, target in rows:
        print(f"{name:52} {ours:7.2f} {theirs:8.2f}  {ratio:<46} {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
