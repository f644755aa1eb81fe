"""ABC/XYZ summed in the database: the order cells of a window (``analytics.abcxyz.OrderCells``:
the rows summed per customer and period) made by one GROUP BY, instead of every order row read
into Python and summed there.

On a million order lines the rows cost seconds to fetch and convert; the cells are about half
as many and come as a few long texts parsed by numpy. The returns rule runs in SQL
(``analytics.returns.counted_at``), the period codes too (``db.dialect``); what is done with
the cells, the classification, is ``analytics.abcxyz.classify_cells``, the same function the
frame of orders goes through. ``tests/test_abc_cells.py`` holds the cells equal to those of
the frame the other analyses read.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Engine, cast, func, select

from clientbase.analytics.abcxyz import (
    AbcXyzParams,
    AbcXyzResult,
    OrderCells,
    classify_cells,
    resolve_window,
)
from clientbase.analytics.asof import as_of_day, stale_note
from clientbase.analytics.periods import code_of, period_codes
from clientbase.analytics.returns import counted_at
from clientbase.db.dialect import (
    day_number,
    floor_div,
    joined_floats,
    joined_ints,
    month_number,
    without_own_index,
)
from clientbase.db.joined import floats_read
from clientbase.db.models import customers, orders
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES


def _live(o):
    """The rows the analyses count (``services.analytics.load_orders``): not an uncounted
    status, of a customer not erased (the few erased customers as a set the scan checks)."""
    return (
        o.c.status.is_(None) | o.c.status.not_in(UNCOUNTED_ORDER_STATUSES),
        o.c.customer_id.is_not(None),
        o.c.customer_id.not_in(select(customers.c.id).where(customers.c.status == "erased")),
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def order_days(engine: Engine, until: date) -> tuple[date | None, date | None]:
    """The days of the first and last purchase on or before ``until`` (None, None: none).
    A return counts at the time of a purchase, so the purchases alone give the span."""
    o = orders.alias("o")
    purchase = o.c.status.is_(None) | (o.c.status != ORDER_RETURN)
    q = select(o.c.ordered_at).where(
        *_live(o), purchase, o.c.ordered_at < _start_of(until + timedelta(days=1))
    )
    # Two walks along the index of the times, each stopping at the first purchase it meets:
    # MIN and MAX under these conditions would read the whole table.
    with engine.connect() as conn:
        first = conn.execute(q.order_by(o.c.ordered_at).limit(1)).scalar()
        last = conn.execute(q.order_by(o.c.ordered_at.desc()).limit(1)).scalar()
    if first is None:
        return None, None
    return first.date(), last.date()


def period_code(column, period: str, dialect: str):
    """The period code of ``analytics.periods.period_codes``, in SQL."""
    if period == "week":
        # Days shifted to the epoch Monday (1969-12-29), so each week starts on a Monday.
        return floor_div(day_number(column, dialect) + 3, 7)
    months = month_number(column, dialect)
    return months if period == "month" else floor_div(months, 3)


def read_cells(
    engine: Engine,
    start: date,
    end: date,
    until: date,
    period: str,
    *,
    with_margin: bool,
    most_orders: bool = False,
) -> OrderCells:
    """The cells of the live orders counted in ``start`` .. ``end`` and booked on or before
    ``until`` (the as-of day), returns folded into their purchase.

    The purchases come as one number per row, its cell (customer * periods of the window +
    the period's place in it), with the amounts, and are summed here over the runs of equal
    cells: a GROUP BY of the period, a number computed from the time, would make the database
    sort every row, where read through the index of customers and times the rows of a cell
    come one after another already (on SQLite 0.93 -> 0.62 s of CPU for the query over the
    whole history of a million order lines). The returns, few in any base, come as rows with
    the time they count at (``analytics.returns.counted_at``) and are added to their
    purchase's cell here: that cell always exists, since the purchase is in the same window.

    ``most_orders``: the window holds most of the orders, so the database reads them through
    the index of customers and times, which holds every column read here (migration 0006),
    rather than through the index of the times, which sends it to the table for each order."""
    dialect = engine.dialect.name
    o = orders.alias("o")
    after = _start_of(until + timedelta(days=1))
    low, high = code_of(start, period), code_of(end, period)
    span = high - low + 1
    purchase = o.c.status.is_(None) | (o.c.status != ORDER_RETURN)
    at = without_own_index(o.c.ordered_at, dialect) if most_orders else o.c.ordered_at
    in_window = (
        at >= _start_of(start),
        at < _start_of(end + timedelta(days=1)),
        at < after,
    )
    period_place = period_code(o.c.ordered_at, period, dialect) - low
    k = (cast(o.c.customer_id, BigInteger) * span + period_place).label("k")
    values = [func.coalesce(o.c.amount, 0.0).label("amount")]
    if with_margin:
        values.append(func.coalesce(o.c.margin, 0.0).label("margin"))
    rows_of = select(k, *values).where(*_live(o), purchase, *in_window).subquery()
    # One row of long texts: the rows as Python tuples would cost much of what is saved. No
    # value is NULL (a key of NOT NULL columns, coalesced amounts), so no text skips one and
    # the columns line up.
    columns = [joined_ints(rows_of.c.k, dialect), joined_floats(rows_of.c.amount, dialect)]
    if with_margin:
        columns.append(joined_floats(rows_of.c.margin, dialect))

    # The returns with the time they count at; the window is checked here, on the few rows:
    # in the WHERE clause PostgreSQL would cost the correlated look-ups for every order and
    # spend seconds compiling the query (JIT) for them.
    returns = select(
        o.c.customer_id, counted_at(o, dialect), func.coalesce(o.c.amount, 0.0),
        func.coalesce(o.c.margin, 0.0),
    ).where(*_live(o), o.c.status == ORDER_RETURN, at < after)  # fmt: skip
    with engine.connect() as conn:
        texts = conn.execute(select(*columns)).one()
        window = (_start_of(start), min(_start_of(end + timedelta(days=1)), after))
        folded = [
            r for r in conn.execute(returns) if r[1] is not None and window[0] <= r[1] < window[1]
        ]
    parsed = [
        np.fromstring(texts[0], dtype=np.int64, sep=",") if texts[0] else np.zeros(0, np.int64)
    ]
    parsed += [floats_read(text, dialect) if text else np.zeros(0) for text in texts[1:]]
    keys, count, sums = _runs(parsed[0], parsed[1:])
    amount = sums[0]
    margin = sums[1] if with_margin else None
    rows = count.copy()
    if folded:
        times = np.array([r[1] for r in folded], dtype="datetime64[us]")
        back = np.array([r[0] for r in folded], dtype=np.int64) * span + (
            period_codes(times, period) - low
        )
        where = pd.Index(keys).get_indexer(back)
        new = np.unique(back[where < 0])  # not expected (see above); kept as cells of their own
        if len(new):
            keys = np.concatenate([keys, new])
            zeros = np.zeros(len(new))
            count, rows = (np.concatenate([a, zeros.astype(np.int64)]) for a in (count, rows))
            amount = np.concatenate([amount, zeros])
            margin = None if margin is None else np.concatenate([margin, zeros])
            where = pd.Index(keys).get_indexer(back)
        np.add.at(amount, where, np.array([r[2] for r in folded], dtype=float))
        if margin is not None:
            np.add.at(margin, where, np.array([r[3] for r in folded], dtype=float))
        np.add.at(rows, where, 1)
    return OrderCells(
        customer=keys // span,
        period=keys % span + low,
        amount=amount,
        orders=count,
        rows=rows,
        margin=margin,
    )


def _runs(keys: np.ndarray, values: list[np.ndarray]):
    """The distinct ``keys`` (ascending), how many rows hold each and the ``values`` summed
    per key; the rows are put in the order of their keys first (stably) when they did not
    come in it (another plan, another backend)."""
    if len(keys) and not (keys[1:] >= keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], [v[order] for v in values]
    if not len(keys):
        return keys, np.zeros(0, np.int64), values
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    count = np.diff(np.append(starts, len(keys))).astype(np.int64)
    return keys[starts], count, [np.add.reduceat(v, starts) for v in values]


def classify_in_base(
    engine: Engine, params: AbcXyzParams, as_of: date | None
) -> tuple[AbcXyzResult | None, list[str]]:
    """``analytics.abcxyz.classify`` of the orders up to the as-of day (``analytics.asof``),
    summed in the database; None when there are no orders up to that day. With the notes
    ``services.analytics.orders_as_of`` gives (the orders end long before the day)."""
    day = as_of_day(as_of)
    first_day, last_day = order_days(engine, day)
    if first_day is None:
        return None, []
    note = stale_note(last_day, day)
    start, end = resolve_window(first_day, last_day, params)
    # Through the index of the times only when the window is a small part of the history.
    inside = (min(end, last_day) - max(start, first_day)).days + 1
    cells = read_cells(
        engine, start, end, day, params.period, with_margin=params.metric == "margin",
        most_orders=inside * 4 > (last_day - first_day).days + 1,
    )  # fmt: skip
    return classify_cells(cells, params, start, end), [note] if note else []


def customer_names(engine: Engine):
    """customer id -> display name, of every customer (those with orders are most of them in
    a base with orders: asking which have some would cost a pass over the orders)."""
    # pandas: only when this runs
    from clientbase.db.columns import INT, TEXT
    from clientbase.db.joined import read_typed

    c = customers
    q = select(c.c.id, c.c.display_name.label("name"))
    with engine.connect() as conn:
        # Two long texts (db.joined), else plain tuples from the driver, columns at once:
        # 100,000 result rows of SQLAlchemy's would cost a quarter of a second more.
        frame = read_typed(conn, q, {"id": INT, "name": TEXT})
    return frame.set_index("id")["name"]
