"""The report in each format: one writer per format over the same blocks, JSON as collected."""

from __future__ import annotations

import json

from clientbase.reports.html_page import render_html
from clientbase.reports.markdown import render_md
from clientbase.reports.text import render_text

FORMATS = ("text", "md", "html", "json")


def render(data: dict, fmt: str, lang: str, *, color: bool = False, width: int = 120) -> str:
    if fmt == "json":
        return render_json(data)
    if fmt == "md":
        return render_md(data, lang)
    if fmt == "html":
        return render_html(data, lang)
    return render_text(data, lang, color=color, width=width)


def render_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
