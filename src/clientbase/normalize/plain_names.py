"""The usual name cell in one step: what the three questions of a contact import give for it.

An import asks three things of a name cell, each splitting the text again: keep it as typed
(:func:`.typed_names.keep_as_typed`)? a company (:func:`.names.looks_like_company`)? which word
is which (:func:`.names.parse_full_name`)? For the usual cell, one to three name words of
letters separated by spaces, all three depend on its words alone, and the order on a handful of
each word's attributes: both are cached here (words repeat: ~2,000 distinct in 200,000 names; 38
combinations of attributes), so such a cell costs a split, a look-up per word and a join. The
next most usual cell, a surname and two capital initials ("ИВАНОВ И.И.", "Иванов И. И."), is
answered the same way from its word. Any other cell is left to the general path
(``tests/test_name_fast_paths.py`` holds the two equal).
"""

from __future__ import annotations

import re

from .name_data import COMPANY_PHRASES
from .name_fold import CYR_RE
from .names import (
    _COMPANY_WORD_SET,
    _INITIAL,
    _WORD,
    _assemble,
    _slots,
    _Tok,
    _tok,
)
from .typed_names import PLACEHOLDERS, not_a_name_word

__all__ = ["plain_person"]

_PLAIN_WORDS: dict[str, tuple | bool] = {}
# Each combination of a word's attributes numbered: the order of a cell's words is then asked
# by one int (the count of words, then each word's number), not a tuple of tuples.
_ATTRS: dict[tuple, int] = {}
_ATTRS_BITS = 10
_PLAIN_ORDERS: dict[int, tuple] = {}
_PLAIN_MAX = 1 << 16  # emptied when full, which a real list rarely makes it
# A word that could start a two-word placeholder ("без имени", "no name").
_PLACEHOLDER_FIRST_WORDS = frozenset(p.split()[0] for p in PLACEHOLDERS if len(p.split()) > 1)
# Words that may be the second word of a spelled-out legal form (see names.looks_like_company,
# which searches the phrases in the cell's words joined by single spaces): the second word of a
# two-word phrase may start a longer word ("детский садик"); that of a longer phrase is followed
# by a space, so it is a whole word ("товарищество с ограниченной": the word "с", a lone letter
# the shortcut declines anyway). Surnames starting with "с" are then plain words.
_PHRASE_WORD_STARTS = tuple(p.split()[1] for p in COMPANY_PHRASES if len(p.split()) == 2)
_PHRASE_WORDS = frozenset(p.split()[1] for p in COMPANY_PHRASES if len(p.split()) > 2)


def _plain_word(w: str) -> tuple | bool:
    """(the word as stored, what the order and display depend on), or False for a word the
    shortcut leaves to the general path: an initial or a lone letter, a placeholder, a word that
    is no name word (a role, kin, a shop), a legal form or the start of a spelled-out one, a
    particle or an honorific, a letter whose casefold is no letter."""
    if len(w) == 1:
        return False
    folded = w.casefold()
    lower = w.lower()
    if (
        not folded.isalpha()
        or folded in _COMPANY_WORD_SET
        or folded.startswith(_PHRASE_WORD_STARTS)
        or folded in _PHRASE_WORDS
        or lower in PLACEHOLDERS
        or lower in _PLACEHOLDER_FIRST_WORDS
        or not_a_name_word(w)
    ):
        return False
    t = _tok(w)
    if t.kind != _WORD or t.strong or t.hint is not None:
        return False
    shout = len(w) <= 4 and w.isupper()  # "HR", "СТО": kept as typed when alone
    text_cyr = CYR_RE.search(t.text) is not None
    attrs = (t.cyr, t.caps, t.first, t.patr, t.sur, text_cyr, shout)
    number = _ATTRS.get(attrs)
    if number is None:  # 2 * 2 * 3 * 3 * 4 * 2 * 2 combinations at most
        number = _ATTRS[attrs] = len(_ATTRS)
    return t.text, attrs, number


def _plain_order(attrs: tuple) -> tuple:
    """(index of the surname, of the first name, of the middle name, each or None; gender;
    the indexes in display order) for words of these attributes, as the general path orders
    them (asked once per combination)."""
    toks = []
    for cyr, caps, first, patr, sur, _text_cyr, _shout in attrs:
        t = _Tok()  # one object per position: the slots are mapped back by identity
        t.text, t.kind, t.cyr, t.caps, t.first, t.patr, t.sur = (
            "",
            _WORD,
            cyr,
            caps,
            first,
            patr,
            sur,
        )
        t.strong, t.hint = False, None
        toks.append(t)
    last, first, middle = _slots(toks)
    gender = _assemble(last, first, middle, None).gender

    def at(slot: list[_Tok]) -> int | None:
        return next(i for i, t in enumerate(toks) if t is slot[0]) if slot else None

    places = (at(last), at(first), at(middle))
    present = [i for i in places if i is not None]
    if any(attrs[i][5] for i in present):
        shown = present  # surname first
    else:
        shown = [i for i in (places[1], places[2], places[0]) if i is not None]
    return (*places, gender, tuple(shown))


def _initials_order(attrs: tuple, cyr_x: bool, cyr_y: bool) -> tuple:
    """(the slot of the word, of the first and of the second initial: 0 surname, 1 first
    name, 2 middle name; gender; whether the display is surname first) for a word of these
    attributes followed by two initials, as the general path places them (asked once per
    combination)."""
    cyr, caps, first, patr, sur, text_cyr, _shout = attrs
    w = _Tok()
    w.text, w.kind, w.cyr, w.caps, w.first, w.patr, w.sur = "", _WORD, cyr, caps, first, patr, sur
    w.strong, w.hint = False, None
    toks = [w]
    for _ in range(2):
        t = _Tok()
        t.text, t.kind, t.cyr, t.caps = "", _INITIAL, False, False
        t.first = t.patr = t.sur = t.hint = None
        t.strong = False
        toks.append(t)
    slots = _slots(toks)
    gender = _assemble(*slots, None).gender
    where = tuple(next(k for k, slot in enumerate(slots) if t in slot) for t in toks)
    # PersonName.display: surname first when any part is Cyrillic, each slot holding one part.
    return (*where, gender, text_cyr or cyr_x or cyr_y)


# "ИВАНОВ И.И.", "Иванов И. И.": a surname and two initials, the next most usual cell. Capital
# letters only: none of them is a word keep_as_typed or looks_like_company knows, none starts
# a spelled-out legal form but "С", which would need a word after it.
_WITH_INITIALS = re.compile(r"([^\W\d_]+) ([A-ZА-ЯЁ])\. ?([A-ZА-ЯЁ])\.")
_INITIALS_ORDERS: dict[int, tuple] = {}


def _learn_word(word: str) -> tuple | bool:
    """``_plain_word`` of a word not in the per-word cache, kept there (the cache is emptied
    when full)."""
    if len(_PLAIN_WORDS) >= _PLAIN_MAX:
        _PLAIN_WORDS.clear()
    info = _PLAIN_WORDS[word] = _plain_word(word)
    return info


def _with_initials(text: str) -> tuple | None:
    """``plain_person`` of a word and two initials; None for any other cell."""
    m = _WITH_INITIALS.fullmatch(text)
    if m is None:
        return None
    word, x, y = m.groups()
    info = _PLAIN_WORDS.get(word)
    if info is None:
        info = _learn_word(word)
    if info is False:
        return None
    cyr_x, cyr_y = x >= "Ё", y >= "Ё"  # the Cyrillic capitals sort after the Latin ones
    key = info[2] << 2 | cyr_x << 1 | cyr_y
    order = _INITIALS_ORDERS.get(key)
    if order is None:  # 4 per combination of the word's attributes: a few thousand at most
        order = _INITIALS_ORDERS[key] = _initials_order(info[1], cyr_x, cyr_y)
    i, j, k, gender, surname_first = order
    parts: list[str | None] = [None, None, None]
    parts[i], parts[j], parts[k] = info[0], x + ".", y + "."
    last, first, middle = parts
    shown = (last, first, middle) if surname_first else (first, middle, last)
    return last, first, middle, gender, " ".join([p for p in shown if p])


def plain_person(text: str) -> tuple | None:
    """(last, first, middle, gender, display) of a name cell that is plainly a person's name:
    one to three name words of letters separated by spaces, none of them a legal form, a
    placeholder or an initial, or one such word and two initials in capitals ("ИВАНОВ И.И.").
    Exactly what ``keep_as_typed`` (False), ``looks_like_company`` (False) and
    ``parse_full_name`` with its ``display`` give for it; None for any other cell, which takes
    the general path."""
    if not text.replace(" ", "").isalpha():
        return _with_initials(text)
    words = text.split()
    n = len(words)
    if not 1 <= n <= 3:
        return None
    known = _PLAIN_WORDS
    found = []
    key = n  # the number of words and each one's attributes, as one int
    for w in words:
        info = known.get(w)
        if info is None:
            info = _learn_word(w)
        if info is False:
            return None
        found.append(info)
        key = key << _ATTRS_BITS | info[2]
    if n == 1 and found[0][1][6]:
        return None  # an abbreviation in capitals: kept as typed
    order = _PLAIN_ORDERS.get(key)
    if order is None:
        if len(_PLAIN_ORDERS) >= _PLAIN_MAX:
            _PLAIN_ORDERS.clear()
        order = _PLAIN_ORDERS[key] = _plain_order(tuple([info[1] for info in found]))
    i, j, k, gender, shown = order
    return (
        None if i is None else found[i][0],
        None if j is None else found[j][0],
        None if k is None else found[k][0],
        gender,
        " ".join([found[x][0] for x in shown]),
    )
