"""Returns in the order frames the analyses read.

A return (status ``ORDER_RETURN``: a negative line, a "C" invoice, a 1C return document) is
money going back, not a purchase. In a frame of orders (customer_id, ordered_at, amount,
order_key …) it is folded into the customer's latest purchase on or before the return's day:
it takes that purchase's ``order_key`` and time, so its minus comes off the revenue while the
number of orders, the purchase days and recency stay those of the purchases. A return dated
before any purchase of that customer (the purchase predates the data) comes off their first
purchase instead, so a customer's revenue is the same sum of amounts everywhere it is shown. A
customer with returns and no purchase at all is no buyer and is left out of the analyses; the
returns stay in the base and in the import's summary. Every row keeps the day its money moved
in ``booked_at``, so an analysis as of an earlier day leaves out the returns made after it.

The rule has two forms: ``fold_returns`` over a frame, and ``counted_at`` in SQL for the
queries that sum the orders in the database instead of reading every row
(``services.abc_cells``). ``tests/test_abc_cells.py`` holds the two equal on varied data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, or_, select

from clientbase.db.dialect import next_day
from clientbase.db.models import orders
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES


def fold_returns(frame: pd.DataFrame, is_return) -> pd.DataFrame:
    """``frame`` without returns as rows of their own (see the module); ``is_return`` is a
    boolean array aligned with it. The rows keep their order; a new frame is returned."""
    ret = np.asarray(is_return, dtype=bool)
    frame = frame.reset_index(drop=True).assign(booked_at=frame["ordered_at"].to_numpy())
    if not ret.any():
        return frame
    buys = frame.loc[~ret, ["customer_id", "ordered_at", "order_key"]]
    buys = buys.rename(columns={"ordered_at": "_buy_at", "order_key": "_buy_key"})
    buys = buys.sort_values("_buy_at", kind="stable")
    rets = frame.loc[ret].assign(_row=np.flatnonzero(ret))
    rets = rets.assign(_day_end=rets["ordered_at"].dt.normalize() + pd.Timedelta(days=1))
    rets = rets.sort_values("_day_end", kind="stable")
    # The latest purchase before the end of the return's day: a same-day purchase counts.
    joined = pd.merge_asof(
        rets, buys, left_on="_day_end", right_on="_buy_at", by="customer_id",
        direction="backward", allow_exact_matches=False,
    )  # fmt: skip
    if joined["_buy_key"].isna().any():  # nothing before: the customer's first purchase
        first = buys.drop_duplicates("customer_id").set_index("customer_id")
        miss = joined["_buy_key"].isna()
        cid = joined.loc[miss, "customer_id"]
        joined.loc[miss, "_buy_key"] = cid.map(first["_buy_key"]).to_numpy()
        joined.loc[miss, "_buy_at"] = cid.map(first["_buy_at"]).to_numpy()
    joined = joined.dropna(subset=["_buy_key"])
    joined["ordered_at"] = joined["_buy_at"]
    joined["order_key"] = joined["_buy_key"].astype(frame["order_key"].dtype)
    kept = pd.concat(
        [frame.loc[~ret].assign(_row=np.flatnonzero(~ret)), joined[[*frame.columns, "_row"]]]
    )
    return kept.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True)


def counted_at(o, dialect: str):
    """The SQL form of the rule: the time a row of ``o`` (an alias of ``orders``, its rows
    live: status not uncounted, customer not erased) counts at. A purchase counts at its own
    time; a return at the time of its customer's latest purchase before the end of the
    return's day, else of their first purchase; NULL when they have no purchase (the row is
    left out). The row's own ``ordered_at`` is the day its money moved (``booked_at``)."""
    p = orders.alias("purchase")
    theirs = and_(
        p.c.customer_id == o.c.customer_id,
        or_(p.c.status.is_(None), p.c.status.not_in((*UNCOUNTED_ORDER_STATUSES, ORDER_RETURN))),
    )
    before_day_end = p.c.ordered_at < next_day(o.c.ordered_at, dialect)
    latest = select(func.max(p.c.ordered_at)).where(theirs, before_day_end).scalar_subquery()
    first = select(func.min(p.c.ordered_at)).where(theirs).scalar_subquery()
    return case((o.c.status == ORDER_RETURN, func.coalesce(latest, first)), else_=o.c.ordered_at)
