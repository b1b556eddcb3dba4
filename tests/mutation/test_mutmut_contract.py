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
