"""Config: layering, presets, and a precise message for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitygate.errors import ConfigError
from qualitygate.project import config


def load_text(
    tmp_path: Path, text: str, name: str = "pyproject.toml", **kw: object
) -> config.Config:
    (tmp_path / name).write_text(text)
    return config.load(tmp_path, env={}, **kw)  # type: ignore[arg-type]


def test_defaults_without_any_file(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={})
    assert cfg.origin == "defaults"
    assert (cfg.min_diff_coverage, cfg.min_coverage, cfg.tests) == (80, 0, ())  # pytest decides
    assert cfg.layers == ()


def test_pyproject_table_and_layers_in_declared_order(tmp_path: Path) -> None:
    cfg = load_text(
        tmp_path,
        """
        [tool.qualitygate]
        base = "origin/develop"
        source = ["app", "workers"]
        min_diff_coverage = 70
        [tool.qualitygate.layers.repositories]
        paths = ["app/db/repositories/**"]
        min_coverage = 50
        [tool.qualitygate.layers.infrastructure]
        paths = ["app/infrastructure/**", "app/db/**"]
        min_coverage = 60
        min_diff_coverage = 80
        min_mutation_score = 50
        """.replace("        ", ""),
    )
    assert cfg.base == "origin/develop" and cfg.source == ("app", "workers")
    assert [la.name for la in cfg.layers] == ["repositories", "infrastructure"]
    infra = cfg.layers[1]
    assert (infra.min_coverage, infra.min_diff_coverage, infra.min_mutation_score) == (60, 80, 50)
    assert cfg.layers[0].min_diff_coverage == 0
    assert cfg.other.min_diff_coverage == 70  # top-level thresholds: files in no layer


def test_qualitygate_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.qualitygate]\nmin_coverage = 10\n")
    cfg = load_text(tmp_path, "min_coverage = 20\n", name="qualitygate.toml")
    assert cfg.min_coverage == 20 and cfg.origin.endswith("qualitygate.toml")


def test_preset_then_key_by_key_override(tmp_path: Path) -> None:
    cfg = load_text(
        tmp_path,
        """
[tool.qualitygate]
preset = "layered-backend"
[tool.qualitygate.layers.domain]
min_coverage = 95
[tool.qualitygate.layers.scripts]
paths = ["scripts/**"]
""",
    )
    names = [la.name for la in cfg.layers]
    assert (
        names[:7]
        == ["domain", "services", "repositories", "infrastructure", "middleware", "api", "workers"]
        and names[-1] == "scripts"
    )
    domain = cfg.layers[0]
    assert domain.min_coverage == 95 and domain.min_diff_coverage == 90  # rest from the preset
    assert cfg.preset == "layered-backend"


def test_environment_then_flags(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.qualitygate]\nmin_diff_coverage = 50\nbase = 'x'\n"
    )
    env = {"QUALITYGATE_MIN_DIFF_COVERAGE": "60", "QUALITYGATE_BASE": "origin/dev"}
    assert config.load(tmp_path, env=env).min_diff_coverage == 60
    assert config.load(tmp_path, env=env).base == "origin/dev"
    flagged = config.load(tmp_path, env=env, overrides={"min_diff_coverage": 90.0})
    assert flagged.min_diff_coverage == 90 and flagged.other.min_diff_coverage == 90


def test_explicit_config_path(tmp_path: Path) -> None:
    path = tmp_path / "ci" / "gate.toml"
    path.parent.mkdir()
    path.write_text("min_coverage = 33\n")
    assert config.load(tmp_path, path, env={}).min_coverage == 33


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (
            "[tool.qualitygate]\nmin_diff_coverag = 80\n",
            "tool.qualitygate.min_diff_coverag",
            "did you mean 'min_diff_coverage'",
        ),
        (
            "[tool.qualitygate]\nmin_coverage = '80'\n",
            "tool.qualitygate.min_coverage",
            "expected a number from 0 to 100, got '80'",
        ),
        (
            "[tool.qualitygate]\nmin_coverage = 101\n",
            "tool.qualitygate.min_coverage",
            "expected a number from 0 to 100, got 101",
        ),
        ("[tool.qualitygate]\nmin_coverage = -1\n", "tool.qualitygate.min_coverage", "got -1"),
        ("[tool.qualitygate]\nmin_coverage = true\n", "tool.qualitygate.min_coverage", "got True"),
        (
            "[tool.qualitygate]\nsource = 'app'\n",
            "tool.qualitygate.source",
            "expected a list of non-empty strings",
        ),
        ("[tool.qualitygate]\ntimeout = 0\n", "tool.qualitygate.timeout", "positive number"),
        (
            "[tool.qualitygate.layers.db]\npaths = ['db/**']\nmax_accepted = 1.5\n",
            "tool.qualitygate.layers.db.max_accepted",
            "expected a whole number from 0 to 1,000,000, got 1.5",
        ),
        ("[tool.qualitygate]\nmax_accepted = -1\n", "tool.qualitygate.max_accepted", "got -1"),
        ("[tool.qualitygate]\nmax_accepted = nan\n", "tool.qualitygate.max_accepted", "got nan"),
        ("[tool.qualitygate]\nmax_accepted = '2'\n", "tool.qualitygate.max_accepted", "got '2'"),
        (
            "[tool.qualitygate]\npreset = 'nope'\n",
            "tool.qualitygate.preset",
            "no preset 'nope'; shipped: layered-backend, library",
        ),
        (
            "[tool.qualitygate.layers.db]\nmin_coverage = 60\n",
            "tool.qualitygate.layers.db.paths",
            "missing: a layer needs path globs",
        ),
        (
            "[tool.qualitygate.layers.db]\npaths = []\n",
            "tool.qualitygate.layers.db.paths",
            "empty: a layer needs at least one glob",
        ),
        (
            "[tool.qualitygate.layers.db]\npaths = ['a/**']\nmin_mutation = 3\n",
            "tool.qualitygate.layers.db.min_mutation",
            "did you mean 'min_mutation_score'",
        ),
        (
            "[tool.qualitygate.layers.db]\npaths = ['a/**']\nmin_coverage = 300\n",
            "tool.qualitygate.layers.db.min_coverage",
            "got 300",
        ),
        ("[tool.qualitygate]\nlayers = 3\n", "tool.qualitygate.layers", "expected a table"),
        ("[tool.qualitygate.layers]\ndb = 3\n", "tool.qualitygate.layers.db", "expected a table"),
    ],
)
def test_every_mistake_names_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}: {key}: "), message
    assert problem in message
    assert caught.value.exit_code == 2


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML \(.*line 2"):
        load_text(tmp_path, "[tool.qualitygate]\nmin_coverage = = 3\n")


def test_unreadable_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing.toml: cannot read the file"):
        config.load(tmp_path, tmp_path / "missing.toml", env={})


def test_explicit_pyproject_without_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"tool.qualitygate: missing"):
        config.load(tmp_path, tmp_path / "pyproject.toml", env={})


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match="environment: QUALITYGATE_MIN_COVERAGE: expected a number"
    ):
        config.load(tmp_path, env={"QUALITYGATE_MIN_COVERAGE": "lots"})
    with pytest.raises(ConfigError, match=r"environment: QUALITYGATE_MIN_COVERAGE: .*got 120"):
        config.load(tmp_path, env={"QUALITYGATE_MIN_COVERAGE": "120"})


def test_bad_flag_value_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"command line: --min-diff-coverage: .*got 150"):
        config.load(tmp_path, env={}, overrides={"min_diff_coverage": 150.0})


def test_pyproject_without_our_table_is_not_our_config(tmp_path: Path) -> None:
    assert load_text(tmp_path, "[project]\nname = 'x'\n").origin == "defaults"


def test_shipped_presets_are_valid(tmp_path: Path) -> None:
    for name in config.preset_names():
        cfg = load_text(tmp_path, f"[tool.qualitygate]\npreset = '{name}'\n")
        assert cfg.layers, name


def test_a_layer_budget_of_accepted_mutants_is_read(tmp_path: Path) -> None:
    path = tmp_path / "qualitygate.toml"
    path.write_text("max_accepted = 3\n[layers.db]\npaths = ['db/**']\nmax_accepted = 0\n")
    cfg = config.load(tmp_path, path, env={})
    assert (cfg.layers[0].max_accepted, cfg.other.max_accepted) == (0, 3)
    (tmp_path / "empty").mkdir()
    assert config.load(tmp_path / "empty", None, env={}).other.max_accepted is None


def test_a_relative_python_is_made_absolute_where_it_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mutants run in a copy of the project, where `.venv/bin/python` names nothing:
    in a config file it is relative to the file's folder, from the environment or a
    flag to the current folder; a bare name stays a name for PATH."""
    (tmp_path / "pyproject.toml").write_text('[tool.qualitygate]\npython = ".venv/bin/python"\n')
    assert config.load(tmp_path, env={}).python == str(tmp_path / ".venv" / "bin" / "python")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    env = {"QUALITYGATE_PYTHON": "venv/bin/python"}
    assert config.load(tmp_path, env=env).python == str(elsewhere / "venv" / "bin" / "python")
    flag = config.load(tmp_path, env={}, overrides={"python": "../py/bin/python"}).python
    assert flag == str(tmp_path / "py" / "bin" / "python")
    assert config.load(tmp_path, env={}, overrides={"python": "python3"}).python == "python3"
