"""The HTML report in a real browser: headless Chromium lays the example report out at a
desktop (1100 px) and a phone (400 px) width, and a script inside the page measures it.

Nothing may overflow its box or run off the screen (tables and dense grids scroll sideways
inside their own box on purpose), every chart label must be drawn inside its chart, readable
(9 px or more) and clear of the other labels and of the bars, and a bar chart fills its box on a
desktop. A headless window is never narrower than 500 px, so the page is measured inside an
iframe of the width under test."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, Cli

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
CHECK = (Path(__file__).parent / "fixtures" / "layout_check.js").read_text(encoding="utf-8")
REPORT = ("report", "--period", "quarter", "--as-of", "2026-03-30")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary (Debian: apt-get install chromium)"
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    cli = Cli(folder / "shop.sqlite3")
    cli("import", EXAMPLES, expect=3)
    sidorov = next(c for c in cli.contacts() if c["name"] == "Сидоров Сергей Степанович")
    cli("remind", sidorov["id"], "--on", "2026-03-25", "перезвонить про заказ")
    cli("segment", "create", "постоянные", "--where", "orders >= 5")
    out = {}
    for lang in ("ru", "en"):
        out[lang] = folder / f"report-{lang}.html"
        cli(*REPORT, "--lang", lang, "--out", out[lang])
    return out


def measure(page: Path, width: int) -> dict:
    checked = page.read_text(encoding="utf-8").replace(
        "</body>", f"<script>{CHECK}</script></body>"
    )
    frame = page.with_name(f"{page.stem}-{width}.html")
    frame.write_text(
        '<!doctype html><html><body style="margin:0">'
        f'<iframe style="border:0;width:{width}px;height:5000px" '
        f'srcdoc="{html.escape(checked, quote=True)}"></iframe></body></html>',
        encoding="utf-8",
    )
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [CHROMIUM, *flags, f"--window-size={max(width, 500) + 20},3000",
         "--virtual-time-budget=5000", "--dump-dom", frame.as_uri()],
        capture_output=True, text=True, timeout=180,
    ).stdout  # fmt: skip
    found = re.findall(r'<pre id="layout-check">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    return json.loads(html.unescape(found[-1]))


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("width", [1100, 400])
def test_nothing_overflows_and_every_chart_label_shows(pages, lang, width):
    got = measure(pages[lang], width)
    assert got["width"] == width
    assert got["page"] <= width, "the page is wider than the screen"
    for problem in ("overflow", "offscreen", "clipped", "hidden", "small", "overlaps", "narrow"):
        assert got[problem] == [], f"{problem} at {width} px: {got[problem][:5]}"


def test_the_check_finds_what_it_looks_for(tmp_path):
    """A page with each fault once: a cut label, a clash, tiny text, a header off the screen."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html><head><meta name="viewport" content="width=device-width"></head>'
        '<body><main><h1 style="white-space:nowrap">Отчёт по клиентской базе магазина «Лайм» '
        "за четвёртый квартал</h1>"
        '<div class="chart-box"><svg class="chart wide" viewBox="0 0 380 100" style="width:100%;max-width:380px">'
        '<text x="2" y="50" text-anchor="end" font-size="12">сарафанное радио</text>'
        '<text x="300" y="50" font-size="12">158 тыс.</text>'
        '<text x="310" y="52" font-size="12">9</text>'
        '<text x="250" y="80" font-size="4">мелко</text></svg></div></main></body></html>',
        encoding="utf-8",
    )
    got = measure(page, 400)
    assert [c["text"] for c in got["clipped"]] == ["сарафанное радио"]
    assert {(o["text"], o["with"]) for o in got["overlaps"]} == {("9", "158 тыс.")}
    assert [s["text"] for s in got["small"]] == ["мелко"]
    assert [o["tag"] for o in got["overflow"]] == ["H1"] and got["page"] > 400
    assert got["narrow"] == []  # measured only on a desktop-wide drawing
    assert measure(page, 1100)["narrow"]
