"""The ratchet: a layer may climb towards its target but never slide back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitygate.errors import UsageError
from qualitygate.gate import ratchet
from qualitygate.main import main
from tests.conftest import run_json
from tests.fixtures import commit, git, write

BASE = ratchet.Baseline({"infra": {"coverage": 21.3, "tested_files": 29.0}})


def test_raise_bar_keeps_the_higher_figure_and_drops_gone_layers() -> None:
    current = ratchet.Baseline(
        {"infra": {"coverage": 25.0, "tested_files": 20.0}, "domain": {"coverage": 90.0}}
    )
    assert ratchet.raise_bar(BASE, current).layers == {
        "infra": {"coverage": 25.0, "tested_files": 29.0},
        "domain": {"coverage": 90.0},
    }
    assert ratchet.raise_bar(BASE, ratchet.Baseline({})).layers == {}


@pytest.mark.parametrize(
    ("actual", "passed"), [(21.3, True), (40.0, True), (21.2, False), (None, True)]
)
def test_a_drop_below_the_baseline_fails(actual: float | None, passed: bool) -> None:
    (rule,) = ratchet.rules("infra", {"coverage": actual}, BASE)
    assert (rule.metric, rule.required, rule.passed) == ("coverage_baseline", 21.3, passed)


def test_no_rule_for_unrecorded_layers_or_metrics() -> None:
    assert ratchet.rules("other", {"coverage": 1.0}, BASE) == ()
    assert ratchet.rules("infra", {"tested_coverage": 1.0}, BASE) == ()


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    ratchet.write(path, BASE)
    assert ratchet.read(path) == BASE
    assert ratchet.read(tmp_path / "absent.json") == ratchet.Baseline()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a readable baseline"),
        ('{"version": 2, "layers": {}}', "version: expected 1"),
        ('{"version": 1, "layers": []}', "layers: expected a table"),
        ('{"version": 1, "layers": {"a": {"coverage": 101}}}', r"layers.a.coverage: expected"),
        ('{"version": 1, "layers": {"a": {"speed": 1}}}', r"layers.a.speed: expected"),
    ],
)
def test_bad_baseline_names_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        ratchet.read(path)


def baseline(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["baseline", "-C", str(root), "-q", *args]) == 0
    capsys.readouterr()
    return json.loads((root / ".qualitygate-baseline.json").read_text())["layers"]


@pytest.mark.slow
def test_baseline_then_check_and_report_hold_each_layer_to_it(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = baseline(layered, capsys)
    # store.py: save's def, if and return "ok" of 4 statements; calc.py fully run
    assert recorded["infrastructure"] == {
        "coverage": 75.0,
        "tested_coverage": 50.0,
        "tested_files": 100.0,
    }
    assert recorded["services"]["coverage"] == 100.0
    commit(layered, "record the baseline")

    # services drops from 100% to 75%: above its 60% target, below its baseline
    write(
        layered,
        {
            "app/services/calc.py": "def add(a, b):\n    return a + b\n\n\n"
            "def sub(a, b):\n    return a - b\n"
        },
    )
    code, report = run_json(layered, "--base", "HEAD", capsys=capsys)
    services = next(la for la in report["layers"] if la["name"] == "services")
    rules = {r["metric"]: r for r in services["rules"]}
    assert rules["coverage"]["passed"] is True
    assert rules["coverage_baseline"] == {
        "metric": "coverage_baseline",
        "actual": 75.0,
        "required": 100.0,
        "passed": False,
        "gap": 25.0,
        "note": None,
        "at_most": False,
    }
    assert code == 1
    git(layered, "checkout", "-q", "--", ".")

    # report: infrastructure loses its only test file
    git(layered, "rm", "-q", "tests/test_store.py")
    assert main(["report", "-C", str(layered), "-q", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    infra = next(la for la in data["layers"] if la["name"] == "infrastructure")
    failed = [r["metric"] for r in infra["rules"] if not r["passed"]]
    assert "tested_files_baseline" in failed
    git(layered, "reset", "-q", "--hard")

    # an improvement raises the bar; a later drop is kept out of the file
    write(
        layered,
        {
            "tests/test_store_more.py": "from app.db.store import save\n\n\n"
            "def test_too_many():\n    assert save([1, 2], 1) == 'too many'\n"
        },
    )
    assert baseline(layered, capsys)["infrastructure"]["coverage"] == 100.0
    (layered / "tests/test_store_more.py").unlink()
    assert baseline(layered, capsys)["infrastructure"]["coverage"] == 100.0
    assert baseline(layered, capsys, "--reset")["infrastructure"]["coverage"] == 75.0
