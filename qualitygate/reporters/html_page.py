"""What both HTML reports share: one self-contained page (inline CSS, no script, nothing
fetched from the network), and escaping for every name and line of code it shows."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from qualitygate import __version__
from qualitygate.reporters.wording import visible

CSS = """
:root { --fail: #b42318; --fail-bg: #fef3f2; --pass: #067647; --pass-bg: #ecfdf3;
        --warn-bg: #fffaeb; --line: #eaecf0; --muted: #667085; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #101828;
       margin: 0 auto; padding: 1.5rem; max-width: 72rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h1.fail { color: var(--fail); } h1.pass { color: var(--pass); }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1rem; margin: 0; display: inline; }
p.about, .muted { color: var(--muted); margin: .25rem 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .3rem .75rem; border-bottom: 1px solid var(--line); text-align: left; }
th { font-weight: 600; background: #f9fafb; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.fail { color: var(--fail); font-weight: 600; } .pass { color: var(--pass); }
.warn { color: #b54708; }
ul.rules li { color: var(--fail); }
details.file { border: 1px solid var(--line); border-radius: 6px; margin: .75rem 0; }
details.file > summary { padding: .5rem .75rem; cursor: pointer; background: #f9fafb; }
details.file[open] > summary { border-bottom: 1px solid var(--line); }
details.file > p { margin: .4rem .75rem; }
.tag { font-size: .8rem; padding: .05rem .45rem; border-radius: 999px; background: #f2f4f7;
       margin-left: .4rem; }
.tag.fail { background: var(--fail-bg); }
table.source { width: 100%; margin: 0; font: 13px/1.5 ui-monospace, "SFMono-Regular",
               Menlo, Consolas, monospace; }
table.source td { border: 0; padding: 0 .6rem; white-space: pre; vertical-align: top; }
table.source td.no { color: var(--muted); text-align: right; width: 1%;
                     user-select: none; }
table.source td.mark { width: 1%; padding: 0 .2rem; font-weight: 700; color: var(--fail); }
tr.changed td.code { background: #f0f9ff; }
tr.uncovered td { background: var(--fail-bg); }
tr.skip td { color: var(--muted); text-align: center; }
tr.mutant td { padding: .4rem .6rem .6rem 3.5rem; background: var(--warn-bg);
               white-space: normal; font-family: system-ui, sans-serif; }
tr.mutant pre { margin: .3rem 0; white-space: pre-wrap; }
.del { color: var(--fail); } .ins { color: var(--pass); }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
"""


def esc(text: object) -> str:
    """Text safe anywhere in the page: no markup, and control characters shown as escapes."""
    return html.escape(visible(str(text)), quote=True)


def table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    """An HTML table; `rows` hold cells already escaped (they may carry markup)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body>\n{body}\n<footer>qualitygate {esc(__version__)}</footer>\n</body></html>\n"
    )
