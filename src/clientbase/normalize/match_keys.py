"""Comparison keys for the other things dedupe compares: companies (without legal form, quotes
and, in :func:`company_core`, branch words), cities (without "г."/"город", usual short names
expanded) and addresses (the usual abbreviations made uniform), in the common Latin form of
:func:`clientbase.normalize.names.fold_latin`, so a Cyrillic and a Latin spelling meet. They are
importable from :mod:`clientbase.normalize.name_match` too."""

from __future__ import annotations

import re
from functools import lru_cache

from clientbase.normalize.name_fold import fold, fold_latin

# Legal forms, written as they are typed; compared in the common Latin form, so "ООО" and a
# Latin "OOO" are one word.
_LEGAL_FORMS = """
    ооо оао зао пао нао ао ип чп тоо нко ано пбоюл фоп кфх гуп муп фгуп
    общество с ограниченной ответственностью акционерное публичное закрытое открытое
    индивидуальный предприниматель товарищество
    ooo zao oao pao llc ltd limited inc incorporated corp corporation co company gmbh plc llp ag
    sarl bv srl oy
""".split()
_LEGAL_LATIN = frozenset(fold_latin(w) for w in _LEGAL_FORMS)
_WORD_RE = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1 << 14)
def company_key(name: str | None) -> str:
    """A company name without legal form, quotes and punctuation, in the common Latin form:
    ООО «Ромашка», "Romashka LLC" and ИП Ромашка all give "romashka". Digits are kept."""
    if not name:
        return ""
    words = []
    for w in _WORD_RE.findall(fold(name)):
        k = w if w.isdigit() else fold_latin(w)
        if k and k not in _LEGAL_LATIN:
            words.append(k)
    return " ".join(words)


# Words that name a branch or an office of a company rather than the company: "ООО «Ромашка» —
# филиал на Ленина" and "Ромашка (Ленина)" are one organisation at one place.
_BRANCH_WORDS = frozenset(
    fold_latin(w)
    for w in """
    филиал филиала отделение отделения представительство офис магазин точка подразделение
    на в во по ул улица пр проспект
    branch office store shop dept department division at on of the
    """.split()
)


@lru_cache(maxsize=1 << 14)
def company_core(name: str | None) -> str:
    """:func:`company_key` without branch wording: "ООО «Ромашка» — филиал на Ленина" and
    "Ромашка (Ленина)" both give "romashka lenina"."""
    key = company_key(name)
    return " ".join(w for w in key.split() if w not in _BRANCH_WORDS) or key


_CITY_PREFIX_RE = re.compile(r"^(?:г\.?|гор\.?|город|пгт\.?|пос\.?|c\.|с\.|city of)\s+")
_CITY_ALIASES = {
    "мск": "москва",
    "moscow": "москва",
    "спб": "санкт петербург",
    "питер": "санкт петербург",
    "петербург": "санкт петербург",
    "с петербург": "санкт петербург",
    "с пб": "санкт петербург",
    "санкт петербург": "санкт петербург",
    "saint petersburg": "санкт петербург",
    "st petersburg": "санкт петербург",
    "st. petersburg": "санкт петербург",
    "spb": "санкт петербург",
    "екб": "екатеринбург",
    "ебург": "екатеринбург",
    "нск": "новосибирск",
    "новосиб": "новосибирск",
    "нн": "нижний новгород",
    "н новгород": "нижний новгород",
    "н. новгород": "нижний новгород",
    "ростов": "ростов на дону",
    "kiev": "киев",
    "kyiv": "киев",
    "київ": "киев",
    "almaty": "алматы",
    "алма ата": "алматы",
    "nyc": "new york",
    "ny": "new york",
    "new york city": "new york",
    "la": "los angeles",
    "sf": "san francisco",
    "san fran": "san francisco",
    "philly": "philadelphia",
    "vegas": "las vegas",
    "dc": "washington",
    "washington dc": "washington",
}


@lru_cache(maxsize=1 << 12)
def city_key(city: str | None) -> str:
    """A city in the common Latin form, with "г."/"город" dropped and the usual short names
    expanded (МСК, Питер, СПб, Екб, NYC …), so "г. Москва", "москва" and "Moscow" are one."""
    if not city:
        return ""
    c = fold(city).strip(" .,")
    c = _CITY_PREFIX_RE.sub("", c)
    c = _CITY_ALIASES.get(c, c)
    return fold_latin(c)


_ADDRESS_WORDS = {
    "улица": "ул",
    "ул": "ул",
    "проспект": "пр",
    "пр-т": "пр",
    "просп": "пр",
    "пр": "пр",
    "переулок": "пер",
    "пер": "пер",
    "дом": "",
    "д": "",
    "корпус": "к",
    "корп": "к",
    "строение": "с",
    "стр": "с",
    "квартира": "кв",
    "кв": "кв",
    "офис": "оф",
    "оф": "оф",
    "г": "",
    "город": "",
    "бульвар": "бр",
    "бул": "бр",
    "б-р": "бр",
    "шоссе": "ш",
    "ш": "ш",
    "площадь": "пл",
    "пл": "пл",
    "набережная": "наб",
    "наб": "наб",
    "микрорайон": "мкр",
    "мкр": "мкр",
    "street": "st",
    "st": "st",
    "str": "st",
    "avenue": "ave",
    "ave": "ave",
    "av": "ave",
    "road": "rd",
    "rd": "rd",
    "drive": "dr",
    "dr": "dr",
    "lane": "ln",
    "ln": "ln",
    "place": "pl",
    "pl": "pl",
    "court": "ct",
    "ct": "ct",
    "crescent": "cres",
    "cres": "cres",
    "boulevard": "blvd",
    "blvd": "blvd",
    "highway": "hwy",
    "hwy": "hwy",
    "terrace": "tce",
    "tce": "tce",
    "parade": "pde",
    "pde": "pde",
    "circuit": "cct",
    "cct": "cct",
    "close": "cl",
    "cl": "cl",
    "square": "sq",
    "sq": "sq",
    "north": "n",
    "n": "n",
    "south": "s",
    "s": "s",
    "east": "e",
    "e": "e",
    "west": "w",
    "w": "w",
    "apartment": "apt",
    "apt": "apt",
    "unit": "apt",
    "suite": "ste",
    "ste": "ste",
    "flat": "apt",
    "no": "",
}


@lru_cache(maxsize=1 << 14)
def address_key(address: str | None) -> str:
    """An address with case, punctuation and the usual abbreviations (ул./улица, д./дом,
    кв./квартира) made uniform; for equality only."""
    if not address:
        return ""
    out = []
    for w in _WORD_RE.findall(fold(address)):
        w = _ADDRESS_WORDS.get(w, w)
        if w:
            out.append(w if w.isdigit() else fold_latin(w))
    return " ".join(out)
