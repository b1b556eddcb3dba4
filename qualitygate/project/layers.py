"""Which layer a file belongs to: the first declared layer whose globs match it.

Globs are gitignore patterns, matched by `pathspec` against project-relative POSIX paths:
`*` and `?` stay within one folder, `**` crosses folders, `[xy]` is a class, a pattern
without a slash in it matches at any depth (`*_repo.py`), a pattern that matches a folder
matches everything in it (`app/db` is `app/db/**`), and `!pattern` takes back what an
earlier pattern of the same list matched. A layer's `exclude` takes files out of that
layer (they go on to the next layer); the top-level `exclude` takes them out of the gate.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import pathspec

from qualitygate.project.config import Config, Layer


@functools.lru_cache(maxsize=256)
def spec(globs: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(g.removeprefix("./") for g in globs)


def matches(path: str, glob: str) -> bool:
    return any_match(path, (glob,))


def any_match(path: str, globs: tuple[str, ...]) -> bool:
    """`path` is matched by the gitignore patterns `globs` (last match wins, `!` negates)."""
    return bool(globs) and spec(globs).match_file(path)


def classify(path: str, layers: Iterable[Layer], other: Layer) -> Layer:
    """The first layer with a glob matching `path`, else the catch-all layer."""
    for layer in layers:
        if any_match(path, layer.paths) and not any_match(path, layer.exclude):
            return layer
    return other


def layer_of(path: str, config: Config) -> Layer:
    return classify(path, config.layers, config.other)


def excluded(path: str, config: Config) -> bool:
    """Taken out of the gate by the top-level `exclude` (migrations, generated files)."""
    return any_match(path, config.exclude)


def in_folders(path: str, folders: Iterable[str]) -> bool:
    """True when `path` lies in one of `folders` ("." or "" means anywhere)."""
    for folder in folders:
        folder = folder.strip("/")
        if folder in ("", ".") or path == folder or path.startswith(folder + "/"):
            return True
    return False


def empty_layers(cfg: Config, files: Sequence[str]) -> list[str]:
    """Declared layers that no file falls in: globs that match nothing, or only files an
    earlier layer already took. Their rules would pass over nothing."""
    used = {layer_of(path, cfg).name for path in files}
    return [layer.name for layer in cfg.layers if layer.name not in used]
