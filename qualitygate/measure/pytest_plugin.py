"""The pytest plugin qualitygate loads into the project's own test run (`-p`).

It runs in the project's interpreter, so it imports nothing of qualitygate.
Its folder is named by the `QUALITYGATE_WORK` variable; it writes there:

- `facts.json` when `QUALITYGATE_FACTS_ONLY` is set: what pytest itself
  resolved (rootdir, config file, testpaths, python_files, which plugins are
  active), then it ends the run before collection;
- otherwise it switches coverage's dynamic context to each test as its
  setup starts, and back to the empty context when the session ends (lines
  run at import time stay under the empty context), and writes
  `session.json` when pytest's session really ends: its exit status, how
  many tests were collected and run, the test files they came from, and
  each test's call time (what mutmut's statistics would have measured). A
  run that ends without that record (a test called `os._exit`) did not
  finish, whatever its exit code says. A forked child that returned into
  pytest writes `forked.PID.json` instead: its run mixed into the data.

With `QUALITYGATE_PER_TEST` (a JSON list of files), only those files are measured
per test: the lines every other file runs during the tests go under one context,
ANY_TEST, switched to once as the first test starts. Each watched file's lines are
taken out of coverage's collector as each test ends and written back under their
tests' contexts when the session ends: during the run, one switch for the suite rather
than one per test (a quarter of a second of a real library's 948 tests).

With `QUALITYGATE_MAP` set as well, every other file's lines are taken out per test too,
for the stored test map: put back under ANY_TEST when the session ends, and written to
`map.json` as {"packed_arcs": whether the C tracer packed each arc in one int, "tests":
{test id: {coverage's file name: what the tracer recorded, flattened}}}. Writing them under
every test's context instead cost coverage a flush per test: half a second of that
library's run, for data only the map reads.

Test ids are written relative to the folder pytest was started in, so they
match the file paths qualitygate reports even when pytest's rootdir is
another folder.
"""

from __future__ import annotations

import array
import contextlib
import itertools
import json
import operator
import os
import time
from pathlib import Path
from typing import Any

import pytest

_state: dict[str, Any] = {
    "pid": os.getpid(),
    "collected": 0,
    "ran": 0,
    "prefix": "",
    "files": set(),
    "durations": {},
    "progress_at": 0.0,
    "current": None,  # the test whose lines the watched files hold, with QUALITYGATE_PER_TEST
    "per_test": {},  # test id -> {coverage's file name -> what the tracer recorded}
    "watched": None,  # the watched files' real paths; None: every file per test
    "keys": (0, ()),  # (how many files coverage had, the watched ones among them)
    "own_switch": False,  # the collector did not look as expected: a switch per test
    "map": None,  # with QUALITYGATE_MAP: test id -> {file name -> recorded}, the others
    "map_all": {},  # file name -> what the map took of it, for coverage's own data
}

ANY_TEST = "<any test>|run"  # qualitygate.measure.coverage_data.ANY_TEST


def _work() -> Path:
    return Path(os.environ["QUALITYGATE_WORK"])


def _write(name: str, data: dict[str, Any]) -> None:
    target = _work() / name
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(target)


def _has(config: pytest.Config, *names: str) -> bool:
    return any(config.pluginmanager.hasplugin(n) for n in names)


def _environment() -> str:
    """The interpreter and every installed distribution with its version, hashed: what a
    stored test map was measured with."""
    import hashlib
    import importlib.metadata
    import sys

    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    text = "\n".join([sys.version, sys.executable, *dists])
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _facts(config: pytest.Config) -> dict[str, Any]:
    import importlib.util

    return {
        "environment": _environment(),
        "rootdir": str(config.rootpath),
        "inifile": str(config.inipath) if config.inipath else None,
        "testpaths": list(config.getini("testpaths")),
        "python_files": list(config.getini("python_files")),
        "args": list(config.args),
        "xdist": _has(config, "xdist", "xdist.plugin"),
        "numprocesses": getattr(config.option, "numprocesses", None),
        "pytest_cov": _has(config, "pytest_cov", "_cov"),
        "coverage": importlib.util.find_spec("coverage") is not None,
        "core": _core(),
    }


def _core() -> str:
    """The tracer the measured run asks coverage for (COVERAGE_CORE): the project's own
    choice of coverage's C or Python tracer, else the C one where it was built, else the
    Python one. Never sys.monitoring (Python 3.14's default): it reports a line once a
    run, so every test after the first that reached it would go unseen."""
    import importlib.util

    try:
        import coverage

        chosen = coverage.Coverage().get_option("run:core")  # its config files and env
        built = importlib.util.find_spec("coverage.tracer") is not None
    except Exception:  # no coverage (the run stops on that first), or its config is bad
        return "pytrace"
    if chosen == "pytrace" or not built:
        return "pytrace"
    return "ctrace"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if os.environ.get("QUALITYGATE_FACTS_ONLY"):
        _write("facts.json", _facts(config))
        return 0
    return None


def pytest_configure(config: pytest.Config) -> None:
    _state["pid"] = os.getpid()
    os.register_at_fork(after_in_child=_forget_in_child)
    rel = os.path.relpath(config.rootpath, os.getcwd())
    _state["prefix"] = "" if rel == "." else rel.replace(os.sep, "/") + "/"
    watch = os.environ.get("QUALITYGATE_PER_TEST")
    if watch:
        files = json.loads(Path(watch).read_text(encoding="utf-8"))
        _state["watched"] = frozenset(os.path.realpath(f) for f in files)
        if os.environ.get("QUALITYGATE_MAP"):
            _state["map"] = {}


def _switch(name: str) -> None:
    """Switch coverage's dynamic context, flushing only the files that ran since the
    last switch.

    coverage's flush walks every file it has ever measured (copying, unpacking and
    clearing each one's set), so after a collection that imported 5,000 modules every
    switch costs milliseconds, seconds over a suite. The collector is shown the files
    with data only: the same set objects the tracers write to, so nothing recorded is
    lost or moved, and an empty set has nothing to flush. Where the collector does not
    look as expected, the switch is coverage's own."""
    import coverage

    cov = coverage.Coverage.current()
    if cov is None:
        return
    collector: Any = getattr(cov, "_collector", None)
    measured = getattr(collector, "data", None)
    if type(measured) is not dict:
        cov.switch_context(name)
        return
    # filter() in C: a comprehension here is run line by line under coverage's own
    # tracer, five times slower, and this runs once per test
    collector.data = dict(filter(operator.itemgetter(1), measured.items()))
    try:
        cov.switch_context(name)
    finally:
        collector.data = measured
    _keep_open(collector)


def _keep_open(collector: Any) -> None:
    """Keep the data file's connection open from one switch to the next.

    coverage connects to its SQLite file for every flush and sets its pragmas again:
    about half of a switch's cost. Held open, each switch's data is committed as the
    switch ends, as coverage's own flush would. The connection goes back to coverage
    when the session ends, and a forked child lets go of its parent's. Where the data
    does not look as expected, or coverage started over with new connections, nothing
    stays held."""
    try:
        db = collector.covdata._connect()  # coverage's connection for this thread
        if type(db).__name__ != "SqliteDb" or not isinstance(db.nest, int):
            db = None
    except Exception:  # coverage's internals moved: its own switch, unchanged
        db = None
    if db is None:
        _let_go()
        return
    if db.con is None or db is not _state.get("held"):  # first switch, or coverage let go
        _let_go()
        db.__enter__()
        _state["held"] = db
    db.con.commit()


def _let_go() -> None:
    """The held connection goes back to coverage: committed and closed, as coverage
    leaves it after a flush (unless coverage already closed it)."""
    held = _state.pop("held", None)
    if held is None:
        return
    if held.con is None:
        held.nest = max(0, held.nest - 1)
    else:
        held.__exit__(None, None, None)


def _forget_in_child() -> None:
    held = _state.pop("held", None)
    if held is not None:
        held.nest -= 1
        if held.nest == 0:
            held.con = None  # the child connects on its own; no transaction is open


def _tracer() -> str:
    """The class name of coverage's tracer in this run ("" where it cannot say)."""
    import coverage

    collector: Any = getattr(coverage.Coverage.current(), "_collector", None)
    try:
        return str(collector.tracer_name())
    except Exception:  # no collector, or coverage's internals moved
        return ""


def _test_id(item: pytest.Item) -> str:
    return str(_state["prefix"]) + item.nodeid


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    # One switch per test, its setup, call and teardown in one context: each switch
    # costs coverage a flush of its data, and the phases are never told apart.
    if _state["watched"] is None or _state["own_switch"]:
        _switch(_test_id(item) + "|run")
    else:
        _take(_test_id(item))
    yield


def _collected() -> dict[str, Any] | None:
    """The collector's files and what the tracers recorded in each, where they look as
    expected (a dict of sets); None otherwise."""
    import coverage

    cov = coverage.Coverage.current()
    collector: Any = getattr(cov, "_collector", None)
    data = getattr(collector, "data", None)
    if type(data) is not dict or not all(type(v) is set for v in data.values()):
        return None
    return data


def _watched_keys(data: dict[str, Any]) -> tuple[str, ...]:
    """coverage's names of the watched files, worked out again only when it has more."""
    seen, keys = _state["keys"]
    if seen != len(data):
        watched = _state["watched"]
        keys = tuple(k for k in data if os.path.realpath(k) in watched)
        _state["keys"] = (len(data), keys)
    return keys  # type: ignore[no-any-return]


def _take(next_test: str | None) -> None:
    """The watched files' lines since the last test are the current test's: moved out
    of the collector (the same set objects the tracers write to are emptied in place).
    The first test switches to ANY_TEST: the lines run before it stay import-time."""
    import coverage

    if coverage.Coverage.current() is None:
        return
    data = _collected()
    if data is None:
        _state["own_switch"] = True  # coverage's internals moved: a switch per test
        if next_test is not None:
            _switch(next_test + "|run")
        return
    current = _state["current"]
    if current is None:
        if next_test is not None:
            _switch(ANY_TEST)
    else:
        keys = _watched_keys(data)
        _move(data, keys, _state["per_test"].setdefault(current, {}))
        if _state["map"] is not None:
            # filter() in C: only the files this test ran are looked at line by line
            ran = filter(operator.itemgetter(1), data.items())
            others = [key for key, _ in ran if key not in keys]
            _record(data, others, _state["map"].setdefault(current, {}))
    _state["current"] = next_test


def _taken(found: set[Any]) -> set[Any]:
    """What the tracer recorded in `found`, moved out of it. What a thread adds meanwhile
    stays for the next test, as in coverage's own flush: a copy is taken, and only the
    copy removed."""
    snapshot = found.copy()
    found.difference_update(snapshot)
    return snapshot


def _move(data: dict[str, Any], keys: Any, taken: dict[str, set[Any]]) -> None:
    """`keys`' recorded lines moved from the collector's sets into `taken`."""
    for key in keys:
        found = data.get(key)
        if found:
            taken.setdefault(key, set()).update(_taken(found))


def _record(data: dict[str, Any], keys: list[str], record: dict[str, array.array[int]]) -> None:
    """`keys`' recorded lines moved out of the collector's sets, for the map: kept for
    the test as an array of ints, as the tracer made them (lines, arcs' ends with entries
    and exits negative, or the C tracer's arcs packed in one int each), 8 bytes each
    where a set of a whole suite's would hold gigabytes; and once per file, in the
    tracer's own form, for `_put_back`."""
    every = _state["map_all"]
    for key in keys:
        found = data.get(key)
        if found:
            snapshot = _taken(found)
            every.setdefault(key, set()).update(snapshot)
            pairs = type(next(iter(snapshot))) is tuple
            flat = itertools.chain.from_iterable(snapshot) if pairs else snapshot
            record.setdefault(key, array.array("q")).extend(flat)


def _put_back(data: dict[str, Any], packed: bool) -> dict[str, Any]:
    """The map's lines back into the collector's own sets, where coverage flushes them
    under ANY_TEST; returned as each test's records per file, for the reader to decode
    (with `packed`, arcs packed by the C tracer), where no tracer slows it."""
    for key, found in _state["map_all"].items():
        data.setdefault(key, set()).update(found)
    ran = {
        test: {key: found.tolist() for key, found in files.items()}
        for test, files in (_state["map"] or {}).items()
    }
    _state["map"], _state["map_all"] = {}, {}
    return {"packed_arcs": packed, "tests": ran}


def _packs_arcs() -> bool:
    """The tracer packs each arc in one int (coverage's C tracer, its `packed_arcs`)."""
    import coverage

    collector: Any = getattr(coverage.Coverage.current(), "_collector", None)
    return bool(getattr(getattr(collector, "core", collector), "packed_arcs", False))


def _write_back() -> str:
    """Each test's watched lines into coverage's data under the test's own context, then
    the empty context; "" when every line was written, else what went wrong. Each part
    is flushed through coverage's collector, as its own switch flushes."""
    import coverage

    cov = coverage.Coverage.current()
    data = _collected()
    if cov is None or data is None:
        return "" if not _state["per_test"] else "coverage stopped before the session ended"
    collector: Any = cov._collector
    try:
        for test, files in _state["per_test"].items():
            _switch(test + "|run")  # flushes what the collector holds: the test before's
            collector.data = files
        _switch("")
        if any(found for files in _state["per_test"].values() for found in files.values()):
            return "coverage did not write every test's lines"  # each flush empties its sets
    finally:
        collector.data = data
    _state["per_test"] = {}
    return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With QUALITYGATE_SELECT (a JSON file of test ids and whole test files), only those
    tests run; the rest are deselected, as `-k` would."""
    chosen = os.environ.get("QUALITYGATE_SELECT")
    if not chosen:
        return
    wanted = json.loads(Path(chosen).read_text(encoding="utf-8"))
    ids, files = set(wanted["tests"]), set(wanted["files"])
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        test_id = _test_id(item)
        (keep if test_id in ids or test_id.split("::", 1)[0] in files else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    _state["collected"] = len(session.items)
    _progress(force=True)


PROGRESS_EVERY = 0.2  # seconds between two writes of the progress file


def _progress(force: bool = False) -> None:
    """`progress` in the work folder: "RAN COLLECTED", for qualitygate's progress display;
    written at most every PROGRESS_EVERY seconds, replaced whole so a reader never sees half."""
    now = time.monotonic()
    if not force and now - _state["progress_at"] < PROGRESS_EVERY:
        return
    _state["progress_at"] = now
    work = _work()
    partial = work / f"progress.{os.getpid()}"
    with contextlib.suppress(OSError):
        partial.write_text(f"{_state['ran']} {_state['collected']}")
        os.replace(partial, work / "progress")


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _state["ran"] += 1
    _state["files"].add(str(_state["prefix"]) + nodeid.split("::", 1)[0])
    if os.getpid() == _state["pid"]:
        _progress()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """The call phase's time of each test, as mutmut records it (setup and teardown not
    counted); under xdist the controller sees every worker's reports."""
    if report.when == "call":
        test_id = str(_state["prefix"]) + report.nodeid
        durations: dict[str, float] = _state["durations"]
        durations[test_id] = durations.get(test_id, 0.0) + float(report.duration)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.getpid() != _state["pid"]:  # a forked child that returned into pytest
        _write(f"forked.{os.getpid()}.json", {"pid": os.getpid()})  # its data is no measure
        return
    lost = ""
    if _state["watched"] is not None and not _state["own_switch"]:
        _take(None)
        data = _collected()
        if _state["map"] is not None:
            if data is None:
                lost = "coverage stopped before the session ended"
            else:
                _write("map.json", _put_back(data, _packs_arcs()))
        lost = lost or _write_back()
    else:
        _switch("")
        if _state["per_test"] or _state["map"]:  # taken before the collector changed
            lost = "coverage's collector changed during the run"
    _let_go()
    _write(
        "session.json",
        {
            "per_test_lost": lost,
            "tracer": _tracer(),
            "exitstatus": int(exitstatus),
            "collected": _state["collected"],
            "ran": _state["ran"],
            "failed": session.testsfailed,
            "test_files": sorted(_state["files"]),
            "durations": _state["durations"],
        },
    )
