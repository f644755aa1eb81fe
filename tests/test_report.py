"""The report's pieces: periods, the alert language, number formats, charts, and the figures of
a small hand-made shop checked against sums done by hand."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from conftest import write

from clientbase.errors import UsageError
from clientbase.reports import alert, charts
from clientbase.reports.i18n import (
    NBSP,
    default_lang,
    fmt_change,
    fmt_int,
    fmt_money,
    fmt_money_short,
    fmt_pct,
    label,
)
from clientbase.reports.metrics import SECTIONS, parse_sections
from clientbase.reports.periods import windows
from clientbase.reports.writers import render
from clientbase.services.report_data import collect

# --- periods -----------------------------------------------------------------------------------


def _w(period, as_of):
    cur, prev = windows(period, as_of)
    return (str(cur.start), str(cur.end)), (str(prev.start), str(prev.end))


def test_windows_end_the_day_before_the_report():
    # 30 days: the 30 complete days before the report's day, and the 30 before those.
    assert _w("30d", date(2026, 3, 1)) == (
        ("2026-01-30", "2026-02-28"),
        ("2025-12-31", "2026-01-29"),
    )
    assert _w("7d", date(2026, 3, 1)) == (
        ("2026-02-22", "2026-02-28"),
        ("2026-02-15", "2026-02-21"),
    )
    # Calendar periods: the last complete one; across a year boundary too.
    assert _w("month", date(2026, 1, 1)) == (
        ("2025-12-01", "2025-12-31"),
        ("2025-11-01", "2025-11-30"),
    )
    assert _w("month", date(2026, 3, 15)) == (
        ("2026-02-01", "2026-02-28"),
        ("2026-01-01", "2026-01-31"),
    )
    assert _w("quarter", date(2026, 1, 1)) == (
        ("2025-10-01", "2025-12-31"),
        ("2025-07-01", "2025-09-30"),
    )
    assert _w("quarter", date(2026, 5, 20)) == (
        ("2026-01-01", "2026-03-31"),
        ("2025-10-01", "2025-12-31"),
    )
    assert _w("year", date(2026, 6, 1)) == (
        ("2025-01-01", "2025-12-31"),
        ("2024-01-01", "2024-12-31"),
    )
    # ISO weeks, Monday to Sunday: a Wednesday's report covers the week before last Monday.
    assert _w("week", date(2026, 3, 18)) == (
        ("2026-03-09", "2026-03-15"),
        ("2026-03-02", "2026-03-08"),
    )
    with pytest.raises(UsageError, match="not a period"):
        windows("fortnight", date(2026, 1, 1))
    with pytest.raises(UsageError, match="at least 1d"):
        windows("0d", date(2026, 1, 1))


def test_sections_keep_the_reports_order():
    assert parse_sections("calls, sales,base") == ["base", "sales", "calls"]
    assert parse_sections(None) == parse_sections("all") == list(SECTIONS)
    with pytest.raises(UsageError, match="unknown section"):
        parse_sections("sales,weather")


# --- --fail-if ---------------------------------------------------------------------------------

KNOWN = {"revenue", "missed_calls_without_callback", "pending_duplicates", "base_loss_rate"}


def holds(expr, **metrics):
    return alert.evaluate(alert.parse(expr, KNOWN), metrics)


def test_conditions_evaluate_like_python_comparisons():
    assert holds("missed_calls_without_callback > 0", missed_calls_without_callback=2)
    assert not holds("missed_calls_without_callback > 0", missed_calls_without_callback=0)
    assert holds("0 < revenue <= 1000", revenue=1000)
    assert not holds("0 < revenue <= 1000", revenue=1000.01)
    assert holds("revenue > -5 and not pending_duplicates", revenue=0, pending_duplicates=0)
    assert holds(
        "(pending_duplicates >= 10 or base_loss_rate > 20.5)", pending_duplicates=3,
        base_loss_rate=25,
    )  # fmt: skip
    # A figure that could not be computed makes no comparison true.
    assert not holds("base_loss_rate > 20", base_loss_rate=None)
    assert not holds("base_loss_rate <= 20", base_loss_rate=None)
    assert alert.names(alert.parse("revenue > 1 or revenue < pending_duplicates", KNOWN)) == [
        "revenue",
        "pending_duplicates",
    ]


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('true')",
        "revenue.real > 0",
        "revenue + 1 > 0",
        "revenue > 'x'",
        "revenue > True",
        "revenue in (1, 2)",
        "revenue is None",
        "[revenue]",
        "lambda: 1",
        "-revenue > 0",
    ],
)
def test_anything_but_a_plain_condition_is_refused(expr):
    with pytest.raises(UsageError, match="not allowed"):
        alert.parse(expr, KNOWN)


def test_bad_syntax_and_unknown_metrics():
    with pytest.raises(UsageError, match="not a condition"):
        alert.parse("revenue >", KNOWN)
    with pytest.raises(UsageError, match="empty"):
        alert.parse("  ", KNOWN)
    with pytest.raises(UsageError) as err:
        alert.parse("revnue > 0 or missed > 1", KNOWN)
    assert "revnue, missed" in err.value.message
    assert "missed_calls_without_callback" in err.value.hint


def test_a_single_equals_sign_compares_as_in_the_filter_language():
    assert holds("pending_duplicates = 0", pending_duplicates=0)
    assert not holds("pending_duplicates = 0", pending_duplicates=3)
    assert holds("revenue >= 10 and pending_duplicates != 1", revenue=10, pending_duplicates=0)


def test_a_deeply_nested_or_overlong_condition_is_a_usage_error_not_a_crash():
    # 5000 nots overflowed the parser's recursion: an "internal error", exit 1.
    with pytest.raises(UsageError, match="longer than"):
        alert.parse("not " * 5000 + "revenue > 0", KNOWN)
    with pytest.raises(UsageError, match="longer than"):
        alert.parse(" or ".join(["revenue > 0"] * 500), KNOWN)
    assert holds("not " * 491 + "revenue > 0", revenue=0)  # deep (odd: true), within the limit


# --- words and numbers -------------------------------------------------------------------------


def test_numbers_as_each_language_writes_them():
    assert fmt_money(1234567.891, "ru") == f"1{NBSP}234{NBSP}567,89{NBSP}₽"
    assert fmt_money(1234567.891, "en") == f"1,234,567.89{NBSP}₽"
    assert fmt_money(-0.001, "ru") == f"0,00{NBSP}₽"
    assert fmt_int(1234567, "ru") == f"1{NBSP}234{NBSP}567" and fmt_int(None, "en") == "—"
    assert fmt_pct(12.5, "ru") == f"12,5{NBSP}%" and fmt_pct(12.5, "en") == "12.5%"
    assert fmt_change(33.333, "ru") == f"+33,3{NBSP}%" and fmt_change(-6.1, "en") == "−6.1%"
    assert fmt_change(None, "en") == "—" and fmt_change(0.01, "en") == "0.0%"
    assert fmt_money_short(1_250_000, "ru") == f"1,2 млн{NBSP}₽"
    assert fmt_money_short(441_680, "en") == f"442K{NBSP}₽"
    assert fmt_money_short(52_750, "en", "") == "52.8K"


def test_language_from_the_locale():
    assert default_lang({"LANG": "ru_RU.UTF-8"}) == "ru"
    assert default_lang({"LANG": "en_GB.UTF-8"}) == "en"
    assert default_lang({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}) == "en"  # LC_ALL wins
    assert default_lang({"LC_MESSAGES": "ru_RU", "LANG": "de_DE"}) == "ru"
    assert default_lang({}) == "en"
    assert label("sec_sales", "ru") == "Продажи" and label("sec_sales", "en") == "Sales"
    assert label("birthdays", "en", n=7) == "Birthdays in the next 7 days"


# --- charts ------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Checks that the markup nests properly; collects ids and counts charts."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.svgs = 0
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "svg":
            self.svgs += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def parse_page(text: str) -> Page:
    p = Page()
    p.feed(text)
    p.close()
    assert not p.errors and not p.stack, (p.errors, p.stack)
    return p


def test_charts_are_accessible_svg_with_a_tooltip_per_mark():
    svg = charts.bar_chart(
        ["Jan", "Feb", "<Mar>"], [100.0, 0.0, 250.0], title="Revenue & orders",
        value_name="Revenue", value_fmt=str, axis_fmt=str, line=[1, 0, 3], line_name="Orders",
    )  # fmt: skip
    p = parse_page(svg)
    root = p.tags[0]
    assert root[0] == "svg" and root[1]["role"] == "img"
    assert root[1]["aria-label"] == "Revenue & orders" and root[1]["viewbox"].startswith("0 0 ")
    assert "width:100%" in root[1]["style"]
    # three bars and three points, each with its own tooltip, plus the chart's title; drawn
    # wide for a desktop and narrow for a phone, the page's CSS showing one of them
    assert svg.count("<title>") == 2 * (1 + 3 + 3)
    assert [t[1]["class"] for t in p.tags if t[0] == "svg"] == ["chart wide", "chart narrow"]
    assert "&lt;Mar&gt;" in svg and "<Mar>" not in svg
    heat = charts.heatmap(
        ["A", "B"], ["X", "Y", "Z"], [[1, 2, None], [0, 5, 3]], title="m", cell_fmt=str
    )
    assert heat.count("<rect") == 6 and parse_page(heat).svgs == 1
    hbars = charts.hbar_chart(["a", "b"], [3, 1], title="t", value_fmt=str)
    assert hbars.count("<rect") == 2 * 2 and "http" not in heat + hbars + svg


def test_nice_axis_steps():
    assert [charts.nice_step(v) for v in (0, 4, 10, 441_680, 19)] == [1.0, 1, 2.5, 200_000, 5]


# --- a hand-made shop --------------------------------------------------------------------------

SALES = (
    "Дата;Номер заказа;Клиент;Телефон;Сумма;Менеджер;Канал\n"
    "01.11.2023;1;Васильев Виктор;+7 916 000-00-03;700;Олег;\n"
    "15.12.2023;2;Аникин Андрей;+7 916 000-00-01;1000;Анна;Авито\n"
    "01.02.2024;3;Борисова Белла;+7 916 000-00-02;500;Олег;Instagram\n"
    "01.06.2024;4;Аникин Андрей;+7 916 000-00-01;2000;Анна;Авито\n"
    "01.03.2025;5;Аникин Андрей;+7 916 000-00-01;3000;Анна;Авито\n"
    "10.11.2025;6;Дмитриев Денис;+7 916 000-00-05;400;Олег;Instagram\n"
    "05.12.2025;7;Аникин Андрей;+7 916 000-00-01;1500;Анна;Авито\n"
    "20.12.2025;8;Галкина Галина;+7 916 000-00-04;900;Олег;Instagram\n"
    "20.12.2025;9;Аникин Андрей;+7 916 000-00-01;600;Анна;\n"
)


@pytest.fixture
def shop(cli, tmp_path):
    cli("import", write(tmp_path / "sales.csv", SALES))
    return cli


def test_sales_of_a_month_against_the_month_before(shop):
    d = collect(shop.engine(), period="month", as_of=date(2026, 1, 1))
    assert d["period"]["current"] == {"start": "2025-12-01", "end": "2025-12-31"}
    s = d["sales"]
    # December: orders 7, 8, 9; November: order 6.
    assert s["current"] == {"revenue": 3000.0, "orders": 3, "buyers": 2, "average_check": 1000.0}
    assert s["previous"] == {"revenue": 400.0, "orders": 1, "buyers": 1, "average_check": 400.0}
    assert s["change_pct"] == {"revenue": 650.0, "orders": 200.0, "average_check": 150.0}
    assert [(r["channel"], r["revenue"], r["orders"], r["previous_revenue"]) for r in s["by_channel"]] == [
        ("Авито", 1500.0, 1, 0.0),
        ("Instagram", 900.0, 1, 400.0),
        ("—", 600.0, 1, 0.0),
    ]  # fmt: skip
    assert [(r["manager"], r["revenue"], r["orders"]) for r in s["by_manager"]] == [
        ("Анна", 2100.0, 2),
        ("Олег", 900.0, 1),
    ]
    months = {m["month"]: m for m in s["by_month"]}
    assert len(months) == 12 and months["2025-03"]["revenue"] == 3000.0
    assert months["2025-04"] == {"month": "2025-04", "revenue": 0.0, "orders": 0,
                                 "average_check": None}  # fmt: skip
    m = d["metrics"]
    assert (m["revenue"], m["orders"], m["average_check"], m["revenue_change_pct"]) == (
        3000.0, 3, 1000.0, 650.0,
    )  # fmt: skip


def test_base_migrations_ltv_and_churn_by_hand(shop):
    d = collect(shop.engine(), period="month", as_of=date(2026, 1, 1))
    b = d["base"]
    # First seen = first order: Галкина in December, Дмитриев in November.
    assert (b["customers"], b["new_current"], b["new_previous"]) == (5, 1, 1)
    assert b["new_by_source"] == [{"source": "Instagram", "current": 1, "previous": 1}]
    # The growth chart runs to the report day's month: its last point is the base's size.
    assert b["by_month"][-3:] == [
        {"month": "2025-11", "new": 1, "total": 4},
        {"month": "2025-12", "new": 1, "total": 5},
        {"month": "2026-01", "new": 0, "total": 5},
    ]
    # November: Дмитриев alone (A). December: Аникин 2100 and Галкина 900, both A (Галкина
    # starts at 70 % of the total, under the 80 % cut-off).
    mg = d["migrations"]
    assert mg["matrix"]["A"]["gone"] == 1 and mg["matrix"]["new"]["A"] == 2
    assert (mg["a_lost"], mg["a_gained"], mg["a_stayed"]) == (1, 2, 0)
    per = {r["manager"]: (r["a_lost"], r["a_gained"]) for r in mg["by_manager"]}
    assert per == {"Анна": (0, 1), "Олег": (1, 1)}
    assert d["abcxyz"]["matrix"]["A-"]["customers"] == 2 and d["metrics"]["a_customers"] == 2
    # LTV up to 2025-12-31: Аникин 8100, Васильев 700, Борисова 500, Дмитриев 400, Галкина 900.
    ltv = d["ltv"]
    assert (ltv["customers"], ltv["avg_ltv"], ltv["total"]) == (5, 2120.0, 10600.0)
    assert [(r["channel"], r["customers"], r["avg_ltv"]) for r in ltv["by_channel"]] == [
        ("Авито", 1, 8100.0),
        ("—", 1, 700.0),
        ("Instagram", 3, 600.0),
    ]
    # Churn 2025: active at its start Аникин (last bought 2024-06-01) and Борисова
    # (2024-02-01); Васильев's 2023-11-01 is more than 365 days before. Борисова bought
    # nothing in 2025: 1 of 2 lost. 2024 has no full year of data before it.
    ch = d["churn"]
    assert ch["years"] == [{"year": 2025, "active_at_start": 2, "lost": 1, "loss_rate": 50.0,
                            "partial": False, "through": "2025-12-31"}]  # fmt: skip
    assert d["metrics"]["base_loss_rate"] == 50.0
    q = d["quality"]
    assert (q["invalid_phones"], q["reachable"], q["without_consent"]) == (0, 5, 5)
    assert d["calls"]["waiting"] == 0 and d["followups"]["due"] == []


def test_every_format_renders_the_hand_made_shop(shop):
    d = collect(shop.engine(), period="month", as_of=date(2026, 1, 1))
    for lang in ("ru", "en"):
        html = render(d, "html", lang)
        page = parse_page(html)
        assert set(SECTIONS) <= page.ids
        md = render(d, "md", lang)
        text = render(d, "text", lang)
        for figure in (fmt_money(3000, lang), fmt_money(2120, lang), fmt_pct(50.0, lang),
                       fmt_change(650.0, lang)):  # fmt: skip
            assert figure in md and figure in text and figure in html, (lang, figure)
    # The churn chart exists when there is a year to show.
    assert "<svg" in html.split('id="churn"')[1].split("</section>")[0]


def test_an_empty_base_still_gets_its_report(cli):
    cli("db", "upgrade")
    d = collect(cli.engine(), period="30d", as_of=date(2026, 3, 1))
    assert d["sales"] == {"empty": "no_orders"} and d["abcxyz"] == {"empty": "no_orders"}
    assert d["base"]["customers"] == 0 and d["base"]["empty"] == "no_customers"
    assert d["segments"]["empty"] == "no_segments"
    assert d["metrics"]["revenue"] == 0.0 and d["metrics"]["average_check"] is None
    for fmt in ("text", "md", "html", "json"):
        out = render(d, fmt, "en")
        assert out.strip()
    assert "There are no orders in the base yet." in render(d, "md", "en")


def test_months_without_orders_up_to_the_window_end_are_zero_not_blank(shop):
    """The last order is in December; a report on February counts January and February as
    months that happened (nobody bought: 0), as `analyze churn --as-of` does, not as blanks."""
    from clientbase.services.value import churn

    d = collect(shop.engine(), period="month", as_of=date(2026, 3, 1))
    assert d["ltv"]["as_of"] == "2026-02-28"
    rows = {r["cohort"]: r for r in d["ltv"]["retention"]}
    # Галкина, first order 2025-12-20, alone in her cohort, bought nothing since.
    assert rows["2025-12"]["customers"] == 1
    assert rows["2025-12"]["shares"][:4] == [1.0, 0.0, 0.0, None]
    revenue = {r["cohort"]: r["values"] for r in d["ltv"]["cohort_revenue"]}
    assert revenue["2025-12"][:4] == [900.0, 900.0, 900.0, None]
    same = churn(shop.engine(), as_of=date(2026, 2, 28)).to_dict()["retention"]
    assert {r["cohort"]: r["shares"][:12] for r in same}["2025-12"] == rows["2025-12"]["shares"]


@pytest.mark.parametrize("as_of", [date(2026, 1, 1), None])
def test_the_sections_read_on_a_thread_equal_those_read_in_turn(shop, monkeypatch, as_of):
    # collect reads the quality and follow-up sections and the currency on a thread of their
    # own while it reads the orders; the figures are those of one connection reading in turn
    # (a base in memory, which no second connection sees, is read so).
    import threading

    import clientbase.services.report_data as report_data

    threads = []
    read_beside = report_data._read_beside

    def spy(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return read_beside(*args)

    monkeypatch.setattr(report_data, "_read_beside", spy)
    now = datetime(2026, 1, 1, 9, 0)
    together = collect(shop.engine(), period="month", as_of=as_of, now=now)
    monkeypatch.setattr(report_data, "side_engine", lambda engine: None)
    in_turn = collect(shop.engine(), period="month", as_of=as_of, now=now)
    assert threads == [False, True]
    assert together == in_turn
    assert together["quality"]["reachable"] > 0 and together["sales"]["current"]["orders"] > 0


def test_a_base_in_memory_gets_no_side_engine(tmp_path):
    from clientbase.db.engine import make_engine, side_engine

    assert side_engine(make_engine("sqlite://")) is None
    assert side_engine(make_engine("sqlite:///:memory:")) is None
    side = side_engine(make_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    assert side is not None and side.url.database == str(tmp_path / "x.db")
    side.dispose()


def test_orders_read_ahead_on_a_thread_are_the_orders_read_in_place(shop):
    # `clientbase report` asks for the orders before importing the report
    # (services.report_prefetch); the frame, and the report, are those read in place.
    import pandas as pd
    from sqlalchemy.exc import OperationalError

    from clientbase.services.analytics import load_orders
    from clientbase.services.report_prefetch import start_reading_orders

    engine = shop.engine()
    want = load_orders(engine, with_row_key=True, with_margin=False)
    got = load_orders(engine, with_row_key=True, with_margin=False,
                      fetched=start_reading_orders(engine))  # fmt: skip
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    now = datetime(2026, 1, 1, 9, 0)
    ahead = collect(engine, period="month", as_of=date(2026, 1, 1), now=now,
                    orders=start_reading_orders(engine))  # fmt: skip
    assert ahead == collect(engine, period="month", as_of=date(2026, 1, 1), now=now)

    def too_big():
        raise OperationalError("SELECT group_concat(...)", {}, Exception("string or blob too big"))

    got = load_orders(engine, with_row_key=True, with_margin=False, fetched=too_big)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
