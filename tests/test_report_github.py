"""The github report: annotations GitHub parses back to what we meant, within its limits."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from qualitygate.model import CheckResult
from qualitygate.reporters.check import github
from tests.ci_results import BAD_PATH, INJECTING_PATH, hostile, many_gaps, result

COMMAND = re.compile(r"^::(?P<name>\w+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape(text: str, prop: bool) -> str:
    """What the Actions runner does to a command's data and properties."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for code, char in [*pairs, ("%25", "%")]:
        text = text.replace(code, char)
    return text


def parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Every output line must be one whole workflow command; returns them unescaped."""
    commands = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in (match["props"] or "").split(",") if p)
        commands.append(
            (
                match["name"],
                {key: unescape(value, prop=True) for key, value in props.items()},
                unescape(match["message"], prop=False),
            )
        )
    return commands


def render(result: CheckResult) -> str:
    out = io.StringIO()
    github.render(result, out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb\r", "a%0Ab%0D", "a%0Ab%0D"),
        ("%0A", "%250A", "%250A"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping_follows_githubs_rules(text: str, data: str, prop: str) -> None:
    assert github.escape_data(text) == data
    assert github.escape_property(text) == prop


def test_annotations_point_at_ranges_and_mutants_worst_first() -> None:
    commands = parse(render(result()))
    located = [(name, p["file"], p["line"], p["endLine"]) for name, p, _ in commands]
    assert located == [
        ("error", "app/db/store.py", "3", "4"),
        ("error", "app/db/store.py", "7", "7"),
        ("error", "app/db/store.py", "2", "2"),
        ("error", "app/db/store.py", "5", "5"),
        ("error", "app/db/cache.py", "1", "2"),
    ]
    _, props, message = commands[2]
    assert props["title"] == "qualitygate: Mutant survived (infrastructure)"
    assert "-    if len(rows) > limit:\n+    if len(rows) >= limit:" in message


def test_hostile_paths_cannot_inject_a_command_and_round_trip() -> None:
    output = render(hostile())
    commands = parse(output)  # every line is exactly one command
    assert len(output.splitlines()) == len(commands) == 5
    assert {p["file"] for _, p, _ in commands} == {BAD_PATH, INJECTING_PATH}
    assert all(p["title"].endswith("(infra|<b>&`x`)") for _, p, _ in commands)
    assert "'%0A'" in commands[2][2]  # a literal %0A in a diff stays literal


def test_at_most_ten_per_level_then_one_notice_counting_the_rest() -> None:
    commands = parse(render(many_gaps(15)))
    names = [name for name, _, _ in commands]
    assert names == ["error"] * 10 + ["warning"] * 10 + ["notice"]
    assert commands[-1][2].startswith("10 more gaps not annotated")
    assert [p["line"] for _, p, _ in commands[:3]] == ["1", "3", "5"]


def test_no_gaps_no_output() -> None:
    base = result()
    clean = CheckResult(base.base, base.head, base.layers[1:], (), "pytest")
    assert render(clean) == ""


def test_step_summary_is_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(result())
    text = summary.read_text()
    assert text.startswith("earlier step\n<!-- qualitygate -->\n### ❌ qualitygate failed")
    assert "<details>" in text


def test_unwritable_step_summary_is_a_warning_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    name, props, message = parse(render(result()))[-1]
    assert (name, props["title"]) == ("warning", "qualitygate")
    assert message.startswith("cannot write the step summary to ")
