"""SQLite: a whole listing of customers as CSV text, built by the database.

The customers a filter matches go into the temporary table ``listed_text`` with one
``INSERT … SELECT`` (services.segments.insert_matching), and the stages of the day of those who
have an order (from the day's stored facts when they are kept) into ``listed_stages``; the
lines are then written by services.contact_lines on the same connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    exists,
    insert,
    select,
)

from clientbase.db.models import orders
from clientbase.segments.cache import stored_day
from clientbase.segments.facts import lifecycle_select
from clientbase.segments.lifecycle import stage
from clientbase.services.contact_lines import (
    STAGES_JOIN,
    TEXT_FIELDS,
    create_temporary,
    drop_temporary,
    lines,
    listing,
)
from clientbase.services.segments import insert_matching, load_settings

_MD = MetaData()
# The SQLAlchemy forms of two of contact_lines' temporary tables, for the statements built here.
LISTED = Table("listed_text", _MD, Column("customer_id", Integer, primary_key=True))
STAGES = Table(
    "listed_stages", _MD, Column("customer_id", Integer, primary_key=True),
    Column("lifecycle", String), Column("warmth", String),
)  # fmt: skip


def text_csv(
    engine: Engine,
    columns: Sequence[str],
    *,
    where: str | None = None,
    segment: str | None = None,
    ids: Sequence[int] | None = None,
    as_of: date | None = None,
    utf8: bool = False,
) -> Iterator[str] | Iterator[bytes] | None:
    """The customers (those ``where``, ``segment`` or ``ids`` names, if one is given; else all)
    in id order, as the CSV lines (without the header) ``csv.writer`` writes of the values of
    ``columns``, in blocks of text (of UTF-8 bytes when ``utf8``: for an output that writes
    UTF-8, they need no decoding and no encoding). None when this is not SQLite or a column is
    not one of ``TEXT_FIELDS``: use ``services.contact_stream`` then. A bad expression or
    segment name raises here, before any text."""
    if engine.dialect.name != "sqlite" or not set(columns) <= TEXT_FIELDS:
        return None
    blocks = _blocks(engine, list(columns), where, segment, ids, as_of or date.today(), utf8)
    next(blocks)  # the filter and the temporary tables: their errors come before any output
    return blocks


def _blocks(engine: Engine, cols: list[str], where, segment, ids, day: date, utf8: bool):
    with engine.connect() as conn:
        conn.begin()  # one read of the base: the driver's statements below run inside it
        db = conn.connection.driver_connection
        drop_temporary(db)
        try:
            listed = _fill_listed(conn, db, where, segment, ids, day)
            found = listing(db, cols, listed, lambda: _stages(conn, db, day, listed))
            yield ""
            yield from lines(db, found, utf8)
        finally:
            drop_temporary(db)


def _fill_listed(conn: Connection, db, where, segment, ids, day: date) -> bool:
    """The listed ids in ``listed_text``; False when the listing is the whole base (no table)."""
    if where is None and segment is None and ids is None:
        return False
    create_temporary(db, "listed_text")
    if ids is not None:
        db.executemany("INSERT INTO listed_text (customer_id) VALUES (?)", [(i,) for i in ids])
    else:
        insert_matching(conn, LISTED, where=where, segment=segment, as_of=day)
    return True


def _stages(conn: Connection, db, day: date, listed: bool) -> tuple[str, tuple]:
    """The join that gives the listed customers' stage and warmth on ``day``, and the values
    of those it has no row for: from the day's stored facts when they are kept (a row for
    every customer), else computed for those who have an order (everyone else has the stage
    of no orders at all)."""
    lc = load_settings(conn)
    none = stage(orders=0, first_order=None, last_order=None, last_contact=None, as_of=day,
                 settings=lc)  # fmt: skip
    stored = stored_day(conn, day, lc, classes=False)
    if stored is not None:
        join = f" LEFT JOIN fact_rows s ON s.day_id = {int(stored[0])} AND s.customer_id = c.id"
        return join, (None, None)
    create_temporary(db, "listed_stages")
    buyers = select(orders.c.customer_id).distinct()
    if listed:
        buyers = select(LISTED.c.customer_id).where(
            exists().where(orders.c.customer_id == LISTED.c.customer_id)
        )
    q = lifecycle_select(day, lc, ids=buyers)
    conn.execute(insert(STAGES).from_select(["customer_id", "lifecycle", "warmth"], q))
    return STAGES_JOIN, none
