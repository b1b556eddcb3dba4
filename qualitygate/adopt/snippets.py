"""The pre-commit and CI snippets `qualitygate init` prints and docs/ shows, word for word.

tests/test_docs.py checks that each page of docs/ carries the snippet it documents, so
the two cannot drift apart.
"""

from __future__ import annotations

from qualitygate import __version__

HOOKS_REPO = "https://github.com/qualitygate/qualitygate"
PROJECT_PYTHON = ".venv/bin/python"


def pre_commit_system() -> str:
    """Hooks for a project whose own environment has qualitygate installed."""
    return f"""\
repos:
  - repo: {HOOKS_REPO}
    rev: v{__version__}
    hooks:
      - id: qualitygate-system       # commit: the staged change, diff coverage
      - id: qualitygate-full-system  # push: diff coverage and mutation testing
"""


def pre_commit_isolated(python: str = PROJECT_PYTHON) -> str:
    """Hooks that install qualitygate themselves and run the tests in the project's python."""
    return f"""\
repos:
  - repo: {HOOKS_REPO}
    rev: v{__version__}
    hooks:
      - id: qualitygate              # commit: the staged change, diff coverage
        args: [--python={python}]
      - id: qualitygate-full         # push: diff coverage and mutation testing
        args: [--python={python}]
"""


INSTALL_HOOKS = "pre-commit install --hook-type pre-commit --hook-type pre-push"

GITHUB_ACTIONS = """\
name: qualitygate
on: pull_request
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # history back to the merge base
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install -e ".[test]" qualitygate
      - run: qualitygate check --base origin/${{ github.base_ref }}
"""

GITLAB = """\
qualitygate:
  image: python:3.12
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: "0"  # history back to the merge base
  script:
    - python -m pip install -e ".[test]" qualitygate
    - qualitygate check --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"
      --report terminal --report junit:qualitygate-junit.xml
  artifacts:
    when: always
    reports:
      junit: qualitygate-junit.xml
"""
