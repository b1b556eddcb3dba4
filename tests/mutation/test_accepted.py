"""Accepted mutants: settled once in a committed file, found again after unrelated edits,
expired when their function changes, and held to a layer's budget."""

from __future__ import annotations

import json
import os
import textwrap
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualitygate.errors import ConfigError
from qualitygate.main import main
from qualitygate.mutation import accepted
from qualitygate.mutation.model import Mark, MutantSpec
from tests.fixtures import make_repo, write

PRICING = """\
def bulk_discount(quantity, price):
    if quantity >= 10:
        return price * 0.9
    return price
"""


def spec(function: str, diff: str, line: int = 2, source: str = PRICING) -> MutantSpec:
    return MutantSpec(
        name=f"app.pricing.x_{function}__mutmut_1",
        path="app/pricing.py",
        line=line,
        diff=diff,
        function=f"app.pricing.x_{function}",
        function_source=source,
        identity="",
        qualname=function,
    )


BOUNDARY = "-    if quantity >= 10:\n+    if quantity > 10:"


def mark(code: str = "", function: str = "bulk_discount", mutation: str = BOUNDARY) -> Mark:
    return Mark("app/pricing.py", function, mutation, "equivalent here", code)


def test_identity_ignores_indentation_and_spacing() -> None:
    assert accepted.normalised("-  if  a >= 1:\n+ if a > 1:") == "-if a >= 1:\n+if a > 1:"
    assert accepted.normalised(BOUNDARY) == accepted.normalised(
        "-        if quantity   >= 10:\n+        if quantity > 10:"
    )


def test_code_fingerprint_ignores_comments_and_layout_not_code() -> None:
    same = PRICING.replace("    return price\n", "    return (price)  # unchanged\n")
    changed = PRICING.replace("0.9", "0.8")
    assert accepted.code_of(same) == accepted.code_of(PRICING)
    assert accepted.code_of(changed) != accepted.code_of(PRICING)
    method = "class Cart:\n    def total(self):\n        return 1\n"
    assert set(accepted.functions_code(method)) == {"Cart.total"}


def test_a_mark_applies_while_its_function_is_unchanged() -> None:
    code = accepted.code_of(PRICING)
    other = spec("bulk_discount", "-        return price * 0.9\n+        return price * 1.9", 3)
    settled = accepted.settle(
        [spec("bulk_discount", BOUNDARY), other], [mark(code)], {"app/pricing.py": PRICING}
    )
    assert [m.status for m in settled.accepted] == ["accepted"]
    assert settled.accepted[0].reason == "equivalent here"
    assert settled.run == (other,) and settled.expired == ()


def test_a_mark_expires_when_its_function_changes_or_goes() -> None:
    edited = PRICING.replace("0.9", "0.8")
    settled = accepted.settle(
        [spec("bulk_discount", BOUNDARY, source=edited)],
        [mark(accepted.code_of(PRICING)), mark(function="gone")],
        {"app/pricing.py": edited},
    )
    assert settled.accepted == () and len(settled.run) == 1
    assert sorted(e.why for e in settled.expired) == [
        f"bulk_discount {accepted.CHANGED}",
        f"gone {accepted.GONE}",
    ]


def test_a_newer_mark_of_the_same_mutant_replaces_an_expired_one() -> None:
    edited = PRICING.replace("0.9", "0.8")
    marks = [mark(accepted.code_of(PRICING)), mark(accepted.code_of(edited))]
    settled = accepted.settle(
        [spec("bulk_discount", BOUNDARY, source=edited)], marks, {"app/pricing.py": edited}
    )
    assert len(settled.accepted) == 1 and settled.expired == ()


def test_a_hand_written_mark_without_code_never_expires() -> None:
    edited = PRICING.replace("0.9", "0.8")
    settled = accepted.settle(
        [spec("bulk_discount", BOUNDARY)], [mark()], {"app/pricing.py": edited}
    )
    assert len(settled.accepted) == 1 and settled.expired == ()


def test_marks_of_files_outside_the_change_are_left_alone() -> None:
    settled = accepted.settle([], [mark(function="gone")], {"app/other.py": PRICING})
    assert settled.expired == ()


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[[mutant]]\nfile = 'a.py'\n", "mutant[1].function", "missing"),
        (
            '[[mutant]]\nfile = "a.py"\nfunction = "f"\nmutation = "x"\nreason = ""\n',
            "mutant[1].reason",
            "non-empty string",
        ),
        ("[[mutant]]\nfile = 1\n", "mutant[1].file", "non-empty string"),
        (
            '[[mutant]]\nfile = "a"\nfunction = "f"\nmutation = "x"\nreason = "r"\nline = 3\n',
            "mutant[1].line",
            "unknown key",
        ),
        ("mutants = []\n", "mutants", "unknown key"),
        ("mutant = 3\n", "mutant", "expected [[mutant]]"),
        ("[[mutant\n", "", "not valid TOML"),
    ],
)
def test_a_bad_marks_file_names_the_file_and_the_entry(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    path = tmp_path / "qualitygate-accepted.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        accepted.load(path)
    assert str(path) in str(caught.value) and key in str(caught.value)
    assert words in str(caught.value)


TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).filter(str.strip)


@given(reason=TEXT, mutation=TEXT, function=TEXT)
def test_what_append_writes_reads_back_as_it_was(
    tmp_path_factory: pytest.TempPathFactory, reason: str, mutation: str, function: str
) -> None:
    path = tmp_path_factory.mktemp("marks") / "accepted.toml"
    path.write_text("# a comment the team wrote\n")
    written = Mark("app/x.py", function, mutation, reason, "abc")
    assert accepted.append(path, [written]) == 1
    assert accepted.append(path, [written]) == 0  # once only
    (back,) = accepted.load(path)
    assert (back.function, back.mutation, back.reason, back.code) == (
        function,
        mutation,
        reason,
        "abc",
    )
    assert path.read_text().startswith("# a comment the team wrote\n")


# ---------------------------------------------------------------- end to end, real mutmut

PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        testpaths = ["tests"]

        [tool.qualitygate]
        source = ["app"]
        min_diff_coverage = 0

        [tool.qualitygate.layers.services]
        paths = ["app/**"]
        min_mutation_score = 100
        max_accepted = 1
    """,
    "app/__init__.py": "",
    "app/base.py": "def one():\n    return 1\n",
    "tests/test_base.py": "from app.base import one\n\n\ndef test_one():\n    assert one() == 1\n",
}
CHANGE = {
    "app/pricing.py": PRICING,
    "tests/test_pricing.py": """
        from app.pricing import bulk_discount


        def test_big_order():
            assert bulk_discount(20, 100) == 90


        def test_small_order():
            assert bulk_discount(1, 100) == 100
    """,
}


UNIT_TEST = "from app.pricing import unit\n\n\ndef test_unit():\n    assert unit() == 1\n"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["check", "-C", str(root), "--base", "HEAD", "-q", "--report", "json"])
    out, err = capsys.readouterr()
    assert out, err
    return code, json.loads(out)


def pricing_mutants(report: dict) -> list[dict]:
    (pricing,) = [f for f in report["files"] if f["path"] == "app/pricing.py"]
    return pricing["mutants"]


def rule_of(report: dict, metric: str) -> dict:
    (services,) = [la for la in report["layers"] if la["name"] == "services"]
    return next(r for r in services["rules"] if r["metric"] == metric)


@pytest.mark.slow
def test_accepted_mutants_settle_a_layer_and_expire_with_their_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", PROJECT)
    write(root, CHANGE)
    code, report = check(root, capsys)
    survivors = [m for m in pricing_mutants(report) if m["status"] == "survived"]
    assert code == 1 and {m["line"] for m in survivors} == {2}, survivors
    assert report["mutation_note"] is None
    assert len(survivors) == 2  # >= to >, and 10 to 11: no test calls it with 10

    # accept both survivors of line 2, by FILE:LINE
    capsys.readouterr()
    assert main(["accept", "-C", str(root), "app/pricing.py:2", "--reason", "tens only"]) == 0
    said = capsys.readouterr().out
    assert "wrote 2 marks to qualitygate-accepted.toml" in said
    marks = tomllib.loads((root / "qualitygate-accepted.toml").read_text())["mutant"]
    assert {m["function"] for m in marks} == {"bulk_discount"}
    assert all(m["reason"] == "tens only" and m["code"] for m in marks)

    # two accepted against a budget of one: the score passes, the budget fails
    code, report = check(root, capsys)
    statuses = [m["status"] for m in pricing_mutants(report)]
    assert statuses.count("accepted") == 2 and "survived" not in statuses
    assert all(
        m["reason"] == "tens only" for m in pricing_mutants(report) if m["status"] == "accepted"
    )
    assert rule_of(report, "mutation_score")["passed"] is True
    budget = rule_of(report, "accepted_mutants")
    assert (budget["actual"], budget["required"], budget["passed"]) == (2, 1, False)
    assert code == 1

    # with room for two, and a new function above (every line moves): the marks still hold
    pyproject = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(pyproject.replace("max_accepted = 1", "max_accepted = 2"))
    write(root, {"app/pricing.py": "def unit():\n    return 1\n\n\n" + PRICING})
    write(
        root,
        {"tests/test_unit.py": UNIT_TEST},
    )
    code, report = check(root, capsys)
    accepted_lines = {m["line"] for m in pricing_mutants(report) if m["status"] == "accepted"}
    assert accepted_lines == {6} and report["expired_marks"] == []
    assert code == 0, rule_of(report, "mutation_score")
    capsys.readouterr()
    main(["check", "-C", str(root), "--base", "HEAD", "-q"])
    terminal = capsys.readouterr().out
    assert "Accepted mutants (not run, not counted):" in terminal
    assert "app/pricing.py:6 accepted (tens only):" in terminal

    # the function changes: the marks expire, are reported, and the survivors count again
    edited = PRICING.replace("price * 0.9", "price * 9 / 10")
    write(root, {"app/pricing.py": "def unit():\n    return 1\n\n\n" + edited})
    code, report = check(root, capsys)
    assert code == 1
    assert "accepted" not in [m["status"] for m in pricing_mutants(report)]
    assert [e["why"] for e in report["expired_marks"]] == [f"bulk_discount {accepted.CHANGED}"] * 2


@pytest.mark.slow
def test_accept_refuses_what_the_last_check_did_not_find(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", PROJECT)
    write(root, CHANGE)
    assert main(["accept", "-C", str(root), "app/pricing.py:2", "--reason", "r"]) == 2
    assert "no surviving mutant is recorded" in capsys.readouterr().err
    check(root, capsys)
    assert main(["accept", "-C", str(root), "app/pricing.py:3", "--reason", "r"]) == 2
    err = capsys.readouterr().err
    assert "app/pricing.py:3: not a survivor of the last check" in err
    assert "app/pricing.py:2" in err
    write(root, {"app/pricing.py": PRICING.replace("price * 0.9", "price * 0.8")})
    assert main(["accept", "-C", str(root), "app/pricing.py:2", "--reason", "r"]) == 2
    assert "bulk_discount changed since the last check" in capsys.readouterr().err
    assert not (root / "qualitygate-accepted.toml").exists()


def test_docs_example_of_the_marks_file_reads(tmp_path: Path) -> None:
    example = textwrap.dedent(accepted.__doc__.split("\n\n")[1])
    path = tmp_path / "m.toml"
    path.write_text(example)
    (only,) = accepted.load(path)
    assert only.function == "bulk_discount" and only.code == "5d41402abc4b"


def test_readme_example_of_the_marks_file_reads(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    (example,) = [b for b in readme.split("```toml\n")[1:] if b.startswith("[[mutant]]")]
    path = tmp_path / "qualitygate-accepted.toml"
    path.write_text(example.split("```")[0])
    (only,) = accepted.load(path)
    assert only.mutation == BOUNDARY


def test_a_merged_part_keeps_accepted_mutants_and_their_reason() -> None:
    from qualitygate.check.merge import file_result

    raw = {
        "path": "app/pricing.py",
        "layer": "services",
        "status": "added",
        "changed_lines": [2],
        "uncovered_changed_lines": [],
        "not_mutation_testable": [],
        "mutants": [
            {
                "line": 2,
                "status": "accepted",
                "diff": BOUNDARY,
                "tests": [],
                "name": "m1",
                "reason": "tens only",
            },
            {"line": 2, "status": "survived", "diff": BOUNDARY, "tests": [], "name": "m2"},
        ],
    }
    f = file_result(raw)
    assert (f.mutants_accepted, f.mutants_undetected) == (1, 1)
    assert f.mutants[0].reason == "tens only"


def test_a_marks_file_that_cannot_be_written_is_named_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "qualitygate-accepted.toml"
    path.write_text("# kept\n")
    # a real write failure, even for root: a folder where the new text would be written
    (tmp_path / f".{path.name}.{os.getpid()}.tmp").mkdir()
    with pytest.raises(ConfigError) as caught:
        accepted.append(path, [mark("abc")])
    assert str(path) in str(caught.value) and "cannot write the file" in str(caught.value)
    assert path.read_text() == "# kept\n"


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_marks_file_that_is_not_a_file_is_named_not_waited_on(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "qualitygate-accepted.toml"
    path.mkdir() if kind == "folder" else os.mkfifo(path)
    with pytest.raises(ConfigError) as caught:
        accepted.load(path)
    assert str(path) in str(caught.value) and "not a regular file" in str(caught.value)
