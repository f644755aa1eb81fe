"""Analyses over the orders in the base: loading them for pandas, ABC/XYZ and its history."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, delete, func, insert, select
from sqlalchemy.exc import DBAPIError

from clientbase.analytics.asof import as_of_day, stale_note
from clientbase.db.bulk import insert_rows
from clientbase.db.engine import write_transaction
from clientbase.db.models import abc_snapshot_rows, abc_snapshots, customers, orders
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES
from clientbase.errors import ClientbaseError, UsageError
from clientbase.i18n import _
from clientbase.normalize.dates import parse_date
from clientbase.services.results import Result

GROUPS = ("manager", "channel", "city")


def orders_query(*, with_manager: bool = False, with_margin: bool = True):
    """The SELECT of the live orders ``load_orders`` reads, and the kinds of its columns
    (``db.joined``)."""
    o, c = orders, customers
    # The few erased customers as a set the scan of the orders checks, not a look-up of every
    # order's customer (on a million orders that look-up is most of the query's time).
    live = (
        o.c.status.is_(None) | o.c.status.not_in(UNCOUNTED_ORDER_STATUSES),
        o.c.customer_id.is_not(None),
        o.c.customer_id.not_in(select(c.c.id).where(c.c.status == "erased")),
    )
    cols = [o.c.customer_id, o.c.ordered_at, o.c.amount, o.c.margin, o.c.id.label("order_key"),
            case((o.c.status == ORDER_RETURN, 1), else_=0).label("is_return")]  # fmt: skip
    if not with_margin:
        del cols[3]
    if with_manager:
        cols.append(o.c.manager.label("order_manager"))
    kinds = {"customer_id": "int", "ordered_at": "time", "amount": "float", "margin": "float",
             "order_key": "int", "is_return": "int", "order_manager": "text"}  # fmt: skip
    return select(*cols).where(*live), kinds


def load_orders(
    engine: Engine,
    *,
    with_manager: bool = False,
    with_row_key: bool = False,
    with_margin: bool = True,
    fetched: Callable[[], tuple] | None = None,
):
    """Live orders as a DataFrame: customer_id, ordered_at, amount, margin, order_key (and the
    order's manager), in the orders' own order (by id). Narrow on purpose: a million orders
    with a name string each would take a gigabyte; names and groups come per customer
    (load_customers). ``with_row_key``: a column ``row_key``, the row's own id, which a
    return keeps when it takes its purchase's ``order_key`` (``analytics.returns``), so that
    what else a caller reads of a few rows (their manager …) can be matched to them.
    ``with_margin=False``: no margin column, for a caller that ranks by revenue only.
    ``fetched``: gives the texts of ``orders_query`` (same options) a thread has been
    reading (``services.report_prefetch``); when they fail, the orders are read here."""
    # these import pandas (~0.4 s): only when this runs
    from clientbase.db.joined import frame_of_joined, read_typed

    q, kinds = orders_query(with_manager=with_manager, with_margin=with_margin)
    frame = None
    if fetched is not None:
        try:
            frame = frame_of_joined(q, kinds, fetched(), engine.dialect.name)
        except DBAPIError:
            frame = None  # texts too long for the database: read_typed reads the rows
    if frame is None:
        with engine.connect() as conn:
            # Each column as one long text (db.joined): no Python object per cell.
            frame = read_typed(conn, q, kinds)
    # In the orders' own order, whichever index the database read them by: the analyses'
    # ties and sums then come out the same on every backend and from every plan.
    keys = frame["order_key"].to_numpy()
    if len(keys) and not (keys[1:] > keys[:-1]).all():
        frame = frame.take(ascending_order(keys)).reset_index(drop=True)
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.returns import fold_returns

    is_return = frame["is_return"].to_numpy() == 1
    frame = frame.drop(columns="is_return")
    if with_row_key:
        frame["row_key"] = frame["order_key"].to_numpy()
    return fold_returns(frame, is_return)


def ascending_order(keys):
    """The positions of ``keys`` (integers) in ascending order, equal keys in their order (a
    stable argsort)."""
    import numpy as np  # `contacts list` imports this module and needs no numpy: not at start

    low, high = int(keys.min()), int(keys.max())
    if high - low < 4 * len(keys):
        # Ids of one base: each position put in its key's place, and the places read in
        # order, ten times faster than sorting them; only when no key comes twice.
        place = np.full(high - low + 1, -1, dtype=np.int64)
        place[keys - low] = np.arange(len(keys))
        order = place[place >= 0]
        if len(order) == len(keys):
            return order
    return np.argsort(keys, kind="stable")


def orders_as_of(frame, as_of: date | None):
    """The orders dated on or before the as-of day (``analytics.asof``: ``as_of``, else today),
    the day, and the note saying when the orders end long before it."""
    import numpy as np  # `contacts list` imports this module and needs no numpy: not at start

    day = as_of_day(as_of)
    end = np.datetime64(day + timedelta(days=1))
    keep = frame["ordered_at"].to_numpy() < end
    if "booked_at" in frame.columns:  # a return made after the day: not yet
        keep &= frame["booked_at"].to_numpy() < end
    frame = frame[keep].reset_index(drop=True)
    last = frame["ordered_at"].max().date() if len(frame) else None
    note = stale_note(last, day)
    return frame, day, [note] if note else []


def load_customers(
    engine: Engine, columns: tuple[str, ...] = ("name", "manager", "channel", "city")
):
    """id -> name, manager, channel (acquisition source), city: those of ``columns`` (a
    caller that shows no names need not read them)."""
    c = customers
    named = {"name": c.c.display_name.label("name"), "manager": c.c.manager,
             "channel": c.c.source.label("channel"), "city": c.c.city}  # fmt: skip
    q = select(c.c.id, *(named[k] for k in columns))
    # these import pandas (~0.4 s): only when this runs
    from clientbase.db.columns import INT, TEXT
    from clientbase.db.joined import read_typed

    # Each column as one long text (db.joined): a hundred thousand customers' rows as Python
    # tuples cost 0.25 s, this 0.09 s.
    with engine.connect() as conn:
        frame = read_typed(conn, q, {"id": INT, **dict.fromkeys(columns, TEXT)})
    return frame.set_index("id")


def customer_groups(frame, people, by: str, order_managers=None):
    """customer id -> the group (manager: the customer's manager, else the one who sold them
    the most; channel: the acquisition source; city). The managers of the orders are the
    frame's ``order_manager``, else what ``order_managers(rows)`` gives for some of its rows
    (a Series aligned with them): a caller that did not read every order's manager reads
    only those of the customers without one of their own."""
    if by not in GROUPS:
        raise UsageError(_("--by {by!r}: one of {groups}").format(by=by, groups=", ".join(GROUPS)))
    groups = people[by].reindex(frame["customer_id"].unique())
    if by == "manager" and ("order_manager" in frame or order_managers is not None):
        # Counted only over the orders of the customers without a manager of their own: the
        # others keep theirs, and grouping a million rows by a text costs half a second.
        # (The counts are sorted by a stable sort, so a subset keeps its ties' order.)
        without = groups.index[groups.isna().to_numpy()]
        if not len(without):
            return groups
        frame = frame[frame["customer_id"].isin(without)]
        if "order_manager" not in frame:
            frame = frame.assign(order_manager=order_managers(frame))
        top = (
            frame.dropna(subset=["order_manager"])
            .groupby(["customer_id", "order_manager"]).size().reset_index(name="n")
            .sort_values(["customer_id", "n"], ascending=[True, False])
            .drop_duplicates("customer_id").set_index("customer_id")["order_manager"]
        )  # fmt: skip
        groups = groups.fillna(top)
    return groups


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(.+)\.\.(.+)$")


def parse_window(text: str) -> tuple[date, date]:
    """2025-Q1, 2025-03, 2025, or FROM..TO (dates): a window's first and last day."""
    t = text.strip()
    if m := _QUARTER.match(t):
        y, q = int(m.group(1)), int(m.group(2))
        start = date(y, 3 * q - 2, 1)
        end = (date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - timedelta(days=1)
        return start, end
    if m := _MONTH.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        return date(y, mo, 1), date(y + (mo == 12), 1 if mo == 12 else mo + 1, 1) - timedelta(
            days=1
        )
    if m := _YEAR.match(t):
        return date(int(t), 1, 1), date(int(t), 12, 31)
    if m := _RANGE.match(t):
        try:
            return parse_date(m.group(1)), parse_date(m.group(2))
        except ValueError as exc:
            raise UsageError(_("window {text!r}: {exc}").format(text=text, exc=exc)) from exc
    raise UsageError(
        _("window {text!r}").format(text=text),
        hint=_("2025-Q1, 2025-03, 2025 or 2025-01-01..2025-06-30"),
    )


def save_snapshot(engine: Engine, label: str, result) -> int:
    """Store a classification under a label (replacing an older one of the same label)."""

    w = result.params["window"]
    rows = result.customers
    with write_transaction(engine) as conn:
        conn.execute(delete(abc_snapshots).where(abc_snapshots.c.label == label))
        sid = conn.execute(
            insert(abc_snapshots).values(
                label=label,
                start=datetime.fromisoformat(w["start"]),
                end=datetime.fromisoformat(w["end"]),
                params=result.params,
                created_at=datetime.now(),
            )
        ).inserted_primary_key[0]
        insert_rows(
            conn, abc_snapshot_rows,
            ("snapshot_id", "customer_id", "abc", "xyz", "value", "revenue", "orders"),
            list(zip([sid] * len(rows), rows["customer_id"].astype(int).tolist(),
                     rows["abc"].tolist(), rows["xyz"].tolist(),
                     rows["value"].astype(float).tolist(), rows["revenue"].astype(float).tolist(),
                     rows["orders"].astype(int).tolist(), strict=True)),
        )  # fmt: skip
    return sid


def load_snapshot(engine: Engine, label: str):
    """(window, customers frame, rules line) of a stored classification, or None."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    with engine.connect() as conn:
        snap = conn.execute(select(abc_snapshots).where(abc_snapshots.c.label == label)).first()
        if snap is None:
            return None
        r = abc_snapshot_rows
        frame = pd.read_sql(
            select(r.c.customer_id, r.c.abc, r.c.xyz, r.c.value, r.c.revenue, r.c.orders).where(
                r.c.snapshot_id == snap.id
            ),
            conn,
        )
    window = {"start": snap.start.date().isoformat(), "end": snap.end.date().isoformat()}
    stored = _("(stored {date:%Y-%m-%d}) {rules}").format(
        date=snap.created_at, rules=snap.params.get("rules", "")
    )
    return window, frame, stored


@dataclass(frozen=True, slots=True)
class AbcSnapshot(Result):
    """A stored classification: its label, window, size and when it was saved."""

    label: str
    start: str
    end: str
    customers: int
    saved: str


def list_snapshots(engine: Engine) -> list[AbcSnapshot]:
    s, r = abc_snapshots, abc_snapshot_rows
    q = (
        select(s.c.label, s.c.start, s.c.end, s.c.created_at, func.count(r.c.customer_id).label("customers"))
        .outerjoin(r, r.c.snapshot_id == s.c.id)
        .group_by(s.c.id)
        .order_by(s.c.start)
    )  # fmt: skip
    with engine.connect() as conn:
        return [
            AbcSnapshot(label=x.label, start=x.start.date().isoformat(),
                        end=x.end.date().isoformat(), customers=x.customers,
                        saved=x.created_at.isoformat(sep=" ", timespec="seconds"))
            for x in conn.execute(q)
        ]  # fmt: skip


# --- ABC/XYZ: a classification, or the migration between two windows -------------------------


@dataclass(frozen=True, slots=True)
class AbcXyzReport(Result):
    """A classification (``data`` is its JSON document, what ``to_dict()`` gives) with what the
    tables are drawn from."""

    data: dict
    result: Any  # analytics.abcxyz.AbcXyzResult
    portfolio: Any = None  # DataFrame per group (with ``by``)
    notes: list = field(default_factory=list)  # the orders end long before the as-of day …

    def to_dict(self) -> dict:
        return self.data


@dataclass(frozen=True, slots=True)
class AbcXyzMigration(Result):
    """The moves between two windows: ``data`` is the JSON document (what ``to_dict()`` gives),
    ``overall`` the matrix (rows: the class before, columns: the class after)."""

    data: dict
    overall: Any  # DataFrame

    def to_dict(self) -> dict:
        return self.data


def _orders_and_people(engine: Engine, by: str | None, as_of: date | None = None):
    """The orders up to the as-of day (``analytics.asof``), the customers, their groups and the
    note saying when the orders end long before that day."""
    frame, _, notes = orders_as_of(load_orders(engine, with_manager=by == "manager"), as_of)
    people = load_customers(engine)
    groups = customer_groups(frame, people, by) if by else None
    return frame, people, groups, notes


def _orders_needed(frame):
    if frame is None or frame.empty:
        raise ClientbaseError(
            _("there are no orders in the base yet"), hint=_("clientbase import ORDERS.csv")
        )
    return frame


def abc_xyz(
    engine: Engine,
    start: date | None,
    end: date | None,
    settings: dict,
    *,
    by: str | None = None,
    snapshot: bool = False,
    label: str | None = None,
    as_of: date | None = None,
) -> AbcXyzReport:
    """Classify the customers over a window (default: the data's full periods). ``settings``
    are the other ``AbcXyzParams`` (period, metric, abc, xyz, zero_periods, min_periods). With
    ``snapshot`` the classification is stored under ``label`` (default: its window). Orders
    after ``as_of`` (default: today) are left out; the window ends at the last order up to it
    unless ``end`` says otherwise."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.abc_moves import portfolio
    from clientbase.analytics.abcxyz import AbcXyzParams, classify

    params = AbcXyzParams(start=start, end=end, **settings)
    if by is None:
        # Without groups nothing needs the order rows: summed per customer and period in the
        # database (services.abc_cells), the same classes, seconds sooner on a large base.
        from clientbase.services.abc_cells import classify_in_base, customer_names

        result, notes = classify_in_base(engine, params, as_of)
        if result is None:
            _orders_needed(None)
        names = customer_names(engine)
        frame = groups = None
    else:
        frame, people, groups, notes = _orders_and_people(engine, by, as_of)
        result = classify(_orders_needed(frame), params)
        names = people["name"]
    result.customers.insert(1, "name", result.customers["customer_id"].map(names))
    data = result.to_json()
    if snapshot:
        w = result.params["window"]
        data["snapshot"] = label or f"{w['start']}..{w['end']}"
        save_snapshot(engine, data["snapshot"], result)
    port = None
    if groups is not None:
        port = portfolio(result, groups, frame, settings["period"])
        data["portfolio"] = port.to_dict("records")
    return AbcXyzReport(data, result, port, notes)


def abc_xyz_migration(
    engine: Engine,
    windows: tuple[str, str],
    settings: dict,
    *,
    by: str | None = None,
    names: tuple[str, str] | None = None,
    as_of: date | None = None,
) -> AbcXyzMigration:
    """Who moved between the classes of two windows. A window is a stored classification's
    label, or a window (2025-Q1, 2025-03, 2025, FROM..TO) classified now with ``settings``."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.abc_moves import migration, migration_names
    from clientbase.analytics.abcxyz import AbcXyzParams, classify

    frame, people, groups, _ = _orders_and_people(engine, by, as_of)
    sides = []
    for window in windows:
        stored = load_snapshot(engine, window)
        if stored is not None:
            sides.append(stored)
            continue
        start, end = parse_window(window)
        r = classify(_orders_needed(frame), AbcXyzParams(start=start, end=end, **settings))
        sides.append((r.params["window"], r.customers, r.params["rules"]))
    (wa, before_c, rules), (wb, after_c, _) = sides
    overall = migration(before_c, after_c)
    data = {"from": {"window": windows[0], **wa},
            "to": {"window": windows[1], **wb},
            "rules": rules,
            "migration": {i: {c: int(v) for c, v in row.items()} for i, row in overall.iterrows()}}  # fmt: skip
    if groups is not None:
        long = migration(before_c, after_c, by=groups)
        data["by"] = long.to_dict("records")
    if names:
        ids = migration_names(before_c, after_c, names[0], names[1])
        data["names"] = [{"id": i, "name": people["name"].get(i)} for i in ids]
    return AbcXyzMigration(data, overall)
