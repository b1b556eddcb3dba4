"""Pins the mutmut 3.8 behaviour qualitygate relies on, with the real mutmut.

If a mutmut upgrade breaks one of these, `mutmut_adapter` (and perhaps the
probe script) must change with it: see the module docstring there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mutmut
import pytest

from qualitygate.mutation import mutmut_adapter
from tests.fixtures import write

pytestmark = pytest.mark.slow

PROJECT = {
    "app/__init__.py": "",
    "app/calc.py": """
        def over(total, limit):
            if total >= limit:
                return True
            return False


        def untested(x):
            return x + 1


        class Cart:
            def add(self, x):
                return x * 2
        """,
    "tests/test_calc.py": """
        from app.calc import Cart, over


        def test_over():
            assert over(20, 10)
            assert not over(1, 10)


        def test_cart():
            assert Cart().add(2) == 4
        """,
    "pyproject.toml": """
        [tool.mutmut]
        source_paths = ["app"]
        only_mutate = ["app/calc.py"]
        pytest_add_cli_args_test_selection = ["tests"]
        """,
}


def mutmut_run(project: Path, *names: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-c",
        mutmut_adapter.RUN_MUTMUT,
        "run",
        "--max-children",
        "2",
        *names,
    ]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contract")
    write(root, PROJECT)
    done = mutmut_run(root)
    assert done.returncode == 0, done.stdout + done.stderr  # exits 0 although mutants survive
    return root


def test_version_is_pinned() -> None:
    assert mutmut.__version__.startswith(mutmut_adapter.SUPPORTED)


def test_meta_file_layout_names_and_exit_codes(project: Path) -> None:
    meta = json.loads((project / "mutants" / "app" / "calc.py.meta").read_text())
    assert set(meta) >= {"exit_code_by_key", "hash_by_function_name", "durations_by_key"}
    codes = meta["exit_code_by_key"]
    assert codes == {
        "app.calc.x_over__mutmut_1": 0,  # >= -> > survives
        "app.calc.x_over__mutmut_2": 1,
        "app.calc.x_over__mutmut_3": 1,
        "app.calc.x_untested__mutmut_1": 33,
        "app.calc.x_untested__mutmut_2": 33,
        "app.calc.xǁCartǁadd__mutmut_1": 1,
        "app.calc.xǁCartǁadd__mutmut_2": 1,
    }
    statuses = {name: mutmut_adapter.status_of(code) for name, code in codes.items()}
    assert statuses["app.calc.x_over__mutmut_1"] == "survived"
    assert statuses["app.calc.x_untested__mutmut_1"] == "no_tests"


def test_stats_file_maps_functions_to_tests(project: Path) -> None:
    assert mutmut_adapter.tests_by_function(project) == {
        "app.calc.x_over": ("tests/test_calc.py::test_over",),
        "app.calc.xǁCartǁadd": ("tests/test_calc.py::test_cart",),
    }


def test_spans_index_names_generated_functions(project: Path) -> None:
    spans = json.loads((project / "mutants" / "app" / "calc.py.spans").read_text())
    assert spans["version"] == 1
    assert {"x_over__mutmut_orig", "x_over__mutmut_1", "xǁCartǁadd__mutmut_orig"} <= set(
        spans["spans"]
    )


def test_probe_generates_the_same_mutants_as_mutmut_run(project: Path, tmp_path: Path) -> None:
    script = Path(mutmut_adapter.__file__).with_name("mutmut_driver.py")
    request, result = tmp_path / "request.json", tmp_path / "result.json"
    request.write_text(json.dumps({"files": ["app/calc.py"]}))
    subprocess.run(
        [sys.executable, str(script), "probe", str(request), str(result)], cwd=project, check=True
    )
    probed = json.loads(result.read_text())
    meta = json.loads((project / "mutants" / "app" / "calc.py.meta").read_text())
    assert set(probed["files"]["app/calc.py"]["mutants"]) == set(meta["exit_code_by_key"])
    assert probed["mutmut_version"] == mutmut.__version__


def test_named_mutant_reruns_and_exits_0(project: Path) -> None:
    done = mutmut_run(project, "app.calc.x_over__mutmut_1")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_test_reaching_any_mutant_exits_1(tmp_path: Path) -> None:
    write(tmp_path, {**PROJECT, "tests/test_calc.py": "def test_nothing():\n    assert True\n"})
    done = mutmut_run(tmp_path)
    assert done.returncode == 1
    assert mutmut_adapter.found_no_tests(done.stdout)


# ------------------------------------------- one collected session (mutmut_driver)

SESSION_PROJECT = {
    "app/__init__.py": "",
    "app/calc.py": """
        LOG = []


        def over(total, limit):
            if total >= limit:
                return True
            return False


        def scale(x, factor=2):
            LOG.append(x)
            return x * factor


        def shout(text):
            print(text.upper())
            return len(text)


        class Cart:
            def __init__(self):
                self.items = []

            def add(self, x):
                self.items.append(x)
                return sum(self.items)
        """,
    "tests/conftest.py": """
        import pytest

        from app.calc import Cart

        OPENED = []


        @pytest.fixture(scope="session")
        def ledger():
            OPENED.append("session")
            yield OPENED
            OPENED.clear()


        @pytest.fixture(scope="module")
        def cart():
            return Cart()
        """,
    "tests/test_calc.py": """
        import warnings

        import pytest

        from app.calc import Cart, over, scale, shout


        @pytest.mark.parametrize(("total", "expected"), [(20, True), (1, False)])
        def test_over(total, expected, ledger):
            assert over(total, 10) is expected
            assert ledger == ["session"]


        def test_scale_grows_the_log():
            before = len(__import__("app.calc").calc.LOG)
            assert scale(3) == 6
            assert len(__import__("app.calc").calc.LOG) == before + 1


        def test_shout(capsys):
            assert shout("hi") == 2
            assert capsys.readouterr().out == "HI\\n"


        class TestCart:
            def test_add(self, cart):
                assert cart.add(2) >= 2

            def test_fresh(self):
                assert Cart().add(2) == 2


        @pytest.mark.xfail(strict=True)
        def test_known_bug():
            assert over(5, 5) is False


        @pytest.mark.skip(reason="not today")
        def test_skipped():
            assert False


        def test_warns():
            with pytest.warns(UserWarning):
                warnings.warn("careful", UserWarning)
            assert scale(1, 3) == 3
        """,
    "pyproject.toml": """
        [tool.mutmut]
        source_paths = ["app"]
        only_mutate = ["app/calc.py"]
        pytest_add_cli_args_test_selection = ["tests"]

        [tool.pytest.ini_options]
        filterwarnings = ["error"]
        """,
}


def driver_run(project: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    """`mutmut run NAMES` as qualitygate runs it: through mutmut_driver.py, every mutant
    named (so mutmut's clean run runs their tests, not the whole suite)."""
    script = Path(mutmut_adapter.__file__).with_name("mutmut_driver.py")
    command = [sys.executable, str(script), "run", "run", "--max-children", "2", *names]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=180)


def exit_codes(project: Path) -> dict[str, int]:
    meta = json.loads((project / "mutants" / "app" / "calc.py.meta").read_text())
    codes: dict[str, int] = meta["exit_code_by_key"]
    return codes


def both_ways(tmp_path: Path, files: dict[str, str]) -> tuple[str, dict[str, int], dict[str, int]]:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write(ours, files)
    write(theirs, files)
    plain = mutmut_run(theirs)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    done = driver_run(ours, sorted(exit_codes(theirs)))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, exit_codes(ours), exit_codes(theirs)


def test_mutants_run_in_one_collected_session_with_mutmuts_verdicts(tmp_path: Path) -> None:
    output, ours, theirs = both_ways(tmp_path, SESSION_PROJECT)
    assert "one collected pytest session for the clean run and the mutants" in output
    assert "each mutant runs in pytest.main" not in output
    assert ours == theirs
    assert {0, 1} <= set(ours.values())  # survivors and kills both, so the check can fail


def test_a_session_that_disagrees_with_mutmut_is_given_up(tmp_path: Path) -> None:
    # A test that passes only in the process that imported the tests, as mutmut's own
    # clean run runs it, and fails in any fork: the clean run fails in the collected
    # session only, so every mutant goes back to mutmut's pytest.main (and is killed
    # there too, in mutmut's own forks).
    files = {
        **SESSION_PROJECT,
        "tests/test_pid.py": """
            import os

            from app.calc import over

            IMPORTED_IN = os.getpid()


            def test_same_process():
                assert over(20, 10)
                assert os.getpid() == IMPORTED_IN
            """,
    }
    output, ours, theirs = both_ways(tmp_path, files)
    assert "each mutant runs in pytest.main: the clean run failed only in the collected" in output
    assert ours == theirs


def test_a_probe_of_two_files_in_two_workers_equals_mutmut_run(tmp_path: Path) -> None:
    files = {
        **PROJECT,
        "app/more.py": "def twice(x):\n    return x * 2 if x > 0 else 0\n",
        "pyproject.toml": PROJECT["pyproject.toml"].replace(
            '["app/calc.py"]', '["app/calc.py", "app/more.py"]'
        ),
    }
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    write(theirs, files)
    write(ours, files)
    assert mutmut_run(theirs).returncode == 0
    script = Path(mutmut_adapter.__file__).with_name("mutmut_driver.py")
    request, result = tmp_path / "request.json", tmp_path / "result.json"
    request.write_text(json.dumps({"files": ["app/calc.py", "app/more.py"]}))
    subprocess.run(
        [sys.executable, str(script), "probe", str(request), str(result)], cwd=ours, check=True
    )
    probed = json.loads(result.read_text())["files"]
    for path in ("app/calc.py", "app/more.py"):
        meta = json.loads((theirs / "mutants" / f"{path}.meta").read_text())
        assert set(probed[path]["mutants"]) == set(meta["exit_code_by_key"]), path
        assert (ours / "mutants" / path).read_text() == (theirs / "mutants" / path).read_text()


def test_a_function_inside_a_module_level_if_gets_no_mutant(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/m.py": """
                import sys

                if sys.platform != "win32":

                    def f(x):
                        return x + 1


                def g(x):
                    return x + 1
                """,
            "pyproject.toml": '[tool.mutmut]\nsource_paths = ["app"]\n',
        },
    )
    script = Path(mutmut_adapter.__file__).with_name("mutmut_driver.py")
    request, result = tmp_path / "request.json", tmp_path / "result.json"
    request.write_text(json.dumps({"files": ["app/m.py"]}))
    subprocess.run(
        [sys.executable, str(script), "probe", str(request), str(result)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    names = json.loads(result.read_text())["files"]["app/m.py"]["mutants"]
    assert names and all(name.startswith("app.m.x_g__mutmut_") for name in names)
