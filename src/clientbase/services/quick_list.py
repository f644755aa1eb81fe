"""`contacts list` without the database toolkit: the plain listing of a SQLite base.

A listing of the first few customers (`contacts list --limit 20`, the table a person looks at)
is mostly start-up, and SQLAlchemy with the table definitions is most of that. This reads the
same customers through the plain connection of db.quick, a page at a time: the customers'
columns, their valid phones and emails, their tags and their lifecycle stage. The stage comes
from each customer's order count, first and last order and last contact on the day (the
aggregates of segments.activity, the SQL text segments.facts builds its queries from too), put
through ``segments.lifecycle.stage``, the rules in Python. A test holds every value to
services.contacts.iter_contact_rows.

A whole CSV listing, or one filtered by an expression on the customer's own columns
(`--where "city = 'Москва'"`; segments.own_sql gives its SQL text), is written by the database
here too (``quick_text``: the lines of services.contact_lines), with the stages of the listed
customers who have orders from the same Python rules.

Search, other filters, sorting and the parts it does not read (provenance, consent, calls, dates
of the card) go the usual way.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from clientbase.db.quick import stored_time
from clientbase.segments.activity import (
    COUNTED_CONTACT,
    LAST_CONTACT,
    LIVE_ORDER,
    PURCHASES,
)
from clientbase.segments.lifecycle import cutoffs, settings_from, stage
from clientbase.segments.tree import Node
from clientbase.services.config import lifecycle_defaults
from clientbase.services.contact_fields import _OWN, birthday_iso, birthday_month_day

QUICK_FIELDS = frozenset(
    {*_OWN, "birthday", "birthday_month_day", "phones", "emails", "tags", "lifecycle", "warmth"}
)
GONE = ("erased", "merged")  # no stage (segments.facts leaves them out of every fact)
_BIRTH = ("birth_year", "birth_month", "birth_day")


def quick_rows(
    conn: sqlite3.Connection,
    columns: Sequence[str],
    *,
    limit: int | None = None,
    as_of: date | None = None,
    page: int = 500,
) -> Iterator[tuple]:
    """Customers in id order (merged-away and erased ones never), at most ``limit``, as tuples
    of the values of ``columns`` (all in ``QUICK_FIELDS``)."""
    cols = list(columns)
    need = set(cols)
    own = ["id", *dict.fromkeys(_OWN[k] for k in cols if k in _OWN), *_BIRTH, "status"]
    own = list(dict.fromkeys(own))
    at = {name: i for i, name in enumerate(own)}
    day = as_of or date.today()
    stages = _Stages(conn, day) if need & {"lifecycle", "warmth"} else None
    sql = (
        f"SELECT {', '.join(own)} FROM customers WHERE merged_into_id IS NULL"
        " AND status != 'erased' AND id > ? ORDER BY id LIMIT ?"
    )
    last, left = 0, limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        rows = conn.execute(sql, (last, size)).fetchall()
        if not rows:
            return
        ids = [r[0] for r in rows]
        parts: dict[str, dict] = {}
        if need & {"phones", "emails"}:
            parts["phones"], parts["emails"] = _valid_points(conn, ids)
        if "tags" in need:
            parts["tags"] = _tag_names(conn, ids)
        if stages is not None:
            parts["stages"] = stages(rows, at["status"])
        for r in rows:
            yield tuple(_value(name, r, at, parts) for name in cols)
        last = rows[-1][0]
        if left is not None:
            left -= len(rows)
        if len(rows) < size:
            return


def _value(name: str, r: tuple, at: dict[str, int], parts: dict[str, dict]):
    if name in _OWN:
        return r[at[_OWN[name]]]
    if name == "birthday":
        return birthday_iso(r[at["birth_year"]], r[at["birth_month"]], r[at["birth_day"]])
    if name == "birthday_month_day":
        return birthday_month_day(r[at["birth_month"]], r[at["birth_day"]])
    if name in ("phones", "emails", "tags"):
        return parts[name].get(r[0], [])
    st = parts["stages"].get(r[0], (None, None))
    return st[0] if name == "lifecycle" else st[1]


def _marks(ids: list[int]) -> str:
    return ", ".join("?" * len(ids))


def _valid_points(conn: sqlite3.Connection, ids: list[int]) -> tuple[dict, dict]:
    """{id: [phones]}, {id: [emails]}: the valid ones, in the order they were added."""
    phones: dict[int, list] = defaultdict(list)
    emails: dict[int, list] = defaultdict(list)
    for cid, kind, value, valid in conn.execute(
        "SELECT customer_id, kind, value, valid FROM contact_points"
        f" WHERE customer_id IN ({_marks(ids)}) ORDER BY id",
        ids,
    ):
        if valid and value and kind in ("phone", "email"):
            (phones if kind == "phone" else emails)[cid].append(value)
    return phones, emails


def _tag_names(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for cid, name in conn.execute(
        "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
        f" WHERE ct.customer_id IN ({_marks(ids)}) ORDER BY t.name",
        ids,
    ):
        out[cid].append(name)
    return out


class _Stages:
    """The stage and warmth on ``day`` of a page of customers, from their orders and contacts
    (segments.activity: live orders dated up to the day, a return not a purchase; contacts
    that count, as the filter language's last_contact)."""

    def __init__(self, conn: sqlite3.Connection, day: date):
        stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
        self.settings = settings_from({**lifecycle_defaults(), **stored})
        self.conn, self.day = conn, day
        self.end = stored_time(cutoffs(day, self.settings).end)

    def __call__(self, rows: list[tuple], status_at: int) -> dict[int, tuple]:
        return self.of([r[0] for r in rows if r[status_at] not in GONE])

    def of(self, ids: list[int]) -> dict[int, tuple]:
        """{id: (stage, warmth)} of these customers (live ones, at most a page)."""
        if not ids:
            return {}
        bought = {
            cid: (n, first, last)
            for cid, n, first, last in self.conn.execute(
                f"SELECT customer_id, {PURCHASES['n']}, {PURCHASES['first']}, {PURCHASES['last']}"
                f" FROM orders WHERE {LIVE_ORDER} AND ordered_at < ?"
                f" AND customer_id IN ({_marks(ids)}) GROUP BY customer_id",
                [self.end, *ids],
            )
        }
        contact = dict(
            self.conn.execute(
                f"SELECT customer_id, {LAST_CONTACT} FROM interactions WHERE {COUNTED_CONTACT}"
                f" AND occurred_at < ? AND customer_id IN ({_marks(ids)}) GROUP BY customer_id",
                [self.end, *ids],
            ).fetchall()
        )
        out = {}
        for cid in ids:
            n, first, last = bought.get(cid, (0, None, None))
            out[cid] = stage(
                orders=n or 0,
                first_order=_time(first),
                last_order=_time(last),
                last_contact=_time(contact.get(cid)),
                as_of=self.day,
                settings=self.settings,
            )
        return out


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def quick_text(
    conn: sqlite3.Connection,
    columns: Sequence[str],
    node: Node | None = None,
    *,
    as_of: date | None = None,
    utf8: bool = False,
) -> Iterator[str] | Iterator[bytes] | None:
    """As services.contact_text.text_csv: the CSV lines (without the header) of the customers
    ``node`` matches (every one when None), in id order, in blocks of text (UTF-8 bytes when
    ``utf8``). None when this path cannot give them: a column not in
    ``contact_lines.TEXT_FIELDS``, an expression on more than the customer's own columns, or
    more listed customers with orders than ``QUICK_STAGES_MAX`` on a day whose facts are not
    kept."""
    # Loaded here: `contacts list --limit 1` (the start-up) needs none of them.
    from clientbase.segments.own_sql import is_own
    from clientbase.services import contact_lines

    if not set(columns) <= contact_lines.TEXT_FIELDS:
        return None
    if node is not None and not is_own(node):
        return None
    blocks = _text_blocks(conn, list(columns), node, as_of or date.today(), utf8)
    if next(blocks) is None:  # the filter and the temporary tables run before any output
        blocks.close()
        return None
    return blocks


def _text_blocks(conn: sqlite3.Connection, cols: list[str], node, day: date, utf8: bool):
    # not for the start-up of --limit (see quick_text)
    from clientbase.segments.own_sql import own_where
    from clientbase.services import contact_lines

    conn.execute("BEGIN")  # one read of the base
    try:
        contact_lines.drop_temporary(conn)
        listed = node is not None
        if listed:
            where, params = own_where(node, day, _own_spellings(conn, node))
            contact_lines.create_temporary(conn, "listed_text")
            conn.execute(f"INSERT INTO listed_text SELECT id FROM customers WHERE {where}", params)
        stages = None
        if {"lifecycle", "warmth"} & set(cols):
            stages = _stage_source(conn, day, listed)
            if stages is None:
                yield None  # too many stages to compute here: the usual way computes them in SQL
                return
        found = contact_lines.listing(conn, cols, listed, stages)
        yield ""
        yield from contact_lines.lines(conn, found, utf8)
    finally:
        contact_lines.drop_temporary(conn)
        conn.execute("ROLLBACK")


def _own_spellings(conn: sqlite3.Connection, node: Node) -> dict[str, list[str]]:
    """Every value of the own text columns the expression compares exactly, for a column with
    at most ``SPELLINGS_MAX`` of them (as segments.cache.with_own_spellings)."""
    from clientbase.segments import own_sql  # not for the start-up of --limit (see quick_text)

    out = {}
    for col in sorted(own_sql.compared(node)):
        column = own_sql.OWN_TEXT[col]
        found = conn.execute(
            f"SELECT DISTINCT {column} FROM customers WHERE {column} IS NOT NULL LIMIT ?",
            (own_sql.SPELLINGS_MAX + 1,),
        ).fetchall()
        values = [v for (v,) in found if isinstance(v, str)]
        if len(values) <= own_sql.SPELLINGS_MAX:
            out[col] = values
    return out


# Listed customers with orders whose stages this path computes in Python, at most (~40 µs each);
# past that, without a kept day of facts, the usual way computes them in SQL.
QUICK_STAGES_MAX = 5000


def _stage_source(conn: sqlite3.Connection, day: date, listed: bool):
    """What gives the listed customers' stages on ``day`` (for contact_lines.listing): the
    day's stored facts when they are kept, else the stages of those who have orders computed
    here into ``listed_stages`` (everyone else has the stage of no orders); None when those are
    more than ``QUICK_STAGES_MAX``."""
    # not for the start-up of --limit (see quick_text)
    from clientbase.segments.day_key import settings_key
    from clientbase.services import contact_lines

    stages = _Stages(conn, day)
    none = stage(orders=0, first_order=None, last_order=None, last_contact=None, as_of=day,
                 settings=stages.settings)  # fmt: skip
    kept = conn.execute(
        "SELECT id FROM fact_days WHERE as_of = ? AND settings_key = ?"
        " AND epoch = coalesce((SELECT n FROM fact_epoch WHERE id = 1), 0)"
        " ORDER BY id DESC LIMIT 1",
        (day.isoformat(), settings_key(stages.settings)),
    ).fetchone()
    if kept is not None:  # a row for every live customer (segments.cache)
        join = f" LEFT JOIN fact_rows s ON s.day_id = {int(kept[0])} AND s.customer_id = c.id"
        return lambda: (join, (None, None))
    has_orders = "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = {})"
    buyers = (
        f"SELECT l.customer_id FROM listed_text l WHERE {has_orders.format('l.customer_id')}"
        if listed
        else "SELECT DISTINCT customer_id FROM orders WHERE customer_id IS NOT NULL"
    )
    live = "SELECT id FROM customers WHERE merged_into_id IS NULL AND status NOT IN ('erased', 'merged')"
    ids = [i for (i,) in conn.execute(f"{buyers} INTERSECT {live} ORDER BY 1 LIMIT ?",
                                      (QUICK_STAGES_MAX + 1,))]  # fmt: skip
    if len(ids) > QUICK_STAGES_MAX:
        return None

    def fill() -> tuple[str, tuple]:
        contact_lines.create_temporary(conn, "listed_stages")
        for at in range(0, len(ids), 500):
            page = stages.of(ids[at : at + 500])
            conn.executemany(
                "INSERT INTO listed_stages (customer_id, lifecycle, warmth) VALUES (?, ?, ?)",
                [(cid, *st) for cid, st in page.items()],
            )
        return contact_lines.STAGES_JOIN, none

    return fill
