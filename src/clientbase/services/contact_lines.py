"""SQLite: the CSV lines of a listing of customers, built by the database on a plain connection.

The CSV of `contacts list` needs, per customer, plain columns, the birthday written out, the
valid phones and emails and the tags joined by ", ", and the lifecycle stage. Once the listed
ids are in the temporary table ``listed_text`` (and the stages of those who have orders in
``listed_stages``), this does the rest on the driver's own connection (``sqlite3``; no
SQLAlchemy, so the quick listing of services.quick_list can use it too):

1. the tags (ordered by name) of those who have any go into a temporary table, and the valid
   contact points grouped per customer into another (phones and emails joined in one pass over
   the index on ``contact_points.customer_id``);
2. one SELECT walks the listed ids in order, joins each customer's row and those tables, and
   writes each customer's CSV line with ``printf``.

Python only checks each line: a line whose cells hold no comma, quote or line break (what makes
``csv.writer`` quote a cell) is exactly what ``csv.writer`` would write; any other customer (two
phones, a comma in an address) is read again as values and written by ``csv.writer``. So the
text is byte for byte that of the listing's other paths (a test holds it to
services.contacts.iter_contact_rows), at a fraction of the cost of a Python tuple and a writer
call per customer.

Lists are joined in the order SQLite visits their rows: a customer's contact points through the
index on their customer id (whose entries for one customer are in id order, the order the
points were added), the tags through an ordered subquery (SQLite does not flatten a subquery
with ORDER BY into an aggregate, so ``group_concat`` sees its rows in that order).
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator

from clientbase.services.contact_fields import _OWN

# The listing's temporary tables: one row per customer id, with these text columns.
TEMPORARY = {
    "listed_text": (),
    "listed_stages": ("lifecycle", "warmth"),
    "listed_points": ("phones", "emails"),
    "listed_tags": ("tags",),
}
STAGES_JOIN = " LEFT JOIN listed_stages s ON s.customer_id = c.id"
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


def drop_temporary(db: sqlite3.Connection) -> None:
    for name in TEMPORARY:
        db.execute(f"DROP TABLE IF EXISTS temp.{name}")


def create_temporary(db: sqlite3.Connection, name: str) -> None:
    texts = "".join(f", {t} VARCHAR" for t in TEMPORARY[name])
    db.execute(f"CREATE TEMPORARY TABLE {name} (customer_id INTEGER NOT NULL PRIMARY KEY{texts})")


def holds_rows(db: sqlite3.Connection, table: str) -> bool:
    return db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


class Listing:
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


def listing(db: sqlite3.Connection, cols: list[str], listed: bool, stages) -> Listing:
    """The listing's SELECT (of the ids in ``listed_text`` when ``listed``, else of the whole
    base); fills the temporary tables the columns need first. ``stages()``, called when the
    stage or warmth is listed, fills ``listed_stages`` or names a join of its own; it returns
    that join and the values of those it has no row for."""
    need = set(cols)
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
        _fill_points(db, kinds, listed)
        source += " LEFT JOIN listed_points p ON p.customer_id = c.id"
    # A temporary table left empty is not joined: a look-up per customer that finds nothing
    # costs ~0.1 s a table at 200,000 customers (a base without tags, a contact list without
    # orders); the columns take their values for no row then.
    unjoined = set()
    if "tags" in need:
        _fill_tags(db, listed)
        if holds_rows(db, "listed_tags"):
            source += " LEFT JOIN listed_tags t ON t.customer_id = c.id"
        else:
            unjoined.add("tags")
    stage_values = (None, None)
    if need & {"lifecycle", "warmth"}:
        join, stage_values = stages()
        if join != STAGES_JOIN or holds_rows(db, "listed_stages"):
            source += join
        else:
            unjoined |= {"lifecycle", "warmth"}
    return Listing(cols, source, key, stage_values, unjoined)


def _fill_points(db: sqlite3.Connection, kinds: list[str], listed: bool) -> None:
    """The valid phones and emails of the listed customers who have any, joined by ", "."""
    create_temporary(db, "listed_points")
    source = "listed_text l CROSS JOIN contact_points p" if listed else "contact_points p"
    key = "l.customer_id" if listed else "p.customer_id"
    # INDEXED BY: the walk that gives a customer's points in id order (see the module's note);
    # an error rather than another order should the index ever be missing.
    db.execute(
        f"INSERT INTO listed_points (customer_id, {', '.join(k + 's' for k in kinds)})"
        f" SELECT {key}, "
        + ", ".join(f"group_concat(CASE WHEN p.kind = '{k}' THEN p.value END, ', ')" for k in kinds)
        + f" FROM {source} INDEXED BY ix_contact_points_customer_id"
        + (" ON p.customer_id = l.customer_id" if listed else "")
        + f" WHERE p.kind IN ({', '.join(repr(k) for k in kinds)}) AND p.valid AND p.value <> ''"
        f" GROUP BY {key}"
    )


def _fill_tags(db: sqlite3.Connection, listed: bool) -> None:
    """The tags of the listed customers who have any, joined in the order of their names."""
    create_temporary(db, "listed_tags")
    within = " WHERE ct.customer_id IN (SELECT customer_id FROM listed_text)" if listed else ""
    db.execute(
        "INSERT INTO listed_tags (customer_id, tags)"
        " SELECT x.customer_id, (SELECT group_concat(name, ', ') FROM (SELECT tg.name"
        " FROM customer_tags ct2 JOIN tags tg ON tg.id = ct2.tag_id"
        " WHERE ct2.customer_id = x.customer_id ORDER BY tg.name))"
        f" FROM (SELECT DISTINCT ct.customer_id FROM customer_tags ct{within}) x"
    )


class _Pieces(list):
    """Text in pieces, as a file ``csv.writer`` writes to (a StringIO would copy every
    non-ASCII line into a wider buffer and back); UTF-8 bytes when ``raw``."""

    def __init__(self, raw: bool):
        super().__init__()
        self.write = (lambda text: self.append(text.encode())) if raw else self.append


def lines(db: sqlite3.Connection, listing: Listing, raw: bool) -> Iterator[str | bytes]:
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
