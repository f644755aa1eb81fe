"""The report's figures, collected once into one plain dict that every format renders.

``collect`` returns numbers only (no words, no formatting), a key per section, so the text,
Markdown, HTML and JSON reports cannot disagree, and a script reading the JSON sees exactly what
a person reads. Each section is a small function (:mod:`.report_sections`) over a shared
``ReportSource`` (:mod:`.report_source`) that loads the orders and customers once. A section
with nothing to show (no orders yet, no calls imported) says so with ``"empty": "<reason>"``
instead of failing, so a cron report of a young base still arrives.

The analyses are not redone here: every figure comes from the same function the matching
``analyze`` command calls (``analytics.abcxyz``, ``rfm``, ``ltv``, ``churn``) with the same
defaults, so the report and the commands agree to the cent (the tests check it).

Periods (``--period``)
    The report is made on ``as_of`` (default: today). Only complete days count: a window ends
    at the latest on the day before ``as_of``.

    - ``30d`` (any ``Nd``): the N days before ``as_of`` (as_of - N .. as_of - 1), against the N
      days before those;
    - ``week``: the last complete ISO week (Monday to Sunday) before ``as_of``, against the week
      before it;
    - ``month`` / ``quarter`` / ``year``: the last complete calendar month / quarter / year
      before ``as_of``, against the one before it (a report made on 2026-01-01 covers December
      2025 against November, Q4 2025 against Q3, or 2025 against 2024).

    When the orders end before the current window (an old export), a report made without
    ``--as-of`` covers the last full period with orders instead, and says so (``notes``; the
    heading names it); with ``--as-of`` the windows stay where that day puts them.

    The ABC migrations compare the classification of the previous window with the current one.
    RFM, LTV and churn look at all orders up to the current window's end; RFM is also scored as
    of the previous window's end, so the segment sizes show their change. The monthly series
    (revenue, growth of the base) cover the 12 months up to the window's end (24 for ``year``).

State of the base
    Who counts, and since when: a live customer (not merged away, not erased), from the day
    they first appeared (the earliest of their first order, first call or log entry, and their
    entry into the base). The base's size is counted at the end of the report day (``as_of``),
    and its growth chart runs to the month holding that day, so that its last point is the
    same number. The base, data quality, saved segments, follow-ups, birthdays and missed calls describe the
    database as it is (the base keeps no history of its own size, only when each customer
    appeared), except that follow-ups are those due by the end of ``as_of``, birthdays those in
    the ``BIRTHDAY_DAYS`` days from it, and missed calls those since the current window's start
    up to the end of ``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Engine

from clientbase.analytics.asof import stale_note
from clientbase.db.engine import side_engine
from clientbase.i18n import ngettext
from clientbase.reports.metrics import SECTIONS, metrics
from clientbase.reports.periods import after_period, windows
from clientbase.services.money import base_currency
from clientbase.services.report_sections import SECTION_FUNCS, WITHOUT_WINDOWS
from clientbase.services.report_source import ReportSource


def collect(
    engine: Engine,
    *,
    period: str = "30d",
    sections: list[str] | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
    orders: Callable[[], tuple] | None = None,
) -> dict:
    """The report's figures as one JSON-able dict: ``period``, a key per section and
    ``metrics`` (the flat figures ``--fail-if`` reads). ``orders``: the orders being read
    already (``services.report_prefetch``)."""
    chosen_day = as_of is not None
    as_of = as_of or date.today()
    period = period.strip().lower()
    cur, prev = windows(period, as_of)
    chosen = list(SECTIONS) if sections is None else [s for s in SECTIONS if s in sections]
    src = ReportSource(engine, cur, prev, as_of, orders=orders)
    # What reads neither the orders nor the windows (which the orders may move, see _stale)
    # is read on a thread of its own while the orders are read here: the database answers
    # both at once without holding Python's lock (on a million orders, the quality section's
    # counts and the currency cost no time of their own).
    beside = [name for name in chosen if name in WITHOUT_WINDOWS]
    side = side_engine(engine)
    if side is None:  # a base in memory: only this engine's connection sees it
        currency, early = _read_beside(engine, src, beside)
        notes, last_with_data = _stale(src, period, chosen_day)
    else:
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="report") as pool:
                reading = pool.submit(_read_beside, side, src, beside)
                notes, last_with_data = _stale(src, period, chosen_day)
                currency, early = reading.result()
        finally:
            side.dispose()
    data: dict = {
        "report": "clientbase",
        "version": 1,
        "generated_at": (now or datetime.now()).isoformat(sep=" ", timespec="seconds"),
        "as_of": as_of.isoformat(),
        "period": {
            "name": period,
            "current": src.cur.as_dict(),
            "previous": src.prev.as_dict(),
            "last_with_data": last_with_data,
        },
        "currency": currency,
        "sections": chosen,
        "notes": notes,
    }
    # RFM, LTV, retention and churn each read the orders up to the window's end: prepared
    # (a copy of a million rows) and totalled per customer once for all of them
    with _sharing_prepared(src):
        for name in chosen:
            data[name] = early[name] if name in early else SECTION_FUNCS[name](src)
    data["metrics"] = metrics(data)
    return data


@contextmanager
def _sharing_prepared(src: ReportSource) -> Iterator[None]:
    """``analytics.ltv.sharing_prepared`` when the report has orders (which import pandas)."""
    if src.orders.empty:
        yield
        return
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.ltv import sharing_prepared

    with sharing_prepared():
        yield


def _read_beside(engine: Engine, src: ReportSource, names: list[str]) -> tuple[str, dict]:
    """The currency and the sections ``names`` (of ``WITHOUT_WINDOWS``), read through
    ``engine``."""
    apart = ReportSource(engine, src.cur, src.prev, src.as_of)
    return base_currency(engine), {name: SECTION_FUNCS[name](apart) for name in names}


def _stale(src: ReportSource, period: str, chosen_day: bool) -> tuple[list[str], bool]:
    """When the orders end before the current window (an old export, a public dataset): a
    report made on today's date (no --as-of) moves its windows to the last full period with
    orders, so that it shows them; one line says so. With --as-of the day stays as given and
    the line only says where the orders end."""
    if src.orders.empty:
        return [], False
    last = src.orders["ordered_at"].max().date()
    if last >= src.cur.start:
        return [], False
    if chosen_day:
        note = stale_note(last, src.as_of, days=0)
        return [note] if note else [], False
    src.cur, src.prev = windows(period, after_period(period, last))
    days = (src.as_of - last).days
    return [
        ngettext(
            "the orders end on {last}, {days} day before {as_of}: the report covers "
            "{start} .. {end}, the last full period with orders (--as-of DAY makes it as on "
            "another day)",
            "the orders end on {last}, {days} days before {as_of}: the report covers "
            "{start} .. {end}, the last full period with orders (--as-of DAY makes it as on "
            "another day)",
            days,
        ).format(last=last, days=days, as_of=src.as_of, start=src.cur.start, end=src.cur.end)
    ], True
