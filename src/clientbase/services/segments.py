"""Segments: who matches a filter, saved filters with their sizes over time, lifecycle settings,
birthdays, customers to win back, and tags given in bulk.

Who is in a segment: customers in the base (not merged away, not erased) that the expression
matches. Archived customers (they asked not to be contacted) are left out, unless the expression
itself mentions ``status`` (``status = 'archived'`` lists them; ``status != 'x'`` includes them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    FromClause,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)

from clientbase.db.bulk import insert_rows
from clientbase.db.engine import write_transaction
from clientbase.db.models import (
    contact_points,
    customer_tags,
    customers,
    metric_snapshots,
    orders,
    segments,
    settings,
    tags,
)
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES
from clientbase.errors import NotFoundError, UsageError
from clientbase.importers.settings import OWN_NUMBERS, OWN_NUMBERS_MEANING, parse_own_numbers
from clientbase.segments.cache import Facts, facts
from clientbase.segments.facts import GONE, celebration, days_to_birthday, narrowing
from clientbase.segments.filter import FilterError, Node, fields_used, parse
from clientbase.segments.filter_sql import to_sql
from clientbase.segments.lifecycle import (
    DEFAULTS,
    SETTINGS,
    LifecycleSettings,
    cutoffs,
    parse_setting,
    settings_from,
)
from clientbase.services.config import lifecycle_defaults
from clientbase.services.dry_run import changes

SNAPSHOT_KIND = "segments"
NAME_MAX = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- settings ------------------------------------------------------------------------------------


def load_settings(conn: Connection) -> LifecycleSettings:
    """The lifecycle settings as stored (defaults for what was never set)."""
    stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
    # The user's config file gives the defaults; what the base stores wins.
    return settings_from({**lifecycle_defaults(), **stored})


def list_settings(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
    current = settings_from({**lifecycle_defaults(), **stored})
    return [
        {"key": k, "value": getattr(current, k), "default": getattr(DEFAULTS, k),
         "set": k in stored, "meaning": meaning}
        for k, (_kind, _lo, _hi, meaning) in SETTINGS.items()
    ] + [
        {"key": OWN_NUMBERS, "value": stored.get(OWN_NUMBERS, ""), "default": "",
         "set": OWN_NUMBERS in stored, "meaning": OWN_NUMBERS_MEANING}
    ]  # fmt: skip


def set_setting(engine: Engine, key: str, value: str, *, dry_run: bool = False) -> dict:
    """Store one setting; the value and the settings as a whole (sleeping before lost) are
    checked first, so a bad value never reaches the table."""
    if key == OWN_NUMBERS:
        parsed = ", ".join(parse_own_numbers(value))
    else:
        parsed = parse_setting(key, value)
    with changes(engine, dry_run=dry_run) as conn:
        stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
        stored[key] = str(parsed)
        settings_from(
            {**lifecycle_defaults(), **stored}
        )  # raises UsageError when the whole would not hold
        now = datetime.now()
        if conn.execute(select(settings.c.key).where(settings.c.key == key)).first():
            conn.execute(
                update(settings)
                .where(settings.c.key == key)
                .values(value=str(parsed), updated_at=now)
            )
        else:
            conn.execute(insert(settings).values(key=key, value=str(parsed), updated_at=now))
    return {"key": key, "value": parsed}


def unset_setting(engine: Engine, key: str) -> dict:
    """Back to the default; unknown keys are an error (a typo should not pass silently)."""
    if key not in SETTINGS and key != OWN_NUMBERS:
        raise UsageError(f"unknown setting {key!r}", hint=f"one of: {', '.join(SETTINGS)}")
    with write_transaction(engine) as conn:
        stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
        stored.pop(key, None)
        settings_from(stored)
        n = conn.execute(delete(settings).where(settings.c.key == key)).rowcount
    default = "" if key == OWN_NUMBERS else getattr(DEFAULTS, key)
    return {"key": key, "value": default, "was_set": bool(n)}


# --- matching ------------------------------------------------------------------------------------


def _stored_segment(conn: Connection, name: str):
    row = conn.execute(select(segments).where(segments.c.name == name)).first()
    if row is None:
        names = conn.execute(select(segments.c.name).order_by(segments.c.name)).scalars().all()
        hint = (
            f"saved segments: {', '.join(names)}"
            if names
            else "none saved yet: clientbase segment create NAME --where EXPR"
        )
        raise NotFoundError(f"there is no segment {name!r}", hint=hint)
    return row


def _parse_stored(name: str, text: str) -> Node:
    try:
        return parse(text)
    except FilterError as exc:
        raise UsageError(
            f"segment {name!r}: {exc.message}",
            hint=f"save it again: clientbase segment create {name} --where EXPR --replace",
        ) from None


def _expression(conn: Connection, where: str | None, segment: str | None) -> Node:
    if (where is None) == (segment is None):
        raise UsageError("give either --where EXPR or --segment NAME")
    if where is not None:
        return parse(where)
    row = _stored_segment(conn, segment)
    return _parse_stored(row.name, row.expression)


def condition(node: Node, f: Facts | FromClause, as_of: date):
    """The SQL condition of a node on the facts (segments.cache, or a table of FACTS columns),
    archived customers left out unless the expression mentions ``status``."""
    if not isinstance(f, Facts):
        f = Facts(f)
    cond = to_sql(node, f.table, as_of=as_of, spellings=f.spellings)
    if "status" not in fields_used(node):
        cond = and_(f.table.c.status != "archived", cond)
    return cond


def matching_ids(
    engine: Engine,
    *,
    where: str | None = None,
    segment: str | None = None,
    as_of: date | None = None,
) -> list[int]:
    """Ids (ascending) of the customers an expression or a saved segment matches today (or on
    ``as_of``). Exactly one of ``where`` / ``segment``."""
    day = as_of or date.today()
    with engine.connect() as conn:
        node = _expression(conn, where, segment)
        lc = load_settings(conn)
        fields = fields_used(node) | {"status"}
        with facts(conn, fields=fields, as_of=day, settings=lc, narrow=narrowing(node)) as f:
            t = f.table
            q = select(t.c.id).where(condition(node, f, day)).order_by(t.c.id)
            return list(conn.execute(q).scalars())


# --- saved segments ------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    n = (name or "").strip()
    if not n or len(n) > NAME_MAX or _CONTROL.search(n) or n.startswith("-"):
        raise UsageError(
            f"segment name {name!r}: 1 to {NAME_MAX} characters, not starting with -",
            hint="e.g. sleeping-kazan or 'Спящие Казань'",
        )
    return n


def create_segment(
    engine: Engine,
    name: str,
    where: str,
    *,
    description: str | None = None,
    replace: bool = False,
    as_of: date | None = None,
) -> dict:
    """Save a filter under a name (checked first) and count it; the count is the size the next
    `segment list` compares with."""
    name = _check_name(name)
    parse(where)
    with engine.connect() as conn:
        exists = conn.execute(select(segments.c.id).where(segments.c.name == name)).first()
    if exists and not replace:
        raise UsageError(
            f"there is already a segment {name!r}",
            hint="add --replace to change it, or: clientbase segment delete NAME",
        )
    size = len(matching_ids(engine, where=where, as_of=as_of))
    now = datetime.now()
    values = {"expression": where, "description": description, "last_size": size,
              "last_run_at": now}  # fmt: skip
    with write_transaction(engine) as conn:
        if exists:
            conn.execute(update(segments).where(segments.c.name == name).values(**values))
        else:
            conn.execute(insert(segments).values(name=name, created_at=now, **values))
    return {"name": name, "expression": where, "description": description, "size": size,
            "replaced": bool(exists)}  # fmt: skip


def get_segment(engine: Engine, name: str) -> dict:
    with engine.connect() as conn:
        r = _stored_segment(conn, name)
    return _segment_dict(r)


def _segment_dict(r) -> dict:
    return {
        "name": r.name,
        "expression": r.expression,
        "description": r.description,
        "last_size": r.last_size,
        "last_run_at": r.last_run_at.isoformat(sep=" ", timespec="seconds")
        if r.last_run_at
        else None,
        "created_at": r.created_at.isoformat(sep=" ", timespec="seconds"),
    }


def delete_segment(engine: Engine, name: str) -> None:
    with write_transaction(engine) as conn:
        _stored_segment(conn, name)
        conn.execute(delete(segments).where(segments.c.name == name))


def list_segments(engine: Engine, *, as_of: date | None = None, record: bool = True) -> list[dict]:
    """Every saved segment with its size now and the change since the previous run. The facts
    are computed once for all of them. With ``record`` the sizes become the new "previous" and a
    ``metric_snapshots`` row (kind "segments", {name: size}) keeps the movement for the report.
    A segment whose stored expression no longer parses is listed with its error, size None."""
    day = as_of or date.today()
    with engine.connect() as conn:
        rows = conn.execute(select(segments).order_by(segments.c.name)).all()
        nodes, errors = {}, {}
        for r in rows:
            try:
                nodes[r.name] = parse(r.expression)
            except FilterError as exc:
                errors[r.name] = exc.message
        sizes: dict[str, int] = {}
        if nodes:
            lc = load_settings(conn)
            needed = set().union(*(fields_used(n) for n in nodes.values())) | {"status"}
            with facts(conn, fields=needed, as_of=day, settings=lc) as f:
                for name, node in nodes.items():
                    q = select(func.count()).select_from(f.table).where(condition(node, f, day))
                    sizes[name] = conn.execute(q).scalar_one()
    now = datetime.now()
    if record and sizes:
        with write_transaction(engine) as conn:
            for name, size in sizes.items():
                conn.execute(
                    update(segments).where(segments.c.name == name)
                    .values(last_size=size, last_run_at=now)
                )  # fmt: skip
            conn.execute(
                insert(metric_snapshots).values(kind=SNAPSHOT_KIND, taken_at=now, data=sizes)
            )
    out = []
    for r in rows:
        d = _segment_dict(r)
        size = sizes.get(r.name)
        d.pop("last_size")
        d.pop("last_run_at")
        d.update(
            size=size,
            previous_size=r.last_size,
            change=None if size is None or r.last_size is None else size - r.last_size,
            previous_run_at=(r.last_run_at.isoformat(sep=" ", timespec="seconds")
                             if r.last_run_at else None),
        )  # fmt: skip
        if r.name in errors:
            d["error"] = errors[r.name]
        out.append(d)
    return out


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
) -> list[dict]:
    """Birthdays in the ``days`` days from ``today`` on (today included: days=1 is today only),
    nearest first. 29 February is celebrated on 28 February in other years; a birthday without
    a year is listed without an age. Archived customers are left out; ``where``/``segment``
    narrow the list further."""
    today = today or date.today()
    if not 1 <= days <= 366:
        raise UsageError(f"--days {days}: from 1 to 366")
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
            {
                "id": r.id,
                "name": r.display_name,
                "date": when.isoformat(),
                "in_days": n,
                "birthday": (f"{r.birth_year:04d}-{r.birth_month:02d}-{r.birth_day:02d}"
                             if r.birth_year else None),
                "month_day": f"{r.birth_month:02d}-{r.birth_day:02d}",
                "age": when.year - r.birth_year if r.birth_year else None,
                "phones": phones.get(r.id, []),
                "emails": emails.get(r.id, []),
            }
        )  # fmt: skip
    out.sort(key=lambda x: (x["in_days"], x["name"] or "", x["id"]))
    return out


# --- reactivation --------------------------------------------------------------------------------


def reactivation(
    engine: Engine,
    as_of: date | None = None,
    *,
    where: str | None = None,
    segment: str | None = None,
) -> list[dict]:
    """Customers who used to buy regularly and stopped, the most valuable first.

    Regular: bought on at least ``reactivation_min_orders`` (3) different days. Their usual
    interval is the median of the gaps between those days. Stopped: the days since the last
    order exceed both ``reactivation_factor`` (2) x the usual interval and
    ``reactivation_min_days`` (30). Value at stake = what they brought a year while they were
    buying: revenue x 365 / (days from the first to the last order + one usual interval), the
    span taken as at least a year (so three orders in one month are not a yearly twelve).
    Archived customers are left out."""
    # pandas and numpy take ~0.4 s to import (every `contacts list` imports this module)
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
            {
                "id": cid,
                "name": names.get(cid),
                "orders": int(r.orders),
                "revenue": round(float(r.revenue), 2),
                "first_order": r.first.date().isoformat(),
                "last_order": r.last.date().isoformat(),
                "days_since_last_order": int(r.since),
                "usual_interval_days": round(float(r.interval), 1),
                "overdue_times": round(float(r.since) / max(float(r.interval), 1.0), 1),
                "value_at_stake": round(float(r.value), 2),
                "phones": phones.get(cid, []),
                "emails": emails.get(cid, []),
            }
        )
    return out


# --- tags ----------------------------------------------------------------------------------------


def _check_tag(tag: str) -> str:
    t = (tag or "").strip()
    if not t or len(t) > 100 or _CONTROL.search(t):
        raise UsageError(f"tag {tag!r}: 1 to 100 characters")
    return t


def change_tag(
    engine: Engine,
    tag: str,
    *,
    remove: bool = False,
    where: str | None = None,
    segment: str | None = None,
    ids: list[int] | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
) -> dict:
    """Give a tag to (or take it from) the customers of an expression, a segment or a list of
    ids; the tag is matched without regard to case and created on first use. Returns the counts
    (with ``dry_run`` what would change, nothing written)."""
    name = _check_tag(tag)
    given = sum(x is not None and x != [] for x in (where, segment, ids))
    if given != 1:
        raise UsageError("give the customers one way: --where EXPR, --segment NAME or IDs")
    if ids:
        wanted = sorted(set(ids))
        with engine.connect() as conn:
            found = set()
            for i in range(0, len(wanted), 500):
                found.update(conn.execute(
                    select(customers.c.id).where(
                        customers.c.id.in_(wanted[i : i + 500]),
                        customers.c.merged_into_id.is_(None), customers.c.status.not_in(GONE))
                ).scalars())  # fmt: skip
        missing = [i for i in wanted if i not in found]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
            raise NotFoundError(f"there is no customer {shown}", hint="nothing was changed")
        target = wanted
    else:
        target = matching_ids(engine, where=where, segment=segment, as_of=as_of)

    def apply(conn: Connection, write: bool) -> dict:
        row = conn.execute(
            select(tags.c.id, tags.c.name).where(func.lower(tags.c.name) == name.lower())
            .order_by(tags.c.id)
        ).first()  # fmt: skip
        shown = row.name if row else name
        have: set[int] = set()
        if row:
            have = set(conn.execute(
                select(customer_tags.c.customer_id).where(customer_tags.c.tag_id == row.id)
            ).scalars())  # fmt: skip
        if remove:
            hit = [i for i in target if i in have]
            if write and hit:
                for i in range(0, len(hit), 500):
                    conn.execute(delete(customer_tags).where(
                        customer_tags.c.tag_id == row.id,
                        customer_tags.c.customer_id.in_(hit[i : i + 500])))  # fmt: skip
            return {"tag": shown, "matched": len(target), "removed": len(hit),
                    "unchanged": len(target) - len(hit), "dry_run": not write}  # fmt: skip
        new = [i for i in target if i not in have]
        if write and new:
            tag_id = (
                row.id
                if row
                else conn.execute(insert(tags).values(name=name)).inserted_primary_key[0]
            )
            for i in range(0, len(new), 5000):
                insert_rows(conn, customer_tags, ("customer_id", "tag_id"),
                            [(cid, tag_id) for cid in new[i : i + 5000]])  # fmt: skip
        return {"tag": shown, "matched": len(target), "added": len(new),
                "unchanged": len(target) - len(new), "dry_run": not write}  # fmt: skip

    if dry_run:
        with engine.connect() as conn:
            return apply(conn, False)
    with write_transaction(engine) as conn:
        return apply(conn, True)


def segment_names(engine: Engine) -> list[str]:
    """The names of the saved segments, in order (for shell completion)."""
    with engine.connect() as conn:
        return list(conn.execute(select(segments.c.name).order_by(segments.c.name)).scalars())
