"""`report --no-run` on a repository of thousands of files: right at scale.

How long it takes is measured in benchmarks/report.py, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitygate.main import main
from tests.fixtures import make_repo

LAYERS = ("services", "db/repositories", "domain", "api", "middleware", "workers")
BODY = "\n".join(
    f"""
class Thing{i}:
    def __init__(self, x):
        self.x = x

    def compute_{i}(self, y):
        if y > {i}:
            return self.x + y
        return self.x - y


def helper_{i}(a, b):
    total = 0
    for k in range(a):
        total += k * b
    return total
"""
    for i in range(6)
)


def big_repo(root: Path, modules: int) -> Path:
    """`modules` source modules of ~100 lines across six layers; every fifth has a test."""
    files = {"pyproject.toml": '[tool.qualitygate]\npreset = "layered-backend"\nsource = ["app"]\n'}
    for i in range(modules):
        layer = LAYERS[i % len(LAYERS)]
        files[f"app/{layer}/pkg{i % 20}/mod_{i}.py"] = BODY
        if i % 5 == 0:
            dotted = f"app.{layer.replace('/', '.')}.pkg{i % 20}.mod_{i}"
            files[f"tests/{layer}/pkg{i % 20}/test_mod_{i}.py"] = (
                f"from {dotted} import Thing0\n\n\ndef test_x():\n    assert Thing0(1)\n"
            )
    return make_repo(root, files)


@pytest.mark.slow
def test_no_run_on_2000_modules(tmp_path, capsys):
    root = big_repo(tmp_path / "big", 2000)
    code = main(["report", "-C", str(root), "-q", "--no-run", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert sum(layer["modules"] for layer in data["layers"]) == 2000
    assert sum(layer["tested"] for layer in data["layers"]) == 400
    assert code == 1  # one module in five tested: every layer is below min_tested_files
