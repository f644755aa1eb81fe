"""Scoring a pair: evidence a person can read, weighed into one number between 0 and 1.

Each piece of evidence adds or takes away points (roughly: how much likelier the observation is
for one person than for two, on a log scale) and writes one reason. The sum goes through a
logistic curve, ``score = 1 / (1 + exp(BIAS - points))``, so the score reads like a probability:

=========================================================  =================
evidence                                                   points
=========================================================  =================
same phone / same e-mail / same client code                +5.5 / +6 / +6
the same digits of two numbers that did not validate       +4
same number under another country code; last 7 digits      +4 / +1.5
same e-mail name at another provider (with digits / not)   +1.5 / +0.7
same surname (any script); a typo in it; an initial        +2.5 / +1.8 / +0.3
same first name; Саша ≈ Александр; a typo; И. fits Иван    +2 / +1.6 / +1 / +0.4
same patronymic; a typo; an initial that fits              +1.5 / +1 / +0.3
same birthday; the same day and month with a year missing  +4.7 / +2.5
same address; same company; same city                      +2.5 / +1.2 / +0.8
different surnames; different cities                       −2.5 / −0.8
different first names that are not in the tables           −3
different client codes                                     −3
=========================================================  =================

:data:`AUTO_THRESHOLD` (0.9) is reached at 7.5 points, :data:`REVIEW_THRESHOLD` (0.6) at 5.7.
So name agreement alone stays below the automatic threshold: a full ФИО is 6 points and a city
adds 0.8; it takes a birthday (surname + first name or initial + birthday), a city and a company,
or a shared contact with a fitting name to get there.

Some evidence is a *clear mismatch*, and no amount of agreement outweighs it: first names from
the tables that share no full form (Иван / Мария on one family phone), different genders,
different patronymics, different birthdays, a company against a person. A pair with a clear
mismatch scores at most :data:`MISMATCH_CAP`, below review, whatever else it shares, and says
why; the same test (:func:`mismatch`) guards clusters against chains.

A missing part is unknown, never a mismatch: "Иванов Иван" and "Иванов Иван Иванович" are not
told apart by the patronymic. Two persons whose first and last names are swapped are compared
both ways.

Scoring runs for every candidate pair, millions of them in a big base, so the reasons (strings,
phone formatting) are only written for pairs that are kept: the same code runs once quietly for
the points and, for a kept pair, again to explain.
"""

from __future__ import annotations

import math
from functools import lru_cache

from clientbase.dedupe.keys import Features, features
from clientbase.dedupe.names import (
    DIFFERENT,
    INITIAL,
    SAME,
    TYPO,
    VARIANT,
    compare_first,
    compare_part,
    is_typo,
    surname_forms,
    typo_as_typed,
)
from clientbase.dedupe.person import Match, Person
from clientbase.i18n import _

__all__ = [
    "AUTO_THRESHOLD",
    "BIAS",
    "MISMATCH_CAP",
    "REVIEW_THRESHOLD",
    "mismatch",
    "mismatch_between",
    "score_features",
    "score_pair",
]

AUTO_THRESHOLD = 0.9  # merged by `dedupe --yes`
REVIEW_THRESHOLD = 0.6  # proposed for review

# Points at which the score is 0.5.
BIAS = 5.3
# Where a pair with a clear mismatch ends up at most: below review, so it is never proposed.
MISMATCH_CAP = 0.3

W_PHONE = 5.5
W_PHONE10 = 4.0
W_PHONE_DIGITS = 4.0  # the same digits of a number that did not validate (no area code)
W_PHONE7 = 1.5
W_EMAIL = 6.0
W_EMAIL_LOCAL = 1.5  # a local part with digits (ivanov1985): more than the name
W_EMAIL_LOCAL_NAME = 0.7  # a local part of letters only mostly repeats the name
W_EXT = 6.0
W_EXT_DIFF = -3.0
W_SURNAME = 2.5
W_SURNAME_TYPO = 1.8
W_SURNAME_INITIAL = 0.3
W_SURNAME_FORMS = 0.5
W_SURNAME_DIFF = -2.5
W_FIRST = 2.0
W_FIRST_VARIANT = 1.6
W_FIRST_TYPO = 1.0
W_FIRST_INITIAL = 0.4
W_FIRST_DIFF = -3.0
W_FIRST_CLASH = -6.0
W_MIDDLE = 1.5
W_MIDDLE_TYPO = 1.0
W_MIDDLE_INITIAL = 0.3
W_MIDDLE_DIFF = -5.0
W_GENDER_DIFF = -5.0
W_BIRTHDAY = 4.7
W_BIRTHDAY_NO_YEAR = 2.5
W_BIRTH_YEAR = 0.5
W_BIRTHDAY_DIFF = -6.0
W_CITY = 0.8
W_CITY_DIFF = -0.8
W_COMPANY = 1.2
W_COMPANY_TYPO = 0.8
W_COMPANY_DIFF = -0.3
W_ADDRESS = 2.5
W_POSTCODE = 0.3
W_SWAP = -0.3
W_ORG_NAME = 4.0
W_ORG_NAME_TYPO = 3.0
W_ORG_NAME_PART = 2.0
W_ORG_NAME_DIFF = -4.0
W_KIND_DIFF = -4.0


def _show_phone(e164: str) -> str:
    """+79161234567 → "+7 916 123-45-67" for reasons.

    The common shapes (+7, +375, +1) are written here: phonenumbers' formatter costs ~0.3 ms a
    number, as much as scoring a hundred pairs.
    """
    if e164.startswith("+7") and len(e164) == 12:
        d = e164[2:]
        return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"
    if e164.startswith("+375") and len(e164) == 13:
        d = e164[4:]
        return f"+375 {d[:2]} {d[2:5]}-{d[5:7]}-{d[7:]}"
    if e164.startswith("+1") and len(e164) == 12:
        d = e164[2:]
        return f"+1 {d[:3]}-{d[3:6]}-{d[6:]}"
    return _show_other_phone(e164)


@lru_cache(maxsize=1 << 10)
def _show_other_phone(e164: str) -> str:
    import phonenumbers  # its metadata loads in ~0.2 s: only when an explanation shows a phone

    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _bday(f: Features) -> str:
    if f.bm and f.bd:
        return f"{f.by}-{f.bm:02d}-{f.bd:02d}" if f.by else f"--{f.bm:02d}-{f.bd:02d}"
    return str(f.by) if f.by else ""


def _same_or_approx(a: str, b: str) -> str:
    """ "Иванов" for one spelling, "Ivanov ≈ Иванов" for two."""
    return a if a.casefold().replace("ё", "е") == b.casefold().replace("ё", "е") else f"{a} ≈ {b}"


class _Evidence:
    """Points, reasons (only when ``explain``), the first clear mismatch, and whether there was
    any evidence at all."""

    __slots__ = ("any", "clash", "explain", "points", "reasons")

    def __init__(self, explain: bool) -> None:
        self.explain = explain
        self.points = 0.0
        self.reasons: list[str] = []
        self.clash: str | None = None
        self.any = False


# --- the parts --------------------------------------------------------------------------------


def _contacts(f: Features, g: Features, ev: _Evidence) -> None:
    if f.external_id and g.external_id:
        ev.any = True
        if f.external_id == g.external_id:
            ev.points += W_EXT
            if ev.explain:
                ev.reasons.append(_("same client code {id}").format(id=f.external_id))
        else:
            ev.points += W_EXT_DIFF
            if ev.explain:
                ev.reasons.append(
                    _("different client codes {id} / {id2}").format(
                        id=f.external_id, id2=g.external_id
                    )
                )
    if f.phones and g.phones:
        gp = g.phones
        shared = [p for p in f.phones if p in gp]
        if shared:
            ev.any = True
            ev.points += W_PHONE
            if ev.explain:
                ev.reasons.append(
                    _("same phone {value}").format(value=", ".join(map(_show_phone, shared)))
                )
        else:
            _near_phones(f.phones, gp, ev)
    elif (
        (f.loose_phones or g.loose_phones)
        and (f.phones or f.loose_phones)
        and (g.phones or g.loose_phones)
    ):
        shared = [p for p in f.loose_phones if p in g.loose_phones]
        tail = next((t for t in f.phone_tails if t in g.phone_tails), None)
        if shared:
            ev.any = True
            ev.points += W_PHONE_DIGITS
            if ev.explain:
                ev.reasons.append(
                    _("same phone digits {value} (not a full number)").format(
                        value=", ".join(shared)
                    )
                )
        elif tail is not None:
            ev.any = True
            ev.points += W_PHONE7
            if ev.explain:
                ev.reasons.append(
                    _("same last 7 digits {tail} (one number without its code)").format(tail=tail)
                )
    if f.emails and g.emails:
        ge = g.emails
        if any(e in ge for e in f.emails):
            ev.any = True
            ev.points += W_EMAIL
            if ev.explain:
                ev.reasons.append(_("same email {value}").format(value=_shared_emails(f, g)))
        elif f.locals and g.locals:
            local = next((x for x in f.locals if x in g.locals), None)
            if local is not None:
                ev.any = True
                ev.points += (
                    W_EMAIL_LOCAL if any(c.isdigit() for c in local) else (W_EMAIL_LOCAL_NAME)
                )
                if ev.explain:
                    ev.reasons.append(
                        _("same email name {local} at another address").format(local=local)
                    )


def _near_phones(ps: tuple[str, ...], qs: tuple[str, ...], ev: _Evidence) -> None:
    """No phone in common: the same last 10 digits (one number under two country codes), or
    the same last 7 (a city number with another area code)."""
    near = None
    for p in ps:
        for q in qs:
            if len(p) >= 11 and len(q) >= 11 and p[-10:] == q[-10:]:
                ev.any = True
                ev.points += W_PHONE10
                if ev.explain:
                    ev.reasons.append(
                        _("same number {value} under another country code").format(value=p[-10:])
                    )
                return
            if near is None and len(p) >= 8 and len(q) >= 8 and p[-7:] == q[-7:]:
                near = (p, q)
    if near is not None:
        ev.any = True
        ev.points += W_PHONE7
        if ev.explain:
            p, q = near
            ev.reasons.append(
                _("same last 7 digits {value} / {value2}").format(
                    value=_show_phone(p), value2=_show_phone(q)
                )
            )


def _shared_emails(f: Features, g: Features) -> str:
    """ "ivan.petrov@gmail.com = ivanpetrov+shop@gmail.com" when spelled differently."""
    out = []
    for key, raw in zip(f.emails, f.email_raw, strict=False):
        if key not in g.emails:
            continue
        other = next((r for k, r in zip(g.emails, g.email_raw, strict=False) if k == key), raw)
        out.append(raw if other.lower() == raw.lower() else f"{raw} = {other}")
    return ", ".join(out)


def _surname(f: Features, g: Features, ev: _Evidence) -> None:
    a, b = f.last, g.last
    if a == b:
        ev.points += W_SURNAME
        if ev.explain:
            ev.reasons.append(
                _("same surname {value}").format(value=_same_or_approx(f.last_raw, g.last_raw))
            )
        return
    if surname_forms(a, b):
        # One family, two people as a rule; the genders tell them apart.
        ev.points += W_SURNAME_FORMS
        if ev.explain:
            ev.reasons.append(
                _("surnames {raw} / {raw2}: male and female forms").format(
                    raw=f.last_raw, raw2=g.last_raw
                )
            )
        return
    v = compare_part(a, b, f.last_initial, g.last_initial)
    if v == DIFFERENT and not (f.last_initial or g.last_initial):
        if typo_as_typed(f.last_fold, g.last_fold):
            v = TYPO
    if v == SAME:
        ev.points += W_SURNAME
        if ev.explain:
            ev.reasons.append(
                _("same surname {value}").format(value=_same_or_approx(f.last_raw, g.last_raw))
            )
    elif v == TYPO:
        ev.points += W_SURNAME_TYPO
        if ev.explain:
            ev.reasons.append(
                _("surname {raw} ≈ {raw2} (typo)").format(raw=f.last_raw, raw2=g.last_raw)
            )
    elif v == INITIAL:
        ev.points += W_SURNAME_INITIAL
        if ev.explain:
            ev.reasons.append(
                _("surname {raw} fits {raw2}").format(raw=f.last_raw, raw2=g.last_raw)
            )
    else:
        ev.points += W_SURNAME_DIFF
        if ev.explain:
            ev.reasons.append(
                _("different surnames {raw} / {raw2}").format(raw=f.last_raw, raw2=g.last_raw)
            )


def _first(f: Features, g: Features, ev: _Evidence) -> None:
    a, b = f.first, g.first
    assert a is not None and b is not None
    v = SAME if a.key == b.key else compare_first(a, b)
    if v == SAME:
        ev.points += W_FIRST
        if ev.explain:
            ev.reasons.append(
                _("same first name {value}").format(value=_same_or_approx(a.raw, b.raw))
            )
    elif v == VARIANT:
        ev.points += W_FIRST_VARIANT
        if ev.explain:
            ev.reasons.append(_("{raw} ≈ {raw2}").format(raw=a.raw, raw2=b.raw))
    elif v == TYPO:
        ev.points += W_FIRST_TYPO
        if ev.explain:
            ev.reasons.append(_("first name {raw} ≈ {raw2} (typo)").format(raw=a.raw, raw2=b.raw))
    elif v == INITIAL:
        ev.points += W_FIRST_INITIAL
        if ev.explain:
            init, full = (a, b) if a.initial else (b, a)
            ev.reasons.append(_("{raw} fits {raw2}").format(raw=init.raw, raw2=full.raw))
    elif (a.known and b.known) or a.initial or b.initial:
        ev.points += W_FIRST_CLASH
        if ev.clash is None or ev.explain:
            reason = _("different first names {raw} / {raw2}").format(raw=a.raw, raw2=b.raw)
            ev.clash = ev.clash or reason
            if ev.explain:
                ev.reasons.append(reason)
    else:
        ev.points += W_FIRST_DIFF
        if ev.explain:
            ev.reasons.append(
                _("different first names {raw} / {raw2}").format(raw=a.raw, raw2=b.raw)
            )


def _middle(f: Features, g: Features, ev: _Evidence) -> None:
    a, b = f.middle_raw, g.middle_raw
    if f.middle == g.middle:
        v = SAME
    else:
        v = compare_part(f.middle, g.middle, f.middle_initial, g.middle_initial)
        if v == DIFFERENT and not (f.middle_initial or g.middle_initial):
            if typo_as_typed(f.middle_fold, g.middle_fold):
                v = TYPO
    if v == SAME:
        ev.points += W_MIDDLE
        if ev.explain:
            ev.reasons.append(_("same patronymic {value}").format(value=_same_or_approx(a, b)))
    elif v == TYPO:
        ev.points += W_MIDDLE_TYPO
        if ev.explain:
            ev.reasons.append(_("patronymic {value} ≈ {value2} (typo)").format(value=a, value2=b))
    elif v == INITIAL:
        ev.points += W_MIDDLE_INITIAL
        if ev.explain:
            ev.reasons.append(
                _("{value} fits {value2}").format(value=a, value2=b)
                if f.middle_initial
                else _("{value} fits {value2}").format(value=b, value2=a)
            )
    else:
        ev.points += W_MIDDLE_DIFF
        reason = _("different patronymics {value} / {value2}").format(value=a, value2=b)
        ev.clash = ev.clash or reason
        if ev.explain:
            ev.reasons.append(reason)


def _swapped(f: Features, g: Features, explain: bool) -> _Evidence:
    """Name evidence reading g's first name as f's surname and the other way round."""
    ev = _Evidence(explain)
    assert f.first is not None and g.first is not None
    ev.points += W_SWAP
    if explain:
        ev.reasons.append(_("first and last name swapped"))
    if f.last == g.first.key or is_typo(f.last, g.first.key):
        ev.points += W_SURNAME
        if explain:
            ev.reasons.append(
                _("same surname {value}").format(value=_same_or_approx(f.last_raw, g.first.raw))
            )
    else:
        ev.points += W_SURNAME_DIFF
        if explain:
            ev.reasons.append(
                _("different surnames {raw} / {raw2}").format(raw=f.last_raw, raw2=g.first.raw)
            )
    if f.first.key == g.last or is_typo(f.first.key, g.last):
        ev.points += W_FIRST
        if explain:
            ev.reasons.append(
                _("same first name {value}").format(value=_same_or_approx(f.first.raw, g.last_raw))
            )
    else:
        ev.points += W_FIRST_DIFF
        if explain:
            ev.reasons.append(
                _("different first names {raw} / {raw2}").format(raw=f.first.raw, raw2=g.last_raw)
            )
    return ev


def _person_names(f: Features, g: Features, ev: _Evidence) -> None:
    both_first = f.first is not None and g.first is not None
    both_last = bool(f.last and g.last)
    if both_first or both_last:
        ev.any = True
        p0, r0, c0 = ev.points, len(ev.reasons), ev.clash
        if both_last:
            _surname(f, g, ev)
        if both_first:
            _first(f, g, ev)
        straight = ev.points - p0
        if (
            both_first
            and both_last
            and straight < W_SURNAME + W_FIRST
            and f.last != g.last
            and not f.first.initial  # type: ignore[union-attr]
            and not g.first.initial  # type: ignore[union-attr]
        ):
            swapped = _swapped(f, g, ev.explain)
            if swapped.points > straight + 1.0:
                ev.points = p0 + swapped.points
                ev.clash = c0
                if ev.explain:
                    del ev.reasons[r0:]
                    ev.reasons.extend(swapped.reasons)
    if f.middle and g.middle:
        ev.any = True
        _middle(f, g, ev)
    if f.gender and g.gender and f.gender != g.gender:
        ev.any = True
        ev.points += W_GENDER_DIFF
        ev.clash = ev.clash or _("different gender")
        if ev.explain:
            ev.reasons.append(_("different gender"))


def _birthday(f: Features, g: Features, ev: _Evidence) -> None:
    if f.bm and f.bd and g.bm and g.bd:
        ev.any = True
        if f.bm != g.bm or f.bd != g.bd:
            reason = _("different birthdays {value} / {value2}").format(
                value=_bday(f), value2=_bday(g)
            )
        elif f.by and g.by:
            if f.by == g.by:
                ev.points += W_BIRTHDAY
                if ev.explain:
                    ev.reasons.append(_("same birthday {value}").format(value=_bday(f)))
                return
            reason = _("different birth years {by} / {by2}").format(by=f.by, by2=g.by)
        else:
            ev.points += W_BIRTHDAY_NO_YEAR
            if ev.explain:
                ev.reasons.append(
                    _("same birthday {bm:02d}-{bd:02d} (year unknown)").format(bm=f.bm, bd=f.bd)
                )
            return
    elif f.by and g.by:
        ev.any = True
        if f.by == g.by:
            ev.points += W_BIRTH_YEAR
            if ev.explain:
                ev.reasons.append(_("same birth year {by}").format(by=f.by))
            return
        reason = _("different birth years {by} / {by2}").format(by=f.by, by2=g.by)
    else:
        return
    ev.points += W_BIRTHDAY_DIFF
    ev.clash = ev.clash or reason
    if ev.explain:
        ev.reasons.append(reason)


def _places(f: Features, g: Features, ev: _Evidence, company_too: bool) -> None:
    if f.address and g.address:
        if f.address == g.address or f.address_words == g.address_words:
            ev.any = True
            ev.points += W_ADDRESS
            if ev.explain:
                ev.reasons.append(_("same address {address}").format(address=f.address))
        elif f.postcode and f.postcode == g.postcode:
            ev.any = True
            ev.points += W_POSTCODE
            if ev.explain:
                ev.reasons.append(_("same postcode {postcode}").format(postcode=f.postcode))
    if f.city and g.city:
        ev.any = True
        if f.city == g.city:
            ev.points += W_CITY
            if ev.explain:
                ev.reasons.append(
                    _("same city {value}").format(value=_same_or_approx(f.city_raw, g.city_raw))
                )
        else:
            ev.points += W_CITY_DIFF
            if ev.explain:
                ev.reasons.append(
                    _("different cities {raw} / {raw2}").format(raw=f.city_raw, raw2=g.city_raw)
                )
    if company_too and f.company and g.company:
        ev.any = True
        if f.company == g.company:
            ev.points += W_COMPANY
            if ev.explain:
                shown = _same_or_approx(f.company_raw, g.company_raw)
                ev.reasons.append(_("same company {shown}").format(shown=shown))
        elif is_typo(f.company, g.company):
            ev.points += W_COMPANY_TYPO
            if ev.explain:
                ev.reasons.append(
                    _("company {raw} ≈ {raw2}").format(raw=f.company_raw, raw2=g.company_raw)
                )
        else:
            ev.points += W_COMPANY_DIFF
            if ev.explain:
                ev.reasons.append(
                    _("different companies {raw} / {raw2}").format(
                        raw=f.company_raw, raw2=g.company_raw
                    )
                )


def _org_names(f: Features, g: Features, ev: _Evidence) -> None:
    a, b = f.company_core, g.company_core
    if not a or not b:
        return
    ev.any = True
    shown = f"{f.company_raw} ≈ {g.company_raw}"
    if a == b:
        ev.points += W_ORG_NAME
        if ev.explain:
            ev.reasons.append(
                _("same company name {value}").format(
                    value=_same_or_approx(f.company_raw, g.company_raw)
                )
            )
    elif is_typo(a, b):
        ev.points += W_ORG_NAME_TYPO
        if ev.explain:
            ev.reasons.append(_("company name {shown} (typo)").format(shown=shown))
    elif set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split()):
        ev.points += W_ORG_NAME_PART
        if ev.explain:
            ev.reasons.append(_("company name {shown}").format(shown=shown))
    else:
        ev.points += W_ORG_NAME_DIFF
        reason = _("different companies {raw} / {raw2}").format(
            raw=f.company_raw, raw2=g.company_raw
        )
        ev.clash = ev.clash or reason
        if ev.explain:
            ev.reasons.append(reason)


def _person_words(f: Features) -> set[str]:
    parts = (f.last, f.first.key if f.first is not None else "", f.middle)
    return {w for p in parts if p for w in p.split()}


def _kinds(f: Features, g: Features, ev: _Evidence) -> None:
    """A company record against a person: the same only when the company is a sole trader
    named after the person ("ИП Петров Иван Иванович")."""
    org, person = (f, g) if f.kind == "company" else (g, f)
    ev.any = True
    words = _person_words(person)
    if words and org.company and set(org.company.split()) == words:
        ev.points += W_SURNAME + W_FIRST
        if ev.explain:
            ev.reasons.append(_("{raw} is {name}").format(raw=org.company_raw, name=person.name))
    else:
        ev.points += W_KIND_DIFF
        reason = _("a company and a person: {name} / {name2}").format(
            name=org.name, name2=person.name
        )
        ev.clash = ev.clash or reason
        if ev.explain:
            ev.reasons.append(reason)


# --- the score --------------------------------------------------------------------------------


def _evidence(f: Features, g: Features, explain: bool) -> _Evidence:
    ev = _Evidence(explain)
    _contacts(f, g, ev)
    if f.kind == "company" and g.kind == "company":
        _org_names(f, g, ev)
        _places(f, g, ev, company_too=False)
        return ev
    if f.kind != g.kind:
        _kinds(f, g, ev)
    else:
        _person_names(f, g, ev)
        _birthday(f, g, ev)
    _places(f, g, ev, company_too=True)
    return ev


def _score(ev: _Evidence) -> float:
    points = ev.points
    score = 1.0 / (1.0 + math.exp(BIAS - points)) if points > -30 else 0.0
    if ev.clash is not None and score > MISMATCH_CAP:
        score = MISMATCH_CAP
    return round(score, 4)


def score_features(f: Features, g: Features, min_score: float = 0.0) -> Match | None:
    """:func:`score_pair` on prepared people. Below ``min_score`` the pair is not explained and
    None comes back (what find_matches wants)."""
    ev = _evidence(f, g, False)
    if not ev.any:
        return None
    score = _score(ev)
    if score < min_score:
        return None
    reasons = _evidence(f, g, True).reasons
    a, b = (f.id, g.id) if f.id <= g.id else (g.id, f.id)
    return Match(a, b, score, reasons)


def score_pair(p: Person, q: Person) -> Match | None:
    """How likely p and q are one customer, with the reasons; None when nothing links or
    separates them (no shared or comparable field at all)."""
    return score_features(features(p), features(q))


def mismatch(f: Features, g: Features) -> str | None:
    """The clear mismatch between two prepared people (the reason), or None.

    This is the guard used when clusters grow: two members with a clear mismatch never end up
    in one cluster, whatever chain of matches connects them.
    """
    return _evidence(f, g, False).clash


def mismatch_between(p: Person, q: Person) -> str | None:
    """:func:`mismatch` for two Person objects: why p and q cannot be one customer (different
    first names, genders, patronymics or birthdays, a company against a person), or None.

    Meant for a quick guard where records are folded on a shared phone or e-mail, such as an
    import: it sees the patronymic and the birthday, which a first-name check alone misses
    (a father and a son of one first name on a family phone).
    """
    return _evidence(features(p), features(q), False).clash
