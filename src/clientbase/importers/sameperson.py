"""Could two records be one person? What a shared phone, email or client code cannot overrule.

Used by the contact import when a row meets a customer by a key: a different first name,
birthday, patronymic, gender or surname means two people on one family or office line, not one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from clientbase.normalize.dates import birthday_digits
from clientbase.normalize.name_fold import fold
from clientbase.normalize.name_match import (
    DIFFERENT,
    company_names_differ,
    compare_part,
    is_initial,
    latin,
    surname_forms,
    typo_as_typed,
)
from clientbase.normalize.names import first_names_compatible


def name_weight(fields: dict) -> int:
    # A full word counts more than an initial, so "Иванов Иван Иванович" beats "Иванов И. И."
    w = 0
    for k in ("last_name", "first_name", "middle_name"):
        v = fields.get(k)
        if v:
            w += 1 if len(v.rstrip(".")) <= 1 else 2
    return w


def codes_differ(a: dict, b: dict) -> bool:
    """Two client codes that differ: namesakes in the same system, not one person."""
    return bool(
        a.get("external_id") and b.get("external_id") and a["external_id"] != b["external_id"]
    )


def birthday_parts(f: dict) -> tuple[tuple, bool]:
    """Year, month and day of a record, and whether they are the digits of a date that cannot
    be ("31.04.1990", "1964-11-71": a typo'd digit still tells them from 1962-11-26)."""
    if f.get("birth_month"):
        return (f.get("birth_year"), f["birth_month"], f.get("birth_day")), False
    written = birthday_digits(f.get("birthday_raw"))
    return (written, True) if written else ((None, None, None), False)


def birthdays_differ(a: dict, b: dict) -> bool:
    """Two known birthdays that disagree: namesakes, not one person. A date that cannot be
    disagrees only when more than one digit differs: "31.04.1990" is 30.04.1990 mistyped."""
    ((ay, am, ad), a_typed), ((by, bm, bd), b_typed) = birthday_parts(a), birthday_parts(b)
    if not (am and bm):
        return False
    if (a_typed or b_typed) and ay and by:
        x, y = f"{ay:04d}{am:02d}{ad or 0:02d}", f"{by:04d}{bm:02d}{bd or 0:02d}"
        return len(x) != len(y) or sum(c != d for c, d in zip(x, y, strict=True)) > 1
    if (am, ad) != (bm, bd):
        return True
    return bool(ay and by and ay != by)


def plain_patronymic(written: str) -> str:
    """A patronymic as ``patronymics_differ`` compares it: lower case, ё as е, no final dot."""
    return written.rstrip(".").lower().replace("ё", "е")


def patronymics_differ(a: dict, b: dict) -> bool:
    """Two written-out patronymics that disagree (Иванович / Петрович): a father and a son on
    one number, not one person. An initial fits any patronymic with that letter."""
    x, y = a.get("middle_name"), b.get("middle_name")
    if not (x and y):
        return False
    x, y = plain_patronymic(x), plain_patronymic(y)
    if not (x and y):
        return False  # nothing but dots
    if len(x) == 1 or len(y) == 1:
        return x[0] != y[0]
    return x != y


def surnames_differ(a: dict, b: dict) -> bool:
    """Two written-out surnames that are not one (Иванов / Петров): colleagues on an office
    number, not one person. One surname's male and female forms (Иванов / Иванова), a typo, a
    shortened one ("И.", "Ив.") or a double-barrelled name that holds the other do not differ."""
    x, y = a.get("last_name"), b.get("last_name")
    return bool(x and y and x != y) and _written_surnames_differ(x, y)


# Asked for every customer a row meets on a shared number, often the same pair again.
@lru_cache(maxsize=1 << 16)
def _written_surnames_differ(x: str, y: str) -> bool:
    if "." in x or "." in y or is_initial(x) or is_initial(y):
        return False  # shortened: not written out
    lx, ly = latin(x), latin(y)
    return (
        lx != ly
        and not surname_forms(lx, ly)
        and compare_part(lx, ly) == DIFFERENT
        and not typo_as_typed(fold(x), fold(y))
    )


def genders_differ(a: dict, b: dict) -> bool:
    return bool(a.get("gender") and b.get("gender") and a["gender"] != b["gender"])


def organisations_differ(a: dict, b: dict) -> bool:
    """Two organisations of clearly different names: businesses of one building or hotel share
    its switchboard number."""
    return (
        a.get("kind") == "company"
        and b.get("kind") == "company"
        and company_names_differ(a.get("company"), b.get("company"))
    )


def same_person_possible(a: dict, b: dict) -> bool:
    """What a shared phone or email cannot overrule: a different first name, birthday,
    patronymic or gender means two people on one family or office line or mailbox, and so
    does a different surname (colleagues on an office number: a CRM export's "work phone"
    column); a different name, two organisations on one switchboard. A woman whose surname
    changed with marriage is therefore a customer of her own under the new one, for dedupe
    to propose: a wrong fold would join two people with nothing to show for it."""
    return (
        not organisations_differ(a, b)
        and first_names_compatible(a.get("first_name"), b.get("first_name"))
        and not birthdays_differ(a, b)
        and not patronymics_differ(a, b)
        and not genders_differ(a, b)
        and not surnames_differ(a, b)
    )


# How many more customers of one key are looked at for a second fit: a family phone has a
# handful; an office number with hundreds of customers is not scanned whole for every row.
_SECOND_FIT_SCAN = 16


def fold_target(candidates: Sequence[dict], row: dict) -> int | None:
    """Which of the customers met on one phone or e-mail (their fields, in the order the index
    gives them) a row may be folded into: the index of the first that may be the same person.

    None when none may, and also when the row fits two of them that are clearly two people
    themselves: "Иванов Иван" with neither patronymic nor birthday, on the home phone of Иван
    Петрович and of his son Иван Иванович. Folding would pick one of them by the order of the
    file; the row becomes a customer of its own instead, for dedupe to weigh and a person to
    decide.
    """
    return fold_target_among(enumerate(candidates), row)


def fold_target_among(places: Iterable[tuple[int, dict]], row: dict) -> int | None:
    """``fold_target`` over (index, fields) pairs in increasing index: all the customers, or
    only those a row may be by what tells people apart (``fitgroups.FitGroups``). A customer
    the row cannot be is passed over without a trace, so both give the same answer."""
    first = first_fields = None
    limit = 0
    for k, fields in places:
        if not same_person_possible(fields, row):
            continue
        if first is None:
            first, first_fields = k, fields
            limit = k + 1 + _SECOND_FIT_SCAN
        elif not same_person_possible(first_fields, fields):
            return None
        if k + 1 >= limit:
            break
    return first


def _written_out(v: str | None) -> bool:
    return bool(v) and len(v.rstrip(".")) > 1


def full_name(fields: dict) -> bool:
    """Surname, first name and patronymic, each written out: specific enough for a row that
    has nothing but a name to join the one customer of that name."""
    return all(_written_out(fields.get(k)) for k in ("last_name", "first_name", "middle_name"))


def name_fits(cust: dict, row: dict) -> bool:
    """A customer of the row's very name that may be the same person: no different client
    code, first name, patronymic, birthday, gender or company says otherwise."""
    company = row.get("company")
    return (
        not codes_differ(cust, row)
        and (not company or company == cust.get("company"))
        and same_person_possible(cust, row)
    )


def name_only_target(
    candidates: Sequence[tuple[dict, bool]], row: dict, *, unreadable_contact: bool = False
) -> int | None:
    """Which customer of the same name a row whose only evidence is its name (no phone or
    e-mail to match on, perhaps a client code the base does not know) joins: the index of the
    one live customer that fits it, or None.

    ``candidates`` are the live customers of that name, each with whether it is the same card
    read again (no phone or e-mail either, and every contact the row gives already on it).
    The fitting customer is joined when it is that card (reading a list twice must not double
    the people on it without a phone) or when the name is a full one (surname, first name and
    patronymic written out: a 1C counterparty, a CRM's ФИО). Names alone are weak evidence
    (most pairs of customers that agree on nothing but names and a city are two people), so a
    shorter name, or a name that fits two customers, joins neither: the row becomes a customer
    of its own for dedupe to propose and a person to decide, never one of them by id order.

    ``unreadable_contact``: the row gives a phone or e-mail that could not be read (`нет`,
    `???`, a number too short). Such a row is not known by its name alone: its person has a
    contact the base cannot compare, so a full name does not join it to a customer who has
    other contacts (on a million generated rows that join put 687 rows into a namesake, at
    least 607 of them another person); only the same card read again takes it.
    """
    fits = [k for k, (fields, _same) in enumerate(candidates) if name_fits(fields, row)]
    if len(fits) != 1:
        return None
    k = fits[0]
    same_card = candidates[k][1]
    return k if same_card or (full_name(row) and not unreadable_contact) else None
