"""Person names: splitting a typed ФИО, cleaning parts, gender, comparison keys, companies."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from clientbase.normalize import name_data
from clientbase.normalize.names import (
    PersonName,
    canonical_first_name,
    clean_name_part,
    first_name_keys,
    first_name_variants,
    first_names_compatible,
    fold,
    fold_latin,
    gender_from_patronymic,
    guess_gender,
    latin_keys,
    looks_like_company,
    name_from_parts,
    parse_full_name,
    transliterate,
)

# --- parse_full_name ----------------------------------------------------------------------------

# raw cell -> (last, first, middle, gender)
FULL_NAMES = [
    # the three orders of a full ФИО
    ("Иванов Иван Иванович", ("Иванов", "Иван", "Иванович", "m")),
    ("Иван Иванович Иванов", ("Иванов", "Иван", "Иванович", "m")),
    ("Иван Иванов", ("Иванов", "Иван", None, "m")),
    ("Иванов Иван", ("Иванов", "Иван", None, "m")),
    ("Мария Петрова", ("Петрова", "Мария", None, "f")),
    # initials, stored one per part with a dot
    ("ИВАНОВ И.И.", ("Иванов", "И.", "И.", "m")),
    ("Иванов И. И.", ("Иванов", "И.", "И.", "m")),
    ("И.И. Иванов", ("Иванов", "И.", "И.", "m")),
    ("Иванов И.И", ("Иванов", "И.", "И.", "m")),
    ("И.И.Иванов", ("Иванов", "И.", "И.", "m")),
    ("Иванов И.", ("Иванов", "И.", None, "m")),
    ("Иванова Мария П.", ("Иванова", "Мария", "П.", "f")),
    ("Мария К.", ("К.", "Мария", None, "f")),
    # case
    ("иванова мария петровна", ("Иванова", "Мария", "Петровна", "f")),
    ("ИВАНОВА МАРИЯ ПЕТРОВНА", ("Иванова", "Мария", "Петровна", "f")),
    ("иВАНОВ иВАН", ("Иванов", "Иван", None, "m")),
    ("ИВанов Иван", ("Иванов", "Иван", None, "m")),
    # single words: a known first name, otherwise a surname
    ("Мария", (None, "Мария", None, "f")),
    ("Петрова", ("Петрова", None, None, "f")),
    ("Саша", (None, "Саша", None, None)),
    ("Зульфикаров", ("Зульфикаров", None, None, "m")),
    # ё kept as typed
    ("Алёна Ёлкина", ("Ёлкина", "Алёна", None, "f")),
    ("Пётр Семёнович Королёв", ("Королёв", "Пётр", "Семёнович", "m")),
    # double-barrelled and hyphenated
    ("Петров-Водкин Кузьма Сергеевич", ("Петров-Водкин", "Кузьма", "Сергеевич", "m")),
    ("петров-водкин кузьма сергеевич", ("Петров-Водкин", "Кузьма", "Сергеевич", "m")),
    ("Римский-Корсаков Николай", ("Римский-Корсаков", "Николай", None, "m")),
    ("Анна-Мария Петрова", ("Петрова", "Анна-Мария", None, "f")),
    ("Петров Водкин Кузьма Сергеевич", ("Петров Водкин", "Кузьма", "Сергеевич", "m")),
    # Kazakh, Tatar, Caucasian, Ukrainian, Korean
    ("Нурсултан Абишевич", (None, "Нурсултан", "Абишевич", "m")),
    ("Гульнара Ринатовна", (None, "Гульнара", "Ринатовна", "f")),
    ("Нурсултан Әбішұлы", (None, "Нурсултан", "Әбішұлы", "m")),
    ("Айгерим Серікқызы", (None, "Айгерим", "Серікқызы", "f")),
    ("Хабибуллина Гульнара Ринатовна", ("Хабибуллина", "Гульнара", "Ринатовна", "f")),
    ("Ахмед оглы Мамедов", ("Мамедов", None, "Ахмед оглы", "m")),
    ("Мамедов Ахмед Гусейн оглы", ("Мамедов", "Ахмед", "Гусейн оглы", "m")),
    ("Ахмед Гусейн оглы Мамедов", ("Мамедов", "Ахмед", "Гусейн оглы", "m")),
    ("МАМЕДОВ АХМЕД ГУСЕЙН ОГЛЫ", ("Мамедов", "Ахмед", "Гусейн оглы", "m")),
    ("Алиева Лейла Гасан кызы", ("Алиева", "Лейла", "Гасан кызы", "f")),
    ("Шевченко Тарас Григорьевич", ("Шевченко", "Тарас", "Григорьевич", "m")),
    ("Тарас Шевченко", ("Шевченко", "Тарас", None, "m")),
    ("Петросян Ашот", ("Петросян", "Ашот", None, "m")),
    ("Ким Ольга", ("Ким", "Ольга", None, "f")),
    ("Цой Виктор Робертович", ("Цой", "Виктор", "Робертович", "m")),
    ("Кузьмин Владимир Ильич", ("Кузьмин", "Владимир", "Ильич", "m")),
    ("Ульянова Мария Ильинична", ("Ульянова", "Мария", "Ильинична", "f")),
    # Belarusian -ович surnames next to a patronymic
    ("Карпович Иван Петрович", ("Карпович", "Иван", "Петрович", "m")),
    ("Иван Петрович Карпович", ("Карпович", "Иван", "Петрович", "m")),
    ("Карпович Анна", ("Карпович", "Анна", None, "f")),
    # no first name in the table: the surname suffix decides
    ("Зульфикар Абдуллаев", ("Абдуллаев", "Зульфикар", None, "m")),
    ("Абдуллаев Зульфикар", ("Абдуллаев", "Зульфикар", None, "m")),
    # Latin
    ("John Smith", ("Smith", "John", None, "m")),
    ("Smith, John", ("Smith", "John", None, "m")),
    ("Smith, John A.", ("Smith", "John", "A.", "m")),
    ("John A. Smith", ("Smith", "John", "A.", "m")),
    ("John Paul Smith", ("Smith", "John", "Paul", "m")),
    ("SMITH John", ("Smith", "John", None, "m")),
    ("JOHN SMITH", ("Smith", "John", None, "m")),
    ("john smith", ("Smith", "John", None, "m")),
    ("Mary Johnson", ("Johnson", "Mary", None, "f")),
    ("Mr. John Smith", ("Smith", "John", None, "m")),
    ("Mrs. Smith", ("Smith", None, None, "f")),
    ("o'brien patrick", ("O'Brien", "Patrick", None, "m")),
    ("Ronald McDonald", ("McDonald", "Ronald", None, "m")),
    ("RONALD MCDONALD", ("McDonald", "Ronald", None, "m")),
    ("Ludwig van Beethoven", ("van Beethoven", "Ludwig", None, None)),
    ("IVANOV IVAN", ("Ivanov", "Ivan", None, "m")),
    ("Ivanova Maria Petrovna", ("Ivanova", "Maria", "Petrovna", "f")),
    ("Sergey Ivanov", ("Ivanov", "Sergey", None, "m")),
    ("Jean-Pierre Dupont", ("Dupont", "Jean-Pierre", None, None)),
    # noise around the name
    ("  Иванов\tИван\u00a0 Иванович  ", ("Иванов", "Иван", "Иванович", "m")),
    ("Петров Пётр (клиент)", ("Петров", "Пётр", None, "m")),
    ("Петров Пётр (постоянный клиент", ("Петров", "Пётр", None, "m")),
    ("Иван (Ваня)", (None, "Иван", None, "m")),
    ("Иванов Иван [VIP]", ("Иванов", "Иван", None, "m")),
    ("Иванов Иван +7 (916) 123-45-67", ("Иванов", "Иван", None, "m")),
    ("89161234567 Иванова Анна", ("Иванова", "Анна", None, "f")),
    ("Иванов Иван ivanov@mail.ru", ("Иванов", "Иван", None, "m")),
    ("Иванов Иван Иванович, директор", ("Иванов", "Иван", "Иванович", "m")),
    ("Иванов, Иван Иванович", ("Иванов", "Иван", "Иванович", "m")),
    ("Иванов Иван - клиент", ("Иванов", "Иван", None, "m")),
    ("ИП Петров Иван Иванович", ("Петров", "Иван", "Иванович", "m")),
    ("Г-н Петров", ("Петров", None, None, "m")),
    ('"Иванов Иван"', ("Иванов", "Иван", None, "m")),
    ("(Иванов Иван)", ("Иванов", "Иван", None, "m")),
    # letters from the wrong keyboard layout (Latin "a" and "o" in a Cyrillic word)
    ("Ивaнов Ивaн", ("Иванов", "Иван", None, "m")),
    # decomposed й (macOS) and a stress mark
    ("Серге\u0438\u0306 Ива\u0301нов", ("Иванов", "Сергей", None, "m")),
]


@pytest.mark.parametrize(("raw", "expected"), FULL_NAMES)
def test_parse_full_name(raw: str, expected: tuple) -> None:
    p = parse_full_name(raw)
    assert (p.last, p.first, p.middle, p.gender) == expected


class MissingLikePandasNA:
    """Behaves like pandas.NA: compares to NA and refuses to be a bool."""

    def __ne__(self, other: object) -> MissingLikePandasNA:  # type: ignore[override]
        return self

    def __bool__(self) -> bool:
        raise TypeError("boolean value of NA is ambiguous")


@pytest.mark.parametrize(
    "raw", ["", "   ", "+7 916 123-45-67", "(клиент)", "-", None, math.nan, MissingLikePandasNA()]
)
def test_parse_full_name_empty(raw) -> None:
    assert parse_full_name(raw) == PersonName(None, None, None, None)


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("иван иванович иванов", "Иванов Иван Иванович"),
        ("ИВАНОВ И.И.", "Иванов И. И."),
        ("Мария", "Мария"),
        ("Ахмед оглы Мамедов", "Мамедов Ахмед оглы"),
        ("SMITH John", "John Smith"),
        ("Smith, John A.", "John A. Smith"),
        ("Ivanova Maria Petrovna", "Maria Petrovna Ivanova"),
        ("", ""),
    ],
)
def test_display(raw: str, display: str) -> None:
    assert parse_full_name(raw).display == display


def test_person_name_is_frozen_and_display_order() -> None:
    p = PersonName("Иванов", "Иван", None, "m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.first = "Пётр"  # type: ignore[misc]
    assert p.display == "Иванов Иван"
    assert PersonName("Smith", "John", "A.", "m").display == "John A. Smith"
    assert PersonName(None, None, None, None).display == ""


def test_parse_full_name_is_cached_and_accepts_non_strings() -> None:
    assert parse_full_name("Иванов Иван") is parse_full_name("Иванов Иван")
    assert parse_full_name(12345) == PersonName(None, None, None, None)


# --- clean_name_part ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("иВАНОВ", "Иванов"),
        ("ИВАНОВ", "Иванов"),
        ("  иванов  ", "Иванов"),
        ("петров-водкин", "Петров-Водкин"),
        ("петров–водкин", "Петров-Водкин"),  # en dash
        ("o'brien", "O'Brien"),
        ("O’BRIEN", "O'Brien"),
        ("McDonald", "McDonald"),
        ("mcdonald", "McDonald"),
        ("дар'я", "Дар'я"),
        ("и.и.", "И. И."),
        ("и", "И."),
        ("И.", "И."),
        ("алёна", "Алёна"),
        ("гусейн ОГЛЫ", "Гусейн оглы"),
        ("van beethoven", "van Beethoven"),
        ("Иванов 2", "Иванов"),
        ("Иван (Ваня)", "Иван"),
        ("Ивaнов", "Иванов"),  # Latin a
        ("", None),
        ("   ", None),
        ("123", None),
        (None, None),
        (math.nan, None),
        (MissingLikePandasNA(), None),
    ],
)
def test_clean_name_part(raw, expected) -> None:
    assert clean_name_part(raw) == expected


# --- name_from_parts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Иванов", "Иван", "Иванович"), ("Иванов", "Иван", "Иванович", "m")),
        (("иВАНОВА", "мария", ""), ("Иванова", "Мария", None, "f")),
        (("Иванова", None, None), ("Иванова", None, None, "f")),
        ((None, "Женя", None), (None, "Женя", None, None)),
        (("Петрова", "Женя", None), ("Петрова", "Женя", None, "f")),
        (("Smith", "John", None), ("Smith", "John", None, "m")),
        (("Smith", "John Paul", None), ("Smith", "John Paul", None, "m")),
        # the whole ФИО typed into one column
        ((None, "Иванов Иван Иванович", None), ("Иванов", "Иван", "Иванович", "m")),
        (("Иванов Иван Иванович", "", None), ("Иванов", "Иван", "Иванович", "m")),
        ((None, None, "Иван Иванович Иванов"), ("Иванов", "Иван", "Иванович", "m")),
        (("ИВАНОВ И.И.", None, None), ("Иванов", "И.", "И.", "m")),
        # ... but a two-word surname alone stays a surname
        (("Петров Водкин", None, None), ("Петров Водкин", None, None, "m")),
        # patronymic typed with the first name
        (("Иванов", "Иван Иванович", None), ("Иванов", "Иван", "Иванович", "m")),
        ((None, "Иван Иванов", "Иванович"), ("Иванов", "Иван", "Иванович", "m")),
        # initials in the Имя column
        (("Иванов", "И.И.", None), ("Иванов", "И.", "И.", "m")),
        (("Иванов", "И.", "И."), ("Иванов", "И.", "И.", "m")),
        # Фамилия and Имя swapped
        (("Иван", "Иванов", None), ("Иванов", "Иван", None, "m")),
        # Turkic patronymic in its own column
        (("Мамедов", "Ахмед", "Гусейн оглы"), ("Мамедов", "Ахмед", "Гусейн оглы", "m")),
        ((None, None, None), (None, None, None, None)),
        (("", " ", math.nan), (None, None, None, None)),
    ],
)
def test_name_from_parts(parts: tuple, expected: tuple) -> None:
    p = name_from_parts(*parts)
    assert (p.last, p.first, p.middle, p.gender) == expected


# --- gender -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("middle", "gender"),
    [
        ("Иванович", "m"),
        ("Сергеевич", "m"),
        ("Ильич", "m"),
        ("Кузьмич", "m"),
        ("Ивановна", "f"),
        ("Сергеевна", "f"),
        ("Никитична", "f"),
        ("Ильинична", "f"),
        ("Гусейн оглы", "m"),
        ("Гасан кызы", "f"),
        ("Абишулы", "m"),
        ("Ivanovich", "m"),
        ("Sergeyevna", "f"),
        ("ИВАНОВИЧ", "m"),
        ("И.", None),
        ("Иван", None),
        ("Paul", None),
        ("", None),
        (None, None),
    ],
)
def test_gender_from_patronymic(middle, gender) -> None:
    assert gender_from_patronymic(middle) == gender


@pytest.mark.parametrize(
    ("first", "middle", "last", "gender"),
    [
        # the patronymic wins over everything
        ("Саша", "Петровна", "Иванов", "f"),
        # then the first-name table
        ("Мария", None, "Иванов", "f"),
        ("Иван", None, None, "m"),
        ("Валентина", None, None, "f"),
        ("Валентин", None, None, "m"),
        ("John", None, None, "m"),
        ("Karen", None, None, "f"),
        ("Карен", None, None, "m"),
        ("Ivan", None, None, "m"),
        ("Ваня", None, None, "m"),
        ("Bill", None, None, "m"),
        # ambiguous first names fall through to the surname
        ("Саша", None, "Иванова", "f"),
        ("Женя", None, "Петров", "m"),
        ("Женя", None, None, None),
        ("Слава", None, None, None),
        ("Sasha", None, None, None),
        # surname endings
        (None, None, "Иванова", "f"),
        (None, None, "Соловьёва", "f"),
        (None, None, "Ильина", "f"),
        (None, None, "Достоевская", "f"),
        (None, None, "Трубецкая", "f"),
        (None, None, "Толстая", "f"),
        (None, None, "Иванов", "m"),
        (None, None, "Соловьёв", "m"),
        (None, None, "Ильин", "m"),
        (None, None, "Достоевский", "m"),
        (None, None, "Трубецкой", "m"),
        (None, None, "Ivanova", "f"),
        (None, None, "Petrovsky", "m"),
        (None, None, "Шевченко", None),
        (None, None, "Петросян", None),
        (None, None, "Smith", None),
        ("И.", "И.", "Иванова", "f"),
        (None, None, None, None),
    ],
)
def test_guess_gender(first, middle, last, gender) -> None:
    assert guess_gender(first, middle, last) == gender


# --- fold, transliterate, fold_latin ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Алёна", "алена"),
        ("ЁЛКИНА", "елкина"),
        ("Йошкин", "йошкин"),
        ("Петров-Водкин", "петров водкин"),
        ("Петров - Водкин", "петров водкин"),
        ("  Иванов \t Иван ", "иванов иван"),
        ("José Müller", "jose muller"),
        ("Straße", "strasse"),
        ("Ørsted", "orsted"),
        ("O'Brien", "obrien"),
        ("и\u0306", "й"),  # decomposed й stays й
        ("Ива\u0301нов", "иванов"),  # stress mark dropped
        ("Ивaнов", "иванов"),  # Latin a in a Cyrillic word
        ("", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Иванов", "Ivanov"),
        ("Щукина", "Shchukina"),
        ("ЩУКИНА", "SHCHUKINA"),
        ("Юлия", "Yuliya"),
        ("Ксения", "Kseniya"),
        ("Жуков", "Zhukov"),
        ("Хабибуллина", "Khabibullina"),
        ("Цой", "Tsoy"),
        ("Алёна", "Alena"),
        ("Наталья", "Natalya"),
        ("Дмитрий", "Dmitriy"),
        ("Подъячев", "Podyachev"),
        ("Эдуард", "Eduard"),
        ("Ян", "Yan"),
        ("Іванна", "Ivanna"),
        ("Иванов Иван Иванович", "Ivanov Ivan Ivanovich"),
        ("John Smith", "John Smith"),
        ("", ""),
    ],
)
def test_transliterate(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic) == latin


SAME_NAME_SPELLINGS = [
    ("Щукина", "Shchukina", "Schukina", "Ščukina", "Shhukina", "SHCHUKINA"),
    ("Юлия", "Yuliya", "Julia", "Iuliia", "Yulia", "Julija", "Ioulia"),
    ("Ксения", "Kseniya", "Ksenia", "Xenia", "Kseniia"),
    ("Жуков", "Zhukov", "Žukov"),
    ("Иванов", "Ivanov", "IVANOV"),
    ("Алёна", "Алена", "Alyona", "Alena", "Aliona", "Aljona"),
    ("Фёдор", "Fyodor", "Fedor", "Fiodor"),
    ("Пётр", "Pyotr", "Petr"),
    ("Наталья", "Наталия", "Natalya", "Natalia", "Natal'ya", "Natalja"),
    ("Дмитрий", "Dmitriy", "Dmitry", "Dmitrii", "Dmitrij", "Dmitri"),
    ("Сергей", "Sergey", "Sergei", "Sergej"),
    ("Алексей", "Aleksey", "Alexey", "Alexei", "Aleksei"),
    ("Михаил", "Mikhail", "Mihail"),
    ("Елена", "Elena", "Yelena"),
    ("Евгений", "Evgeniy", "Yevgeniy", "Evgenii", "Evgeny"),
    ("Юрий", "Yuriy", "Yury", "Iurii", "Juri", "Youri"),
    ("Андреев", "Andreev", "Andreyev"),
    ("Васильев", "Vasilev", "Vasiliev", "Vasilyev", "Vasil'ev"),
    ("Чайковский", "Chaykovskiy", "Chaikovsky", "Tschaikowski", "Čajkovskij"),
    ("Хабибуллин", "Khabibullin", "Habibullin"),
    ("Цветков", "Tsvetkov"),
    ("Виктор", "Viktor", "Victor"),
    ("Константин", "Konstantin", "Constantin"),
    ("Владимир", "Vladimir", "Wladimir"),
    ("Кирилл", "Kirill", "Kiril"),
    ("Джамиля", "Dzhamilya", "Jamilya", "Djamilya"),
    ("Петров-Водкин", "Petrov-Vodkin", "Petrov Vodkin"),
]


@pytest.mark.parametrize("spellings", SAME_NAME_SPELLINGS, ids=lambda s: s[0])
def test_fold_latin_merges_spellings(spellings: tuple[str, ...]) -> None:
    keys = {fold_latin(s) for s in spellings}
    assert len(keys) == 1, keys
    # the documented contract: transliterate first or not, the key is the same
    assert fold_latin(transliterate(spellings[0])) == fold_latin(spellings[0])


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Щукина", "shukina"),
        ("Юлия", "iulia"),
        ("Жуков", "zhukov"),
        ("Иванов", "ivanov"),
        ("Ксения", "ksenia"),
        ("", ""),
    ],
)
def test_fold_latin_key_form(raw: str, key: str) -> None:
    assert fold_latin(raw) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Иванов", "Петров"),
        ("Жанна", "Яна"),
        ("Шишкин", "Сискин"),
        ("Мария", "Марина"),
        ("Евгений", "Евгения"),
    ],
)
def test_fold_latin_keeps_different_names_apart(a: str, b: str) -> None:
    assert fold_latin(a) != fold_latin(b)


def test_latin_keys_reads_french_j_as_zh() -> None:
    # fold_latin reads J as the glide of Julia/Andrej; latin_keys also offers the French Ж.
    assert fold_latin("Jukov") != fold_latin("Жуков")
    assert fold_latin("Жуков") in latin_keys("Jukov")
    assert fold_latin("Юлия") in latin_keys("Julia")
    assert latin_keys("Ivanov") == frozenset({"ivanov"})


# --- first names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "gender", "canonical"),
    [
        ("Саша", None, "саша"),  # ambiguous: the folded diminutive itself
        ("Саша", "m", "александр"),
        ("Саша", "f", "александра"),
        ("Шура", "m", "александр"),
        ("Саня", "m", "александр"),
        ("Женя", None, "женя"),
        ("Женя", "f", "евгения"),
        ("Валя", "m", "валентин"),
        ("Лена", None, "елена"),
        ("Алёна", None, "алена"),
        ("Ваня", None, "иван"),
        ("ВАНЯ", None, "иван"),
        ("Серёжа", None, "сергей"),
        ("Лёша", None, "алексей"),
        ("Катя", None, "екатерина"),
        ("Наташа", "f", "наташа"),  # наталья / наталия: still two spellings
        ("Жора", None, "георгий"),
        ("Слава", "m", "слава"),  # many full names even for one gender
        ("Иван", None, "иван"),
        ("Ника", None, "ника"),  # a full name in its own right
        ("Зульфикар", None, "зульфикар"),  # unknown: just folded
        ("Bill", None, "william"),
        ("Bob", None, "robert"),
        ("Kate", None, "kate"),
        ("Alex", "f", "alexandra"),
        ("Vanya", None, "ivan"),
        ("Sasha", "f", "aleksandra"),
        ("Alexander", None, "alexander"),
        ("И.", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_canonical_first_name(first, gender, canonical) -> None:
    assert canonical_first_name(first, gender) == canonical


@pytest.mark.parametrize(
    ("first", "variants"),
    [
        ("Саша", {"саша", "александр", "александра"}),
        ("Женя", {"женя", "евгений", "евгения"}),
        ("Иван", {"иван"}),
        ("Bill", {"bill", "william"}),
        ("Vanya", {"vanya", "ivan"}),
        ("", set()),
        (None, set()),
    ],
)
def test_first_name_variants(first, variants) -> None:
    assert first_name_variants(first) == frozenset(variants)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (None, "Иван"),
        ("", "Мария"),
        ("Иван", None),
        ("Иван", "иван"),
        ("Алёна", "Алена"),
        ("И.", "Иван"),
        ("И", "Иван"),
        ("Иван", "И."),
        ("И.", "И"),
        ("И.", "Ivan"),
        ("I.", "Иван"),
        ("J.", "Юлия"),
        ("Ю.", "Yulia"),
        ("Ж.", "Zhanna"),
        ("А.", "Саша"),  # the initial of a full form
        ("Саша", "Александр"),
        ("Саша", "Александра"),
        ("Шура", "Саша"),
        ("Саня", "Шура"),
        ("Саша", "Alexander"),
        ("Саша", "Aleksandr"),
        ("Alexander", "Aleksandr"),
        ("Alexander", "Александр"),
        ("Sasha", "Саша"),
        ("Alex", "Алексей"),
        ("Женя", "Евгения"),
        ("Женя", "Евгений"),
        ("Eugene", "Евгений"),
        ("Юлия", "Julia"),
        ("Юля", "Yuliya"),
        ("Ксения", "Ksenia"),
        ("Ксюша", "Kseniya"),
        ("Наталья", "Наталия"),
        ("Наташа", "Natalia"),
        ("Катя", "Katherine"),
        ("Kate", "Екатерина"),
        ("Bill", "William"),
        ("Vanya", "Иван"),
        ("Слава", "Вячеслав"),
        ("Влад", "Слава"),
        ("Michael", "Михаил"),
        ("Mikhail", "Миша"),
        ("Анна-Мария", "Мария"),  # a double first name fits either half
        ("Анна Мария", "Аня"),
        ("Иван", "Ивана"),  # a typo, as dedupe reads it (one rule for import and dedupe)
        ("Ирина", "Ирна"),
    ],
)
def test_first_names_compatible(a, b) -> None:
    assert first_names_compatible(a, b)
    assert first_names_compatible(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Иван", "Мария"),
        ("Иван", "Пётр"),
        ("Евгений", "Евгения"),
        ("Александр", "Алексей"),
        ("Жанна", "Яна"),
        ("Саша", "Женя"),
        ("И.", "Пётр"),
        ("И.", "П."),
        ("Б.", "Саша"),
        ("John", "Иван"),
        ("Bill", "Robert"),
        ("Анна-Мария", "Ольга"),
        ("Мария", "Марина"),  # close spellings, two names of the tables
    ],
)
def test_first_names_incompatible(a, b) -> None:
    assert not first_names_compatible(a, b)
    assert not first_names_compatible(b, a)


def test_first_name_keys_meet_across_scripts() -> None:
    assert "aleksandr" in first_name_keys("Саша")
    assert "aleksandr" in first_name_keys("Alexander")
    assert first_name_keys("Иван").isdisjoint(first_name_keys("Мария"))
    assert first_name_keys(None) == frozenset()


# --- companies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "ООО «Ромашка»",
        'ООО "Ромашка"',
        "ооо ромашка",
        "OOO Romashka",
        "ИП Петров",
        "ИП Петров Иван Иванович",
        "АО Газпром",
        "ЗАО Альфа",
        "ПАО Сбербанк",
        "ОАО РЖД",
        "НКО Добро",
        "ГБУ Жилищник",
        "ТОО Астана-Сервис",
        "Общество с ограниченной ответственностью Вектор",
        "«Ромашка»",
        'Салон "Лиса"',
        "Салон красоты Лиса",
        "Acme LLC",
        "Acme, Ltd.",
        "Siemens GmbH",
        "Apple Inc.",
        "Acme Corporation",
    ],
)
def test_looks_like_company(raw: str) -> None:
    assert looks_like_company(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "Иванов Иван Иванович",
        "Петров И.П.",
        "Ипатов Иван",
        "Аоки Юко",
        "John Smith",
        "Mary-Ann O'Brien",
        '"Иванов Иван"',  # a CSV leftover around a person's name
        "Мамедов Ахмед Гусейн оглы",
        "",
        None,
    ],
)
def test_looks_like_person(raw) -> None:
    assert not looks_like_company(raw)


# --- the tables ---------------------------------------------------------------------------------


def test_tables_are_folded_and_consistent() -> None:
    folded = re.compile(r"^[a-zа-яй-]+$")
    assert all(folded.match(k) and "ё" not in k for k in name_data.FIRST_NAMES)
    assert set(name_data.FIRST_NAMES.values()) == {"m", "f"}
    cyrillic = [k for k in name_data.FIRST_NAMES if not k.isascii()]
    latin = [k for k in name_data.FIRST_NAMES if k.isascii()]
    assert len(cyrillic) >= 250
    assert len(latin) >= 150
    assert len(name_data.DIMINUTIVES) >= 100
    # every full form a diminutive points to is a known first name with a gender
    for dim, forms in name_data.DIMINUTIVES.items():
        assert forms, dim
        assert all(f in name_data.FIRST_NAMES for f in forms), dim
    for latin_name, forms in name_data.LATIN_EQUIVALENTS.items():
        assert latin_name in name_data.FIRST_NAMES
        assert all(f in name_data.FIRST_NAMES for f in forms)
