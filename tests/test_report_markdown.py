"""The markdown report through a real CommonMark parser with GFM tables (markdown-it-py).

The gold file in test_gold.py pins the wording; these pin the structure: one
table whose rows keep their cells, one <details> per file with gaps, code
that stays code, and no markup smuggled in by names, paths or diffs.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from qualitygate.model import CheckResult
from qualitygate.reporters.check import markdown
from tests.ci_results import BAD_DIFF, BAD_LAYER, BAD_PATH, INJECTING_PATH, hostile, result

PARSER = MarkdownIt("commonmark").enable("table")


def render(result: CheckResult) -> str:
    out = io.StringIO()
    markdown.render(result, out)
    return out.getvalue()


def inline_text(tokens: list[Token]) -> str:
    return "".join(
        child.content for token in tokens for child in token.children or [] if child.content
    )


def table_rows(text: str) -> list[list[str]]:
    tokens = PARSER.parse(text)
    assert [t.type for t in tokens].count("table_open") == 1
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level >= 4:
            rows[-1].append(inline_text([token]))
    return rows


def test_verdict_first_then_the_failed_rules_then_one_table() -> None:
    text = render(result())
    lines = text.splitlines()
    assert lines[0] == "<!-- qualitygate -->"  # a CI step finds its comment by it
    assert lines[1] == "### ❌ qualitygate failed"
    assert (
        lines[3] == "3 changed files against `main` · coverage from `pytest` · mutation testing ran"
    )
    assert lines[5].startswith("- **infrastructure**: layer coverage 45.0% is below 50%")
    rows = table_rows(text)
    assert rows[0] == ["Layer", "Changed", "Diff cov", "Layer cov", "Mutation", "Result"]
    assert rows[1] == ["infrastructure", "4", "50.0% / 80", "45.0% / 50", "33.3% / 60", "❌"]
    assert rows[2][0] == "services"
    assert max(len(line) for line in lines if line.startswith("|")) <= 80  # narrow column


@pytest.mark.parametrize("make", [result, hostile])
def test_table_rows_keep_their_cells(make: Callable[[], CheckResult]) -> None:
    rows = table_rows(render(make()))
    assert len(rows) == 3
    assert all(len(row) == 6 for row in rows)


def test_hostile_names_render_as_text() -> None:
    text = render(hostile())
    rows = table_rows(text)
    assert rows[1][0] == BAD_LAYER  # the cell shows the name itself, pipes and all
    html = PARSER.render(text)
    assert "<b>" not in html and "<x>" not in html
    assert html.count("<details>") == html.count("</details>") == 2  # the diff's stays text
    assert "&lt;/details&gt;" in html
    assert f"<code>{BAD_PATH}</code>" in html
    assert "::error file=pwned.py::injected .py" in html  # newline flattened, not a new line
    assert INJECTING_PATH not in text


def test_diffs_stay_inside_a_fence_longer_than_their_backticks() -> None:
    tokens = PARSER.parse(render(hostile()))
    fences = [t for t in tokens if t.type == "fence"]
    assert fences[0].info == "diff"
    assert fences[0].content == BAD_DIFF + "\n"


def test_code_spans_survive_backticks() -> None:
    assert markdown.code("plain") == "`plain`"
    span = markdown.code("a``b`")
    assert PARSER.renderInline(span) == "<code>a``b`</code>"


def test_passing_result_has_no_gap_section() -> None:
    base = result()
    clean = CheckResult(base.base, base.head, base.layers[1:], (), "pytest")
    text = render(clean)
    assert text.startswith("<!-- qualitygate -->\n### ✅ qualitygate passed")
    assert "<details>" not in text and "Gaps" not in text
