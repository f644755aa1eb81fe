"""SQLite: a whole listing of customers as the text a CSV shows, from one query.

The CSV of `contacts list` needs, per customer, plain columns, the birthday written out, the
valid phones and emails and the tags joined by ", ", and the lifecycle stage. On SQLite one
SELECT gives all of them (correlated subqueries on the indexed customer id; the stages of the
day put in a temporary table first), and the rows go from the driver to the CSV writer as they
come, without a Python step per customer: a few hundred thousand customers in a second or two.

The values are exactly those of ``services.contact_stream`` (the list joined as
``cli.output`` joins a list); a test holds the two to each other. Lists are joined in the order
of an ordered subquery: SQLite does not flatten a subquery with ORDER BY into an aggregate, so
``group_concat`` sees its rows in that order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.schema import DropTable

from clientbase.db.bulk import insert_rows
from clientbase.db.facts_cache import fact_rows
from clientbase.segments.cache import stored_day
from clientbase.segments.facts import lifecycle_select
from clientbase.services.contacts import _OWN
from clientbase.services.segments import load_settings

_MD = MetaData()
LISTED = Table(
    "listed_text", _MD, Column("customer_id", Integer, primary_key=True), prefixes=["TEMPORARY"]
)
STAGES = Table(
    "listed_stages", _MD,
    Column("customer_id", Integer, primary_key=True),
    Column("lifecycle", String), Column("warmth", String),
    prefixes=["TEMPORARY"],
)  # fmt: skip

_POINTS = (
    "(SELECT group_concat(value, ', ') FROM (SELECT p.value FROM contact_points p"
    " WHERE p.customer_id = c.id AND p.kind = '{kind}' AND p.valid AND p.value <> ''"
    " ORDER BY p.id))"
)
_SQL = {
    **{key: f"c.{column}" for key, column in _OWN.items()},
    # birthday_iso / birthday_month_day: a part that is 0 or missing leaves it empty
    "birthday": "CASE WHEN c.birth_year AND c.birth_month AND c.birth_day THEN"
    " printf('%04d-%02d-%02d', c.birth_year, c.birth_month, c.birth_day) END",
    "birthday_month_day": "CASE WHEN c.birth_month AND c.birth_day THEN"
    " printf('%02d-%02d', c.birth_month, c.birth_day) END",
    "phones": _POINTS.format(kind="phone"),
    "emails": _POINTS.format(kind="email"),
    "tags": "(SELECT group_concat(name, ', ') FROM (SELECT t.name FROM customer_tags ct"
    " JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id ORDER BY t.name))",
    "lifecycle": "s.lifecycle",
    "warmth": "s.warmth",
}
TEXT_FIELDS = frozenset(_SQL)


def text_rows(
    engine: Engine,
    columns: Sequence[str],
    *,
    ids: Sequence[int] | None = None,
    as_of: date | None = None,
) -> Iterator[tuple] | None:
    """The customers (``ids`` only, when given) in id order, as tuples of the values a CSV shows
    for ``columns`` (text, whole numbers or None; lists joined by ", "). None when this is not
    SQLite or a column is not one of ``TEXT_FIELDS``: use ``services.contact_stream`` then."""
    if engine.dialect.name != "sqlite" or not set(columns) <= TEXT_FIELDS:
        return None
    return _rows(engine, list(columns), ids, as_of or date.today())


def _rows(engine: Engine, cols: list[str], ids, day: date) -> Iterator[tuple]:
    with engine.connect() as conn:
        # Created in the reading transaction, which ends in a rollback: they go with it.
        conn.execute(DropTable(LISTED, if_exists=True))
        conn.execute(DropTable(STAGES, if_exists=True))
        source = "customers c"
        order = "c.id"
        if ids is not None:
            LISTED.create(conn)
            insert_rows(conn, LISTED, ("customer_id",), [(i,) for i in ids])
            # CROSS JOIN: SQLite keeps the listed ids as the outer loop (in id order, each
            # customer found by its key) instead of reading every customer of the base.
            source = "listed_text l CROSS JOIN customers c ON c.id = l.customer_id"
            order = "l.customer_id"
        if {"lifecycle", "warmth"} & set(cols):
            _fill_stages(conn, day, None if ids is None else select(LISTED.c.customer_id))
            source += " LEFT JOIN listed_stages s ON s.customer_id = c.id"
        sql = (
            f"SELECT {', '.join(_SQL[c] for c in cols)} FROM {source}"
            f" WHERE c.merged_into_id IS NULL AND c.status != 'erased' ORDER BY {order}"
        )
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql)
            while block := cursor.fetchmany(5000):
                yield from block
        finally:
            cursor.close()


def _fill_stages(conn, day: date, ids) -> None:
    """The stage and warmth on ``day`` of the listed customers (``ids``: a SELECT of them; None:
    every customer): from the day's stored facts when they are kept, else computed."""
    STAGES.create(conn)
    lc = load_settings(conn)
    stored = stored_day(conn, day, lc, classes=False)
    if stored is None:
        q = lifecycle_select(day, lc, ids=ids)
    else:
        r = fact_rows
        q = select(r.c.customer_id, r.c.lifecycle, r.c.warmth).where(r.c.day_id == stored[0])
        if ids is not None:
            q = q.where(r.c.customer_id.in_(ids))
    conn.execute(insert(STAGES).from_select(["customer_id", "lifecycle", "warmth"], q))
