"""Comparison levels: how two prepared people compare, field by field, as small integers.

The probabilistic model (:mod:`.model`) learns how often each level occurs among true pairs
(m) and among unrelated people (u); this module only says which level a pair is at, and in
words what it saw. Level 0 of every field means "not comparable" (missing on one side): it
weighs nothing either way, so a missing part is unknown, never a mismatch.

The levels keep the Russian-aware name comparisons of :mod:`.names` (ё/е, transliteration,
diminutives, initials, a patronymic unknown against a different one, first and last name
swapped) and add the fuzzy ones real lists need: Jaro-Winkler on names, cities and company
names, birthdays one digit off or with day and month swapped, e-mail local parts, phones that
did not validate compared by their digits and last seven digits, addresses and company names
compared after their street types, legal forms and branch words are made uniform.

:func:`compare` runs for every candidate pair (millions in a big base), so it returns a tuple
of ints and writes nothing; :func:`describe` turns one field's level into a phrase, only for
the pairs that are kept.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from clientbase.dedupe.keys import Features, email_local
from clientbase.dedupe.names import (
    INITIAL,
    SAME,
    TYPO,
    VARIANT,
    compare_first,
    compare_part,
    is_typo,
    typo_as_typed,
)
from clientbase.i18n import N_, _, language
from clientbase.normalize.name_match import company_names_differ, surname_forms

__all__ = [
    "FIELDS", "LEVELS", "N_FIELDS", "compare", "describe", "phrase", "read_swapped",
    "swapped_names",
]  # fmt: skip

# Field order in a comparison vector, and the levels of each (index = level; 0 = no evidence).
LEVELS: dict[str, tuple[str, ...]] = {
    "phone": ("missing", "same", "same 10 digits", "same digits", "same last 7",
              "different"),
    "email": ("missing", "same", "same name part", "same name part, letters only", "similar",
              "different"),
    "client code": ("missing", "same", "one character off", "different"),
    "surname": ("missing", "same", "typo", "similar", "initial", "male/female forms",
                "different"),
    "first name": ("missing", "same", "variant", "typo", "similar", "initial", "different",
                   "clash"),
    "patronymic": ("missing", "same", "typo", "initial", "different"),
    "gender": ("missing", "same", "different"),
    "birthday": ("missing", "same", "same day and month", "day and month swapped",
                 "one digit off", "same year", "different", "one part different"),
    "city": ("missing", "same", "similar", "different"),
    "address": ("missing", "same", "similar", "different"),
    "postcode": ("missing", "same", "one digit off", "different"),
    "company": ("missing", "same", "similar", "different"),
    "organisation": ("missing", "same", "similar", "one name inside the other", "different",
                     "nothing in common"),
    "kind": ("same kind", "sole trader named after the person", "company and person"),
}  # fmt: skip
FIELDS: tuple[str, ...] = tuple(LEVELS)
N_FIELDS = len(FIELDS)
(PHONE, EMAIL, EXT, SURNAME, FIRST, MIDDLE, GENDER, BIRTHDAY, CITY, ADDRESS, POSTCODE, COMPANY,
 ORG, KIND) = range(N_FIELDS)  # fmt: skip

# Jaro-Winkler similarity from which two spellings count as "similar".
JW_NAME = 0.88
JW_PLACE = 0.90


# --- contacts ---------------------------------------------------------------------------------


def _phone(f: Features, g: Features) -> int:
    fp, gp = f.phones, g.phones
    fl, gl = f.loose_phones, g.loose_phones
    if not (fp or fl) or not (gp or gl):
        return 0
    if fp and gp:
        for p in fp:
            if p in gp:
                return 1
        for p in fp:
            for q in gp:
                if len(p) >= 11 and len(q) >= 11 and p[-10:] == q[-10:]:
                    return 2
    if fl and gl:
        for p in fl:
            if p in gl:
                return 3
    # A local number written without its area code is the whole of the other's last digits.
    if fl or gl:
        for loose, other in ((fl, (*gp, *gl)), (gl, (*fp, *fl))):
            for p in loose:
                if len(p) <= 8:
                    for q in other:
                        if len(q) > len(p) and q.endswith(p):
                            return 3
    fs = f.phone_tails
    for t in g.phone_tails:
        if t in fs:
            return 4
    return 5


def _email(f: Features, g: Features) -> int:
    fe, ge = f.emails, g.emails
    if not fe or not ge:
        return 0
    for e in fe:
        if e in ge:
            return 1
    if f.locals and g.locals:
        for x in f.locals:
            if x in g.locals:
                # Letters only ("ivanpetrov") mostly repeat the name: a level of its own.
                return 3 if x.isalpha() else 2
    for e in fe:
        for x in ge:
            if OSA.distance(e, x, score_cutoff=1) <= 1:
                return 4
            le, lx = e.partition("@")[0], x.partition("@")[0]
            if len(le) >= 5 and len(lx) >= 5 and OSA.distance(le, lx, score_cutoff=1) <= 1:
                return 4
    return 5


def _ext(f: Features, g: Features) -> int:
    a, b = f.external_id, g.external_id
    if not a or not b:
        return 0
    if a == b:
        return 1
    if len(a) >= 4 and OSA.distance(a, b, score_cutoff=1) <= 1:
        return 2
    return 3


# --- names ------------------------------------------------------------------------------------


def _surname_level(f: Features, g: Features, a: str, b: str, a_fold: str, b_fold: str) -> int:
    if a == b:
        return 1
    if a[:2] == b[:2] and surname_forms(a, b):  # the cheap test first: this runs for every pair
        return 5
    v = compare_part(a, b, f.last_initial, g.last_initial)
    if v == SAME:
        return 1
    if v == INITIAL:
        return 4
    if v == TYPO:
        return 2
    if f.last_initial or g.last_initial:
        return 6
    if typo_as_typed(a_fold, b_fold):
        return 2
    if JaroWinkler.similarity(a, b) >= JW_NAME:
        return 3
    return 6


_FIRST_LEVEL = {SAME: 1, VARIANT: 2, TYPO: 3, INITIAL: 5}


def _first_level(a, b) -> int:
    if a.key == b.key:
        # Two equal initials say less than two equal names.
        return 5 if a.initial and b.initial else 1
    v = compare_first(a, b)
    lvl = _FIRST_LEVEL.get(v)
    if lvl is not None:
        return lvl
    if (a.known and b.known) or a.initial or b.initial:
        return 7
    if JaroWinkler.similarity(a.key, b.key) >= JW_NAME:
        return 4
    return 6


def _names(f: Features, g: Features) -> tuple[int, int, bool]:
    """(surname level, first-name level, read swapped)."""
    s = _surname_level(f, g, f.last, g.last, f.last_fold, g.last_fold) if f.last and g.last else 0
    fa, ga = f.first, g.first
    n = _first_level(fa, ga) if fa is not None and ga is not None else 0
    if s in (0, 1) or n in (0, 1, 2) or fa is None or ga is None:
        return s, n, False
    if fa.initial or ga.initial:
        return s, n, False
    sw = swapped_names(f, g)
    if sw is not None:
        return sw[0], sw[1], True
    return s, n, False


def swapped_names(f: Features, g: Features) -> tuple[int, int] | None:
    """Levels reading g's first name as f's surname and the other way round, when that fits
    better than the straight reading ("Иван Петров" / "Петров Иван" typed into one field)."""
    fa, ga = f.first, g.first
    if fa is None or ga is None or not f.last or not g.last:
        return None
    s = 1 if f.last == ga.key else 2 if is_typo(f.last, ga.key) else 0
    if not s:
        return None
    n = 1 if fa.key == g.last else 3 if is_typo(fa.key, g.last) else 0
    return (s, n) if n else None


def _middle(f: Features, g: Features) -> int:
    if not f.middle or not g.middle:
        return 0
    if f.middle == g.middle:
        return 3 if f.middle_initial and g.middle_initial else 1
    v = compare_part(f.middle, g.middle, f.middle_initial, g.middle_initial)
    if v == SAME:
        return 1
    if v == INITIAL:
        return 3
    if v == TYPO:
        return 2
    if not (f.middle_initial or g.middle_initial) and typo_as_typed(f.middle_fold, g.middle_fold):
        return 2
    return 4


# --- dates, places, companies -----------------------------------------------------------------


def _one_digit_off(a: str, b: str) -> bool:
    """Two strings of digits of one length that differ in one place or by two neighbours
    swapped ("19850312" / "19850321")."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and (a[diff[1]] == b[diff[0]])
    )


def _birthday(f: Features, g: Features) -> int:
    fy, fm, fd, gy, gm, gd = f.by, f.bm, f.bd, g.by, g.bm, g.bd
    f_dm, g_dm = bool(fm and fd), bool(gm and gd)
    if f_dm and g_dm:
        if fy and gy:
            if fy == gy and fm == gm and fd == gd:
                return 1
            if fy == gy and fm == gd and fd == gm:
                return 3
            if _one_digit_off(f"{fy:04d}{fm:02d}{fd:02d}", f"{gy:04d}{gm:02d}{gd:02d}"):
                return 4
            # Two of year, month and day the same: one part typed wrong as a whole ("03-02"
            # for "03-17"); a father and a son of one name rarely share two of them.
            return 7 if (fy == gy) + (fm == gm) + (fd == gd) == 2 else 6
        if fm == gm and fd == gd:
            return 2
        if fm == gd and fd == gm:
            return 3
        return 6
    if fy and gy:
        if fy == gy:
            return 5
        return 4 if _one_digit_off(str(fy), str(gy)) else 6
    return 0


def _city(f: Features, g: Features) -> int:
    if not f.city or not g.city:
        return 0
    if f.city == g.city:
        return 1
    if JaroWinkler.similarity(f.city, g.city) >= JW_PLACE:
        return 2
    return 3


def _address(f: Features, g: Features) -> int:
    a, b = f.address, g.address
    if not a or not b:
        return 0
    if a == b:
        return 1
    if f.address_words == g.address_words:
        return 1
    # The same house on a street spelled alike, whatever else one of them adds (the city, an
    # office) or mistypes.
    if f.address_numbers and g.address_numbers and f.address_numbers[0] == g.address_numbers[0]:
        for x in f.address_names:
            for y in g.address_names:
                if x == y or JaroWinkler.similarity(x, y) >= JW_PLACE:
                    return 2
    elif JaroWinkler.similarity(a, b) >= 0.95:
        return 2
    return 3


def _postcode(f: Features, g: Features) -> int:
    a, b = f.postcode, g.postcode
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if _one_digit_off(a, b) else 3


def _company(f: Features, g: Features) -> int:
    a, b = f.company_core, g.company_core
    if not a or not b:
        return 0
    if a == b:
        return 1
    if is_typo(a, b) or JaroWinkler.similarity(a, b) >= JW_PLACE:
        return 2
    return 3


def _org(f: Features, g: Features) -> int:
    a, b = f.company_core, g.company_core
    if not a or not b:
        return 0
    if a == b:
        return 1
    if is_typo(a, b) or JaroWinkler.similarity(a, b) >= JW_PLACE:
        return 2
    wa, wb = f.company_words, g.company_words
    if wa and wb and (wa <= wb or wb <= wa):
        return 3
    # No word of one fits a word of the other: two businesses of one building or hotel, which
    # share its address and often its switchboard number.
    return 5 if company_names_differ(a, b) else 4


def _kind(f: Features, g: Features) -> int:
    """A company against a person is the same only as a sole trader named after the person
    ("ИП Петров Иван Иванович")."""
    org, person = (f, g) if f.kind == "company" else (g, f)
    parts = (person.last, person.first.key if person.first is not None else "", person.middle)
    words = {w for p in parts if p for w in p.split()}
    if words and org.company and set(org.company.split()) == words:
        return 1
    return 2


# --- the vector -------------------------------------------------------------------------------


def compare(f: Features, g: Features) -> tuple[int, ...]:
    """The comparison vector of a pair: one level per field of :data:`FIELDS`."""
    phone = _phone(f, g)
    email = _email(f, g)
    ext = _ext(f, g)
    city = _city(f, g)
    address = _address(f, g)
    postcode = _postcode(f, g)
    if f.kind == "company" and g.kind == "company":
        return (phone, email, ext, 0, 0, 0, 0, 0, city, address, postcode, 0, _org(f, g), 0)
    if f.kind != g.kind:
        return (phone, email, ext, 0, 0, 0, 0, 0, city, address, postcode, 0, 0, _kind(f, g))
    s, n, _sw = _names(f, g)
    gender = (1 if f.gender == g.gender else 2) if f.gender and g.gender else 0
    return (phone, email, ext, s, n, _middle(f, g), gender, _birthday(f, g), city, address,
            postcode, _company(f, g), 0, 0)  # fmt: skip


# --- words ------------------------------------------------------------------------------------


def _show_phone(e164: str) -> str:
    if e164.startswith("+7") and len(e164) == 12:
        d = e164[2:]
        return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"
    if e164.startswith("+1") and len(e164) == 12:
        d = e164[2:]
        return f"+1 {d[:3]}-{d[3:6]}-{d[6:]}"
    return e164


def _same_or_approx(a: str, b: str) -> str:
    return a if a.casefold().replace("ё", "е") == b.casefold().replace("ё", "е") else f"{a} ≈ {b}"


def _pair(a: str, b: str, level: int) -> str:
    return _same_or_approx(a, b) if level == 1 else f"{a} / {b}"


def _bday(f: Features) -> str:
    if f.bm and f.bd:
        return f"{f.by}-{f.bm:02d}-{f.bd:02d}" if f.by else f"--{f.bm:02d}-{f.bd:02d}"
    return str(f.by) if f.by else "?"


def _phones_shown(f: Features, g: Features, level: int) -> str:
    if level == 1:
        return ", ".join(_show_phone(p) for p in f.phones if p in g.phones)
    if level == 3:
        return ", ".join(p for p in f.loose_phones if p in g.loose_phones)
    fa = (*f.phones, *f.loose_phones)
    ga = (*g.phones, *g.loose_phones)
    a = fa[0] if fa else ""
    b = ga[0] if ga else ""
    if level in (2, 4):
        n = 10 if level == 2 else 7
        for p in fa:
            for q in ga:
                if len(p) >= n and len(q) >= n and p[-n:] == q[-n:]:
                    return f"{_show_phone(p)} / {_show_phone(q)}"
    return f"{_show_phone(a)} / {_show_phone(b)}"


def _emails_shown(f: Features, g: Features, level: int) -> str:
    """The two addresses that gave ``level`` (a customer may have several): the pair with the
    same name part, or the pair one edit apart, as ``_email`` found them."""
    pairs = list(zip(f.emails, f.email_raw, strict=False))
    other = list(zip(g.emails, g.email_raw, strict=False))
    for e, raw in pairs:
        for x, xraw in other:
            if level in (2, 3):
                local = email_local(e)
                if local and local == email_local(x):
                    return f"{raw} / {xraw}"
            elif level == 4:
                le, lx = e.partition("@")[0], x.partition("@")[0]
                if OSA.distance(e, x, score_cutoff=1) <= 1 or (
                    len(le) >= 5 and len(lx) >= 5 and OSA.distance(le, lx, score_cutoff=1) <= 1
                ):
                    return f"{raw} / {xraw}"
    return f"{f.email_raw[0]} / {g.email_raw[0]}"


# The words of the explanations. The keys stay English identifiers (the model, its stored labels
# and the JSON output use them); people read these, in the language of the command.
FIELD_WORDS = {
    "phone": N_("phone"),
    "email": N_("email"),
    "client code": N_("client code"),
    "surname": N_("surname"),
    "first name": N_("first name"),
    "patronymic": N_("patronymic"),
    "gender": N_("gender"),
    "birthday": N_("birthday"),
    "city": N_("city"),
    "address": N_("address"),
    "postcode": N_("postcode"),
    "company": N_("company"),
    "organisation": N_("organisation"),
}
LEVEL_WORDS = {
    "missing": N_("missing"),
    "same": N_("same"),
    "same 10 digits": N_("same 10 digits"),
    "same digits": N_("same digits"),
    "same last 7": N_("same last 7"),
    "different": N_("different"),
    "same name part": N_("same name part"),
    "same name part, letters only": N_("same name part, letters only"),
    "similar": N_("similar"),
    "one character off": N_("one character off"),
    "typo": N_("typo"),
    "initial": N_("initial"),
    "male/female forms": N_("male/female forms"),
    "variant": N_("variant"),
    "clash": N_("clash"),
    "same day and month": N_("same day and month"),
    "day and month swapped": N_("day and month swapped"),
    "one digit off": N_("one digit off"),
    "one part different": N_("one part different"),
    "same year": N_("same year"),
    "one name inside the other": N_("one name inside the other"),
    "nothing in common": N_("nothing in common"),
    "same kind": N_("same kind"),
    "sole trader named after the person": N_("sole trader named after the person"),
    "company and person": N_("company and person"),
}


def read_swapped(f: Features, g: Features) -> bool:
    """The pair's names were compared with first and last name swapped (see :func:`_names`)."""
    return swapped_names(f, g) is not None and _names(f, g)[2]


def describe(f: Features, g: Features, field: int, level: int, swapped: bool | None = None) -> str:
    """One field's level in words: "surname typo: Смирнова / Smirnowa", "birthday one digit off:
    1985-03-12 / 1985-03-21", "city missing". ``swapped``: :func:`read_swapped` of the pair,
    when the caller knows it."""
    if swapped is None:
        swapped = field in (SURNAME, FIRST) and read_swapped(f, g)
    return phrase(language(), f, g, field, level, swapped)


# The forms of a phrase: the template each takes (see :func:`_frame`).
_PLAIN, _VALUES, _SWAPPED, _SAME_EMAIL, _KINDS = range(5)
_TEMPLATES = {
    _PLAIN: N_("{field} {level}"),
    _VALUES: N_("{field} {level}: {values}"),
    _SWAPPED: N_("{field} {level} {values} (first and last name swapped)"),
    _SAME_EMAIL: N_("same email {values}"),
    _KINDS: N_("{level}: {values}"),
}


def phrase(lang: str, f: Features, g: Features, field: int, level: int, swapped: bool) -> str:
    """:func:`describe` for a caller that knows the language and whether the names were read
    swapped (``swapped`` matters only for the surname and the first name)."""
    if field == KIND:
        head, tail = _frame(lang, field, level, _KINDS)
        return f"{head}{f.name} / {g.name}{tail}"
    if level == 0 or field == GENDER:
        return _frame(lang, field, level, _PLAIN)[0]
    if field == EMAIL and level == 1:
        shared = [r for k, r in zip(f.emails, f.email_raw, strict=False) if k in g.emails]
        head, tail = _frame(lang, field, level, _SAME_EMAIL)
        return f"{head}{', '.join(shared)}{tail}"
    if swapped and field in (SURNAME, FIRST):
        a, b = (f.last_raw, g.first.raw) if field == SURNAME else (f.first.raw, g.last_raw)  # type: ignore[union-attr]
        head, tail = _frame(lang, field, level, _SWAPPED)
        return f"{head}{_pair(a, b, level)}{tail}"
    head, tail = _frame(lang, field, level, _VALUES)
    return f"{head}{_shown(f, g, field, level)}{tail}"


# Phrases are written for hundreds of thousands of pairs: the words of a field and a level go
# into their template once per language, leaving the text before and after the values.
_CUT = "\x00"


@lru_cache(maxsize=2048)
def _frame(lang: str, field: int, level: int, form: int) -> tuple[str, str]:
    text = _said(lang, _TEMPLATES[form]).format(values=_CUT, **_words(lang, field, level))
    head, _sep, tail = text.partition(_CUT)
    return head, tail


# An explanation is a handful of phrases for each of hundreds of thousands of pairs: their
# words are looked up in the catalog once per language, not once per phrase.
@lru_cache(maxsize=512)
def _words(lang: str, field: int, level: int) -> dict[str, str]:
    name = FIELDS[field]
    what = LEVELS[name][level]
    return {"field": _(FIELD_WORDS.get(name, name)), "level": _(LEVEL_WORDS.get(what, what))}


@lru_cache(maxsize=64)
def _said(lang: str, template: str) -> str:
    return _(template)


def _shown(f: Features, g: Features, field: int, level: int) -> str:
    """The two records' values of ``field``, as an explanation shows them."""
    if field == PHONE:
        return _phones_shown(f, g, level)
    if field == EMAIL:
        return _emails_shown(f, g, level)
    if field == EXT:
        return _pair(f.external_id, g.external_id, level)
    if field == SURNAME:
        return _pair(f.last_raw, g.last_raw, level)
    if field == FIRST:
        return _pair(f.first.raw, g.first.raw, level)  # type: ignore[union-attr]
    if field == MIDDLE:
        return _pair(f.middle_raw, g.middle_raw, level)
    if field == BIRTHDAY:
        return _bday(f) if level == 1 else f"{_bday(f)} / {_bday(g)}"
    if field == CITY:
        return _pair(f.city_raw, g.city_raw, level)
    if field == ADDRESS:
        return _pair(f.address_raw, g.address_raw, level)
    if field == POSTCODE:
        return _pair(f.postcode, g.postcode, level)
    return _pair(f.company_raw, g.company_raw, level)  # company, organisation
