"""`qualitygate init`: the proposal (pure, table-driven) and the command on real repositories."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from qualitygate.adopt import project_facts, scaffold, snippets
from qualitygate.main import main
from qualitygate.project import config
from tests.fixtures import make_repo, snapshot, write


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["src/shop/__init__.py", "src/shop/api/routes.py", "tests/test_x.py"], ("src",)),
        (["app/__init__.py", "workers/__init__.py", "tests/test_x.py"], ("app", "workers")),
        (["app/__init__.py", "lib/helpers.py"], ("app",)),  # packages before plain folders
        (["service/main.py", "service/db/store.py"], ("service",)),  # no __init__.py at all
        (["docs/conf.py", "scripts/seed.py", "tests/test_x.py", "calc.py"], ()),
        (["benchmarks/__init__.py", "test/__init__.py", "app/__init__.py"], ("app",)),
        ([".github/x.py", "setup.py"], ()),
    ],
)
def test_source_folders(files: list[str], expected: tuple[str, ...]) -> None:
    assert scaffold.find_source_folders(files) == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["tests/test_a.py", "tests/unit/test_b.py", "tests/conftest.py"], ("tests",)),
        (["app/api/tests/test_a.py", "app/db/tests/test_b.py"], ("app/api/tests", "app/db/tests")),
        (["app/calc.py", "app/test_calc.py", "app/calc_test.py"], ("app",)),
        (["test/test_a.py", "app/test/test_b.py"], ("app/test", "test")),
        (["tests/test_a.py", "tests/deep/tests/test_b.py"], ("tests",)),
        (["test_root.py", "tests/test_a.py"], (".",)),
        (["app/calc.py", "conftest.py", "tests/helpers.py"], ()),  # no test file
    ],
)
def test_test_folders(files: list[str], expected: tuple[str, ...]) -> None:
    assert scaffold.find_test_folders(files) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/api/routes.py", ("api", "app/api")),
        ("app/Services/billing.py", ("services", "app/Services")),
        ("app/domain/models/order.py", ("domain", "app/domain")),  # the outermost folder wins
        ("app/api/models/schema.py", ("api", "app/api")),
        ("app/db/session.py", ("infrastructure", "app/db")),
        ("app/adapters/mail.py", ("infrastructure", "app/adapters")),
        ("app/use_cases/pay.py", ("services", "app/use_cases")),
        ("app/events/handlers/paid.py", ("events", "app/events")),
        ("app/middleware/auth.py", ("middleware", "app/middleware")),
        ("app/tasks/nightly.py", ("workers", "app/tasks")),
        ("app/core/settings.py", ("core", "app/core")),
        ("workers/mail.py", ("workers", "workers")),
        ("app/repositories/orders.py", ("repositories", "app/repositories")),
        ("app/main.py", None),
        ("app/utils/api.py", None),  # a file name is not a folder
    ],
)
def test_layer_folder(path: str, expected: tuple[str, str] | None) -> None:
    found = scaffold.layer_folder(path)
    assert ((found[0].name, found[1]) if found else None) == expected


def test_layers_are_proposed_in_declaration_order_with_sorted_globs() -> None:
    files = [
        "src/shop/api/routes.py",
        "src/shop/modules/b/domain/x.py",
        "src/shop/modules/a/domain/x.py",
        "src/shop/db/__init__.py",
        "src/shop/api/tests/test_routes.py",  # tests are no layer's code
        "tools/db/migrate.py",  # outside source
        "src/shop/domain/README.md",  # not Python
    ]
    layers = scaffold.propose_layers(files, ("src",))
    assert [(la.name, la.paths) for la in layers] == [
        ("domain", ("src/shop/modules/a/domain/**", "src/shop/modules/b/domain/**")),
        ("infrastructure", ("src/shop/db/**",)),
        ("api", ("src/shop/api/**",)),
    ]
    assert layers[0].targets == scaffold.Targets(90, 90, 70)


def test_every_layer_kind_loads_as_config(tmp_path: Path) -> None:
    files = [f"app/{kind.folders[0]}/x.py" for kind in scaffold.LAYER_KINDS]
    proposal = scaffold.propose([*files, "app/__init__.py"])
    path = tmp_path / "qualitygate.toml"
    path.write_text(_standalone(proposal))
    cfg = config.load(tmp_path, path, env={})
    assert [la.name for la in cfg.layers] == [kind.name for kind in scaffold.LAYER_KINDS]
    assert cfg.source == ("app",)
    assert proposal.tests_found is False and proposal.tests_from == scaffold.NONE
    assert "tests =" not in path.read_text()  # left to pytest's own discovery


def _standalone(proposal: scaffold.Proposal) -> str:
    from qualitygate.commands.init import standalone_text

    return standalone_text(scaffold.config_table(proposal))


# ---- the command, on real repositories -------------------------------------------------

PYPROJECT = """\
# The shop backend.   (a comment that must survive)
[project]
name = "shop"      # aligned comments too
version = "1.0"
dependencies = [
    "fastapi",  # the web layer
]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F"]   # keep

[project.optional-dependencies]
test = ["pytest"]

[tool.mypy]
strict = true
# trailing comment
"""

LAYOUT = {
    "app/__init__.py": "",
    "app/main.py": "x = 1\n",
    "app/api/__init__.py": "",
    "app/api/routes.py": "x = 1\n",
    "app/services/billing.py": "x = 1\n",
    "app/domain/models/order.py": "x = 1\n",
    "app/db/session.py": "x = 1\n",
    "tests/test_billing.py": "def test_x():\n    pass\n",
    "scripts/seed.py": "x = 1\n",
}


def init(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["init", "-C", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop", {**LAYOUT, "pyproject.toml": PYPROJECT})


def test_init_appends_to_pyproject_keeping_every_byte(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = init(shop, capsys=capsys)
    assert (code, err) == (0, "")
    text = (shop / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT.rstrip("\n") + "\n\n# qualitygate")
    assert tomllib.loads(text)["tool"]["ruff"] == {
        "line-length": 100,
        "lint": {"select": ["E", "F"]},
    }
    cfg = config.load(shop, env={})
    assert cfg.origin == str(shop / "pyproject.toml")
    assert cfg.source == ("app",) and cfg.tests == ("tests",)
    assert [(la.name, la.paths) for la in cfg.layers] == [
        ("domain", ("app/domain/**",)),
        ("services", ("app/services/**",)),
        ("infrastructure", ("app/db/**",)),
        ("api", ("app/api/**",)),
    ]
    assert "Wrote to pyproject.toml:" in out
    installed = project_facts.install_source()
    assert snippets.pre_commit_system(installed.hooks_repo, installed.rev) in out
    assert snippets.github_actions('-e ".[test]"', installed.requirement) in out


def test_init_creates_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "r", LAYOUT)
    assert init(root, capsys=capsys)[0] == 0
    assert (
        (root / "pyproject.toml")
        .read_text()
        .startswith("# qualitygate (written by `qualitygate init`)")
    )
    assert len(config.load(root, env={}).layers) == 4


def test_dry_run_writes_nothing(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(shop)
    code, out, _ = init(shop, "--dry-run", capsys=capsys)
    assert code == 0 and snapshot(shop) == before
    assert "Would write to pyproject.toml:" in out
    assert '[tool.qualitygate.layers.api]\npaths = ["app/api/**"]' in out
    assert "[project]" not in out  # only the new section is shown


def test_refuses_an_existing_table_unless_forced(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init(shop, capsys=capsys)
    write(shop, {"app/workers/mail.py": "x = 1\n"})
    first = (shop / "pyproject.toml").read_text()
    code, out, err = init(shop, capsys=capsys)
    assert code == 2 and out == ""
    assert "pyproject.toml already holds a qualitygate config" in err and "--force" in err
    assert (shop / "pyproject.toml").read_text() == first
    assert init(shop, "--force", capsys=capsys)[0] == 0
    text = (shop / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT.rstrip("\n")) and text.count("qualitygate init") == 1
    assert "workers" in [la.name for la in config.load(shop, env={}).layers]


def test_force_replaces_a_table_in_the_middle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = (
        '[tool.qualitygate]\nsource = ["old"]\n\n[tool.qualitygate.layers.x]\npaths = ["o/**"]\n\n'
    )
    root = make_repo(tmp_path / "r", {**LAYOUT, "pyproject.toml": own + PYPROJECT})
    assert init(root, "--force", capsys=capsys)[0] == 0
    text = (root / "pyproject.toml").read_text()
    assert "old" not in text and text.startswith(PYPROJECT.rstrip("\n"))
    assert config.load(root, env={}).source == ("app",)


def test_qualitygate_toml_is_refused_then_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", {**LAYOUT, "qualitygate.toml": 'source = ["old"]\n'})
    code, _, err = init(root, capsys=capsys)
    assert code == 2 and "qualitygate.toml already holds" in err
    assert init(root, "--force", capsys=capsys)[0] == 0
    assert not (root / "pyproject.toml").exists()
    cfg = config.load(root, env={})
    assert cfg.origin == str(root / "qualitygate.toml") and cfg.source == ("app",)


def test_malformed_pyproject_is_named_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", {**LAYOUT, "pyproject.toml": "[project\n"})
    code, _, err = init(root, capsys=capsys)
    assert code == 2 and "pyproject.toml: not valid TOML" in err
    assert (root / "pyproject.toml").read_text() == "[project\n"


def test_inline_tool_table_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "tool = { ruff = { line-length = 100 } }\n"
    root = make_repo(tmp_path / "r", {**LAYOUT, "pyproject.toml": text})
    code, _, err = init(root, capsys=capsys)
    assert code == 2 and "pyproject.toml: tool: an inline table" in err
    assert (root / "pyproject.toml").read_text() == text


def test_snippets_follow_the_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "r", {**LAYOUT, ".gitlab-ci.yml": "stages: [test]\n"})
    (root / ".venv/bin").mkdir(parents=True)
    (root / ".venv/bin/python").write_text("")
    _, out, _ = init(root, "--dry-run", capsys=capsys)
    installed = project_facts.install_source()
    hooks = snippets.pre_commit_isolated(".venv/bin/python", installed.hooks_repo, installed.rev)
    assert hooks in out and snippets.gitlab("-e .", installed.requirement) in out
    assert "args: [--python=.venv/bin/python]" in out
    assert 'python = ".venv/bin/python"' in out  # the project's environment, found


def test_no_layers_no_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "r", {"calc.py": "x = 1\n"})
    code, out, _ = init(root, capsys=capsys)
    assert code == 0
    assert "the whole repository" in out and "none found" in out and "layer 'other'" in out
    cfg = config.load(root, env={})
    assert cfg.layers == () and cfg.source == () and cfg.min_diff_coverage == 80


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = init(tmp_path, capsys=capsys)
    assert code == 2 and "not inside a git repository" in err
