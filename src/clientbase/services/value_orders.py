"""The orders and customers the value analyses (RFM, LTV, churn) work on, and the groups of
``by`` (see :mod:`clientbase.services.value`)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine, Integer, case, cast, func, select

from clientbase.analytics.asof import as_of_day, stale_note
from clientbase.db.models import customers, imports, orders
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES
from clientbase.errors import ClientbaseError, UsageError
from clientbase.i18n import _
from clientbase.services.analytics import customer_groups, load_customers, load_orders

BY = ("channel", "source", "manager")
NO_GROUP = "—"


def load_value_orders(engine: Engine, *, with_manager: bool = False, with_margin: bool = False):
    """The live orders as ``services.analytics.load_orders`` gives them (the same rows), or a
    ClientbaseError (exit 1) when there are none yet: every value analysis needs some.

    On SQLite, when neither the order's manager nor its margin is needed, the rows come by a
    faster road (``_narrow_sqlite``); the margin column is then absent and ``order_key`` is a
    row number, which is as good: every row of ``orders`` is one order."""
    frame = None
    if engine.dialect.name == "sqlite" and not with_manager and not with_margin:
        frame = _narrow_sqlite(engine)
    if frame is None:
        frame = load_orders(engine, with_manager=with_manager)
    if frame.empty:
        raise ClientbaseError(
            _("there are no orders in the base yet"), hint=_("clientbase import ORDERS.csv")
        )
    return frame


def _narrow_sqlite(engine: Engine):
    """customer_id, ordered_at, amount, order_key of the live orders, read as three long
    strings (``group_concat``) and parsed by numpy.

    A million rows fetched as Python tuples cost ~2.5 s in object creation and conversion; the
    strings take ~1.4 s to build and ~0.5 s to parse. The aggregates of one query see the rows
    in the same order, so the three lists line up; a NULL would be skipped and shift one of
    them, so a length mismatch (not expected: the columns are NOT NULL) returns None and the
    caller takes the ordinary road. Erased customers are excluded by a subquery rather than a
    join: SQLite would otherwise look up each order's customer, three times slower. The time
    is rounded to the second (julianday, exact to about a millisecond), more than the
    analyses need: they work in days."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.returns import fold_returns
    from clientbase.db.joined import floats_of

    o, c = orders, customers
    seconds = cast(func.round((func.julianday(o.c.ordered_at) - 2440587.5) * 86400), Integer)
    q = select(
        func.group_concat(o.c.customer_id),
        func.group_concat(seconds),
        func.group_concat(func.coalesce(o.c.amount, 0.0)),
        func.group_concat(case((o.c.status == ORDER_RETURN, 1), else_=0)),
    ).where(
        o.c.status.is_(None) | o.c.status.not_in(UNCOUNTED_ORDER_STATUSES),
        o.c.customer_id.not_in(select(c.c.id).where(c.c.status == "erased")),
    )
    with engine.connect() as conn:
        ids, times, amounts, returns = conn.execute(q).one()
    if ids is None:  # no rows: group_concat of nothing is NULL
        ids = times = amounts = returns = ""
    cid = np.fromstring(ids, dtype=np.int64, sep=",") if ids else np.zeros(0, np.int64)
    ts = np.fromstring(times, dtype=np.int64, sep=",") if times else np.zeros(0, np.int64)
    amount = floats_of(amounts) if amounts else np.zeros(0)
    ret = np.fromstring(returns, dtype=np.int64, sep=",") if returns else np.zeros(0, np.int64)
    if not len(cid) == len(ts) == len(amount) == len(ret):
        return None
    frame = pd.DataFrame(
        {
            "customer_id": cid,
            "ordered_at": pd.to_datetime(ts, unit="s"),
            "amount": amount,
            "order_key": np.arange(len(cid), dtype=np.int64),
        }
    )
    return fold_returns(frame, ret == 1)


def groups_for(engine: Engine, frame, people, by: str):
    """customer id -> group label for ``by`` (see the module's "Groups")."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    if by not in BY:
        raise UsageError(_("--by {by!r}: one of {choices}").format(by=by, choices=", ".join(BY)))
    if by == "channel":
        return people["channel"]
    if by == "manager":
        return customer_groups(frame, people, "manager")
    c, i = customers, imports
    q = select(c.c.id, i.c.source_label, i.c.file_name).join(i, i.c.id == c.c.created_import_id)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return pd.Series(
        {row.id: (row.source_label or row.file_name) for row in rows}, dtype=object, name="source"
    )


def names_of(people, ids):
    """Display names for customer ids (None where a name is missing)."""
    names = people["name"].reindex(ids).to_numpy(dtype=object)
    return [None if (n is None or n != n or n == "") else n for n in names]


def load_names(engine: Engine):
    """id -> display name of every customer, and nothing else: the per-customer lists need
    only the name, and reading the four other columns of ``load_customers`` would double the
    time on a large base."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    with engine.connect() as conn:
        rows = conn.execute(select(customers.c.id, customers.c.display_name)).all()
    ids, names = zip(*rows, strict=True) if rows else ((), ())
    return pd.DataFrame({"name": list(names)}, index=pd.Index(list(ids), name="id"))


def people_for(engine: Engine, by: str | None):
    """The per-customer columns a report needs: names, and the groups' sources when grouped."""
    return load_customers(engine) if by else load_names(engine)


def last_order_day(frame) -> date:
    return frame["ordered_at"].max().date()


def figures_day(frame, as_of: date | None) -> tuple[date, list[str]]:
    """The day the figures count to (``analytics.asof``) and, when the orders end long before
    it, the note that says so."""
    day = as_of_day(as_of)
    until = frame[frame["ordered_at"].to_numpy() < np.datetime64(day + timedelta(days=1))]
    note = stale_note(last_order_day(until) if len(until) else None, day)
    return day, [note] if note else []


def money(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 2)


def matrix_rows(table, key: str) -> list[dict]:
    """A cohort matrix as rows: cohort, customers, and the values by months since (None for
    the months still to come)."""
    sizes = table.attrs.get("customers", {})
    rows = []
    for cohort, values in zip(table.index, table.to_numpy(float), strict=True):
        cells = [None if math.isnan(v) else round(float(v), 4) for v in values]
        rows.append({"cohort": cohort, "customers": int(sizes.get(cohort, 0)), key: cells})
    return rows


def group_labels(frame, groups):
    """The group of each order row's customer ("—" for none)."""
    labels = frame["customer_id"].map(groups.astype(object))
    return labels.where(labels.notna(), NO_GROUP).astype(object)


def group_sort_key(name: str):
    return (name == NO_GROUP, str(name))
