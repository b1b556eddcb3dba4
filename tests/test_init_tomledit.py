"""Removing [tool.qualitygate] from a pyproject.toml as text, every other byte kept."""

from __future__ import annotations

import pytest

from qualitygate.adopt import tomledit
from qualitygate.errors import ConfigError

RUFF = "[tool.ruff]\nline-length = 100  # wide\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            RUFF + '\n[tool.qualitygate]\nsource = ["a"]\n# about a\n',
            RUFF + "\n",
            id="last table, its trailing comment goes with it",
        ),
        pytest.param(
            '[tool.qualitygate]\nsource = ["a"]\n\n# Introduces ruff.\n' + RUFF,
            "# Introduces ruff.\n" + RUFF,
            id="the comment above the next table stays",
        ),
        pytest.param(
            RUFF
            + '\n[tool.qualitygate]\nsource = ["a"]\n\n[tool.qualitygate.layers.x]\n'
            + 'paths = [\n    "a/**",  # the glob\n]\n\n[project]\nname = "p"\n',
            RUFF + '\n[project]\nname = "p"\n',
            id="sub-tables and multi-line arrays go, blank lines do not pile up",
        ),
        pytest.param(
            '[tool.qualitygate]\nbase = "main"\n\n' + RUFF + "\n[tool.qualitygate.layers.x]\n"
            'paths = ["x/**"]\n',
            RUFF + "\n",
            id="out-of-order sub-tables",
        ),
        pytest.param(
            '[tool."qualitygate"]\nbase = "main"\n[tool . qualitygate . layers.x]\npaths = ["x"]\n',
            "",
            id="quoted and spaced headers",
        ),
        pytest.param(
            '[tool.qualitygate_extra]\nx = 1\n[tool.qualitygate]\nbase = "m"\n',
            "[tool.qualitygate_extra]\nx = 1\n",
            id="a table whose name only starts the same stays",
        ),
    ],
)
def test_remove_table(text: str, expected: str) -> None:
    assert tomledit.remove_table(text, "tool.qualitygate", "pyproject.toml") == expected


def test_dotted_keys_are_refused_not_mangled() -> None:
    text = '[tool]\nqualitygate.base = "main"\nruff.line-length = 100\n'
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.qualitygate: cannot be removed"):
        tomledit.remove_table(text, "tool.qualitygate", "pyproject.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "S\n"), ("\n\n", "S\n"), ("a = 1", "a = 1\n\nS\n"), ("a = 1\n\n\n", "a = 1\n\nS\n")],
)
def test_append(text: str, expected: str) -> None:
    assert tomledit.append(text, "S\n") == expected
