"""The HTML reports: one self-contained page per run, escaped, and rendered by a real
headless Chromium (Debian's) with no console error, showing the marked lines."""

from __future__ import annotations

import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from qualitygate.main import main
from qualitygate.reporters.check import html
from tests import tools
from tests.ci_results import hostile, result

PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "footer", "h1", "h2", "h3", "p", "ul",
    "li", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "span", "strong",
    "pre", "br",
}  # fmt: skip


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def tags_of(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    return parser


def test_a_hostile_change_cannot_add_markup_to_the_page() -> None:
    out = io.StringIO()
    html.render(hostile(), out)
    found = tags_of(out.getvalue())
    assert found.tags <= PAGE_TAGS, found.tags - PAGE_TAGS
    assert found.links == []  # nothing is fetched: one self-contained file
    assert "&lt;x&gt;" in out.getvalue() and "\\n::error" in out.getvalue()


def test_check_writes_one_page_in_the_folder_and_reads_the_changed_source(
    failing_change: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out" / "gate"
    code = main(
        ["check", "-C", str(failing_change), "--base", "HEAD", "--no-mutation",
         "--report", f"html:{folder}"]
    )  # fmt: skip
    assert code == 1
    assert "qualitygate FAILED" in capsys.readouterr().out  # the terminal summary stays
    assert [p.name for p in folder.iterdir()] == ["index.html"]
    page = (folder / "index.html").read_text()
    assert 'id="app/db/store.py-L3"' in page and "print(&quot;over&quot;)" in page


def test_html_needs_a_folder(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["check", "-C", str(layered), "--report", "html"])
    assert stop.value.code == 2
    assert "html writes a folder: give it, as html:DIR" in capsys.readouterr().err


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = tools.chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield launched
        launched.close()


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """The page, loaded; and every console error, page error and request beyond the file."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: problems.append(f"fetched {r.url}") if r.url != path.as_uri() else None,
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def test_the_check_page_renders_in_chromium(
    browser: Any, failing_change: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "-C", str(failing_change), "--base", "HEAD", "--no-mutation", "-q",
          "--report", f"html:{tmp_path / 'real'}"])  # fmt: skip
    page, problems = open_page(browser, tmp_path / "real" / "index.html")
    assert page.title().startswith("qualitygate FAILED")
    marked = page.locator("tr.uncovered")
    assert marked.count() == 3  # cache.py 1-2, store.py 3
    assert page.locator("tr.uncovered", has_text='print("over")').is_visible()
    assert page.locator("tr.uncovered td.mark").first.inner_text() == "!"
    row = page.locator("table").first.locator("tr", has_text="infrastructure")
    assert "FAIL" in row.inner_text() and "42.9%" in row.inner_text()
    assert page.screenshot(full_page=True)[:4] == b"\x89PNG"
    assert problems == []

    # Mutants inline, under their line: a result with survivors, and its source at hand.
    source = tmp_path / "src"
    (source / "app" / "db").mkdir(parents=True)
    (source / "app" / "db" / "store.py").write_text(
        "".join(f"line_{n} = {n}\n" for n in range(1, 12))
    )
    with (tmp_path / "synthetic.html").open("w") as out:
        html.render(result(), out, root=source)
    page, problems = open_page(browser, tmp_path / "synthetic.html")
    mutants = page.locator("tr.mutant")
    assert mutants.count() == 2  # the survivor and the one no test runs; not the killed one
    assert "mutant survived" in mutants.first.inner_text()
    assert ">= limit" in mutants.first.locator(".ins").inner_text()
    assert page.locator("details.file").count() == 3  # every changed file, gaps open
    assert problems == []
    capsys.readouterr()


def test_the_report_page_shows_every_module_in_chromium(
    browser: Any, layered: Path, tmp_path: Path
) -> None:
    main(["report", "-C", str(layered), "-q", "--report", f"html:{tmp_path / 'rep'}"])
    page, problems = open_page(browser, tmp_path / "rep" / "index.html")
    for module in ("app/db/store.py", "app/services/calc.py"):
        assert page.locator("td", has_text=module).count() == 1
    assert page.locator("td", has_text="tested").count() >= 2
    assert problems == []
