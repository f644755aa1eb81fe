"""Who to get in touch with: upcoming birthdays, and regular customers who stopped buying (to
win back), each list narrowed by a filter or a saved segment when asked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    String,
    and_,
    case,
    func,
    or_,
    select,
    type_coerce,
)

from clientbase.db.models import (
    contact_points,
    customers,
    orders,
)
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES
from clientbase.errors import UsageError
from clientbase.i18n import _
from clientbase.segments.facts import (
    GONE,
    celebration,
    days_to_birthday,
)
from clientbase.segments.lifecycle import (
    cutoffs,
)
from clientbase.services.results import Result
from clientbase.services.segments import load_settings, matching_ids


@dataclass(frozen=True, slots=True)
class Birthday(Result):
    """A customer whose birthday comes within the days asked (``age`` they turn, when the year
    is known)."""

    id: int
    name: str | None
    date: str
    in_days: int
    birthday: str | None
    month_day: str
    age: int | None
    phones: list[str]
    emails: list[str]


@dataclass(frozen=True, slots=True)
class WinBack(Result):
    """A regular customer who stopped buying, with what is at stake."""

    id: int
    name: str | None
    orders: int
    revenue: float
    first_order: str
    last_order: str
    days_since_last_order: int
    usual_interval_days: float
    overdue_times: float
    value_at_stake: float
    phones: list[str]
    emails: list[str]


# --- birthdays -----------------------------------------------------------------------------------


def _points(conn: Connection, ids: list[int]) -> tuple[dict, dict]:
    """{id: [phones]}, {id: [emails]}: the valid ones, in the order they were added."""
    found = []
    cp = contact_points
    for i in range(0, len(ids), 500):
        # Only the customer_id condition in SQL, sorted here: with an ORDER BY id or a condition
        # on kind SQLite may walk the whole table (the rowid or the kind index) instead of the
        # customer_id index, which costs seconds per page on a million points.
        q = select(cp.c.id, cp.c.customer_id, cp.c.kind, cp.c.value, cp.c.valid).where(
            cp.c.customer_id.in_(ids[i : i + 500])
        )
        found += map(tuple, conn.execute(q))
    phones, emails = defaultdict(list), defaultdict(list)
    for _pid, cid, kind, value, valid in sorted(found, key=lambda r: r[0]):
        if valid and value and kind in ("phone", "email"):
            (phones if kind == "phone" else emails)[cid].append(value)
    return phones, emails


def birthdays(
    engine: Engine,
    days: int = 7,
    today: date | None = None,
    *,
    where: str | None = None,
    segment: str | None = None,
) -> list[Birthday]:
    """Birthdays in the ``days`` days from ``today`` on (today included: days=1 is today only),
    nearest first. 29 February is celebrated on 28 February in other years; a birthday without
    a year is listed without an age. Archived customers are left out; ``where``/``segment``
    narrow the list further."""
    today = today or date.today()
    if not 1 <= days <= 366:
        raise UsageError(_("--days {days}: from 1 to 366").format(days=days))
    wanted: dict[int, list[int]] = defaultdict(list)
    offsets: dict[tuple[int, int], int] = {}
    for m in range(1, 13):
        for d in range(1, 32):
            try:
                n = days_to_birthday(m, d, today)
            except ValueError:
                continue
            if n < days:
                wanted[m].append(d)
                offsets[(m, d)] = n
    if not wanted:
        return []
    keep = None
    if where is not None or segment is not None:
        keep = set(matching_ids(engine, where=where, segment=segment, as_of=today))
    c = customers
    by_month = [and_(c.c.birth_month == m, c.c.birth_day.in_(ds)) for m, ds in wanted.items()]

    q = select(c.c.id, c.c.display_name, c.c.birth_year, c.c.birth_month, c.c.birth_day).where(
        c.c.merged_into_id.is_(None), c.c.status.not_in((*GONE, "archived")), or_(*by_month)
    )
    with engine.connect() as conn:
        rows = [r for r in conn.execute(q) if keep is None or r.id in keep]
        phones, emails = _points(conn, [r.id for r in rows])
    out = []
    for r in rows:
        n = offsets[(r.birth_month, r.birth_day)]
        when = celebration(r.birth_month, r.birth_day, (today + timedelta(days=n)).year)
        out.append(
            Birthday(
                id=r.id,
                name=r.display_name,
                date=when.isoformat(),
                in_days=n,
                birthday=(f"{r.birth_year:04d}-{r.birth_month:02d}-{r.birth_day:02d}"
                          if r.birth_year else None),
                month_day=f"{r.birth_month:02d}-{r.birth_day:02d}",
                age=when.year - r.birth_year if r.birth_year else None,
                phones=phones.get(r.id, []),
                emails=emails.get(r.id, []),
            )
        )  # fmt: skip
    out.sort(key=lambda x: (x.in_days, x.name or "", x.id))
    return out


# --- reactivation --------------------------------------------------------------------------------


def reactivation(
    engine: Engine,
    as_of: date | None = None,
    *,
    where: str | None = None,
    segment: str | None = None,
) -> list[WinBack]:
    """Customers who used to buy regularly and stopped, the most valuable first.

    Regular: bought on at least ``reactivation_min_orders`` (3) different days. Their usual
    interval is the median of the gaps between those days. Stopped: the days since the last
    order exceed both ``reactivation_factor`` (2) x the usual interval and
    ``reactivation_min_days`` (30). Value at stake = what they brought a year while they were
    buying: revenue x 365 / (days from the first to the last order + one usual interval), the
    span taken as at least a year (so three orders in one month are not a yearly twelve).
    Archived customers are left out."""
    # pandas and numpy take ~0.4 s to import: only when this runs
    import numpy as np
    import pandas as pd

    day = as_of or date.today()
    keep = None
    if where is not None or segment is not None:
        keep = set(matching_ids(engine, where=where, segment=segment, as_of=day))
    o, c = orders, customers
    with engine.connect() as conn:
        s = load_settings(conn)
        cut = cutoffs(day, s)
        live = and_(
            o.c.status.is_(None) | o.c.status.not_in(UNCOUNTED_ORDER_STATUSES),
            o.c.ordered_at < cut.end,
        )
        silent_since = datetime.combine(
            day - timedelta(days=s.reactivation_min_days), datetime.min.time()
        )
        # Only customers with enough orders and silent long enough come to pandas.
        # A return (analytics.returns) takes money back; it is not a purchase day.
        is_return = case((o.c.status == ORDER_RETURN, 1), else_=0)
        bought = case((o.c.status == ORDER_RETURN, None), else_=o.c.ordered_at)
        candidates = (
            select(o.c.customer_id)
            .where(live)
            .group_by(o.c.customer_id)
            .having(
                func.sum(1 - is_return) >= s.reactivation_min_orders,
                func.max(bought) < silent_since,
            )
        )
        q = (
            select(o.c.customer_id, type_coerce(o.c.ordered_at, String).label("ordered_at"),
                   o.c.amount, is_return.label("is_return"))
            .join(c, c.c.id == o.c.customer_id)
            .where(live, c.c.merged_into_id.is_(None), c.c.status.not_in((*GONE, "archived")),
                   o.c.customer_id.in_(candidates))
        )  # fmt: skip
        frame = pd.read_sql(q, conn)
        if keep is not None:
            frame = frame[frame["customer_id"].isin(keep)]
        if frame.empty:
            return []
        frame["day"] = pd.to_datetime(frame["ordered_at"], format="ISO8601").dt.normalize()
        buys = frame[frame["is_return"].to_numpy() == 0]
        g = buys.groupby("customer_id")
        per = pd.DataFrame({"orders": g.size(),
                            "revenue": frame.groupby("customer_id")["amount"].sum(),
                            "first": g["day"].min(), "last": g["day"].max()})  # fmt: skip
        days = buys.drop_duplicates(["customer_id", "day"]).sort_values(["customer_id", "day"])
        gaps = days.groupby("customer_id")["day"].diff().dt.days
        days = days.assign(gap=gaps)
        per["purchase_days"] = days.groupby("customer_id").size()
        per["interval"] = days.groupby("customer_id")["gap"].median()
        per["since"] = (pd.Timestamp(day) - per["last"]).dt.days
        per = per[per["purchase_days"] >= s.reactivation_min_orders]
        threshold = np.maximum(s.reactivation_factor * per["interval"], s.reactivation_min_days)
        per = per[per["since"] > threshold]
        if per.empty:
            return []
        span = (per["last"] - per["first"]).dt.days + per["interval"]
        per["value"] = per["revenue"] * 365 / np.maximum(span, 365)
        per = per.reset_index().sort_values(["value", "customer_id"], ascending=[False, True])
        ids = per["customer_id"].astype(int).tolist()
        names = {}
        for i in range(0, len(ids), 500):
            names.update(conn.execute(
                select(c.c.id, c.c.display_name).where(c.c.id.in_(ids[i : i + 500]))
            ).all())  # fmt: skip
        phones, emails = _points(conn, ids)
    out = []
    for r in per.itertuples(index=False):
        cid = int(r.customer_id)
        out.append(
            WinBack(
                id=cid,
                name=names.get(cid),
                orders=int(r.orders),
                revenue=round(float(r.revenue), 2),
                first_order=r.first.date().isoformat(),
                last_order=r.last.date().isoformat(),
                days_since_last_order=int(r.since),
                usual_interval_days=round(float(r.interval), 1),
                overdue_times=round(float(r.since) / max(float(r.interval), 1.0), 1),
                value_at_stake=round(float(r.value), 2),
                phones=phones.get(cid, []),
                emails=emails.get(cid, []),
            )
        )
    return out
