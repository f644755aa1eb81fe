"""The one day every figure counts to.

Every analysis, the card, lifecycle, reactivation and the report count to the same day: the
``--as-of`` day a person gives, else today. Orders dated after it are left out; recency, ages
and "sleeping" count up to it. When the orders end long before that day (a year-old export, a
public dataset), the figures are still those of that day — a customer who bought last a year
ago is asleep today — and the command says so in one line, naming the day the data end, so
that ``--as-of`` that day gives the picture as it was then.
"""

from __future__ import annotations

from datetime import date

from clientbase.i18n import ngettext

STALE_AFTER_DAYS = 31  # a month: the data "end long before" the day when older than this


def as_of_day(as_of: date | None, today: date | None = None) -> date:
    return as_of or today or date.today()


def stale_note(last_order: date | None, as_of: date, days: int = STALE_AFTER_DAYS) -> str | None:
    """One line when the last order is more than ``days`` before ``as_of``, else None."""
    if last_order is None or (as_of - last_order).days <= days:
        return None
    days_before = (as_of - last_order).days
    return ngettext(
        "the orders end on {last_order}, {days} day before {as_of}, the day the figures count "
        "to; --as-of {last_order} shows them as they were then",
        "the orders end on {last_order}, {days} days before {as_of}, the day the figures count "
        "to; --as-of {last_order} shows them as they were then",
        days_before,
    ).format(last_order=last_order, days=days_before, as_of=as_of)
