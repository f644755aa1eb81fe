"""SQLite: a whole listing of customers as CSV text, built by the database.

The CSV of `contacts list` needs, per customer, plain columns, the birthday written out, the
valid phones and emails and the tags joined by ", ", and the lifecycle stage. On SQLite the
listing is a few statements on one connection, none of which hands a customer to Python until
the end:

1. the customers a filter matches go into a temporary table with one ``INSERT … SELECT``
   (services.segments.insert_matching);
2. the tags (ordered by name) of those who have any, and the stages of the day of those who
   have an order (from the day's stored facts when they are kept), go into temporary tables;
3. one SELECT walks the listed ids in order, joins each customer's row and valid contact
   points (grouped per customer, so phones and emails are joined in one pass over the index on
   ``contact_points.customer_id``), and writes each customer's CSV line with ``printf``.

Python only checks each line: a line whose cells hold no comma, quote or line break (what
makes ``csv.writer`` quote a cell) is exactly what ``csv.writer`` would write; any other customer (two phones, a comma in an address) is read
again as values and written by ``csv.writer``. So the text is byte for byte that of the
listing's other paths (a test holds it to services.contacts.iter_contact_rows), at a fraction of
the cost of a Python tuple and a writer call per customer.

Lists are joined in the order SQLite visits their rows: a customer's contact points through the
index on their customer id (whose entries for one customer are in id order, the order the
points were added), the tags through an ordered subquery (SQLite does not flatten a subquery
with ORDER BY into an aggregate, so ``group_concat`` sees its rows in that order).
"""

from __future__ import annotations

import csv
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
from sqlalchemy.schema import DropTable

from clientbase.db.bulk import insert_rows
from clientbase.db.models import orders
from clientbase.segments.cache import stored_day
from clientbase.segments.facts import lifecycle_select
from clientbase.segments.lifecycle import stage
from clientbase.services.contact_fields import _OWN
from clientbase.services.segments import insert_matching, load_settings

_MD = MetaData()


def _temporary(name: str, *texts: str) -> Table:
    """A temporary table of the listing: one row per customer id, with these text columns."""
    columns = [Column(t, String) for t in texts]
    return Table(
        name, _MD, Column("customer_id", Integer, primary_key=True), *columns,
        prefixes=["TEMPORARY"],
    )  # fmt: skip


LISTED = _temporary("listed_text")
STAGES = _temporary("listed_stages", "lifecycle", "warmth")
POINTS = _temporary("listed_points", "phones", "emails")
TAGS = _temporary("listed_tags", "tags")
_TEMP = (LISTED, STAGES, POINTS, TAGS)

_POINT_KINDS = {"phones": "phone", "emails": "email"}
_SQL = {
    **{key: f"c.{column}" for key, column in _OWN.items()},
    # birthday_iso / birthday_month_day: a part that is 0 or missing leaves it empty
    "birthday": "CASE WHEN c.birth_year AND c.birth_month AND c.birth_day THEN"
    " printf('%04d-%02d-%02d', c.birth_year, c.birth_month, c.birth_day) END",
    "birthday_month_day": "CASE WHEN c.birth_month AND c.birth_day THEN"
    " printf('%02d-%02d', c.birth_month, c.birth_day) END",
    "phones": "p.phones",
    "emails": "p.emails",
    "tags": "t.tags",
    "lifecycle": "coalesce(s.lifecycle, ?)",
    "warmth": "coalesce(s.warmth, ?)",
}  # fmt: skip
TEXT_FIELDS = frozenset(_SQL)
_BLOCK = 5000


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
        for t in _TEMP:
            conn.execute(DropTable(t, if_exists=True))
        try:
            listed = _fill_listed(conn, where, segment, ids, day)
            listing = _listing(conn, cols, listed, day)
            yield ""
            yield from _lines(conn.connection.driver_connection, listing, utf8)
        finally:
            for t in _TEMP:
                conn.execute(DropTable(t, if_exists=True))


def _fill_listed(conn: Connection, where, segment, ids, day: date) -> bool:
    """The listed ids in LISTED; False when the listing is the whole base (no table)."""
    if where is None and segment is None and ids is None:
        return False
    LISTED.create(conn)
    if ids is not None:
        insert_rows(conn, LISTED, ("customer_id",), [(i,) for i in ids])
    else:
        insert_matching(conn, LISTED, where=where, segment=segment, as_of=day)
    return True


class _Listing:
    """The listing's SELECT: the whole of it, and the one of a single customer."""

    def __init__(self, cols: list[str], source: str, key: str, stage_values, unjoined=()):
        # a part whose table is not joined: no value (no tags; the stage of no orders)
        none = {"tags": "NULL", "lifecycle": "?", "warmth": "?"}
        exprs = [none[c] if c in unjoined else _SQL[c] for c in cols]
        # The select list's parameters: the stage and warmth of no orders, where they are.
        self.values = [stage_values[("lifecycle", "warmth").index(c)] for c in cols
                       if c in ("lifecycle", "warmth")]  # fmt: skip
        self.commas = len(cols) - 1
        line = f"printf('{','.join(['%s'] * len(cols))}', {', '.join(exprs)})"
        where = "c.merged_into_id IS NULL AND c.status != 'erased'"
        self.lines = f"SELECT {line}, {key} FROM {source} WHERE {where} ORDER BY {key}"
        self.one = f"SELECT {', '.join(exprs)} FROM {source} WHERE {key} = ? AND {where}"


def _listing(conn: Connection, cols: list[str], listed: bool, day: date) -> _Listing:
    """The listing's SELECT; fills the temporary tables the columns need first."""
    need = set(cols)
    ids = select(LISTED.c.customer_id) if listed else None
    if listed:
        # CROSS JOIN: SQLite keeps the listed ids as the outer loop (in id order, each
        # customer found by its key) instead of reading every customer of the base.
        source = "listed_text l CROSS JOIN customers c ON c.id = l.customer_id"
        key = "l.customer_id"
    else:
        source = "customers c"
        key = "c.id"
    kinds = [_POINT_KINDS[k] for k in cols if k in _POINT_KINDS]
    if kinds:
        _fill_points(conn, kinds, listed)
        source += " LEFT JOIN listed_points p ON p.customer_id = c.id"
    # A temporary table left empty is not joined: a look-up per customer that finds nothing
    # costs ~0.1 s a table at 200,000 customers (a base without tags, a contact list without
    # orders); the columns take their values for no row then.
    unjoined = set()
    if "tags" in need:
        _fill_tags(conn, ids)
        if _holds_rows(conn, "listed_tags"):
            source += " LEFT JOIN listed_tags t ON t.customer_id = c.id"
        else:
            unjoined.add("tags")
    stage_values = (None, None)
    if need & {"lifecycle", "warmth"}:
        join, stage_values = _stages(conn, day, ids)
        if join != _STAGES_JOIN or _holds_rows(conn, "listed_stages"):
            source += join
        else:
            unjoined |= {"lifecycle", "warmth"}
    return _Listing(cols, source, key, stage_values, unjoined)


def _holds_rows(conn: Connection, table: str) -> bool:
    return conn.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first() is not None


def _fill_points(conn: Connection, kinds: list[str], listed: bool) -> None:
    """The valid phones and emails of the listed customers who have any, joined by ", "."""
    POINTS.create(conn)
    source = "listed_text l CROSS JOIN contact_points p" if listed else "contact_points p"
    key = "l.customer_id" if listed else "p.customer_id"
    # INDEXED BY: the walk that gives a customer's points in id order (see the module's note);
    # an error rather than another order should the index ever be missing.
    conn.exec_driver_sql(
        f"INSERT INTO listed_points (customer_id, {', '.join(k + 's' for k in kinds)})"
        f" SELECT {key}, "
        + ", ".join(f"group_concat(CASE WHEN p.kind = '{k}' THEN p.value END, ', ')" for k in kinds)
        + f" FROM {source} INDEXED BY ix_contact_points_customer_id"
        + (" ON p.customer_id = l.customer_id" if listed else "")
        + f" WHERE p.kind IN ({', '.join(repr(k) for k in kinds)}) AND p.valid AND p.value <> ''"
        f" GROUP BY {key}"
    )


def _fill_tags(conn: Connection, ids) -> None:
    """The tags of the listed customers who have any, joined in the order of their names."""
    TAGS.create(conn)
    within = "" if ids is None else " WHERE ct.customer_id IN (SELECT customer_id FROM listed_text)"
    conn.exec_driver_sql(
        "INSERT INTO listed_tags (customer_id, tags)"
        " SELECT x.customer_id, (SELECT group_concat(name, ', ') FROM (SELECT tg.name"
        " FROM customer_tags ct2 JOIN tags tg ON tg.id = ct2.tag_id"
        " WHERE ct2.customer_id = x.customer_id ORDER BY tg.name))"
        f" FROM (SELECT DISTINCT ct.customer_id FROM customer_tags ct{within}) x"
    )


def _stages(conn: Connection, day: date, ids) -> tuple[str, tuple]:
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
    STAGES.create(conn)
    buyers = select(orders.c.customer_id).distinct()
    if ids is not None:
        buyers = ids.where(exists().where(orders.c.customer_id == LISTED.c.customer_id))
    q = lifecycle_select(day, lc, ids=buyers)
    conn.execute(insert(STAGES).from_select(["customer_id", "lifecycle", "warmth"], q))
    return _STAGES_JOIN, none


_STAGES_JOIN = " LEFT JOIN listed_stages s ON s.customer_id = c.id"


class _Pieces(list):
    """Text in pieces, as a file ``csv.writer`` writes to (a StringIO would copy every
    non-ASCII line into a wider buffer and back); UTF-8 bytes when ``raw``."""

    def __init__(self, raw: bool):
        super().__init__()
        self.write = (lambda text: self.append(text.encode())) if raw else self.append


def _lines(db, listing: _Listing, raw: bool) -> Iterator[str | bytes]:
    """The CSV lines of the listing, ``_BLOCK`` customers at a time: text, or the UTF-8 bytes
    SQLite holds when ``raw`` (no decoding here, no encoding by the caller)."""
    comma, quote, lf, cr = (b",", b'"', b"\n", b"\r") if raw else (",", '"', "\n", "\r")
    empty = lf[:0]
    main = db.cursor()
    again = db.cursor()
    commas, values = listing.commas, listing.values
    pieces = _Pieces(raw)
    writer = csv.writer(pieces, lineterminator="\n")
    factory = db.text_factory
    if raw:
        db.text_factory = bytes
    try:
        main.execute(listing.lines, values)
        while block := main.fetchmany(_BLOCK):
            plain = []
            keep = plain.append
            for text, cid in block:
                # Checked inline: a call per customer would cost more than the rest of it.
                if (
                    text.count(comma) == commas
                    and quote not in text
                    and lf not in text
                    and cr not in text
                    and (commas or text)
                ):
                    keep(text)
                    continue
                # A cell csv.writer quotes (or a lone empty cell): its own values, its writer.
                if plain:
                    keep(empty)
                    pieces.append(lf.join(plain))
                    plain.clear()
                row = again.execute(listing.one, [*values, cid]).fetchone()
                if raw:
                    row = [v.decode() if isinstance(v, bytes) else v for v in row]
                writer.writerow(row)
            if plain:
                keep(empty)
                pieces.append(lf.join(plain))
            yield empty.join(pieces)
            pieces.clear()
    finally:
        db.text_factory = factory
        main.close()
        again.close()
