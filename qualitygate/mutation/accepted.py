"""Accepted mutants: survivors a reviewer settled once, in a committed file.

    [[mutant]]
    file = "app/pricing.py"
    function = "bulk_discount"              # "Cart.total" for a method
    mutation = "-    if quantity >= 10:\\n+    if quantity > 10:"
    reason = "equivalent: quantities come in tens"
    code = "5d41402abc4b"                   # the function's code when it was accepted

A mark is found by file, function and mutation, the mutation compared with its
whitespace collapsed, so moving the function or re-indenting it keeps the mark. `code`
fingerprints the function's syntax tree (comments and formatting do not count): when the
function changes, the mark expires and the mutant is run again. A mark written by hand
without `code` never expires. `qualitygate accept` writes marks from the survivors the
last `check` recorded (`remember`).

Hand-written: tomllib reads the file, but the standard library writes no TOML, and one
appended table needs only TOML's basic-string escapes, which JSON's are a subset of.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import textwrap
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualitygate.errors import ConfigError
from qualitygate.mutation import scope
from qualitygate.mutation.model import ACCEPTED, ExpiredMark, Mark, Mutant, MutantSpec

KEYS = ("file", "function", "mutation", "reason")
OPTIONAL = ("code",)
HEADER = (
    "# Mutants accepted as equivalent or not worth a test, one [[mutant]] each.\n"
    "# Written by `qualitygate accept`; review it like code. A mark expires when its\n"
    "# function's code changes.\n"
)
SURVIVORS = "survivors.json"
CHANGED = "changed since it was accepted"
GONE = "no longer exists"


def normalised(mutation: str) -> str:
    """A mutation's diff with the whitespace of each line collapsed: what identifies it."""
    lines = (line.strip() for line in mutation.strip().splitlines())
    return "\n".join(line[:1] + " ".join(line[1:].split()) for line in lines if line)


def code_of(function_source: str) -> str:
    """A fingerprint of a function's code: its syntax tree, blind to comments and layout."""
    text = textwrap.dedent(function_source)
    try:
        shape = ast.dump(ast.parse(text))
    except (SyntaxError, ValueError):
        shape = " ".join(text.split())
    return hashlib.sha256(shape.encode("utf-8")).hexdigest()[:12]


def functions_code(source: str) -> dict[str, str]:
    """Function name as marks hold it ("f", "Cart.total") -> its code fingerprint."""
    try:
        found = scope.functions_in(source)
    except (SyntaxError, ValueError):
        return {}
    return {
        f"{cls}.{name}" if cls else name: code_of(location.source)
        for (cls, name), location in found.items()
    }


def load(path: Path) -> tuple[Mark, ...]:
    """The marks of the file at `path`; none when it does not exist. Anything malformed is
    a ConfigError naming the file and the entry."""
    if not path.exists():
        return ()
    where = str(path)
    if not path.is_file():  # a FIFO would block the read forever
        raise ConfigError(where, "", "cannot read the file (it is not a regular file)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(where, "", f"cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(where, "", f"not UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, "", f"not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - {"mutant"})
    if unknown:
        raise ConfigError(where, unknown[0], "unknown key; the file holds [[mutant]] tables")
    entries = data.get("mutant", [])
    if not isinstance(entries, list):
        raise ConfigError(where, "mutant", "expected [[mutant]] tables")
    return tuple(_mark(where, f"mutant[{i}]", entry) for i, entry in enumerate(entries, 1))


def _mark(where: str, keypath: str, entry: Any) -> Mark:
    if not isinstance(entry, dict):
        raise ConfigError(where, keypath, "expected a table")
    for key in entry:
        if key not in (*KEYS, *OPTIONAL):
            known = ", ".join((*KEYS, *OPTIONAL))
            raise ConfigError(where, f"{keypath}.{key}", f"unknown key; known keys: {known}")
    values = {}
    for key in (*KEYS, *OPTIONAL):
        value = entry.get(key, "" if key in OPTIONAL else None)
        if value is None:
            raise ConfigError(where, f"{keypath}.{key}", "missing")
        if not isinstance(value, str) or (key in KEYS and not value.strip()):
            raise ConfigError(
                where, f"{keypath}.{key}", f"expected a non-empty string, got {value!r}"
            )
        values[key] = value
    return Mark(**values, where=f"{where}: {keypath}")


@dataclass(frozen=True)
class Settled:
    """The mutants to run, the accepted ones (not run), and the marks that expired."""

    run: tuple[MutantSpec, ...]
    accepted: tuple[Mutant, ...]
    expired: tuple[ExpiredMark, ...]


def _key(file: str, function: str, mutation: str) -> tuple[str, str, str]:
    return file, function, normalised(mutation)


def settle(
    specs: Sequence[MutantSpec], marks: Sequence[Mark], sources: Mapping[str, str]
) -> Settled:
    """Split `specs` by the marks. A mark applies while its function's code is the code it
    was accepted for; a mark of a file in `sources` whose function changed or went, and
    that no other mark of the same mutant replaces, has expired."""
    codes = {path: functions_code(text) for path, text in sources.items()}
    valid: dict[tuple[str, str, str], Mark] = {}
    stale: dict[tuple[str, str, str], ExpiredMark] = {}
    for mark in marks:
        if mark.file not in codes:
            continue
        key = _key(mark.file, mark.function, mark.mutation)
        now = codes[mark.file].get(mark.function)
        if now is None:
            stale.setdefault(key, ExpiredMark(mark, f"{mark.function} {GONE}"))
        elif mark.code and mark.code != now:
            stale.setdefault(key, ExpiredMark(mark, f"{mark.function} {CHANGED}"))
        else:
            valid.setdefault(key, mark)
    run: list[MutantSpec] = []
    accepted: list[Mutant] = []
    for spec in specs:
        found = valid.get(_key(spec.path, spec.qualname, spec.diff))
        if found is None:
            run.append(spec)
        else:
            accepted.append(
                Mutant(
                    spec.path, spec.line, ACCEPTED, spec.diff, (), spec.name, reason=found.reason
                )
            )
    expired = tuple(e for key, e in stale.items() if key not in valid)
    return Settled(tuple(run), tuple(accepted), expired)


# ---------------------------------------------------------------- what `accept` reads


def remember(folder: Path, specs: Iterable[MutantSpec], undetected: Iterable[Mutant]) -> None:
    """Record the survivors of this run, with their identity, for `qualitygate accept`.
    Like every cache it only saves work: a folder that cannot be written is passed over
    (`accept` then says no survivor is recorded)."""
    by_name = {s.name: s for s in specs}
    survivors = [
        {
            "name": m.name,
            "file": m.path,
            "line": m.line,
            "function": by_name[m.name].qualname,
            "mutation": m.diff,
            "code": code_of(by_name[m.name].function_source),
        }
        for m in undetected
        if m.name in by_name
    ]
    target = folder / SURVIVORS
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"survivors": survivors}, indent=1), encoding="utf-8")
        partial.replace(target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def recorded(folder: Path) -> list[dict[str, Any]]:
    """The survivors the last check recorded; [] when there are none or the file is damaged."""
    try:
        data = json.loads((folder / SURVIVORS).read_text(encoding="utf-8"))
        entries = data["survivors"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    keys = ("name", "file", "line", "function", "mutation", "code")
    return [e for e in entries if isinstance(e, dict) and all(k in e for k in keys)]


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are valid TOML; DEL must be escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def entry_text(mark: Mark) -> str:
    fields = {
        "file": mark.file,
        "function": mark.function,
        "mutation": mark.mutation,
        "reason": mark.reason,
        "code": mark.code,
    }
    return "\n[[mutant]]\n" + "".join(f"{k} = {_toml_string(v)}\n" for k, v in fields.items())


def append(path: Path, marks: Sequence[Mark]) -> int:
    """Append the marks not already in the file; how many were new. The file is parsed
    before and after, so an edit that would not read back is refused."""
    present = load(path)
    known = {(_key(m.file, m.function, m.mutation), m.code) for m in present}
    new = [m for m in marks if (_key(m.file, m.function, m.mutation), m.code) not in known]
    if not new:
        return 0
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(entry_text(m) for m in new)
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - the escapes above are TOML's
        raise ConfigError(str(path), "mutant", f"the new entry would not parse ({exc})") from exc
    if len(parsed.get("mutant", [])) != len(present) + len(new):
        raise ConfigError(str(path), "mutant", "the new entries would not read back")
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise ConfigError(str(path), "", f"cannot write the file ({exc.strerror})") from exc
    return len(new)
