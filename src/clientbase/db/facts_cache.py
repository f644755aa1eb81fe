"""The stored per-day customer facts (segments.cache fills and reads them) and ``invalidate``, the
one call every change of customers, orders or interactions makes in its write transaction.

A day's facts are valid while the ``epoch`` they were computed at is still the current one:
``invalidate`` only moves the epoch on (one row updated, whatever the size of the base), and
the next filter of that day computes the facts again. The rows carry no foreign keys: they are a
cache, and must never stand in the way of deleting a customer (an import undone, a merge).

The tables are outside ``models.Base`` on purpose: a copy of the base, a merge-and-undo check
or the erasure's rewrite of every table have nothing to keep in them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)

from clientbase.db.models import NAMING_CONVENTION

META = MetaData(naming_convention=NAMING_CONVENTION)

fact_epoch = Table(
    "fact_epoch", META,
    Column("id", Integer, primary_key=True),  # always 1
    Column("n", Integer, nullable=False),
)  # fmt: skip

fact_days = Table(
    "fact_days", META,
    Column("id", Integer, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("settings_key", String(64), nullable=False),  # the rules' settings, hashed
    Column("epoch", Integer, nullable=False),
    Column("classes", Boolean, nullable=False),  # abc/xyz/rfm/ltv/tags filled too
    Column("customers", Integer, nullable=False),
    Column("spellings", JSON),  # {column: [every value it holds]}: exact, indexed comparisons
    Column("computed_at", DateTime, nullable=False),
)  # fmt: skip

fact_rows = Table(
    "fact_rows", META,
    Column("day_id", Integer, primary_key=True),
    Column("customer_id", Integer, primary_key=True),
    Column("last_contact", DateTime),
    Column("orders", Integer),
    Column("revenue", Float),
    Column("avg_check", Float),
    Column("first_order", DateTime),
    Column("last_order", DateTime),
    Column("discount_share", Float),
    Column("discount_orders", Integer),
    Column("orders_12m", Integer),
    Column("lifecycle", String(16)),
    Column("warmth", String(16)),
    Column("abc", String(1)),
    Column("xyz", String(1)),
    Column("rfm_segment", String(40)),
    Column("ltv", Float),
    Column("vip", Integer),
    Column("one_time_buyer", Integer),
    Column("discount_seeker", Integer),
    Column("loyal", Integer),
    Index("ix_fact_rows_abc", "day_id", "abc"),
    Index("ix_fact_rows_rfm_segment", "day_id", "rfm_segment"),
    Index("ix_fact_rows_lifecycle", "day_id", "lifecycle", "warmth"),
)  # fmt: skip


def current_epoch(conn: Connection) -> int:
    return conn.execute(select(fact_epoch.c.n).where(fact_epoch.c.id == 1)).scalar() or 0


def invalidate(conn: Connection) -> None:
    """Every stored day of facts is out of date from this transaction's commit on (rolled back
    with it, as a dry run is)."""
    done = conn.execute(update(fact_epoch).where(fact_epoch.c.id == 1).values(n=fact_epoch.c.n + 1))
    if done.rowcount == 0:
        conn.execute(insert(fact_epoch).values(id=1, n=1))
