"""Comparison forms of names across scripts and spellings.

:func:`fold` gives a same-script comparison form; :func:`transliterate` writes Cyrillic in Latin
letters as a passport would; :func:`fold_latin` is the coarse cross-script key under which
"Щукина", "Shchukina" and "Schukina" meet. Pure functions of a string, no tables of names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- character classes ------------------------------------------------------------------------

CYR_RE = re.compile("[\u0400-\u04ff]")
# Anything outside ASCII and the Cyrillic block needs the slow accent-stripping path in fold().
_NEEDS_STRIP_RE = re.compile("[^\x00-\x7f\u0400-\u04ff]")
COMBINING_RE = re.compile("[\u0300-\u036f]")
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
APOSTROPHES = "'\u2019\u2018\u02bc\u00b4`"

# --- fold -------------------------------------------------------------------------------------

# ё is folded because it is typed inconsistently; apostrophes vanish because "O'Brien" and
# "OBrien" are one name; hyphens become spaces so double-barrelled names compare either way.
_FOLD_TRANS = str.maketrans(
    {"ё": "е", **dict.fromkeys(APOSTROPHES, None), **dict.fromkeys(HYPHENS, " ")}
)
# Latin letters NFD cannot take apart.
_LATIN_SPECIAL = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ł": "l",
    "đ": "d",
    "ı": "i",
    "ß": "ss",
    "þ": "th",
}


def _strip_marks(s: str) -> str:
    # NFC first: macOS and some exporters store й as и + combining breve; composing it back keeps
    # й (a distinct letter in Russian) while still letting us drop real accents below.
    s = unicodedata.normalize("NFC", s)
    out = []
    for ch in s:
        if ch < "\x80" or "\u0400" <= ch <= "\u04ff":
            out.append(ch)
        elif unicodedata.combining(ch):
            continue  # a stress mark left over on a Cyrillic letter ("Ива́нов")
        else:
            ch = _LATIN_SPECIAL.get(ch, ch)
            out.append(
                "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            )
    return "".join(out)


# Letters that look the same in both alphabets. A word typed with a few of them from the wrong
# keyboard layout ("Ивaнов" with a Latin a) looks right but never matches anything.
_LAT_TO_CYR = str.maketrans("aeopcxyABCEHKMOPTX", "аеорсхуАВСЕНКМОРТХ")
_CYR_TO_LAT = str.maketrans("аеорсхуАВСЕНКМОРТХ", "aeopcxyABCEHKMOPTX")
LATIN_LETTER_RE = re.compile("[A-Za-z]")
_LAT_LOOKALIKES = frozenset("aeopcxyABCEHKMOPTX")
_CYR_LOOKALIKES = frozenset("аеорсхуАВСЕНКМОРТХ")


def fix_homoglyphs(word: str) -> str:
    """Rewrite the minority script's look-alike letters of a mixed-script word, if all are."""
    latin = [c for c in word if "A" <= c <= "z" and c.isalpha()]
    cyrillic = [c for c in word if "\u0400" <= c <= "\u04ff"]
    if len(latin) <= len(cyrillic):
        if all(c in _LAT_LOOKALIKES for c in latin):
            return word.translate(_LAT_TO_CYR)
    elif all(c in _CYR_LOOKALIKES for c in cyrillic):
        return word.translate(_CYR_TO_LAT)
    return word


def fold(s: str) -> str:
    """Same-script comparison form: casefold, ё→е (й kept), Latin accents stripped,
    apostrophes dropped, hyphens and whitespace runs collapsed to one space."""
    if not s:
        return ""
    s = s.casefold()
    if _NEEDS_STRIP_RE.search(s):
        s = _strip_marks(s)
    if not s.isascii() and LATIN_LETTER_RE.search(s) and CYR_RE.search(s):
        s = " ".join(fix_homoglyphs(w) for w in s.split())
    return " ".join(s.translate(_FOLD_TRANS).split())


# --- transliteration --------------------------------------------------------------------------

# Close to the Russian passport (ICAO) form people see in their own documents, with the popular
# "y" for й/ы and "ya/yu" for я/ю. ё is written "e" like in passports: most databases already lost
# the dots, so "Алёна" and "Алена" should transliterate the same.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian, Belarusian, Kazakh and Tatar letters seen in CIS lists
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ә": "a", "ғ": "g", "қ": "k", "ң": "ng",
    "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "җ": "zh",
}  # fmt: skip


def transliterate(s: str) -> str:
    """Cyrillic → Latin ("Щукина" → "Shchukina", "ЮЛИЯ" → "YULIYA"); other characters unchanged.

    The spelling is one common form; different spellings of the same name are reconciled by
    :func:`fold_latin`, not here.
    """
    if not s or not CYR_RE.search(s):
        return s
    out = []
    n = len(s)
    for i, ch in enumerate(s):
        low = ch.lower()
        lat = _TRANSLIT.get(low)
        if lat is None:
            out.append(ch)
            continue
        if ch != low and lat:
            # A multi-letter rendering of a capital is all caps inside an all-caps word ("SHCH")
            # and title case otherwise ("Shch").
            nxt = s[i + 1] if i + 1 < n else ""
            prev = s[i - 1] if i else ""
            if len(lat) > 1 and (nxt.isupper() or (not nxt.isalpha() and prev.isupper())):
                lat = lat.upper()
            else:
                lat = lat[0].upper() + lat[1:]
        out.append(lat)
    return "".join(out)


# --- Latin comparison key ---------------------------------------------------------------------

# The key scheme (applied to lower-case ASCII after transliterating any Cyrillic):
#   shch sch shh sh š → sh      ch tch tsch č → ch      zh ž → zh      kh → h
#   ts tz cz → c  (c before e/i/y is kept as c = ц; any other c is k: Victor = Viktor)
#   x → ks   w → v   q → k   ph → f   th → t   ck → k   ou → u (French "Youri", "Ioulia")
#   y j → i  and dzh dj dsch → i  (the y-glide of я/ю/й/ы and the English J of Jamila)
#   doubled letters collapse (Alla/Ala, Kirill/Kiril, Mariya/Maria, Dmitrii/Dmitri)
#   ie → e (Yelena/Elena, Sergeyev/Sergeev), io + consonant → e (Fyodor/Fedor, Alyona/Alena)
# Known gap: the French "J" for Ж (Jukov) reads as the glide, because J = Й/Ю/Я (Julia, Jana,
# Andrej) is far more common in our data; latin_keys() offers both readings when it matters.
# The key is deliberately coarse: use it across scripts; within one script compare fold().
_LATIN_PRE = str.maketrans({"š": "sh", "č": "ch", "ž": "zh", "ŝ": "sh", **_LATIN_SPECIAL})
_LATIN_DROP_RE = re.compile("['\u2019\u2018\u02bc\u00b4`\"\u02b9\u02ba]")
_LATIN_NONALPHA_RE = re.compile("[^a-z]+")
_LATIN_DIGRAPH_RE = re.compile(
    "shch|tsch|dsch|dzh|sch|shh|tch|sh|ch|zh|kh|ts|tz|cz|dj|ph|th|ck|ou|c(?![eiy])|x|w|q|y|j"
)
_LATIN_DIGRAPHS = {
    "shch": "sh", "tsch": "ch", "dsch": "i", "dzh": "i", "sch": "sh", "shh": "sh", "tch": "ch",
    "sh": "sh", "ch": "ch", "zh": "zh", "kh": "h", "ts": "c", "tz": "c", "cz": "c", "dj": "i",
    "ph": "f", "th": "t", "ck": "k", "ou": "u", "c": "k", "x": "ks", "w": "v", "q": "k",
    "y": "i", "j": "i",
}  # fmt: skip
_DOUBLE_RE = re.compile(r"([a-z])\1+")
_YO_RE = re.compile("ie|io(?=[^aeiou ])")


def _digraph(m: re.Match[str]) -> str:
    return _LATIN_DIGRAPHS[m.group()]


@lru_cache(maxsize=1 << 15)
def fold_latin(s: str) -> str:
    """Coarse Latin key that merges the usual transliterations of one Russian name.

    "Щукина", "Shchukina", "Schukina" and "Ščukina" all give "shukina"; "Юлия", "Yuliya", "Julia"
    and "Iuliia" give "iulia". Cyrillic input is transliterated first, so
    ``fold_latin(transliterate(x)) == fold_latin(x)``. The scheme is documented above.
    """
    if not s:
        return ""
    if CYR_RE.search(s):
        s = transliterate(s)
    s = s.lower().translate(_LATIN_PRE)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _LATIN_DROP_RE.sub("", s)
    s = _LATIN_NONALPHA_RE.sub(" ", s).strip()
    s = _LATIN_DIGRAPH_RE.sub(_digraph, s)
    s = _DOUBLE_RE.sub(r"\1", s)
    s = _YO_RE.sub("e", s)
    return _DOUBLE_RE.sub(r"\1", s)


_J_RE = re.compile("(?<![dD])[jJ]")


def latin_keys(s: str) -> frozenset[str]:
    """All plausible :func:`fold_latin` keys of a Latin spelling.

    The only ambiguity handled is "j": the glide of Julia/Andrej and the French Ж of Jukov.
    Two spellings may be the same name when their key sets intersect.
    """
    base = fold_latin(s)
    if not s or "j" not in s.lower():
        return frozenset((base,))
    alt = fold_latin(_J_RE.sub(lambda m: "zh" if m.group() == "j" else "Zh", s))
    return frozenset((base, alt))


# --- cells ------------------------------------------------------------------------------------


def as_text(raw: object) -> str | None:
    """A cell as text; None for None and the missing values of pandas (NaN, NaT, NA)."""
    if raw is None or isinstance(raw, str):
        return raw
    try:
        if raw != raw:
            return None
    except TypeError:  # pandas NA cannot be a bool
        return None
    return str(raw)
