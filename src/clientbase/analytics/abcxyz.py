"""ABC/XYZ classification of customers (its migration and portfolios: analytics.abc_moves).

Pure functions: a frame of orders in, plain results out (no database, no I/O). The rules, which
the result repeats in ``params["rules"]`` so every report says how it was computed:

Window
    ``start`` .. ``end`` inclusive, by calendar date of ``ordered_at``; a missing start is the
    first order's date, a missing end the last order's date. Only customers with at least one
    order row in the window are classified (customers without purchases are not ranked; the
    caller reports them separately).

ABC (value)
    The metric (``revenue`` = sum of ``amount``, ``margin`` = sum of ``margin`` with NaN as 0,
    ``orders`` = distinct ``order_key``) is summed over the WHOLE window, partial periods
    included. Customers are sorted by it descending (money to the kopeck: sums that differ only
    in the float noise of the order they were added up in are equal), ties by ``customer_id``
    ascending so that reruns give the same classes. For each customer the cumulative share of the total taken by
    the customers BEFORE it decides: share < a -> A, share < b -> B, else C. So the customer
    whose own value crosses (or lands exactly on) the a-cut-off is still A, and the next one,
    starting exactly at a, is B. Customers with a metric <= 0 (only refunds, negative margin)
    are C and do not count in the total (otherwise the shares of the others would exceed 100 %).
    Shares within 1e-7 percentage points of a cut-off count as on it: sums of money in floats
    (0.5 + 0.3 = 0.7999999999999999) must not move a customer across a boundary.

XYZ (stability)
    The metric per customer per FULL calendar period of the window (ISO weeks starting on
    Monday, months, quarters; see ``period_labels``). Orders in the partial periods at either end
    count for ABC only. With ``zero_periods="count"`` a full period without purchases is a 0;
    with ``"ignore"`` only periods with purchases are used. CV = population standard deviation
    (ddof=0) / mean x 100. CV <= x -> X, <= y -> Y, else Z. A customer with fewer than
    ``min_periods`` active periods (periods with at least one order row), or a mean <= 0 (no
    meaningful variation relative to nothing, and a negative mean would make every CV "X"), is
    not classified: xyz "-" and cv NaN. For ``metric="orders"`` an order counts once, in the
    period of its earliest row (lines added to an order later do not make a second period active).

Thresholds
    10 % / 25 % are the classic XYZ cut-offs, but they come from yearly data: monthly purchases of
    a retail customer vary much more, and almost everyone lands in Z. They stay the default (it is
    what people know) and the result adds a note suggesting 50 / 100 for weekly and monthly data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from clientbase.analytics.ltv import prepare_orders
from clientbase.analytics.periods import full_codes, period_codes, period_label
from clientbase.errors import UsageError
from clientbase.i18n import N_, _, ngettext

PERIODS = ("week", "month", "quarter")
METRICS = ("revenue", "margin", "orders")
ZERO_PERIODS = ("count", "ignore")
ABC = ("A", "B", "C")
XYZ = ("X", "Y", "Z")
UNCLASSIFIED = "-"
NO_GROUP = "—"
MIGRATION_FROM = (*ABC, "new")
MIGRATION_TO = (*ABC, "gone")

# Percentage points: below any meaningful share, above the rounding noise of summing 10^5 floats.
_TOL = 1e-7
# Monday of the ISO week holding 1970-01-01 (a Thursday): week codes count weeks from it.
_ADJECTIVE = {"week": N_("weekly"), "month": N_("monthly"), "quarter": N_("quarterly")}


@dataclass(frozen=True)
class AbcXyzParams:
    start: date | None = None
    end: date | None = None
    period: str = "month"
    metric: str = "revenue"
    abc: tuple[float, float] = (80.0, 95.0)
    xyz: tuple[float, float] = (10.0, 25.0)
    zero_periods: str = "count"
    min_periods: int = 3

    def __post_init__(self) -> None:
        # Validated on construction so a bad option fails before any data is read; the CLI
        # turns UsageError into exit 2 with the message.
        check_choice("period", self.period, PERIODS)
        check_choice("metric", self.metric, METRICS)
        check_choice("zero_periods", self.zero_periods, ZERO_PERIODS)
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime):  # a datetime is a date; keep only the day
                object.__setattr__(self, name, value.date())
        if self.start and self.end and self.start > self.end:
            raise UsageError(
                _("the window starts after it ends ({start} > {end})").format(
                    start=self.start, end=self.end
                )
            )
        abc = _pair("abc", self.abc)
        if not 0 <= abc[0] <= abc[1] <= 100:
            raise UsageError(
                _("ABC cut-offs must be 0 <= A <= B <= 100 %, got {abc:g},{abc2:g}").format(
                    abc=abc[0], abc2=abc[1]
                )
            )
        xyz = _pair("xyz", self.xyz)
        if not 0 <= xyz[0] <= xyz[1]:
            raise UsageError(
                _("XYZ cut-offs must be 0 <= X <= Y, got {xyz:g},{xyz2:g}").format(
                    xyz=xyz[0], xyz2=xyz[1]
                )
            )
        if isinstance(self.min_periods, bool) or not isinstance(self.min_periods, int):
            raise UsageError(
                _("min_periods must be a whole number, got {min_periods!r}").format(
                    min_periods=self.min_periods
                )
            )
        if self.min_periods < 1:
            raise UsageError(
                _("min_periods must be at least 1, got {min_periods}").format(
                    min_periods=self.min_periods
                )
            )
        object.__setattr__(self, "abc", abc)
        object.__setattr__(self, "xyz", xyz)


@dataclass
class AbcXyzResult:
    params: dict
    customers: pd.DataFrame
    matrix: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"params": self.params, "matrix": self._matrix_json(), "customers": self._rows()}

    def _matrix_json(self) -> dict:
        return {
            cell: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in stats.items()}
            for cell, stats in self.matrix.items()
        }

    def _rows(self) -> list[dict]:
        """The customers as plain JSON values, built a column at a time (a frame's
        ``to_dict`` and a fix-up per row took seconds on 100,000 customers)."""
        frame = self.customers
        keys = ["id", "abc", "xyz", "value", "revenue", "orders", "cv", "active_periods"]
        columns = [
            frame["customer_id"].to_numpy(np.int64).tolist(),
            frame["abc"].tolist(),
            frame["xyz"].tolist(),
            _plain_values(frame["value"].to_numpy()),
            [round(v, 2) for v in frame["revenue"].to_numpy(float).tolist()],
            frame["orders"].to_numpy(np.int64).tolist(),
            [None if v != v else round(v, 4) for v in frame["cv"].to_numpy(float).tolist()],
            frame["active_periods"].to_numpy(np.int64).tolist(),
        ]
        if "name" in frame.columns:
            names = frame["name"].to_numpy(object)
            missing = pd.isna(names)
            keys.insert(1, "name")
            columns.insert(1, [None if m else n for n, m in zip(names, missing, strict=True)])
        # the columns are of one frame, of one length: a plain zip (a strict one per row
        # costs a quarter of the dicts' time on 100,000 customers)
        return [dict(zip(keys, values)) for values in zip(*columns)]  # noqa: B905


# --- periods -----------------------------------------------------------------------------------


def period_labels(start: date, end: date, period: str) -> list[str]:
    """Labels of the full calendar periods inside [start, end]: "2026-01", "2026-W03", "2026-Q1".

    A period that starts before ``start`` or ends after ``end`` is left out (2026-01-15 ..
    2026-06-30 by month gives 2026-02 .. 2026-06). Weeks are ISO weeks (Monday to Sunday) and are
    labelled with the ISO year, so 2024-12-30 .. 2025-01-05 is "2025-W01".
    """
    check_choice("period", period, PERIODS)
    first, last = full_codes(start, end, period)
    return [period_label(code, period) for code in range(first, last + 1)]


# --- classification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderCells:
    """The order rows of a window summed per (customer, period): all ABC/XYZ reads of them.

    One entry per cell with at least one row; ``orders`` counts the distinct orders whose
    earliest row falls in the cell (so an order counts once, in one period), ``rows`` the rows
    (returns folded into their purchase included). ``margin`` is None unless asked for. Made
    from a frame of orders by ``order_cells`` and, from the database without reading every
    row, by ``services.abc_cells``: both give the same cells (tests hold them equal)."""

    customer: np.ndarray  # int64 customer ids
    period: np.ndarray  # int64 period codes (analytics.periods)
    amount: np.ndarray  # float64
    orders: np.ndarray  # int64
    rows: np.ndarray  # int64
    margin: np.ndarray | None = None  # float64

    @classmethod
    def empty(cls, *, with_margin: bool = False) -> OrderCells:
        ints, floats = np.zeros(0, np.int64), np.zeros(0)
        return cls(ints, ints, floats, ints, ints, floats if with_margin else None)


def classify(orders: pd.DataFrame, params: AbcXyzParams) -> AbcXyzResult:
    """Classify the customers with orders in the window; see the module docstring for the rules.

    ``orders``: customer_id, ordered_at, amount, order_key, margin (needed for metric="margin"),
    optional name. One row per order line; cancelled and returned orders already left out.
    """
    frame = prepare_orders(orders, need_margin=params.metric == "margin")
    ts = frame["ordered_at"]
    first_day, last_day = (ts.min().date(), ts.max().date()) if len(frame) else (None, None)
    start, end = resolve_window(first_day, last_day, params)
    if start is not None:
        frame = frame[in_window(frame["ordered_at"], start, end)]
    cells = order_cells(frame, params.period, with_margin=params.metric == "margin")
    names = None
    if "name" in frame.columns:
        names = frame.groupby("customer_id", sort=False)["name"].first()
    return classify_cells(cells, params, start, end, names=names)


def order_cells(frame: pd.DataFrame, period: str, *, with_margin: bool = False) -> OrderCells:
    """The cells (see ``OrderCells``) of a prepared frame of orders (``ltv.prepare_orders``),
    in the order each cell first appears; each cell's sums run in row order."""
    if not len(frame):
        return OrderCells.empty(with_margin=with_margin)
    cust_code, cust_ids = pd.factorize(frame["customer_id"])
    codes = period_codes(frame["ordered_at"].to_numpy(), period)
    low = int(codes.min())
    span = int(codes.max()) - low + 1
    # One number per (customer, period): customer code * span + period offset.
    cell_code, cells = pd.factorize(cust_code.astype(np.int64) * span + (codes - low))
    cells = np.asarray(cells, dtype=np.int64)
    n = len(cells)
    amount = np.bincount(cell_code, weights=frame["amount"].to_numpy(float), minlength=n)
    margin = None
    if with_margin:
        margin = np.bincount(cell_code, weights=frame["margin"].to_numpy(float), minlength=n)
    order_cust, order_ts = distinct_orders(cust_code, frame["order_key"], frame["ordered_at"])
    order_cell = order_cust.astype(np.int64) * span + (period_codes(order_ts, period) - low)
    orders = np.bincount(pd.Index(cells).get_indexer(order_cell), minlength=n)
    return OrderCells(
        customer=np.asarray(cust_ids, dtype=np.int64)[cells // span],
        period=cells % span + low,
        amount=amount.astype(float),
        orders=orders.astype(np.int64),
        rows=np.bincount(cell_code, minlength=n).astype(np.int64),
        margin=None if margin is None else margin.astype(float),
    )


def classify_cells(
    cells: OrderCells,
    params: AbcXyzParams,
    start: date | None,
    end: date | None,
    *,
    names: pd.Series | None = None,
) -> AbcXyzResult:
    """Classify the customers of the cells of the window ``start`` .. ``end`` (resolved:
    ``resolve_window``); ``names`` (customer id -> name) adds a name column."""
    period = params.period
    if start is None:
        first, last = 0, -1
    else:
        first, last = full_codes(start, end, period)
    n_periods = max(last - first + 1, 0)

    # Cells in customer and period order, whichever road made them: float sums then add up
    # in the same order, to the last bit.
    order = np.lexsort((cells.period, cells.customer))
    cells = OrderCells(
        *(None if a is None else a[order] for a in (cells.customer, cells.period, cells.amount,
                                                     cells.orders, cells.rows, cells.margin))
    )  # fmt: skip
    # Customers as codes 0..n-1, so every per-customer sum below is one np.bincount.
    cust_code, cust_ids = pd.factorize(cells.customer)
    n = len(cust_ids)
    # astype: bincount of an empty array is an integer array even with float weights.
    revenue = np.bincount(cust_code, weights=cells.amount, minlength=n).astype(float)
    n_orders = np.bincount(cust_code, weights=cells.orders, minlength=n).astype(np.int64)

    if params.metric == "orders":
        value = n_orders
        # A period is active for the number of orders when an order starts in it.
        has = cells.orders > 0
        cell_cust, cell_period, weights = cust_code[has], cells.period[has], cells.orders[has]
    else:
        weights = cells.amount if params.metric == "revenue" else cells.margin
        value = (
            revenue
            if params.metric == "revenue"
            else np.bincount(cust_code, weights, n).astype(float)
        )
        cell_cust, cell_period = cust_code, cells.period

    cv, active = _variation(
        cell_cust, cell_period, np.asarray(weights, float), n, first, n_periods,
        params.zero_periods,
    )  # fmt: skip
    classified = (active >= params.min_periods) & ~np.isnan(cv)
    x_cut, y_cut = params.xyz
    xyz = np.where(cv <= x_cut + _TOL, "X", np.where(cv <= y_cut + _TOL, "Y", "Z"))
    xyz = np.where(classified, xyz, UNCLASSIFIED)
    cv = np.where(classified, cv, np.nan)  # a CV without a class would only confuse

    customers = pd.DataFrame(
        {
            "customer_id": np.asarray(cust_ids, dtype=np.int64),
            "abc": "C",
            "xyz": xyz,
            "value": value,
            "revenue": revenue,
            "orders": n_orders,
            "cv": cv,
            "active_periods": active,
        }
    )
    if names is not None:
        customers.insert(1, "name", names.reindex(customers["customer_id"]).to_numpy())
    rank = value if params.metric == "orders" else np.round(np.asarray(value, float), 2)
    customers = customers.assign(_rank=rank).sort_values(
        ["_rank", "customer_id"], ascending=[False, True], kind="mergesort", ignore_index=True
    )
    customers = customers.drop(columns="_rank")
    customers["abc"] = _abc(customers["value"].to_numpy(float), params.abc)

    inside = (cells.period >= first) & (cells.period <= last)
    outside = int(cells.rows[~inside].sum())
    labels = [period_label(code, period) for code in range(first, first + n_periods)]
    result_params = _params_dict(params, start, end, labels, outside)
    return AbcXyzResult(result_params, customers, _matrix(customers))


def _abc(sorted_values: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """ABC classes of values already sorted descending (the rule is in the module docstring)."""
    positive = np.clip(sorted_values, 0, None)
    total = positive.sum()
    # Exclusive cumulative sum: the share taken by the customers before this one.
    before = np.concatenate(([0.0], np.cumsum(positive)[:-1])) if len(positive) else positive
    share = before / total * 100 if total > 0 else np.zeros_like(before)
    a_cut, b_cut = cuts
    classes = np.where(share < a_cut - _TOL, "A", np.where(share < b_cut - _TOL, "B", "C"))
    return np.where(sorted_values > 0, classes, "C")


def _variation(
    cell_cust: np.ndarray,
    cell_period: np.ndarray,
    cell_value: np.ndarray,
    n: int,
    first: int,
    n_periods: int,
    zero_periods: str,
) -> tuple[np.ndarray, np.ndarray]:
    """CV in % and the number of active full periods per customer code (NaN CV: no mean > 0),
    from cells of distinct (customer code, period code) with their value."""
    if n_periods == 0:
        return np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    offset = cell_period - first
    inside = (offset >= 0) & (offset < n_periods)  # partial periods at the ends: ABC only
    cell_cust, cell_value = cell_cust[inside], cell_value[inside]
    active = np.bincount(cell_cust, minlength=n)
    total = np.bincount(cell_cust, weights=cell_value, minlength=n).astype(float)
    count = np.full(n, n_periods) if zero_periods == "count" else active
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
        # Two passes (deviations from the mean), not E[x^2] - mean^2, which loses the small
        # variance of steady customers to cancellation.
        # float even when no purchase falls in a full period (bincount of nothing is int).
        squares = np.bincount(
            cell_cust, weights=(cell_value - mean[cell_cust]) ** 2, minlength=n
        ).astype(float)
        if zero_periods == "count":
            squares += (n_periods - active) * mean**2  # the periods without purchases, at 0
        cv = np.sqrt(squares / count) / mean * 100
    cv[~(mean > 0)] = np.nan
    return cv, active


def _matrix(customers: pd.DataFrame) -> dict:
    xyz_classes = list(XYZ)
    if (customers["xyz"] == UNCLASSIFIED).any():
        xyz_classes.append(UNCLASSIFIED)
    cells = customers["abc"] + customers["xyz"]
    grouped = customers.groupby(cells)
    counts = grouped.size()
    revenue = grouped["revenue"].sum()
    value = grouped["value"].sum()
    n_total = len(customers)
    revenue_total = float(customers["revenue"].sum())
    value_total = float(customers["value"].sum())
    matrix = {}
    for a in ABC:
        for x in xyz_classes:
            key = a + x
            n = int(counts.get(key, 0))
            r = float(revenue.get(key, 0.0))
            v = _plain_value(value.get(key, value.dtype.type(0)))
            matrix[key] = {
                "customers": n,
                "revenue": r,
                "value": v,
                "share_customers": n / n_total * 100 if n_total else 0.0,
                "share_revenue": r / revenue_total * 100 if revenue_total else 0.0,
                "share_value": v / value_total * 100 if value_total else 0.0,
            }
    return matrix


def _params_dict(
    params: AbcXyzParams,
    start: date | None,
    end: date | None,
    labels: list[str],
    outside: int,
) -> dict:
    period = params.period
    notes = []
    if period in ("week", "month") and params.xyz[1] <= 25:
        notes.append(
            _(
                "XYZ cut-offs {x:g} / {y:g} % come from yearly data: with {adjective} data most "
                "retail customers land in Z; 50 / 100 % suit it better"
            ).format(x=params.xyz[0], y=params.xyz[1], adjective=_(_ADJECTIVE[period]))
        )
    if start is not None:
        if len(labels) < params.min_periods:
            notes.append(_too_short(len(labels), params.min_periods, period))
        if outside:
            notes.append(_outside(outside, period))
    return {
        "start": params.start.isoformat() if params.start else None,
        "end": params.end.isoformat() if params.end else None,
        "period": period,
        "metric": params.metric,
        "abc": list(params.abc),
        "xyz": list(params.xyz),
        "zero_periods": params.zero_periods,
        "min_periods": params.min_periods,
        "window": {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
        },
        "periods": labels,
        "rules": rules_text(params, len(labels)),
        "notes": notes,
    }


def rules_text(params: AbcXyzParams, n_periods: int) -> str:
    """One line a person can read: how this classification was computed."""
    a, b = params.abc
    x, y = params.xyz
    unit = params.period
    return _(_RULES[params.metric]).format(
        a=a, b=b, x=x, y=y,
        adjective=_(_ADJECTIVE[unit]),
        periods=_full_periods(n_periods, unit),
        zeros=_(_ZEROS[unit, params.zero_periods]),
        active=_active_periods(params.min_periods, unit),
        unclassified=UNCLASSIFIED,
    )  # fmt: skip


# One sentence per metric, so a language can put the metric's word in the case it needs.
_RULES = {
    "revenue": N_(
        "ABC by revenue, A ≤ {a:g} % < B ≤ {b:g} % < C of the cumulative total, the customer who "
        "crosses a cut-off stays in the upper class, revenue ≤ 0: C; XYZ by the coefficient of "
        "variation (population std / mean) of {adjective} revenue over {periods}, {zeros}, "
        "X ≤ {x:g} % < Y ≤ {y:g} % < Z, fewer than {active}: not classified ({unclassified})"
    ),
    "margin": N_(
        "ABC by margin, A ≤ {a:g} % < B ≤ {b:g} % < C of the cumulative total, the customer who "
        "crosses a cut-off stays in the upper class, margin ≤ 0: C; XYZ by the coefficient of "
        "variation (population std / mean) of {adjective} margin over {periods}, {zeros}, "
        "X ≤ {x:g} % < Y ≤ {y:g} % < Z, fewer than {active}: not classified ({unclassified})"
    ),
    "orders": N_(
        "ABC by number of orders, A ≤ {a:g} % < B ≤ {b:g} % < C of the cumulative total, the "
        "customer who crosses a cut-off stays in the upper class, number of orders ≤ 0: C; XYZ "
        "by the coefficient of variation (population std / mean) of {adjective} number of orders "
        "over {periods}, {zeros}, X ≤ {x:g} % < Y ≤ {y:g} % < Z, fewer than {active}: not "
        "classified ({unclassified})"
    ),
}
_ZEROS = {
    ("week", "count"): N_("weeks without purchases count as 0"),
    ("week", "ignore"): N_("weeks without purchases are left out"),
    ("month", "count"): N_("months without purchases count as 0"),
    ("month", "ignore"): N_("months without purchases are left out"),
    ("quarter", "count"): N_("quarters without purchases count as 0"),
    ("quarter", "ignore"): N_("quarters without purchases are left out"),
}


def _full_periods(n: int, unit: str) -> str:
    if unit == "week":
        return ngettext("{n} full week", "{n} full weeks", n).format(n=n)
    if unit == "month":
        return ngettext("{n} full month", "{n} full months", n).format(n=n)
    return ngettext("{n} full quarter", "{n} full quarters", n).format(n=n)


def _active_periods(n: int, unit: str) -> str:
    if unit == "week":
        return ngettext("{n} active week", "{n} active weeks", n).format(n=n)
    if unit == "month":
        return ngettext("{n} active month", "{n} active months", n).format(n=n)
    return ngettext("{n} active quarter", "{n} active quarters", n).format(n=n)


def _too_short(held: int, need: int, unit: str) -> str:
    periods = _full_periods(held, unit)
    if unit == "week":
        text = ngettext(
            "the window holds {periods}, fewer than the {need} active weeks needed: "
            "no customer gets an XYZ class",
            "the window holds {periods}, fewer than the {need} active weeks needed: "
            "no customer gets an XYZ class",
            need,
        )
    elif unit == "month":
        text = ngettext(
            "the window holds {periods}, fewer than the {need} active months needed: "
            "no customer gets an XYZ class",
            "the window holds {periods}, fewer than the {need} active months needed: "
            "no customer gets an XYZ class",
            need,
        )
    else:
        text = ngettext(
            "the window holds {periods}, fewer than the {need} active quarters needed: "
            "no customer gets an XYZ class",
            "the window holds {periods}, fewer than the {need} active quarters needed: "
            "no customer gets an XYZ class",
            need,
        )
    return text.format(periods=periods, need=need)


def _outside(n: int, unit: str) -> str:
    if unit == "week":
        text = ngettext(
            "{n} order row outside full weeks count for ABC only",
            "{n} order rows outside full weeks count for ABC only",
            n,
        )
    elif unit == "month":
        text = ngettext(
            "{n} order row outside full months count for ABC only",
            "{n} order rows outside full months count for ABC only",
            n,
        )
    else:
        text = ngettext(
            "{n} order row outside full quarters count for ABC only",
            "{n} order rows outside full quarters count for ABC only",
            n,
        )
    return text.format(n=n)


# --- helpers -----------------------------------------------------------------------------------


def resolve_window(
    first_day: date | None, last_day: date | None, params: AbcXyzParams
) -> tuple[date | None, date | None]:
    """The window's first and last day: the ones given, else the days of the first and last
    order (``first_day``, ``last_day``: None when there are no orders)."""
    start, end = params.start, params.end
    if first_day is not None:
        start = start or first_day
        end = end or last_day
    elif start is None or end is None:
        return None, None  # no orders and an open window: nothing to resolve it from
    # One side given beyond all orders (--from after the last order): an empty window, not an
    # inverted one.
    if params.start is None:
        start = min(start, end)
    if params.end is None:
        end = max(start, end)
    return start, end


def in_window(ts: pd.Series, start: date, end: date) -> np.ndarray:
    values = ts.to_numpy()
    return (values >= np.datetime64(start, "D")) & (
        values < np.datetime64(end + timedelta(days=1), "D")
    )


def distinct_orders(
    cust_code: np.ndarray, order_key: pd.Series, ordered_at: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """One entry per distinct (customer, order_key): its customer code and earliest time.

    Rows sharing an order key are lines of one order. Keying on the pair, not the key alone,
    keeps two shops' "1001" apart if a merged base has them; the earliest row's time places
    an order whose lines straddle a period boundary in one period only.
    """
    key_code, _ = pd.factorize(order_key)
    pairs = pd.DataFrame({"c": cust_code, "k": key_code, "t": ordered_at.to_numpy()})
    first = pairs.groupby(["c", "k"], sort=False)["t"].min()
    return first.index.get_level_values("c").to_numpy(np.int64), first.to_numpy()


def groups_of(customer_ids: pd.Series, groups: pd.Series) -> pd.Series:
    # Object first: mapping an integer label (a manager id) with gaps would turn 7 into 7.0.
    labels = pd.Series(customer_ids.to_numpy()).map(groups.astype(object))
    return labels.where(labels.notna(), NO_GROUP).astype(object)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(
            _("{name} must be one of {choices}, got {value!r}").format(
                name=name, choices=", ".join(choices), value=value
            )
        )


def _pair(name: str, value: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise UsageError(
            _("{name} takes two numbers, got {value!r}").format(name=name, value=value)
        ) from None
    return low, high


def _plain_values(values: np.ndarray) -> list:
    """The values for JSON: order counts as ints, money rounded to the kopeck as the revenue
    is (a sum's last bits depend on the order it was added up in)."""
    if np.issubdtype(values.dtype, np.integer):
        return values.astype(np.int64).tolist()
    return [round(v, 2) for v in values.astype(float).tolist()]


def _plain_value(value: Any) -> int | float:
    """A numpy number as a plain int (order counts) or float (money), for JSON."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)
