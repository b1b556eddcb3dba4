"""The terminal (plain) and JSON reports of one fixture change, pinned byte for byte."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qualitygate import __version__
from tests.conftest import run_cli

GOLD = Path(__file__).parent / "gold"


def check_gold(name: str, actual: str) -> None:
    path = GOLD / name
    if os.environ.get("UPDATE_GOLD"):
        path.write_text(actual)
    assert actual == path.read_text(), f"{name} differs; see tests/gold/README.md"


def normalise(text: str) -> str:
    text = re.sub(r'"head": "[0-9a-f]{40}"', '"head": "<head>"', text)
    return text.replace(f'"version": "{__version__}"', '"version": "<version>"')


@pytest.mark.parametrize(
    ("fmt", "gold"), [("terminal", "check.txt"), ("json", "check.json"), ("markdown", "check.md")]
)
def test_report_gold(
    failing_change: Path, fmt: str, gold: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(failing_change, "--base", "HEAD", "--report", fmt, capsys=capsys)
    assert code == 1
    check_gold(gold, normalise(out))
