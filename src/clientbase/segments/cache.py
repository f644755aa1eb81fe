"""The facts a filter needs, from the day's stored copy when there is one.

The figures that depend on the as-of day and on the orders and interactions (purchases, last
contact, lifecycle stage, ABC/XYZ, RFM segment, LTV, the lifecycle tags: ``CACHED_COLUMNS``)
cost seconds on a big base, pandas included. The first filter of a day that needs them computes
them for every customer exactly as before (segments.facts) and stores them in ``fact_rows``
under a ``fact_days`` row; the next filters of that day read them back with an indexed query
(``abc = 'A'`` walks the ``(day_id, abc)`` index). The customer's own columns, contact points,
consent and birthdays are never stored: they are cheap and always read live.

A stored day is used only while it is valid: same as-of day, same lifecycle settings (and rules
version), and computed at the current epoch: every import, merge, undo, erasure or card change
calls ``db.facts_cache.invalidate`` in its transaction, which moves the epoch on. The epoch is
read before the facts are computed, so a change committed while they were being computed leaves
them stored as already out of date. Storing is best effort: when the base is busy with another
writer, read-only, or changed meanwhile, the facts computed for this command are used and simply
not kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, FromClause, delete, func, insert, literal, or_, select
from sqlalchemy.exc import DBAPIError

from clientbase.db.engine import BUSY_TIMEOUT_MS
from clientbase.db.facts_cache import current_epoch, fact_days, fact_rows
from clientbase.db.models import customers
from clientbase.segments.day_key import settings_key
from clientbase.segments.facts import (
    CACHED_COLUMNS,
    CLASS_GROUPS,
    cached_view,
    groups_for,
    materialised,
)
from clientbase.segments.lifecycle import LifecycleSettings
from clientbase.segments.own_sql import OWN_TEXT, SPELLINGS_MAX, compared
from clientbase.segments.tree import Node

# Days kept at once (today, and an --as-of or two a report or a check asks for).
KEEP_DAYS = 3
# Fields whose groups make up each kind of stored day (see groups_for).
_ACTIVITY_FIELDS = ("last_contact", "orders", "lifecycle")
_CLASS_FIELDS = (*_ACTIVITY_FIELDS, "abc", "rfm_segment", "ltv", "vip")
_TEXT = ("lifecycle", "warmth", "abc", "xyz", "rfm_segment")
# Groups that are the customer's own columns (or EXISTS tests on tags and orders' categories).
_OWN_GROUPS = frozenset({"base", "tags", "categories", "birthday"})
# How long storing waits for another writer (ms) before giving up on keeping the facts.
_STORE_WAIT_MS = 300


@dataclass(frozen=True)
class Facts:
    """Where the facts of a filter are: the FACTS temp table, or a stored day joined to the
    live columns. ``spellings``: for text columns, every value they hold, so a comparison
    can be an exact (indexed) one instead of one on lower()."""

    table: FromClause
    spellings: dict[str, list[str]] = field(default_factory=dict)


def stored_day(
    conn: Connection, as_of: date, settings: LifecycleSettings, *, classes: bool
) -> tuple[int, dict] | None:
    """(id, spellings) of a valid stored day (with the classes when ``classes``), or None."""
    d = fact_days
    q = (
        select(d.c.id, d.c.spellings)
        .where(d.c.as_of == as_of, d.c.settings_key == settings_key(settings),
               d.c.epoch == current_epoch(conn), *([d.c.classes.is_(True)] if classes else []))
        .order_by(d.c.id.desc())
        .limit(1)
    )  # fmt: skip
    row = conn.execute(q).first()
    return (row.id, row.spellings or {}) if row else None


@contextmanager
def facts(
    conn: Connection,
    *,
    fields,
    as_of: date,
    settings: LifecycleSettings,
    narrow: Node | None = None,
    once: bool = False,
) -> Iterator[Facts]:
    """The facts ``fields`` need, for every customer in the base (see segments.facts), as
    ``Facts``. Commits ``conn`` when it stores a day. ``once``: the caller reads them with a
    single statement, so facts that SQL alone computes and no day stores (contact points,
    consent) come as a subquery, not a temporary table filled first."""
    names = set(fields)
    groups = groups_for(names)
    if groups <= _OWN_GROUPS:
        # Nothing to aggregate: the filter reads the customers table itself, no temp table.
        with cached_view(conn, groups, as_of=as_of, settings=settings, day_id=None) as view:
            yield Facts(view)
        return
    if not groups & set(CACHED_COLUMNS):
        if once:
            # Filling a table of every customer costs as much as the one reading of them
            # (a report's consent counts: 0.4 -> 0.25 s on 100,000 customers).
            with cached_view(conn, groups, as_of=as_of, settings=settings, day_id=None) as view:
                yield Facts(view)
            return
        with materialised(conn, fields=names, as_of=as_of, settings=settings, narrow=narrow) as t:
            yield Facts(t)
        return
    classes = bool(groups & CLASS_GROUPS)
    found = stored_day(conn, as_of, settings, classes=classes)
    if found is not None:
        day, spellings = found
        with cached_view(conn, groups, as_of=as_of, settings=settings, day_id=day) as view:
            yield Facts(view, spellings)
        return
    epoch = current_epoch(conn)  # before the facts are read: see the module's note
    fill = names | set(_CLASS_FIELDS if classes else _ACTIVITY_FIELDS)
    with materialised(conn, fields=fill, as_of=as_of, settings=settings) as t:
        _store(conn, t, as_of=as_of, settings=settings, classes=classes, epoch=epoch)
        yield Facts(t)


def _columns(classes: bool) -> list[str]:
    groups = set(CACHED_COLUMNS) if classes else {"contact", "purchases", "lifecycle"}
    return [n for g, cols in CACHED_COLUMNS.items() if g in groups for n in cols]


def _store(
    conn: Connection,
    t,
    *,
    as_of: date,
    settings: LifecycleSettings,
    classes: bool,
    epoch: int,
) -> int | None:
    """Keep the facts of the temp table ``t`` as a stored day; its id, or None when the base
    could not take them now (nothing is changed then)."""
    cols = _columns(classes)
    key = settings_key(settings)
    text = [c for c in _TEXT if c in cols]
    spellings: dict[str, set] = {c: set() for c in text}
    for row in conn.execute(select(*(t.c[c] for c in text)).distinct()):
        for c, v in zip(text, row, strict=True):
            if v is not None:
                spellings[c].add(v)
    try:
        with _short_wait(conn), conn.begin_nested():
            d = fact_days
            keep = select(d.c.id).where(
                d.c.epoch == epoch, or_(d.c.as_of != as_of, d.c.settings_key != key)
            ).order_by(d.c.id.desc()).limit(KEEP_DAYS - 1)  # fmt: skip
            old = list(conn.execute(select(d.c.id).where(d.c.id.not_in(keep))).scalars())
            if old:
                conn.execute(delete(fact_rows).where(fact_rows.c.day_id.in_(old)))
                conn.execute(delete(d).where(d.c.id.in_(old)))
            count = conn.execute(select(func.count()).select_from(t)).scalar_one()
            day = conn.execute(
                insert(d).values(
                    as_of=as_of, settings_key=key, epoch=epoch, classes=classes,
                    customers=count, spellings={c: sorted(v) for c, v in spellings.items()},
                    computed_at=datetime.now(),
                )
            ).inserted_primary_key[0]  # fmt: skip
            conn.execute(
                insert(fact_rows).from_select(
                    ["day_id", "customer_id", *cols],
                    select(literal(day), t.c.id, *(t.c[c] for c in cols)),
                )
            )
        conn.commit()
    except DBAPIError:
        return None
    return day


@contextmanager
def _short_wait(conn: Connection) -> Iterator[None]:
    """On SQLite, give up on the write lock after a moment instead of busy_timeout: keeping the
    facts is not worth waiting for an import."""
    if conn.dialect.name != "sqlite":
        yield
        return
    db = conn.connection.driver_connection
    db.execute(f"PRAGMA busy_timeout={_STORE_WAIT_MS}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def with_own_spellings(conn: Connection, f: Facts, node: Node) -> Facts:
    """``f`` with the spellings of the customer's own text columns an expression compares with
    = != in or "not in", on SQLite: there the case-blind comparison calls Python's lower() once
    per customer, while a column of a few hundred cities is read in a fraction of that and
    compared exactly (``city in ('Москва', 'москва')``). A column with more than a couple of
    thousand values (names) keeps the case-blind comparison."""
    if conn.dialect.name != "sqlite":
        return f  # the server's lower() costs next to nothing
    spellings = dict(f.spellings)
    for col in sorted(compared(node) - set(spellings)):
        column = customers.c[OWN_TEXT[col]]
        q = select(column).where(column.is_not(None)).distinct().limit(SPELLINGS_MAX + 1)
        found = [v for v in conn.execute(q).scalars() if isinstance(v, str)]
        if len(found) <= SPELLINGS_MAX:
            spellings[col] = found
    return Facts(f.table, spellings)
