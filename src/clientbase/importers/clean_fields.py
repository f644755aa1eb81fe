"""The cleaning of single fields, shared by the two ways a chunk of contact rows is cleaned:
a record at a time (``clean``) and a column at a time (``clean_table``). Plain functions of their
input (and of per-process caches of answers that repeat), kept in one place so both paths give
the same answer by construction."""

from __future__ import annotations

import re
from datetime import date

from clientbase.i18n import _, language
from clientbase.normalize.dates import birthday_ymd, parse_birthday
from clientbase.normalize.emails import normalize_email, split_emails
from clientbase.normalize.emails import reason_text as email_reason
from clientbase.normalize.phone_batch import valid_numbers
from clientbase.normalize.phones import Phone, normalize_phone, split_phones
from clientbase.normalize.phones import reason_text as phone_reason

GENDER = {"м": "m", "муж": "m", "мужской": "m", "m": "m", "male": "m", "ж": "f", "жен": "f",
          "женский": "f", "f": "f", "female": "f"}  # fmt: skip
SUMMARY_ROW = re.compile(r"^(итого|всего|total|итог)\b", re.IGNORECASE)
SINGLE_FIELDS = ("position", "city", "address", "postcode", "manager", "external_id", "note")


def point_key(kind: str, value: str | None, raw: str) -> tuple[str, str]:
    """A point's identity within the base: an invalid value is known by its raw text."""
    return (kind, value if value is not None else "raw:" + raw)


def contact_points(
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
    ``numbers``: the chunk's answers found a column at a time (see ``clean._clean``)."""
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
            key = point_key("phone", value, part)
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
            key = point_key("email", value, part)
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


def phone_answers(
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


# Birthdays repeat (a few tens of thousands of days, a handful of ways to write each): parsed
# once per worker. The answers hold for one day and language (today bounds the future and reads
# 2-digit years; the reason is in the current language), which BIRTHDAYS_AS_OF says. Bounded:
# emptied when full, which a real list rarely makes it.
BIRTHDAYS: dict[str, tuple] = {}
BIRTHDAY_DAYS: dict[tuple[int, int, int], tuple] = {}  # by (year, month, day), see birthday_ymd
BIRTHDAYS_AS_OF: list[tuple[date, str] | None] = [None]
BIRTHDAYS_MAX = 1 << 17


def birthdays_as_of(today: date | None) -> tuple[date, str]:
    """The day and language the cached birthdays are for: these, emptied if they were not."""
    as_of = (today or date.today(), language())
    if as_of != BIRTHDAYS_AS_OF[0]:
        BIRTHDAYS.clear()
        BIRTHDAYS_AS_OF[0] = as_of
        BIRTHDAY_DAYS.clear()
    return as_of


def read_birthday(text: str, today: date | None = None) -> tuple:
    """(the parsed birthday or None, why it is not a date or None)."""
    as_of = birthdays_as_of(today)
    hit = BIRTHDAYS.get(text)
    if hit is None:
        # A day is written several ways ("01.02.1985", "1.2.1985", "1985-02-01"): read once.
        ymd = birthday_ymd(text)
        if ymd is not None:
            hit = BIRTHDAY_DAYS.get(ymd)
        if hit is None:
            try:
                hit = (parse_birthday(text, today=as_of[0]), None)
            except ValueError as exc:
                hit = (None, str(exc))
            if ymd is not None:
                if len(BIRTHDAY_DAYS) >= BIRTHDAYS_MAX:
                    BIRTHDAY_DAYS.clear()
                BIRTHDAY_DAYS[ymd] = hit
        if len(BIRTHDAYS) >= BIRTHDAYS_MAX:
            BIRTHDAYS.clear()
        BIRTHDAYS[text] = hit
    return hit


def point_display(points: list[tuple]) -> str:
    for p in points:  # plain points: (kind, raw, value, valid, …)
        if p[3] and p[2]:
            return p[2]
    return points[0][1] if points else ""
