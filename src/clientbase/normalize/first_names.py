"""First names: the tables of known names indexed once, their genders, the full forms a
diminutive stands for (Саша ~ Александр ~ Alexander) and whether two first names may belong to
one person."""

from __future__ import annotations

from functools import lru_cache

from .name_data import (
    DIMINUTIVES,
    FIRST_NAMES,
    LATIN_EQUIVALENTS,
    UNISEX_FIRST_NAMES,
)
from .name_fold import CYR_RE, as_text, fold, fold_latin, transliterate

# --- name tables, indexed once ----------------------------------------------------------------


def _gender_of_forms(forms: tuple[str, ...]) -> str:
    genders = {FIRST_NAMES.get(f) for f in forms}
    return genders.pop() if len(genders) == 1 and None not in genders else ""


# Known first names in Cyrillic and Latin: folded name -> "m" / "f" / "" (known, gender unsure).
CYR_FIRST: dict[str, str] = {k: g for k, g in FIRST_NAMES.items() if CYR_RE.search(k)}
for _k, _forms in DIMINUTIVES.items():
    if CYR_RE.search(_k) and _k not in CYR_FIRST:
        CYR_FIRST[_k] = _gender_of_forms(_forms)

# Latin keys of first names: Russian names as any transliteration would write them, then English
# names on top, because for a Latin spelling the English reading is the likelier one (Karen).
LAT_FIRST: dict[str, str] = {}
for _k, _g in CYR_FIRST.items():
    _lk = fold_latin(_k)
    LAT_FIRST[_lk] = _g if LAT_FIRST.get(_lk, _g) == _g else ""
for _k, _forms in DIMINUTIVES.items():
    if not CYR_RE.search(_k):
        LAT_FIRST.setdefault(fold_latin(_k), _gender_of_forms(_forms))
for _k, _g in FIRST_NAMES.items():
    if not CYR_RE.search(_k):
        LAT_FIRST[fold_latin(_k)] = _g
for _k in UNISEX_FIRST_NAMES:
    LAT_FIRST[fold_latin(_k)] = ""

# Latin key of a diminutive -> Latin full forms (English ones, and Russian ones transliterated).
# English entries go first so that a Latin "Alex" resolves to the English spelling.
_LAT_DIMS: dict[str, tuple[str, ...]] = {}
for _k, _forms in sorted(DIMINUTIVES.items(), key=lambda kv: bool(CYR_RE.search(kv[0]))):
    if CYR_RE.search(_k):
        _latin_forms = tuple(fold(transliterate(f)) for f in _forms)
    else:
        _latin_forms = _forms
    _lk = fold_latin(_k)
    _LAT_DIMS[_lk] = tuple(dict.fromkeys(_LAT_DIMS.get(_lk, ()) + _latin_forms))
del _k, _g, _lk, _forms, _latin_forms


def first_gender(key: str, cyr: bool) -> str | None:
    """Gender of a known first name ("m"/"f"/"" when unsure), None when not a known first name."""
    if cyr:
        g = CYR_FIRST.get(key)
        if g is not None:
            return g
        segments = key.split("-")
    else:
        lk = fold_latin(key)
        g = LAT_FIRST.get(lk)
        if g is not None:
            return g
        segments = lk.split(" ")
    if len(segments) > 1:
        # "Анна-Мария", "Jean-Pierre": a first name when every part is one.
        table = CYR_FIRST if cyr else LAT_FIRST
        genders = [table.get(p) for p in segments]
        if None not in genders:
            return genders[0]
    return None


# --- first names ------------------------------------------------------------------------------


def name_key(first: str | None) -> str:
    s = as_text(first)
    return fold(s).replace(".", "").strip() if s else ""


def _latin_gender(form: str) -> str | None:
    return LAT_FIRST.get(fold_latin(form)) or None


def _full_forms(key: str) -> tuple[str, ...]:
    if CYR_RE.search(key):
        return DIMINUTIVES.get(key, ())
    return _LAT_DIMS.get(fold_latin(key), ())


def first_name_variants(first: str | None) -> frozenset[str]:
    """The folded name itself plus the full forms it may stand for, in the input's script.

    "Саша" → {"саша", "александр", "александра"}; "Bill" → {"bill", "william"};
    "Vanya" → {"vanya", "ivan"} (Latin spellings of Russian diminutives give transliterated full
    forms). Empty for None/"".
    """
    key = name_key(first)
    if not key:
        return frozenset()
    return frozenset((key, *_full_forms(key)))


def canonical_first_name(first: str | None, gender: str | None = None) -> str | None:
    """The full form of a first name, folded: "Саша"+"m" → "александр", "Ваня" → "иван".

    A name that is itself a full name stays as it is ("Ника" → "ника"); an unknown name is just
    folded. A diminutive that stays ambiguous (Женя without a gender, Слава, Гоша) returns the
    folded diminutive itself rather than a guess: a stable key that never claims a wrong full
    name. Use :func:`first_name_variants` / :func:`first_names_compatible` to match those.
    None for empty input and for a bare initial.
    """
    key = name_key(first)
    if not key or len(key) == 1:
        return None
    if key in FIRST_NAMES:
        return key
    forms = _full_forms(key)
    if not forms:
        return key
    cyr = bool(CYR_RE.search(key))
    if gender in ("m", "f"):
        forms = tuple(
            f for f in forms if (FIRST_NAMES.get(f) if cyr else _latin_gender(f)) == gender
        )
    # Latin spellings of one name ("alexandra", "aleksandra") are not an ambiguity.
    if forms and (len(forms) == 1 or (not cyr and len({fold_latin(f) for f in forms}) == 1)):
        return forms[0]
    return key


@lru_cache(maxsize=1 << 14)
def _keys(key: str) -> frozenset[str]:
    variants = (key, *_full_forms(key))
    keys = {fold_latin(v) for v in variants}
    for v in variants:
        for equivalent in LATIN_EQUIVALENTS.get(v, ()):
            keys.add(fold_latin(equivalent))
    return frozenset(keys)


def first_name_keys(first: str | None) -> frozenset[str]:
    """Cross-script :func:`fold_latin` keys of every variant of a first name.

    Two first names may belong to one person when their key sets intersect; this is what
    :func:`first_names_compatible` checks, exposed for blocking in dedupe.
    """
    key = name_key(first)
    return _keys(key) if key else frozenset()


# Asked for every customer a row meets on a shared number, often the same pair again.
@lru_cache(maxsize=1 << 16)
def first_names_compatible(a: str | None, b: str | None) -> bool:
    """Could these two first names belong to the same person?

    The rule dedupe compares first names by (:func:`clientbase.normalize.name_match.compare_first`),
    so an import folding rows on a shared phone and the matcher agree: True when either is
    missing, they are equal in the common Latin form, one is an initial of the other (or of one
    of its full forms, so "А." fits "Саша"), they share a full form through diminutives,
    transliteration and international spellings (Саша ~ Шура ~ Александр ~ Aleksandr ~
    Alexander), or one is a typo of the other that is not itself another name from the tables
    (Мария and Марина are two names). A double first name ("Анна-Мария") fits either half.
    """
    # name_match loads rapidfuzz: only once two first names are compared
    from clientbase.normalize.name_match import DIFFERENT, compare_first, first_name

    fa, fb = first_name(a), first_name(b)
    if fa is None or fb is None:
        return True
    if compare_first(fa, fb) != DIFFERENT:
        return True
    ka, kb = name_key(a), name_key(b)
    if " " in ka or " " in kb:
        # A double first name ("Анна-Мария") fits either of its halves.
        return any(_compatible(x, y) for x in ka.split() for y in kb.split())
    return False


def _compatible(ka: str, kb: str) -> bool:
    if ka == kb:
        return True
    if len(ka) == 1 or len(kb) == 1:
        if len(ka) == len(kb):
            return fold_latin(ka) == fold_latin(kb)
        init, other = (ka, kb) if len(ka) == 1 else (kb, ka)
        init_key = fold_latin(init)
        return any(
            v.startswith(init) or fold_latin(v).startswith(init_key)
            for v in (other, *_full_forms(other))
        )
    return not _keys(ka).isdisjoint(_keys(kb))
