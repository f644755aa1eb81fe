"""Person names as they come out of messy contact lists, mostly Russian/CIS.

What this module decides, so the rest of the package does not have to:

* **Order.** A typed ФИО can come in any order and case ("ИВАНОВ И.И.", "Иван Иванович Иванов",
  "иванова мария петровна"). The parser scores each word with a first-name table, patronymic
  suffixes and surname suffixes (see :mod:`.name_data`) and picks the reading that fits. With no
  evidence it assumes the Russian convention "Фамилия Имя Отчество" for Cyrillic and "First
  Last" for Latin script.
* **Storage form.** Parts are capitalised ("Петров-Водкин", "O'Brien", "van Beethoven"); an initial
  is stored as a capital letter with a dot ("И."), one per part; a Turkic patronymic keeps its
  particle ("Гусейн оглы"). ``ё`` is kept as typed.
* **Comparison.** :func:`fold` gives a same-script comparison form; :func:`fold_latin` gives a
  coarse cross-script key so that "Щукина", "Shchukina" and "Schukina" meet; the first-name helpers
  know diminutives (Саша ~ Александр ~ Alexander).

Everything is pure and cached: an import of a million rows calls :func:`parse_full_name` per row.
The comparison forms live in :mod:`.name_fold` and the first-name tables in :mod:`.first_names`;
both are importable from here too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .first_names import (
    canonical_first_name,
    first_gender,
    first_name_keys,
    first_name_variants,
    first_names_compatible,
)
from .name_data import (
    COMPANY_PHRASES,
    COMPANY_WORDS,
    HONORIFICS,
    JUNK_WORDS,
    LATIN_SURNAME_PARTICLES,
    PATRONYMIC_PARTICLES,
    PATRONYMIC_SUFFIXES_F,
    PATRONYMIC_SUFFIXES_LATIN_F,
    PATRONYMIC_SUFFIXES_LATIN_M,
    PATRONYMIC_SUFFIXES_M,
    SURNAME_SUFFIXES_F,
    SURNAME_SUFFIXES_LATIN_F,
    SURNAME_SUFFIXES_LATIN_M,
    SURNAME_SUFFIXES_LATIN_NEUTRAL,
    SURNAME_SUFFIXES_M,
    SURNAME_SUFFIXES_NEUTRAL,
)
from .name_fold import (
    APOSTROPHES,
    COMBINING_RE,
    CYR_RE,
    HYPHENS,
    LATIN_LETTER_RE,
    as_text,
    fix_homoglyphs,
    fold,
    fold_latin,
    latin_keys,
    transliterate,
)

__all__ = [
    "PersonName",
    "canonical_first_name",
    "clean_name_part",
    "first_name_keys",
    "first_name_variants",
    "first_names_compatible",
    "fold",
    "fold_latin",
    "gender_from_patronymic",
    "guess_gender",
    "keeps_every_word",
    "latin_keys",
    "looks_like_company",
    "name_from_parts",
    "parse_full_name",
    "transliterate",
]


@dataclass(frozen=True, slots=True)
class PersonName:
    last: str | None
    first: str | None
    middle: str | None  # patronymic, or a Latin middle name
    gender: str | None  # "m", "f" or None

    @property
    def display(self) -> str:
        """Cyrillic order "Иванов Иван Иванович", Latin order "John A. Smith"; "" when empty.

        Parts that are None are skipped; the order follows the script of the parts (a name with
        any Cyrillic part is shown surname first).
        """
        last, first, middle = self.last, self.first, self.middle
        # Spelled out rather than any()/a generator: a million-row import asks once per row.
        cyr = CYR_RE.search
        if (last and cyr(last)) or (first and cyr(first)) or (middle and cyr(middle)):
            parts = (last, first, middle)
        else:
            parts = (first, middle, last)
        return " ".join([p for p in parts if p])


_EMPTY = PersonName(None, None, None, None)

# --- character classes ------------------------------------------------------------------------

# A name word: letters, with single hyphens/apostrophes inside ("Петров-Водкин", "O'Brien"), and
# an optional trailing dot (meaningful only for initials). Digits, @, brackets and other
# punctuation never belong to a word, which is what strips phone numbers out of name cells.
_TOKEN_RE = re.compile(rf"[^\W\d_]+(?:[\{HYPHENS}{APOSTROPHES}][^\W\d_]+)*\.?")
_DASH_TRANS = str.maketrans(
    {**dict.fromkeys(HYPHENS[1:], "-"), **dict.fromkeys(APOSTROPHES[1:], "'")}
)
# Triggers the (rarer) clean-up pass: asides in brackets or quotes, e-mails, decomposed letters.
_PREP_RE = re.compile('[(\\[{«»"“”„@\u0300-\u036f]')
_ASIDE_RE = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|\{[^}]*\}?|«[^»]*»?|“[^”]*”|„[^“”]*[“”]|\"[^\"]*\"")
_BRACKET_CHARS_RE = re.compile('[()\\[\\]{}«»"“”„]')
_EMAIL_RE = re.compile(r"\S+@\S+")


def _ends(key: str, suffixes: tuple[str, ...]) -> bool:
    # Two letters of stem at least: "Ов" or "Ич" alone are not surnames or patronymics.
    return any(key.endswith(s) and len(key) >= len(s) + 2 for s in suffixes)


# --- tokens -----------------------------------------------------------------------------------

_WORD, _INITIAL, _PARTICLE, _DROP, _LPARTICLE = range(5)
_TWO_CAPS_RE = re.compile("[A-ZÀ-ÖØ-Þ]{2}")


class _Tok:
    """What the parser knows about one word; computed once per distinct word (cached)."""

    __slots__ = ("caps", "cyr", "first", "hint", "kind", "patr", "strong", "sur", "text")

    text: str  # cleaned, as it will be stored
    kind: int
    cyr: bool
    caps: bool  # ALL CAPS word of 2+ letters (the "SMITH John" convention)
    first: str | None  # see first_gender
    patr: str | None  # patronymic gender, None when not a patronymic
    strong: bool  # patronymic by a separate particle ("Гусейн оглы"): certain, never a surname
    sur: str | None  # surname by suffix: "m", "f", "" (neutral); None when no surname suffix
    hint: str | None  # gender hint from a particle or an honorific


def _recase(bare: str, cyr: bool) -> str:
    # Deliberate mixed case in Latin ("McDonald", "DeVito", "O'Brien") is kept; two capitals in a
    # row mean caps lock or a held shift ("JOhn", "McDONALD"), so those are re-cased.
    if not cyr and bare[0].isupper() and not _TWO_CAPS_RE.search(bare):
        return bare
    out = []
    for seg in re.split("([-'])", bare.lower()):
        if seg in ("-", "'") or not seg:
            out.append(seg)
            continue
        # After an apostrophe only an elided one-letter prefix starts a new capital: O'Brien,
        # D'Artagnan; Ukrainian "Дар'я" and "Григор'єв" keep the small letter.
        if out and out[-1] == "'" and len(out) >= 2 and len(out[-2]) != 1:
            out.append(seg)
            continue
        if not cyr and seg.startswith("mc") and len(seg) > 2:
            out.append("Mc" + seg[2].upper() + seg[3:])
        else:
            out.append(seg[0].upper() + seg[1:])
    return "".join(out)


@lru_cache(maxsize=1 << 14)
def _tok(raw: str) -> _Tok:
    t = _Tok()
    word = raw.translate(_DASH_TRANS)
    if not word.isascii() and LATIN_LETTER_RE.search(word) and CYR_RE.search(word):
        word = fix_homoglyphs(word)
    bare = word.rstrip(".")
    key = bare.lower().replace("ё", "е")
    t.cyr = cyr = bool(CYR_RE.search(bare))
    t.caps = len(bare) > 1 and bare.isupper()
    t.first = t.patr = t.sur = t.hint = None
    t.strong = False
    if len(bare) == 1:
        t.kind = _INITIAL
        t.text = bare.upper() + "."
        return t
    if key in PATRONYMIC_PARTICLES:
        t.kind = _PARTICLE
        t.text = key
        t.hint = PATRONYMIC_PARTICLES[key]
        return t
    if key in HONORIFICS or key in JUNK_WORDS:
        t.kind = _DROP
        t.text = bare
        t.hint = HONORIFICS.get(key)
        return t
    if not cyr and key in LATIN_SURNAME_PARTICLES and bare.islower():
        t.kind = _LPARTICLE
        t.text = key
        return t
    t.kind = _WORD
    t.text = _recase(bare, cyr)
    t.first = first_gender(key, cyr)
    if t.first is not None:
        return t
    if cyr:
        if _ends(key, PATRONYMIC_SUFFIXES_M):
            t.patr = "m"
        elif _ends(key, PATRONYMIC_SUFFIXES_F):
            t.patr = "f"
        elif _ends(key, SURNAME_SUFFIXES_F):
            t.sur = "f"
        elif _ends(key, SURNAME_SUFFIXES_M):
            t.sur = "m"
        elif _ends(key, SURNAME_SUFFIXES_NEUTRAL):
            t.sur = ""
    else:
        lk = fold_latin(bare)
        if _ends(lk, PATRONYMIC_SUFFIXES_LATIN_M):
            t.patr = "m"
        elif _ends(lk, PATRONYMIC_SUFFIXES_LATIN_F):
            t.patr = "f"
        elif _ends(lk, SURNAME_SUFFIXES_LATIN_F):
            t.sur = "f"
        elif _ends(lk, SURNAME_SUFFIXES_LATIN_M):
            t.sur = "m"
        elif _ends(lk, SURNAME_SUFFIXES_LATIN_NEUTRAL):
            t.sur = ""
    return t


def _join(toks: list[_Tok], **kw: object) -> _Tok:
    """A multi-word unit built from several tokens ("Гусейн оглы", "van der Berg")."""
    t = _Tok()
    t.text = " ".join(x.text for x in toks)
    t.kind = _WORD
    t.cyr = toks[-1].cyr
    t.caps = False
    t.first = t.patr = t.sur = t.hint = None
    t.strong = False
    for k, v in kw.items():
        setattr(t, k, v)
    return t


def _letters_and_spaces(s: str) -> bool:
    """True for the usual name cell, nothing but letters and spaces ("Иванов Иван"). Its words
    are then exactly what ``_TOKEN_RE`` finds (a letter is always a word character), so
    ``str.split`` finds them faster, and nothing in it needs the clean-up pass."""
    return s.replace(" ", "").isalpha()


def _words(s: str) -> tuple[list[_Tok], str | None]:
    """Tokens of one name string, noise dropped and multi-word units merged; plus a gender hint."""
    return _tokens(s.split() if _letters_and_spaces(s) else _TOKEN_RE.findall(s))


def _tokens(found: list[str]) -> tuple[list[_Tok], str | None]:
    toks: list[_Tok] = []
    hint = None
    pending: list[_Tok] = []  # lower-case Latin surname particles waiting for their surname
    tok = _tok
    for w in found:
        t = tok(w)
        kind = t.kind
        if kind <= _INITIAL:  # _WORD or _INITIAL, by far the most common
            if pending:
                if kind == _WORD:
                    t = _join([*pending, t], sur="")
                else:
                    toks.extend(_tok(p.text.capitalize()) for p in pending)
                pending = []
            toks.append(t)
        elif kind == _PARTICLE:
            if toks and toks[-1].kind == _WORD:
                toks[-1] = _join([toks[-1], t], patr=t.hint, strong=True)
        elif kind == _LPARTICLE:
            pending.append(t)
        elif t.hint is not None:
            hint = t.hint
    if pending:  # "... van" at the very end: just a word
        toks.extend(_tok(p.text.capitalize()) for p in pending)
    return toks, hint


# --- ordering ---------------------------------------------------------------------------------

_Slots = tuple[list[_Tok], list[_Tok], list[_Tok]]  # last, first, middle


def _order(ws: list[_Tok], latin: bool) -> _Slots:
    n = len(ws)
    if n == 1:
        w = ws[0]
        if w.strong:
            return [], [], [w]
        if w.first is not None or (w.sur is None and w.patr is None and not w.caps):
            # A lone word with no surname ending is how people save a friend: "Шухрат", "Mike".
            return [], [w], []
        return [w], [], []
    if n == 2:
        return _order2(ws[0], ws[1], latin)
    if n == 3:
        return _order3(ws[0], ws[1], ws[2], latin)
    # Four words and more: anchor on the (last) patronymic; what precedes its first name is the
    # surname ("Петров Водкин Кузьма Сергеевич"), anything after a full ФИО is junk
    # ("..., директор").
    for p in range(n - 1, 0, -1):
        if ws[p].patr:
            before, after = ws[: p - 1], ws[p + 1 :]
            return (before or after), [ws[p - 1]], [ws[p]]
    a, b = ws[0], ws[1]
    if latin and not (a.caps and not b.caps):
        return [ws[-1]], [a], ws[1:-1]
    if not latin and a.first is not None:
        return [ws[-1]], [a], ws[1:-1]
    return [a], [b], ws[2:]


def _order2(a: _Tok, b: _Tok, latin: bool) -> _Slots:
    if b.patr and not a.patr:
        if a.sur is not None and a.first is None:
            return [a], [], [b]  # "Иванов Иванович" (initial lost or to be filled in)
        return [], [a], [b]  # "Нурсултан Абишевич"
    if a.patr and not b.patr:
        if a.strong:  # "Ахмед оглы Мамедов": the particle makes the first word a patronymic
            return ([], [b], [a]) if b.first is not None else ([b], [], [a])
        return [a], [b], []  # "Карпович Иван": a Belarusian -ович surname
    if a.patr and b.patr:
        return [a], [], [b]
    if a.first is not None and b.first is None:
        return [b], [a], []
    if b.first is not None and a.first is None:
        return [a], [b], []
    if b.sur is not None and a.sur is None:
        return [b], [a], []
    if a.sur is not None and b.sur is None:
        return [a], [b], []
    if latin and not (a.caps and not b.caps):
        return [b], [a], []
    return [a], [b], []


def _order3(a: _Tok, b: _Tok, c: _Tok, latin: bool) -> _Slots:
    if b.patr and c.patr:  # one of them is an -ович surname
        if b.strong or a.first is not None:
            return [c], [a], [b]
        return [a], [b], [c]
    if c.patr:
        if a.first is not None and b.first is None and b.sur is not None:
            return [b], [a], [c]  # "Иван Иванов Иванович"
        return [a], [b], [c]
    if b.patr:
        return [c], [a], [b]
    if a.patr:
        return [a], [b], [c]
    if latin:
        if (a.caps and not b.caps) or (a.first is None and a.sur is not None and b.first):
            return [a], [b], [c]
        return [c], [a], [b]
    if a.first is not None and c.first is None:
        return [c], [a], [b]  # "Ахмед Гусейн Мамедов", "Анна Мария Петрова"
    return [a], [b], [c]


def _text(toks: list[_Tok]) -> str | None:
    if not toks:
        return None
    if len(toks) == 1:
        return toks[0].text
    return " ".join([t.text for t in toks])


def _assemble(
    last: list[_Tok], first: list[_Tok], middle: list[_Tok], hint: str | None
) -> PersonName:
    gender = None
    for t in middle:
        if t.patr:
            gender = t.patr
            break
    if gender is None and first and first[0].first:
        gender = first[0].first
    if gender is None and last and last[-1].sur:
        gender = last[-1].sur
    if gender is None:
        gender = hint
    return PersonName(_text(last), _text(first), _text(middle), gender)


def _slots(toks: list[_Tok]) -> _Slots:
    words: list[_Tok] = []
    inits: list[_Tok] = []
    latin = True
    for t in toks:
        if t.kind == _INITIAL:
            inits.append(t)
        else:
            words.append(t)
            if t.cyr:
                latin = False
    if not words:
        return [], inits[:1], inits[1:2]
    last, first, middle = _order(words, latin)
    if inits:
        last, first, middle = list(last), list(first), list(middle)
        # Initials go into the empty slots: "Иванов И.И." → first and middle; after a known
        # first name a lone initial is the surname's ("Мария К.", "John S.").
        targets = [first, middle] if not first else ([last, middle] if not last else [middle])
        for init in inits:
            for slot in targets:
                if not slot:
                    slot.append(init)
                    break
    return last, first, middle


def _prep(s: str) -> str:
    if COMBINING_RE.search(s):
        s = COMBINING_RE.sub("", unicodedata.normalize("NFC", s))
    if "@" in s:
        s = _EMAIL_RE.sub(" ", s)
    cut = _ASIDE_RE.sub(" ", s)
    if _TOKEN_RE.search(cut):
        return cut  # "Иван (Ваня)", "Петров (клиент)": the aside goes
    return _BRACKET_CHARS_RE.sub(" ", s)  # the whole name was in brackets or quotes


def _parse(raw: str) -> PersonName:
    s = raw
    if _letters_and_spaces(s):  # no aside, comma or e-mail to deal with
        toks, hint = _tokens(s.split())
        return _from_tokens(toks, hint)
    if _PREP_RE.search(s):
        s = _prep(s)
    if "," in s:
        left, _, right = s.partition(",")
        ltoks, lhint = _words(left)
        rtoks, rhint = _words(right.replace(",", " "))
        hint = lhint or rhint
        if ltoks and rtoks:
            if any(t.cyr for t in ltoks):
                # Cyrillic: "Иванов, Иван Иванович" is just the usual order; after a full name
                # the comma starts junk ("Иванов Иван Иванович, директор").
                toks = ltoks if len(ltoks) >= 2 else ltoks + rtoks
            else:
                # Latin "Smith, John A.": the part before the comma is the surname.
                return _assemble(ltoks, rtoks[:1], rtoks[1:], hint)
        else:
            toks = ltoks or rtoks
    else:
        toks, hint = _words(s)
    return _from_tokens(toks, hint)


def _from_tokens(toks: list[_Tok], hint: str | None) -> PersonName:
    if not toks:
        return _EMPTY
    if hint is not None and len(toks) == 1 and toks[0].kind == _WORD and toks[0].first is None:
        return _assemble(toks, [], [], hint)  # "Mrs. Smith": after a title, the surname
    return _assemble(*_slots(toks), hint)


_parse_cached = lru_cache(maxsize=1 << 14)(_parse)


def parse_full_name(raw: str) -> PersonName:
    """Split a ФИО typed in one cell, in any order and case.

    Handles "Иванов Иван Иванович", "Иван Иванович Иванов", "ИВАНОВ И.И.", "И.И. Иванов",
    Turkic patronymics ("Мамедов Ахмед Гусейн оглы"), Latin "John A. Smith", "Smith, John",
    "SMITH John", asides in brackets ("Иван (Ваня)"), phone numbers and e-mails typed into the
    cell. Does not check for companies: call :func:`looks_like_company` first.
    """
    if not isinstance(raw, str):
        raw = as_text(raw)
        if raw is None:
            return _EMPTY
    return _parse_cached(raw)


def keeps_every_word(raw: str) -> bool:
    """True when :func:`parse_full_name` keeps every word of ``raw`` in the name it reads: not
    so for a title or filler word ("г-н", "VIP"), for what follows a full ФИО ("Иванов Иван
    Иванович, директор"), for a particle with no name before it."""
    words = len(_TOKEN_RE.findall(_prep(raw) if _PREP_RE.search(raw) else raw))
    return len(parse_full_name(raw).display.split()) == words


# --- parts ------------------------------------------------------------------------------------


def clean_name_part(raw: str | None) -> str | None:
    """One name part tidied: "иВАНОВ" → "Иванов", "петров-водкин" → "Петров-Водкин",
    "o'brien" → "O'Brien", "и.и." → "И. И.", digits/brackets/extra spaces dropped, "" → None."""
    s = as_text(raw)
    if not s:
        return None
    if _PREP_RE.search(s):
        s = _prep(s)
    words = _TOKEN_RE.findall(s)
    if not words:
        return None
    return " ".join(_tok(w).text for w in words)


def _col(raw: str | None) -> list[_Tok]:
    s = as_text(raw)
    if not s:
        return []
    if _PREP_RE.search(s):
        s = _prep(s)
    return [_tok(w) for w in _TOKEN_RE.findall(s)]


def name_from_parts(last: str | None, first: str | None, middle: str | None) -> PersonName:
    """A name from separate Фамилия / Имя / Отчество columns.

    Each part is cleaned. Repairs the usual mistakes: the whole ФИО typed into one column, the
    patronymic typed after the first name ("Иван Иванович" in Имя), both initials in one column
    ("И.И."), and Фамилия/Имя swapped (a known first name in Фамилия, a surname in Имя).
    """
    lt, ft, mt = _col(last), _col(first), _col(middle)
    filled = [c for c in (lt, ft, mt) if c]
    if not filled:
        return _EMPTY
    if len(filled) == 1 and len(filled[0]) > 1:
        parsed = _parse_cached(" ".join(t.text for t in filled[0]))
        # A lone two-word surname ("Петров Водкин") must not be torn apart: accept the parse of
        # the Фамилия column only if it found a real first name, patronymic or initials.
        if not lt or any(t.kind == _INITIAL or t.first is not None or t.patr for t in lt):
            return parsed
    if not mt and len(ft) > 1 and ft[-1].kind == _WORD and ft[-1].patr:
        ft, mt = ft[:-1], ft[-1:]
    elif not mt and len(ft) == 2 and ft[0].kind == ft[1].kind == _INITIAL:
        ft, mt = ft[:1], ft[1:]
    if not lt and len(ft) > 1:
        parsed = _parse_cached(" ".join(t.text for t in ft + mt))
        return parsed
    if (
        len(lt) == 1
        and len(ft) == 1
        and lt[0].first is not None
        and ft[0].first is None
        and ft[0].sur is not None
    ):
        lt, ft = ft, lt
    return PersonName(_text(lt), _text(ft), _text(mt), _gender(ft, mt, lt))


# --- gender -----------------------------------------------------------------------------------


def _gender(first: list[_Tok], middle: list[_Tok], last: list[_Tok]) -> str | None:
    g = _patronymic_gender(middle)
    if g:
        return g
    words = [t for t in first if t.kind == _WORD]
    if words and words[0].first:
        return words[0].first
    words = [t for t in last if t.kind == _WORD]
    if words and words[-1].sur:
        return words[-1].sur
    return None


def _patronymic_gender(toks: list[_Tok]) -> str | None:
    for t in toks:
        if t.kind == _PARTICLE:
            return t.hint
        if t.kind == _WORD and t.patr:
            return t.patr
    return None


def gender_from_patronymic(middle: str | None) -> str | None:
    """Gender told by a patronymic: -ович/-евич/-ич and "… оглы" are "m", -овна/-евна/-ична
    and "… кызы" are "f"; None otherwise (also for an initial)."""
    return _patronymic_gender(_col(middle))


def guess_gender(first: str | None, middle: str | None, last: str | None) -> str | None:
    """Patronymic first, then the first-name table, then the surname ending; None when unsure."""
    return _gender(_col(first), _col(middle), _col(last))


# --- companies --------------------------------------------------------------------------------

# Guillemets and typographic quotes never appear in a person's name.
_COMPANY_QUOTES_RE = re.compile("[«»“”„®™©]")
_STRAIGHT_QUOTED_RE = re.compile(r'"[^"]+"')
# One pass over the cell: any legal-form word as a whole word, or a spelled-out legal form.
_COMPANY_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(sorted(map(re.escape, COMPANY_WORDS), key=len, reverse=True))
    + r")(?![^\W\d_])|"
    + "|".join(r"\s+".join(map(re.escape, p.split())) for p in COMPANY_PHRASES)
)


_COMPANY_WORD_SET = frozenset(COMPANY_WORDS)
_COMPANY_PHRASE_RE = re.compile("|".join(re.escape(" ".join(p.split())) for p in COMPANY_PHRASES))
_COMPANY_PHRASE_SECOND_WORDS = tuple(p.split()[1] for p in COMPANY_PHRASES)


def looks_like_company(raw: str) -> bool:
    """True for organisations: "ООО «Ромашка»", "ИП Петров", "АО …", "Acme LLC", "Foo GmbH".

    Looks for legal forms (Russian, Kazakh, Ukrainian, international) as whole words, spelled-out
    legal forms, a few nouns no personal name contains (магазин, салон, клиника…), guillemets
    and straight quotes around part of the cell. A nickname in quotes inside a person's name
    ('Иванов Иван "Ваня"') therefore reads as a company; a cell quoted as a whole does not.
    """
    s = as_text(raw)
    if not s:
        return False
    folded = s.casefold()
    words = folded.split()
    if "".join(words).isalpha():
        # Letters and white space only (no quotes then): a legal-form word can only match a
        # whole word (a letter is never a boundary), and a spelled-out form only within the
        # words joined by single spaces, where its second word starts a word.
        if not _COMPANY_WORD_SET.isdisjoint(words):
            return True
        for w in words[1:]:
            if w.startswith(_COMPANY_PHRASE_SECOND_WORDS):
                return _COMPANY_PHRASE_RE.search(" ".join(words)) is not None
        return False
    return _company_by_patterns(s, folded)


def _company_by_patterns(s: str, folded: str) -> bool:
    """``looks_like_company`` for any text (``folded``: its casefold)."""
    if _COMPANY_QUOTES_RE.search(s):
        return True
    if '"' in s:
        stripped = s.strip()
        quoted = _STRAIGHT_QUOTED_RE.search(stripped)
        # A straight-quoted part names a company ('Салон "Лиса"'); a cell that is quoted as a
        # whole is just a CSV leftover around a person's name.
        if quoted and quoted.group() != stripped:
            return True
    return _COMPANY_RE.search(folded) is not None
