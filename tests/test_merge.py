"""Merging the parts of a sharded check: one verdict, equal to the unsharded one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qualitygate.check.merge import merge, read_part
from qualitygate.errors import UsageError
from qualitygate.gate.rules import evaluate
from qualitygate.main import main
from qualitygate.model import CheckResult, FileResult, LayerFigures
from qualitygate.mutation.model import Mutant
from qualitygate.project.config import Layer
from qualitygate.reporters.check.jsonreport import as_dict
from tests.conftest import commit, write
from tests.fixtures import git

DOMAIN = Layer("domain", ("app/**",), min_diff_coverage=80, min_mutation_score=60)


def mutant(path: str, line: int, status: str) -> Mutant:
    return Mutant(path, line, status, f"-a{line}\n+b{line}", ("t::x",), f"{path}:{line}")


def part(k: int, n: int, mutants: tuple[Mutant, ...], head: str = "abc") -> dict:
    files = (
        FileResult(
            "app/a.py",
            "domain",
            "modified",
            (1, 2),
            (),
            mutants=tuple(m for m in mutants if m.path == "app/a.py"),
        ),
        FileResult(
            "app/b.py",
            "domain",
            "modified",
            (5,),
            (),
            mutants=tuple(m for m in mutants if m.path == "app/b.py"),
        ),
    )
    figures = LayerFigures(
        "domain",
        files=2,
        statements=10,
        covered=9,
        changed_files=2,
        changed_lines=3,
        mutants_detected=sum(f.mutants_detected for f in files),
        mutants_undetected=sum(f.mutants_undetected for f in files),
        mutation_ran=bool(mutants),
    )
    result = CheckResult(
        "main",
        head,
        evaluate([figures], {"domain": DOMAIN}),
        files,
        "pytest",
        mutation="ran" if mutants else "skipped",
        shard=(k, n),
    )
    return as_dict(result)


ALL = (
    mutant("app/a.py", 1, "killed"),
    mutant("app/a.py", 2, "survived"),
    mutant("app/b.py", 5, "killed"),
)


def test_parts_merge_into_the_whole() -> None:
    merged = merge([("p1", part(1, 2, ALL[:2])), ("p2", part(2, 2, ALL[2:]))])
    layer = merged.layers[0]
    assert (layer.figures.mutants_detected, layer.figures.mutants_undetected) == (2, 1)
    assert layer.figures.mutation_score == 66.7 and layer.passed
    assert [m.name for f in merged.files for m in f.mutants] == [m.name for m in ALL]
    assert merged.shard is None


def test_the_uncovered_lines_code_survives_the_merge() -> None:
    given = [part(1, 2, ALL[:2]), part(2, 2, ALL[2:])]
    for p in given:
        p["files"][0]["source"] = {"2": "    return b", "x": "not a line", "3": 7}
    merged = merge([("p1", given[0]), ("p2", given[1])])
    assert merged.files[0].source == ((2, "    return b"),)  # what is not a line is dropped
    assert as_dict(merged)["files"][0]["source"] == {"2": "    return b"}


def test_a_part_with_no_mutants_still_merges() -> None:
    merged = merge([("p1", part(1, 2, ALL)), ("p2", part(2, 2, ()))])
    assert merged.layers[0].figures.mutation_score == 66.7


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([part(1, 3, ALL), part(2, 3, ())], r"missing part\(s\) \[3\]"),
        ([part(1, 2, ALL), part(1, 2, ())], r"part\(s\) \[1\] given twice"),
        ([part(1, 2, ALL), part(2, 2, (), head="def")], "head: 'def' differs from p1"),
        ([part(1, 2, ALL), part(2, 3, ())], "shard: count 3 is not 2"),
        ([{**part(1, 1, ALL), "shard": None}], "shard: not a sharded part"),
        ([{**part(1, 1, ALL), "shard": "1/1"}], "shard: '1/1' is not"),
        ([part(1, 2, ALL), {**part(2, 2, ()), "mutation": "off"}], "ran with --no-mutation"),
    ],
)
def test_parts_that_do_not_belong_together(parts: list[dict], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        merge([(f"p{i + 1}", p) for i, p in enumerate(parts)])


@pytest.mark.parametrize("lax_first", [True, False])
def test_parts_held_to_different_thresholds_are_refused_in_either_order(lax_first: bool) -> None:
    """A laxer part must not decide the verdict by coming first."""
    strict, lax = part(1, 2, ALL), part(2, 2, ())
    for rule in lax["layers"][0]["rules"]:
        rule["required"] = 0.0
    parts = [lax, strict] if lax_first else [strict, lax]
    with pytest.raises(UsageError, match="thresholds differ"):
        merge([(f"p{i + 1}", p) for i, p in enumerate(parts)])


def test_parts_with_different_coverage_are_refused() -> None:
    other = part(2, 2, ())
    other["layers"][0]["covered"] = 3
    with pytest.raises(UsageError, match="coverage differs"):
        merge([("p1", part(1, 2, ALL)), ("p2", other)])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda d: d["files"][0]["mutants"][0].pop("line"),
            r"files\[0\]\.mutants\[0\]\.line: missing",
        ),
        (lambda d: d["layers"][0].pop("covered"), r"layers\[0\]\.covered: missing"),
        (lambda d: d["files"].append("x"), r"files\[2\]\.path: missing"),
    ],
)
def test_a_damaged_part_names_the_entry(tmp_path: Path, damage: Any, message: str) -> None:
    data = part(1, 1, ALL)
    damage(data)
    path = tmp_path / "part.json"
    path.write_text(json.dumps(data))
    with pytest.raises(UsageError, match=message):
        read_part(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not JSON"),
        ('{"version": 9}', "version: expected"),
        ('{"version": 1}', "base: missing"),
    ],
)
def test_bad_part_files_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "part.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message) as caught:
        read_part(path)
    assert str(path) in str(caught.value)


FUNCTIONS = "".join(
    f"""
def f{i}(total, limit):
    if total > limit + {i}:
        return limit
    return total
"""
    for i in range(4)
)


@pytest.fixture
def sharded_change(layered: Path) -> Path:
    config = (layered / "pyproject.toml").read_text()
    write(
        layered,
        {
            "pyproject.toml": config
            + '[tool.qualitygate.layers.domain]\npaths = ["app/domain/**"]\n'
            "min_mutation_score = 60\n",
            "app/domain/__init__.py": "",
            "app/domain/rules.py": FUNCTIONS.replace("> limit", ">= limit"),
            "app/domain/more.py": FUNCTIONS,
            "tests/test_rules.py": "from app.domain import more, rules\n\n\ndef test_all():\n"
            + "".join(
                f"    assert rules.f{i}(100, 1) == 1\n    assert more.f{i}(0, 9) == 0\n"
                for i in range(4)
            ),
        },
    )
    commit(layered)
    write(
        layered,
        {
            "app/domain/rules.py": FUNCTIONS,
            "app/domain/more.py": FUNCTIONS.replace("return total", "return total * 1"),
        },
    )
    commit(layered)
    return layered


def run_in_clone(repo: Path, where: Path, *args: str) -> dict:
    """A fresh checkout, as each CI job has: no cache shared with other runs."""
    git(repo.parent, "clone", "-q", str(repo), str(where))
    out = where.parent / f"{where.name}.json"
    code = main(
        ["check", "-C", str(where), "-q", "--base", "HEAD~1", "--report", f"json:{out}", *args]
    )
    assert code in (0, 1)
    return json.loads(out.read_text())


def verdict(data: dict) -> tuple:
    mutants = sorted((m["name"], m["status"]) for f in data["files"] for m in f["mutants"])
    layers = [
        (la["name"], la["passed"], la["mutation_score"], la["diff_coverage"])
        for la in data["layers"]
    ]
    return data["passed"], layers, mutants


@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 2, 3])
def test_merged_shards_give_the_unsharded_verdict(
    sharded_change: Path, tmp_path: Path, count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = run_in_clone(sharded_change, tmp_path / "whole")
    assert len(verdict(whole)[2]) >= 8  # enough mutants for every shard to get some
    paths = []
    for k in range(1, count + 1):
        run_in_clone(sharded_change, tmp_path / f"part{k}", "--shard", f"{k}/{count}")
        paths.append(tmp_path / f"part{k}.json")
    merged = merge([(str(p), read_part(p)) for p in paths])
    assert verdict(json.loads(json.dumps(as_dict(merged)))) == verdict(whole)
    capsys.readouterr()


def test_merge_command_renders_any_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for k, chunk in ((1, ALL[:2]), (2, ALL[2:])):
        (tmp_path / f"p{k}.json").write_text(json.dumps(part(k, 2, chunk)))
    code = main(
        ["merge", str(tmp_path / "p1.json"), str(tmp_path / "p2.json"), "--report", "markdown"]
    )
    out = capsys.readouterr().out
    assert code == 0 and "| domain |" in out and "66.7%" in out
    missing = main(["merge", str(tmp_path / "p1.json")])
    assert missing == 2 and "missing part(s) [2]" in capsys.readouterr().err
