"""Names that are not a person's name, as people type them into address books.

People save contacts under anything: a number ("+7 916 …"), an address ("ivan@mail.ru"), a
nickname ("Mama k", "1st DC"), a department ("HR"), a company ("1&1 Internet Inc"), a
placeholder ("N/A", Bitrix24's "Гость", 1C's "Розничный покупатель"), a role or a relation
("Врач Петров", "Мама Оли"). Taking such text apart as Фамилия/Имя destroys it: "1st DC" would
become "St Dc", "HR" "Hr", "N/A" "N. A.", "Врач Петров" "Петров Врач". The rule here: a name is
parsed only when every part of it reads as a name word and the parse keeps every word; anything
else is kept exactly as typed (spaces tidied, case kept) as the customer's display name, and a
phone or email inside it becomes a contact point.
"""

from __future__ import annotations

import re

from .name_data import HONORIFICS, JUNK_WORDS, NOT_NAME_WORDS, PATRONYMIC_PARTICLES
from .names import keeps_every_word

__all__ = [
    "PLACEHOLDERS",
    "contacts_in_name",
    "keep_as_typed",
    "not_a_name_word",
    "tidy",
    "words_not_a_name",
]

# Said instead of a name: a customer whose name nobody knows.
PLACEHOLDERS = frozenset({
    "n/a", "na", "n.a.", "-", "--", "---", "?", "??", ".", "...", "x", "xx", "xxx",
    "нет", "не указано", "не указан", "неизвестно", "неизвестный", "без имени", "нет имени",
    "гость", "аноним", "клиент", "покупатель", "пользователь", "тест", "имя",
    "не вказано", "без імені", "невідомо", "гість", "клієнт",
    "розничный покупатель", "частное лицо", "физ. лицо", "физ лицо", "физлицо",
    "физическое лицо", "новый клиент", "новый покупатель", "покупець", "роздрібний покупець",
    "фізична особа", "фізособа", "приватна особа", "сатып алушы", "жеке тұлға",
    "retail customer", "walk-in customer", "cash customer", "private person",
    "guest", "unknown", "no name", "noname", "none", "null", "name", "anonymous", "client",
    "customer", "user", "test",
})  # fmt: skip
# A word a name is made of: letters, with inner hyphens or apostrophes ("Петров-Водкин",
# "O'Brien", "Дар'я"), initials with their dots ("И.", "С.С.", "И.Иванов").
_NAME_WORD = r"[^\W\d_]+(?:[-'’ʼ.][^\W\d_]+)*\.?"
_ONLY_NAME_WORDS = re.compile(rf"[\s,]*{_NAME_WORD}(?:[\s,]+{_NAME_WORD})*[\s,]*")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\s?\.\s?[\w\-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_ABBREVIATION_MAX = 4
_WORD_SPLIT = re.compile(r"[\s,.]+")  # "Физ.лицо", "Иванов,директор": one word each side
# Words that never stand in a person's name: the one-word placeholders, the role, kin and shop
# words of name_data, and the titles and filler words the name parser would drop ("г-н",
# "Mrs", "VIP"): a cell holding one is kept whole rather than losing the word.
_NOT_NAME = frozenset({
    *(p for p in PLACEHOLDERS if p.isalpha() and len(p) > 2),  # phrases match whole only
    *NOT_NAME_WORDS, *JUNK_WORDS, *HONORIFICS,
})  # fmt: skip
_PARTICLES = frozenset(PATRONYMIC_PARTICLES)  # "оглы", "кызы": join the word before them


def tidy(text: str) -> str:
    return " ".join(text.split())


def _only_name_words(text: str) -> bool:
    # Letters and spaces only, the usual cell, are name words for sure (a letter is always a
    # word character): the regular expression is asked about the rest.
    return text.replace(" ", "").isalpha() or _ONLY_NAME_WORDS.fullmatch(text) is not None


# What a plain word (letters only) tells ``keep_as_typed``, kept per word: words repeat.
_KEEP, _CHECK, _LONG = 1, 2, 4  # no name word; a particle, the parser may drop; 2+ letters
_WORD_FLAGS: dict[str, int] = {}
_WORD_FLAGS_MAX = 1 << 16  # emptied when full, which a real list rarely makes it
_SHORTCUT = True  # off: every cell of two words or more asks the parser (the reference)


def _flags(word: str) -> int:
    f = _WORD_FLAGS.get(word)
    if f is None:
        key = word.lower().replace("ё", "е")
        # "Mama k": a letter typed as a nickname, not an initial (those are capitals or dots)
        f = _KEEP if key in _NOT_NAME or (len(word) == 1 and word.islower()) else 0
        f |= (_CHECK if key in _PARTICLES else 0) | (_LONG if len(word) > 1 else 0)
        if len(_WORD_FLAGS) >= _WORD_FLAGS_MAX:
            _WORD_FLAGS.clear()
        _WORD_FLAGS[word] = f
    return f


def keep_as_typed(text: str) -> bool:
    """True when ``text`` is not a person's name to take apart: digits, symbols, an
    abbreviation in capitals, a stray lower-case letter, a placeholder, a word that is no name
    word (a role, kin, a shop, a title), or words the name parser would not keep."""
    plain = text.replace(" ", "").isalpha()  # the usual cell: letters and spaces
    if not plain and _ONLY_NAME_WORDS.fullmatch(text) is None:
        return bool(text.strip())  # digits, "&", "@", "/", "#": not name words
    words = text.split()
    if len(words) == 1:
        word = words[0].strip(",")
        if word.lower() in PLACEHOLDERS:
            return True
        bare = word.rstrip(".")
        # "HR", "IT", "СТО": capitals too short to be a shouted name
        if 2 <= len(bare) <= _ABBREVIATION_MAX and bare.isupper():
            return True
    elif " ".join(words).lower() in PLACEHOLDERS:
        return True  # "без имени", "no name", "Частное лицо", "Физ. лицо"
    if plain:
        flags = 0
        for w in words:
            flags |= _flags(w)
        if flags & _KEEP:
            return True
        count, simple = len(words), not flags & _CHECK and flags & _LONG
    else:
        for w in words:
            if len(w) == 1 and w.islower():  # "Mama k", as above
                return True
        keys = _WORD_SPLIT.sub(" ", text).lower().replace("ё", "е").split()
        if not _NOT_NAME.isdisjoint(keys):
            return True
        count = len(keys)  # "ИВАНОВ И.И.": three, as the parser counts them
        simple = "," not in text and _PARTICLES.isdisjoint(keys) and max(map(len, keys)) > 1
    if _SHORTCUT and simple and count <= 3:
        # One to three words, no particle, no comma, not all single letters: every reading of
        # the parser keeps them all (tests/test_name_fast_paths.py holds this equal).
        return False
    # "Иванов Иван Иванович, директор", "Петров Иван Сергеевич Москва": the parser reads a
    # full ФИО and would drop what follows; a word is never lost, so the cell stays whole.
    return len(words) > 1 and not keeps_every_word(text)


def words_not_a_name(text: str) -> bool:
    """True when the words of ``text`` are no ФИО, whatever else it holds: one of them is no
    name word ("Врач Петров 🌸"), or the name parser would lose one. A call log asks only this:
    the emoji and signs a phone's address book adds to a name are dropped there."""
    return any(map(not_a_name_word, _WORD_SPLIT.split(text))) or not keeps_every_word(text)


def not_a_name_word(word: str) -> bool:
    """A word that never stands in a person's name: "Врач", "покупатель", "Мама", "г-н"."""
    key = word.strip(",.").lower().replace("ё", "е")
    return key in _NOT_NAME


def contacts_in_name(text: str) -> tuple[list[str], list[str]]:
    """(phones, emails) typed in a name field: "+7 916 123-45-67", "ivan@mail. ru"."""
    emails = [re.sub(r"\s+", "", m.group()) for m in _EMAIL.finditer(text)]
    rest = _EMAIL.sub(" ", text)
    phones = [m.group().strip() for m in _PHONE.finditer(rest)]
    phones = [p for p in phones if sum(c.isdigit() for c in p) >= 7]
    return phones, emails
