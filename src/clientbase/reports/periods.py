"""The report's periods: the current window and the one it is compared with (``--period``).

Only complete days count: a window ends at the latest on the day before the report's day. See
``services.report_data`` for what each period covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from clientbase.errors import UsageError
from clientbase.i18n import _

PERIODS = ("30d", "week", "month", "quarter", "year")
_DAYS = re.compile(r"^(\d{1,4})d$", re.I)


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def month_start(d: date, back: int = 0) -> date:
    months = d.year * 12 + d.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def windows(period: str, as_of: date) -> tuple[Window, Window]:
    """The current and the previous window of ``period`` for a report made on ``as_of``."""
    p = period.strip().lower()
    if m := _DAYS.match(p):
        n = int(m.group(1))
        if n < 1:
            raise UsageError(_("--period {period!r}: at least 1d").format(period=period))
        end = as_of - timedelta(days=1)
        cur = Window(end - timedelta(days=n - 1), end)
        prev_end = cur.start - timedelta(days=1)
        return cur, Window(prev_end - timedelta(days=n - 1), prev_end)
    if p == "week":
        monday = as_of - timedelta(days=as_of.weekday())
        cur = Window(monday - timedelta(days=7), monday - timedelta(days=1))
        return cur, Window(cur.start - timedelta(days=7), cur.start - timedelta(days=1))
    size = {"month": 1, "quarter": 3, "year": 12}.get(p)
    if size is None:
        raise UsageError(
            _("--period {period!r}: not a period").format(period=period),
            hint=_("30d or any number of days (7d, 90d), week, month, quarter or year"),
        )
    # The first day of the period holding as_of: everything before it is complete.
    if p == "month":
        this = month_start(as_of)
    elif p == "quarter":
        this = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    else:
        this = date(as_of.year, 1, 1)
    cur = Window(month_start(this, size), this - timedelta(days=1))
    return cur, Window(month_start(this, 2 * size), cur.start - timedelta(days=1))


def after_period(period: str, day: date) -> date:
    """The first day after the ``period`` that holds ``day``: a report made then covers it."""
    p = period.strip().lower()
    if _DAYS.match(p):
        return day + timedelta(days=1)
    if p == "week":
        return day - timedelta(days=day.weekday()) + timedelta(days=7)
    if p == "month":
        return month_start(day, -1)
    if p == "quarter":
        return month_start(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), -3)
    return date(day.year + 1, 1, 1)


def months(end: date, count: int) -> list[str]:
    return [
        f"{d.year}-{d.month:02d}" for d in (month_start(end, k) for k in range(count - 1, -1, -1))
    ]
