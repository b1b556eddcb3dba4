"""What a mutant means: arid mutants that no test should kill, and a survivor's hint."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from qualitygate.main import main
from qualitygate.mutation import hints
from tests.fixtures import make_repo, write

SOURCE = textwrap.dedent(
    '''
    """A module."""
    import argparse
    import logging

    logger = logging.getLogger(__name__)


    def bulk_discount(quantity, price, vip=False, note: str | None = None):
        """The discounted total."""
        logger.info("computing a discount for %s", quantity)
        if quantity >= 10 and not vip:
            return price * quantity * 0.9
        return price * quantity


    def label(code):
        return "unknown" if code is None else f"code {code}"


    def parser():
        p = argparse.ArgumentParser(description="Compute discounts")
        p.add_argument("--vip", action="store_true", help="apply the VIP rate")
        return p


    class Order:
        def __repr__(self):
            return f"Order({self.id})"
    '''
).lstrip("\n")
TREE = ast.parse(SOURCE)
LINES = SOURCE.splitlines()


def mutant(line: int, old: str, new: str) -> tuple[int, str]:
    """(line, diff) for replacing `old` by `new` in the line holding `old` (1-based)."""
    text = LINES[line - 1]
    assert old in text, (text, old)
    return line, f"-{text}\n+{text.replace(old, new, 1)}"


def line_of(fragment: str) -> int:
    return next(i for i, text in enumerate(LINES, 1) if fragment in text)


@pytest.mark.parametrize(
    ("fragment", "old", "new", "expected"),
    [
        ("logger.info", '"computing a discount for %s"', '"XXcomputingXX"', hints.LOGGING_TEXT),
        ("logger.info", "quantity)", "None)", hints.LOGGING_TEXT),
        ("logger.info", '"computing a discount for %s", ', "", hints.LOGGING_TEXT),
        ("add_argument", '"apply the VIP rate"', '"XXapplyXX"', hints.HELP_TEXT),
        ("ArgumentParser", '"Compute discounts"', '"XX"', hints.HELP_TEXT),
        ('"""The discounted total."""', '"""The', '"""XXThe', hints.DOCSTRING),
        ("Order({self.id})", "Order(", "XXOrder(", hints.REPR_TEXT),
        ("note: str | None = None", "= None", '= ""', hints.PLACEHOLDER),
        ("if quantity >= 10", ">=", ">", None),
        ('"unknown"', '"unknown"', '"XXunknownXX"', None),
        ("vip=False", "vip=False", "vip=True", None),
    ],
)
def test_arid_reason(fragment: str, old: str, new: str, expected: str | None) -> None:
    line, diff = mutant(line_of(fragment), old, new)
    assert hints.arid_reason(TREE, line, diff) == expected


def test_arid_calls_are_configurable() -> None:
    line, diff = mutant(line_of("logger.info"), '"computing', '"XXcomputing')
    assert hints.arid_reason(TREE, line, diff, ()) is None
    assert hints.arid_reason(TREE, line, diff, ("logger.info",)) == hints.LOGGING_TEXT


@pytest.mark.parametrize(
    ("fragment", "old", "new", "words"),
    [
        ("if quantity >= 10", ">=", ">", ["`quantity == 10`", "`>=` and `>` differ only there"]),
        ("if quantity >= 10", "and not", "or not", ["tells `and` from `or`"]),
        ("if quantity >= 10", "10", "11", ["depends on the value 10", "if it were 11"]),
        ("* 0.9", "0.9", "1.9", ["the value 0.9"]),
        ('"unknown"', '"unknown"', '"XXunknownXX"', ['checks the text "unknown"']),
        ("return price * quantity\n", "price * quantity", "price / quantity", ["`*` from `/`"]),
        ("if quantity >= 10", "not vip", "vip", ["both outcomes"]),
        ('"unknown"', "code is None", "(code is None) or True", ["both outcomes of `code is"]),
    ],
)
def test_hint_for_each_kind_of_mutant(fragment: str, old: str, new: str, words: list[str]) -> None:
    fragment = fragment.rstrip("\n")
    line = line_of(fragment)
    line, diff = mutant(line, old, new)
    found = hints.hint(SOURCE, TREE, line, diff, "bulk_discount")
    for word in words:
        assert word in found, found
    assert "`bulk_discount`" in found


def test_no_rule_says_so_rather_than_invent() -> None:
    line, diff = mutant(line_of("p = argparse"), "p = ", "q = ")
    assert hints.hint(SOURCE, TREE, line, diff, "parser").startswith("no rule gives a hint")


PRICING_TESTS = """
from app.services.pricing import bulk_discount, label, parser


def test_bulk():
    assert bulk_discount(20, 1) == 18
    assert bulk_discount(1, 1) == 1


def test_label():
    assert label(None) == "unknown"


def test_parser():
    assert parser().parse_args(["--vip"]).vip
"""


@pytest.mark.slow
def test_a_real_change_gets_hints_and_no_mutants_on_arid_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.setups.test_mutation_setups import mutation_project

    root = make_repo(tmp_path / "r", mutation_project())
    write(root, {"app/services/pricing.py": SOURCE, "tests/test_pricing.py": PRICING_TESTS})
    code = main(["check", "-C", str(root), "--base", "HEAD", "-q", "--report", "json"])
    report = json.loads(capsys.readouterr().out)
    (pricing,) = [f for f in report["files"] if f["path"] == "app/services/pricing.py"]
    logging_line = line_of("logger.info")
    assert not [m for m in pricing["mutants"] if m["line"] == logging_line]
    assert not [m for m in pricing["mutants"] if "help=" in m["diff"] and "XXapply" in m["diff"]]
    assert report["arid_mutants"].get(hints.LOGGING_TEXT, 0) >= 2
    assert report["arid_mutants"].get(hints.HELP_TEXT, 0) >= 2
    boundary = [
        m
        for m in pricing["mutants"]
        if m["line"] == line_of("if quantity >= 10")
        and ">= 10" in m["diff"]
        and "> 10" in m["diff"]
    ]
    assert [m["status"] for m in boundary] == ["survived"]
    assert "no test calls `bulk_discount` with `quantity == 10`" in boundary[0]["hint"]
    assert all(m["hint"] for m in pricing["mutants"] if m["status"] == "survived")
    assert all(m["hint"] is None for m in pricing["mutants"] if m["status"] == "killed")
    assert code in (0, 1)  # the services layer asks only 10% of its mutants killed
