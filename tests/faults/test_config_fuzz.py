"""Property-based fuzzing of the config: any file, any environment, any flag value either
loads into a config whose every number is finite and in range, or stops with a ConfigError
(exit 2). Never another exception (exit 4), never a hang.

`QUALITYGATE_FUZZ_EXAMPLES` sets the number of examples (2,000 by default, as CI runs it;
`benchmarks/fuzz_config.py` runs 10,000).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualitygate.errors import ConfigError
from qualitygate.project import config

EXAMPLES = int(os.environ.get("QUALITYGATE_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # shared machines: a slow example is load, not a hang
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

KEYS = [*config.TOP_KEYS, "min_coverag", "layers", "paths", "tool"]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, 1, 50, 100, 100.5, -1, 1e300, 604800, 604801]),
)
SCALARS = st.one_of(NUMBERS, st.text(max_size=30), st.booleans())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)
LAYER = st.dictionaries(
    st.sampled_from([*config.LAYER_KEYS, "min_coverag"]),
    st.one_of(VALUES, st.lists(st.sampled_from(["app/**", "x", "", "**"]), max_size=3)),
    max_size=5,
)
TABLES = st.fixed_dictionaries(
    {},
    optional={
        **{key: VALUES for key in KEYS},
        "layers": st.dictionaries(st.sampled_from(["db", "api", "x y"]), LAYER, max_size=3),
        "source": st.lists(st.sampled_from(["app", ".", "", "nope"]), max_size=3),
        "preset": st.sampled_from(["library", "layered-backend", "nope", "../x", "a" * 300]),
    },
)


def _finite_and_in_range(cfg: config.Config) -> None:
    for layer in (*cfg.layers, cfg.other):
        for key in config.PERCENTS:
            value = getattr(layer, key)
            assert math.isfinite(value) and 0 <= value <= 100, (layer.name, key, value)
    for key in config.THRESHOLDS:
        value = getattr(cfg, key)
        assert math.isfinite(value) and 0 <= value <= 100, (key, value)
    assert math.isfinite(cfg.timeout) and 1 <= cfg.timeout <= config.MAX_TIMEOUT


def _load(root: Path, text: bytes, env: dict[str, str], flags: dict[str, Any]) -> None:
    (root / "pyproject.toml").write_bytes(text)
    try:
        cfg = config.load(root, env=env, overrides=flags)
    except ConfigError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip()
        return
    _finite_and_in_range(cfg)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every example (hypothesis runs many per test), removed with pytest's
    other temporary folders rather than left in the system's."""
    return tmp_path_factory.mktemp("fuzz")


def _toml(table: dict[str, Any]) -> bytes:
    try:
        return tomlkit.dumps({"tool": {"qualitygate": table}}).encode()
    except (ValueError, TypeError):  # a value TOML cannot hold: write it as bad TOML
        return f"[tool.qualitygate]\nx = {table!r}\n".encode()


@FUZZ
@given(table=TABLES)
def test_any_config_table_loads_or_names_the_key(root: Path, table: dict[str, Any]) -> None:
    _load(root, _toml(table), {}, {})


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_pyproject(root: Path, data: bytes) -> None:
    _load(root, b"[tool.qualitygate]\n" + data, {}, {})


ENV = st.dictionaries(
    st.sampled_from(list(config.ENV_KEYS)),
    st.one_of(st.text(max_size=12), st.sampled_from(["nan", "inf", "-1", "1e999", "50", " 7"])),
    max_size=4,
)
FLAGS = st.fixed_dictionaries(
    {},
    optional={
        **{key: st.floats(allow_nan=True, allow_infinity=True) for key in config.THRESHOLDS},
        "timeout": st.floats(allow_nan=True, allow_infinity=True),
    },
)


@FUZZ
@given(env=ENV, flags=FLAGS)
def test_any_environment_and_flags(root: Path, env: dict[str, str], flags: dict[str, Any]) -> None:
    _load(root, b'[tool.qualitygate]\nsource = ["app"]\n', env, flags)
