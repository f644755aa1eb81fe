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

from clientbase.i18n import N_, _, language
from clientbase.importers.column_map import IGNORE
from clientbase.importers.mapping import Mapping, raw_record, to_records
from clientbase.importers.rawrow import cells_text, cells_texts, object_text, to_json
from clientbase.importers.records import ContactRecord, UnreadableRow
from clientbase.normalize.dates import birthday_ymd, parse_birthday, parse_datetime
from clientbase.normalize.emails import normalize_email, plain_addresses, split_emails
from clientbase.normalize.emails import reason_text as email_reason
from clientbase.normalize.names import looks_like_company, name_from_parts, parse_full_name
from clientbase.normalize.phone_batch import valid_numbers
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
_GENDER = {"м": "m", "муж": "m", "мужской": "m", "m": "m", "male": "m", "ж": "f", "жен": "f",
           "женский": "f", "f": "f", "female": "f"}  # fmt: skip
_SUMMARY_ROW = re.compile(r"^(итого|всего|total|итог)\b", re.IGNORECASE)
_TAG_SPLIT = re.compile(r"\s*(?:,|;|:::)\s*")
# Address-book system groups, not labels a person gave.
_GOOGLE_SYSTEM_LABELS = {"myContacts", "starred", "My Contacts", "Starred in Android"}
_SINGLE_FIELDS = ("position", "city", "address", "postcode", "manager", "external_id", "note")


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
    return Point(kind, raw, value, valid, reason, label, extension, _key(kind, value, raw))


def _key(kind: str, value: str | None, raw: str) -> tuple[str, str]:
    """A point's identity within the base: an invalid value is known by its raw text."""
    return (kind, value if value is not None else "raw:" + raw)


def _points(
    phones: list[tuple[str, str | None]],
    emails: list[tuple[str, str | None]],
    region: str,
    normalised: dict[str, Phone] | None,
    split: dict[str, list[str]] | None,
    mails: dict[str, str] | None,
    notes: list[str],
    numbers: dict[str, str] | None = None,
) -> tuple[list[tuple], set, bool]:
    """A row's phone and e-mail points (plain, the fields of Point), their keys and whether one
    is valid; what is invalid is noted in ``notes``. ``normalised``, ``split``, ``mails``,
    ``numbers``: the chunk's answers found a column at a time (see ``_clean``)."""
    points: list[tuple] = []
    seen = set()
    has_valid = False
    for raw_cell, label in phones:
        parts = split.get(raw_cell) if split is not None else None
        for part in parts if parts is not None else split_phones(raw_cell):
            value = numbers.get(part) if numbers is not None else None
            if value is not None:  # the usual number: valid, no extension
                key = ("phone", value)
                if key not in seen:
                    seen.add(key)
                    points.append(("phone", part, value, True, None, label, None, key))
                    has_valid = True
                continue
            p = normalised.get(part) if normalised is not None else None
            if p is None:
                p = normalize_phone(part, region)
            value = p.e164
            key = _key("phone", value, part)
            if key not in seen:
                seen.add(key)
                points.append(("phone", part, value, p.valid, p.reason, label, p.extension, key))
                if p.valid:
                    has_valid = True
                else:
                    notes.append(
                        _("invalid phone {value} kept: {reason}").format(
                            value=repr(part), reason=phone_reason(p.reason)
                        )
                    )
    for raw_cell, label in emails:
        value = mails.get(raw_cell) if mails is not None else None
        if value is not None:  # the usual cell: one address, valid as typed but for case
            key = ("email", value)
            if key not in seen:
                seen.add(key)
                points.append(("email", raw_cell, value, True, None, label, None, key))
                has_valid = True
            continue
        for part in split_emails(raw_cell):
            e = normalize_email(part)
            value = e.value
            key = _key("email", value, part)
            if key not in seen:
                seen.add(key)
                points.append(("email", part, value, e.valid, e.reason, label, None, key))
                if e.valid:
                    has_valid = True
                else:
                    notes.append(
                        _("invalid email {value} kept: {reason}").format(
                            value=repr(part), reason=email_reason(e.reason)
                        )
                    )
    return points, seen, has_valid


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
    if full and _SUMMARY_ROW.match(full) and not rec.phones and not rec.emails:
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
    elif full and any(ch.isalpha() for ch in full) and not _SUMMARY_ROW.match(full):
        # "Покупатель 001", "Гость 12": not a ФИО, but the label the shop knows the customer by.
        out["kind"] = "person"
        out["display_name"] = " ".join(full.split())
    if f.get("gender"):
        g = _GENDER.get(f["gender"].strip().lower().rstrip("."))
        if g:
            out["gender"] = g
    if company:
        out["company"] = company
    for col in _SINGLE_FIELDS:
        v = f.get(col)
        if v:
            out[col] = v
    src = f.get("source") or default_source
    if src:
        out["source"] = src
    if f.get("birthday"):
        b, problem = _birthday(f["birthday"], today)
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
    points, seen, has_valid = _points(
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
        out["display_name"] = company or _point_display(points)
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


# Birthdays repeat (a few tens of thousands of days, a handful of ways to write each): parsed
# once per worker. The answers hold for one day and language (today bounds the future and reads
# 2-digit years; the reason is in the current language), which _BIRTHDAYS_AS_OF says. Bounded:
# emptied when full, which a real list rarely makes it.
_BIRTHDAYS: dict[str, tuple] = {}
_BIRTHDAY_DAYS: dict[tuple[int, int, int], tuple] = {}  # by (year, month, day), see birthday_ymd
_BIRTHDAYS_AS_OF: list[tuple[date, str] | None] = [None]
_BIRTHDAYS_MAX = 1 << 17


def _birthdays_as_of(today: date | None) -> tuple[date, str]:
    """The day and language the cached birthdays are for: these, emptied if they were not."""
    as_of = (today or date.today(), language())
    if as_of != _BIRTHDAYS_AS_OF[0]:
        _BIRTHDAYS.clear()
        _BIRTHDAYS_AS_OF[0] = as_of
        _BIRTHDAY_DAYS.clear()
    return as_of


def _birthday(text: str, today: date | None = None) -> tuple:
    """(the parsed birthday or None, why it is not a date or None)."""
    as_of = _birthdays_as_of(today)
    hit = _BIRTHDAYS.get(text)
    if hit is None:
        # A day is written several ways ("01.02.1985", "1.2.1985", "1985-02-01"): read once.
        ymd = birthday_ymd(text)
        if ymd is not None:
            hit = _BIRTHDAY_DAYS.get(ymd)
        if hit is None:
            try:
                hit = (parse_birthday(text, today=as_of[0]), None)
            except ValueError as exc:
                hit = (None, str(exc))
            if ymd is not None:
                if len(_BIRTHDAY_DAYS) >= _BIRTHDAYS_MAX:
                    _BIRTHDAY_DAYS.clear()
                _BIRTHDAY_DAYS[ymd] = hit
        if len(_BIRTHDAYS) >= _BIRTHDAYS_MAX:
            _BIRTHDAYS.clear()
        _BIRTHDAYS[text] = hit
    return hit


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


def _point_display(points: list[tuple]) -> str:
    for p in points:  # plain points: (kind, raw, value, valid, …)
        if p[3] and p[2]:
            return p[2]
    return points[0][1] if points else ""


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
    plan = _table_plan(mapping)
    if plan is None or not rows:
        return _clean_chunk(mapping, rows, sheet, region, source)
    return _clean_table(plan, mapping, rows, sheet, region, source)


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
    numbers, phones = _phone_answers(split, region)
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


# The fields a table's columns may map to for the column-at-a-time path (``_clean_table``):
# those of the usual contact list, each read from one column as it is.
_TABLE_FIELDS = frozenset(
    {"full_name", "gender", "phone", "email", "birthday", "source", *_SINGLE_FIELDS}
)


def _table_plan(mapping: Mapping) -> dict[str, tuple[int, str | None]] | None:
    """{field: (column, label)} when every column read maps to one of ``_TABLE_FIELDS``, no
    two to the same field, none with a label column and none but a phone or e-mail with a
    label (a labelled note is written "label: value"); None otherwise."""
    plan: dict[str, tuple[int, str | None]] = {}
    for i, c in mapping.columns.items():
        if c.field == IGNORE:
            continue
        if (
            c.field not in _TABLE_FIELDS
            or c.field in plan
            or c.label_column is not None
            or (c.label is not None and c.field not in ("phone", "email"))
        ):
            return None
        plan[c.field] = (i, c.label)
    return plan


def _clean_table(
    plan: dict[str, tuple[int, str | None]],
    mapping: Mapping,
    rows: list[tuple[int, list]],
    sheet: str | None,
    region: str,
    source: str | None,
) -> list[tuple]:
    """``_clean_chunk`` a column at a time, for a mapping of ``_table_plan``: the rows of text
    cells as wide as the header, whose name is empty or plain (``plain_person``), are cleaned
    here without a record each (what ``_clean`` gives them, step for step); every other row
    (a name to parse, a rejected row, another width, typed cells) takes the general path.
    ``tests/test_clean_chunks.py`` holds both paths equal."""
    width = len(mapping.header)
    table = [i for i, (_n, cells) in enumerate(rows) if len(cells) == width and type(cells) is list]
    try:
        cols = [list(map(str.strip, col)) for col in zip(*[rows[i][1] for i in table], strict=True)]
    except TypeError:  # a cell that is not text (a workbook's number, date): as a record
        cols = []
    if not cols:
        return _clean_chunk(mapping, rows, sheet, region, source)
    raws = cells_texts(cols)

    empty = [""] * len(table)

    def column(field: str) -> list[str]:
        return cols[plan[field][0]] if field in plan else empty

    phone_cells, email_cells = column("phone"), column("email")
    phone_label = plan["phone"][1] if "phone" in plan else None
    email_label = plan["email"][1] if "email" in plan else None
    single_fields = [f for f in _SINGLE_FIELDS if f in plan]
    singles = zip(*[column(f) for f in single_fields], strict=True) if single_fields else empty
    split = {c: split_phones(c) for c in dict.fromkeys(phone_cells) if c}
    numbers, phones = _phone_answers(split, region)
    mails = plain_addresses([c for c in email_cells if c]) if "email" in plan else {}
    # The usual cells, one valid number or one plain address: their points as _points makes
    # them, once per cell.
    usual_phones = {
        cell: ("phone", parts[0], number, True, None, phone_label, None, ("phone", number))
        for cell, parts in split.items()
        if len(parts) == 1 and (number := numbers.get(parts[0])) is not None
    }
    usual_mails = {
        cell: ("email", cell, address, True, None, email_label, None, ("email", address))
        for cell, address in mails.items()
    }
    today = date.today()  # a chunk is cleaned as of one day
    _birthdays_as_of(today)  # the birthdays read so far hold for today: looked up directly
    birthday_of = _BIRTHDAYS.get
    genders = column("gender") if "gender" in plan else None
    out: list = [None] * len(rows)
    for i, raw, full, phone, email, birthday, src, in_singles, k in zip(
        table, raws, column("full_name"), phone_cells, email_cells, column("birthday"),
        column("source"), singles, range(len(table)), strict=True,
    ):  # fmt: skip
        if full:
            plain = plain_person(full)
            if plain is None or _SUMMARY_ROW.match(full):
                continue  # the general path
            o = {"kind": "person", "last_name": plain[0], "first_name": plain[1],
                 "middle_name": plain[2], "gender": plain[3], "display_name": plain[4]}  # fmt: skip
        else:
            o = {}
        if genders is not None and (g := genders[k]):
            g = _GENDER.get(g.strip().lower().rstrip("."))
            if g:
                o["gender"] = g
        if in_singles:
            for f, v in zip(single_fields, in_singles, strict=True):
                if v:
                    o[f] = v
        if src := src or source:
            o["source"] = src
        notes: list[str] = []
        if birthday:
            b, problem = birthday_of(birthday) or _birthday(birthday, today)
            if problem is not None:
                o["birthday_raw"] = birthday
                notes.append(
                    _("birthday {value} kept as text: {reason}").format(
                        value=repr(birthday), reason=problem
                    )
                )
            if b is not None:
                o["birth_year"], o["birth_month"], o["birth_day"] = b.year, b.month, b.day
        pp, pe = usual_phones.get(phone), usual_mails.get(email)
        if (pp is not None or not phone) and (pe is not None or not email):
            # never the same key
            points = (pp, pe) if pe is not None and pp is not None else (pp,) if pp is not None \
                else (pe,) if pe is not None else ()  # fmt: skip
            has_valid = bool(points)
        else:
            found, _seen, has_valid = _points(
                [(phone, phone_label)] if phone else (),
                [(email, email_label)] if email else (),
                region,
                phones,
                split,
                mails,
                notes,
                numbers,
            )
            points = tuple(found)
        if "kind" not in o:
            if not points:
                continue  # rejected: the general path words it
            o["kind"] = "person"
        if not o.get("display_name"):
            o["display_name"] = _point_display(points)
        out[i] = (rows[i][0], sheet, raw, o, points, None, (), tuple(notes), has_valid, True,
                  None, (), None)  # fmt: skip
    rest = [i for i, t in enumerate(out) if t is None]
    if rest:
        done = _clean_chunk(mapping, [rows[i] for i in rest], sheet, region, source)
        for i, t in zip(rest, done, strict=True):
            out[i] = t
    return out


def _phone_answers(
    split: dict[str, list[str]], region: str
) -> tuple[dict[str, str], dict[str, Phone]]:
    """The numbers of a chunk's phone cells (cell → parts): those of the usual shape found
    valid a column at a time, with their E.164 form, and every other one normalised."""
    parts = list(dict.fromkeys(part for cell_parts in split.values() for part in cell_parts))
    numbers, rest = {}, []
    for part, number in zip(parts, valid_numbers(parts, region), strict=True):
        if number is None:
            rest.append(part)
        else:
            numbers[part] = number
    return numbers, {part: normalize_phone(part, region) for part in rest}


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
