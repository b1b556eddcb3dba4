"""`qualitygate init`: propose a config from the repository's folders and write it.

The proposal goes into `[tool.qualitygate]` of pyproject.toml (created if absent),
appended so the rest of the file stays byte for byte as it was. An existing config
(`[tool.qualitygate]` or qualitygate.toml) is replaced only with --force. What is
written must load through `config.load`, or nothing is written.
"""

from __future__ import annotations

import argparse
import posixpath
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any, TextIO

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable, Table

from qualitygate.adopt import project_facts, scaffold, snippets, tomledit
from qualitygate.commands import options as cli
from qualitygate.errors import ConfigError, ExitCode, UsageError
from qualitygate.project import config, git

HEADER = "# qualitygate (written by `qualitygate init`): the targets are starting points.\n"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing [tool.qualitygate] table or qualitygate.toml",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print what would be written; write nothing"
    )


def _parse(path: Path, text: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(str(path), "", f"not valid TOML ({exc}); fix it, then run init") from exc


def _existing(path: Path, force: bool) -> None:
    if not force:
        raise UsageError(
            f"{path} already holds a qualitygate config",
            "edit it, or run qualitygate init --force to replace it",
        )


def pyproject_text(path: Path, old: str, table: Table, force: bool) -> str:
    """`old` with `table` appended as [tool.qualitygate]; an existing one removed first."""
    tool = _parse(path, old).get("tool")
    if isinstance(tool, InlineTable):
        raise ConfigError(str(path), "tool", "an inline table; write it as [tool.NAME] tables")
    if isinstance(tool, dict) and "qualitygate" in tool:
        _existing(path, force)
        old = tomledit.remove_table(old.replace(HEADER, ""), "tool.qualitygate", str(path))
    section = tomlkit.document()
    holder = tomlkit.table(is_super_table=True)
    holder.add("qualitygate", table)
    section.add("tool", holder)
    return tomledit.append(old, HEADER + section.as_string())


def standalone_text(table: Table) -> str:
    """qualitygate.toml: the same keys at the top level."""
    doc = tomlkit.document()
    for key, value in table.items():
        doc.add(key, value)
    return HEADER + doc.as_string()


def _validate(path: Path, text: str) -> None:
    """The new file must load as a qualitygate config, or nothing is written."""
    with tempfile.TemporaryDirectory(prefix="qualitygate-init-") as tmp:
        candidate = Path(tmp) / path.name
        candidate.write_text(text, encoding="utf-8")
        try:
            config.load(Path(tmp), candidate, env={})
        except ConfigError as exc:
            raise ConfigError(str(path), "", f"the proposed config does not load ({exc})") from exc


DOCS = f"{project_facts.HOME}/blob/main/docs"  # the pages, online: not paths in the project


def _ci_snippet(top: Path, install: str, requirement: str, folder: str) -> tuple[str, str]:
    """The CI job for the repository at `top`; `folder`: the project's, when it is in one."""
    if (top / ".gitlab-ci.yml").is_file():
        return f"add a job to .gitlab-ci.yml\n  {DOCS}/gitlab.md", snippets.gitlab(
            install, requirement, folder
        )
    return (
        f"add .github/workflows/qualitygate.yml\n  {DOCS}/github-actions.md",
        snippets.github_actions(install, requirement, folder),
    )


def _print_summary(out: TextIO, proposal: scaffold.Proposal) -> None:
    tests = ", ".join(proposal.tests)
    rows = [
        ("source", ", ".join(proposal.source) or "the whole repository"),
        (
            "tests",
            {
                scaffold.FOUND: tests,
                scaffold.TESTPATHS: f"{tests} (pytest's testpaths)",
                scaffold.NONE: "none found: pytest's own discovery decides",
            }[proposal.tests_from],
        ),
        *((f"layer {layer.name}", ", ".join(layer.paths)) for layer in proposal.layers),
    ]
    if proposal.python:
        rows.append(("python", f"{proposal.python} (the project's environment)"))
    if proposal.preset:
        rows.append(("layers", "one package: preset library (min_mutation_score 60)"))
    elif not proposal.layers:
        rows.append(("layers", "no layer folders found: every file is in layer 'other'"))
    for label, value in rows:
        print(f"  {label:<22} {value}", file=out)


def _print_next(out: TextIO, root: Path, proposal: scaffold.Proposal) -> None:
    source = project_facts.install_source()
    top = git.repo_root(root)
    top, here = top.resolve(), root.resolve()
    folder = "" if top == here else here.relative_to(top).as_posix()  # a monorepo's project
    python = proposal.python or snippets.PROJECT_PYTHON
    if folder and not posixpath.isabs(python):
        python = posixpath.join(folder, python)  # the hooks run at the repository's top
    if proposal.python or (root / snippets.PROJECT_PYTHON).is_file():
        hooks = snippets.pre_commit_isolated(python, source.hooks_repo, source.rev, folder)
    else:
        hooks = snippets.pre_commit_system(source.hooks_repo, source.rev, folder)
    install = project_facts.test_install(_pyproject(root))
    where, ci = _ci_snippet(top, install, source.requirement, folder)
    quoted = f'"{source.requirement}"' if " " in source.requirement else source.requirement
    print(
        f"\nInstall qualitygate where the tests run: {proposal.python or 'python'} -m pip"
        f" install {quoted}"
        "\n\nNext: `qualitygate report --no-run` shows where each layer stands today; lower a"
        f"\ntarget that is far off, or record a baseline:\n  {DOCS}/ratchet.md"
        f"\n\nPre-commit: add to .pre-commit-config.yaml, then run"
        f"\n`{snippets.INSTALL_HOOKS}`\n  {DOCS}/pre-commit.md\n\n{hooks}"
        f"\nCI: {where}\n\n{ci}",
        end="",
        file=out,
    )


def _pyproject(root: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}", exc.strerror or str(exc)) from exc


def run(args: argparse.Namespace) -> int:
    root = cli.repository(args)
    python = project_facts.find_venv(root)
    testpaths = project_facts.pytest_testpaths(root, [python] if python else [])
    proposal = scaffold.propose(git.tracked_files(root), testpaths, python)
    table = scaffold.config_table(proposal)
    standalone = root / "qualitygate.toml"
    if standalone.is_file():
        _existing(standalone, args.force)
        path, text = standalone, standalone_text(table)
    else:
        path = root / "pyproject.toml"
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        text = pyproject_text(path, old, table, args.force)
    _validate(path, text)
    if not args.dry_run:
        _write(path, text)
    out = sys.stdout
    print(f"qualitygate init: a config proposed from the folders of {root}", file=out)
    _print_summary(out, proposal)
    shown = text if path == standalone else text[text.rindex(HEADER) :]
    verb = "Would write" if args.dry_run else "Wrote"
    print(f"\n{verb} to {path.name}:\n\n{shown.rstrip()}", file=out)
    _print_next(out, root, proposal)
    return ExitCode.PASSED
