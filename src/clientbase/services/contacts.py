"""Reading customers back: the list scripts rely on, and one customer's card."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import Engine, case, func, or_, select

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
from clientbase.errors import NotFoundError
from clientbase.segments.facts import lifecycle_of, lifecycle_query
from clientbase.services.analytics import load_orders
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


def _search_clause(text: str):
    # lower() is Unicode-aware on every backend we use (db.engine registers one for SQLite).
    needle = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{needle}%"
    digits = "".join(ch for ch in text if ch.isdigit())
    cp = contact_points
    by_point = select(cp.c.customer_id).where(
        or_(
            func.lower(cp.c.value).like(like, escape="\\"),
            *([cp.c.value.like(f"%{digits}%")] if len(digits) >= 3 else []),
        )
    )
    return or_(
        func.lower(customers.c.display_name).like(like, escape="\\"),
        func.lower(customers.c.company).like(like, escape="\\"),
        func.lower(customers.c.city).like(like, escape="\\"),
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
) -> Iterator[dict]:
    """Customers in id order, a page at a time, so a listing of a million stays small in memory.

    ``ids`` (ascending, e.g. from services.segments.matching_ids) limits the listing to those
    customers. Each customer carries its ``lifecycle`` stage (and ``warmth`` while sleeping),
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
                q = q.where(_search_clause(search))
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
                    [{"kind": "birthday", "value": r.birthday_raw, "reason": "not a date"}]
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


def _classes(engine: Engine, customer_id: int) -> dict:
    """ABC/XYZ over the 12 months up to the latest order in the base, and the RFM scores and
    segment as of that order — what `analyze abc-xyz` and `analyze rfm` say with their defaults."""
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.abcxyz import AbcXyzParams, classify

    frame = load_orders(engine)
    if frame.empty:
        return {}
    end = frame["ordered_at"].max().date()
    months = end.year * 12 + end.month - 1 - 11  # the month eleven months before end's
    start = date(months // 12, months % 12 + 1, 1)
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


def _lifecycle(conn, customer_id: int) -> dict:
    """The customer's stage (and warmth while sleeping) today, by the same rules as
    `contacts list` and the filter language."""
    query = lifecycle_query(datetime.now().date(), load_settings(conn))
    stage, warmth = lifecycle_of(conn, [customer_id], query).get(customer_id, (None, None))
    return {"stage": stage, "warmth": warmth}


def get_contact(engine: Engine, customer_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
        if row is None:
            raise NotFoundError(
                f"there is no customer {customer_id}", hint="see: clientbase contacts list"
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
        live = o.c.status.is_(None) | o.c.status.not_in(("cancelled", "returned"))
        n, revenue, first, last = conn.execute(
            select(func.count(), func.sum(o.c.amount), func.min(o.c.ordered_at), func.max(o.c.ordered_at))
            .where(o.c.customer_id == customer_id, live)
        ).one()  # fmt: skip
        card["classes"] = _classes(engine, customer_id) if n else {}
        card["lifecycle"] = _lifecycle(conn, customer_id)
        card["orders"] = {"count": n, "revenue": revenue or 0.0,
                          "first": _iso(first), "last": _iso(last)}  # fmt: skip
        if row.merged_into_id:
            card["merged_into"] = row.merged_into_id
        return card
