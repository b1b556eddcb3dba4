"""Merge the JSON parts of a sharded `check` into one result, as if it had run unsharded.

Each part measured the same change and the same coverage, and mutation-tested its own
share of the changed functions. The merge checks that the parts belong together (same
head, base and shard count, every part present once, the same coverage figures), unions
the mutants, and runs the gate again on the combined figures with the thresholds the
parts carry in their rules.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from qualitygate.errors import UsageError
from qualitygate.gate import rules
from qualitygate.model import CheckResult, FileResult, LayerFigures
from qualitygate.mutation.model import Mutant, NotTestable
from qualitygate.project.config import Layer
from qualitygate.reporters.check.jsonreport import FORMAT_VERSION

FIGURES = (
    "files",
    "statements",
    "covered",
    "changed_files",
    "changed_lines",
    "uncovered_changed_lines",
)
TOP = ("base", "head", "layers", "files", "shard", "coverage_source", "mutation")
LAYER = ("name", *FIGURES, "mutation_score", "rules")
RULE = ("metric", "required")
FILE = (
    "path",
    "layer",
    "status",
    "changed_lines",
    "uncovered_changed_lines",
    "mutants",
    "not_mutation_testable",
)
MUTANT = ("line", "status", "diff", "tests", "name")
THRESHOLD_OF = {
    "coverage": "min_coverage",
    "diff_coverage": "min_diff_coverage",
    "mutation_score": "min_mutation_score",
    "accepted_mutants": "max_accepted",
}


def read_part(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the part ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON ({exc})", "pass check --report json files") from exc
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise UsageError(f"{path}: version: expected a qualitygate JSON report v{FORMAT_VERSION}")
    _require(str(path), "", data, TOP)
    for i, layer in enumerate(data["layers"]):
        _require(str(path), f"layers[{i}]", layer, LAYER)
        for j, rule in enumerate(layer["rules"]):
            _require(str(path), f"layers[{i}].rules[{j}]", rule, RULE)
    for i, f in enumerate(data["files"]):
        _require(str(path), f"files[{i}]", f, FILE)
        for j, m in enumerate(f["mutants"]):
            _require(str(path), f"files[{i}].mutants[{j}]", m, MUTANT)
        for j, n in enumerate(f["not_mutation_testable"]):
            _require(str(path), f"files[{i}].not_mutation_testable[{j}]", n, ("line", "reason"))
    return data


def _require(path: str, where: str, data: Any, keys: tuple[str, ...]) -> None:
    """Every key the merge reads is there, or a message names the file and the entry."""
    missing = [k for k in keys if not isinstance(data, dict) or k not in data]
    if missing:
        at = f"{where}." if where else ""
        raise UsageError(f"{path}: {at}{missing[0]}: missing", "pass check --report json files")


def file_result(f: dict[str, Any]) -> FileResult:
    """A file of a part that `read_part` checked."""
    path = f["path"]
    return FileResult(
        path=path,
        layer=f["layer"],
        status=f["status"],
        changed_lines=tuple(f["changed_lines"]),
        uncovered_changed_lines=tuple(f["uncovered_changed_lines"]),
        measured=bool(f.get("measured", True)),
        old_path=f.get("old_path"),
        nearby_tests=tuple(f.get("nearby_tests", ())),
        mutants=tuple(
            Mutant(
                path,
                m["line"],
                m["status"],
                m["diff"],
                tuple(m["tests"]),
                m["name"],
                hint=m.get("hint") or "",
                reason=m.get("reason") or "",
            )
            for m in f.get("mutants", ())
        ),
        source=_source(f.get("source")),
        not_testable=tuple(
            NotTestable(path, n["line"], n["reason"]) for n in f.get("not_mutation_testable", ())
        ),
    )


def _source(given: Any) -> tuple[tuple[int, str], ...]:
    """A part's uncovered lines' code; what is not a {"line": "text"} table shows nothing
    (the figures never depend on it)."""
    if not isinstance(given, dict):
        return ()
    found = [(int(k), v) for k, v in given.items() if k.isdigit() and isinstance(v, str)]
    return tuple(sorted(found))


def _check_parts(parts: list[tuple[str, dict[str, Any]]]) -> int:
    """The shard count, once every part is shown to belong to the same run."""
    first_name, first = parts[0]
    shards = [p.get("shard") or {} for _, p in parts]
    for (name, _), shard in zip(parts, shards, strict=True):
        if shard and not _is_shard(shard):
            raise UsageError(
                f'{name}: shard: {shard!r} is not {{"index": K, "count": N}}',
                "pass the JSON parts that check --shard K/N wrote",
            )
    count = shards[0].get("count")
    if not isinstance(count, int):
        raise UsageError(f"{first_name}: shard: not a sharded part", "run check --shard K/N")
    for (name, part), shard in zip(parts, shards, strict=True):
        for key in ("head", "base", "coverage_source"):
            if part[key] != first[key]:
                raise UsageError(
                    f"{name}: {key}: {part[key]!r} differs from {first_name}",
                    "merge the parts of one run only",
                )
        if shard.get("count") != count:
            raise UsageError(f"{name}: shard: count {shard.get('count')} is not {count}")
        if part.get("mutation") == "off":
            raise UsageError(
                f"{name}: mutation: the part ran with --no-mutation, so its shard's mutants "
                "are missing",
                "run every part with mutation testing on",
            )
        if _thresholds(part) != _thresholds(first):
            raise UsageError(
                f"{name}: layers: its thresholds differ from {first_name}",
                "run every part with the same config; the laxer one must not decide",
            )
        if _coverage_view(part) != _coverage_view(first):
            raise UsageError(
                f"{name}: layers: coverage differs from {first_name}",
                "the parts measured different trees: merge the parts of one run",
            )
    indices = sorted(int(s.get("index") or 0) for s in shards)
    if indices != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(indices))
        doubled = sorted({i for i in indices if indices.count(i) > 1})
        problems = [f"missing part(s) {missing}"] if missing else []
        problems += [f"part(s) {doubled} given twice"] if doubled else []
        what = "; ".join(problems)
        raise UsageError(f"cannot merge {count} shards: {what}", "pass every part exactly once")
    return count


def _is_shard(shard: Any) -> bool:
    return isinstance(shard, dict) and all(
        isinstance(shard.get(k), int) and not isinstance(shard.get(k), bool)
        for k in ("index", "count")
    )


def _thresholds(part: dict[str, Any]) -> list[Any]:
    """Each layer's rules as (metric, required): what the part was held to."""
    return [
        (layer.get("name"), sorted((r.get("metric"), r.get("required")) for r in layer["rules"]))
        for layer in part["layers"]
    ]


def _coverage_view(part: dict[str, Any]) -> list[Any]:
    return [[layer.get(k) for k in ("name", *FIGURES)] for layer in part["layers"]]


def _merged_files(parts: list[tuple[str, dict[str, Any]]]) -> list[FileResult]:
    merged: dict[str, FileResult] = {}
    for _, part in parts:
        for raw in part["files"]:
            f = file_result(raw)
            known = merged.get(f.path)
            if known is None:
                merged[f.path] = f
                continue
            mutants = {m.name: m for m in (*known.mutants, *f.mutants)}
            untestable = {(n.line, n.reason): n for n in (*known.not_testable, *f.not_testable)}
            merged[f.path] = replace(
                known,
                mutants=tuple(sorted(mutants.values(), key=lambda m: (m.line, m.name))),
                not_testable=tuple(sorted(untestable.values(), key=lambda n: (n.line, n.reason))),
            )
    return [merged[path] for path in sorted(merged)]


def _layers(
    parts: list[tuple[str, dict[str, Any]]], files: list[FileResult]
) -> tuple[list[LayerFigures], dict[str, Layer]]:
    figures, thresholds = [], {}
    coverage_on = parts[0][1]["coverage_source"] != "not measured"
    for layer in parts[0][1]["layers"]:
        name = layer["name"]
        ran = any(
            lay["name"] == name and lay.get("mutation_score") is not None
            for _, p in parts
            for lay in p["layers"]
        )
        mine = [f for f in files if f.layer == name]
        figures.append(
            LayerFigures(
                name=name,
                **{k: int(layer[k]) for k in FIGURES},
                mutants_detected=sum(f.mutants_detected for f in mine),
                mutants_undetected=sum(f.mutants_undetected for f in mine),
                mutants_accepted=sum(f.mutants_accepted for f in mine),
                mutation_ran=ran,
                coverage_measured=coverage_on,
            )
        )
        required: dict[str, Any] = {
            THRESHOLD_OF[r["metric"]]: float(r["required"])
            for r in layer["rules"]
            if r["metric"] in THRESHOLD_OF
        }
        if "max_accepted" in required:
            required["max_accepted"] = int(required["max_accepted"])
        thresholds[name] = Layer(name, (), **required)
    return figures, thresholds


def merge(parts: list[tuple[str, dict[str, Any]]]) -> CheckResult:
    if not parts:
        raise UsageError("nothing to merge", "pass the JSON parts of a sharded check")
    _check_parts(parts)
    first = parts[0][1]
    files = _merged_files(parts)
    figures, thresholds = _layers(parts, files)
    mutation_on = first["mutation"] != "off"
    ran = any(p["mutation"] == "ran" for _, p in parts)
    excluded = sorted({t for _, p in parts for t in p.get("excluded_tests", ())})
    return CheckResult(
        base=first["base"],
        head=first["head"],
        files=tuple(files),
        coverage_source=first["coverage_source"],
        layers=rules.evaluate(
            figures,
            thresholds,
            rules.skipped(mutation_on, first["coverage_source"] != "not measured"),
        ),
        mutation="ran" if ran else first["mutation"],
        mutation_note=str(first.get("mutation_note") or ""),
        excluded_tests=tuple(excluded),
        mutants_executed=sum(int(p.get("mutants_executed", 0)) for _, p in parts),
    )
