"""Where the test for an untested module should go, following the project's own layout.

Each existing pair (source `app/services/auth.py`, the test file named after
it that imports it, `tests/unit/services/test_auth.py`) teaches a folder
mapping: drop the common tail (`services`) and `app` maps to `tests/unit`.
A module below `app/` then gets `tests/unit/<rest of its folder>/test_<name>.py`.
The mapping with the longest matching source prefix wins, then the one learned
closest to the module's folder, then the most used.
With no pair to learn from: `<first test folder>/<layer>/test_<module>.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class FolderMapping:
    source_prefix: tuple[str, ...]
    test_prefix: tuple[str, ...]
    suffix_style: bool = False  # test names like `auth_test.py` instead of `test_auth.py`


def test_name(stem: str, suffix_style: bool) -> str:
    return f"{stem}_test.py" if suffix_style else f"test_{stem}.py"


def _named_after(source: str, test: str) -> bool | None:
    """None when `test` is not named after `source`, else whether it uses the suffix style."""
    stem, name = PurePosixPath(source).stem, PurePosixPath(test).name
    if name == f"test_{stem}.py":
        return False
    if name == f"{stem}_test.py":
        return True
    return None


def mapping_of(source: str, test: str) -> FolderMapping | None:
    style = _named_after(source, test)
    if style is None:
        return None
    src, tst = PurePosixPath(source).parent.parts, PurePosixPath(test).parent.parts
    common = 0
    while common < min(len(src), len(tst)) and src[-1 - common] == tst[-1 - common]:
        common += 1
    return FolderMapping(src[: len(src) - common], tst[: len(tst) - common], style)


Examples = Mapping["FolderMapping", Counter[tuple[str, ...]]]


def learn(imports: Mapping[str, Iterable[str]]) -> dict[FolderMapping, Counter[tuple[str, ...]]]:
    """Folder mappings seen in (source -> importing test files), with the source folders
    each was learned from."""
    seen: dict[FolderMapping, Counter[tuple[str, ...]]] = {}
    for source, tests in sorted(imports.items()):
        for test in sorted(tests):
            found = mapping_of(source, test)
            if found is not None:
                seen.setdefault(found, Counter())[PurePosixPath(source).parent.parts] += 1
    return seen


def _shared(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def module_stem(path: PurePosixPath) -> str:
    """`auth` for auth.py; the package's name for its __init__.py and __main__.py."""
    if path.name == "__init__.py":
        return path.parent.name or "init"
    if path.name == "__main__.py":
        return f"{path.parent.name}_main" if path.parent.name else "main"
    return path.stem


def suggest(source: str, layer: str, mappings: Examples, test_folders: tuple[str, ...]) -> str:
    """The test file path for `source`."""
    path = PurePosixPath(source)
    folder = path.parent.parts
    fitting = [m for m in mappings if folder[: len(m.source_prefix)] == m.source_prefix]
    if not fitting:
        base = test_folders[0].strip("/") if test_folders else "tests"
        return str(PurePosixPath(base, layer, test_name(module_stem(path), False)))

    def closeness(m: FolderMapping) -> tuple[int, int, int, tuple[str, ...]]:
        near = max(_shared(folder, seen) for seen in mappings[m])
        return (len(m.source_prefix), near, mappings[m].total(), m.test_prefix)

    best = max(fitting, key=closeness)
    rest = folder[len(best.source_prefix) :]
    return str(
        PurePosixPath(*best.test_prefix, *rest, test_name(module_stem(path), best.suffix_style))
    )
