"""The terminal report at 80 columns: the layer table, diffs and test lists fit, on a
terminal (rich) and in plain text."""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from qualitygate.model import CheckResult, Rule, ranges
from qualitygate.reporters.check import terminal
from qualitygate.reporters.check.summary import wrap_words
from qualitygate.reporters.wording import fit_diff, fit_list
from tests.ci_results import layer, mutant, result

LONG_DIFF = (
    "-        if options.include_in_doctest or options.exclude_from_doctest_and_more:\n"
    "+        if options.include_in_doctest and options.exclude_from_doctest_and_more:"
)
MANY_TESTS = tuple(f"tests/integration/test_main.py::test_case_number_{i}" for i in range(9))


def wide_result() -> CheckResult:
    base = result()
    store = base.files[0]
    survivor = replace(mutant(store.path, 3, diff=LONG_DIFF), tests=MANY_TESTS, hint="x " * 60)
    files = (replace(store, mutants=(survivor,), nearby_tests=MANY_TESTS), *base.files[1:])
    infrastructure = layer(
        "infrastructure",
        Rule("coverage", 45.0, 100, False),
        Rule("diff_coverage", 50.0, 100, False),
        Rule("mutation_score", 33.3, 100, False),
        Rule("accepted_mutants", 3, 2, False, at_most=True),
    )
    return replace(base, files=files, layers=(infrastructure, *base.layers[1:]))


def rich_text(res: CheckResult, width: int = 80) -> str:
    out = io.StringIO()
    console_file = out
    original = terminal.Console

    def narrow(*args: object, **kwargs: object) -> Console:
        return original(file=console_file, width=width, force_terminal=True)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(terminal, "Console", narrow)
        terminal.render_rich(res, out)
    return re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())


def test_the_rich_table_fits_80_columns_with_every_header_whole() -> None:
    text = rich_text(wide_result())
    assert all(len(line) <= 80 for line in text.splitlines()), text
    header = next(line for line in text.splitlines() if "Layer" in line)
    for column in terminal.LAYER_COLUMNS:
        assert column in header, header
    assert "…" not in header
    assert "33.3% / 100" in text  # each figure beside its target, on one line
    assert "Failed rules:" in text
    assert "accepted mutants: 3, over the budget of 2 (max_accepted)" in text


def test_plain_text_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    terminal.render_plain(wide_result(), out)
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    diff = [line.strip() for line in lines if line.strip().startswith(("-", "+"))]
    assert any(line.startswith("-…") and " or " in line for line in diff), diff
    assert any(line.startswith("+…") and " and " in line for line in diff), diff
    assert any("and 8 more" in line or "more" in line for line in lines if "run by" in line)


def test_a_diff_keeps_the_change_in_sight() -> None:
    fitted = fit_diff(LONG_DIFF.splitlines(), 50)
    assert all(len(line) <= 50 for line in fitted)
    assert " or " in fitted[0] and " and " in fitted[1]
    short = fit_diff(["-    return a + b", "+    return a - b"], 50)
    assert short == ["-return a + b", "+return a - b"]  # shared indentation goes


def test_a_list_of_tests_stops_with_a_count() -> None:
    assert fit_list("run by", [], 40, "no test") == "run by: no test"
    line = fit_list("run by", ["a" * 10, "b" * 10, "c" * 10], 32, "-")
    assert line == "run by: " + "a" * 10 + " and 2 more"
    assert fit_list("run by", ["a", "b"], 80, "-") == "run by: a, b"


def coded_result() -> CheckResult:
    """The store file with 13 uncovered lines, one of them far wider than 80 columns."""
    base = result()
    store = base.files[0]
    lines = tuple(range(20, 33))
    source = tuple(
        (n, "\t\treturn " + ("compute_total(items, discount, currency) + " * 3 if n == 21 else "x"))
        for n in lines[:10]
    )
    files = (replace(store, uncovered_changed_lines=lines, source=source), *base.files[1:])
    return replace(base, files=files)


def test_uncovered_lines_show_their_code_marked_and_elided(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    terminal.render_plain(coded_result(), out)
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    code = [line.strip() for line in lines if line.strip().startswith("!")]
    assert code[0] == "! 20  return x"  # the shared indentation (two tabs) dropped
    assert code[1].startswith("! 21  return compute_total(") and code[1].endswith("…")
    assert len(code) == 10
    assert "… and 3 more uncovered lines" in [line.strip() for line in lines]
    rich = rich_text(coded_result())
    assert all(len(line) <= 80 for line in rich.splitlines())
    assert "! 20  return x" in rich


def test_a_long_list_of_uncovered_lines_wraps_whole_ranges_within_80_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = result()
    scattered = (*range(100, 400, 3), 1000, 1001, 1002)  # no run of two, then 1000-1002
    files = (replace(base.files[0], uncovered_changed_lines=scattered), *base.files[1:])
    res = replace(base, files=files)
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    terminal.render_plain(res, out)
    plain = out.getvalue().splitlines()
    for lines in (plain, rich_text(res).splitlines()):
        assert all(len(line) <= 80 for line in lines), [x for x in lines if len(x) > 80]
        at = next(i for i, line in enumerate(lines) if "uncovered changed lines:" in line)
        end = next(i for i in range(at, len(lines)) if lines[i].rstrip().endswith("1002"))
        listed = " ".join(line.strip() for line in lines[at : end + 1])
        numbers = re.findall(r"\d+(?:-\d+)?", listed.partition(":")[2])
        assert numbers == [*map(str, scattered[:-3]), "1000-1002"]  # a range is never cut


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(1, 100_000), min_size=1, max_size=300),
    st.integers(20, 160),
)
def test_the_uncovered_lines_pack_as_textwrap_wraps_them(lines: list[int], width: int) -> None:
    text = f"uncovered changed lines: {ranges(lines)}"
    expected = textwrap.wrap(text, width, subsequent_indent="  ", break_on_hyphens=False)
    assert wrap_words(text, width) == expected


@pytest.mark.parametrize("styled", [False, True], ids=["plain", "rich"])
def test_a_change_of_many_files_shows_the_worst_in_full_and_counts_the_rest(
    styled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 files with gaps made 2 MB of terminal text. The worst 20 show in full, the
    next 100 a line each, and the rest as a count that says where every one is."""
    from qualitygate.reporters.check.summary import DETAILED_GAPS, LISTED_GAPS

    monkeypatch.setenv("COLUMNS", "80")
    base = result()
    one = base.files[0]
    many = tuple(
        replace(
            one,
            path=f"app/db/m{i:04}.py",
            mutants=(),
            uncovered_changed_lines=tuple(range(1, 2 + i % 7)),
        )
        for i in range(300)
    )
    res = replace(base, files=many)
    if styled:
        text = rich_text(res)
    else:
        out = io.StringIO()
        terminal.render_plain(res, out)
        text = out.getvalue()
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    detailed = [line for line in lines if re.fullmatch(r"\s*app/db/m\d+\.py \[\w+\]", line)]
    counted = [line for line in lines if re.search(r"m\d+\.py \[\w+\]: \d+ uncovered line", line)]
    assert (len(detailed), len(counted)) == (DETAILED_GAPS, LISTED_GAPS)
    weights = [int(re.findall(r": (\d+) uncovered", line)[0]) for line in counted]
    assert weights == sorted(weights, reverse=True) and weights[0] == 7  # worst first
    left = 300 - DETAILED_GAPS - LISTED_GAPS
    assert f"and {left} more files with gaps: --report json:FILE lists all" in text
