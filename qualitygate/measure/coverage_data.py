"""Coverage facts per source file, from a coverage.py data file or Cobertura XML.

coverage.py is used here and in `testrun` only. Statements always come from
parsing the file as it is now, with the project's own coverage settings, so
a file the data never saw counts with all its statements missing (0%), never
as "no data, pass". Paths measured on another machine (a CI runner) are
matched to the repository's files by their longest common suffix.

coverage.py is imported where it is used, not with this module: a Cobertura report is
read by expat alone, and importing coverage took 0.1 s of the gate's start, before the
report's readers are forked (`reading`).
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import compress, repeat
from pathlib import Path, PurePosixPath
from typing import Any
from xml.parsers import expat

from qualitygate.errors import ToolError, UsageError
from qualitygate.model import FileCoverage

COVERAGE_CONFIGS = (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml")


@dataclass(frozen=True)
class Measured:
    """Executed lines (and the tests that ran them, when known) under a measured path."""

    lines: frozenset[int]
    contexts: Mapping[int, frozenset[str]] | None = None
    # The file's statements when the data lists them (Cobertura does); None: parse the file.
    statements: frozenset[int] | None = None


def _config_file(root: Path) -> str | bool:
    for name in COVERAGE_CONFIGS:
        path = root / name
        if path.is_file() and "coverage" in path.read_text(errors="replace"):
            return str(path)
    return False


PARALLEL_FROM = 400  # files; below this a second process costs more than it saves


def _statements_of(job: tuple[str, str | None]) -> tuple[frozenset[int] | None, str]:
    """One file's statements, or why it is not Python. Runs in a pool worker too, so it
    returns the error as text rather than raising an exception that must be pickled."""
    from coverage.exceptions import CoverageException
    from coverage.parser import PythonParser
    from coverage.python import get_python_source

    path, exclude = job
    try:
        parser = PythonParser(text=get_python_source(path), filename=path, exclude=exclude)
        parser.parse_source()
        return frozenset(parser.statements), ""
    except (CoverageException, SyntaxError, UnicodeDecodeError, OSError) as exc:
        return None, str(exc).splitlines()[0] if str(exc) else repr(exc)


Also = Callable[[str, str], Any]  # (a file's path in the repository, its text) -> anything


def _parse(
    job: tuple[str, str, str | None], also: Also | None
) -> tuple[frozenset[int] | None, str, Any]:
    """One file's statements (or why it is not Python) and what `also` makes of its text."""
    path, rel, exclude = job
    statements, error = _statements_of((path, exclude))
    if also is None or statements is None:
        return statements, error, None
    return statements, error, also(rel, Path(path).read_text(encoding="utf-8", errors="replace"))


def _parse_all(
    jobs: Sequence[tuple[str, str, str | None]], also: Also | None
) -> list[tuple[frozenset[int] | None, str, Any]]:
    return [_parse(job, also) for job in jobs]


class Parsing:
    """Files being parsed, in worker processes or at once; calling it waits for each
    file's statements, and `also()` for what the caller's function made of each file."""

    def __init__(self, rels: Sequence[str], answer: Callable[[], list[Any]]) -> None:
        self._rels, self._answer = list(rels), answer
        self._found: list[tuple[frozenset[int] | None, str, Any]] | None = None

    def _wait(self) -> list[tuple[frozenset[int] | None, str, Any]]:
        if self._found is None:
            self._found = self._answer()
        return self._found

    def __call__(self) -> dict[str, frozenset[int]]:
        """Each file's statements; a file that is not valid Python stops the gate rather
        than counting as a file with nothing to cover."""
        result = {}
        for rel, (statements, error, _) in zip(self._rels, self._wait(), strict=True):
            if statements is None:
                raise UsageError(
                    f"{rel}: not valid Python ({error})",
                    "fix the file, or keep its folder out of source in [tool.qualitygate]",
                )
            result[rel] = statements
        return result

    def also(self) -> dict[str, Any]:
        """What `also` made of each file; a file that is not valid Python stops the gate,
        as the statements do."""
        self()
        return {rel: extra for rel, (_, _, extra) in zip(self._rels, self._wait(), strict=True)}


class StatementParser:
    """Executable lines of files, as coverage.py sees them with the project's settings.

    coverage's own parser (`PythonParser`, with the project's exclusion patterns) is
    called directly rather than through `Coverage.analysis2`, whose per-file set-up
    (data, file reporter, path canonicalisation) costs a third of the time and adds
    nothing for a file's statements; many files are parsed in two processes."""

    def __init__(self, root: Path) -> None:
        self._root = root

    @functools.cached_property
    def _exclude(self) -> str | None:
        """The project's exclusion patterns, read when first needed: importing coverage
        and reading its config is 30 ms, spent in the parsing thread where it can be."""
        import coverage
        from coverage.misc import join_regex

        cov = coverage.Coverage(data_file=None, config_file=_config_file(self._root))
        return join_regex(cov.config.exclude_list) or None

    def _jobs(self, rels: Sequence[str]) -> list[tuple[str, str, str | None]]:
        return [(str(self._root / rel), rel, self._exclude) for rel in rels]

    def statements(self, rels: Sequence[str], parallel: bool = True) -> dict[str, frozenset[int]]:
        """Each file's statements; a file that is not valid Python stops the gate rather
        than counting as a file with nothing to cover. Not `parallel`: in this process
        (from a thread, where a fork would copy the other threads' held locks)."""
        if not parallel:
            return Parsing(rels, lambda: _parse_all(self._jobs(rels), None))()
        return self.in_background(rels, workers=2)()

    def in_background(
        self, rels: Sequence[str], workers: int = 1, also: Also | None = None
    ) -> Parsing:
        """Start parsing `rels` in `workers` processes and return what waits for the
        answer: the parse then overlaps the test run, which keeps one core busy. Fewer
        than PARALLEL_FROM files are parsed in a thread of this process (0.24 s for the
        23 files of a real library, which the gate used to wait for after the run).
        `also` (a module-level function, so a worker can be sent it) is called on each
        valid file's text in the same worker, where a second look at every file costs
        the gate nothing."""
        rels = list(rels)
        if len(rels) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
            thread = ThreadPoolExecutor(1, thread_name_prefix="qualitygate-parse")
            parsed = thread.submit(lambda: _parse_all(self._jobs(rels), also))
            thread.shutdown(wait=False)
            return Parsing(rels, parsed.result)
        jobs = self._jobs(rels)
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_leave_signals)
        chunks = [jobs[i : i + 64] for i in range(0, len(jobs), 64)]
        futures = [pool.submit(_parse_all, chunk, also) for chunk in chunks]

        def wait() -> list[Any]:
            try:
                return [answer for f in futures for answer in f.result()]
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

        weakref.finalize(wait, pool.shutdown, wait=False, cancel_futures=True)  # never asked
        return Parsing(rels, wait)


def _leave_signals() -> None:
    """A parsing worker leaves Ctrl-C and SIGTERM to the gate, which stops it cleanly: the
    worker lives through the test run, and must not print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _test_name(context: str) -> str:
    return context.rsplit("|", 1)[0]


# The context of the lines a run measured only as run by the tests, not per test (the
# files outside the plugin's QUALITYGATE_PER_TEST); its name is no test's id.
ANY_TEST = "<any test>|run"
ANY_TEST_NAME = _test_name(ANY_TEST)


# How coverage's C tracer has packed an arc in one int: (bits per line number, the bit
# of the first number's sign). coverage's own flush unpacks them; the plugin hands them
# over as they are, since unpacking them there, under the tracer, costs a run seconds.
PACKINGS = ((28, 56), (20, 40))


def _unpacked(values: Sequence[int], bits: int, sign: int) -> set[int]:
    mask = (1 << bits) - 1
    firsts = {v & mask for v in values if not v & (1 << sign)}
    return firsts | {(v >> bits) & mask for v in values if not v & (1 << (sign + 1))}


def with_test_lines(
    measured: Mapping[str, Measured], record: Mapping[str, Any]
) -> dict[str, Measured] | None:
    """`measured` with each file of the plugin's map.json `record` given the tests of
    each of its lines, as a context per test would have recorded them (a line run only
    at import has none). The record holds, per test and file, lines or arcs' ends or,
    with `packed_arcs`, packed arcs: decoded by the packing whose lines are all lines
    coverage measured. None when no packing fits (a coverage.py that packs otherwise)."""
    tests: Mapping[str, Mapping[str, Sequence[int]]] = record["tests"]
    packings = PACKINGS if record.get("packed_arcs") else ((0, 0),)
    for bits, sign in packings:
        by_file: dict[str, dict[int, set[str]]] = {}
        for test, files in tests.items():
            for name, values in files.items():
                ran = _unpacked(values, bits, sign) if bits else {v for v in values if v > 0}
                ran.discard(0)
                per_line = by_file.setdefault(name, {})
                for line in ran:
                    per_line.setdefault(line, set()).add(test)
        if all(name in measured and per_line.keys() <= measured[name].lines
               for name, per_line in by_file.items()):  # fmt: skip
            break
    else:
        return None
    result = dict(measured)
    none: frozenset[str] = frozenset()
    for name, per_line in by_file.items():
        found = measured[name]
        contexts = {n: frozenset(per_line[n]) if n in per_line else none for n in found.lines}
        result[name] = Measured(found.lines, contexts, found.statements)
    return result


def combine_parallel(path: Path) -> Path | None:
    """`path` holding all the run's data: as written, or combined from the `.coverage.*`
    files that `[run] parallel = true` writes instead (through coverage's API); None when
    there is no data at all. One part (a run without subprocesses) is read as it is:
    combining it only copies it, 50 ms of a real library's check."""
    if path.is_file():
        return path
    parts = sorted(path.parent.glob(path.name + ".*"))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    import coverage
    from coverage.exceptions import CoverageException

    combined = coverage.Coverage(data_file=str(path), config_file=False)
    try:
        combined.combine(data_paths=[str(p) for p in parts], strict=True)
        combined.save()
    except (CoverageException, sqlite3.Error) as exc:
        raise ToolError(f"cannot combine the parallel coverage data ({exc})") from exc
    return path


def _read_in_one_pass(path: Path) -> dict[str, Measured] | None:
    """Every file's lines and contexts in one query over coverage.py's schema 7, where the
    API asks two queries per file (seconds at thousands of files). None for any other
    schema: the API then reads it.

    With arcs, SQLite itself turns them into lines and gathers each line's contexts (one
    row per file and line, not one per arc and test), and each context's test name is
    worked out once, not once per line it ran."""
    from coverage.numbits import numbits_to_nums

    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        tables = {row[0] for row in con.execute("select name from sqlite_master")}
        if not {"coverage_schema", "meta", "file", "context", "arc", "line_bits"} <= tables:
            return None
        if con.execute("select version from coverage_schema").fetchone() != (7,):
            return None
        meta = dict(con.execute("select key, value from meta"))
        files = dict(con.execute("select id, path from file"))
        names = dict(con.execute("select id, context from context"))
        tests = {cid: _test_name(name) for cid, name in names.items() if name}
        rows: Iterable[tuple[int, int, str]]
        if meta.get("has_arcs") in ("1", 1, "true"):
            rows = con.execute(ARC_LINES)
        else:
            rows = _line_bits_rows(con, numbits_to_nums)
        lines: dict[int, set[int]] = {fid: set() for fid in files}
        by_line: dict[int, dict[int, frozenset[str]]] = {fid: {} for fid in files}
        seen: dict[str, frozenset[str]] = {}  # lines run by the same contexts share one set
        for fid, line, cids in rows:
            lines[fid].add(line)
            found = seen.get(cids)
            if found is None:
                found = seen[cids] = frozenset(
                    tests[cid] for cid in map(int, cids.split(",")) if cid in tests
                )
            by_line[fid][line] = found
    has_contexts = bool(tests)
    return {
        files[fid]: Measured(frozenset(lines[fid]), by_line[fid] if has_contexts else None)
        for fid in files
    }


# Each file's executed lines, from its arcs' ends (a negative end is an entry or an
# exit, not a line), with the ids of the contexts that ran each (a missing id, which
# coverage never writes, reads as 0: no test, as the API reads it).
ARC_LINES = (
    "select file_id, line, group_concat(ifnull(context_id, 0)) from ("
    "select file_id, fromno as line, context_id from arc where fromno > 0 union "
    "select file_id, tono, context_id from arc where tono > 0"
    ") group by file_id, line"
)


def _line_bits_rows(
    con: sqlite3.Connection, numbits_to_nums: Callable[[bytes], list[int]]
) -> list[tuple[int, int, str]]:
    """Line data's rows in ARC_LINES's shape: numbits are decoded here, not in SQL."""
    gathered: dict[tuple[int, int], list[str]] = {}
    for fid, cid, bits in con.execute("select file_id, context_id, numbits from line_bits"):
        for line in numbits_to_nums(bits):
            gathered.setdefault((fid, line), []).append(str(cid))
    return [(fid, line, ",".join(cids)) for (fid, line), cids in gathered.items()]


def read_sqlite(path: Path) -> dict[str, Measured]:
    import coverage
    from coverage.exceptions import CoverageException

    data = coverage.CoverageData(basename=str(path))
    try:
        fast = _read_in_one_pass(path)
        if fast is not None:
            return fast
        data.read()
        has_contexts = bool(set(data.measured_contexts()) - {""})
        result = {}
        for measured in data.measured_files():
            contexts = None
            if has_contexts:
                by_line = data.contexts_by_lineno(measured)
                contexts = {
                    line: frozenset(_test_name(c) for c in ctx if c)
                    for line, ctx in by_line.items()
                }
            result[measured] = Measured(frozenset(data.lines(measured) or ()), contexts)
        return result
    except (CoverageException, sqlite3.Error) as exc:
        raise UsageError(
            f"{path}: not a readable coverage.py data file ({exc})",
            "pass a .coverage file or a Cobertura XML report (coverage xml)",
        ) from exc


# The elements that start outside a <class>: one ends the class before it (the report
# is read without end-of-element callbacks: one per <line> cost as much as the start).
# Any other (<methods>, <lines>, a <line>'s <conditions>) is inside the class.
_OUTSIDE_CLASS = frozenset(("coverage", "sources", "source", "packages", "package", "classes"))


class _Cobertura:
    """A Cobertura report read as it streams past (expat, no tree: a report of 600k lines
    would hold 600k elements): each class's lines, executed or not, by its filename.

    One callback a start of element, attributes as a list (no dict for each <line>),
    and the line numbers and hit counts kept as text until the class is read whole.
    Inside a <class>, the callback is a closure over that class's lists (`_in_class`),
    so a <line> costs no attribute lookup: 600k lines took 0.9 s with a handler for both
    ends of each element and its checks in it, 0.45 s with one method, 0.35 s so."""

    def __init__(self, path: Path, parser: expat.XMLParserType) -> None:
        self.path, self.parser = path, parser
        self.root = ""
        self.sources: list[str] = []
        self.text: list[str] | None = None  # inside <source>
        self.numbers: dict[str, list[str]] = {}
        self.hits: dict[str, list[str]] = {}
        parser.buffer_text = True
        parser.ordered_attributes = True
        parser.StartElementHandler = self.start

    def start(self, tag: str, attrs: list[str]) -> None:
        """Outside a <class>: a <line> here is no class's."""
        if tag == "line":
            return
        if not self.root:
            self.root = tag
            if tag != "coverage":
                raise UsageError(
                    f"{self.path}: not a Cobertura report (root <{tag}>)", "use coverage xml"
                )
        if tag == "class":
            named = dict(zip(attrs[::2], attrs[1::2], strict=False))
            file = named.get("filename", "")
            numbers = self.numbers.setdefault(file, [])
            hits = self.hits.setdefault(file, [])
            self.parser.StartElementHandler = self._in_class(numbers.append, hits.append)
        elif tag == "sources":
            self.parser.EndElementHandler = self.end  # only here: <source> holds text
        elif tag == "source":
            self.text = []
            self.parser.CharacterDataHandler = self.chars

    def _in_class(
        self, number: Callable[[str], None], hit: Callable[[str], None]
    ) -> Callable[[str, list[str]], None]:
        """The callback inside one <class>, until an element that starts outside one."""
        parser, outside = self.parser, self.start

        def start(tag: str, attrs: list[str]) -> None:
            if tag == "line":  # first: nearly every element is one
                if len(attrs) > 3 and attrs[0] == "number" and attrs[2] == "hits":
                    number(attrs[1])  # as coverage xml writes it
                    hit(attrs[3])
                else:
                    named = dict(zip(attrs[::2], attrs[1::2], strict=False))
                    number(named.get("number", ""))
                    hit(named.get("hits", "0"))
            elif tag == "class" or tag in _OUTSIDE_CLASS:
                parser.StartElementHandler = outside
                outside(tag, attrs)

        return start

    def end(self, tag: str) -> None:
        if tag == "source" and self.text is not None:
            found = "".join(self.text).strip()
            if found:
                self.sources.append(found)
            self.text = None
            self.parser.CharacterDataHandler = None
        elif tag == "sources":
            self.parser.EndElementHandler = None

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def lines(self, filename: str) -> tuple[frozenset[int], frozenset[int]]:
        """A class's (executed, listed) lines; its lists are freed as they are read."""
        numbers, hits = self.numbers.pop(filename), self.hits.pop(filename)
        if not (all(map(str.isdigit, numbers)) and all(map(str.isdigit, hits))):
            number, count = next(
                (n, h) for n, h in zip(numbers, hits, strict=True)
                if not (n.isdigit() and h.isdigit())
            )  # fmt: skip
            raise UsageError(
                f"{self.path}: {filename}: <line number={number!r} hits={count!r}> is not "
                "a line number and a hit count",
                "pass a Cobertura XML report as coverage xml writes it",
            )
        listed = list(map(int, numbers))
        hit = frozenset(compress(listed, map(str.strip, hits, repeat("0"))))  # "0", "00": none
        return hit, frozenset(listed)


Lines = tuple[frozenset[int], frozenset[int]]  # a file's (executed, listed) lines


def read_cobertura(path: Path) -> dict[str, Measured]:
    """Executed lines by file, and the file's statements as the report lists them (every
    <line>, hit or not): coverage xml writes each statement, exclusions applied, so the
    files it covers need no parsing (diff-cover trusts the same lists)."""
    parser = expat.ParserCreate()
    report = _Cobertura(path, parser)
    try:
        with path.open("rb") as stream:
            parser.ParseFile(stream)
    except expat.ExpatError as exc:
        raise _not_xml(path, exc) from exc
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot read it ({exc.strerror})", "check --coverage-file"
        ) from exc
    if not report.root:
        raise UsageError(f"{path}: not valid XML (no element)", "pass a Cobertura XML report")
    return cobertura_files(report.sources, _class_lines(report))


# The open elements where a <class> of coverage.py's report starts: the second half of a
# report read in two is read after them.
INSIDE_CLASSES = b"<coverage><packages><package><classes>"
CLOSING_CLASSES = b"</classes></package></packages></coverage>"


def read_cobertura_first(
    path: Path, data: bytes, cut: int
) -> tuple[list[str], dict[str, Lines], bool]:
    """The first part of a report read in two (see `reading`): its sources and the lines
    of its classes before byte `cut`, read as read_cobertura reads them, or its error.
    True when the part, closed by the end tags of the elements that hold a <class>
    (`CLOSING_CLASSES`), is a whole document: then those are the elements open at the
    cut, and the cut is markup, the start of a <class> (a cut inside a comment or a
    CDATA section leaves it open). False: the report is read whole, with its errors.
    Closing the part, rather than parsing the rest without callbacks, saves that parse
    (0.08 s at 600k lines); the second part's own parse checks the rest."""
    parser = expat.ParserCreate()
    report = _Cobertura(path, parser)
    try:
        parser.Parse(memoryview(data)[:cut], False)
    except expat.ExpatError as exc:
        raise _not_xml(path, exc) from exc
    if not report.root:
        raise UsageError(f"{path}: not valid XML (no element)", "pass a Cobertura XML report")
    parser.StartElementHandler = parser.EndElementHandler = None
    parser.CharacterDataHandler = None
    try:
        parser.Parse(CLOSING_CLASSES, True)
    except expat.ExpatError:
        return report.sources, _class_lines(report), False
    return report.sources, _class_lines(report), True


def read_cobertura_second(
    path: Path, data: bytes, cut: int
) -> tuple[list[str], dict[str, Lines]] | None:
    """The second part: from byte `cut` on, after the report's XML declaration and the
    elements that hold a <class>. None when that is not a whole document (the cut is not
    where coverage.py's classes are, or the part needs the report's DTD). When it is, and
    so is the first part closed by the same elements, the report is well-formed: this
    part closes exactly the elements open at the cut, and no more."""
    parser = expat.ParserCreate()
    report = _Cobertura(path, parser)
    declaration = data[: data.index(b"?>") + 2] if data.startswith(b"<?xml") else b""
    try:
        parser.Parse(declaration + INSIDE_CLASSES, False)
        parser.Parse(memoryview(data)[cut:], True)
    except expat.ExpatError:
        return None
    return report.sources, _class_lines(report)


def merged_halves(
    first: tuple[list[str], dict[str, Lines]], second: tuple[list[str], dict[str, Lines]]
) -> dict[str, Measured]:
    """The report read in two, as read_cobertura reads it whole."""
    lines = dict(first[1])
    for filename, (hit, listed) in second[1].items():
        earlier = lines.get(filename)
        lines[filename] = (
            (hit, listed) if earlier is None else (earlier[0] | hit, earlier[1] | listed)
        )
    return cobertura_files(first[0] + second[0], lines)


def _not_xml(path: Path, exc: expat.ExpatError) -> UsageError:
    return UsageError(f"{path}: not valid XML ({exc})", "pass a Cobertura XML report")


def _class_lines(report: _Cobertura) -> dict[str, Lines]:
    return {filename: report.lines(filename) for filename in list(report.numbers)}


def cobertura_files(sources: list[str], lines: Mapping[str, Lines]) -> dict[str, Measured]:
    """Each class's lines under each <source> of the report."""
    roots = [PurePosixPath(source.replace("\\", "/")) for source in sources or [""]]
    found: dict[str, Measured] = {}
    for filename, (hit, listed) in lines.items():
        for root in roots:
            name = str(root / filename)
            earlier = found.get(name)  # two sources naming one file: their union
            if earlier is None:
                found[name] = Measured(hit, statements=listed)
            else:
                both = listed | (earlier.statements or frozenset())
                found[name] = Measured(hit | earlier.lines, statements=both)
    return found


def is_xml(head: bytes) -> bool:
    """A data file's first bytes are a Cobertura report's (else a .coverage file's)."""
    return head[:200].lstrip().startswith(b"<")


def data_file_head(path: Path) -> bytes:
    """A data file's first bytes, which say what kind it is (`is_xml`)."""
    try:
        with path.open("rb") as stream:
            return stream.read(200)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot read the coverage file ({exc.strerror})", "check --coverage-file"
        ) from exc


def read_data_file(path: Path) -> dict[str, Measured]:
    """Measured files from a .coverage data file or a Cobertura XML report."""
    head = data_file_head(path)
    if is_xml(head):
        return read_cobertura(path)
    if head.startswith(b"SQLite format 3"):
        return read_sqlite(path)
    raise UsageError(
        f"{path}: neither a coverage.py data file nor Cobertura XML",
        "pass .coverage or the output of coverage xml",
    )


def match_paths(measured: Iterable[str], root: Path, wanted: Iterable[str]) -> dict[str, str]:
    """repo-relative path -> measured path whose end is the whole repo path.

    Among several, the one with the fewest extra leading folders wins.
    """
    by_name: dict[str, list[str]] = {}
    for rel in wanted:
        by_name.setdefault(PurePosixPath(rel).name, []).append(rel)
    best: dict[str, tuple[int, str]] = {}
    prefix = root.as_posix().rstrip("/") + "/"
    for name in measured:
        posix = name.replace("\\", "/")
        posix = posix.removeprefix(prefix)
        parts = PurePosixPath(posix).parts
        for rel in by_name.get(PurePosixPath(posix).name, ()):
            rel_parts = PurePosixPath(rel).parts
            if parts[-len(rel_parts) :] == rel_parts:
                score = len(rel_parts) - len(parts)  # fewest extra folders wins
                if rel not in best or score > best[rel][0]:
                    best[rel] = (score, name)
    return {rel: name for rel, (_, name) in best.items()}


def file_coverage(
    root: Path,
    files: Iterable[str],
    measured: Mapping[str, Measured],
    parsed: Mapping[str, frozenset[int]] | None = None,
) -> dict[str, FileCoverage]:
    """Coverage of each repo-relative file; files the data never saw are 0% covered.
    `parsed`: the files' statements, when they were parsed already (during the run)."""
    files = list(files)
    matched = match_paths(measured, root, files)
    listed = {}
    for rel in files:
        found = measured.get(matched.get(rel, ""))
        if found is not None and found.statements is not None:
            listed[rel] = found.statements
    if parsed is None:
        unlisted = [rel for rel in files if rel not in listed]
        parsed = StatementParser(root).statements(unlisted) if unlisted else {}
    has_contexts = any(m.contexts is not None for m in measured.values())
    result = {}
    for rel in files:
        statements = listed[rel] if rel in listed else parsed[rel]
        found = measured.get(matched.get(rel, ""))
        if found is None:
            result[rel] = FileCoverage(rel, statements, frozenset(), False, {}, has_contexts)
            continue
        tests = {n: t for n, t in (found.contexts or {}).items() if n in statements}
        result[rel] = FileCoverage(
            rel, statements, found.lines & statements, True, tests, found.contexts is not None
        )
    return result
