"""Analyses over the orders in the base: loading them for pandas, ABC/XYZ and its history."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import Engine, select

from clientbase.db.models import customers, orders
from clientbase.errors import UsageError

GROUPS = ("manager", "channel", "city")
LEFT_OUT = ("cancelled", "returned")  # kept in the base, not in the analytics


def load_orders(engine: Engine):
    """Live orders with their customer's name and groups, as a DataFrame."""
    import pandas as pd

    o, c = orders, customers
    q = (
        select(
            o.c.customer_id, o.c.ordered_at, o.c.amount, o.c.margin, o.c.id.label("order_key"),
            o.c.manager.label("order_manager"), c.c.display_name.label("name"),
            c.c.manager, c.c.source.label("channel"), c.c.city,
        )
        .join(c, c.c.id == o.c.customer_id)
        .where(o.c.status.is_(None) | o.c.status.not_in(LEFT_OUT), c.c.status != "erased")
    )  # fmt: skip
    with engine.connect() as conn:
        frame = pd.read_sql(q, conn)
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    return frame


def customer_groups(frame, by: str):
    """customer id -> the group (manager: the customer's manager, else the one who sold the
    most; channel: the acquisition source; city)."""
    if by not in GROUPS:
        raise UsageError(f"--by {by!r}: one of {', '.join(GROUPS)}")
    first = frame.drop_duplicates("customer_id").set_index("customer_id")
    groups = first[by].copy()
    if by == "manager":
        top = (
            frame.dropna(subset=["order_manager"])
            .groupby(["customer_id", "order_manager"]).size().reset_index(name="n")
            .sort_values(["customer_id", "n"], ascending=[True, False])
            .drop_duplicates("customer_id").set_index("customer_id")["order_manager"]
        )  # fmt: skip
        groups = groups.fillna(top)
    return groups


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(.+)\.\.(.+)$")


def parse_window(text: str) -> tuple[date, date]:
    """2025-Q1, 2025-03, 2025, or FROM..TO (dates): a window's first and last day."""
    from clientbase.normalize.dates import parse_date

    t = text.strip()
    if m := _QUARTER.match(t):
        y, q = int(m.group(1)), int(m.group(2))
        start = date(y, 3 * q - 2, 1)
        end = (date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - timedelta(days=1)
        return start, end
    if m := _MONTH.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        return date(y, mo, 1), date(y + (mo == 12), 1 if mo == 12 else mo + 1, 1) - timedelta(
            days=1
        )
    if m := _YEAR.match(t):
        return date(int(t), 1, 1), date(int(t), 12, 31)
    if m := _RANGE.match(t):
        try:
            return parse_date(m.group(1)), parse_date(m.group(2))
        except ValueError as exc:
            raise UsageError(f"window {text!r}: {exc}") from exc
    raise UsageError(f"window {text!r}", hint="2025-Q1, 2025-03, 2025 or 2025-01-01..2025-06-30")
