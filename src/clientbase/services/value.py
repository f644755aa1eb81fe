"""Customer value from the orders in the base: RFM, LTV (historical, cohort, predictive), churn,
and the dated snapshots of segment sizes and LTV kept for trends.

Each function loads what it needs, calls the pure code in ``clientbase.analytics`` and returns a
plain result (a dataclass of DataFrames and dicts, with ``to_json``); nothing here prints. The
LTV functions live in :mod:`.ltv` and the loading in :mod:`.value_orders`; all are importable
from here.

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
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from clientbase.db.engine import write_transaction
from clientbase.db.models import metric_snapshots
from clientbase.errors import UsageError
from clientbase.services.analytics import load_customers
from clientbase.services.ltv import (
    CohortLtv,
    HistoricalLtv,
    PredictiveLtv,
    group_rows,
    ltv_cohort,
    ltv_historical,
    ltv_predictive,
    ltv_snapshot_data,
    parse_horizon,
)
from clientbase.services.value_orders import (
    BY,
    NO_GROUP,
    as_of_day,
    group_labels,
    group_sort_key,
    groups_for,
    load_names,
    load_value_orders,
    matrix_rows,
    names_of,
)

__all__ = [
    "BY",
    "NO_GROUP",
    "ChurnReport",
    "CohortLtv",
    "HistoricalLtv",
    "PredictiveLtv",
    "RfmReport",
    "churn",
    "group_rows",
    "groups_for",
    "load_names",
    "load_value_orders",
    "ltv_cohort",
    "ltv_historical",
    "ltv_predictive",
    "ltv_snapshot_data",
    "metric_history",
    "parse_horizon",
    "read_thresholds",
    "rfm",
    "save_metric_snapshot",
    "snapshot_ltv",
    "snapshot_rfm",
]

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
    """RFM scores and segments of every customer with an order up to ``as_of`` (default:
    today, see ``analytics.asof``). ``scores`` None means fixed when thresholds are given, else
    quintiles."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.rfm import score_rfm, summarise_segments

    frame = load_value_orders(engine)
    day, notes = as_of_day(frame, as_of)
    if scores is None:
        scores = "fixed" if thresholds is not None else "quintile"
    scored = score_rfm(frame, as_of=day, scores=scores, thresholds=thresholds)
    notes += list(scored.attrs.get("notes", []))
    if scored.empty:
        raise UsageError(f"no customer has an order on or before {day}", hint="check --as-of")
    people = load_names(engine)
    ordered = scored.sort_values(
        ["monetary", "customer_id"], ascending=[False, True], ignore_index=True
    )
    ordered.insert(1, "name", names_of(people, ordered["customer_id"]))
    return RfmReport(
        as_of=day,
        last_order=day - timedelta(days=int(scored["recency_days"].min())),
        scores=scores,
        thresholds=scored.attrs.get("thresholds", {}),
        customers=ordered,
        segments=summarise_segments(scored),
        notes=notes,
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
        data["retention"] = matrix_rows(self.retention, "shares")
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
    day, stale = as_of_day(frame, as_of)
    first = frame["ordered_at"].min().date()
    opts = dict(
        inactive_days=inactive_days, relative=relative, multiple=multiple, as_of=day, since=first
    )
    loss = base_loss(frame, **opts)
    notes = list(stale)
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
        labels = group_labels(frame, groups_for(engine, frame, load_customers(engine), by))
        for name in sorted(labels.unique(), key=group_sort_key):
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
