"""The pre-commit and CI snippets `qualitygate init` prints and docs/ shows, word for word.

tests/test_docs.py checks that each page of docs/ carries the snippet it documents, so
the two cannot drift apart.
"""

from __future__ import annotations

from qualitygate import __version__

HOOKS_REPO = "https://github.com/qualitygate/qualitygate"
REV = f"v{__version__}"
PROJECT_PYTHON = ".venv/bin/python"
TEST_INSTALL = '-e ".[test]"'  # the project, with its test dependencies


def _args(*given: str) -> str:
    """A hook's `args:` line, or nothing when it has none."""
    shown = [a for a in given if a]
    return f"\n        args: [{', '.join(shown)}]" if shown else ""


def _folder(folder: str) -> str:
    """`-C FOLDER` for a project in a subfolder of the repository (hooks run at its top)."""
    return f"-C, {folder}" if folder else ""


def pre_commit_system(repo: str = HOOKS_REPO, rev: str = REV, folder: str = "") -> str:
    """Hooks for a project whose own environment has qualitygate installed."""
    args = _args(_folder(folder))
    return f"""\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: qualitygate-system       # commit: the staged change, diff coverage{args}
      - id: qualitygate-full-system  # push: diff coverage and mutation testing{args}
"""


def pre_commit_isolated(
    python: str = PROJECT_PYTHON, repo: str = HOOKS_REPO, rev: str = REV, folder: str = ""
) -> str:
    """Hooks that install qualitygate themselves and run the tests in the project's python."""
    args = _args(f"--python={python}", _folder(folder))
    return f"""\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: qualitygate              # commit: the staged change, diff coverage{args}
      - id: qualitygate-full         # push: diff coverage and mutation testing{args}
"""


INSTALL_HOOKS = "pre-commit install --hook-type pre-commit --hook-type pre-push"


def pip_install(install: str = TEST_INSTALL, requirement: str = "qualitygate") -> str:
    """The pip command of a CI job: the project with its tests' dependencies, and qualitygate
    (a release, a VCS URL at a commit, or a path), quoted when it holds a space."""
    quoted = f'"{requirement}"' if " " in requirement else requirement
    return f"python -m pip install {install} {quoted}"


def github_actions(
    install: str = TEST_INSTALL, requirement: str = "qualitygate", folder: str = ""
) -> str:
    """The workflow; `folder`: the project's folder in a monorepo, where every step runs."""
    where = f"\n    defaults:\n      run:\n        working-directory: {folder}" if folder else ""
    return f"""\
name: qualitygate
on: pull_request
jobs:
  gate:
    runs-on: ubuntu-latest{where}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # history back to the merge base
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: {pip_install(install, requirement)}
      - run: qualitygate check --base origin/${{{{ github.base_ref }}}}
"""


def gitlab(install: str = TEST_INSTALL, requirement: str = "qualitygate", folder: str = "") -> str:
    """The job; `folder`: the project's folder in a monorepo, where the script runs."""
    where = f"\n    - cd {folder}" if folder else ""
    return f"""\
qualitygate:
  image: python:3.12
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: "0"  # history back to the merge base
  script:{where}
    - {pip_install(install, requirement)}
    - qualitygate check --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"
      --report terminal --report junit:qualitygate-junit.xml
  artifacts:
    when: always
    reports:
      junit: qualitygate-junit.xml
"""


GITHUB_ACTIONS = github_actions()
GITLAB = gitlab()
