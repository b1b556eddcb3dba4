"""`qualitygate report` against what a user would otherwise run, on one generated repository.

    python benchmarks/report.py [--modules 1000]

Builds a layered project of N modules (~30 lines each, one in five with a test of its own)
in a temporary git repository, then times, in the same run:
  pytest                               the suite alone
  coverage run -m pytest + report      line coverage, what teams run today
  qualitygate report --no-run          static report: imports only, no test run
  qualitygate report                   full report: tests under coverage with test contexts
and prints a table with each time as a ratio of `coverage run + report`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAYERS = ("services", "db/repositories", "domain", "api", "middleware", "workers")
MODULE = """
class Thing:
    def __init__(self, x):
        self.x = x

    def compute(self, y):
        if y > 3:
            return self.x + y
        return self.x - y


def helper(a, b):
    total = 0
    for k in range(a):
        total += k * b
    return total
"""
TEST = "from {dotted} import Thing, helper\n\n\ndef test_thing():\n    assert Thing(1).compute(5) == 6\n\n\ndef test_helper():\n    assert helper(3, 2) == 6\n"  # noqa: E501


def build(root: Path, modules: int) -> None:
    files = {"pyproject.toml": '[tool.qualitygate]\npreset = "layered-backend"\nsource = ["app"]\n'}
    for i in range(modules):
        layer = LAYERS[i % len(LAYERS)]
        folder = f"app/{layer}/pkg{i % 20}"
        files[f"{folder}/mod_{i}.py"] = MODULE
        if i % 5 == 0:
            dotted = f"{folder.replace('/', '.')}.mod_{i}"
            files[f"tests/{layer}/pkg{i % 20}/test_mod_{i}.py"] = TEST.format(dotted=dotted)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for folder in {p.parent for p in root.rglob("*.py")}:
        if folder.is_relative_to(root / "app"):
            (folder / "__init__.py").touch()
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", *env, "commit", "-qm", "bench"], cwd=root, check=True)


def timed(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=1000)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="qg-bench-report-") as tmp:
        root = Path(tmp)
        build(root, args.modules)
        pytest = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        rows = [("pytest", timed(pytest, root))]
        data = f"--data-file={tmp}/bench.coverage"
        cov = timed([py, "-m", "coverage", "run", data, "--source=app", *pytest[1:]], root)
        cov += timed([py, "-m", "coverage", "report", data], root)
        rows.append(("coverage run -m pytest + report", cov))
        gate = [py, "-m", "qualitygate", "report", "-q", "--format", "json"]
        rows.append(("qualitygate report --no-run", timed([*gate, "--no-run"], root, (0, 1))))
        rows.append(("qualitygate report", timed(gate, root, (0, 1))))
    tests = args.modules // 5 * 2
    print(f"{args.modules} modules, {tests} tests")
    print(f"{'run':<34} {'wall s':>8} {'vs coverage':>12}")
    for name, seconds in rows:
        print(f"{name:<34} {seconds:>8.2f} {seconds / cov:>11.2f}x")


if __name__ == "__main__":
    main()
