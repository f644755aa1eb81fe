"""Records → normalised rows, ready to match: the pure half of a contact import.

Everything here is a function of its input alone, so large files run it in worker processes (one
per core) while the main process matches and writes. Results are plain tuples because they cross
process boundaries: pickling named tuples costs a fraction of pickling dataclasses.
"""

from __future__ import annotations

import gc
import re
from datetime import date, datetime
from typing import NamedTuple

from clientbase.i18n import N_, _
from clientbase.importers.clean_fields import (
    GENDER,
    SINGLE_FIELDS,
    SUMMARY_ROW,
    contact_points,
    phone_answers,
    point_display,
    point_key,
    read_birthday,
)
from clientbase.importers.clean_table import clean_table, table_plan
from clientbase.importers.mapping import Mapping, raw_record, to_records
from clientbase.importers.rawrow import cells_text, object_text, to_json
from clientbase.importers.records import ContactRecord, UnreadableRow
from clientbase.normalize.dates import parse_datetime
from clientbase.normalize.emails import plain_addresses
from clientbase.normalize.names import looks_like_company, name_from_parts, parse_full_name
from clientbase.normalize.phones import (
    Phone,
    is_short_or_internal,
    normalize_phone,
    split_phones,
)
from clientbase.normalize.phones import reason_text as phone_reason
from clientbase.normalize.plain_names import plain_person
from clientbase.normalize.typed_names import (
    contacts_in_name,
    keep_as_typed,
    tidy,
    words_not_a_name,
)

_CONSENT_YES = {"да", "yes", "y", "1", "true", "+", "согласен", "согласна", "есть", "подписан",
                "подписана", "x", "х", "✓", "v", "granted", "opt-in", "subscribed"}  # fmt: skip
_CONSENT_NO = {"нет", "no", "n", "0", "false", "-", "отказ", "отписан", "отписана", "не согласен",
               "withdrawn", "opt-out", "unsubscribed"}  # fmt: skip
_TAG_SPLIT = re.compile(r"\s*(?:,|;|:::)\s*")
# Address-book system groups, not labels a person gave.
_GOOGLE_SYSTEM_LABELS = {"myContacts", "starred", "My Contacts", "Starred in Android"}


class Point(NamedTuple):
    kind: str  # phone, email, telegram, whatsapp, vk
    raw: str
    value: str | None  # normalised; None when invalid
    valid: bool
    reason: str | None
    label: str | None
    extension: str | None
    key: tuple[str, str]  # identity within the base; invalid values are known by their raw text


class Clean(NamedTuple):
    row: int
    sheet: str | None
    raw_json: str  # the input row as read, stored with the batch
    fields: dict  # customer columns
    points: tuple[Point, ...]
    consent: str | None  # granted / withdrawn for this row's contacts, None if not said
    tags: tuple[str, ...]
    notes: tuple[str, ...]  # what was flagged while normalising, for the row's reason
    has_valid_key: bool  # a valid phone or email to match on
    # A call log's name is what the phone's address book said ("Мама", "Вася шиномонтаж"): good
    # enough to name a new lead, too weak to rename or tell apart people matched by number.
    trust_name: bool = True
    # (direction, started_at, duration_s, outcome, phone, source, call_id) for a call record.
    call: tuple | None = None
    # (channel, status, when or None) from per-channel consent columns.
    channel_consents: tuple = ()
    # Long-format lists: rows of one person (organisation + name) fold into one customer.
    group: str | None = None


class Rejected(NamedTuple):
    row: int
    sheet: str | None
    raw_json: str
    reason: str


class Skipped(NamedTuple):
    """A row that is not a customer by nature (an internal extension, a hidden caller); kept
    with the batch, counted, but not a failure."""

    row: int
    sheet: str | None
    raw_json: str
    reason: str
    skipped: bool = True


CHANNELS = ("email", "sms", "calls", "ads")
_CONSENT_KEYS = tuple((ch, f"consent_{ch}") for ch in CHANNELS)  # the record's field of each
# Which contact points a channel reaches.
CHANNEL_KINDS = {"email": ("email",), "sms": ("phone",), "calls": ("phone",),
                 "ads": ("phone", "email")}  # fmt: skip


def parse_consent(value: str | None) -> tuple[str | None, datetime | None]:
    """да/нет, yes/no, 1/0 … or a date: consent given on that day. (status, when)."""
    if not value:
        return None, None
    v = value.strip().lower()
    if v in _CONSENT_YES:
        return "granted", None
    if v in _CONSENT_NO:
        return "withdrawn", None
    try:
        return "granted", parse_datetime(value)
    except ValueError:
        return None, None


def _point(kind, raw, value, valid, reason, label, extension=None) -> Point:
    return Point(kind, raw, value, valid, reason, label, extension, point_key(kind, value, raw))


NOTHING_TO_IDENTIFY = N_("nothing to identify a customer by: no name, company, phone or email")


def clean_record(
    rec: ContactRecord,
    region: str,
    default_source: str | None,
    normalised: dict[str, Phone] | None = None,
    today: date | None = None,
) -> Clean | Rejected:
    """Normalise one record, or say why it cannot be a customer.

    ``normalised``: numbers already normalised a column at a time (raw part → answer), for the
    region given; anything missing is normalised here. ``today``: the day birthdays are read as
    of (the system's date when not given). A row that becomes a customer keeps its
    cells in the cells form of the raw record, a rejected one the named form (see rawrow)."""
    return _named(_clean(rec, region, default_source, normalised, today))


def _named(t: tuple) -> Clean | Rejected:
    """A cleaned row from its plain form (see ``unpack``)."""
    if len(t) == 4:
        return Rejected._make(t)
    return Clean(*t[:4], tuple(map(Point._make, t[4])), *t[5:])


def _clean(
    rec: ContactRecord,
    region: str,
    default_source: str | None,
    normalised: dict[str, Phone] | None,
    today: date | None,
    split: dict[str, list[str]] | None = None,
    mails: dict[str, str] | None = None,
    numbers: dict[str, str] | None = None,
) -> tuple:
    """``clean_record`` in the plain form a worker hands back (see ``clean_rows_packed``): built
    as plain tuples from the start, a million rows skip making named tuples only to take them
    apart again. ``split``: phone cells already split into numbers (cell → parts); ``mails``: the
    cells that are one plain valid address, with it (see ``plain_addresses``); ``numbers``:
    numbers of the usual shape found valid, with their E.164 form (see ``valid_numbers``), for
    the region given, ``normalised`` then holding the rest."""
    f = rec.fields
    notes: list[str] = []
    out: dict = {}
    full = f.get("full_name")
    company = f.get("company")
    name = None
    if full and SUMMARY_ROW.match(full) and not rec.phones and not rec.emails:
        return (
            rec.row,
            rec.sheet,
            object_text(rec.raw),
            _("a summary row ({text}), not a customer").format(text=repr(full)),
        )
    # The usual cell, a person's name of plain words, in one step (see normalize.plain_names).
    plain = (
        plain_person(full)
        if full and not (f.get("last_name") or f.get("first_name") or f.get("middle_name"))
        else None
    )
    as_typed, name_phones, name_emails = (None, (), ()) if plain is not None else _typed_name(f)
    if plain is not None:
        out["kind"] = "person"
        (out["last_name"], out["first_name"], out["middle_name"], out["gender"],
         out["display_name"]) = plain  # fmt: skip
    elif as_typed is not None:
        # Not a person's name to take apart: kept exactly as typed (see typed_names).
        if as_typed and not company and looks_like_company(as_typed):
            company = as_typed
        elif as_typed:
            out["kind"] = "person"
            out["display_name"] = as_typed
    elif f.get("last_name") or f.get("first_name") or f.get("middle_name"):
        name = name_from_parts(f.get("last_name"), f.get("first_name"), f.get("middle_name"))
        if not company and full and looks_like_company(full):
            company = full
    elif full:
        if not company and looks_like_company(full):
            company = full
        else:
            name = parse_full_name(full)
    if plain is not None:
        pass  # a person, as set above
    elif name is not None and (name.last or name.first or name.middle):
        out["kind"] = "person"
        out["last_name"], out["first_name"], out["middle_name"] = name.last, name.first, name.middle
        out["gender"] = name.gender
        out["display_name"] = name.display
    elif company:
        out["kind"] = "company"
    elif full and any(ch.isalpha() for ch in full) and not SUMMARY_ROW.match(full):
        # "Покупатель 001", "Гость 12": not a ФИО, but the label the shop knows the customer by.
        out["kind"] = "person"
        out["display_name"] = " ".join(full.split())
    if f.get("gender"):
        g = GENDER.get(f["gender"].strip().lower().rstrip("."))
        if g:
            out["gender"] = g
    if company:
        out["company"] = company
    for col in SINGLE_FIELDS:
        v = f.get(col)
        if v:
            out[col] = v
    src = f.get("source") or default_source
    if src:
        out["source"] = src
    if f.get("birthday"):
        b, problem = read_birthday(f["birthday"], today)
        if problem is not None:
            out["birthday_raw"] = f["birthday"]
            notes.append(
                _("birthday {value} kept as text: {reason}").format(
                    value=repr(f["birthday"]), reason=problem
                )
            )
        if b is not None:
            out["birth_year"], out["birth_month"], out["birth_day"] = b.year, b.month, b.day

    # Contacts typed into the name cell are rare: the record's own lists serve as they are.
    phones = [*rec.phones, *((p, None) for p in name_phones)] if name_phones else rec.phones
    emails = [*rec.emails, *((e, None) for e in name_emails)] if name_emails else rec.emails
    points, seen, has_valid = contact_points(
        phones,
        emails,
        rec.region or region,
        normalised if not rec.region else None,
        split,
        mails,
        notes,
        numbers if not rec.region else None,
    )
    for kind, value in rec.messengers:
        v = value.strip()
        pt = tuple(_point(kind, v, v.lstrip("@").lower() if kind == "telegram" else v, True, None,
                          None))  # fmt: skip
        if pt[7] not in seen:
            seen.add(pt[7])
            points.append(pt)

    if "kind" not in out:
        if not points:
            return (rec.row, rec.sheet, object_text(rec.raw), _(NOTHING_TO_IDENTIFY))
        out["kind"] = "person"
    if not out.get("display_name"):
        out["display_name"] = company or point_display(points)
    tags: tuple[str, ...] = ()
    if f.get("tags"):
        tags = tuple(
            t for t in (x.lstrip("* ").strip() for x in _TAG_SPLIT.split(f["tags"]))
            if t and t not in _GOOGLE_SYSTEM_LABELS
        )  # fmt: skip
    channels = []
    for ch, key in _CONSENT_KEYS:
        value = f.get(key)
        if value:  # parse_consent says nothing of an empty cell
            status, when = parse_consent(value)
            if status:
                channels.append((ch, status, when))
    general = parse_consent(f["consent"])[0] if f.get("consent") else None
    # The raw record of a row that became a customer: its cells when it has them (see rawrow).
    raw_json = cells_text(rec.cells) if rec.cells is not None else object_text(rec.raw)
    # The fields of Clean, in order.
    return (rec.row, rec.sheet, raw_json, out, tuple(points), general, tags, tuple(notes),
            has_valid, True, None, tuple(channels), rec.group)  # fmt: skip


def _typed_name(f: dict) -> tuple[str | None, list[str], list[str]]:
    """(the name to keep as typed, or None to parse it; phones and emails typed in it).

    The text is the full-name cell, else the parts joined as a person would read them; "" as
    the name means it held nothing but contacts (a number saved as the name)."""
    text = f.get("full_name")
    if not text:
        parts = [f.get(k) for k in ("first_name", "middle_name", "last_name")]
        text = " ".join(p.strip() for p in parts if p and p.strip())
    if not text or not keep_as_typed(text):
        return None, [], []
    phones, emails = contacts_in_name(text)
    rest = text
    for value in (*emails, *phones):
        rest = rest.replace(value, " ")
    for m in _EMAIL_IN_TEXT.finditer(rest):
        rest = rest.replace(m.group(), " ")
    if not any(ch.isalpha() for ch in rest):
        return "", phones, emails  # nothing but a contact (or a bare number): no name
    return tidy(text), phones, emails


# An address typed with spaces after its dots ("ivan@mail. ru"), as contacts_in_name reads it.
_EMAIL_IN_TEXT = re.compile(r"[\w.+\-]+@[\w\-]+(?:\s?\.\s?[\w\-]+)+")


def clean_rows(
    args: tuple[Mapping, list[tuple[int, list]], str | None, str, str | None],
) -> list[Clean | Rejected]:
    """A chunk of spreadsheet rows → cleaned rows."""
    return unpack(clean_rows_packed(args))


def clean_rows_packed(
    args: tuple[Mapping, list[tuple[int, list]], str | None, str, str | None],
) -> list[tuple]:
    """clean_rows for a worker process: results as plain tuples, which pickle about twice as
    fast as named tuples; ``unpack`` restores them on the other side."""
    mapping, rows, sheet, region, source = args
    rows = [(n, cells) for n, cells in rows if not is_blank(cells)]  # a blank line is not data
    plan = table_plan(mapping)
    if plan is None or not rows:
        return _clean_chunk(mapping, rows, sheet, region, source)
    return clean_table(plan, mapping, rows, sheet, region, source, _clean_chunk)


def _clean_chunk(
    mapping: Mapping, rows: list[tuple[int, list]], sheet: str | None, region: str, source
) -> list[tuple]:
    """``clean_rows_packed`` of non-blank rows, a record per row: the general path."""
    # A row that becomes a customer keeps its cells: the named raw form only for the rejected.
    readable = [r for r in rows if not isinstance(r[1], UnreadableRow)]
    made = iter(to_records(mapping, readable, sheet, raw=False))
    records = [(n, cells if isinstance(cells, UnreadableRow) else next(made)) for n, cells in rows]
    # The chunk's phones as one column: the common shapes are answered without a call each.
    split = {
        cell: split_phones(cell)
        for _, rec in records
        if not isinstance(rec, UnreadableRow) and not rec.region
        for cell, _label in rec.phones
    }
    numbers, phones = phone_answers(split, region)
    # Its e-mails likewise: the cells holding one plain address are found at once.
    mails = plain_addresses([
        cell
        for _, rec in records
        if not isinstance(rec, UnreadableRow)
        for cell, _label in rec.emails
    ])  # fmt: skip
    today = date.today()  # a chunk is cleaned as of one day
    out = [
        (n, sheet, to_json({"line": rec[0] if rec else ""}), rec.reason)  # rejected
        if isinstance(rec, UnreadableRow)
        else _clean(rec, region, source, phones, today, split, mails, numbers)
        for n, rec in records
    ]
    for i, t in enumerate(out):
        if len(t) == 4 and not isinstance(rec := records[i][1], UnreadableRow):  # rejected
            rec.raw = raw_record(mapping, rec.cells)
            out[i] = (t[0], t[1], object_text(rec.raw), t[3])
    return out


def is_blank(cells: list) -> bool:
    for c in cells:
        if c is not None and c != "" and (not isinstance(c, str) or not c.isspace()):
            return False
    return True


def worker_init() -> None:
    """Start of a cleaning worker process. Cleaning allocates millions of small acyclic
    objects; the cyclic GC would keep rescanning the normalisation caches for nothing."""
    gc.disable()


def unpack(packed: list[tuple]) -> list[Clean | Rejected]:
    out: list[Clean | Rejected] = []
    make_point = Point._make
    for t in packed:
        if len(t) == 4:
            out.append(Rejected._make(t))
        else:
            out.append(Clean(*t[:4], tuple(map(make_point, t[4])), *t[5:]))
    return out


def clean_call(rec, region: str, source: str | None, own=()) -> Clean | Skipped | Rejected:
    """A call-log record → the customer it is with (found or a new lead) plus the call itself.
    ``own``: the company's own numbers (a container of raw numbers), never a customer."""
    raw_json = to_json(rec.raw)
    number = rec.number.strip()
    if not number:
        return Skipped(rec.row, None, raw_json, _("hidden caller: no number to know them by"))
    if number in own:
        return Skipped(
            rec.row, None, raw_json, _("the company's own number {number}").format(number=number)
        )
    if is_short_or_internal(number):
        return Skipped(
            rec.row,
            None,
            raw_json,
            _("internal extension or short service number {number}").format(number=number),
        )
    p = normalize_phone(number, rec.region or region)
    if not p.valid:
        return Rejected(
            rec.row,
            None,
            raw_json,
            _("not a phone number: {number} ({reason})").format(
                number=repr(number), reason=phone_reason(p.reason)
            ),
        )
    out: dict = {"kind": "person", "source": source or "phone call"}
    name = rec.contact_name
    if name and looks_like_company(name):
        out["company"] = out["display_name"] = name
    elif name and words_not_a_name(name):
        out["display_name"] = tidy(name)  # "Врач Петров", "Доставка": not a ФИО to take apart
    elif name:
        n = parse_full_name(name)
        out["last_name"], out["first_name"], out["middle_name"] = n.last, n.first, n.middle
        out["gender"] = n.gender
        out["display_name"] = n.display or name
    if not out.get("display_name"):
        out["display_name"] = p.e164  # a lead known only by the number
    point = _point("phone", number, p.e164, True, None, None, p.extension)
    call = (rec.direction, rec.started_at, rec.duration_s, rec.outcome, p.e164, rec.source,
            rec.call_id)  # fmt: skip
    return Clean(rec.row, None, raw_json, out, (point,), None, (), (), True, False, call)
