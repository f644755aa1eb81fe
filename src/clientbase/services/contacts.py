"""Reading customers back: the list scripts rely on, and one customer's card."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import itemgetter

from sqlalchemy import Engine, case, func, or_, select

from clientbase.analytics.asof import as_of_day
from clientbase.db.bulk import select_where_in
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
from clientbase.segments.cache import stored_day
from clientbase.segments.facts import card_window, lifecycle_of, lifecycle_query, stored_stages
from clientbase.services.analytics import load_orders, orders_as_of
from clientbase.services.contact_fields import (  # noqa: F401 (also read from here)
    _OWN,
    LIST_FIELDS,
    ROW_FIELDS,
    birthday_iso,
    birthday_month_day,
    check_fields,
)
from clientbase.services.results import Result
from clientbase.services.segments import load_settings

CARD_CALLS = 20  # the latest calls (and log entries) shown on a customer's card
BY_HAND = "by hand"  # interactions.source of notes and contacts typed in with `clientbase note`


def _iso(value) -> str | None:
    return value.isoformat(sep=" ") if value is not None else None


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


def _pages(
    conn,
    columns,
    *,
    search: str | None,
    limit: int | None,
    page: int,
    ids: Sequence[int] | None,
    area_code: str | None,
) -> Iterator[list]:
    """Pages of customers (rows of ``columns`` of the customers table) in id order."""
    last, left, pos = 0, limit, 0
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        q = (
            select(*columns)
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
        yield rows
        last = rows[-1].id
        if left is not None:
            left -= len(rows)
        if ids is None and len(rows) < size:
            return


class _Stages:
    """The lifecycle stage of a page of customers: from the day's stored facts when they are
    kept (segments.cache), else computed for the page at once (segments.lifecycle)."""

    def __init__(self, conn, as_of: date | None):
        self.conn, self.day, self.query, self.stored = conn, as_of or date.today(), None, None

    def __call__(self, ids: list[int]) -> dict[int, tuple[str, str | None]]:
        if self.query is None:
            lc = load_settings(self.conn)
            stored = stored_day(self.conn, self.day, lc, classes=False)
            self.stored = stored[0] if stored else None
            self.query = lifecycle_query(self.day, lc)
        if self.stored is not None:
            return stored_stages(self.conn, self.stored, ids)
        return lifecycle_of(self.conn, ids, self.query)


def iter_contacts(
    engine: Engine,
    *,
    search: str | None = None,
    limit: int | None = None,
    page: int = 2000,
    ids: Sequence[int] | None = None,
    as_of: date | None = None,
    area_code: str | None = None,
    fields: Collection[str] | None = None,
) -> Iterator[dict]:
    """Customers in id order, a page at a time, so a listing of a million stays small in memory.

    ``ids`` (ascending, e.g. from services.segments.matching_ids) limits the listing to those
    customers; a 7-digit phone searched for is one of ``area_code`` when given. Each customer
    carries its ``lifecycle`` stage (and ``warmth`` while sleeping) on ``as_of`` (see
    ``_Stages``). ``fields``: only these keys are needed: the parts nobody asked for
    (provenance, consent per channel, calls…) are not read at all."""
    wanted = None if fields is None else set(fields)
    stages_needed = wanted is None or bool(wanted & {"lifecycle", "warmth"})
    with engine.connect() as conn:
        stages = _Stages(conn, as_of)
        for rows in _pages(conn, [customers], search=search, limit=limit, page=page, ids=ids,
                           area_code=area_code):  # fmt: skip
            staged = stages([r.id for r in rows]) if stages_needed else {}
            for item in _with_details(conn, rows, wanted):
                if stages_needed:
                    item["lifecycle"], item["warmth"] = staged.get(item["id"], (None, None))
                yield item


def own_columns(cols: Sequence[str], need: set[str]) -> list:
    """The customers' own columns a listing of ``cols`` reads: the id first, each column once."""
    c = customers
    own = [c.c.id] + [c.c[_OWN[k]] for k in dict.fromkeys(cols) if k in _OWN]
    if need & {"birthday", "birthday_month_day"}:
        own += [c.c.birth_year, c.c.birth_month, c.c.birth_day]
    if need & {"created_at", "updated_at"}:
        own += [c.c.created_at, c.c.updated_at]
    return list({col.key: col for col in own}.values())


def iter_contact_rows(
    engine: Engine,
    columns: Sequence[str],
    *,
    search: str | None = None,
    limit: int | None = None,
    page: int = 5000,
    ids: Sequence[int] | None = None,
    as_of: date | None = None,
    area_code: str | None = None,
) -> Iterator[tuple]:
    """The customers ``iter_contacts`` lists, as tuples of the values of ``columns`` (all in
    ``ROW_FIELDS``): the same values under the same keys, without a dict per customer and
    with one query per part and page, so a CSV of a hundred thousand customers streams out in
    a second or two."""
    cols = list(columns)
    need = set(cols)
    own = own_columns(cols, need)
    # Pages of given ids without a search are read at the driver level: binding thousands of
    # ids through the SQL compiler costs more than the query (dates would come back as text).
    raw = ids is not None and not search and not need & {"created_at", "updated_at"}
    with engine.connect() as conn:
        stages = _Stages(conn, as_of)
        pages = (
            _id_pages(conn, own, ids, limit, page)
            if raw
            else _pages(conn, own, search=search, limit=limit, page=page, ids=ids,
                        area_code=area_code)
        )  # fmt: skip
        for rows in pages:
            pids = [r[0] for r in rows]
            extra: dict[str, dict] = {}
            if need & {"phones", "emails"}:
                extra["phones"], extra["emails"] = _valid_points(conn, pids)
            if "tags" in need:
                extra["tags"] = _tag_names(conn, pids)
            if need & {"calls", "last_contact"}:
                extra["calls"], extra["last_contact"] = _call_counts(conn, pids)
            if need & {"lifecycle", "warmth"}:
                staged = stages(pids)
                extra["lifecycle"] = {i: s[0] for i, s in staged.items()}
                extra["warmth"] = {i: s[1] for i, s in staged.items()}
            at = {c.key: i for i, c in enumerate(own)}
            getters = [_getter(c, extra, at) for c in cols]
            for r in rows:
                yield tuple([g(r) for g in getters])


_first = itemgetter(0)


def _id_pages(conn, columns, ids: Sequence[int], limit: int | None, page: int) -> Iterator[list]:
    """Pages of the customers ``ids`` names (as tuples of ``columns``, the id first), in id
    order, those merged away or erased left out, as ``_pages`` gives them."""
    names = [c.key for c in columns]
    rows_of = len(names)
    left = limit
    for i in range(0, len(ids), page):
        found = select_where_in(conn, customers, (*names, "merged_into_id", "status"), "id",
                                list(ids[i : i + page]))  # fmt: skip
        rows = sorted(
            (r[:rows_of] for r in found if r[rows_of] is None and r[rows_of + 1] != "erased"),
            key=_first,
        )
        if left is not None:
            rows = rows[:left]
            left -= len(rows)
        if rows:
            yield rows
        if left is not None and left <= 0:
            return


def _getter(column: str, extra: dict, at: dict[str, int]):
    """The function that takes a column's value out of a row (columns at positions ``at``)."""
    if column in _OWN:
        return itemgetter(at[_OWN[column]])
    if column in ("birthday", "birthday_month_day"):
        y, m, d = at["birth_year"], at["birth_month"], at["birth_day"]
        if column == "birthday":
            return lambda r: birthday_iso(r[y], r[m], r[d])
        return lambda r: birthday_month_day(r[m], r[d])
    if column in ("created_at", "updated_at"):
        i = at[column]
        return lambda r: r[i].isoformat(timespec="seconds")
    values = extra[column]
    empty = 0 if column == "calls" else [] if column in ("phones", "emails", "tags") else None
    if column == "last_contact":
        return lambda r: _iso(values.get(r[0]))
    return lambda r: values.get(r[0], empty)


def _valid_points(conn, ids: list[int]) -> tuple[dict, dict]:
    """{id: [phones]}, {id: [emails]}: the valid ones, in the order they were added."""
    cols = ("id", "customer_id", "kind", "value", "valid")
    found = sorted(select_where_in(conn, contact_points, cols, "customer_id", ids), key=_first)
    phones: dict[int, list] = defaultdict(list)
    emails: dict[int, list] = defaultdict(list)
    for _pid, cid, kind, value, valid in found:
        if valid and value and kind in ("phone", "email"):
            (phones if kind == "phone" else emails)[cid].append(value)
    return phones, emails


def _tag_names(conn, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        for cid, name in conn.execute(
            select(customer_tags.c.customer_id, tags.c.name)
            .join(tags, tags.c.id == customer_tags.c.tag_id)
            .where(customer_tags.c.customer_id.in_(ids[i : i + 500]))
            .order_by(tags.c.name)
        ):
            out[cid].append(name)
    return out


def _call_counts(conn, ids: list[int]) -> tuple[dict, dict]:
    """{id: calls}, {id: the latest interaction's time}."""
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
    return calls, last_contact


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


# The parts of a listed customer that cost queries of their own, and the keys that need them.
_PARTS = {
    "points": {"phones", "emails", "invalid", "contact_points"},
    "channels": {"contact_points"},
    "provenance": {"provenance"},
    "tags": {"tags"},
    "calls": {"calls", "last_contact"},
}


def _with_details(conn, rows, fields: set[str] | None = None) -> list[dict]:
    """The customers of ``rows`` as listed; with ``fields``, only the parts those keys need
    are read (the other keys of a part left out)."""
    need = {p for p, keys in _PARTS.items() if fields is None or keys & fields}
    ids = [r.id for r in rows]
    points, provenance, tag_names = defaultdict(list), defaultdict(list), {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        if "points" in need:
            for p in conn.execute(
                select(contact_points)
                .where(contact_points.c.customer_id.in_(part))
                .order_by(contact_points.c.id)
            ):
                points[p.customer_id].append(p)
        if "provenance" in need:
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

    channels = {}
    if "channels" in need:
        # services.consent reads opt-out files: its importers and phonenumbers cost ~0.15 s of
        # the start of every `contacts list`, which mostly does not show the consent events
        from clientbase.services.consent import channel_states

        channels = channel_states(conn, [p.id for pts in points.values() for p in pts])
    if "tags" in need:
        tag_names = _tag_names(conn, ids)
    calls, last_contact = _call_counts(conn, ids) if "calls" in need else ({}, {})
    out = []
    for r in rows:
        item = {
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
        }
        if "points" in need:
            pts = points[r.id]
            item["phones"] = [p.value for p in pts if p.kind == "phone" and p.valid and p.value]
            item["emails"] = [p.value for p in pts if p.kind == "email" and p.valid and p.value]
            item["invalid"] = [
                {"kind": p.kind, "value": p.value_raw, "reason": p.invalid_reason}
                for p in pts
                if not p.valid
            ] + (
                [{"kind": "birthday", "value": r.birthday_raw, "reason": _("not a date")}]
                if r.birthday_raw
                else []
            )
            if "channels" in need:
                item["contact_points"] = [
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
                ]
        if "tags" in need:
            item["tags"] = tag_names.get(r.id, [])
        if "calls" in need:
            item["calls"] = calls.get(r.id, 0)
            item["last_contact"] = _iso(last_contact.get(r.id))
        if fields is None or "created_at" in fields:
            item["created_at"] = r.created_at.isoformat(timespec="seconds")
        if fields is None or "updated_at" in fields:
            item["updated_at"] = r.updated_at.isoformat(timespec="seconds")
        if "provenance" in need:
            item["provenance"] = provenance[r.id]
        out.append(item)
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


@dataclass(frozen=True, slots=True)
class ContactCard(Result):
    """A customer's card (`contacts show`): who they are, every phone and email with its
    consent, where the data came from, the latest calls and log, open reminders, and the orders,
    classes and lifecycle counted to a day. ``merged_into`` only for a merged-away card."""

    OMIT_IF_NONE = ("merged_into",)

    id: int
    name: str | None
    kind: str | None
    last_name: str | None
    first_name: str | None
    middle_name: str | None
    gender: str | None
    birthday: str | None
    birthday_month_day: str | None
    company: str | None
    position: str | None
    city: str | None
    address: str | None
    source: str | None
    manager: str | None
    external_id: str | None
    note: str | None
    phones: list[str]
    emails: list[str]
    invalid: list[dict]  # kind, value as typed, reason
    contact_points: list[dict]  # kind, value, raw, extension, label, valid, consent, channels
    tags: list[str]
    calls: list[dict]  # the latest CARD_CALLS calls, newest first
    last_contact: str | None
    created_at: str
    updated_at: str
    provenance: list[dict]  # import batch, file, row (and sheet) of each source row
    log: list[dict]  # notes and logged contacts, newest first
    reminders: list[dict]  # open ones, soonest first
    status: str
    classes: dict  # ABC/XYZ window and classes, RFM scores (when there are orders)
    lifecycle: dict  # stage and warmth
    orders: dict  # count, revenue, first, last
    merged_into: int | None = None


def get_contact(engine: Engine, customer_id: int, as_of: date | None = None) -> ContactCard:
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
        return ContactCard(**card)
