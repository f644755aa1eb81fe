#!/usr/bin/env python3
"""Generate a large, messy, Russian-Excel-style contact CSV for benchmarking ``clientbase import``.

    python benchmarks/generate_contacts.py 1000000 /tmp/contacts.csv --seed 1 --dup-rate 0.15

Columns: ``ФИО;Телефон;E-mail;Дата рождения;Город;Источник;Комментарий`` (``;``-delimited, CRLF,
quoted only where needed, like Excel's "CSV (разделители — точка с запятой)").

Every row is one of three kinds:

* a *new person*. Each has a phone number and an e-mail address unique to them by construction
  (both come from bijections of the person's serial number). A new person never folds into an
  earlier one by accident.
* a *re-occurrence* (``--dup-rate``) of an earlier person. It shares at least one valid key with
  that person's first row: the same phone written in another format, and/or the same e-mail in
  another case. The name is often written differently too.
* a *reject*: a row with only a comment, with no name, phone, e-mail or company.

So after a correct import, customers = new persons, and rejected rows = rejects. The generator
prints the counts to stderr. About 2% of persons have a garbage phone and about 1% of e-mails are
malformed. Such persons still import, on their name or their other key, with the bad value
flagged. Everything a person is (name, phone, e-mail, birthday, city) is derived from their serial
number. A re-occurrence therefore needs no stored state, and memory stays constant for any N.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

HEADER = "ФИО;Телефон;E-mail;Дата рождения;Город;Источник;Комментарий"
NEWLINE = "\r\n"
BATCH = 5_000

# --- name tables (male base forms; female forms derived) -----------------------------------------
SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин "
    "Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов "
    "Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов "
    "Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев "
    "Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев "
    "Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев "
    "Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков "
    "Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов "
    "Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов "
    "Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев "
    "Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов Софронов Мальцев Логинов "
    "Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Демин Хохлов "
    "Фадеев Молчанов Игнатов Литвинов Ершов Ушаков Дементьев Рябов Мухин Калашников Леонтьев "
    "Лобанов Кузьмин Корнилов Евдокимов Бородин Платонов Некрасов Балашов Бобров Жданов Блинов "
    "Игнатьев Коротков Муравьёв Крюков Беляков Богомолов Дроздов Лавров Зуев Петухов Ларин "
    "Никулин Серов Терентьев Зотов Устинов Фокин Самойлов Константинов Сахаров Шишкин Самсонов "
    "Черкасов Чистяков Носов Спиридонов Карасёв Авдеев Воронцов Зверев Владимиров Селезнёв "
    "Нечаев Кудряшов Седов Фирсов Андрианов Панин Головин Терехов Ульянов Шестаков Агеев "
    "Никонов Селиверстов Баженов Гордеев Кожевников Пахомов Зимин Костин Широков Филимонов "
    "Ларионов Овсянников Сазонов Суворов Нефёдов Корнилов Павловский Высоцкий Островский "
    "Покровский Успенский Вознесенский Рождественский Чайковский Троицкий Луговой Толстой "
    "Шевченко Ковальчук Бондаренко Ткаченко Кравченко Олейник Коваленко Марченко Литвиненко "
    "Савченко Руденко Мельничук Полищук Гончарук"
).split()
MALE_NAMES = (
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий Владимир "
    "Владислав Вячеслав Геннадий Георгий Глеб Григорий Даниил Денис Дмитрий Евгений Егор Иван "
    "Игорь Илья Кирилл Константин Лев Леонид Максим Матвей Михаил Никита Николай Олег Павел "
    "Пётр Роман Руслан Семён Сергей Станислав Степан Тимофей Тимур Фёдор Юрий Ярослав"
).split()
FEMALE_NAMES = (
    "Александра Алина Алиса Алла Анастасия Ангелина Анна Валентина Валерия Вера Вероника "
    "Виктория Галина Дарья Диана Евгения Екатерина Елена Елизавета Жанна Зоя Ирина Карина Кира "
    "Кристина Ксения Лариса Лидия Любовь Людмила Маргарита Марина Мария Милана Надежда Наталья "
    "Нина Оксана Олеся Ольга Полина Светлана София Таисия Тамара Татьяна Ульяна Юлия Яна"
).split()
# father's name -> (patronymic of a son, patronymic of a daughter)
PATRONYMICS = (
    ("Иванович", "Ивановна"),
    ("Петрович", "Петровна"),
    ("Сергеевич", "Сергеевна"),
    ("Александрович", "Александровна"),
    ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Николаевич", "Николаевна"),
    ("Михайлович", "Михайловна"),
    ("Владимирович", "Владимировна"),
    ("Викторович", "Викторовна"),
    ("Юрьевич", "Юрьевна"),
    ("Олегович", "Олеговна"),
    ("Игоревич", "Игоревна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Анатольевич", "Анатольевна"),
    ("Васильевич", "Васильевна"),
    ("Павлович", "Павловна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Валерьевич", "Валерьевна"),
    ("Борисович", "Борисовна"),
    ("Григорьевич", "Григорьевна"),
    ("Романович", "Романовна"),
    ("Константинович", "Константиновна"),
    ("Фёдорович", "Фёдоровна"),
    ("Ильич", "Ильинична"),
    ("Никитич", "Никитична"),
    ("Львович", "Львовна"),
    ("Максимович", "Максимовна"),
    ("Степанович", "Степановна"),
    ("Вадимович", "Вадимовна"),
    ("Тимурович", "Тимуровна"),
)
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)
TRANSLIT["ъ"] = TRANSLIT["ь"] = ""

# --- contact tables ------------------------------------------------------------------------------
MOBILE_CODES = (
    "900 901 902 903 904 905 906 908 909 910 911 912 913 914 915 916 917 918 919 920 921 922 "
    "923 924 925 926 927 928 929 931 932 933 934 936 937 938 939 950 951 952 953 960 961 "
    "962 963 964 965 966 967 968 969 977 980 981 982 983 984 985 986 987 988 989"
).split()
SECOND_CODES = tuple("991 992 993 994 995 996 999".split())  # second numbers: a space of their own
CITY_CODES = (
    "495 499 496 498 473 471 474 481 482 484 485 486 487 491 493 494 812 831 843 846 861 863 "
    "342 343 351 383 391"
).split()
GARBAGE_PHONES = (
    "123",
    "нет",
    "не дал",
    "тел. уточнить",
    "0",
    "8 (916) 12",
    "8916123",
    "+7 (495) 12-34",
    "8 800",
    "89",
    "---",
    "???",
)
DOMAINS = (
    ("mail.ru",) * 8
    + ("yandex.ru",) * 6
    + ("gmail.com",) * 5
    + ("bk.ru",) * 2
    + ("list.ru",) * 2
    + ("inbox.ru", "ya.ru", "rambler.ru")
)
CITIES = (
    ("Москва",) * 12
    + ("Санкт-Петербург",) * 4
    + ("Химки", "Балашиха", "Подольск", "Мытищи", "Королёв", "Люберцы", "Одинцово", "Зеленоград")
    + ("Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Самара", "Ростов-на-Дону")
    + ("Краснодар", "Воронеж", "Тула", "Тверь", "Ярославль", "Калуга", "Рязань", "Владимир")
    + ("г. Москва", "москва", "МСК", "СПб", "Питер", "")
    + ("",) * 6
)
SOURCES = (
    ("Яндекс.Директ",) * 4
    + ("Авито",) * 4
    + ("сарафанное радио",) * 3
    + ("Instagram", "Instagram", "ВКонтакте", "ВКонтакте", "2ГИС", "2ГИС", "вывеска")
    + ("Яндекс.Карты", "от знакомых", "сайт", "повторный", "Telegram", "выставка")
    + ("",) * 8
)
COMMENTS = (
    "постоянный клиент",
    "перезвонить",
    "скидка 5%",
    "скидка 10%",
    "VIP",
    "доставка курьером",
    "самовывоз",
    "предпочитает WhatsApp",
    "звонить после 18:00",
    "не звонить утром",
    "оптовик",
    "купил в рассрочку",
    "жалоба, решено",
    "карта лояльности",
    "день рождения — поздравить",
    '"опт; счёт на юрлицо"',
    '"просил ""не звонить"" до обеда"',
    '"второй номер — жены; звонить на первый"',
    "оставил отзыв на Яндекс.Картах",
    "пришёл по акции",
)
REJECT_COMMENTS = (
    "позвонить в понедельник",
    "звонок сорвался",
    "???",
    "см. выше",
    "уточнить контакты",
    "клиент с выставки, визитку потеряли",
    "заказ №",
    "ИТОГО",
)
MONTHS = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
).split()

M64 = (1 << 64) - 1
SUBS = 10_000_000  # 7-digit subscriber numbers per area code


def weyl_multiplier(modulus: int, frac: float) -> int:
    """A multiplier coprime with ``modulus`` near ``frac * modulus``: ``p -> p * a % modulus`` is
    then a bijection of [0, modulus) that scatters consecutive ``p`` far apart."""
    a = int(modulus * frac) | 1
    while math.gcd(a, modulus) != 1:
        a += 2
    return a


# (codes, multiplier) for the three disjoint phone-number spaces
MOBILE_SPACE = (MOBILE_CODES, weyl_multiplier(len(MOBILE_CODES) * SUBS, 0.6180339887))
CITY_SPACE = (CITY_CODES, weyl_multiplier(len(CITY_CODES) * SUBS, 0.4142135623))
SECOND_SPACE = (SECOND_CODES, weyl_multiplier(len(SECOND_CODES) * SUBS, 0.7320508075))


def number_in(space: tuple[Sequence[str], int], p: int, salt: int) -> tuple[str, int]:
    """Person ``p``'s number in ``space``: distinct for every p < len(codes) * 10**7."""
    codes, mult = space
    t = (p * mult + salt) % (len(codes) * SUBS)
    return codes[t // SUBS], t % SUBS


def _female(surname: str) -> str:
    if surname.endswith(("ко", "ук", "юк", "ик")):  # indeclinable: the same for women
        return surname
    if surname.endswith(("ий", "ый", "ой")):
        return surname[:-2] + "ая"
    return surname + "а"


def translit(word: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in word.lower())


SURNAMES = tuple(dict.fromkeys(SURNAMES))  # drop accidental repeats, keep order
SURNAME_F = tuple(_female(s) for s in SURNAMES)
S_M_LAT = tuple(translit(s) for s in SURNAMES)
S_F_LAT = tuple(translit(s) for s in SURNAME_F)
FIRST = tuple(MALE_NAMES) + tuple(FEMALE_NAMES)
FIRST_LAT = tuple(translit(f) for f in FIRST)
N_MALE = len(MALE_NAMES)
N_COMBOS = len(SURNAMES) * len(FIRST)


def _check_tables() -> None:
    """The e-mail local part must identify (surname, first name, number) without ambiguity."""
    surnames = set(S_M_LAT) | set(S_F_LAT)
    firsts = set(FIRST_LAT)
    assert len(set(S_M_LAT)) == len(SURNAMES), "surname transliterations collide"
    assert len(firsts) == len(FIRST), "first-name transliterations collide"
    declinable = sum(m != f for m, f in zip(S_M_LAT, S_F_LAT, strict=True))
    assert len(surnames) == len(SURNAMES) + declinable, "male/female surname forms collide"
    assert not surnames & firsts, "a surname transliterates like a first name"
    assert all(ch.isalpha() for w in surnames | firsts for ch in w)
    for table in (SURNAMES, SURNAME_F, FIRST, COMMENTS, REJECT_COMMENTS, CITIES, SOURCES):
        for value in table:
            value.encode("cp1251")


_check_tables()


def mix(x: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread hash of a person's serial number."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def fmt_phone(kind: int, code: str, sub: int) -> str:
    s = f"{sub:07d}"
    a, b, c = s[:3], s[3:5], s[5:]
    if kind == 0:
        return f"8 ({code}) {a}-{b}-{c}"
    if kind == 1:
        return f"+7 {code} {a} {b} {c}"
    if kind == 2:
        return f"{code}{s}"
    if kind == 3:
        return f"+7 ({code}) {a}-{b}-{c}"
    if kind == 4:
        return f"8{code}{s}"
    if kind == 5:
        return f"8-{code}-{a}-{b}-{c}"
    if kind == 6:
        return f"+7{code}{s}"
    return f"7 {code} {s}"


N_PHONE_FORMATS = 8


def identity(p: int, salt: int, slots: tuple[int, int]) -> tuple:
    """Person p's two hashes, surname and first-name indexes, number, sex, first name,
    patronymic and surname.

    (surname, first name, number) is a bijection of p, so an e-mail built from them is unique."""
    h = mix(p ^ salt)
    h2 = mix(h)
    n_slots, mult = slots
    q = (p * mult + salt) % n_slots
    combo, num = q % N_COMBOS, q // N_COMBOS
    s_idx, f_idx = combo % len(SURNAMES), combo // len(SURNAMES)
    male = f_idx < N_MALE
    pat = PATRONYMICS[h2 % len(PATRONYMICS)]
    middle = pat[0] if male else pat[1]
    last = SURNAMES[s_idx] if male else SURNAME_F[s_idx]
    return h, h2, s_idx, f_idx, num, male, FIRST[f_idx], middle, last


class Person:
    """Everything about person number ``p``, derived from ``p`` alone (no stored state)."""

    __slots__ = (
        "bday",
        "city",
        "code",
        "email",
        "email_bad",
        "email_case",
        "first",
        "garbage",
        "last",
        "middle",
        "phone_fmt",
        "second",
        "sub",
    )

    def __init__(self, p: int, salt: int, slots: tuple[int, int]) -> None:
        h, h2, s_idx, f_idx, num, male, self.first, self.middle, self.last = identity(
            p, salt, slots
        )

        u = h & 0xFFFF
        v = (h >> 16) & 0xFFFF
        w = (h >> 32) & 0xFFFF
        kind = v % 1000
        self.garbage = None
        self.second = None
        if kind < 20:  # 2%: garbage instead of a phone
            self.garbage = GARBAGE_PHONES[(v >> 10) % len(GARBAGE_PHONES)]
            self.code, self.sub = "", 0
        elif kind < 100:  # 8%: a city (landline) number
            self.code, self.sub = number_in(CITY_SPACE, p, salt)
        else:
            self.code, self.sub = number_in(MOBILE_SPACE, p, salt)
        if self.garbage is None and w % 100 < 3:  # 3%: a second number in the same cell
            self.second = number_in(SECOND_SPACE, p, salt)
        self.phone_fmt = (h >> 60) % N_PHONE_FORMATS

        self.email = ""
        self.email_bad = False
        self.email_case = 0
        if u % 100 < 60:
            fl = FIRST_LAT[f_idx]
            sl = S_M_LAT[s_idx] if male else S_F_LAT[s_idx]
            tail = str(num) if num else ""
            style = (h >> 48) % 3
            if style == 0:
                local = f"{fl}.{sl}{tail}"
            elif style == 1:
                local = f"{sl}.{fl}{tail}"
            else:
                local = f"{sl}_{fl}{tail}"
            domain = DOMAINS[(h >> 40) % len(DOMAINS)]
            if (u >> 8) % 100 < 1:  # 1% of e-mails malformed
                self.email_bad = True
                bad = (u >> 7) % 4
                if bad == 0:
                    self.email = f"{local}@{domain.split('.')[0]}"
                elif bad == 1:
                    self.email = f"{local}.{domain}"
                elif bad == 2:
                    self.email = f"{local}@@{domain}"
                else:
                    self.email = f"{local}@{domain.replace('.', ',')}"
            else:
                self.email = f"{local}@{domain}"
                self.email_case = (h >> 52) % 10  # 0-6 lower, 7-8 Capitalised, 9 UPPER
        # birthday (for everyone; shown on about half the rows)
        year = 1950 + (h2 >> 8) % 56
        month = 1 + (h2 >> 16) % 12
        day = 1 + (h2 >> 24) % 28
        self.bday = (day, month, year)
        self.city = CITIES[(h2 >> 32) % len(CITIES)]

    def phone(self, fmt: int) -> str:
        if self.garbage is not None:
            return self.garbage
        return fmt_phone(fmt, self.code, self.sub)


def cased(email: str, style: int) -> str:
    if style <= 6:
        return email
    if style <= 8:
        local, _, domain = email.partition("@")
        return local[:1].upper() + local[1:] + "@" + domain.capitalize()
    return email.upper()


def fmt_name(p: Person, style: int) -> str:
    last, first, middle = p.last, p.first, p.middle
    if style < 40:
        return f"{last} {first} {middle}"
    if style < 55:
        return f"{first} {last}"
    if style < 65:
        return f"{last} {first}"
    if style < 73:
        return f"{last.upper()} {first[0]}.{middle[0]}."
    if style < 81:
        return f"{last} {first} {middle}".lower()
    if style < 86:
        return f"{first} {middle} {last}"
    if style < 90:
        return f"{last.upper()} {first.upper()} {middle.upper()}"
    if style < 94:
        return f"{last} {first[0]}. {middle[0]}."
    if style < 97:
        return f"  {last}  {first} "
    return ""  # no name at all: identity by phone/e-mail


def fmt_bday(day: int, month: int, year: int, style: int) -> str:
    if style < 45:
        return f"{day:02d}.{month:02d}.{year}"
    if style < 60:
        return f"{year}-{month:02d}-{day:02d}"
    if style < 70:
        return f"{day}.{month}.{year}"
    if style < 82:
        return f"{day} {MONTHS[month - 1]} {year}"
    if style < 90:
        return f"{day:02d}.{month:02d}"
    if style < 96:
        return f"{day:02d}.{month:02d}.{year % 100:02d}"
    return f"{day:02d}/{month:02d}/{year}"


def generate(
    n: int,
    counts: dict[str, int],
    *,
    seed: int = 1,
    dup_rate: float = 0.15,
    reject_rate: float = 0.005,
) -> Iterator[list[str]]:
    """Yield batches of CSV lines (the header first); fill ``counts`` when done."""
    rng = random.Random(seed)
    rnd = rng.random
    salt = mix(seed) & 0xFFFFFFFF
    n_slots = N_COMBOS * (n // N_COMBOS + 1)  # >= any number of persons we can create
    slots = (n_slots, weyl_multiplier(n_slots, 0.3819660113))
    if n >= len(SECOND_CODES) * SUBS:
        raise ValueError(f"at most {len(SECOND_CODES) * SUBS - 1} rows")
    persons = dups = rejects = garbage = bad_emails = two = 0
    n_comments, n_sources, n_cities = len(COMMENTS), len(SOURCES), len(CITIES)

    def pick(persons: int) -> Person | None:
        """A random earlier person with a valid phone (garbage-phone persons never recur)."""
        for _ in range(20 if persons else 0):
            target = Person(int(rnd() * persons), salt, slots)
            if target.garbage is None:
                return target
        return None

    lines: list[str] = [HEADER]
    append = lines.append
    for _ in range(n):
        r = rnd()
        if r < reject_rate:
            rejects += 1
            append(";;;;;;" + REJECT_COMMENTS[int(rnd() * len(REJECT_COMMENTS))])
        elif r < reject_rate + dup_rate and (target := pick(persons)) is not None:
            # a re-occurrence of an earlier person (whose first row has a valid phone)
            dups += 1
            has_email = bool(target.email) and not target.email_bad
            how = rnd()
            if not has_email or how < 0.55:  # the phone, in another format
                fmt = (target.phone_fmt + 1 + int(rnd() * (N_PHONE_FORMATS - 1))) % N_PHONE_FORMATS
                phone = target.phone(fmt)
                if how < 0.30 and has_email:  # ... and the e-mail in another case
                    email = cased(target.email, (target.email_case + 3 + int(rnd() * 5)) % 10)
                else:
                    email = ""
            else:  # only the e-mail, in another case; no phone
                phone = ""
                email = cased(target.email, 9 if target.email_case <= 6 else int(rnd() * 7))
            name = fmt_name(target, int(rnd() * 97))
            bday = fmt_bday(*target.bday, int(rnd() * 100)) if rnd() < 0.4 else ""
            city = target.city if rnd() < 0.6 else ""
            comment = "повторно" if rnd() < 0.3 else ""
            append(
                f"{name};{phone};{email};{bday};{city};{SOURCES[int(rnd() * n_sources)]};{comment}"
            )
        else:
            pers = Person(persons, salt, slots)
            persons += 1
            phone = pers.phone(pers.phone_fmt)
            if pers.garbage is not None:
                garbage += 1
            elif pers.second is not None:
                two += 1
                code2, sub2 = pers.second
                other = fmt_phone(int(rnd() * N_PHONE_FORMATS), code2, sub2)
                phone = f'"{phone}; {other}"' if rnd() < 0.25 else f"{phone}, {other}"
            email = pers.email
            if pers.email_bad:
                bad_emails += 1
            elif email:
                email = cased(email, pers.email_case)
            x = rnd()
            bday = fmt_bday(*pers.bday, int(x * 200)) if x < 0.5 else ""
            city = pers.city if rnd() < 0.9 else CITIES[int(rnd() * n_cities)]
            x = rnd()
            comment = COMMENTS[int(x * 5 * n_comments)] if x < 0.2 else ""
            # a row without a name must still have a valid phone
            name = fmt_name(pers, int(rnd() * (97 if pers.garbage is not None else 100)))
            append(
                f"{name};{phone};{email};{bday};{city};{SOURCES[int(rnd() * n_sources)]};{comment}"
            )
        if len(lines) >= BATCH:
            yield lines
            lines = []
            append = lines.append
    yield lines
    counts.update(
        rows=persons + dups + rejects,
        persons=persons,
        duplicates=dups,
        rejects=rejects,
        garbage_phones=garbage,
        bad_emails=bad_emails,
        two_phones=two,
    )


def write_csv(
    n: int,
    out: str | Path,
    *,
    seed: int = 1,
    dup_rate: float = 0.15,
    encoding: str = "utf-8",
    bom: bool = False,
) -> dict[str, int]:
    """Write the file (``-`` = stdout) and return the counts."""
    enc = "utf-8-sig" if bom and encoding == "utf-8" else encoding
    counts: dict[str, int] = {}
    write_batches(out, generate(n, counts, seed=seed, dup_rate=dup_rate), enc)
    return counts


def write_batches(out: str | Path, batches, encoding: str) -> None:
    """Stream batches of CSV lines to a file, or to stdout for ``-``."""
    if str(out) == "-":
        stream = open(sys.stdout.fileno(), "w", encoding=encoding, newline="", closefd=False)
    else:
        stream = open(out, "w", encoding=encoding, newline="")
    with stream:
        for lines in batches:
            if lines:
                stream.write(NEWLINE.join(lines))
                stream.write(NEWLINE)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate a messy Russian contact CSV (';', CRLF) for benchmarks."
    )
    ap.add_argument("n", type=int, help="number of data rows (header not counted)")
    ap.add_argument("out", help="output file, or - for stdout")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.15, help="share of re-occurring persons")
    ap.add_argument("--encoding", choices=("utf-8", "cp1251"), default="utf-8")
    ap.add_argument("--bom", action="store_true", help="write a UTF-8 BOM (Excel's 'CSV UTF-8')")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if not 0 <= args.dup_rate < 0.995:
        ap.error("--dup-rate must be in [0, 0.995)")
    t0 = time.perf_counter()
    c = write_csv(
        args.n,
        args.out,
        seed=args.seed,
        dup_rate=args.dup_rate,
        encoding=args.encoding,
        bom=args.bom,
    )
    dt = time.perf_counter() - t0
    print(
        f"{c['rows']} rows: {c['persons']} distinct persons (expected customers), "
        f"{c['duplicates']} intended duplicates, {c['rejects']} rejects (no identity); "
        f"{c['garbage_phones']} garbage phones, {c['bad_emails']} malformed e-mails, "
        f"{c['two_phones']} cells with two phones; {dt:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
