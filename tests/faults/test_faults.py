"""Fault injection: every fault ends in the promised exit code and one line naming the cause.

Each fault is made for real where it can be: real files, real processes, real git
states. For each the test asserts the exit code, exactly one line on stderr that names
the cause, no traceback, and the user's tree, index and HEAD unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qualitygate.main import main
from tests.conftest import FAILING_CHANGE
from tests.fixtures import commit, git, git_state, snapshot, write

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Fault:
    name: str
    args: tuple[str, ...]
    code: int
    says: str  # a piece of the one line on stderr
    setup: Setup = lambda root: None
    env: dict[str, str] = field(default_factory=dict)
    command: str = "check"


def config(text: str) -> Setup:
    def setup(root: Path) -> None:
        (root / "pyproject.toml").write_text(text)

    return setup


def add_to_config(text: str) -> Setup:
    """Set one key of [tool.qualitygate], replacing the line that sets it, if any."""

    def setup(root: Path) -> None:
        path = root / "pyproject.toml"
        key = text.split("=", 1)[0].strip()
        lines = [ln for ln in path.read_text().splitlines() if not ln.startswith(f"{key} =")]
        head = lines.index("[tool.qualitygate]")
        path.write_text("\n".join([*lines[: head + 1], text, *lines[head + 1 :]]) + "\n")

    return setup


def files(contents: dict[str, str]) -> Setup:
    return lambda root: write(root, contents)


def raw(name: str, data: bytes) -> Setup:
    def setup(root: Path) -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)

    return setup


def both(*setups: Setup) -> Setup:
    def setup(root: Path) -> None:
        for s in setups:
            s(root)

    return setup


def fifo(name: str) -> Setup:
    return lambda root: os.mkfifo(root / name)


def qualitygate_file(root: Path) -> None:
    (root / ".git" / "qualitygate").write_text("not a folder")


def shallow_clone(root: Path) -> None:
    """Replace the repository by a shallow clone of itself, with one commit."""
    write(root, {"app/db/store.py": (root / "app/db/store.py").read_text() + "\n# more\n"})
    commit(root, "second")
    clone = root.parent / "clone-src"
    os.rename(root, clone)
    git(root.parent, "clone", "-q", "--depth", "1", f"file://{clone}", str(root))


NO_MUTATION = ("--base", "HEAD", "--no-mutation")
FAULTS = [
    # numbers from every source must be finite and in range
    Fault(
        "nan threshold in the file",
        NO_MUTATION,
        2,
        "min_diff_coverage",
        add_to_config("min_diff_coverage = nan"),
    ),
    Fault(
        "inf threshold in a layer",
        NO_MUTATION,
        2,
        "layers.services.min_coverage",
        config(
            '[tool.qualitygate]\nsource = ["app"]\n[tool.qualitygate.layers.services]\n'
            'paths = ["app/services/**"]\nmin_coverage = inf\n'
        ),
    ),
    Fault(
        "nan threshold flag", (*NO_MUTATION, "--min-diff-coverage", "nan"), 2, "--min-diff-coverage"
    ),
    Fault(
        "nan threshold variable",
        NO_MUTATION,
        2,
        "QUALITYGATE_MIN_DIFF_COVERAGE",
        env={"QUALITYGATE_MIN_DIFF_COVERAGE": "nan"},
    ),
    Fault("negative timeout flag", (*NO_MUTATION, "--timeout", "-1"), 2, "--timeout"),
    Fault("nan timeout flag", (*NO_MUTATION, "--timeout", "nan"), 2, "--timeout"),
    Fault("huge timeout", (*NO_MUTATION, "--timeout", "1e300"), 2, "--timeout"),
    Fault("inf timeout in the file", NO_MUTATION, 2, "timeout", add_to_config("timeout = inf")),
    Fault(
        "inf timeout variable",
        NO_MUTATION,
        2,
        "QUALITYGATE_TIMEOUT",
        env={"QUALITYGATE_TIMEOUT": "inf"},
    ),
    Fault("zero workers", (*NO_MUTATION, "--workers", "0"), 2, "--workers"),
    # config files
    Fault(
        "config not UTF-8",
        NO_MUTATION,
        2,
        "pyproject.toml",
        raw("pyproject.toml", b'[tool.qualitygate]\nbase = "\xff\xfe"\n'),
    ),
    Fault(
        "config deeply nested",
        NO_MUTATION,
        2,
        "pyproject.toml",
        raw("pyproject.toml", b"[tool.qualitygate]\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n"),
    ),
    Fault(
        "tool is not a table",
        NO_MUTATION,
        2,
        "pyproject.toml",
        raw("pyproject.toml", b"tool = 5\n"),
    ),
    Fault(
        "qualitygate is not a table",
        NO_MUTATION,
        2,
        "tool.qualitygate",
        raw("pyproject.toml", b"[tool]\nqualitygate = 5\n"),
    ),
    Fault(
        "not TOML", NO_MUTATION, 2, "not valid TOML", raw("pyproject.toml", b"[tool.qualitygate\n")
    ),
    Fault(
        "unknown key",
        NO_MUTATION,
        2,
        "did you mean 'min_coverage'",
        add_to_config("min_coverag = 5"),
    ),
    Fault(
        "preset longer than a file name",
        NO_MUTATION,
        2,
        "preset",
        add_to_config(f'preset = "{"p" * 300}"'),
    ),
    Fault("preset with a path", NO_MUTATION, 2, "preset", add_to_config('preset = "../../etc/x"')),
    Fault(
        "source that does not exist",
        NO_MUTATION,
        2,
        "source folder 'ap' does not exist",
        config('[tool.qualitygate]\nsource = ["ap"]\n'),
    ),
    Fault(
        "100,000 source folders",
        NO_MUTATION,
        2,
        "source",
        config(
            "[tool.qualitygate]\nsource = ["
            + ", ".join(f'"app/x{i}"' for i in range(100_000))
            + "]\n"
        ),
    ),
    Fault(
        "tests folder missing",
        NO_MUTATION,
        2,
        "'nope' does not exist",
        add_to_config('tests = ["nope"]'),
    ),
    Fault(
        "--config names a FIFO",
        (*NO_MUTATION, "--config", "fifo.toml"),
        2,
        "fifo.toml",
        fifo("fifo.toml"),
    ),
    Fault("--config missing", (*NO_MUTATION, "--config", "gone.toml"), 2, "gone.toml"),
    Fault("--config is a folder", (*NO_MUTATION, "--config", "app"), 2, "app"),
    # the interpreter
    Fault("--python /bin/true", (*NO_MUTATION, "--python", "/bin/true"), 3, "pytest"),
    Fault("--python a folder", (*NO_MUTATION, "--python", "app"), 3, "app"),
    Fault("--python missing", (*NO_MUTATION, "--python", "/no/python"), 3, "/no/python"),
    # refs and git
    Fault("unknown base", ("--base", "nope", "--no-mutation"), 2, "unknown base ref 'nope'"),
    Fault(
        "shallow clone", ("--base", "HEAD~1", "--no-mutation"), 2, "shallow clone", shallow_clone
    ),
    Fault("-C not a folder", ("--base", "HEAD"), 2, "is not a folder", command="check-C"),
    # the suite
    Fault(
        "red suite",
        NO_MUTATION,
        3,
        "the test suite failed",
        files({"tests/test_red.py": "def test_red():\n    assert False\n"}),
    ),
    Fault(
        "a test ends the process with 0",
        NO_MUTATION,
        3,
        "ended before pytest finished",
        files({"tests/test_exit.py": "import os\n\n\ndef test_exit():\n    os._exit(0)\n"}),
    ),
    Fault(
        "a test ends the process with 7",
        NO_MUTATION,
        3,
        "pytest ended with exit 7",
        files({"tests/test_exit.py": "import os\n\n\ndef test_exit():\n    os._exit(7)\n"}),
    ),
    Fault(
        "a test kills its process",
        NO_MUTATION,
        3,
        "pytest ended with exit",
        files(
            {
                "tests/test_kill.py": "import os, signal\n\n\ndef test_kill():\n"
                "    os.kill(os.getpid(), signal.SIGKILL)\n"
            }
        ),
    ),
    Fault(
        "collection error",
        NO_MUTATION,
        3,
        "pytest",
        files({"tests/test_broken.py": "import no_such_module_here\n"}),
    ),
    Fault(
        "no tests collected",
        (*NO_MUTATION, "--timeout", "600"),
        3,
        "collected no tests",
        files({"tests/test_store.py": "", "tests/test_calc.py": ""}),
    ),
    Fault(
        "hanging test",
        (*NO_MUTATION, "--timeout", "20"),
        3,
        "did not finish within 20 s",
        files({"tests/test_hang.py": "import time\n\n\ndef test_hang():\n    time.sleep(600)\n"}),
    ),
    Fault(
        "pytest usage error in addopts",
        NO_MUTATION,
        3,
        "unrecognized arguments",
        files({"pytest.ini": "[pytest]\naddopts = --no-such\n"}),
    ),
    # source files
    Fault(
        "changed file not valid Python",
        NO_MUTATION,
        2,
        "not valid Python",
        files({"app/db/broken.py": "def (:\n"}),
    ),
    # coverage data
    Fault(
        "coverage file missing",
        ("--base", "HEAD", "--no-mutation", "--coverage-file", "none"),
        2,
        "none",
    ),
    Fault(
        "coverage file not data",
        ("--base", "HEAD", "--no-mutation", "--coverage-file", "README.md"),
        2,
        "README.md",
        files({"README.md": "hello\n"}),
    ),
    Fault(
        "Cobertura with a bad hit count",
        ("--base", "HEAD", "--no-mutation", "--coverage-file", "cov.xml"),
        2,
        "cov.xml",
        files(
            {
                "cov.xml": '<?xml version="1.0"?>\n<coverage><packages><package><classes>'
                '<class filename="app/db/store.py"><lines><line number="1" hits="x"/></lines>'
                "</class></classes></package></packages></coverage>\n"
            }
        ),
    ),
    Fault(
        "Cobertura not XML",
        ("--base", "HEAD", "--no-mutation", "--coverage-file", "cov.xml"),
        2,
        "cov.xml",
        files({"cov.xml": "<coverage"}),
    ),
]


def _ids() -> list[str]:
    return [f.name for f in FAULTS]


@pytest.mark.parametrize("fault", FAULTS, ids=_ids())
def test_fault(
    fault: Fault, layered: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = layered
    write(root, FAILING_CHANGE)  # a change to gate, else nothing runs at all
    fault.setup(root)
    for var, value in fault.env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(root)
    before, state = snapshot(root), git_state(root)
    if fault.command == "check-C":
        argv = ["check", "-C", str(root / "no-such-folder"), "-q", *fault.args]
    else:
        argv = [fault.command, "-C", str(root), "-q", *fault.args]
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(lines) == 1 and lines[0].startswith("qualitygate: error: "), err
    assert fault.says in lines[0], lines[0]
    assert code == fault.code, (code, lines[0])
    assert out == ""
    assert snapshot(root) == before
    assert git_state(root) == state


def _read_only(root: Path) -> Callable[[], None]:
    git_dir = root / ".git"
    modes = {p: p.stat().st_mode for p in [git_dir, *git_dir.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    def undo() -> None:
        for path, mode in modes.items():
            path.chmod(mode)

    return undo


def _cache_is_a_file(root: Path) -> Callable[[], None]:
    shutil.rmtree(root / ".git" / "qualitygate", ignore_errors=True)
    (root / ".git" / "qualitygate").write_text("not a folder")
    return lambda: None


def _corrupt(root: Path) -> Callable[[], None]:
    """Every cache file the first run wrote, damaged in a different way."""
    damage = [b"", b"{", b"[]", b'{"version": 1, "entries": {"k": 5}}', b"\xff\xfe", b"null"]
    for i, path in enumerate(sorted((root / ".git" / "qualitygate").rglob("*.json"))):
        path.write_bytes(damage[i % len(damage)])
    return lambda: None


MUTATION = "min_mutation_score = 50\n"


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_read_only, _cache_is_a_file, _corrupt])
def test_an_unusable_cache_gives_the_same_verdict(
    damage: Callable[[Path], Callable[[], None]],
    layered: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The cache only saves time: read-only, replaced by a file, or damaged, the gate
    gives the verdict of a clean run and says nothing of the cache."""
    path = layered / "pyproject.toml"
    text = path.read_text().replace("min_coverage = 60\n", "min_coverage = 60\n" + MUTATION)
    path.write_text(text)
    commit(layered, "mutation on")
    write(layered, FAILING_CHANGE)
    args = ["check", "-C", str(layered), "-q", "--base", "HEAD", "--report", "json"]
    first = main(args), json.loads(capsys.readouterr().out)
    undo = damage(layered)
    try:
        code = main(args)
    finally:
        undo()
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert err == "" and code == first[0] == 1
    assert report["layers"] == first[1]["layers"]
    assert mutants(report) == mutants(first[1]) != []


def mutants(report: dict) -> list[dict]:
    """Each mutant's verdict, whether or not it came from the cache."""
    return [
        {k: v for k, v in m.items() if k != "cached"} for f in report["files"] for m in f["mutants"]
    ]


FORGED = "app/services/x\n::error title=forged::y.py"


@pytest.mark.parametrize("name", [FORGED, "app/services/back\\slash.py", "app/services/cr\r.py"])
def test_hostile_file_names_stay_in_their_layer_and_inject_nothing(
    name: str, layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name with a newline, a backslash or a CR is a legal POSIX name: it is gated in its
    layer, and no human format prints a raw control character (no forged ::error line)."""
    (layered / name).write_text("def f(x):\n    return x + 1\n")
    for report in ("terminal", "markdown", "json"):
        code = main(["check", "-C", str(layered), "-q", "--base", "HEAD", "--no-mutation",
                     "--report", report])  # fmt: skip
        out, err = capsys.readouterr()
        assert code == 1, err  # never run by a test: services' diff coverage fails
        if report == "json":
            files = json.loads(out)["files"]
            assert [(f["path"], f["layer"]) for f in files] == [(name, "services")]
        else:
            assert not any(line.startswith("::") for line in out.splitlines()), out
            assert "\r" not in out


def test_a_workspace_removed_under_the_run_is_a_tool_error(tmp_path: Path) -> None:
    """Found in CI: a clean-up of /tmp removed a running check's workspace, and reading
    mutmut's log ended in a traceback (exit 4). Timing that for real is not reliable, so
    the session's log is pointed at a file that is gone."""
    from types import SimpleNamespace

    from qualitygate.errors import ToolError
    from qualitygate.mutation.mutmut_session import MutmutSession

    gone = SimpleNamespace(log=tmp_path / "scratch" / "mutmut-0.log")
    with pytest.raises(ToolError, match="the mutation workspace was removed while it ran"):
        MutmutSession.output(gone)  # type: ignore[arg-type]
