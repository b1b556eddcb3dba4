"""Every JSON report the tests produce is checked against the schema the package publishes."""

from __future__ import annotations

from typing import Any

import jsonschema

from qualitygate.reporters import schemas

VALIDATORS = {
    name: jsonschema.Draft202012Validator(schemas.load(path))
    for name, path in (("check", schemas.CHECK), ("report", schemas.GAP_REPORT))
}
for validator in VALIDATORS.values():
    jsonschema.Draft202012Validator.check_schema(validator.schema)


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """Raise if a qualitygate JSON report breaks its published schema; return it unchanged."""
    command = data.get("tool", {}).get("command", "check")
    VALIDATORS["report" if command == "report" else "check"].validate(data)
    return data
