"""How customers move between ABC classes from one window to the next, and portfolios per
group (manager, channel, city). Pure functions over the frames ``abcxyz.classify`` returns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from clientbase.analytics.abcxyz import (
    ABC,
    MIGRATION_FROM,
    MIGRATION_TO,
    PERIODS,
    AbcXyzResult,
    check_choice,
    distinct_orders,
    groups_of,
    in_window,
)
from clientbase.analytics.ltv import prepare_orders
from clientbase.analytics.periods import full_codes, period_codes


def migration(
    before: pd.DataFrame, after: pd.DataFrame, *, by: pd.Series | None = None
) -> pd.DataFrame:
    """How many customers moved from each ABC class to each between two classifications.

    Without ``by``: a 4x4 frame, rows "from" = A, B, C, new (only in ``after``), columns "to" =
    A, B, C, gone (only in ``before``), every cell present. With ``by`` (customer_id -> group,
    e.g. the sales manager; missing -> "—"): a long frame group, from, to, customers with the
    movements that happened (no zero rows), in class order, so one group or one movement is one
    filter away.
    """
    moves = _moves(before, after)
    if by is None:
        table = pd.crosstab(moves["from"], moves["to"])
        table = table.reindex(index=list(MIGRATION_FROM), columns=list(MIGRATION_TO), fill_value=0)
        table.index.name, table.columns.name = "from", "to"
        return table.astype(np.int64)
    moves["group"] = groups_of(moves["customer_id"], by).to_numpy()
    long = moves.groupby(["group", "from", "to"], sort=False).size().reset_index(name="customers")
    # Class order (A, B, C, new / gone) reads better than alphabetical ("gone" before "A").
    order_from = long["from"].map({c: i for i, c in enumerate(MIGRATION_FROM)})
    order_to = long["to"].map({c: i for i, c in enumerate(MIGRATION_TO)})
    long = long.assign(_f=order_from, _t=order_to).sort_values(
        ["group", "_f", "_t"], kind="mergesort"
    )
    return long.drop(columns=["_f", "_t"]).reset_index(drop=True)[
        ["group", "from", "to", "customers"]
    ]


def migration_names(
    before: pd.DataFrame, after: pd.DataFrame, from_class: str, to_class: str
) -> list[int]:
    """Ids of the customers that moved from ``from_class`` to ``to_class``, biggest first.

    Biggest = the value in the earlier window (in the later one for "new"), so the list of lost
    A customers starts with the one that matters most; ties by id.
    """
    check_choice("from_class", from_class, MIGRATION_FROM)
    check_choice("to_class", to_class, MIGRATION_TO)
    moves = _moves(before, after)
    moved = moves[(moves["from"] == from_class) & (moves["to"] == to_class)]
    size = moved["value_before"].fillna(moved["value_after"])
    moved = moved.assign(_size=size).sort_values(
        ["_size", "customer_id"], ascending=[False, True], kind="mergesort"
    )
    return [int(c) for c in moved["customer_id"]]


def _moves(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    cols = ["customer_id", "abc", "value"]
    merged = before[cols].merge(
        after[cols], on="customer_id", how="outer", suffixes=("_before", "_after")
    )
    return pd.DataFrame(
        {
            "customer_id": merged["customer_id"],
            "from": merged["abc_before"].fillna("new"),
            "to": merged["abc_after"].fillna("gone"),
            "value_before": merged["value_before"],
            "value_after": merged["value_after"],
        }
    )


def portfolio(
    result: AbcXyzResult, groups: pd.Series, orders: pd.DataFrame, period: str
) -> pd.DataFrame:
    """Per group (manager, channel, city): customers and revenue per ABC class, and regularity.

    ``groups`` maps customer_id -> label (missing -> "—"). Columns: group, A_customers,
    A_revenue, B_..., C_..., customers, revenue, orders (distinct, in the window), periods (the
    full ``period``s of the result's window), orders_per_period (orders in those periods / their
    number) and share_periods_with_orders (% of them with at least one order of the group).
    Without full periods the two regularity columns are NaN. Sorted by revenue, descending.
    """
    check_choice("period", period, PERIODS)
    customers = result.customers
    tagged = customers.assign(group=groups_of(customers["customer_id"], groups).to_numpy())
    # sort=False: labels may mix types (manager ids and "—") that cannot be compared.
    per_class = tagged.groupby(["group", "abc"], sort=False).agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum")
    )
    per_group = tagged.groupby("group", sort=False).agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum"), orders=("orders", "sum")
    )
    wide = per_class.unstack("abc", fill_value=0).reindex(per_group.index)
    table = pd.DataFrame(index=per_group.index)
    for c in ABC:
        for stat, dtype in (("customers", np.int64), ("revenue", float)):
            # A class nobody in the base has still gets its (zero) columns.
            column = wide[(stat, c)] if (stat, c) in wide.columns else 0
            table[f"{c}_{stat}"] = pd.Series(column, index=table.index).astype(dtype)
    table["customers"] = per_group["customers"].astype(np.int64)
    table["revenue"] = per_group["revenue"].astype(float)
    table["orders"] = per_group["orders"].astype(np.int64)

    window = result.params.get("window", {})
    start = date.fromisoformat(window["start"]) if window.get("start") else None
    end = date.fromisoformat(window["end"]) if window.get("end") else None
    first, last = full_codes(start, end, period) if start else (0, -1)
    n_periods = max(last - first + 1, 0)
    table["periods"] = n_periods
    table["orders_per_period"] = np.nan
    table["share_periods_with_orders"] = np.nan
    if n_periods and len(table):
        frame = prepare_orders(orders, need_margin=False)
        frame = frame[in_window(frame["ordered_at"], start, end)]
        cust_code, cust_ids = pd.factorize(frame["customer_id"])
        order_cust, order_ts = distinct_orders(cust_code, frame["order_key"], frame["ordered_at"])
        offset = period_codes(order_ts, period) - first
        inside = (offset >= 0) & (offset < n_periods)
        order_group = groups_of(pd.Series(np.asarray(cust_ids)[order_cust[inside]]), groups)
        per_period = pd.DataFrame({"group": order_group.to_numpy(), "p": offset[inside]})
        counts = per_period.groupby("group", sort=False)
        table["orders_per_period"] = (
            counts.size().reindex(table.index).fillna(0).astype(float) / n_periods
        )
        table["share_periods_with_orders"] = (
            counts["p"].nunique().reindex(table.index).fillna(0).astype(float) / n_periods * 100
        )
    # Stable: equal revenue keeps the order groups first appear in (customers by value).
    return table.reset_index().sort_values(
        "revenue", ascending=False, kind="mergesort", ignore_index=True
    )
