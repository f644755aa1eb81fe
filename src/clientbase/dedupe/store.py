"""Customers out of the database as :class:`Person` records for the matcher, in bulk.

Two queries whatever the size of the base (customers, then their valid phones and e-mails),
read as plain tuples and grouped in Python: a million customers load in seconds, with no ORM
objects in between.

Who takes part in matching: live customers only. Merged-away records have their data on the
survivor; erased ones have none left. Archived customers are left out too: an archived card is
history kept because the person asked not to be contacted, and folding a new record into it
would quietly archive the newcomer as well (a merge keeps "archived"); that is a decision for a
person (`dedupe merge` by hand), not for a cron job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection, select

from clientbase.db.models import contact_points, customers
from clientbase.db.rules import NOT_LIVE_CUSTOMER_STATUSES
from clientbase.dedupe.person import Person
from clientbase.normalize.dates import birthday_digits
from clientbase.normalize.phones import AREA_SEP, normalize_phone

PERSON_COLUMNS = (
    "id", "display_name", "last_name", "first_name", "middle_name", "gender", "birth_year",
    "birth_month", "birth_day", "city", "company", "address", "postcode", "external_id", "kind",
    "birthday_raw",
)  # fmt: skip
_CHUNK = 500  # ids per IN (...) list


# Fewer digits than this is an extension or a short number, not evidence.
LOOSE_MIN_DIGITS = 6


def loose_digits(raw: str) -> str:
    """The digits of a phone that did not validate, "" when too few to be a number."""
    # The number ends where words begin: "601-05-95 доб. 555" is 6010595, extension 555.
    head = _WORDS_RE.split(raw, maxsplit=1)[0]
    digits = "".join(c for c in head if c.isdigit())
    return digits if len(digits) >= LOOSE_MIN_DIGITS else ""


_WORDS_RE = re.compile(r"[^\W\d_]")


def _live():
    return customers.c.merged_into_id.is_(None) & customers.c.status.not_in(
        NOT_LIVE_CUSTOMER_STATUSES
    )


def _rows(conn: Connection, stmt) -> list[tuple]:
    """Plain tuples from the driver's own cursor: the columns are text and integers, nothing to
    convert, and skipping the result-row wrapping halves the time for a million rows."""
    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    cur = conn.connection.cursor()
    try:
        cur.execute(sql)
        return cur.fetchall()
    finally:
        cur.close()


def load_people(
    conn: Connection,
    ids: Iterable[int] | None = None,
    *,
    live_only: bool = True,
    region: str | None = None,
) -> list[Person]:
    """Live customers (all, or those of ``ids`` that are live; with ``live_only=False`` those
    of ``ids`` whatever their status) with their phones and e-mails, in id order.

    A phone that did not validate (a local number without its area code) comes as its digits
    in ``loose_phones``: two records with the same digits are still evidence. With a ``region``
    that carries an area code ("RU+495", see :func:`clientbase.normalize.phones.with_area_code`)
    such a number is completed first and, when that makes it valid, compared as a full one."""
    complete = region if region and AREA_SEP in region else None
    cols = [customers.c[c] for c in PERSON_COLUMNS]
    cp = contact_points
    point_q = select(cp.c.customer_id, cp.c.kind, cp.c.value, cp.c.value_raw).where(
        cp.c.kind.in_(("phone", "email")),
        (cp.c.valid.is_(True) & cp.c.value.is_not(None)) | (cp.c.kind == "phone"),
    )
    live = _live() if live_only else customers.c.id.is_not(None)
    if ids is None:
        rows = _rows(conn, select(*cols).where(live).order_by(customers.c.id))
        points = _rows(conn, point_q.order_by(cp.c.id))
    else:
        wanted = sorted(set(ids))
        rows, points = [], []
        for i in range(0, len(wanted), _CHUNK):
            part = wanted[i : i + _CHUNK]
            rows += _rows(conn, select(*cols).where(live, customers.c.id.in_(part)))
            points += _rows(conn, point_q.where(cp.c.customer_id.in_(part)))
        rows.sort()
        points.sort(key=lambda p: p[0])
    phones: dict[int, list[str]] = {}
    emails: dict[int, list[str]] = {}
    loose: dict[int, list[str]] = {}
    for cid, kind, value, raw in points:
        if value:
            (phones if kind == "phone" else emails).setdefault(cid, []).append(value)
        elif kind == "phone" and raw:
            if complete is not None:
                full = normalize_phone(raw, complete)
                if full.valid and full.e164:
                    phones.setdefault(cid, []).append(full.e164)
                    continue
            digits = loose_digits(raw)
            if digits:
                loose.setdefault(cid, []).append(digits)
    people = []
    append = people.append
    empty: tuple = ()
    for r in rows:
        cid = r[0]
        ph, em = phones.get(cid), emails.get(cid)
        by, bm, bd = r[6], r[7], r[8]
        if r[15] and not bm:  # a birthday that is not a date: its digits still compare
            by, bm, bd = birthday_digits(r[15]) or (by, bm, bd)
        append(
            Person(
                cid, r[1] or "", r[2] or None, r[3] or None, r[4] or None, r[5] or None,
                by, bm, bd,
                (tuple(ph) if len(ph) == 1 else tuple(dict.fromkeys(ph))) if ph else empty,
                (tuple(em) if len(em) == 1 else tuple(dict.fromkeys(em))) if em else empty,
                r[9] or None, r[10] or None, r[11] or None, r[12] or None, r[13] or None,
                r[14] if r[14] in ("person", "company") else "person",
                tuple(dict.fromkeys(loose[cid])) if cid in loose else empty,
            )
        )  # fmt: skip
    return people
