"""The shortcuts the name rules take for the usual cell (letters and spaces only) give exactly
the answers of the general path, for a large generated set of names of the shapes people type,
odd ones included: other white space, digits, punctuation, quotes, combining marks, letters
whose casefold is no letter, legal forms and spelled-out ones with uneven spacing."""

from __future__ import annotations

import random

from clientbase.normalize import names, plain_names, typed_names

WORDS = [
    "Иванов", "иван", "ИВАНОВИЧ", "Петрова", "мария", "Сергеевна", "Ёлкин", "Алёна", "Кузьма",
    "Петров-Водкин", "O'Brien", "Дарʼя", "John", "SMITH", "van", "der", "Berg", "оглы", "Гусейн",
    "кызы", "Mc", "DeVito", "И", "И.", "С.С.", "г-н", "Mrs", "ip", "ИП", "ООО", "ооо", "llc",
    "Ltd", "GmbH", "магазин", "Салон", "клиника", "с", "ограниченной", "ответственностью",
    "индивидуальный", "предприниматель", "акционерное", "общество", "детский", "сад", "садик",
    "недетский", "группа", "компаний", "limited", "liability", "HR", "IT", "СТО", "k", "x",
    "нет", "гость", "без", "имени", "n/a", "İlker", "Straße", "ǅemal", "Ⅻ", "x²", "Zoë",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "  ", "\t", "\u00a0", ", ", ",", "\n", " - ", "\u2009"]
ODD = ["7", "+7 916 123-45-67", "ivan@mail.ru", "(Ваня)", "«Ромашка»", '"Лиса"', "#", "&",
       "_", "e\u0301", "\u0301", "®", "“", "'", "-", ".", "/"]  # fmt: skip


def _names(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rnd.choice(WORDS) for _ in range(rnd.randint(1, 4))]
        if rnd.random() < 0.25:
            parts.insert(rnd.randrange(len(parts) + 1), rnd.choice(ODD))
        text = parts[0]
        for p in parts[1:]:
            text += (" " if rnd.random() < 0.7 else rnd.choice(SEPARATORS)) + p
        if rnd.random() < 0.1:
            text = rnd.choice(["", " ", "\t"]) + text + rnd.choice(["", " ", "."])
        out.append(text)
    return out


VALUES = _names(60_000, seed=5)


def test_the_set_holds_both_shapes():
    simple = sum(names._letters_and_spaces(v) for v in VALUES)
    assert len(VALUES) // 3 < simple < len(VALUES) * 9 // 10


def test_company_shortcut_matches_the_patterns():
    for v in VALUES:
        assert names.looks_like_company(v) == names._company_by_patterns(v, v.casefold()), v


def test_name_words_shortcut_matches_the_pattern():
    for v in VALUES:
        assert typed_names._only_name_words(v) == (
            typed_names._ONLY_NAME_WORDS.fullmatch(v) is not None
        ), v


def test_parse_shortcut_matches_the_general_path(monkeypatch):
    # names._parse, not the cached entry point: both paths really run.
    fast = [names._parse(v) for v in VALUES]
    # The reference: every text through the regular expressions, as before the shortcut.
    monkeypatch.setattr(names, "_letters_and_spaces", lambda s: False)
    slow = [names._parse(v) for v in VALUES]
    for v, a, b in zip(VALUES, fast, slow, strict=True):
        assert a == b, v
        assert a.display == b.display, v


def test_display_follows_the_script_of_the_parts():
    assert names.PersonName("Иванов", "Иван", None, "m").display == "Иванов Иван"
    assert names.PersonName("Smith", "John", "A.", None).display == "John A. Smith"
    assert names.PersonName("Smith", "Иван", None, None).display == "Smith Иван"
    assert names.PersonName(None, None, None, None).display == ""


# Plain name words of every kind the order rules tell apart (first names of either gender,
# patronymics, surnames by suffix, Latin and Cyrillic, capitals, ё), mixed with words the
# one-step shortcut must leave alone (initials, lone letters, placeholders, legal forms and the
# start of spelled-out ones, particles, honorifics, letters whose casefold is no letter).
PLAIN_WORDS = [
    "Иванов", "иванова", "ИВАНОВ", "Петров", "Сидорова", "Ёлкин", "Алёна", "Иван", "мария", "АННА",
    "Сергеевич", "сергеевна", "Ильич", "Кузьминична", "Карпович", "Шухрат", "Нурсултан", "Абишевич",
    "Гусейн", "Мамедов", "Ким", "Цой", "Дюма", "John", "SMITH", "Mike", "McDonald", "DeVito",
    "JOhn", "Ivanova", "Petrovich", "Ivanovna", "Beethoven", "Zoë", "Straße", "İlker", "ǅemal",
    "Анна", "Мария", "Ахмед", "Петровна", "Иванович", "Берг", "Гюльнара", "Ли", "Ян", "Эль",
    # Words starting with the second word of a spelled-out legal form, or near it: "с" of
    # "товарищество с ограниченной" starts many surnames, "сад" of "детский сад" a few.
    "Серов", "СЕМЁН", "софья", "Степанович", "Садыков", "Садовская", "Сад", "Компанийцев",
    "Обществов", "Ограниченной", "Детский", "Группа", "Товарищество", "Limited", "Liabilityson",
]  # fmt: skip
ODD_WORDS = [
    "И", "и", "k", "x", "ИП", "ООО", "ооо", "Ltd", "llc", "магазин", "Салон", "ограниченной",
    "ответственностью", "с", "индивидуальный", "предприниматель", "оглы", "кызы", "van", "der",
    "Mrs", "г-н", "гость", "нет", "без", "имени", "не", "указано", "HR", "СТО", "IT", "Ⅻ", "ⅻ",
    "Врач", "мама", "Розничный", "покупатель", "Доставка", "Тётя", "Сантехник", "VIP",
]  # fmt: skip


def _plain_heavy(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        words = [
            rnd.choice(ODD_WORDS if rnd.random() < 0.08 else PLAIN_WORDS)
            for _ in range(rnd.choice([1, 2, 2, 3, 3, 3, 4]))
        ]
        sep = " " if rnd.random() < 0.9 else rnd.choice(["  ", "\t", "\u00a0", ", "])
        out.append(rnd.choice(["", "", " "]) + sep.join(words) + rnd.choice(["", "", " "]))
    return out


PLAIN_VALUES = _plain_heavy(40_000, seed=11) + VALUES


def _shortcut_agrees(values: list[str]) -> int:
    """Every value the one-step shortcut answers is answered as the three questions answer it;
    how many it answered."""
    answered = 0
    for v in values:
        got = plain_names.plain_person(v)
        if got is None:
            continue
        answered += 1
        assert not typed_names.keep_as_typed(v), v
        assert not names.looks_like_company(v), v
        parsed = names._parse(v)
        assert got == (parsed.last, parsed.first, parsed.middle, parsed.gender, parsed.display), v
    return answered


def test_one_step_shortcut_gives_what_the_three_questions_give():
    answered = _shortcut_agrees(PLAIN_VALUES)
    # Not vacuous: over half the 40,000 plain-heavy values take the shortcut, and tens of
    # thousands of values the general path.
    assert 20_000 < answered < len(PLAIN_VALUES) - 20_000


def test_one_step_shortcut_declines_what_the_general_path_must_see():
    for v in ["Иванов И", "ИП Петров", "ООО Ромашка", "без имени", "HR", "гость", "Mama k",
              "Петров Иван Сергеевич Лишний", "Гусейн оглы", "Иванов  Иван\t", "Ⅻ Иван",
              "Врач Петров", "Розничный покупатель", "Доставка цветов", "Мама Оли",
              "Общество с ограниченной ответственностью", "Иванов Иван 2", ""]:  # fmt: skip
        assert plain_names.plain_person(v) is None, v


def test_keep_as_typed_shortcut_matches_the_full_check(monkeypatch):
    # Plain words of every kind the parser may drop or that are no name words, mixed.
    rnd = random.Random(7)
    words = [*WORDS, "Врач", "мама", "Покупатель", "Розничный", "Тётя", "Mrs", "VIP", "оглы",
             "А", "Б", "В", "Гусейн", "Петрович", "Иванова", "Олена", "Ким"]  # fmt: skip
    values = VALUES + [
        rnd.choice(["", " "])
        + rnd.choice([" ", " ", ", ", ". ", "."]).join(
            rnd.choice(words) for _ in range(rnd.randint(1, 5))
        )
        for _ in range(20_000)
    ]
    fast = [typed_names.keep_as_typed(v) for v in values]
    # The reference: every cell through the parser's own check of the words it keeps.
    monkeypatch.setattr(typed_names, "_SHORTCUT", False)
    slow = [typed_names.keep_as_typed(v) for v in values]
    assert sum(fast) > len(values) // 10
    for v, a, b in zip(values, fast, slow, strict=True):
        assert a == b, v


def _with_initials(count: int, seed: int) -> list[str]:
    # A word and two initials in the ways people type them, and near misses: small letters,
    # lone letters and placeholders as the word, other spacing and punctuation.
    rnd = random.Random(seed)
    letters = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯABCDEFGHIJKLMNOPQRSTUVWXYZабвёиxyzΩİ"
    out = []
    for _ in range(count):
        word = rnd.choice(PLAIN_WORDS if rnd.random() < 0.8 else ODD_WORDS + WORDS)
        x, y = rnd.choice(letters), rnd.choice(letters)
        sep = " " if rnd.random() < 0.8 else rnd.choice(["  ", ", ", "\t", "\u00a0"])
        dots = (
            rnd.choice([f"{x}.{y}.", f"{x}. {y}."])
            if rnd.random() < 0.7
            else rnd.choice([f"{x}{y}.", f"{x}.{y}", f"{x}.  {y}.", f"{x}.{y}.{x}.", f"{x}."])
        )
        space = rnd.random() < 0.1
        out.append(" " * space + word + sep + dots + " " * space)
    return out


def test_initials_shortcut_gives_what_the_three_questions_give():
    values = _with_initials(30_000, seed=13)
    answered = _shortcut_agrees(values)
    assert 5_000 < answered < len(values) - 5_000
