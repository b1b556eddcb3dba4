"""Configuration: shipped defaults, then a preset, the file, the environment, the flags.

Every key is checked: an unknown key, a wrong type or a threshold outside
0-100 stops with a `ConfigError` that names the file and the key path.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pathspec

from qualitygate.errors import ConfigError
from qualitygate.project.priority import PrioritySettings, parse_settings

THRESHOLDS = ("min_coverage", "min_diff_coverage", "min_mutation_score")
PERCENTS = (*THRESHOLDS, "min_tested_files")
COUNTS = ("max_accepted",)
LAYER_KEYS = {
    "paths": "a list of glob strings",
    "exclude": "a list of gitignore-style globs of files the layer leaves to the next",
    **dict.fromkeys(PERCENTS, "a number from 0 to 100"),
    "max_accepted": "a whole number: accepted mutants the layer may carry in a change",
}
TOP_KEYS = {
    "preset": "a preset name",
    "base": "a git ref",
    "source": "a list of folders",
    "exclude": "a list of gitignore-style globs of files not gated at all",
    "tests": "a list of folders",
    "pytest_args": "a list of extra pytest arguments",
    "python": "a path to the project's interpreter",
    "timeout": "a number of seconds",
    "baseline": "the ratchet file, relative to the repository",
    "workspace_include": "a list of globs: git-ignored files the tests need in the mutation copy",
    "arid": "a list of globs on call names (logger.*) whose arguments get no mutants",
    "accepted": "the file of accepted mutants, relative to the project",
    "max_accepted": "a whole number: accepted mutants a layer may carry in a change",
    "layers": "a table of layers",
    "priority": "a table of report priority settings",
    **dict.fromkeys(THRESHOLDS, "a number from 0 to 100"),
}
ENV_KEYS = {
    "QUALITYGATE_BASE": "base",
    "QUALITYGATE_PYTHON": "python",
    "QUALITYGATE_TIMEOUT": "timeout",
    **{f"QUALITYGATE_{k.upper()}": k for k in THRESHOLDS},
}
OTHER_LAYER = "other"
TEST_FILE_NAMES = ("test_*.py", "*_test.py", "conftest.py")


@dataclass(frozen=True)
class Layer:
    name: str
    paths: tuple[str, ...]
    min_coverage: float = 0.0
    min_diff_coverage: float = 0.0
    min_mutation_score: float = 0.0
    min_tested_files: float = 0.0
    max_accepted: int | None = None  # None: no budget
    exclude: tuple[str, ...] = ()  # files that go on to the next layer


@dataclass(frozen=True)
class Config:
    origin: str  # the file the project's settings came from, or "defaults"
    base: str | None = None
    source: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # gitignore-style globs of files not gated
    tests: tuple[str, ...] = ()  # empty: the tests pytest itself would run
    pytest_args: tuple[str, ...] = ()
    python: str | None = None
    timeout: float = 1800.0
    baseline: str = ".qualitygate-baseline.json"
    workspace_include: tuple[str, ...] = ()
    arid: tuple[str, ...] | None = None  # None: mutation.hints.DEFAULT_ARID
    accepted: str = "qualitygate-accepted.toml"
    max_accepted: int | None = None
    min_coverage: float = 0.0
    min_diff_coverage: float = 80.0
    min_mutation_score: float = 0.0
    layers: tuple[Layer, ...] = ()
    preset: str | None = None
    priority: PrioritySettings = field(default_factory=PrioritySettings)
    other: Layer = field(default_factory=lambda: Layer(OTHER_LAYER, ("**",)))
    # Where the tests are, as pytest resolved it (testpaths, python_files): not config keys.
    test_paths: tuple[str, ...] = ()
    test_patterns: tuple[str, ...] = TEST_FILE_NAMES


def presets_dir() -> Path:
    """Shipped presets: inside the wheel, or `config/` beside the package in a checkout."""
    packaged = Path(str(resources.files("qualitygate"))) / "_presets"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "config"


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.toml") if p.stem != "default")


MAX_CONFIG_BYTES = 10 * 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's table; anything but a readable regular file of valid UTF-8 TOML is a
    ConfigError naming the file (a FIFO would block the read forever)."""
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "missing" if not path.exists() else "special"
            raise ConfigError(str(path), "", f"cannot read the file (it is {what})")
        data = path.read_bytes()[: MAX_CONFIG_BYTES + 1]
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the file ({exc.strerror})") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(str(path), "", "larger than 10 MiB: not a config file")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML ({exc})") from exc
    except RecursionError:
        raise ConfigError(str(path), "", "not valid TOML (nested too deeply)") from None


def find_config_file(root: Path) -> tuple[Path, str] | None:
    """The project's config file and the table prefix its keys live under."""
    own = root / "qualitygate.toml"
    if own.is_file():
        return own, ""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(str(pyproject), "tool", "expected a table")
        if "qualitygate" in tool:
            return pyproject, "tool.qualitygate"
    return None


PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "pytest.ini", "tox.ini")


def project_root(start: Path, top: Path) -> Path:
    """The project's folder, which may lie below the repository's root `top` (a monorepo):
    the nearest folder from `start` up to `top` holding qualitygate's config, else the
    nearest holding a Python project file, else `start`'s repository root."""
    start, top = start.resolve(), top.resolve()
    chain = [start, *(p for p in start.parents if p.is_relative_to(top))]
    for folder in chain:
        if find_config_file(folder) is not None:
            return folder
    for folder in chain:
        if any((folder / name).is_file() for name in PROJECT_FILES):
            return folder
    return top


def _table_of(path: Path, prefix: str) -> dict[str, Any]:
    data = _read_toml(path)
    for part in prefix.split(".") if prefix else []:
        data = data.get(part, {})
        if not isinstance(data, dict):
            raise ConfigError(str(path), prefix, "expected a table")
    return data


def _explicit_table(path: Path) -> tuple[dict[str, Any], str]:
    data = _read_toml(path)
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(str(path), "tool", "expected a table")
    if "qualitygate" in tool:
        return _table_of(path, "tool.qualitygate"), "tool.qualitygate"
    if path.name == "pyproject.toml":
        raise ConfigError(str(path), "tool.qualitygate", "missing: add a [tool.qualitygate] table")
    return data, ""


def _unknown(where: str, key: str, known: Mapping[str, str], keypath: str) -> ConfigError:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(known))
    return ConfigError(where, keypath, f"unknown key; {hint}")


MAX_TIMEOUT = 7 * 24 * 3600.0  # seconds: a week, more than any CI allows


def _number(where: str, keypath: str, value: Any, upper: float | None = 100.0) -> float:
    """A finite number in range: from 0 to `upper`, or (upper None) seconds of a timeout.
    NaN compares false with every bound, so it is refused by name, as is infinity."""
    expected = (
        "a number from 0 to 100"
        if upper
        else f"a positive number of seconds, from 1 to {MAX_TIMEOUT:g}"
    )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(where, keypath, f"expected {expected}, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(where, keypath, f"expected {expected}, got {value!r}")
    if upper is not None and not 0 <= value <= upper:
        raise ConfigError(where, keypath, f"expected {expected}, got {value!r}")
    if upper is None and not 1 <= value <= MAX_TIMEOUT:
        raise ConfigError(where, keypath, f"expected {expected}, got {value!r}")
    return float(value)


MAX_COUNT = 1_000_000


def _count(where: str, keypath: str, value: Any) -> int:
    """A whole number from 0 to MAX_COUNT (a float with no fraction, as the environment
    gives, is taken)."""
    expected = f"expected a whole number from 0 to {MAX_COUNT:,}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(where, keypath, f"{expected}, got {value!r}")
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= MAX_COUNT:
        raise ConfigError(where, keypath, f"{expected}, got {value!r}")
    return int(value)


def _strings(where: str, keypath: str, value: Any) -> tuple[str, ...]:
    """A list of non-empty strings, each kept once, in order."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        shown = repr(value) if len(repr(value)) < 80 else repr(value)[:77] + "..."
        raise ConfigError(where, keypath, f"expected a list of non-empty strings, got {shown}")
    return tuple(dict.fromkeys(value))


def _globs(where: str, keypath: str, value: Any) -> tuple[str, ...]:
    """A list of gitignore-style patterns that pathspec compiles; a bad one is named."""
    globs = _strings(where, keypath, value)
    for i, glob in enumerate(globs):
        try:
            pathspec.GitIgnoreSpec.from_lines([glob])
        except (ValueError, re.error) as exc:
            raise ConfigError(
                where, f"{keypath}[{i}]", f"not a valid glob {glob!r}: {exc}"
            ) from None
        if glob.lstrip("!").startswith("#") or not glob.strip("!/ "):
            raise ConfigError(where, f"{keypath}[{i}]", f"{glob!r} matches nothing")
    return globs


def _string(where: str, keypath: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(where, keypath, f"expected a non-empty string, got {value!r}")
    return value


def _check_key(where: str, keypath: str, value: Any, key: str = "") -> Any:
    key = key or keypath.rsplit(".", 1)[-1]
    if key in PERCENTS:
        return _number(where, keypath, value)
    if key == "timeout":
        return _number(where, keypath, value, upper=None)
    if key in COUNTS:
        return _count(where, keypath, value)
    if key in ("paths", "exclude", "workspace_include"):
        return _globs(where, keypath, value)
    if key in ("source", "tests", "pytest_args", "arid"):
        return _strings(where, keypath, value)
    return _string(where, keypath, value)


def _layers(where: str, prefix: str, table: Any, base: dict[str, Layer]) -> dict[str, Layer]:
    keypath = f"{prefix}.layers".lstrip(".")
    if not isinstance(table, dict):
        raise ConfigError(where, keypath, "expected a table of layers")
    layers = dict(base)
    for name, body in table.items():
        lpath = f"{keypath}.{name}"
        if not isinstance(body, dict):
            raise ConfigError(where, lpath, "expected a table with paths and thresholds")
        values: dict[str, Any] = {}
        for key, value in body.items():
            if key not in LAYER_KEYS:
                raise _unknown(where, key, LAYER_KEYS, f"{lpath}.{key}")
            values[key] = _check_key(where, f"{lpath}.{key}", value)
        if name in layers:
            layers[name] = replace(layers[name], **values)
        elif "paths" not in values:
            raise ConfigError(where, f"{lpath}.paths", "missing: a layer needs path globs")
        else:
            layers[name] = Layer(name=name, **values)
        if not layers[name].paths:
            raise ConfigError(where, f"{lpath}.paths", "empty: a layer needs at least one glob")
    return layers


def _apply(cfg: Config, table: Mapping[str, Any], where: str, prefix: str) -> Config:
    values: dict[str, Any] = {}
    for key, value in table.items():
        keypath = f"{prefix}.{key}".lstrip(".")
        if key not in TOP_KEYS:
            raise _unknown(where, key, TOP_KEYS, keypath)
        if key == "layers":
            base = {layer.name: layer for layer in cfg.layers}
            values["layers"] = tuple(_layers(where, prefix, value, base).values())
        elif key == "priority":
            values["priority"] = parse_settings(where, keypath, value, cfg.priority)
        elif key != "preset":
            values[key] = _check_key(where, keypath, value)
    return replace(cfg, **values)


def _with_preset(cfg: Config, table: Mapping[str, Any], where: str, prefix: str) -> Config:
    name = table.get("preset")
    if name is None:
        return cfg
    keypath = f"{prefix}.preset".lstrip(".")
    name = _string(where, keypath, name)
    if name not in preset_names():
        shown = name if len(name) <= 40 else name[:37] + "..."
        raise ConfigError(
            where, keypath, f"no preset '{shown}'; shipped: {', '.join(preset_names())}"
        )
    path = presets_dir() / f"{name}.toml"
    return replace(_apply(cfg, _read_toml(path), str(path), ""), preset=name)


def _env_overrides(cfg: Config, env: Mapping[str, str]) -> Config:
    values: dict[str, Any] = {}
    for var, key in ENV_KEYS.items():
        if var not in env:
            continue
        raw: Any = env[var]
        if key in THRESHOLDS or key == "timeout":
            try:
                raw = float(raw)
            except ValueError:
                raise ConfigError("environment", var, f"expected a number, got {raw!r}") from None
        values[key] = _check_key("environment", var, raw, key)
    return replace(cfg, **values)


def load(
    root: Path,
    explicit: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """The effective config for the repository at `root`."""
    cfg = _apply(
        Config(origin="defaults"), _read_toml(presets_dir() / "default.toml"), "defaults", ""
    )
    if explicit is not None:
        table, prefix = _explicit_table(explicit)
        found: tuple[Path, str] | None = (explicit, prefix)
    else:
        found = find_config_file(root)
        table = _table_of(*found) if found else {}
    if found:
        where, prefix = str(found[0]), found[1]
        cfg = _with_preset(cfg, table, where, prefix)
        cfg = replace(_apply(cfg, table, where, prefix), origin=where)
        cfg = _python_from(cfg, Path(where).parent)
    cfg = _python_from(_env_overrides(cfg, os.environ if env is None else env), Path.cwd())
    for key, value in (overrides or {}).items():
        if value is not None:
            flag = "--" + key.replace("_", "-")
            cfg = replace(cfg, **{key: _check_key("command line", flag, value, key)})
    cfg = _python_from(cfg, Path.cwd())
    thresholds = {k: getattr(cfg, k) for k in THRESHOLDS}
    other = Layer(OTHER_LAYER, ("**",), **thresholds, max_accepted=cfg.max_accepted)
    return replace(cfg, other=other)


def _python_from(cfg: Config, folder: Path) -> Config:
    """`python` as an absolute path when it is a relative one (`.venv/bin/python`): in the
    config file, relative to the file's folder; from the environment or a flag, to the
    current folder. The tests and the mutants run elsewhere (a copy of the project), where
    the relative path would name nothing. A bare name (`python3`) is looked up on PATH."""
    given = cfg.python
    if not given or os.path.isabs(given) or ("/" not in given and os.sep not in given):
        return cfg
    return replace(cfg, python=os.path.normpath(folder / given))


def check_source(root: Path, cfg: Config) -> None:
    """A `source` folder that does not exist would gate nothing, and pass."""
    for folder in cfg.source:
        if folder.strip("/") not in ("", ".") and not (root / folder).exists():
            raise ConfigError(
                cfg.origin, "source", f"source folder '{folder}' does not exist in {root}"
            )
