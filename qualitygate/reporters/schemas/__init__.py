"""The published JSON Schemas (draft 2020-12) of the two JSON reports, shipped in the package.

`CHECK` describes `check --report json` (and `merge`'s output), `GAP_REPORT` describes
`report --report json`. CI scripts can validate a report before they read it:

    python -c "from qualitygate.reporters.schemas import CHECK; print(CHECK)"
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CHECK = HERE / "check-report.schema.json"
GAP_REPORT = HERE / "gap-report.schema.json"


def load(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema
