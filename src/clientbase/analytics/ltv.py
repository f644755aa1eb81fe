"""Customer lifetime value: historical per customer and per group, and the cohort table.

Pure functions over a frame of orders (``services.analytics.load_orders``: customer_id,
ordered_at, amount, margin, order_key). The predictive model (BG/NBD + Gamma-Gamma) is in
``clv.py``; the helpers here (``prepare_orders``, ``customer_totals``) serve RFM and churn too,
and ``prepare_orders`` is how ABC/XYZ reads its orders as well.

Historical LTV
    The textbook formula is average order value x orders per period x lifespan in periods. With
    the observed figures of one customer the product telescopes: (revenue / orders) x
    (orders / lifespan) x lifespan = revenue. So what is computed is exactly that, the revenue the
    customer has brought so far (orders dated on or before ``as_of``), times the gross margin when
    one is given (``margin=0.3`` for 30 %). Computing the product literally would only add
    rounding, and a one-order customer (lifespan 0) would come out as 0 or 0/0. The parts are
    reported alongside: ``avg_order_value`` = revenue / orders, ``lifespan_days`` = days from the
    first to the last order (0 for one order). Orders are distinct ``order_key`` values.

    Averages per group (``by_group``) compare acquisition channels: what a customer who came from
    Yandex.Direct has been worth against one from word of mouth. Newer customers have had less
    time to buy, so a channel that only started recently looks worse than it will be; the cohort
    table shows that effect.

Cohort table
    Customers are grouped by the calendar month of their first order (the acquisition month).
    Cell (cohort, k) = the cohort's value (``revenue``: sum of ``amount``; ``margin``: sum of the
    orders' recorded margin, an order without one adding nothing) in calendar months 0..k after
    the acquisition month, divided by the number of customers acquired that month: cumulative
    value per acquired customer. Months after the last order month in the data have not
    happened yet: those cells are NaN (not the last value carried on), so a young cohort's row
    is shorter. The cohort sizes are in ``table.attrs["customers"]``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

import numpy as np
import pandas as pd

from clientbase.errors import ClientbaseError, UsageError
from clientbase.i18n import _, ngettext

VALUES = ("revenue", "margin")
NO_GROUP = "—"
HISTORICAL_COLUMNS = (
    "customer_id", "first_order", "last_order", "orders", "revenue", "avg_order_value",
    "lifespan_days", "ltv",
)  # fmt: skip


def to_day(value) -> pd.Timestamp:
    """A date, datetime, Timestamp or ISO string as midnight of that day."""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    elif isinstance(value, date):
        value = datetime(value.year, value.month, value.day)
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError):
        raise UsageError(_("not a date: {value!r}").format(value=value)) from None


# While ``sharing_prepared`` runs: the last frame prepare_orders made, what of (a weak reference to
# the input, until day, need_margin), and its customer_totals once asked for. One frame at most:
# each is a copy of up to every order, kept no longer than until another is asked for.
_SHARED: ContextVar[dict | None] = ContextVar("clientbase_prepared_orders", default=None)


@contextmanager
def sharing_prepared() -> Iterator[None]:
    """Within it, ``prepare_orders`` asked again of the frame it last prepared, with the same
    options, gives the same frame (and ``customer_totals`` of it the same totals): a report
    asks RFM, LTV, retention and churn for the orders up to one day, a copy of a million rows
    each time. The input frame must not be changed meanwhile (the report's orders are not);
    the shared frame is read-only, so that a caller writing into it fails instead of changing
    what the next one reads."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def prepare_orders(frame: pd.DataFrame, *, until=None, need_margin: bool = False) -> pd.DataFrame:
    """The columns the value analyses use, in the dtypes they expect, limited to orders dated
    on or before ``until`` (a day, whatever the time of the order). A new frame; the input is
    left alone (within ``sharing_prepared``, possibly the read-only frame made before)."""
    shared = _SHARED.get()
    if shared is None:
        columns, owned = _prepared_columns(frame, until=until, need_margin=need_margin)
        # columns of their own (cut): the frame takes them as they are, not copied again into
        # one block per dtype; else copied, so that the frame is the caller's to change
        return pd.DataFrame(columns, copy=not owned)
    day = None if until is None else to_day(until)
    last = shared.get("of")
    if last is not None and last[0]() is frame and last[1:] == (day, need_margin):
        return shared["frame"]
    shared.clear()  # the frame before is let go first: at most one copy of the orders at a time
    columns, _owned = _prepared_columns(frame, until=until, need_margin=need_margin)
    for values in columns.values():
        values.flags.writeable = False  # shared: nobody writes into it
    shared.update(
        of=(weakref.ref(frame), day, need_margin), frame=pd.DataFrame(columns, copy=False)
    )
    return shared["frame"]


def _prepared_columns(frame: pd.DataFrame, *, until, need_margin: bool) -> tuple[dict, bool]:
    """The columns of ``prepare_orders`` as numpy arrays, and whether they are new arrays of
    their own (cut to ``until``) rather than some of them the input's."""
    required = ["customer_id", "ordered_at", "amount", "order_key"]
    if need_margin:
        required.append("margin")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ClientbaseError(
            _("orders lack the column(s) {missing}").format(missing=", ".join(missing))
        )
    ts = frame["ordered_at"]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)  # the shop's wall-clock day decides, as elsewhere
    if ts.isna().any():
        missing_dates = int(ts.isna().sum())
        raise ClientbaseError(
            ngettext(
                "{n} order row(s) have no date", "{n} order row(s) have no date", missing_dates
            ).format(n=missing_dates)
        )
    columns = {
        "customer_id": frame["customer_id"].to_numpy(np.int64),
        "ordered_at": ts.to_numpy("datetime64[ns]"),
        "amount": frame["amount"].astype(float).fillna(0.0).to_numpy(),
        "order_key": frame["order_key"].to_numpy(),
    }
    if "margin" in frame.columns:
        columns["margin"] = frame["margin"].astype(float).fillna(0.0).to_numpy()
    if "booked_at" in frame.columns:  # a return folded into its purchase: see analytics.returns
        columns["booked_at"] = frame["booked_at"].to_numpy("datetime64[ns]")
    if "name" in frame.columns:  # ABC/XYZ lists its customers with the name given
        columns["name"] = frame["name"].to_numpy()
    if until is not None:
        # the columns cut before the frame is made: a frame of every order and then its
        # part would be two copies of a million rows
        end = (to_day(until) + pd.Timedelta(days=1)).to_datetime64()
        keep = columns["ordered_at"] < end
        if "booked_at" in columns:
            keep &= columns["booked_at"] < end
        if not keep.all():
            return {k: v[keep] for k, v in columns.items()}, True
    return columns, False


def distinct_orders(orders: pd.DataFrame) -> np.ndarray:
    """True on the first row of each (customer, order_key): one order, however many lines."""
    keys = orders["order_key"]
    if keys.is_unique:  # the base's own orders: one row each, nothing to fold
        return np.ones(len(orders), dtype=bool)
    return ~orders.duplicated(["customer_id", "order_key"]).to_numpy()


def customer_totals(orders: pd.DataFrame) -> pd.DataFrame:
    """Per customer (index, ascending): first and last order time, distinct orders, revenue.
    Within ``sharing_prepared``, made once per frame (not to be changed by the caller)."""
    shared = _SHARED.get()
    if shared is None or shared.get("frame") is not orders:
        return _customer_totals(orders)
    if "totals" not in shared:
        shared["totals"] = _customer_totals(orders)
    return shared["totals"]


def _customer_totals(orders: pd.DataFrame) -> pd.DataFrame:
    first_row = distinct_orders(orders)
    g = orders.assign(_order=first_row).groupby("customer_id", sort=True)
    totals = g.agg(
        first=("ordered_at", "min"),
        last=("ordered_at", "max"),
        orders=("_order", "sum"),
        revenue=("amount", "sum"),
    )
    totals["orders"] = totals["orders"].astype(np.int64)
    return totals


def historical(frame: pd.DataFrame, *, as_of=None, margin: float | None = None) -> pd.DataFrame:
    """Historical LTV per customer (``HISTORICAL_COLUMNS``), in ``customer_id`` order.

    ``as_of``: orders dated after it are left out (None: all). ``margin``: gross margin as a
    fraction (0.3 = 30 %); None keeps ``ltv`` equal to revenue."""
    check_margin(margin)
    totals = customer_totals(prepare_orders(frame, until=as_of))
    first = totals["first"].dt.normalize()
    last = totals["last"].dt.normalize()
    revenue = totals["revenue"].astype(float)
    out = pd.DataFrame(
        {
            "customer_id": totals.index.to_numpy(np.int64),
            "first_order": first.to_numpy(),
            "last_order": last.to_numpy(),
            "orders": totals["orders"].to_numpy(np.int64),
            "revenue": revenue.to_numpy(),
            "avg_order_value": (revenue / totals["orders"]).to_numpy(),
            "lifespan_days": (last - first).dt.days.to_numpy(np.int64),
            "ltv": (revenue * (margin if margin is not None else 1.0)).to_numpy(),
        }
    )
    return out


def by_group(hist: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Per group (``groups``: customer id -> label; a customer without one is "—"): customers,
    avg_ltv, total and median LTV, the most valuable customers' group first."""
    labels = hist["customer_id"].map(groups.astype(object))
    labels = labels.where(labels.notna(), NO_GROUP)
    table = (
        pd.DataFrame({"group": labels.to_numpy(), "ltv": hist["ltv"].to_numpy(float)})
        .groupby("group", sort=False)["ltv"]
        .agg(customers="size", avg_ltv="mean", total="sum", median="median")
        .reset_index()
    )
    table["customers"] = table["customers"].astype(np.int64)
    # Stable and reproducible: equal averages fall back to the group's name.
    return table.sort_values(["avg_ltv", "group"], ascending=[False, True], ignore_index=True)


def cohort_table(
    frame: pd.DataFrame,
    *,
    value: str = "revenue",
    max_months: int | None = None,
    end=None,
) -> pd.DataFrame:
    """Cumulative value per acquired customer: rows "YYYY-MM" (acquisition month, oldest first),
    columns 0..k (months since the first order); future cells NaN. Sizes in
    ``attrs["customers"]``. ``end`` is the day the data run to (default: the last order's);
    a part of the base (one channel) passes the whole base's, so that its months without
    orders read as 0, not as the future."""
    if value not in VALUES:
        raise UsageError(
            _("value must be one of {choices}, got {value!r}").format(
                choices=", ".join(VALUES), value=value
            )
        )
    orders = prepare_orders(frame, need_margin=value == "margin")
    values = orders["amount" if value == "revenue" else "margin"].to_numpy(float)
    return _cohort_matrix(orders, max_months, values=values, end=end)


def month_codes(ts: pd.Series) -> np.ndarray:
    """Calendar months as consecutive integers (year x 12 + month - 1)."""
    # numpy's month unit counts from 1970-01 and floors a time to its month (before 1970 too)
    return ts.to_numpy("datetime64[ns]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def month_label(code: int) -> str:
    return f"{code // 12:04d}-{code % 12 + 1:02d}"


def _cohort_matrix(
    orders: pd.DataFrame, max_months: int | None, *, values: np.ndarray | None, end=None
) -> pd.DataFrame:
    """The shared shape of the cohort table and retention: per acquisition month and months
    since, the summed ``values`` made cumulative per customer, or (``values`` None) the share
    of the cohort that bought in that month."""
    if max_months is not None and max_months < 0:
        raise UsageError(
            _("max_months must be 0 or more, got {max_months}").format(max_months=max_months)
        )
    if orders.empty:
        table = pd.DataFrame(index=pd.Index([], name="cohort", dtype=object), dtype=float)
        table.attrs["customers"] = {}
        return table
    month = month_codes(orders["ordered_at"])
    cust_code, customer_ids = pd.factorize(orders["customer_id"])
    # each customer's first month, by their codes (a groupby would hash the codes again)
    first_of = np.full(len(customer_ids), np.iinfo(np.int64).max)
    np.minimum.at(first_of, cust_code, month)
    first = first_of[cust_code]
    since = month - first
    last_month = int(month.max())
    if end is not None:
        day = to_day(end)
        last_month = max(last_month, day.year * 12 + day.month - 1)
    cohorts, cohort_sizes = np.unique(first_of, return_counts=True)
    width = last_month - int(cohorts[0]) + 1
    if max_months is not None:
        width = min(width, max_months + 1)

    # One integer per (cohort, months since) cell: grouping by one key, not two, is several
    # times faster, and each cell still sums the same rows in the same order.
    span = last_month - int(cohorts[0]) + 1  # since < span for every row
    cell = (first - int(cohorts[0])) * span + since
    if values is None:  # customers buying in the cell: each customer once
        cell = pd.unique(cell * len(customer_ids) + cust_code) // len(customer_ids)
        keys, counts = np.unique(cell, return_counts=True)
        sums = counts.astype(float)
    else:
        grid = pd.Series(values).groupby(cell).sum()
        keys, sums = grid.index.to_numpy(), grid.to_numpy(float)
    row = np.searchsorted(cohorts, keys // span + int(cohorts[0]))
    k = keys % span
    shown = k < width
    dense = np.zeros((len(cohorts), width))
    dense[row[shown], k[shown]] = sums[shown]
    matrix = pd.DataFrame(dense, index=cohorts, columns=range(width))
    if values is not None:
        matrix = matrix.cumsum(axis=1)
    matrix = matrix.div(cohort_sizes.astype(float), axis=0)
    future = (cohorts[:, None] + np.arange(width)[None, :]) > last_month
    matrix = matrix.mask(future)
    matrix.index = pd.Index([month_label(int(c)) for c in cohorts], name="cohort")
    matrix.columns = list(range(width))
    matrix.attrs["customers"] = {
        month_label(int(c)): int(n) for c, n in zip(cohorts, cohort_sizes, strict=True)
    }
    return matrix


def check_margin(margin: float | None) -> None:
    if margin is None:
        return
    if not 0 < margin <= 1:
        raise UsageError(
            _("margin is a fraction of revenue between 0 and 1, got {margin:g}").format(
                margin=margin
            ),
            hint=_("--margin 0.3 for 30 %"),
        )
