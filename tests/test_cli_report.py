"""`clientbase report` on the example shop: the figures equal the analytics commands', every
format carries them, the HTML stands alone, and cron gets its silence and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from html import unescape

import pytest
from conftest import EXAMPLES, Cli
from test_report import parse_page

from clientbase.reports.i18n import fmt_change, fmt_int, fmt_money, fmt_pct
from clientbase.reports.metrics import SECTIONS
from clientbase.reports.sections import RFM_RU

AS_OF = "2026-03-30"  # a report made then covers Q4 2025 (the sales) against Q3
CUR, PREV = ("2025-10-01", "2025-12-31"), ("2025-07-01", "2025-09-30")
REPORT = ("report", "--period", "quarter", "--as-of", AS_OF)


@pytest.fixture(scope="module")
def shop(module_db):
    """The whole examples folder (three rows are rejected on purpose), a follow-up that is due
    and a saved segment: every section has something to show."""
    cli = Cli(module_db("report"))
    cli("import", EXAMPLES, expect=3)
    sidorov = next(c for c in cli.contacts() if c["name"] == "Сидоров Сергей Степанович")
    cli("remind", sidorov["id"], "--on", "2026-03-25", "перезвонить про заказ")
    cli("segment", "create", "постоянные", "--where", "orders >= 5")
    return cli


@pytest.fixture(scope="module")
def data(shop):
    return shop.json(*REPORT)


def test_json_equals_the_analytics_commands(shop, data):
    assert data["period"]["current"] == dict(zip(("start", "end"), CUR, strict=True))
    assert data["sections"] == list(SECTIONS)
    # ABC/XYZ of the quarter, cell by cell.
    abc = shop.json("analyze", "abc-xyz", "--from", CUR[0], "--to", CUR[1])
    assert set(data["abcxyz"]["matrix"]) == set(abc["matrix"])
    for cell, v in abc["matrix"].items():
        mine = data["abcxyz"]["matrix"][cell]
        assert mine["customers"] == v["customers"]
        assert mine["revenue"] == pytest.approx(v["revenue"], abs=0.005)
        assert mine["share_revenue"] == round(v["share_revenue"], 1)
    total = sum(v["revenue"] for v in abc["matrix"].values())
    assert data["sales"]["current"]["revenue"] == pytest.approx(total) == 728040.0
    assert data["abcxyz"]["customers"] == len(abc["customers"]) == 20
    # The migration Q3 -> Q4, overall and per manager.
    mig = shop.json(
        "analyze", "abc-xyz", "--compare", f"{PREV[0]}..{PREV[1]}", f"{CUR[0]}..{CUR[1]}",
        "--by", "manager",
    )  # fmt: skip
    assert data["migrations"]["matrix"] == mig["migration"]
    for row in data["migrations"]["by_manager"]:
        theirs = [r for r in mig["by"] if r["group"] == row["manager"]]
        assert row["moves"] == [{k: r[k] for k in ("from", "to", "customers")} for r in theirs]
    # RFM now and at the end of the previous window.
    rfm = shop.json("analyze", "rfm", "--as-of", CUR[1])["segments"]
    before = shop.json("analyze", "rfm", "--as-of", PREV[1])["segments"]
    assert {r["segment"]: r["customers"] for r in data["rfm"]["segments"]} == {
        k: v["customers"] for k, v in rfm.items()
    }
    assert {r["segment"]: r["revenue"] for r in data["rfm"]["segments"]} == {
        k: v["revenue"] for k, v in rfm.items()
    }
    assert {r["segment"]: r["previous_customers"] for r in data["rfm"]["segments"]} == {
        k: v["customers"] for k, v in before.items()
    }
    # LTV by acquisition channel.
    ltv = shop.json("analyze", "ltv", "--by", "channel", "--as-of", CUR[1])
    o = ltv["overall"]
    assert (data["ltv"]["customers"], data["ltv"]["avg_ltv"], data["ltv"]["median_ltv"]) == (
        o["customers"], o["avg_ltv"], o["median"],
    )  # fmt: skip
    assert [
        {"group": r["channel"], **{k: r[k] for k in ("customers", "avg_ltv", "total", "median")}}
        for r in data["ltv"]["by_channel"]
    ] == ltv["groups"]
    # Cohorts: all the example orders are before the window's end, so all of them count.
    cohorts = shop.json("analyze", "ltv", "--method", "cohort", "--as-of", CUR[1])["cohorts"]
    assert [(r["cohort"], r["customers"], r["values"]) for r in data["ltv"]["cohort_revenue"]] == [
        (r["cohort"], r["customers"], r["values"][:12]) for r in cohorts
    ]  # fmt: skip
    churn = shop.json("analyze", "churn", "--as-of", CUR[1])
    assert [(r["cohort"], r["shares"]) for r in data["ltv"]["retention"]] == [
        (r["cohort"], r["shares"][:12]) for r in churn["retention"]
    ]
    # A year of orders is not enough for a year of base loss: the command has no rows either.
    assert churn["base_loss"] == [] and data["churn"]["years"] == []
    assert data["churn"]["empty"] == "not_enough_history" and data["churn"]["first_year"] == 2027


def test_state_of_the_base_equals_the_commands(shop, data):
    people = shop.contacts()
    # A report as on a day before the import counts who had appeared by then (their orders and
    # calls say since when), and its growth chart ends on the same number.
    assert data["base"]["customers"] == data["base"]["by_month"][-1]["total"] == 29
    invalid = [i["kind"] for c in people for i in c["invalid"]]
    q = data["quality"]
    assert (q["invalid_phones"], q["invalid_emails"]) == (invalid.count("phone"), 1) == (2, 1)
    calls = shop.json("calls", "missed", "--since", CUR[0])
    assert data["calls"]["numbers"] == calls and data["calls"]["waiting"] == 3
    assert data["metrics"]["missed_calls_without_callback"] == 3
    bdays = shop.json("birthdays", "--from", AS_OF, "--days", "7")
    assert (
        [(b["id"], b["date"], b["age"]) for b in data["followups"]["birthdays"]]
        == [(b["id"], b["date"], b["age"]) for b in bdays]
        == [(bdays[0]["id"], "2026-04-04", 51)]
    )
    due = shop.json("remind", "due")  # due today; the reminder of 25.03.2026 is overdue by now
    assert [(r["id"], r["what"]) for r in data["followups"]["due"]] == [
        (r["id"], r["what"]) for r in due
    ]
    segs = shop.json("segment", "list", "--no-record")
    assert (
        [(s["name"], s["size"]) for s in data["segments"]["segments"]]
        == [(s["name"], s["size"]) for s in segs]
        == [("постоянные", 11)]
    )


def figures(data: dict, lang: str) -> list[str]:
    """Key figures of the report as the given language writes them."""
    s = data["sales"]
    out = [
        fmt_money(s["current"]["revenue"], lang),
        fmt_money(s["previous"]["revenue"], lang),
        fmt_money(s["current"]["average_check"], lang),
        fmt_change(s["change_pct"]["revenue"], lang),
        fmt_money(data["ltv"]["avg_ltv"], lang),
        fmt_money(data["abcxyz"]["matrix"]["AZ"]["revenue"], lang),
        fmt_pct(data["abcxyz"]["matrix"]["AZ"]["share_revenue"], lang),
        fmt_int(data["base"]["customers"], lang),
    ]
    out += [fmt_money(r["revenue"], lang) for r in s["by_channel"]]
    out += [fmt_money(r["avg_ltv"], lang) for r in data["ltv"]["by_channel"]]
    out += [r["name"] for r in data["calls"]["numbers"]]
    return out


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_text_md_and_html_carry_the_same_numbers(shop, data, lang):
    outputs = {f: shop(*REPORT, "--format", f, "--lang", lang).stdout for f in ("text", "md")}
    outputs["html"] = unescape(shop(*REPORT, "--format", "html", "--lang", lang).stdout)
    for figure in figures(data, lang):
        for fmt, text in outputs.items():
            assert figure in text, (fmt, lang, figure)
    # Segments: their names and counts, in every format.
    for r in data["rfm"]["segments"]:
        name = RFM_RU[r["segment"]] if lang == "ru" else r["segment"]
        for fmt, text in outputs.items():
            assert name in text, (fmt, name)
    assert "\x1b[" not in outputs["text"]  # piped: no terminal colours in the text
    # The migration matrix row "A" of the table: 4 stayed, 1 to B, 1 to C, 0 gone.
    assert data["migrations"]["matrix"]["A"] == {"A": 4, "B": 1, "C": 1, "gone": 0}
    assert "| A | 4 | 1 | 1 | 0 |" in outputs["md"]


def test_html_is_one_self_contained_page(shop, data, tmp_path):
    out = tmp_path / "weekly.html"
    shop(*REPORT, "--out", out, "--lang", "ru")
    html = out.read_text(encoding="utf-8")
    low = html.lower()
    # Nothing to fetch: no address at all, no script, no stylesheet link, no CSS url().
    assert "http://" not in low and "https://" not in low
    assert (
        "<script" not in low and "<link" not in low and "url(" not in low and "@import" not in low
    )
    page = parse_page(html)
    assert set(SECTIONS) <= page.ids
    assert "@media print" in html and 'name="viewport"' in html
    charts = {}
    for sid in SECTIONS:
        part = html.split(f'<section id="{sid}"')[1].split("</section>")[0]
        charts[sid] = part.count("<svg") - part.count('class="chart narrow"')  # one per chart
    # Revenue by month and by channel; the ABC x XYZ heatmap; the migration flows; LTV by
    # channel with the two cohort heatmaps; growth of the base; RFM and segment sizes. The
    # example data hold one year, too little for a year of base loss: no churn chart.
    assert charts == {"base": 1, "quality": 0, "sales": 2, "abcxyz": 1, "migrations": 1, "rfm": 1,
                      "ltv": 3, "churn": 0, "segments": 1, "followups": 0, "calls": 0}  # fmt: skip
    assert page.svgs == sum(charts.values()) + html.count('class="chart narrow"')
    assert all(a.get("role") == "img" and a.get("aria-label") for t, a in page.tags if t == "svg")
    assert "Отчёт по клиентской базе" in html and '<html lang="ru">' in html


def test_languages_and_the_locale(shop, monkeypatch):
    ru = shop(*REPORT, "--sections", "sales", "--lang", "ru").stdout
    en = shop(*REPORT, "--sections", "sales", "--lang", "en").stdout
    assert "Продажи" in ru and "Выручка" in ru and "Sales" not in ru
    assert "Sales" in en and "Revenue" in en and "Выручка" not in en
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert "Продажи" in shop(*REPORT, "--sections", "sales").stdout
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Sales" in shop(*REPORT, "--sections", "sales").stdout


def test_cron_quiet_with_a_file_prints_nothing(shop, tmp_path):
    r = shop("-q", *REPORT, "--out", tmp_path / "r.md")
    assert r.stdout == "" and r.stderr == ""
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")
    # -q after the command works the same (cron lines get edited that way).
    r = shop(*REPORT, "--out", tmp_path / "r.json", "-q")
    assert r.stdout == r.stderr == ""
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["sections"] == list(
        SECTIONS
    )
    # Without -q the file is announced on stderr; stdout stays clean.
    r = shop(*REPORT, "--out", tmp_path / "r.txt", "--sections", "calls")
    assert r.stdout == "" and "r.txt" in r.stderr
    assert "+79265554433" in (tmp_path / "r.txt").read_text(encoding="utf-8")
    # An extension that says nothing is a usage error, unless --format says it.
    assert "cannot tell the format" in shop(*REPORT, "--out", tmp_path / "r.pdf", expect=2).stderr
    shop(*REPORT, "--out", tmp_path / "r.pdf", "--format", "md", "--sections", "base")
    assert (tmp_path / "r.pdf").read_text(encoding="utf-8").startswith("# ")
    assert "does not exist" in shop(*REPORT, "--out", tmp_path / "no" / "r.md", expect=1).stderr


def test_fail_if_exit_codes(shop, tmp_path):
    r = shop(
        "-q", *REPORT, "--out", tmp_path / "a.html", "--fail-if", "missed_calls_without_callback > 0",
        expect=4,
    )  # fmt: skip
    assert r.stdout == ""
    assert r.stderr.strip() == (
        "clientbase: alert: missed_calls_without_callback > 0 holds "
        "(missed_calls_without_callback = 3)"
    )
    assert (tmp_path / "a.html").exists()  # the report is made all the same
    shop("-q", *REPORT, "--out", tmp_path / "b.html",
         "--fail-if", "missed_calls_without_callback > 5 or pending_duplicates > 0")  # fmt: skip
    # The condition's metrics are collected even when --sections leaves their section out.
    r = shop(*REPORT, "--format", "json", "--sections", "sales",
             "--fail-if", "invalid_phones >= 2 and revenue > 700000", expect=4)  # fmt: skip
    out = json.loads(r.stdout)
    assert out["sections"] == ["sales"] and "quality" not in out
    assert out["metrics"]["invalid_phones"] == 2
    bad = shop(*REPORT, "--fail-if", "revenue >", expect=2)
    assert "not a condition" in bad.stderr
    unknown = shop(*REPORT, "--fail-if", "missed_calls > 0", expect=2)
    assert "unknown metric(s) missed_calls" in unknown.stderr
    assert "missed_calls_without_callback" in unknown.stderr  # the known ones are listed
    assert "not allowed" in shop(*REPORT, "--fail-if", "open('x')", expect=2).stderr
    listed = shop("report", "--metrics").stdout
    assert "missed_calls_without_callback" in listed and "base_loss_rate" in listed


def test_bad_options(shop):
    assert "not a period" in shop("report", "--period", "fortnight", expect=2).stderr
    assert "unknown section(s) weather" in shop("report", "--sections", "weather", expect=2).stderr
    assert "--as-of" in shop("report", "--as-of", "31.02.2026", expect=2).stderr


def test_an_empty_base(cli):
    for fmt in ("text", "md", "html", "json"):
        r = cli("report", "--format", fmt, "--lang", "en")
        assert r.stdout.strip()
    d = cli.json("report")
    assert d["sales"]["empty"] == "no_orders" and d["metrics"]["customers"] == 0
    assert d["currency"] == "RUB"  # what the tables' ₽ stands for, not null


def test_the_json_names_the_currency_the_tables_show(cli, tmp_path):
    sales = tmp_path / "s.csv"
    sales.write_text(
        "Дата;Номер;Клиент;Сумма\n10.11.2026;1;Иванов Иван;1 500,00\n11.11.2026;2;Петров Олег;700\n",
        encoding="utf-8",
    )
    cli("import", sales)
    d = cli.json("report", "--as-of", "2026-12-01")
    assert d["currency"] == "RUB"
    md = cli("report", "--as-of", "2026-12-01", "--format", "md", "--lang", "en").stdout
    assert "| Revenue | 2,200.00\u00a0₽ |" in md
    usd = tmp_path / "u.csv"
    usd.write_text(
        "Date,Order,Customer,Total,Currency\n2026-11-12,A1,John Smith,10,USD\n"
        "2026-11-13,A2,Jane Roe,20,USD\n2026-11-14,A3,Ann Lee,5,USD\n",
        encoding="utf-8",
    )
    cli("import", usd)
    assert cli.json("report", "--as-of", "2026-12-01")["currency"] == "USD"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_a_real_browser_renders_every_section_and_chart(shop, tmp_path):
    """Headless Chromium loads the file (offline: nothing to fetch), builds the same DOM, and
    takes a screenshot at a desktop and at a phone width."""
    page = tmp_path / "report.html"
    shop(*REPORT, "--out", page, "--lang", "ru")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    assert all(f'<section id="{s}"' in dom for s in SECTIONS)
    assert dom.count("<svg") - dom.count('class="chart narrow"') == 10
    for width in (1200, 400):
        shot = tmp_path / f"report-{width}.png"
        subprocess.run(
            [*flags, f"--screenshot={shot}", f"--window-size={width},3000", page.as_uri()],
            capture_output=True, timeout=120,
        )  # fmt: skip
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_figures_agree_everywhere(shop):
    """One definition of who counts, since when and as of which day: a report made today (the
    base was imported today) agrees with `contacts list`, the analyses and its own charts."""
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    report = shop.json("report", "--period", "month", "--as-of", tomorrow)
    people = shop.contacts()
    base = report["base"]
    assert base["customers"] == len(people) == base["by_month"][-1]["total"] == 106
    assert sum(m["new"] for m in base["by_month"]) <= base["customers"]
    # The examples' orders end long before today: the report says so and covers the last month
    # with orders only when no --as-of is given; with one, its windows stay put.
    assert report["period"]["last_with_data"] is False and report["notes"]
    plain = shop("report", "--period", "month", "--format", "json")
    moved = json.loads(plain.stdout)
    assert moved["period"]["last_with_data"] is True
    assert moved["period"]["current"] == {"start": "2025-12-01", "end": "2025-12-31"}
    assert "the last full period with orders" in plain.stderr
    assert (
        "the last full period with orders"
        in shop("report", "--period", "month", "--lang", "en").stdout
    )
    # Sales of that month: the chart's last point, the summary and abc-xyz agree.
    sales = moved["sales"]
    assert sales["by_month"][-1]["month"] == "2025-12"
    assert sales["by_month"][-1]["revenue"] == sales["current"]["revenue"]
    abc = shop.json("analyze", "abc-xyz", "--from", "2025-12-01", "--to", "2025-12-31")
    assert sales["current"]["revenue"] == pytest.approx(sum(c["revenue"] for c in abc["customers"]))
    # RFM as of the window's end: the segment sizes are those of `analyze rfm` on that day.
    rfm = shop.json("analyze", "rfm", "--as-of", "2025-12-31")
    assert {r["segment"]: r["customers"] for r in moved["rfm"]["segments"]} == {
        k: v["customers"] for k, v in rfm["segments"].items()
    }
    assert sum(r["customers"] for r in moved["rfm"]["segments"]) == len(rfm["customers"])
