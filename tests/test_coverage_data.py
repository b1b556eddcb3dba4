"""Coverage facts from real coverage.py data files and Cobertura XML."""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import coverage
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualitygate.errors import ToolError, UsageError
from qualitygate.measure import coverage_data, reading
from qualitygate.measure.coverage_data import (
    Measured,
    file_coverage,
    match_paths,
    read_cobertura,
    read_data_file,
)
from qualitygate.measure.reading import read_in_background
from tests.fixtures import make_repo, measure

FILES = {
    "app/__init__.py": "",
    "app/calc.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
    "app/never.py": "def lonely():\n    return 1\n",
    "tests/test_calc.py": (
        "from app.calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    ),
}


@pytest.fixture(scope="module")
def measured_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("cov") / "r", FILES)
    measure(root, root / ".coverage", root / "coverage.xml")
    return root


def _in_background(path: Path) -> dict[str, Measured]:
    return read_in_background(path)()


READERS = pytest.mark.parametrize("read", [read_data_file, _in_background], ids=["now", "forked"])


@READERS
@pytest.mark.parametrize("name", [".coverage", "coverage.xml"])
def test_both_formats_give_the_same_lines(
    measured_repo: Path, name: str, read: Callable[[Path], dict[str, Measured]]
) -> None:
    measured = read(measured_repo / name)
    assert measured == read_data_file(measured_repo / name)
    cov = file_coverage(measured_repo, ["app/calc.py", "app/never.py"], measured)
    calc = cov["app/calc.py"]
    assert calc.statements == {1, 2, 5, 6}
    assert calc.executed == {1, 2, 5}
    assert calc.missing == {6}
    never = cov["app/never.py"]
    assert never.statements == {1, 2} and never.executed == frozenset()


def test_a_file_outside_the_data_counts_as_zero(measured_repo: Path) -> None:
    (measured_repo / "app" / "brand_new.py").write_text("X = 1\nY = 2\n")
    try:
        cov = file_coverage(
            measured_repo, ["app/brand_new.py"], read_data_file(measured_repo / ".coverage")
        )
    finally:
        (measured_repo / "app" / "brand_new.py").unlink()
    assert cov["app/brand_new.py"].measured is False
    assert cov["app/brand_new.py"].missing == {1, 2}


def test_paths_measured_on_another_machine_are_matched(tmp_path: Path) -> None:
    data = coverage.CoverageData(basename=str(tmp_path / ".coverage"))
    data.add_lines(
        {
            "/home/runner/work/proj/proj/app/calc.py": [1, 2],
            "/home/runner/work/proj/proj/other/app/calc.py": [5],
        }
    )
    data.write()
    measured = read_data_file(tmp_path / ".coverage")
    assert match_paths(measured, tmp_path, ["app/calc.py"]) == {
        "app/calc.py": "/home/runner/work/proj/proj/app/calc.py"
    }


def test_each_file_finds_its_own_match() -> None:
    measured = ["/ci/x/pkg/a/util.py", "/ci/x/pkg/b/util.py"]
    assert match_paths(measured, Path("/repo"), ["pkg/b/util.py", "pkg/a/util.py"]) == {
        "pkg/a/util.py": "/ci/x/pkg/a/util.py",
        "pkg/b/util.py": "/ci/x/pkg/b/util.py",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "neither a coverage.py data file nor Cobertura XML"),
        (b"hello", "neither a coverage.py data file nor Cobertura XML"),
        (b"<coverage><unclosed>", "not valid XML"),
        (b"<?xml version='1.0'?><report/>", "not a Cobertura report"),
        (b"SQLite format 3\x00garbage" * 10, "not a readable coverage.py data file"),
    ],
)
@READERS
def test_bad_data_files_name_the_file(
    tmp_path: Path, content: bytes, message: str, read: Callable[[Path], object]
) -> None:
    path = tmp_path / "data"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=message) as caught:
        read(path)
    assert str(path) in str(caught.value)
    assert caught.value.hint  # what to do, also from the forked reader


def test_a_reader_that_dies_is_an_error_never_a_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Faults a real file cannot make: the reader killed (out of memory), or a bug in it.
    The fork inherits the patched function."""
    path = tmp_path / "coverage.xml"
    path.write_text("<coverage/>")
    monkeypatch.setattr(coverage_data, "read_data_file", lambda _: os._exit(9))
    with pytest.raises(ToolError, match=f"reading {path} stopped: its reader exited with 9"):
        read_in_background(path)()

    def broken(_: Path) -> None:
        raise KeyError("sources")

    monkeypatch.setattr(coverage_data, "read_data_file", broken)
    with pytest.raises(ToolError, match=r"reading .* failed \(KeyError: 'sources'\)"):
        read_in_background(path)()


def test_missing_data_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the coverage file"):
        read_data_file(tmp_path / "nope")


def test_cobertura_lists_the_statements_so_the_file_is_not_parsed(tmp_path: Path) -> None:
    """Every <line> of a class is a statement (coverage xml writes them, exclusions
    applied), hit or not; the report is trusted as diff-cover trusts it. Line 2 here is
    left out, as an exclusion pragma would, and a <methods> line counts once."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "m.py").write_text("x = 1\ny = 2\nz = 3\n")
    (tmp_path / "c.xml").write_text(
        '<?xml version="1.0" ?><coverage><sources><source>\n  /ci/proj\n</source></sources>'
        '<packages><package><classes><class filename="app/m.py"><methods><method>'
        '<lines><line number="1" hits="3"/></lines></method></methods>'
        '<lines><line number="1" hits="3"/><line number="3" hits="0"/></lines>'
        "</class></classes></package></packages></coverage>"
    )
    measured = read_data_file(tmp_path / "c.xml")
    assert set(measured) == {"/ci/proj/app/m.py"}  # the source's text, stripped
    found = file_coverage(tmp_path, ["app/m.py"], measured)["app/m.py"]
    assert found.statements == {1, 3} and found.executed == {1}


def test_statements_parsed_in_the_background_are_those_parsed_at_once(tmp_path: Path) -> None:
    """The report parses thousands of files while its tests run: the same answers, and a
    file that is not Python still stops the gate, when the answer is asked for."""
    from qualitygate.measure.coverage_data import PARALLEL_FROM, StatementParser

    rels = [f"m{i}.py" for i in range(PARALLEL_FROM + 10)]
    for i, rel in enumerate(rels):
        (tmp_path / rel).write_text("x = 1\n" + "if x:\n    y = 2\n" * (i % 3))
    parser = StatementParser(tmp_path)
    assert parser.in_background(rels)() == {rel: parser.statements([rel])[rel] for rel in rels}
    both = parser.in_background(rels, workers=2, also=line_count)
    assert both.also() == {rel: (rel, 1 + 2 * (i % 3)) for i, rel in enumerate(rels)}
    (tmp_path / rels[-1]).write_text("def (:\n")
    pending = parser.in_background(rels, also=line_count)
    with pytest.raises(UsageError, match=f"{rels[-1]}: not valid Python"):
        pending.also()
    with pytest.raises(UsageError, match=f"{rels[-1]}: not valid Python"):
        pending()


def line_count(rel: str, text: str) -> tuple[str, int]:
    """What a worker makes of each file besides its statements (module level: sent to it)."""
    return rel, len(text.splitlines())


def read_xml(tmp_path: Path, text: str) -> dict[str, tuple[set[int], set[int] | None]]:
    """Each file of a Cobertura report: (executed lines, listed lines)."""
    (tmp_path / "c.xml").write_text(text)
    measured = read_data_file(tmp_path / "c.xml")
    return {
        name: (set(m.lines), m.statements and set(m.statements)) for name, m in measured.items()
    }


def test_cobertura_from_other_tools_reads_the_same(tmp_path: Path) -> None:
    """Attributes in another order, a <line> with <conditions> inside it (as Java's and
    JavaScript's tools write), hit counts written with leading zeros."""
    report = (
        '<?xml version="1.0" ?><coverage><sources>\n  <source>/a</source>\n</sources>'
        '<packages><package name="p"><classes><class name="m" filename="m.py"><lines>'
        '<line hits="2" number="1" branch="true"><conditions><condition number="0" '
        'type="jump" coverage="50%"/></conditions></line>'
        '<line branch="false" number="2" hits="00"/><line number="3" hits="007"/>'
        "</lines></class></classes></package></packages></coverage>"
    )
    assert read_xml(tmp_path, report) == {"/a/m.py": ({1, 3}, {1, 2, 3})}


def test_a_cobertura_report_with_two_sources_names_each_file_under_both(tmp_path: Path) -> None:
    report = (
        '<?xml version="1.0" ?><coverage><sources><source>/a</source><source>/b</source>'
        "</sources><packages><package><classes>"
        '<class filename="m.py"><lines><line number="1" hits="1"/></lines></class>'
        '<class filename="n.py"><lines><line number="2" hits="0"/></lines></class>'
        "</classes></package></packages></coverage>"
    )
    assert read_xml(tmp_path, report) == {
        "/a/m.py": ({1}, {1}),
        "/b/m.py": ({1}, {1}),
        "/a/n.py": (set(), {2}),
        "/b/n.py": (set(), {2}),
    }


LINE = st.builds(
    lambda number, hits, extra, order: (number, hits, extra, order),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(["0", "1", "00", "012", "7"]),
    st.sampled_from(["", ' branch="false"', ' branch="true" condition-coverage="50% (1/2)"']),
    st.sampled_from(["number hits extra", "hits number extra", "number extra hits"]),
)
CLASS = st.tuples(
    st.sampled_from(["m.py", "n.py", "pkg/o.py"]),  # one filename may come twice
    st.lists(LINE, max_size=8),
    st.booleans(),  # the class's methods list its lines too (Java's tools do)
)


def _line(number: int, hits: str, extra: str, order: str) -> str:
    parts = {"number": f' number="{number}"', "hits": f' hits="{hits}"', "extra": extra}
    return f"<line{''.join(parts[name] for name in order.split())}/>"


def _cobertura(classes: list[tuple[str, list[tuple[int, str, str, str]], bool]]) -> str:
    body = []
    for filename, lines, methods in classes:
        shown = "".join(_line(*line) for line in lines)
        method = f'<methods><method name="f"><lines>{shown}</lines></method></methods>'
        body.append(
            f'<class name="c" filename="{filename}">{method if methods else "<methods/>"}'
            f"<lines>{shown}</lines></class>"
        )
    return (
        '<?xml version="1.0" ?><coverage version="7"><sources><source>/s</source></sources>'
        f'<packages><package name="p"><classes>{"".join(body)}</classes></package>'
        "</packages></coverage>"
    )


@given(st.lists(CLASS, max_size=5))
@settings(max_examples=60, deadline=None)
def test_the_streaming_cobertura_reader_reads_what_elementtree_reads(
    classes: list[tuple[str, list[tuple[int, str, str, str]], bool]],
) -> None:
    """The reader keeps no tree and switches callbacks at each <class>: on reports as
    coverage.py and other tools write them, it finds what a tree of the report holds."""
    text = _cobertura(classes)
    expected: dict[str, tuple[set[int], set[int] | None]] = {}
    for element in ElementTree.fromstring(text).iter("class"):
        name = f"/s/{element.get('filename')}"
        hit, listed = expected.setdefault(name, (set(), set()))
        for line in element.iter("line"):
            listed.add(int(line.get("number", "")))
            if int(line.get("hits", "0")):
                hit.add(int(line.get("number", "")))
    with tempfile.TemporaryDirectory() as folder:
        assert read_xml(Path(folder), text) == expected


GHOST = '<class filename="ghost.py"><lines><line number="9" hits="1"/></lines></class>'
NOISE = st.sampled_from(
    [
        "",
        "",
        "",
        f"<!-- {GHOST} -->",  # a cut here is no <class>: the report is read whole
        f"<![CDATA[{GHOST}]]>",
        '</classes></package><package name="q"><classes>',  # another package
        "<unclosed>",  # bad XML whose second part alone would be good
        '<class filename="bad.py"><lines><line number="x" hits="1"/></lines></class>',
    ]
)


def _reads(path: Path, read: Callable[[], object]) -> object:
    try:
        return read()
    except UsageError:
        return UsageError


@given(
    st.lists(st.tuples(CLASS, NOISE), min_size=1, max_size=5),
    st.booleans(),  # a DTD with an entity that one class's filename uses
    st.integers(min_value=0, max_value=5000),  # where to break the report, when it is
    st.sampled_from([False, False, False, True]),
)
@settings(max_examples=200, deadline=None)
def test_a_report_read_in_two_parts_reads_as_it_reads_whole(
    parts: list[tuple[tuple[str, list[tuple[int, str, str, str]], bool], str]],
    dtd: bool,
    broken_at: int,
    broken: bool,
) -> None:
    """Cut at each `<class ` (real, in a comment, in CDATA), the two parts give what the
    whole report gives, or the same refusal: bad XML, a line number that is none."""
    text = _cobertura([cls for cls, _ in parts])
    noise = iter(n for _, n in parts)
    text = re.sub("</class>", lambda m: m.group(0) + next(noise, ""), text)
    if dtd:
        declared = '<!DOCTYPE coverage [<!ENTITY e "pkg/e.py">]>'
        text = text.replace("<coverage ", f"{declared}<coverage ", 1)
        text = text.replace('filename="m.py"', 'filename="&e;"', 1)
    if broken:
        text = text[: broken_at % len(text)]
    data = text.encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.xml"
        path.write_bytes(data)
        whole = _reads(path, lambda: read_cobertura(path))
        for cut in [m.start() for m in re.finditer(b"<class ", data)]:

            def answer(first: bool, cut: int = cut) -> tuple[str, object]:
                try:
                    return reading.part(path, data, cut, first)
                except UsageError as exc:
                    return "error", exc

            in_two = _reads(path, lambda: reading.combined(path, answer(True), answer(False)))
            assert in_two == whole, cut


def test_a_big_report_is_read_in_two_forked_parts(
    measured_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = measured_repo / "coverage.xml"
    assert reading.split_point(path.read_bytes()) is not None
    monkeypatch.setattr(reading, "SPLIT_FROM", 0)
    assert read_in_background(path)() == read_data_file(path)


def test_a_report_is_cut_at_a_class_past_its_middle_and_never_with_a_dtd() -> None:
    head = b'<?xml version="1.0" ?><coverage><packages><package><classes>'
    classes = b"".join(b'<class filename="m%d.py"><lines/></class>' % n for n in range(4))
    data = head + classes + b"</classes></package></packages></coverage>"
    cut = reading.split_point(data)
    assert cut is not None and cut >= len(data) // 2 and data[cut:].startswith(b"<class ")
    assert reading.split_point(data.replace(b"<coverage>", b"<!DOCTYPE c><coverage>")) is None
    assert reading.split_point(head + b"</classes></package></packages></coverage>") is None


# One context's measurements: context name ("" for import time, "test|run" as the plugin
# names them, or a bare name), file number -> its lines, or its arcs (negative ends too).
RUNS = st.lists(
    st.tuples(
        st.sampled_from(["", "t1|run", "t2|run", "t1|setup", "other"]),
        st.dictionaries(
            st.integers(0, 2),
            st.lists(st.tuples(st.integers(-3, 12), st.integers(-3, 12)), max_size=6),
            max_size=3,
        ),
    ),
    max_size=6,
)


@given(RUNS, st.booleans())
@settings(max_examples=100, deadline=None)
def test_one_query_reads_what_coverage_api_reads(
    runs: list[tuple[str, dict[int, list[tuple[int, int]]]]], arcs: bool
) -> None:
    """The one-query reader gives every file's lines, and each line's tests, as coverage's
    own API reads them (lines, contexts_by_lineno), with arcs and with line data."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".coverage"
        data = coverage.CoverageData(basename=str(path))
        for context, measured in runs:
            data.set_context(context)
            named = {f"/p/m{n}.py": pairs for n, pairs in measured.items()}
            if arcs:
                data.add_arcs(
                    {name: [(a, b) for a, b in pairs if a or b] for name, pairs in named.items()}
                )
            else:
                data.add_lines(
                    {name: [abs(a) + 1 for a, _ in pairs] for name, pairs in named.items()}
                )
        data.write()
        read = coverage.CoverageData(basename=str(path))
        read.read()
        tested = {c for c in read.measured_contexts() if c}
        expected = {
            name: Measured(
                frozenset(read.lines(name) or ()),
                {
                    line: frozenset(c.rsplit("|", 1)[0] for c in ctx if c)
                    for line, ctx in read.contexts_by_lineno(name).items()
                }
                if tested
                else None,
            )
            for name in read.measured_files()
        }
        assert coverage_data._read_in_one_pass(path) == expected


def test_an_arc_without_a_context_id_counts_as_run_by_no_test(tmp_path: Path) -> None:
    path = tmp_path / ".coverage"
    data = coverage.CoverageData(basename=str(path))
    data.set_context("t1|run")
    data.add_arcs({"/p/m.py": [(1, 2)]})
    data.write()
    with sqlite3.connect(path) as con:
        con.execute("insert into arc values (1, null, 3, 4)")
    read = coverage_data._read_in_one_pass(path)
    assert read == {
        "/p/m.py": Measured(
            frozenset({1, 2, 3, 4}),
            {1: frozenset({"t1"}), 2: frozenset({"t1"}), 3: frozenset(), 4: frozenset()},
        )
    }


def _part(path: Path, context: str, arcs: dict[str, list[tuple[int, int]]]) -> None:
    data = coverage.CoverageData(basename=str(path))
    data.set_context(context)
    data.add_arcs(arcs)
    data.write()


def test_parallel_parts_read_as_coverage_combines_them(tmp_path: Path) -> None:
    """One part of a parallel run is read where it lies (combining only copies it); two
    are combined, and read as coverage's own `combine` reads them."""
    one = tmp_path / "one"
    one.mkdir()
    _part(one / ".coverage.host.1.a", "t1|run", {"/p/m.py": [(-1, 1), (1, 2)]})
    assert coverage_data.combine_parallel(one / ".coverage") == one / ".coverage.host.1.a"
    assert not (one / ".coverage").exists()

    two = tmp_path / "two"
    two.mkdir()
    _part(two / ".coverage.host.1.a", "t1|run", {"/p/m.py": [(-1, 1), (1, 2)]})
    _part(two / ".coverage.host.2.b", "t2|run", {"/p/m.py": [(-1, 1), (1, 3)]})
    combined = coverage_data.combine_parallel(two / ".coverage")
    assert combined == two / ".coverage"
    assert coverage_data.read_sqlite(combined) == {
        "/p/m.py": Measured(
            frozenset({1, 2, 3}),
            {1: frozenset({"t1", "t2"}), 2: frozenset({"t1"}), 3: frozenset({"t2"})},
        )
    }
    assert coverage_data.combine_parallel(tmp_path / "none" / ".coverage") is None


def _packed(first: int, second: int, bits: int, sign: int) -> int:
    """An arc packed as coverage's C tracer packs it, `bits` bits per line number."""
    value = abs(first) | (abs(second) << bits)
    return value | (first < 0) << sign | (second < 0) << (sign + 1)


@pytest.mark.parametrize(("bits", "sign"), coverage_data.PACKINGS)
def test_the_plugins_record_of_packed_arcs_gives_each_line_its_tests(bits: int, sign: int) -> None:
    """The plugin's record (packed arcs per test, as the tracer left them) decodes by
    the packing under which every line is a line coverage measured; the lines no test
    ran were run at import."""
    measured = {"/r/app/calc.py": Measured(frozenset({1, 2, 3, 4}), {})}
    arcs = {"t::a": [(-1, 2), (2, 3), (3, -1)], "t::b": [(-1, 2), (2, -1)]}
    record = {
        "packed_arcs": True,
        "tests": {
            t: {"/r/app/calc.py": [_packed(a, b, bits, sign) for a, b in pairs]}
            for t, pairs in arcs.items()
        },
    }
    found = coverage_data.with_test_lines(measured, record)
    assert found is not None
    assert found["/r/app/calc.py"].contexts == {
        1: frozenset(),
        2: frozenset({"t::a", "t::b"}),
        3: frozenset({"t::a"}),
        4: frozenset(),
    }


def test_a_record_no_packing_explains_is_not_read() -> None:
    """Lines that coverage never measured mean the record is packed in a way not known
    here: the merge declines, and the run keeps what coverage wrote."""
    measured = {"/r/a.py": Measured(frozenset({1, 2}), {})}
    record = {"packed_arcs": True, "tests": {"t::a": {"/r/a.py": [(7 << 33) | 9]}}}
    assert coverage_data.with_test_lines(measured, record) is None
    lines = {"packed_arcs": False, "tests": {"t::a": {"/r/a.py": [2, -1]}}}
    found = coverage_data.with_test_lines(measured, lines)
    assert found is not None and found["/r/a.py"].contexts == {1: frozenset(), 2: {"t::a"}}
