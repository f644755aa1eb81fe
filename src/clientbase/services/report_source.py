"""What the report's sections share: the orders and customers loaded once (``ReportSource``)
and the rounding of figures for JSON (see :mod:`clientbase.services.report_data`)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from functools import cached_property

import numpy as np
from sqlalchemy import Engine, select

from clientbase.db.models import orders
from clientbase.reports.periods import Window, months
from clientbase.services.analytics import customer_groups, load_customers, load_orders


def rounded(value, digits: int = 2):
    """A float for JSON: rounded, NaN -> None."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, digits)


def change_pct(now, before):
    """Change in per cent; None when there was nothing before to compare with."""
    if now is None or before is None or not before:
        return None
    return rounded((now - before) / abs(before) * 100, 1)


class ReportSource:
    """The data shared by the sections, loaded on first use and only once."""

    def __init__(self, engine: Engine, cur: Window, prev: Window, as_of: date):
        self.engine, self.cur, self.prev, self.as_of = engine, cur, prev, as_of

    @cached_property
    def orders(self):
        """Live orders (cancelled and returned left out) with their manager, as the analyses
        load them."""
        return load_orders(self.engine, with_manager=True)

    @cached_property
    def channels(self):
        """order id -> the order's sales channel, for the orders of the two windows only (read
        through the date index: a million channel strings would cost seconds and memory)."""
        # pandas takes ~0.4 s to import: only when this runs
        import pandas as pd

        o = orders.c
        q = select(o.id, o.channel).where(
            o.ordered_at >= datetime.combine(self.prev.start, time.min),
            o.ordered_at < datetime.combine(self.cur.end + timedelta(days=1), time.min),
        )
        with self.engine.connect() as conn:
            return pd.read_sql(q, conn, index_col="id")["channel"]

    @cached_property
    def people(self):
        return load_customers(self.engine)

    def until(self, day: date):
        """The order rows dated on or before ``day``."""
        frame = self.orders
        return frame[frame["ordered_at"].to_numpy() < np.datetime64(day + timedelta(days=1))]

    def within(self, w: Window):
        ts = self.orders["ordered_at"].to_numpy()
        inside = (ts >= np.datetime64(w.start)) & (ts < np.datetime64(w.end + timedelta(days=1)))
        return self.orders[inside]

    @cached_property
    def classes(self):
        """ABC/XYZ of the current and previous windows, as `analyze abc-xyz --from --to` with
        its defaults classifies them."""
        # the analyses import pandas (~0.4 s): only when this runs
        from clientbase.analytics.abcxyz import AbcXyzParams, classify

        return {
            key: classify(self.orders, AbcXyzParams(start=w.start, end=w.end))
            for key, w in (("current", self.cur), ("previous", self.prev))
        }

    @cached_property
    def managers(self):
        return customer_groups(self.orders, self.people, "manager")

    @cached_property
    def history_months(self) -> list[str]:
        span = (self.cur.end - self.cur.start).days
        return months(self.cur.end, 24 if span > 200 else 12)
