"""The report as one self-contained HTML page: inline CSS and SVG charts, no script."""

from __future__ import annotations

from html import escape

from clientbase.reports.contents import build
from clientbase.reports.i18n import label
from clientbase.reports.sections import Chart, Facts, Note, Table, header

_CSS = """
:root{--ink:#1f2933;--muted:#66707a;--line:#dde3e8;--bg:#f6f8fa;--accent:#2f6fb3}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:980px;margin:0 auto;padding:16px}
header{border-bottom:3px solid var(--accent);padding-bottom:8px;margin-bottom:12px}
h1{font-size:1.55em;margin:.2em 0}
h2{font-size:1.25em;margin:1.6em 0 .5em;padding-top:.4em;border-top:1px solid var(--line)}
h3{font-size:1em;margin:1em 0 .4em;color:var(--muted)}
.meta{margin:0;color:var(--muted)}
.meta dt{display:inline;font-weight:600}
.meta dd{display:inline;margin:0 1em 0 .3em;white-space:nowrap}
nav{background:var(--bg);border-radius:6px;padding:8px 14px;margin:12px 0}
nav ol{margin:.3em 0;padding-left:1.4em;columns:2;column-gap:2em}
nav a{color:var(--accent);text-decoration:none}
.facts{display:flex;flex-wrap:wrap;gap:8px;margin:.6em 0}
.fact{background:var(--bg);border-radius:6px;padding:8px 12px;min-width:140px;flex:1 1 140px}
.fact .k{display:block;color:var(--muted);font-size:.85em}
.fact .v{display:block;font-size:1.2em;font-weight:600;overflow-wrap:anywhere}
.chart-box{overflow-x:auto;margin:.6em 0 .2em}
svg.chart{display:block;font-family:inherit}
.table-box{overflow-x:auto;margin:.3em 0 .8em}
table{border-collapse:collapse;font-size:.92em;min-width:50%}
caption{text-align:left;font-weight:600;color:var(--muted);padding:4px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
.note{color:var(--muted);font-size:.88em;margin:.4em 0}
footer{color:var(--muted);font-size:.8em;margin-top:2em;border-top:1px solid var(--line);padding-top:6px}
@media (max-width:600px){
 body{font-size:14px} main{padding:10px} nav ol{columns:1}
 th,td{padding:3px 6px} .fact{min-width:120px}
}
@media print{
 body{font-size:11pt} main{max-width:none;padding:0} nav{display:none}
 h2{break-before:auto;break-after:avoid} .chart-box,.table-box,table,svg{break-inside:avoid}
 .chart-box,.table-box{overflow:visible} svg.chart{min-width:0!important;max-width:100%!important}
 a{color:inherit;text-decoration:none}
}
"""


def render_html(data: dict, lang: str) -> str:
    """One self-contained page: inline CSS and SVG, no script, nothing fetched."""
    title, meta = header(data, lang)
    sections = build(data, lang)
    e = escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} — {e(meta[0][1])}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        '<dl class="meta">'
        + "".join(f"<dt>{e(k)}:</dt><dd>{e(v)}</dd>" for k, v in meta)
        + "</dl>",
        "</header>",
        f'<nav aria-label="{e(label("contents", lang))}"><strong>{e(label("contents", lang))}</strong><ol>'
        + "".join(f'<li><a href="#{s.id}">{e(s.title)}</a></li>' for s in sections)
        + "</ol></nav>",
    ]
    for s in sections:
        out.append(f'<section id="{s.id}" aria-labelledby="{s.id}-h">')
        out.append(f'<h2 id="{s.id}-h">{e(s.title)}</h2>')
        for block in s.blocks:
            if isinstance(block, Facts):
                out.append(
                    '<div class="facts">'
                    + "".join(
                        f'<div class="fact"><span class="k">{e(k)}</span>'
                        f'<span class="v">{e(v)}</span></div>'
                        for k, v in block.items
                    )
                    + "</div>"
                )
            elif isinstance(block, Chart):
                out.append(f'<div class="chart-box">{block.svg}</div>')
            elif isinstance(block, Table):
                out.append(_html_table(block))
            elif isinstance(block, Note):
                out.append(f'<p class="note">{e(block.text)}</p>')
        out.append("</section>")
    out += [
        f"<footer>clientbase · {e(meta[-1][0])} {e(meta[-1][1])}</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _html_table(block: Table) -> str:
    e = escape

    def cls(i):
        return ' class="n"' if i < len(block.numeric) and block.numeric[i] else ""

    head = "".join(f'<th scope="col"{cls(i)}>{e(c)}</th>' for i, c in enumerate(block.columns))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in block.rows
    )
    return (
        f'<div class="table-box"><table><caption>{e(block.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
