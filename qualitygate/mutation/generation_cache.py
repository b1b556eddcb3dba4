"""What mutmut generated for a changed file, kept between runs in qualitygate's cache.

Generating mutants means importing libcst in the project's interpreter (about
a second); a run whose changed files are as they were reuses the probe's
answer instead, and puts the generated files back for `mutmut run`. An entry
is found by everything the generation depends on: the file's path and
content, the changed lines in it, mutmut's version and the user's
[tool.mutmut] keys. One small JSON file per entry, pruned least recently used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
FOLDER = "generated"
KEEP_ENTRIES = 256
KEEP_DAYS = 30


class GenerationCache:
    def __init__(self, cache_dir: Path, salt: str) -> None:
        self.folder = cache_dir / FOLDER
        self.salt = salt

    def key(self, path: str, source: bytes, lines: Iterable[int]) -> str:
        digest = hashlib.sha256(f"{FORMAT_VERSION}\0{self.salt}\0{path}\0".encode())
        digest.update(source)
        digest.update(json.dumps(sorted(lines)).encode())
        return digest.hexdigest()

    def lookup(self, key: str) -> dict[str, Any] | None:
        entry = self.folder / f"{key}.json"
        try:
            found = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used
        return found if isinstance(found, dict) else None

    def store(self, key: str, probed: Mapping[str, Any]) -> None:
        """Keep an answer; a cache that cannot be written is only a slower next run."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".entry-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(probed, out)
            os.replace(temporary, self.folder / f"{key}.json")

    def prune(self, keep: int = KEEP_ENTRIES, days: float = KEEP_DAYS) -> None:
        """Drop entries unused for `days`, and the least recently used beyond `keep`."""
        entries = []
        for entry in self.folder.glob("*.json"):
            with contextlib.suppress(OSError):
                entries.append((entry.stat().st_mtime, entry))
        entries.sort(reverse=True)
        oldest = time.time() - days * 86400
        for rank, (used, entry) in enumerate(entries):
            if rank >= keep or used < oldest:
                with contextlib.suppress(OSError):
                    entry.unlink(missing_ok=True)
