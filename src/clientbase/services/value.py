"""Customer value from the orders in the base: RFM, LTV (historical, cohort, predictive), churn,
and the dated snapshots of segment sizes and LTV kept for trends.

Each function loads what it needs, calls the pure code in ``clientbase.analytics`` and returns a
plain result (a dataclass of DataFrames and dicts, with ``to_json``); nothing here prints.

Groups (``by``)
    ``channel``: the customer's acquisition source (``customers.source``, the "Откуда узнал"
    column of a contact list). ``source``: the import the customer came in with (its source label,
    else the file name: ``imports`` of ``customers.created_import_id``). ``manager``: the
    customer's manager, else the one who sold them the most (as ``analyze abc-xyz --by``).

Snapshots (``metric_snapshots``)
    ``analyze rfm --snapshot`` stores kind "rfm": the segment sizes and revenue; ``analyze ltv
    --method historical --snapshot`` stores kind "ltv": the average historical LTV overall and
    per acquisition channel. A snapshot is dated by the day the figures describe (``as_of``),
    so snapshots taken later of past days (``--as-of 2025-03-31 --snapshot``) fill in history.
    Its label defaults to that day; storing again under the same kind and label replaces the
    earlier figures instead of doubling a point of the trend.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, Integer, cast, delete, func, insert, select

from clientbase.db.engine import write_transaction
from clientbase.db.models import customers, imports, metric_snapshots, orders
from clientbase.db.rules import UNCOUNTED_ORDER_STATUSES
from clientbase.errors import UsageError
from clientbase.services.analytics import customer_groups, load_customers, load_orders

BY = ("channel", "source", "manager")
NO_GROUP = "—"


# --- loading -----------------------------------------------------------------------------------


def load_value_orders(engine: Engine, *, with_manager: bool = False, with_margin: bool = False):
    """The live orders as ``services.analytics.load_orders`` gives them (the same rows), or a
    UsageError when there are none yet: every value analysis needs some.

    On SQLite, when neither the order's manager nor its margin is needed, the rows come by a
    faster road (``_narrow_sqlite``); the margin column is then absent and ``order_key`` is a
    row number, which is as good: every row of ``orders`` is one order."""
    frame = None
    if engine.dialect.name == "sqlite" and not with_manager and not with_margin:
        frame = _narrow_sqlite(engine)
    if frame is None:
        frame = load_orders(engine, with_manager=with_manager)
    if frame.empty:
        raise UsageError("there are no orders in the base yet", hint="clientbase import ORDERS.csv")
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

    o, c = orders, customers
    seconds = cast(func.round((func.julianday(o.c.ordered_at) - 2440587.5) * 86400), Integer)
    q = select(
        func.group_concat(o.c.customer_id),
        func.group_concat(seconds),
        func.group_concat(func.coalesce(o.c.amount, 0.0)),
    ).where(
        o.c.status.is_(None) | o.c.status.not_in(UNCOUNTED_ORDER_STATUSES),
        o.c.customer_id.not_in(select(c.c.id).where(c.c.status == "erased")),
    )
    with engine.connect() as conn:
        ids, times, amounts = conn.execute(q).one()
    if ids is None:  # no rows: group_concat of nothing is NULL
        ids = times = amounts = ""
    cid = np.fromstring(ids, dtype=np.int64, sep=",") if ids else np.zeros(0, np.int64)
    ts = np.fromstring(times, dtype=np.int64, sep=",") if times else np.zeros(0, np.int64)
    amount = np.fromstring(amounts, dtype=float, sep=",") if amounts else np.zeros(0)
    if not len(cid) == len(ts) == len(amount):
        return None
    return pd.DataFrame(
        {
            "customer_id": cid,
            "ordered_at": pd.to_datetime(ts, unit="s"),
            "amount": amount,
            "order_key": np.arange(len(cid), dtype=np.int64),
        }
    )


def groups_for(engine: Engine, frame, people, by: str):
    """customer id -> group label for ``by`` (see the module's "Groups")."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    if by not in BY:
        raise UsageError(f"--by {by!r}: one of {', '.join(BY)}")
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


def _names(people, ids):
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


def _people(engine: Engine, by: str | None):
    """The per-customer columns a report needs: names, and the groups' sources when grouped."""
    return load_customers(engine) if by else load_names(engine)


def _last_order_day(frame) -> date:
    return frame["ordered_at"].max().date()


def _money(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 2)


# --- RFM ---------------------------------------------------------------------------------------


@dataclass
class RfmReport:
    as_of: date
    last_order: date
    scores: str
    thresholds: dict
    customers: object  # DataFrame: rfm.COLUMNS + name, most valuable first
    segments: dict
    notes: list[str] = field(default_factory=list)

    def customer_rows(self) -> list[dict]:
        c = self.customers
        return [
            {"id": int(i), "name": n, "recency_days": int(rd), "frequency": int(fq),
             "monetary": round(float(mo), 2), "r": int(r), "f": int(f), "m": int(m),
             "segment": s}
            for i, n, rd, fq, mo, r, f, m, s in zip(
                c["customer_id"], c["name"], c["recency_days"], c["frequency"], c["monetary"],
                c["r"], c["f"], c["m"], c["segment"], strict=True)
        ]  # fmt: skip

    def to_json(self) -> dict:
        return {"segments": self.segments, "customers": self.customer_rows()}

    def snapshot_data(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "scores": self.scores,
            "customers": len(self.customers),
            "segments": self.segments,
        }


def read_thresholds(path: str | Path) -> dict:
    """RFM cut-offs from a TOML or JSON file: ``r = [30, 90, 180, 365]``, ``f = [...]``,
    ``m = [...]`` (see ``analytics.rfm``). The content is checked by ``score_rfm``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"--thresholds {p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--thresholds {p}: cannot read it ({exc})") from None
    as_json = p.suffix.lower() == ".json" or text.lstrip().startswith("{")
    try:
        data = json.loads(text) if as_json else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if as_json else "TOML"
        raise UsageError(
            f"--thresholds {p}: not valid {kind} ({exc})",
            hint="r = [30, 90, 180, 365] / f = [2, 3, 5, 8] / m = [...], one per line",
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"--thresholds {p}: expected a table of r, f and m")
    return data


def rfm(
    engine: Engine,
    *,
    as_of: date | None = None,
    scores: str | None = None,
    thresholds: dict | None = None,
) -> RfmReport:
    """RFM scores and segments of every customer with an order up to ``as_of`` (default: the
    day of the last order). ``scores`` None means fixed when thresholds are given, else
    quintiles."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.rfm import score_rfm, summarise_segments

    frame = load_value_orders(engine)
    last = _last_order_day(frame)
    day = as_of or last
    if scores is None:
        scores = "fixed" if thresholds is not None else "quintile"
    scored = score_rfm(frame, as_of=day, scores=scores, thresholds=thresholds)
    notes = list(scored.attrs.get("notes", []))
    if scored.empty:
        raise UsageError(f"no customer has an order on or before {day}", hint="check --as-of")
    people = load_names(engine)
    ordered = scored.sort_values(
        ["monetary", "customer_id"], ascending=[False, True], ignore_index=True
    )
    ordered.insert(1, "name", _names(people, ordered["customer_id"]))
    return RfmReport(
        as_of=day,
        last_order=day - timedelta(days=int(scored["recency_days"].min())),
        scores=scores,
        thresholds=scored.attrs.get("thresholds", {}),
        customers=ordered,
        segments=summarise_segments(scored),
        notes=notes,
    )


# --- LTV ---------------------------------------------------------------------------------------


def group_rows(table) -> list[dict]:
    return [
        {"group": g, "customers": int(n), "avg_ltv": _money(avg), "total": _money(tot),
         "median": _money(med)}
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

    def overall(self) -> dict:
        ltv = self.customers["ltv"]
        return {
            "customers": len(ltv),
            "avg_ltv": _money(ltv.mean()),
            "total": _money(ltv.sum()),
            "median": _money(ltv.median()),
        }

    def customer_rows(self) -> list[dict]:
        c = self.customers
        return [
            {"id": int(i), "name": n, "first_order": f.date().isoformat(),
             "last_order": la.date().isoformat(), "orders": int(o), "revenue": _money(rv),
             "avg_order_value": _money(aov), "lifespan_days": int(ls), "ltv": _money(v)}
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
    """Historical LTV per customer up to ``as_of`` (default: the last order's day), and its
    average per group when ``by`` is given."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.ltv import by_group, historical

    frame = load_value_orders(engine, with_manager=by == "manager")
    day = as_of or _last_order_day(frame)
    hist = historical(frame, as_of=day, margin=margin)
    if hist.empty:
        raise UsageError(f"no customer has an order on or before {day}", hint="check --as-of")
    people = _people(engine, by)
    table = by_group(hist, groups_for(engine, frame, people, by)) if by else None
    hist = hist.sort_values(["ltv", "customer_id"], ascending=[False, True], ignore_index=True)
    hist.insert(1, "name", _names(people, hist["customer_id"]))
    return HistoricalLtv(as_of=day, margin=margin, customers=hist, by=by, groups=table)


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


def _matrix_rows(table, key: str) -> list[dict]:
    """A cohort matrix as rows: cohort, customers, and the values by months since (None for
    the months still to come)."""
    sizes = table.attrs.get("customers", {})
    rows = []
    for cohort, values in zip(table.index, table.to_numpy(float), strict=True):
        cells = [None if math.isnan(v) else round(float(v), 4) for v in values]
        rows.append({"cohort": cohort, "customers": int(sizes.get(cohort, 0)), key: cells})
    return rows


@dataclass
class CohortLtv:
    value: str
    margin: float | None
    table: object  # DataFrame from ltv.cohort_table (already x margin)
    by: str | None = None
    groups: dict = field(default_factory=dict)  # group -> DataFrame

    def to_json(self) -> dict:
        data = {"method": "cohort", "value": self.value, "margin": self.margin,
                "cohorts": _matrix_rows(self.table, "values")}  # fmt: skip
        if self.by:
            data["by"] = self.by
            data["groups"] = {g: _matrix_rows(t, "values") for g, t in self.groups.items()}
        return data


def ltv_cohort(
    engine: Engine,
    *,
    value: str = "revenue",
    margin: float | None = None,
    max_months: int | None = None,
    by: str | None = None,
) -> CohortLtv:
    """Cumulative revenue (or recorded margin) per acquired customer by months since the first
    order, per acquisition month; overall and, with ``by``, per group. ``margin`` scales the
    values (revenue x 0.3 as a gross margin)."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.ltv import check_margin, cohort_table

    check_margin(margin)
    frame = load_value_orders(engine, with_manager=by == "manager", with_margin=value == "margin")

    end = _last_order_day(frame)

    def table_of(part):
        t = cohort_table(part, value=value, max_months=max_months, end=end)
        if margin is not None:
            sizes = t.attrs["customers"]
            t = t * margin
            t.attrs["customers"] = sizes
        return t

    result = CohortLtv(value=value, margin=margin, table=table_of(frame), by=by)
    if by:
        labels = _labels(frame, groups_for(engine, frame, load_customers(engine), by))
        for name in sorted(labels.unique(), key=_group_sort):
            result.groups[name] = table_of(frame[labels.to_numpy() == name])
    return result


def _labels(frame, groups):
    """The group of each order row's customer ("—" for none)."""
    labels = frame["customer_id"].map(groups.astype(object))
    return labels.where(labels.notna(), NO_GROUP).astype(object)


def _group_sort(name: str):
    return (name == NO_GROUP, str(name))


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
             "T": round(float(t), 4), "monetary": _money(m),
             "expected_purchases": round(float(e), 4), "p_alive": round(float(p), 4),
             "expected_spend": _money(s), "clv": _money(v)}
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
    last = _last_order_day(frame)
    end = calibration_end or last
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

    people = _people(engine, by)
    table = table.reset_index().rename(columns={"index": "customer_id"})
    table = table.sort_values(["clv", "customer_id"], ascending=[False, True], ignore_index=True)
    table.insert(1, "name", _names(people, table["customer_id"]))
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
            {"group": g, "customers": int(n), "avg_clv": _money(a), "total_clv": _money(t),
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
    )


# --- churn -------------------------------------------------------------------------------------


def _loss_rows(table, group: str | None = None) -> list[dict]:
    rows = []
    for r in table.itertuples(index=False):
        row = {} if group is None else {"group": group}
        rate = float(r.loss_rate)
        row.update(
            year=int(r.year),
            active_at_start=int(r.active_at_start),
            lost=int(r.lost),
            loss_rate=None if math.isnan(rate) else round(rate, 4),
            partial=bool(r.partial),
            through=r.through.isoformat(),
        )
        rows.append(row)
    return rows


@dataclass
class ChurnReport:
    inactive_days: int
    relative: bool
    multiple: float
    as_of: date
    first_order: date
    base_loss: object  # DataFrame from churn.base_loss
    retention: object  # DataFrame from churn.retention
    by: str | None = None
    groups: dict = field(default_factory=dict)  # group -> base_loss DataFrame
    notes: list[str] = field(default_factory=list)

    def loss_rows(self) -> list[dict]:
        return _loss_rows(self.base_loss)

    def group_rows(self) -> list[dict]:
        return [row for g, t in self.groups.items() for row in _loss_rows(t, g)]

    def to_json(self) -> dict:
        data = {
            "inactive_days": self.inactive_days,
            "relative": self.relative,
            "multiple": self.multiple if self.relative else None,
            "as_of": self.as_of.isoformat(),
            "base_loss": self.loss_rows(),
        }
        if self.by:
            data["by"] = self.by
            data["groups"] = self.group_rows()
        data["retention"] = _matrix_rows(self.retention, "shares")
        data["notes"] = self.notes
        return data


def churn(
    engine: Engine,
    *,
    inactive_days: int = 365,
    relative: bool = False,
    multiple: float = 3.0,
    as_of: date | None = None,
    by: str | None = None,
    max_months: int | None = None,
) -> ChurnReport:
    """Base loss per year (overall and, with ``by``, per group) and the cohort retention."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.churn import base_loss, first_full_year, retention

    frame = load_value_orders(engine, with_manager=by == "manager")
    day = as_of or _last_order_day(frame)
    first = frame["ordered_at"].min().date()
    opts = dict(
        inactive_days=inactive_days, relative=relative, multiple=multiple, as_of=day, since=first
    )
    loss = base_loss(frame, **opts)
    notes = []
    if loss.empty:
        year = first_full_year(frame, inactive_days=inactive_days)
        notes.append(
            f"no year to report base loss on: a year needs {inactive_days} days of orders "
            f"before its 1 January, and the orders run {first} .. {day} (the first such year "
            f"would be {year}, given orders up to then)"
        )
    elif loss["partial"].any():
        notes.append(
            f"{int(loss['year'].max())} is not over (the data end {day}): its rate counts the "
            "losses so far"
        )
    report = ChurnReport(
        inactive_days=inactive_days, relative=relative, multiple=multiple, as_of=day,
        first_order=first, base_loss=loss,
        retention=retention(frame, max_months=max_months, end=day),
        by=by, notes=notes,
    )  # fmt: skip
    if by:
        labels = _labels(frame, groups_for(engine, frame, load_customers(engine), by))
        for name in sorted(labels.unique(), key=_group_sort):
            report.groups[name] = base_loss(frame[labels.to_numpy() == name], **opts)
    return report


# --- snapshots ---------------------------------------------------------------------------------


def save_metric_snapshot(
    engine: Engine,
    kind: str,
    data: dict,
    label: str | None = None,
    *,
    taken_at: datetime | date | None = None,
) -> int:
    """Store a dated figure set of ``kind`` (its id). ``taken_at`` is the day the figures
    describe (default: now). With a label, an earlier snapshot of the same kind and label is
    replaced."""
    when = taken_at or datetime.now()
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day)
    t = metric_snapshots
    with write_transaction(engine) as conn:
        if label is not None:
            conn.execute(delete(t).where(t.c.kind == kind, t.c.label == label))
        return conn.execute(
            insert(t).values(kind=kind, label=label, taken_at=when, data=data)
        ).inserted_primary_key[0]


def metric_history(engine: Engine, kind: str) -> list[dict]:
    """The stored snapshots of ``kind``, oldest first: id, label, taken_at (ISO), data."""
    t = metric_snapshots
    q = select(t.c.id, t.c.label, t.c.taken_at, t.c.data).where(t.c.kind == kind)
    with engine.connect() as conn:
        rows = conn.execute(q.order_by(t.c.taken_at, t.c.id)).all()
    return [
        {"id": r.id, "label": r.label, "taken_at": r.taken_at.isoformat(sep=" "), "data": r.data}
        for r in rows
    ]


def snapshot_rfm(engine: Engine, report: RfmReport, label: str | None = None) -> str:
    label = label or report.as_of.isoformat()
    save_metric_snapshot(engine, "rfm", report.snapshot_data(), label, taken_at=report.as_of)
    return label


def snapshot_ltv(engine: Engine, report: HistoricalLtv, label: str | None = None) -> str:
    label = label or report.as_of.isoformat()
    data = ltv_snapshot_data(engine, report)
    save_metric_snapshot(engine, "ltv", data, label, taken_at=report.as_of)
    return label
