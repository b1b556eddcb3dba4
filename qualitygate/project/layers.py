"""Which layer a file belongs to: the first declared layer whose glob matches.

Globs match repo-relative POSIX paths. `*` and `?` stay within one folder;
`**` crosses folders (`app/**` matches everything below `app/`,
`**/db/**` matches any `db` folder at any depth).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from qualitygate.project.config import Config, Layer


@functools.lru_cache(maxsize=1024)
def _glob_regex(glob: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            parts.append(".*")
            i += 2
        elif glob[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z", re.DOTALL)  # a newline is a name character


def matches(path: str, glob: str) -> bool:
    return _glob_regex(glob.removeprefix("./")).match(path) is not None


def classify(path: str, layers: Iterable[Layer], other: Layer) -> Layer:
    """The first layer with a glob matching `path`, else the catch-all layer."""
    for layer in layers:
        if any(matches(path, glob) for glob in layer.paths):
            return layer
    return other


def layer_of(path: str, config: Config) -> Layer:
    return classify(path, config.layers, config.other)


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
