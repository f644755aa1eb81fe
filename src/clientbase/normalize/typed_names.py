"""Names that are not a person's name, as people type them into address books.

People save contacts under anything: a number ("+7 916 …"), an address ("ivan@mail.ru"), a
nickname ("Mama k", "1st DC"), a department ("HR"), a company ("1&1 Internet Inc"), a
placeholder ("N/A", Bitrix24's "Гость"). Taking such text apart as Фамилия/Имя destroys it:
"1st DC" would become "St Dc", "HR" "Hr", "N/A" "N. A.". The rule here: a name is parsed only
when every part of it reads as a name word; anything else is kept exactly as typed (spaces
tidied) as the customer's display name, and a phone or email inside it becomes a contact point.
"""

from __future__ import annotations

import re

__all__ = ["PLACEHOLDERS", "contacts_in_name", "keep_as_typed", "tidy"]

# Said instead of a name: a customer whose name nobody knows.
PLACEHOLDERS = frozenset({
    "n/a", "na", "n.a.", "-", "--", "---", "?", "??", ".", "...", "x", "xx", "xxx",
    "нет", "не указано", "не указан", "неизвестно", "неизвестный", "без имени", "нет имени",
    "гость", "аноним", "клиент", "покупатель", "пользователь", "тест", "имя",
    "не вказано", "без імені", "невідомо", "гість", "клієнт",
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


def tidy(text: str) -> str:
    return " ".join(text.split())


def _only_name_words(text: str) -> bool:
    # Letters and spaces only, the usual cell, are name words for sure (a letter is always a
    # word character): the regular expression is asked about the rest.
    return text.replace(" ", "").isalpha() or _ONLY_NAME_WORDS.fullmatch(text) is not None


def keep_as_typed(text: str) -> bool:
    """True when ``text`` is not a person's name to take apart: digits, symbols, an
    abbreviation in capitals, a stray lower-case letter, a placeholder."""
    if not _only_name_words(text):
        return bool(text.strip())  # digits, "&", "@", "/", "#": not name words
    words = text.split()
    if len(words) == 1:
        word = words[0].strip(",")
        if word.lower() in PLACEHOLDERS:
            return True
        bare = word.rstrip(".")
        # "HR", "IT", "СТО": capitals too short to be a shouted name
        return 2 <= len(bare) <= _ABBREVIATION_MAX and bare.isupper()
    if len(words) == 2 and f"{words[0]} {words[1]}".lower() in PLACEHOLDERS:
        return True  # "без имени", "no name"
    # "Mama k": a letter typed as a nickname, not an initial (those are capitals or have dots)
    for w in words:
        if len(w) == 1 and w.islower():
            return True
    return False


def contacts_in_name(text: str) -> tuple[list[str], list[str]]:
    """(phones, emails) typed in a name field: "+7 916 123-45-67", "ivan@mail. ru"."""
    emails = [re.sub(r"\s+", "", m.group()) for m in _EMAIL.finditer(text)]
    rest = _EMAIL.sub(" ", text)
    phones = [m.group().strip() for m in _PHONE.finditer(rest)]
    phones = [p for p in phones if sum(c.isdigit() for c in p) >= 7]
    return phones, emails
