"""What the report's sections share: the orders and customers loaded once (``ReportSource``)
and the rounding of figures for JSON (see :mod:`clientbase.services.report_data`)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from functools import cached_property

import numpy as np
from sqlalchemy import Engine, select

from clientbase.db.bulk import read_frame
from clientbase.db.models import orders
from clientbase.reports.periods import Window, months
from clientbase.services.analytics import customer_groups, load_customers, load_orders

# Ids per look-up of the managers of some orders: well below the bound parameters a statement
# may carry (SQLite: 32,766; PostgreSQL: 65,535).
_IDS_PER_QUERY = 10_000

_IDS_AT_MOST = 50_000  # more than that: every order's manager, read as one long text


def _all_managers(engine: Engine):
    """order id -> manager, of every order."""
    # these import pandas (~0.4 s): only when this runs
    from clientbase.db.columns import INT, TEXT
    from clientbase.db.joined import read_typed

    q = select(orders.c.id, orders.c.manager)
    with engine.connect() as conn:
        frame = read_typed(conn, q, {"id": INT, "manager": TEXT})
    return frame.set_index("id")["manager"]


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

    def __init__(self, engine: Engine, cur: Window, prev: Window, as_of: date, *, orders=None):
        self.engine, self.cur, self.prev, self.as_of = engine, cur, prev, as_of
        self._fetched = orders  # services.report_prefetch: the orders being read, or None

    @cached_property
    def orders(self):
        """Live orders (cancelled and returned left out) as the analyses load them, with each
        row's own id (``row_key``). Without their managers: the few rows that need one read
        it (``order_managers``), where a million manager strings would cost half a second;
        without their margins, which no section reads (every figure is of revenue)."""
        fetched, self._fetched = self._fetched, None
        return load_orders(self.engine, with_row_key=True, with_margin=False, fetched=fetched)

    @cached_property
    def window_orders(self):
        """order id -> the order's sales channel and manager, for the orders of the two
        windows only (read through the date index: a million strings would cost seconds and
        memory)."""
        # these import pandas (~0.4 s): only when this runs
        from clientbase.db.columns import INT, TEXT
        from clientbase.db.joined import read_typed

        o = orders.c
        q = select(o.id, o.channel, o.manager).where(
            o.ordered_at >= datetime.combine(self.prev.start, time.min),
            o.ordered_at < datetime.combine(self.cur.end + timedelta(days=1), time.min),
        )
        with self.engine.connect() as conn:
            return read_typed(conn, q, {"id": INT, "channel": TEXT, "manager": TEXT}).set_index(
                "id"
            )

    @property
    def channels(self):
        """order id -> the order's sales channel, for the orders of the two windows."""
        return self.window_orders["channel"]

    def order_managers(self, rows):
        """The manager of each of ``rows`` (rows of ``orders``: its own, a return's too),
        read for those rows only."""
        # pandas takes ~0.4 s to import: only when this runs
        import pandas as pd

        known = self.window_orders["manager"]
        keys = rows["row_key"].to_numpy()
        missing = np.unique(keys[~np.isin(keys, known.index.to_numpy())])
        if len(missing) > _IDS_AT_MOST:  # most of the orders: all of them at once
            known = self.all_managers
        elif len(missing):
            o = orders.c
            with self.engine.connect() as conn:
                extra = [
                    read_frame(conn, select(o.id, o.manager).where(o.id.in_(part.tolist())),
                               index_col="id")["manager"]
                    for part in np.array_split(missing, -(-len(missing) // _IDS_PER_QUERY))
                ]  # fmt: skip
            known = pd.concat([known, *extra])
        return rows["row_key"].map(known)

    @cached_property
    def all_managers(self):
        """order id -> manager, of every order (read once, when many rows need theirs)."""
        return _all_managers(self.engine)

    @cached_property
    def people(self):
        # no names: the report shows none
        return load_customers(self.engine, ("manager", "channel"))

    def any_until(self, day: date) -> bool:
        """Whether an order row is dated on or before ``day``."""
        ts = self.orders["ordered_at"].to_numpy()
        return bool((ts < np.datetime64(day + timedelta(days=1))).any())

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
        return customer_groups(self.orders, self.people, "manager", self.order_managers)

    @cached_property
    def history_months(self) -> list[str]:
        span = (self.cur.end - self.cur.start).days
        return months(self.cur.end, 24 if span > 200 else 12)
