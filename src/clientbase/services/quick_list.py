"""`contacts list` without the database toolkit: the plain listing of a SQLite base.

A listing of the first few customers (`contacts list --limit 20`, the table a person looks at)
is mostly start-up, and SQLAlchemy with the table definitions is most of that. This reads the
same customers through the plain connection of db.quick, a page at a time: the customers'
columns, their valid phones and emails, their tags and their lifecycle stage. The stage comes
from each customer's order count, first and last order and last contact on the day (the
aggregates of segments.activity, the SQL text segments.facts builds its queries from too), put
through ``segments.lifecycle.stage``, the rules in Python. A test holds every value to
services.contacts.iter_contact_rows.

Search, filters, sorting and the parts it does not read (provenance, consent, calls, dates of
the card) go the usual way.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from clientbase.segments.activity import (
    COUNTED_CONTACT,
    LAST_CONTACT,
    LIVE_ORDER,
    PURCHASES,
)
from clientbase.segments.lifecycle import cutoffs, settings_from, stage
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


def _stored_time(dt: datetime) -> str:
    """A time as the base stores it (SQLAlchemy's SQLite text), so text comparisons hold."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


class _Stages:
    """The stage and warmth on ``day`` of a page of customers, from their orders and contacts
    (segments.activity: live orders dated up to the day, a return not a purchase; contacts
    that count, as the filter language's last_contact)."""

    def __init__(self, conn: sqlite3.Connection, day: date):
        stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
        self.settings = settings_from({**lifecycle_defaults(), **stored})
        self.conn, self.day = conn, day
        self.end = _stored_time(cutoffs(day, self.settings).end)

    def __call__(self, rows: list[tuple], status_at: int) -> dict[int, tuple]:
        ids = [r[0] for r in rows if r[status_at] not in GONE]
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
