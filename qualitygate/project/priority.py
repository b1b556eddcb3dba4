"""How urgent a test gap is: CRITICAL / HIGH / MEDIUM / LOW, from rules a person can read.

    points = layer      (critical_layers 2, important_layers 1, others 0)
           + status     (untested 2, imported only 1, tested 0)
           + size       (1 when the code inside its functions has large_module statements or more)
    5 or more CRITICAL, 4 HIGH, 2-3 MEDIUM, 0-1 LOW

The weights live in `[tool.qualitygate.priority]`; `describe` prints the rule
with the values in force, so a report always says how it ranked its gaps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from qualitygate.errors import ConfigError

LEVELS = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
LEVEL_FLOORS = (("CRITICAL", 5), ("HIGH", 4), ("MEDIUM", 2), ("LOW", 0))
STATUS_KEYS = {"untested": "untested", "imported only": "imported_only"}
KEYS = {
    "critical_layers": "a list of layer names",
    "important_layers": "a list of layer names",
    "large_module": "a number of statements inside functions",
    "untested": "points for a module no test imports or runs",
    "imported_only": "points for a module tests import but do not exercise",
}


@dataclass(frozen=True)
class PrioritySettings:
    critical_layers: tuple[str, ...] = ("repositories", "infrastructure")
    important_layers: tuple[str, ...] = ("services", "domain")
    large_module: int = 30
    untested: int = 2
    imported_only: int = 1


def points(settings: PrioritySettings, layer: str, status: str, logic_statements: int) -> int:
    layer_points = (
        2 if layer in settings.critical_layers else int(layer in settings.important_layers)
    )
    key = STATUS_KEYS.get(status)
    status_points: int = getattr(settings, key) if key else 0
    return layer_points + status_points + int(logic_statements >= settings.large_module)


def level(score: int) -> str:
    return next(name for name, floor in LEVEL_FLOORS if score >= floor)


def priority_of(settings: PrioritySettings, layer: str, status: str, logic_statements: int) -> str:
    """The priority of one module's gap."""
    return level(points(settings, layer, status, logic_statements))


def rank(priority: str) -> int:
    """0 for CRITICAL ... 3 for LOW: sorts the worst first."""
    return LEVELS.index(priority)


def describe(settings: PrioritySettings) -> str:
    critical = ", ".join(settings.critical_layers) or "none"
    important = ", ".join(settings.important_layers) or "none"
    return (
        f"points = layer (critical: {critical} 2; important: {important} 1) "
        f"+ status (untested {settings.untested}, imported only {settings.imported_only}) "
        f"+ size (1 for {settings.large_module}+ statements inside functions); "
        "5+ CRITICAL, 4 HIGH, 2-3 MEDIUM, 0-1 LOW"
    )


def _names(where: str, keypath: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(where, keypath, f"expected a list of layer names, got {value!r}")
    return tuple(value)


def _count(where: str, keypath: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(where, keypath, f"expected a whole number 0 or more, got {value!r}")
    return value


def parse_settings(
    where: str, keypath: str, table: Any, base: PrioritySettings
) -> PrioritySettings:
    """`[tool.qualitygate.priority]` over `base`; unknown keys or bad values raise ConfigError."""
    if not isinstance(table, Mapping):
        raise ConfigError(where, keypath, "expected a table of priority settings")
    values: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{keypath}.{key}"
        if key not in KEYS:
            raise ConfigError(where, path, "unknown key; known keys: " + ", ".join(sorted(KEYS)))
        parse = _names if key.endswith("_layers") else _count
        values[key] = parse(where, path, value)
    return replace(base, **values)


def check_layer_names(settings: PrioritySettings, layers: tuple[str, ...], where: str) -> None:
    """Layer names the user set in the priority rules must be declared layers."""
    prefix = "tool.qualitygate.priority" if where.endswith("pyproject.toml") else "priority"
    for key in ("critical_layers", "important_layers"):
        names = getattr(settings, key)
        unknown = [n for n in names if n not in layers]
        if unknown and names != getattr(PrioritySettings(), key):
            raise ConfigError(
                where,
                f"{prefix}.{key}",
                f"no layer named {unknown[0]!r}; declared layers: {', '.join(layers) or 'none'}",
            )
