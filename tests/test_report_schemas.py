"""The JSON Schemas the package publishes: they describe the reports, and they catch drift.

Every JSON report the suite makes is validated by conftest's autouse fixture; these tests
show the schemas are strict enough to fail, and that the wheel ships them.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qualitygate.main import main
from tests.conftest import run_json
from tests.report_schemas import validate

ROOT = Path(__file__).parent.parent


@pytest.fixture
def check_report(failing_change: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    _, data = run_json(failing_change, "--base", "HEAD", "--no-mutation", capsys=capsys)
    return data


def test_a_failing_check_follows_the_schema(check_report: dict[str, Any]) -> None:
    assert not check_report["passed"]
    assert validate(check_report) is check_report


@pytest.mark.parametrize(
    "breach",
    [
        lambda d: d.update(surprise=1),  # a field nobody documented
        lambda d: d.pop("layers"),
        lambda d: d["layers"][0].update(diff_coverage=120.0),
        lambda d: d["files"][0].update(status="moved"),
        lambda d: d["files"][0]["changed_lines"].append(0),
        lambda d: d["layers"][0]["rules"][0].update(metric="speed"),
        lambda d: d.update(version=2),
    ],
)
def test_the_check_schema_catches_drift(check_report: dict[str, Any], breach: Any) -> None:
    broken = copy.deepcopy(check_report)
    breach(broken)
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_the_gap_report_schema_catches_drift(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["report", "-C", str(layered), "-q", "--no-run", "--report", "json"])
    data = json.loads(capsys.readouterr().out)
    validate(data)
    data["layers"][0]["files"][0]["status"] = "half tested"
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


@pytest.mark.slow
def test_the_wheel_ships_the_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("qualitygate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "qualitygate/reporters/schemas/check-report.schema.json" in names
    assert "qualitygate/reporters/schemas/gap-report.schema.json" in names
