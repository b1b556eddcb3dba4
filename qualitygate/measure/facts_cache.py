"""pytest's resolved facts, kept between runs under .git/qualitygate, so that a commit hook
does not start pytest twice (once to ask, once to run: a third of a one-test run).

The facts are reused only while nothing they depend on changed: the interpreter (its
path, its file, its version), its installed distributions (the site-packages folders'
listings change when one is installed, removed or upgraded), pytest's config files and
root conftest.py (size and time), the test paths and arguments given, the environment
variables pytest reads, and qualitygate's version. Anything unreadable means: ask again.

Hand-written: pytest has no cache of its resolved config across processes, and its own
cache plugin is off in the gate's runs (it would write .pytest_cache into the tree).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from qualitygate import __version__, process
from qualitygate.errors import QualityGateError
from qualitygate.measure.testrun import PytestFacts

FILE = "pytest-facts.json"
CONFIGS = (
    *("pyproject.toml", "pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "conftest.py"),
    ".coveragerc",  # coverage's tracer, [run] core
)
ENVIRONMENT = (
    *("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTHONPATH"),
    *("COVERAGE_CORE", "COVERAGE_RCFILE"),
)
SITE = (
    "import sys, sysconfig; p = sysconfig.get_paths(); "
    "print(sys.version); print(p['purelib']); print(p['platlib'])"
)


def _stat(path: Path) -> str:
    try:
        found = path.stat()
    except OSError:
        return "-"
    return f"{found.st_mtime_ns}:{found.st_size}"


def _interpreter(root: Path, python: str) -> list[str] | None:
    """The interpreter's version and its site folders' state, asked in one cheap start
    (-I: no user site, no PYTHONPATH, nothing of the project imported; site itself runs,
    since it is what points a venv's interpreter at the venv)."""
    try:
        done = process.run([python, "-I", "-c", SITE], cwd=root, timeout=60)
    except QualityGateError:
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 3:
        return None
    version, *sites = lines
    executable = shutil.which(python, path=str(root)) or python
    real = Path(os.path.realpath(executable if os.path.isabs(executable) else root / executable))
    return [version, str(real), _stat(real), *(f"{s}={_stat(Path(s))}" for s in sites)]


def key(root: Path, python: str, tests: Sequence[str], extra: Sequence[str], rootdir: str) -> str:
    """What the facts depend on, hashed; "" when the interpreter cannot say."""
    interpreter = _interpreter(root, python)
    if interpreter is None:
        return ""
    folders = dict.fromkeys([root, Path(rootdir)] if rootdir else [root])
    parts = [
        __version__,
        python,
        *interpreter,
        *(f"{folder / name}={_stat(folder / name)}" for folder in folders for name in CONFIGS),
        json.dumps([list(tests), list(extra)]),
        *(f"{name}={os.environ.get(name, '')}" for name in ENVIRONMENT),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()


def cached(
    cache_dir: Path,
    root: Path,
    python: str,
    tests: Sequence[str],
    extra: Sequence[str],
    ask: Callable[[], PytestFacts],
) -> PytestFacts:
    """The stored facts when their key still holds, else `ask()`'s, stored for next time."""
    path = cache_dir / FILE
    stored: dict[str, object] = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads(path.read_text(encoding="utf-8"))
        stored = loaded if isinstance(loaded, dict) else {}
    facts = stored.get("facts")
    rootdir = facts.get("rootdir", "") if isinstance(facts, dict) else ""
    wanted = key(root, python, tests, extra, str(rootdir))
    if wanted and isinstance(facts, dict) and stored.get("key") == wanted:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return PytestFacts.from_json(facts)
    fresh = ask()
    if wanted:
        _store(path, root, python, tests, extra, fresh)
    return fresh


def _store(
    path: Path,
    root: Path,
    python: str,
    tests: Sequence[str],
    extra: Sequence[str],
    facts: PytestFacts,
) -> None:
    """Best effort: a cache that cannot be written costs the next run one more question."""
    data = {
        "key": key(root, python, tests, extra, facts.rootdir),  # with the rootdir pytest found
        "facts": {
            "rootdir": facts.rootdir,
            "inifile": facts.inifile,
            "testpaths": list(facts.testpaths),
            "python_files": list(facts.python_files),
            "xdist": facts.xdist,
            "pytest_cov": facts.pytest_cov,
            "environment": facts.environment,
            "core": facts.core,
        },
    }
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, path)
