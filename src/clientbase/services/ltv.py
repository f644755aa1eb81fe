"""Lifetime value: historical per customer and group, per acquisition cohort, and predicted with
BG/NBD + Gamma-Gamma. One of the customer-value services of :mod:`clientbase.services.value`,
which exports these names too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine

from clientbase.errors import UsageError
from clientbase.services.analytics import load_customers
from clientbase.services.value_orders import (
    NO_GROUP,
    as_of_day,
    group_labels,
    group_sort_key,
    groups_for,
    last_order_day,
    load_value_orders,
    matrix_rows,
    money,
    names_of,
    people_for,
)


def group_rows(table) -> list[dict]:
    return [
        {"group": g, "customers": int(n), "avg_ltv": money(avg), "total": money(tot),
         "median": money(med)}
        for g, n, avg, tot, med in zip(
            table["group"], table["customers"], table["avg_ltv"], table["total"], table["median"],
            strict=True)
    ]  # fmt: skip


@dataclass
class HistoricalLtv:
    as_of: date
    margin: float | None
    customers: object  # DataFrame: ltv.HISTORICAL_COLUMNS + name, highest LTV first
    by: str | None = None
    groups: object = None  # DataFrame from ltv.by_group, or None
    notes: list[str] = field(default_factory=list)

    def overall(self) -> dict:
        ltv = self.customers["ltv"]
        return {
            "customers": len(ltv),
            "avg_ltv": money(ltv.mean()),
            "total": money(ltv.sum()),
            "median": money(ltv.median()),
        }

    def customer_rows(self) -> list[dict]:
        c = self.customers
        return [
            {"id": int(i), "name": n, "first_order": f.date().isoformat(),
             "last_order": la.date().isoformat(), "orders": int(o), "revenue": money(rv),
             "avg_order_value": money(aov), "lifespan_days": int(ls), "ltv": money(v)}
            for i, n, f, la, o, rv, aov, ls, v in zip(
                c["customer_id"], c["name"], c["first_order"], c["last_order"], c["orders"],
                c["revenue"], c["avg_order_value"], c["lifespan_days"], c["ltv"], strict=True)
        ]  # fmt: skip

    def to_json(self) -> dict:
        data = {"method": "historical", "as_of": self.as_of.isoformat(), "margin": self.margin,
                "overall": self.overall()}  # fmt: skip
        if self.groups is not None:
            data["by"] = self.by
            data["groups"] = group_rows(self.groups)
        data["customers"] = self.customer_rows()
        return data


def ltv_historical(
    engine: Engine,
    *,
    as_of: date | None = None,
    margin: float | None = None,
    by: str | None = None,
) -> HistoricalLtv:
    """Historical LTV per customer up to ``as_of`` (default: today), and its average per
    group when ``by`` is given."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.ltv import by_group, historical

    frame = load_value_orders(engine, with_manager=by == "manager")
    day, notes = as_of_day(frame, as_of)
    hist = historical(frame, as_of=day, margin=margin)
    if hist.empty:
        raise UsageError(f"no customer has an order on or before {day}", hint="check --as-of")
    people = people_for(engine, by)
    table = by_group(hist, groups_for(engine, frame, people, by)) if by else None
    hist = hist.sort_values(["ltv", "customer_id"], ascending=[False, True], ignore_index=True)
    hist.insert(1, "name", names_of(people, hist["customer_id"]))
    return HistoricalLtv(as_of=day, margin=margin, customers=hist, by=by, groups=table, notes=notes)


def ltv_snapshot_data(engine: Engine, report: HistoricalLtv) -> dict:
    """What ``analyze ltv --snapshot`` stores: the average LTV overall and per acquisition
    channel, whatever ``--by`` the report itself used."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.ltv import by_group

    hist = report.customers
    if report.by == "channel":
        table = report.groups
    else:
        table = by_group(hist, load_customers(engine)["channel"])
    return {
        "as_of": report.as_of.isoformat(),
        "method": "historical",
        "margin": report.margin,
        **report.overall(),
        "channels": {
            row["group"]: {k: row[k] for k in ("customers", "avg_ltv", "total")}
            for row in group_rows(table)
        },
    }


@dataclass
class CohortLtv:
    value: str
    margin: float | None
    table: object  # DataFrame from ltv.cohort_table (already x margin)
    by: str | None = None
    groups: dict = field(default_factory=dict)  # group -> DataFrame
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = {"method": "cohort", "value": self.value, "margin": self.margin,
                "cohorts": matrix_rows(self.table, "values")}  # fmt: skip
        if self.by:
            data["by"] = self.by
            data["groups"] = {g: matrix_rows(t, "values") for g, t in self.groups.items()}
        return data


def ltv_cohort(
    engine: Engine,
    *,
    value: str = "revenue",
    margin: float | None = None,
    max_months: int | None = None,
    by: str | None = None,
    as_of: date | None = None,
) -> CohortLtv:
    """Cumulative revenue (or recorded margin) per acquired customer by months since the first
    order, per acquisition month; overall and, with ``by``, per group. ``margin`` scales the
    values (revenue x 0.3 as a gross margin)."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.ltv import check_margin, cohort_table

    check_margin(margin)
    frame = load_value_orders(engine, with_manager=by == "manager", with_margin=value == "margin")
    end, notes = as_of_day(frame, as_of)
    frame = frame[frame["ordered_at"].to_numpy() < np.datetime64(end + timedelta(days=1))]
    if frame.empty:
        raise UsageError(f"no customer has an order on or before {end}", hint="check --as-of")

    def table_of(part):
        t = cohort_table(part, value=value, max_months=max_months, end=end)
        if margin is not None:
            sizes = t.attrs["customers"]
            t = t * margin
            t.attrs["customers"] = sizes
        return t

    result = CohortLtv(value=value, margin=margin, table=table_of(frame), by=by, notes=notes)
    if by:
        labels = group_labels(frame, groups_for(engine, frame, load_customers(engine), by))
        for name in sorted(labels.unique(), key=group_sort_key):
            result.groups[name] = table_of(frame[labels.to_numpy() == name])
    return result


_HORIZON = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([dwmy])\s*$", re.I)
_HORIZON_DAYS = {"d": 1.0, "w": 7.0, "m": 30.4375, "y": 365.25}


def parse_horizon(text: str) -> float:
    """A horizon as days: "365d", "52w", "12m" (months of 30.4375 days, the mean Gregorian month,
    as in the model's month unit) or "1y"."""
    m = _HORIZON.match(text or "")
    if not m:
        raise UsageError(f"--horizon {text!r}", hint="a number and d, w, m or y: 12m, 52w, 365d")
    days = float(m.group(1).replace(",", ".")) * _HORIZON_DAYS[m.group(2).lower()]
    if days <= 0:
        raise UsageError(f"--horizon {text!r}: must be longer than zero")
    return days


@dataclass
class PredictiveLtv:
    calibration_end: date
    last_order: date
    horizon: str
    horizon_units: float
    unit: str
    margin: float
    discount_rate: float
    bgnbd: object  # clv.BgNbdFit
    gamma_gamma: object  # clv.GammaGammaFit
    customers: object  # DataFrame: clv.predict columns + customer_id, name; highest CLV first
    holdout: dict | None = None
    by: str | None = None
    groups: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fit(self) -> dict:
        bg, gg = self.bgnbd, self.gamma_gamma
        return {
            "customers": bg.customers,
            "repeat_buyers": bg.repeat_buyers,
            "bgnbd_log_likelihood": round(bg.log_likelihood, 4),
            "gamma_gamma_customers": gg.customers,
            "gamma_gamma_log_likelihood": round(gg.log_likelihood, 4),
            "holdout": self.holdout,
        }

    def customer_rows(self) -> list[dict]:
        c = self.customers
        return [
            {"id": int(i), "name": n, "frequency": int(x), "recency": round(float(tx), 4),
             "T": round(float(t), 4), "monetary": money(m),
             "expected_purchases": round(float(e), 4), "p_alive": round(float(p), 4),
             "expected_spend": money(s), "clv": money(v)}
            for i, n, x, tx, t, m, e, p, s, v in zip(
                c["customer_id"], c["name"], c["frequency"], c["recency"], c["T"],
                c["monetary"], c["expected_purchases"], c["p_alive"], c["expected_spend"],
                c["clv"], strict=True)
        ]  # fmt: skip

    def to_json(self) -> dict:
        bg, gg = self.bgnbd, self.gamma_gamma
        data = {
            "params": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b},
            "gamma_gamma": {"p": gg.p, "q": gg.q, "gamma": gg.gamma},
            "log_likelihood": bg.log_likelihood,
            "calibration_end": self.calibration_end.isoformat(),
            "horizon": self.horizon,
            "unit": self.unit,
            "margin": self.margin,
            "discount_rate": self.discount_rate,
            "fit": self.fit(),
        }
        if self.by:
            data["by"] = self.by
            data["groups"] = self.groups
        data["customers"] = self.customer_rows()
        return data


def ltv_predictive(
    engine: Engine,
    *,
    calibration_end: date | None = None,
    horizon: str = "12m",
    unit: str = "week",
    margin: float = 1.0,
    discount_rate: float = 0.0,
    by: str | None = None,
    as_of: date | None = None,
) -> PredictiveLtv:
    """BG/NBD + Gamma-Gamma over the orders up to ``calibration_end`` (default: the day of the
    last order): expected purchases over ``horizon``, P(alive) and CLV per customer.

    When the calibration ends before the last order, the orders after it are a holdout: the
    fit's predicted repeat purchases over that stretch are set against the actual ones, the
    plainest check of whether the model fits this base. Raises ``clv.ThinDataError`` (exit 1,
    with a hint) when the data cannot carry the model."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics import clv

    days = parse_horizon(horizon)
    if unit not in clv.DAYS_PER_UNIT:
        raise UsageError(f"--unit {unit!r}: one of {', '.join(clv.DAYS_PER_UNIT)}")
    frame = load_value_orders(engine, with_manager=by == "manager")
    day, notes = as_of_day(frame, as_of)
    frame = frame[frame["ordered_at"].to_numpy() < np.datetime64(day + timedelta(days=1))]
    if frame.empty:
        raise UsageError(f"no customer has an order on or before {day}", hint="check --as-of")
    last = last_order_day(frame)
    end = calibration_end or day
    summary = clv.summarise(frame, calibration_end=end, unit=unit)
    if summary.empty:
        raise UsageError(f"no order on or before {end}", hint="check --calibration-end")
    units = days / clv.DAYS_PER_UNIT[unit]
    bg, gg, table = clv.predict(
        summary, horizon=units, margin=margin, discount_rate=discount_rate, unit=unit
    )

    holdout = None
    if end < last:
        span = (last - end).days / clv.DAYS_PER_UNIT[unit]
        predicted = clv.expected_purchases(
            bg, span, summary["frequency"], summary["recency"], summary["T"]
        )
        after = frame[frame["ordered_at"].to_numpy() >= np.datetime64(end + timedelta(days=1))]
        after = after[after["customer_id"].isin(summary.index)]
        actual = after.assign(day=after["ordered_at"].dt.normalize())[["customer_id", "day"]]
        holdout = {
            "from": (end + timedelta(days=1)).isoformat(),
            "to": last.isoformat(),
            "predicted_purchases": round(float(np.sum(predicted)), 2),
            "actual_purchases": len(actual.drop_duplicates()),
        }

    people = people_for(engine, by)
    table = table.reset_index().rename(columns={"index": "customer_id"})
    table = table.sort_values(["clv", "customer_id"], ascending=[False, True], ignore_index=True)
    table.insert(1, "name", names_of(people, table["customer_id"]))
    groups = []
    if by:
        labels = table["customer_id"].map(groups_for(engine, frame, people, by).astype(object))
        per = (
            table.assign(group=labels.where(labels.notna(), NO_GROUP))
            .groupby("group", sort=False)
            .agg(customers=("clv", "size"), avg_clv=("clv", "mean"), total_clv=("clv", "sum"),
                 avg_p_alive=("p_alive", "mean"))
            .reset_index()
            .sort_values(["avg_clv", "group"], ascending=[False, True])
        )  # fmt: skip
        groups = [
            {"group": g, "customers": int(n), "avg_clv": money(a), "total_clv": money(t),
             "avg_p_alive": round(float(p), 4)}
            for g, n, a, t, p in per.itertuples(index=False)
        ]  # fmt: skip
    return PredictiveLtv(
        calibration_end=end,
        last_order=last,
        horizon=horizon,
        horizon_units=units,
        unit=unit,
        margin=margin,
        discount_rate=discount_rate,
        bgnbd=bg,
        gamma_gamma=gg,
        customers=table,
        holdout=holdout,
        by=by,
        groups=groups,
        notes=notes,
    )
