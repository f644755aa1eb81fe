"""Reading customers back: the list scripts rely on, and one customer's card."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, case, func, or_, select

from clientbase.analytics.asof import as_of_day
from clientbase.db.models import (
    contact_points,
    customer_tags,
    customers,
    import_rows,
    imports,
    interactions,
    orders,
    tags,
)
from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES
from clientbase.errors import NotFoundError, UsageError
from clientbase.i18n import _
from clientbase.segments.facts import card_window, lifecycle_of, lifecycle_query
from clientbase.services.analytics import load_orders, orders_as_of
from clientbase.services.consent import channel_states
from clientbase.services.segments import load_settings

CARD_CALLS = 20  # the latest calls (and log entries) shown on a customer's card
BY_HAND = "by hand"  # interactions.source of notes and contacts typed in with `clientbase note`


def _iso(value) -> str | None:
    return value.isoformat(sep=" ") if value is not None else None


def birthday_iso(year: int | None, month: int | None, day: int | None) -> str | None:
    """An ISO date, or None when the year (or the date) is unknown: scripts parse this key."""
    if not (year and month and day):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def birthday_month_day(month: int | None, day: int | None) -> str | None:
    """ "MM-DD", known also when the year is not: what birthday greetings need."""
    return f"{month:02d}-{day:02d}" if month and day else None


# Longer than any name, company, city, phone or email in the base (the columns hold at most
# 500 characters); SQLite refuses LIKE patterns over 50,000 bytes with a confusing message.
SEARCH_MAX_CHARS = 500


def check_search(text: str | None) -> None:
    if text is not None and len(text) > SEARCH_MAX_CHARS:
        raise UsageError(
            _("--search: at most {max_chars} characters (got {got:,})").format(
                max_chars=SEARCH_MAX_CHARS, got=len(text)
            ),
            hint=_("search for a part of the name, phone or email"),
        )


def fold(text: str) -> str:
    """Text as a search compares it: case folded (Cyrillic too), ё read as е."""
    return text.lower().replace("ё", "е")


def _folded(column):
    # lower() is Unicode-aware on every backend we use (db.engine registers one for SQLite);
    # replace() is plain SQL on SQLite and PostgreSQL alike. Ё is replaced before lower() so
    # the result does not depend on how the backend folds it.
    return func.lower(func.replace(func.replace(column, "ё", "е"), "Ё", "Е"))


# A query made only of these (and at least _PHONE_MIN_DIGITS digits) is read as a phone number.
_PHONE_CHARS = re.compile(r"^[\d\s+()\-.]+$")
_PHONE_MIN_DIGITS = 7
_NATIONAL_DIGITS = 10  # a Russian number without its 7/8 prefix: 916 123-45-67


def phone_suffix(text: str, area_code: str | None = None) -> str | None:
    """The digits a stored E.164 number must end with for ``text`` to be that phone, or None
    when ``text`` does not look like a phone. ``8 916 123 45 67``, ``89161234567``,
    ``+7 (916) 123-45-67`` and ``9161234567`` all give ``9161234567``; a 7-digit local number
    (``123-45-67``, no area code) gives those 7 digits, after ``area_code`` when one is set."""
    if not _PHONE_CHARS.match(text.strip()):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < _PHONE_MIN_DIGITS:
        return None
    if len(digits) == _PHONE_MIN_DIGITS and area_code:
        digits = area_code + digits
    return digits[-_NATIONAL_DIGITS:]


def _search_clause(text: str, area_code: str | None = None):
    check_search(text)
    needle = fold(text.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{needle}%"
    digits = "".join(ch for ch in text if ch.isdigit())
    cp = contact_points
    point_matches = [_folded(cp.c.value).like(like, escape="\\")]
    if len(digits) >= 3:
        point_matches.append(cp.c.value.like(f"%{digits}%"))
    if suffix := phone_suffix(text, area_code):
        point_matches.append((cp.c.kind == "phone") & cp.c.value.like(f"%{suffix}"))
    by_point = select(cp.c.customer_id).where(or_(*point_matches))
    return or_(
        _folded(customers.c.display_name).like(like, escape="\\"),
        _folded(customers.c.company).like(like, escape="\\"),
        _folded(customers.c.city).like(like, escape="\\"),
        customers.c.id.in_(by_point),
    )


def iter_contacts(
    engine: Engine,
    *,
    search: str | None = None,
    limit: int | None = None,
    page: int = 1000,
    ids: Sequence[int] | None = None,
    as_of: date | None = None,
    area_code: str | None = None,
) -> Iterator[dict]:
    """Customers in id order, a page at a time, so a listing of a million stays small in memory.

    ``ids`` (ascending, e.g. from services.segments.matching_ids) limits the listing to those
    customers; a 7-digit phone searched for is one of ``area_code`` when given. Each customer carries its ``lifecycle`` stage (and ``warmth`` while sleeping),
    computed for the page at once (segments.lifecycle has the rules)."""
    last, left, pos = 0, limit, 0
    today = as_of or date.today()
    stage_query = None
    with engine.connect() as conn:
        while left is None or left > 0:
            size = page if left is None else min(page, left)
            q = (
                select(customers)
                # Erased cards stay only so their orders keep the totals right: not a contact.
                .where(customers.c.merged_into_id.is_(None), customers.c.status != "erased")
                .order_by(customers.c.id)
                .limit(size)
            )
            if ids is not None:
                # A page of the given ids; a search may thin it out, so take pages of ids until
                # enough rows came back or the ids ran out.
                if pos >= len(ids):
                    return
                chunk = list(ids[pos : pos + page])
                pos += len(chunk)
                q = q.where(customers.c.id.in_(chunk))
            else:
                q = q.where(customers.c.id > last)
            if search:
                q = q.where(_search_clause(search, area_code))
            rows = conn.execute(q).all()
            if not rows:
                if ids is not None:
                    continue
                return
            if stage_query is None:
                stage_query = lifecycle_query(today, load_settings(conn))
            stages = lifecycle_of(conn, [r.id for r in rows], stage_query)
            for item in _with_details(conn, rows):
                item["lifecycle"], item["warmth"] = stages.get(item["id"], (None, None))
                yield item
            last = rows[-1].id
            if left is not None:
                left -= len(rows)
            if ids is None and len(rows) < size:
                return


# What `contacts list --sort` and `--columns` take: the keys of a listed customer.
LIST_FIELDS = (
    "id", "name", "kind", "last_name", "first_name", "middle_name", "gender", "birthday",
    "birthday_month_day", "company", "position", "city", "address", "source", "manager",
    "external_id", "note", "phones", "emails", "tags", "calls", "last_contact", "created_at",
    "updated_at", "lifecycle", "warmth",
)  # fmt: skip


def check_fields(names: Sequence[str], option: str) -> list[str]:
    unknown = [n for n in names if n not in LIST_FIELDS]
    if unknown:
        raise UsageError(
            _("{option}: no field {unknown}").format(
                option=option, unknown=", ".join(map(repr, unknown))
            ),
            hint=_("one of: {fields}").format(fields=", ".join(LIST_FIELDS)),
        )
    return list(names)


def sort_contacts(rows: Sequence[dict], field: str) -> list[dict]:
    """Customers ordered by ``field`` (``-field``: descending): text as people compare it (any
    case, ё = е), numbers as numbers, lists by their first value; empty values last either way."""
    descending = field.startswith("-")
    name = field.lstrip("-+")
    check_fields([name], "--sort")

    def key(row):
        value = row.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str):
            value = fold(value)
        return value

    present = [r for r in rows if key(r) not in (None, "")]
    empty = [r for r in rows if key(r) in (None, "")]
    return sorted(present, key=key, reverse=descending) + empty


def list_contacts(
    engine: Engine, *, search: str | None = None, limit: int | None = None
) -> list[dict]:
    return list(iter_contacts(engine, search=search, limit=limit))


def _with_details(conn, rows) -> list[dict]:
    ids = [r.id for r in rows]
    points, provenance, tag_names = defaultdict(list), defaultdict(list), defaultdict(list)
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for p in conn.execute(
            select(contact_points)
            .where(contact_points.c.customer_id.in_(part))
            .order_by(contact_points.c.id)
        ):
            points[p.customer_id].append(p)
        for r in conn.execute(
            select(
                import_rows.c.customer_id,
                import_rows.c.import_id,
                import_rows.c.row_number,
                import_rows.c.sheet,
                imports.c.file_name,
            )
            .join(imports, imports.c.id == import_rows.c.import_id)
            .where(
                import_rows.c.customer_id.in_(part),
                import_rows.c.outcome != "rejected",
                imports.c.status != "undone",
            )
            .order_by(import_rows.c.id)
        ):
            entry = {"import": r.import_id, "file": r.file_name, "row": r.row_number}
            if r.sheet:
                entry["sheet"] = r.sheet
            provenance[r.customer_id].append(entry)
        for cid, name in conn.execute(
            select(customer_tags.c.customer_id, tags.c.name)
            .join(tags, tags.c.id == customer_tags.c.tag_id)
            .where(customer_tags.c.customer_id.in_(part))
            .order_by(tags.c.name)
        ):
            tag_names[cid].append(name)

    channels = channel_states(conn, [p.id for pts in points.values() for p in pts])
    calls, last_contact = {}, {}
    it = interactions
    for i in range(0, len(ids), 500):
        q = (
            select(
                it.c.customer_id,
                func.sum(case((it.c.kind == "call", 1), else_=0)),
                func.max(it.c.occurred_at),
            )
            .where(it.c.customer_id.in_(ids[i : i + 500]))
            .group_by(it.c.customer_id)
        )
        for cid, n, last in conn.execute(q):
            calls[cid], last_contact[cid] = n, last
    out = []
    for r in rows:
        pts = points[r.id]
        out.append(
            {
                "id": r.id,
                "name": r.display_name,
                "kind": r.kind,
                "last_name": r.last_name,
                "first_name": r.first_name,
                "middle_name": r.middle_name,
                "gender": r.gender,
                "birthday": birthday_iso(r.birth_year, r.birth_month, r.birth_day),
                "birthday_month_day": birthday_month_day(r.birth_month, r.birth_day),
                "company": r.company,
                "position": r.position,
                "city": r.city,
                "address": r.address,
                "source": r.source,
                "manager": r.manager,
                "external_id": r.external_id,
                "note": r.note,
                "phones": [p.value for p in pts if p.kind == "phone" and p.valid and p.value],
                "emails": [p.value for p in pts if p.kind == "email" and p.valid and p.value],
                "invalid": [
                    {"kind": p.kind, "value": p.value_raw, "reason": p.invalid_reason}
                    for p in pts
                    if not p.valid
                ]
                + (
                    [{"kind": "birthday", "value": r.birthday_raw, "reason": _("not a date")}]
                    if r.birthday_raw
                    else []
                ),
                "contact_points": [
                    {
                        "kind": p.kind,
                        "value": p.value,
                        "raw": p.value_raw,
                        "extension": p.extension,
                        "label": p.label,
                        "valid": p.valid,
                        "consent": p.consent,
                        # per channel, where one was recorded: {"sms": "withdrawn", ...}
                        "channels": {ch: v["status"] for ch, v in channels.get(p.id, {}).items()},
                    }
                    for p in pts
                ],
                "tags": tag_names[r.id],
                "calls": calls.get(r.id, 0),
                "last_contact": _iso(last_contact.get(r.id)),
                "created_at": r.created_at.isoformat(timespec="seconds"),
                "updated_at": r.updated_at.isoformat(timespec="seconds"),
                "provenance": provenance[r.id],
            }
        )
    return out


def _classes(engine: Engine, customer_id: int, as_of: date) -> dict:
    """ABC/XYZ over the 12 calendar months up to the as-of day, and the RFM scores and segment
    as of that day — what `analyze abc-xyz --from … --as-of DAY` and `analyze rfm --as-of DAY`
    say, and what `contacts list` gives as abc, xyz and rfm_segment."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.abcxyz import AbcXyzParams, classify

    frame, end, _ = orders_as_of(load_orders(engine), as_of)
    if frame.empty:
        return {}
    start, end = card_window(end)
    result = classify(frame, AbcXyzParams(start=start, end=end))
    row = result.customers[result.customers["customer_id"] == customer_id]
    out = {"window": f"{start} .. {end}", "abc": None, "xyz": None}
    if not row.empty:
        out["abc"], out["xyz"] = row["abc"].iloc[0], row["xyz"].iloc[0]
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.rfm import score_rfm

    scored = score_rfm(frame, as_of=end)
    mine = scored[scored["customer_id"] == customer_id]
    if not mine.empty:
        r = mine.iloc[0]
        out["rfm"] = {"r": int(r["r"]), "f": int(r["f"]), "m": int(r["m"]),
                      "segment": r["segment"], "as_of": str(end)}  # fmt: skip
    return out


def _lifecycle(conn, customer_id: int, as_of: date) -> dict:
    """The customer's stage (and warmth while sleeping) on the as-of day, by the same rules as
    `contacts list` and the filter language."""
    query = lifecycle_query(as_of, load_settings(conn))
    stage, warmth = lifecycle_of(conn, [customer_id], query).get(customer_id, (None, None))
    return {"stage": stage, "warmth": warmth}


def get_contact(engine: Engine, customer_id: int, as_of: date | None = None) -> dict:
    """The card; its order summary, classes and lifecycle count to ``as_of`` (default today),
    by the definitions every analysis uses (live orders; returns come off the revenue)."""

    day = as_of_day(as_of)
    with engine.connect() as conn:
        row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
        if row is None:
            raise NotFoundError(
                _("there is no customer {customer_id}").format(customer_id=customer_id),
                hint=_("see: clientbase contacts list"),
            )
        card = _with_details(conn, [row])[0]
        it = interactions
        card["calls"] = [
            {"at": r.occurred_at.isoformat(sep=" "), "direction": r.direction,
             "outcome": r.outcome, "duration_s": r.duration_s, "phone": r.phone,
             "source": r.source}
            for r in conn.execute(
                select(it).where(it.c.customer_id == customer_id, it.c.kind == "call",
                                 it.c.source != BY_HAND)
                .order_by(it.c.occurred_at.desc()).limit(CARD_CALLS)
            )
        ]  # fmt: skip
        card["log"] = [
            {"id": r.id, "at": r.occurred_at.isoformat(sep=" ", timespec="minutes"),
             "kind": r.kind, "outcome": r.outcome, "text": r.note}
            for r in conn.execute(
                select(it).where(it.c.customer_id == customer_id, it.c.source == BY_HAND,
                                 it.c.kind.in_(("note", "call", "meeting", "message")))
                .order_by(it.c.occurred_at.desc()).limit(CARD_CALLS)
            )
        ]  # fmt: skip
        card["reminders"] = [
            {"id": r.id, "due": r.due_at.isoformat(sep=" ", timespec="minutes"), "text": r.note}
            for r in conn.execute(
                select(it).where(it.c.customer_id == customer_id, it.c.kind == "reminder",
                                 it.c.done_at.is_(None))
                .order_by(it.c.due_at)
            )
        ]  # fmt: skip
        card["status"] = row.status
        o = orders
        live = o.c.status.is_(None) | o.c.status.not_in(UNCOUNTED_ORDER_STATUSES)
        bought = case((o.c.status == ORDER_RETURN, None), else_=o.c.ordered_at)
        n, revenue, first, last = conn.execute(
            select(func.count(bought), func.sum(o.c.amount), func.min(bought), func.max(bought))
            .where(o.c.customer_id == customer_id, live,
                   o.c.ordered_at < datetime.combine(day + timedelta(days=1), datetime.min.time()))
        ).one()  # fmt: skip
        card["classes"] = _classes(engine, customer_id, day) if n else {}
        card["lifecycle"] = _lifecycle(conn, customer_id, day)
        card["orders"] = {"count": n, "revenue": revenue or 0.0,
                          "first": _iso(first), "last": _iso(last)}  # fmt: skip
        if row.merged_into_id:
            card["merged_into"] = row.merged_into_id
        return card
