"""What the project's interpreter needs for qualitygate, and installing it there.

qualitygate may live in an environment of its own (pipx, pre-commit's) and run the tests
in the project's interpreter (`python` in config, `--python`). That interpreter needs
pytest and coverage (the plugin and the measurement run inside it), and mutmut only when a
layer sets `min_mutation_score` (mutmut's run and its trampolines' hits run there too).
Nothing of qualitygate's own (diff-cover, rich, tomlkit) goes into it, so a project that
pins those differently, or is one of them, keeps its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from qualitygate import process
from qualitygate.errors import ToolError
from qualitygate.project.config import Config

PYTEST, COVERAGE, MUTMUT = "pytest>=8", "coverage>=7.6,<8", "mutmut>=3.8,<3.9"
PROBE = """
import json, sys
from importlib import metadata
found = {}
for name in sys.argv[1:]:
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        found[name] = None
print(json.dumps(found))
"""


@dataclass(frozen=True)
class Need:
    requirement: str  # as pip takes it: "coverage>=7.6,<8"
    why: str
    installed: str | None  # the version there, None when absent

    @property
    def name(self) -> str:
        return self.requirement.split(">")[0].split("<")[0].split("=")[0]

    @property
    def met(self) -> bool:
        if self.installed is None:
            return False
        try:
            return Version(self.installed) in SpecifierSet(self.requirement[len(self.name) :])
        except InvalidVersion:
            return False


def requirements(cfg: Config) -> list[tuple[str, str]]:
    """(requirement, why) for this config."""
    needed = [
        (PYTEST, "runs the tests"),
        (COVERAGE, "measures what each test runs"),
    ]
    if any(layer.min_mutation_score > 0 for layer in (*cfg.layers, cfg.other)):
        needed.append((MUTMUT, "runs the mutants: min_mutation_score is set"))
    return needed


def inspect(root: Path, python: str, cfg: Config) -> list[Need]:
    """What `python` has of what it needs, asked of the interpreter itself."""
    wanted = requirements(cfg)
    names = [Need(r, why, None).name for r, why in wanted]
    done = process.run(
        [python, "-c", PROBE, *names], cwd=root, timeout=120, what="the project's python"
    )
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError) as exc:
        raise ToolError(
            f"{python} could not say what it has installed: {done.stderr.strip()[-300:]}",
            "point python in [tool.qualitygate] (or --python) at the project's interpreter",
        ) from exc
    return [Need(r, why, found.get(name)) for (r, why), name in zip(wanted, names, strict=True)]


def install(root: Path, python: str, needs: list[Need]) -> None:
    """pip install what is missing, into `python`'s environment and nowhere else."""
    missing = [n.requirement for n in needs if not n.met]
    if not missing:
        return
    done = process.run(
        [python, "-m", "pip", "install", "--quiet", *missing],
        cwd=root,
        timeout=900,
        what="pip",
    )
    if done.returncode != 0:
        raise ToolError(
            f"pip could not install {', '.join(missing)} for {python}: "
            f"{(done.stderr or done.stdout).strip()[-300:]}",
            f"install them yourself: {python} -m pip install "
            + " ".join(f"'{m}'" for m in missing),
        )
