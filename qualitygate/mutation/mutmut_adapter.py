"""Everything that knows mutmut 3.8's names, commands, exit codes and files.

Nothing mutmut-specific leaves this module (and `mutmut_config`, which
writes its config, and `mutmut_driver`, which calls mutmut's functions in the
project's interpreter): callers get `FileMutants`, `MutmutResults` and plain
strings. The formats read here are not a public API of mutmut; they are pinned
by tests/mutation/test_mutmut_contract.py.

    mutants/<path>.meta       exit_code_by_key: mutant name -> exit code
    mutants/mutmut-stats.json tests_by_mangled_function_name: "pkg.mod.x_f" -> tests
    mutants/<path>, .spans    the generated module; span of each generated function
    names                     pkg.mod.x_func__mutmut_3, pkg.mod.xǁClassǁmethod__mutmut_1
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qualitygate.errors import ToolError
from qualitygate.mutation import scope
from qualitygate.mutation.model import FileMutants, MutantSpec, MutmutResults
from qualitygate.mutation.mutmut_driver import TOOLS_HOLD
from qualitygate.mutation.workspace import Workspace

SUPPORTED = ("3.8.",)
CLASS_SEPARATOR = "ǁ"
RUN_MUTMUT = "import sys; sys.argv[0] = 'mutmut'; from mutmut.__main__ import cli; cli()"
NO_TESTS_AT_ALL = "could not find any test case for any mutant"
STATUS_BY_EXIT_CODE: Mapping[int | None, str] = {
    1: "killed",
    3: "killed",
    37: "killed",  # a test failed / pytest error / caught by type check
    0: "survived",
    5: "no_tests",
    33: "no_tests",
    34: "skipped",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
}
NOT_CHECKED = frozenset({None, 2})  # never run / interrupted by the user
INSTALL_HINT = "install it there: {python} -m pip install 'mutmut>=3.8,<3.9'"


def status_of(exit_code: int | None) -> str:
    """Our status for a .meta exit code; anything unknown (segfault, -9...) is suspicious."""
    if exit_code in NOT_CHECKED:
        raise ValueError(f"mutant not checked (exit code {exit_code})")
    return STATUS_BY_EXIT_CODE.get(exit_code, "suspicious")


def child_environment(workspace: Workspace) -> dict[str, str]:
    """Environment for the project's python: no git of the user's repo, our tools importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MUTANT_UNDER_TEST"))}
    env["GIT_CEILING_DIRECTORIES"] = str(workspace.project.parent)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workspace.tools), env.get("PYTHONPATH")]))
    return env


def _last_line(text: str) -> str:
    lines = [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]
    return lines[-1] if lines else "no output"


# ---------------------------------------------------------------- mutants


def check_version(environment: Mapping[str, Any], python: str) -> str:
    """mutmut's version in the project's interpreter, if qualitygate supports it."""
    version = str(environment["mutmut_version"])
    if not version.startswith(SUPPORTED):
        raise ToolError(
            f"mutmut {version} is installed for {python}; qualitygate needs 3.8",
            INSTALL_HINT.format(python=python),
        )
    return version


def restore(project: Path, path: str, generated: Mapping[str, str]) -> None:
    """Put back what the probe generated for `path` (mutants/<path>, .meta, .spans), so that
    `mutmut run` uses these mutants and their names instead of generating its own."""
    target = project / "mutants" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix, text in generated.items():
        Path(f"{target}{suffix}").write_text(text, encoding="utf-8")


def split_key(key: str) -> tuple[str | None, str]:
    """mutmut's mangled key -> (class, function): x_over -> (None, over), xǁCǁm -> (C, m)."""
    if key.startswith("x" + CLASS_SEPARATOR):
        class_name, _, function = key[2:].partition(CLASS_SEPARATOR)
        return class_name, function
    return None, key.removeprefix("x_")


def _renamed(text: str, generated: str, original: str) -> list[str]:
    pattern = re.compile(r"(?<![\w" + CLASS_SEPARATOR + r"])" + re.escape(generated) + r"\b")
    return [pattern.sub(original, line) for line in text.splitlines()]


def _def_index(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if re.match(r"\s*(async\s+)?def\s", line)), 0)


def locate(
    orig_text: str, mutant_text: str, key: str, generated: str, def_line: int
) -> tuple[int, str]:
    """The user's line a mutant changes and its one-line diff, from the two generated functions."""
    function = split_key(key)[1]
    orig = _renamed(orig_text, key + "__mutmut_orig", function)
    mutated = _renamed(mutant_text, generated, function)
    matcher = difflib.SequenceMatcher(a=orig, b=mutated, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed = [f"-{line}" for line in orig[i1:i2]]
            added = [f"+{line}" for line in mutated[j1:j2]]
            return def_line + min(i1, len(orig) - 1) - _def_index(orig), "\n".join(removed + added)
    return def_line, ""


def _module_of(name: str, key: str) -> str:
    return name.partition("__mutmut_")[0].removesuffix("." + key)


def file_mutants(path: str, source: str, probed: Mapping[str, Any]) -> FileMutants:
    """Turn the probe's view of one file into our specs, placed on the user's lines."""
    if not probed["mutated"]:
        return FileMutants(path=path, mutants=(), not_mutated_reason=str(probed["reason"]))
    functions = scope.functions_in(source)
    specs = []
    for name, (key, generated, mutant_text) in probed["mutants"].items():
        class_name, function = split_key(key)
        location = functions[(class_name, function)]
        line, diff = locate(
            probed["functions"][key], mutant_text, key, generated, location.def_line
        )
        specs.append(
            MutantSpec(
                name=name,
                path=path,
                line=line,
                diff=diff,
                function=f"{_module_of(name, key)}.{key}",
                function_source=location.source,
                identity=f"{key}:{line - location.def_line}:{diff}",
                qualname=f"{class_name}.{function}" if class_name else function,
            )
        )
    return FileMutants(path=path, mutants=tuple(specs))


# ---------------------------------------------------------------- run


def run_arguments(names: Sequence[str], workers: int) -> list[str]:
    """`mutmut run` arguments (after "run") for exactly these mutants."""
    return ["run", "--max-children", str(max(1, workers)), *sorted(names)]


def held_by_the_tools(output: str) -> str | None:
    """The mutants' modules the driver found imported before any test ran (its
    `TOOLS_HOLD` line), or None."""
    line = next((n for n in output.splitlines() if n.startswith(TOOLS_HOLD)), None)
    return None if line is None else line.removeprefix(TOOLS_HOLD)


def found_no_tests(output: str) -> bool:
    """mutmut stops with exit 1 when no test reaches any mutated function at all."""
    return NO_TESTS_AT_ALL in output


def failure_summary(output: str) -> str:
    return _last_line(output)


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data


def exit_codes(project: Path, paths: Sequence[str]) -> dict[str, int | None]:
    """Mutant name -> exit code, from mutants/<path>.meta of each path (partial while running)."""
    codes: dict[str, int | None] = {}
    for path in paths:
        codes.update(_load_json(project / "mutants" / f"{path}.meta").get("exit_code_by_key", {}))
    return codes


def tests_by_function(project: Path) -> dict[str, tuple[str, ...]]:
    stats = _load_json(project / "mutants" / "mutmut-stats.json")
    return {
        key: tuple(sorted(tests))
        for key, tests in stats.get("tests_by_mangled_function_name", {}).items()
    }


def results(project: Path, paths: Sequence[str], names: Sequence[str]) -> MutmutResults:
    """The verdicts of `names`; a mutant left unchecked means the run did not finish."""
    codes = exit_codes(project, paths)
    unchecked = [name for name in names if codes.get(name) in NOT_CHECKED]
    if unchecked:
        raise ToolError(
            f"mutmut stopped before checking {len(unchecked)} of {len(names)} mutants "
            f"(e.g. {unchecked[0]})",
            "the run was interrupted or crashed; run again",
        )
    return MutmutResults(
        status_by_name={name: status_of(codes[name]) for name in names},
        tests_by_function=tests_by_function(project),
    )
