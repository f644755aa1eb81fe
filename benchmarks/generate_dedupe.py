#!/usr/bin/env python3
"""A labelled contact list for measuring dedupe: every row knows which person it is.

    python benchmarks/generate_dedupe.py 20000 /tmp/dedupe-ru.csv --lang ru --seed 1
    python benchmarks/generate_dedupe.py 20000 /tmp/dedupe-en.csv --lang en --seed 1
    python benchmarks/generate_dedupe.py 30 - --lang ru          # a peek (no truth file)

Next to ``OUT.csv`` it writes ``OUT.truth.csv`` (``row,person``): the spreadsheet row number of
each data row as ``clientbase import`` numbers it (the header is row 1, so data starts at 2)
and the true person behind it.

**Russian list** (``;``-separated, CRLF, UTF-8; columns ``ФИО;Телефон;Email;Дата
рождения;Город;Компания``). About two thirds of the people appear once; the others come back in
1–3 more records, the way one client ends up in a shop's list several times:

* phones in mixed formats (``8 (916) …``, ``+7 916 …``, ``916…``, ``8-916-…``), Kazakh
  ``+7 7xx`` and Belarusian ``+375`` / ``8 029 …`` numbers, a second number now and then;
* names with ё or е, diminutives (Саша Петрова), initials (ПЕТРОВА А.С.), no patronymic,
  first name first, UPPER or lower case, one-letter typos, and Latin transliterations by four
  different schemes (Shchukina, Schukina, Ščukina, Shukina);
* e-mails in another case, Gmail addresses with dots moved or a +tag, sometimes a different
  address altogether;
* birthdays in several formats, city spellings (г. Москва, МСК, Питер), companies with and
  without legal form.

Every person has a phone or an e-mail. A repeat record mostly carries the same phone (in
another format) or the same e-mail (in another spelling); ``NOTHING_SHARED`` (4 %) of repeat
records carry no contact seen before (a new number, another address, none): only their name,
birthday, city and company tell, so they bound the recall of any matcher that does not merge
on a name alone.

Hard negatives, people who are *not* the same: relatives on one home phone (8 % of the people:
a husband and wife, a parent and child, and in one family in ten a father and son or mother and
daughter of the same first name, told apart only by patronymic and birthday when a record
shows them; 15 % of families also share one mailbox), colleagues on one office number, and
namesakes (3 %: same ФИО, another birthday, often another city, no shared contact), plus the
namesakes a list of common, Zipf-weighted names produces by itself.

**English list** (``,``-separated; ``Name,Phone,Email,Birthday,City``): US numbers, most
written without a country code (import it with ``--region US``), nicknames (Bill, Kate, Liz),
typos, "Last, First", middle initials, another e-mail, relatives on one phone, and the
namesakes that common names bring.

The generator's nickname and diminutive lists are its own, written from common usage, and not
taken from the matcher's tables, so a nickname the matcher does not know costs recall as it
would with real data. Everything is drawn from ``random.Random(seed)``: the same seed gives the
same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_contacts as gc  # noqa: E402  (sibling script: its name and phone tables)

RU_COLUMNS = ("ФИО", "Телефон", "Email", "Дата рождения", "Город", "Компания")
EN_COLUMNS = ("Name", "Phone", "Email", "Birthday", "City")

# --- Russian tables ------------------------------------------------------------------------------

# Full form -> everyday forms, as people type them into a contact list.
RU_DIMINUTIVES = {
    "Александр": ("Саша", "Шура", "Саня"),
    "Александра": ("Саша", "Шура"),
    "Алексей": ("Лёша", "Алёша", "Лёха"),
    "Андрей": ("Андрюша",),
    "Анна": ("Аня", "Анюта"),
    "Анастасия": ("Настя",),
    "Артём": ("Тёма",),
    "Борис": ("Боря",),
    "Валентина": ("Валя",),
    "Валерий": ("Валера",),
    "Валерия": ("Лера",),
    "Василий": ("Вася",),
    "Виктор": ("Витя",),
    "Виктория": ("Вика",),
    "Владимир": ("Вова", "Володя"),
    "Владислав": ("Влад", "Слава"),
    "Вячеслав": ("Слава",),
    "Галина": ("Галя",),
    "Геннадий": ("Гена",),
    "Георгий": ("Жора", "Гоша"),
    "Григорий": ("Гриша",),
    "Дарья": ("Даша",),
    "Денис": ("Дэн",),
    "Дмитрий": ("Дима", "Митя"),
    "Евгений": ("Женя",),
    "Евгения": ("Женя",),
    "Екатерина": ("Катя",),
    "Елена": ("Лена",),
    "Елизавета": ("Лиза",),
    "Иван": ("Ваня",),
    "Ирина": ("Ира",),
    "Кирилл": ("Кирюша",),
    "Константин": ("Костя",),
    "Ксения": ("Ксюша",),
    "Лариса": ("Лара",),
    "Леонид": ("Лёня",),
    "Лидия": ("Лида",),
    "Любовь": ("Люба",),
    "Людмила": ("Люда", "Мила"),
    "Маргарита": ("Рита",),
    "Мария": ("Маша",),
    "Максим": ("Макс",),
    "Михаил": ("Миша",),
    "Надежда": ("Надя",),
    "Наталья": ("Наташа",),
    "Николай": ("Коля",),
    "Ольга": ("Оля",),
    "Павел": ("Паша",),
    "Пётр": ("Петя",),
    "Полина": ("Поля",),
    "Роман": ("Рома",),
    "Светлана": ("Света",),
    "Семён": ("Сёма",),
    "Сергей": ("Серёжа", "Серёга"),
    "София": ("Соня",),
    "Станислав": ("Стас",),
    "Степан": ("Стёпа",),
    "Тамара": ("Тома",),
    "Татьяна": ("Таня",),
    "Тимофей": ("Тима",),
    "Фёдор": ("Федя",),
    "Юлия": ("Юля",),
    "Юрий": ("Юра",),
    "Ярослав": ("Ярик",),
    "Илья": ("Илюша",),
    "Лев": ("Лёва",),
}

# Four ways people write Russian in Latin letters: the passport (ICAO) scheme, the popular
# one, a Slavic-studies one with carons, and a loose "English" one.
_BASE = dict(
    zip("абвгдезиклмнопрстуфы", "a b v g d e z i k l m n o p r s t u f y".split(), strict=True)
)
TRANSLIT_SCHEMES = (
    {**_BASE, "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
     "щ": "shch", "ъ": "ie", "ь": "", "э": "e", "ю": "iu", "я": "ia"},
    {**_BASE, "ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
     "щ": "sch", "ъ": "", "ь": "", "э": "e", "ю": "yu", "я": "ya"},
    {**_BASE, "ё": "ë", "ж": "ž", "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š",
     "щ": "šč", "ъ": "", "ь": "'", "э": "è", "ю": "ju", "я": "ja"},
    {**_BASE, "ё": "e", "ж": "zh", "й": "y", "х": "h", "ц": "tz", "ч": "ch", "ш": "sh",
     "щ": "sh", "ъ": "", "ь": "", "э": "e", "ю": "yu", "я": "ya"},
)  # fmt: skip

RU_MOBILE = gc.MOBILE_CODES
RU_CITY = ("495", "499", "812", "843", "846", "861", "863", "343", "383")
KZ_MOBILE = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
# Belarusian mobile prefixes with the first subscriber digits that exist there (25 0…, 29 0…
# are not numbers).
BY_MOBILE = ("255", "256", "257", "259", "291", "292", "293", "295", "296", "297", "298", "299",
             "33", "44")  # fmt: skip

CITY_VARIANTS = {
    "Москва": ("Москва", "г. Москва", "москва", "МСК", "Москва "),
    "Санкт-Петербург": ("Санкт-Петербург", "СПб", "Питер", "г. Санкт-Петербург"),
    "Екатеринбург": ("Екатеринбург", "г. Екатеринбург", "Екб"),
    "Новосибирск": ("Новосибирск", "г. Новосибирск"),
}
RU_CITIES = (
    ("Москва",) * 10
    + ("Санкт-Петербург",) * 4
    + ("Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Самара", "Краснодар")
    + ("Воронеж", "Тула", "Тверь", "Ярославль", "Химки", "Балашиха", "Подольск", "Королёв")
    + ("Алматы", "Астана", "Минск", "Гомель", "Брест", "Караганда")
)
COMPANY_WORDS = (
    "Ромашка Вектор Альфа Стройинвест Техносервис Прогресс Гермес Лидер Орион Спектр Меридиан "
    "Сфера Импульс Квант Гранит Феникс Авангард Магистраль Партнёр Регион Восток Сибирь Уралтех "
    "Профиль Монолит Эталон Атлант Дельта Омега Сигма Юнона Фортуна Созвездие Аврора Гелиос "
    "Стимул Капитал Инвест Энергия Ресурс Логистик Транзит Маяк Парус Карат Рубин Изумруд Янтарь"
).split()
COMPANY_TAILS = ("", "", "", "-М", " Плюс", " Групп", "-Трейд", " Сервис", "-Строй")
LEGAL = ("ООО", "ООО", "ООО", "АО", "ЗАО", "ИП")
DOMAINS = gc.DOMAINS

# Share of repeat records that carry no phone or e-mail seen before: only the name, birthday,
# city and company can link them, so this bounds the recall of any matcher that does not merge
# on a name alone.
NOTHING_SHARED = 0.04
# Among the other repeats, how often the phone (rather than the e-mail) is what links them.
PHONE_CARRIER = {"ru": 0.82, "en": 0.7}

# --- English tables ------------------------------------------------------------------------------

EN_MALE = (
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
    "Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry "
    "Tyler Aaron Henry Douglas Peter Adam Nathan Zachary Walter Kyle Harold Carl"
).split()
EN_FEMALE = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty "
    "Margaret Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah "
    "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela "
    "Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria "
    "Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan "
    "Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Sophia Abigail"
).split()
EN_SURNAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen "
    "Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez "
    "Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy "
    "Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox "
    "Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price "
    "Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell "
    "Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero "
    "Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes "
    "Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens "
    "Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb "
    "Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder"
).split()
EN_NICKNAMES = {
    "William": ("Bill", "Will", "Billy", "Liam"),
    "Robert": ("Bob", "Rob", "Bobby", "Robbie"),
    "Richard": ("Rick", "Dick", "Rich"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Johnny", "Jack"),
    "Michael": ("Mike", "Mikey"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe", "Joey"),
    "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Steven": ("Steve",),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Nicholas": ("Nick",),
    "Alexander": ("Alex",),
    "Jonathan": ("Jon",),
    "Timothy": ("Tim",),
    "Kenneth": ("Ken",),
    "Ronald": ("Ron",),
    "Donald": ("Don",),
    "Patrick": ("Pat",),
    "Peter": ("Pete",),
    "Gregory": ("Greg",),
    "Jeffrey": ("Jeff",),
    "Larry": ("Larry",),
    "Raymond": ("Ray",),
    "Douglas": ("Doug",),
    "Zachary": ("Zach",),
    "Elizabeth": ("Liz", "Beth", "Betty", "Lizzie"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Catherine": ("Kate", "Cathy"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Susan": ("Sue", "Susie"),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky",),
    "Jessica": ("Jess",),
    "Abigail": ("Abby",),
    "Victoria": ("Vicky", "Tori"),
    "Samantha": ("Sam",),
    "Christina": ("Chris", "Tina"),
    "Pamela": ("Pam",),
    "Cynthia": ("Cindy",),
    "Amanda": ("Mandy",),
    "Kimberly": ("Kim",),
    "Stephanie": ("Steph",),
    "Dorothy": ("Dot",),
    "Barbara": ("Barb",),
    "Teresa": ("Terry", "Tess"),
}
US_AREA = (
    "201 202 203 205 206 207 208 212 213 214 215 216 217 234 239 240 248 251 252 253 254 256 "
    "260 262 267 269 270 281 301 302 303 304 305 307 308 309 310 312 313 314 315 316 317 318 "
    "319 320 321 323 330 334 336 337 339 347 351 352 360 361 386 401 402 404 405 406 407 408 "
    "409 410 412 413 414 415 417 419 423 425 432 434 435 440 443 469 478 479 480 484 501 502 "
    "503 504 505 507 508 509 510 512 513 515 516 517 518 520 530 540 541 559 561 562 563 570 "
    "571 573 574 580 585 586 601 602 603 605 606 607 608 609 610 612 614 615 616 617 618 619 "
    "620 623 626 630 631 636 641 646 650 651 660 661 662 678 701 702 703 704 706 708 712 713 "
    "714 715 716 717 718 719 720 724 727 731 732 734 740 754 757 760 763 765 770 772 773 774 "
    "775 781 785 786 801 802 803 804 805 806 808 810 812 813 814 815 816 817 818 828 830 831 "
    "832 843 845 847 848 850 856 857 858 859 860 862 863 864 865 870 901 903 904 906 907 908 "
    "909 910 912 913 914 915 916 917 918 919 920 925 928 931 936 937 940 941 949 952 954 956 "
    "970 971 972 973 978 979 980 985 989"
).split()
EN_CITIES = {
    "New York": ("New York", "NYC", "New York City", "new york"),
    "Los Angeles": ("Los Angeles", "LA", "los angeles"),
    "Chicago": ("Chicago", "chicago"),
    "Houston": ("Houston",),
    "Phoenix": ("Phoenix",),
    "Philadelphia": ("Philadelphia", "Philly"),
    "San Antonio": ("San Antonio",),
    "San Diego": ("San Diego",),
    "Dallas": ("Dallas",),
    "San Francisco": ("San Francisco", "SF"),
    "Austin": ("Austin",),
    "Seattle": ("Seattle",),
    "Denver": ("Denver",),
    "Boston": ("Boston",),
    "Miami": ("Miami",),
    "Atlanta": ("Atlanta",),
    "Portland": ("Portland",),
    "Las Vegas": ("Las Vegas", "Vegas"),
    "Detroit": ("Detroit",),
    "Nashville": ("Nashville",),
}
EN_CITY_WEIGHTS = (8, 6, 5, 4, 3, 3, 2, 3, 3, 3, 2, 3, 2, 3, 2, 2, 2, 1, 1, 1)
EN_DOMAINS = ("gmail.com",) * 6 + ("yahoo.com",) * 3 + ("outlook.com", "hotmail.com", "aol.com")
EN_MONTHS = "January February March April May June July August September October November December"

# --- people --------------------------------------------------------------------------------------


class Who:
    """One true person: the values behind all of their records."""

    __slots__ = (
        "bday",
        "city",
        "company",
        "email",
        "email2",
        "first",
        "last",
        "male",
        "middle",
        "phone",
        "phone2",
        "pid",
    )

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.male = True
        self.last = self.first = self.middle = ""
        self.bday: tuple[int, int, int] = (1980, 1, 1)
        self.phone: tuple[str, str] | None = None  # (country kind, digits)
        self.phone2: tuple[str, str] | None = None
        self.email = ""
        self.email2 = ""
        self.city = ""
        self.company = ""


# Domains that deliver to one mailbox: a second person cannot have ivan@ya.ru when someone
# has ivan@yandex.ru.
_SAME_MAILBOX = {"ya.ru": "yandex.ru", "googlemail.com": "gmail.com"}


def _mailbox(email: str) -> str:
    local, _, domain = email.partition("@")
    domain = _SAME_MAILBOX.get(domain, domain)
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _weighted(items: Sequence[str], skew: float) -> tuple[Sequence[str], list[float]]:
    """Zipf-like weights: the first items of a list are the most common names."""
    return items, [1.0 / (i + 1) ** skew for i in range(len(items))]


class _Generator:
    def __init__(self, lang: str, seed: int) -> None:
        self.lang = lang
        self.rng = random.Random(seed)
        self.phones: set[tuple[str, str]] = set()
        self.emails: set[str] = set()
        self.people: list[Who] = []
        if lang == "ru":
            self.male_names = _weighted(gc.MALE_NAMES, 0.7)
            self.female_names = _weighted(gc.FEMALE_NAMES, 0.7)
            self.surnames = _weighted(gc.SURNAMES, 0.5)
            self.companies = [
                f"{w}{t}" for w in COMPANY_WORDS for t in COMPANY_TAILS[: 2 + len(w) % 4]
            ]
        else:
            self.male_names = _weighted(EN_MALE, 0.6)
            self.female_names = _weighted(EN_FEMALE, 0.6)
            self.surnames = _weighted(EN_SURNAMES, 0.6)
            self.companies = []

    # -- drawing values --

    def choice(self, table: tuple[Sequence[str], list[float]]) -> str:
        items, weights = table
        return self.rng.choices(items, weights)[0]

    def new_phone(self, kind: str | None = None) -> tuple[str, str]:
        r = self.rng.random()
        if self.lang == "en":
            kind = "US"
        elif kind is None:
            kind = "RU" if r < 0.78 else "KZ" if r < 0.86 else "BY" if r < 0.93 else "CITY"
        while True:
            if kind == "US":
                digits = (
                    self.rng.choice(US_AREA)
                    + str(self.rng.randint(2, 9))
                    + f"{self.rng.randrange(100):02d}"
                    + f"{self.rng.randrange(10000):04d}"
                )
            elif kind == "RU":
                digits = self.rng.choice(RU_MOBILE) + f"{self.rng.randrange(10**7):07d}"
            elif kind == "KZ":
                digits = self.rng.choice(KZ_MOBILE) + f"{self.rng.randrange(10**7):07d}"
            elif kind == "BY":
                head = self.rng.choice(BY_MOBILE)
                digits = head + f"{self.rng.randrange(10 ** (9 - len(head))):0{9 - len(head)}d}"
            else:
                digits = self.rng.choice(RU_CITY) + f"{self.rng.randrange(2 * 10**6, 10**7):07d}"
            if digits[3:6] == "555" and kind == "US":
                continue
            if (kind, digits) not in self.phones:
                self.phones.add((kind, digits))
                return kind, digits

    def new_email(self, first: str, last: str, year: int) -> str:
        tr = TRANSLIT_SCHEMES[1] if self.lang == "ru" else {}
        f = _translit(first.lower(), tr) if tr else first.lower()
        s = _translit(last.lower(), tr) if tr else last.lower()
        style = self.rng.randrange(6)
        local = (f"{f}.{s}", f"{s}.{f}", f"{f[0]}{s}", f"{s}{year % 100:02d}", f"{f}_{s}",
                 f"{f}{s}{self.rng.randrange(1, 99)}")[style]  # fmt: skip
        domain = self.rng.choice(DOMAINS if self.lang == "ru" else EN_DOMAINS)
        email = f"{local}@{domain}"
        while _mailbox(email) in self.emails:
            email = f"{local}{self.rng.randrange(1, 9999)}@{domain}"
        self.emails.add(_mailbox(email))
        return email

    def birthday(self) -> tuple[int, int, int]:
        return (self.rng.randint(1950, 2005), self.rng.randint(1, 12), self.rng.randint(1, 28))

    # -- people --

    def person(
        self,
        *,
        male: bool | None = None,
        family: str | None = None,
        first: str | None = None,
        middle: str | None = None,
    ) -> Who:
        """A new person; ``family`` is the male form of the surname to use (a relative)."""
        rng = self.rng
        w = Who(len(self.people) + 1)
        self.people.append(w)
        w.male = rng.random() < 0.5 if male is None else male
        w.first = first or self.choice(self.male_names if w.male else self.female_names)
        w.last = _surname_for(family or self.choice(self.surnames), w.male, self.lang)
        if self.lang == "ru":
            pat = rng.choice(gc.PATRONYMICS)
            w.middle = middle or (pat[0] if w.male else pat[1])
            w.city = rng.choice(RU_CITIES)
            if rng.random() < 0.2:
                w.company = rng.choice(self.companies)
        else:
            w.middle = rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.3 else ""
            w.city = rng.choices(list(EN_CITIES), EN_CITY_WEIGHTS)[0]
        w.bday = self.birthday()
        if rng.random() < (0.95 if self.lang == "ru" else 0.75):
            w.phone = self.new_phone()
            if rng.random() < 0.15:
                w.phone2 = self.new_phone()
        if rng.random() < (0.65 if self.lang == "ru" else 0.85):
            w.email = self.new_email(w.first, w.last, w.bday[0])
            if rng.random() < 0.12:
                w.email2 = self.new_email(w.first, w.last, w.bday[0])
        if not (w.phone or w.email):
            # A client kept in a list without any contact is rare, and rarer still twice.
            w.email = self.new_email(w.first, w.last, w.bday[0])
        return w

    def relative(self, w: Who) -> Who:
        """Someone else on w's home phone: a spouse, a child or parent, or (rarely) a father
        and son of one first name."""
        rng = self.rng
        r = rng.random()
        family = _male_surname(w.last, self.lang)
        if r < 0.6:
            rel = self.person(male=not w.male, family=family)
        elif r < 0.9:
            rel = self.person(family=family)
            while rel.first == w.first:
                rel.first = self.choice(self.male_names if rel.male else self.female_names)
        else:
            rel = self.person(male=w.male, family=family, first=w.first)
            if self.lang == "ru":
                while rel.middle == w.middle:
                    pat = rng.choice(gc.PATRONYMICS)
                    rel.middle = pat[0] if rel.male else pat[1]
        rel.phone = w.phone
        rel.city = w.city
        if rng.random() < 0.15 and w.email:
            rel.email = w.email  # one family mailbox
        return rel

    def colleague(self, w: Who) -> Who:
        """Someone else at w's office, on the same office number (w's second phone)."""
        c = self.person()
        c.company = w.company
        c.city = w.city
        c.phone2 = c.phone
        c.phone = w.phone2
        return c

    def namesake(self, w: Who) -> Who:
        """Same name, another person: another birthday, often another city, own contacts."""
        same_middle = self.lang == "ru" and self.rng.random() < 0.5
        n = self.person(
            male=w.male,
            family=_male_surname(w.last, self.lang),
            first=w.first,
            middle=w.middle if same_middle else None,
        )
        if self.rng.random() < 0.5:
            n.city = w.city
        return n


_VOWELS = "аеёиоуыэюяьъ"
# How each scheme writes an "е" that starts a word or follows a vowel (Елена, Сергеев).
_IOTATED_E = ("e", "ye", "je", "ye")


def _translit(word: str, table: dict[str, str]) -> str:
    """``word`` in Latin letters by one of TRANSLIT_SCHEMES."""
    scheme = TRANSLIT_SCHEMES.index(table)
    out = []
    for i, ch in enumerate(word):
        low = ch.lower()
        lat = table.get(low)
        if lat is None:
            out.append(ch)
            continue
        if low == "е" and (i == 0 or word[i - 1].lower() in _VOWELS):
            lat = _IOTATED_E[scheme]
        if ch != low and lat:
            lat = lat[0].upper() + lat[1:]
        out.append(lat)
    s = "".join(out)
    if scheme == 3:
        # The loose English spelling: Dmitry, Yury for -ий; Alexey, Xenia for кс.
        if s.endswith("iy"):
            s = s[:-2] + "y"
        s = s.replace("ks", "x").replace("Ks", "X")
    return s


def _male_surname(last: str, lang: str) -> str:
    if lang != "ru":
        return last
    if last.endswith("ая"):
        return last[:-2] + "ий"
    if last.endswith(("ова", "ева", "ёва", "ина", "ына")):
        return last[:-1]
    return last


def _surname_for(male_form: str, male: bool, lang: str) -> str:
    return male_form if male or lang != "ru" else gc._female(male_form)


# --- rendering records ---------------------------------------------------------------------------

_RU_NEIGHBOURS = "йцукенгшщзхфывапролджэячсмитьбю"
_EN_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:  # neighbours swapped
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 1:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if op == 2:  # a letter doubled
        return word[:i] + word[i] + word[i:]
    letters = _RU_NEIGHBOURS if "\u0400" <= word[i] <= "\u04ff" else _EN_NEIGHBOURS
    j = letters.find(word[i].lower())
    repl = letters[(j + rng.choice((-1, 1))) % len(letters)] if j >= 0 else word[i]
    return word[:i] + repl + word[i + 1 :]


def _fmt_ru_phone(kind: str, d: str, style: int) -> str:
    if kind == "BY":
        a, b, c, e = d[:2], d[2:5], d[5:7], d[7:]
        return (f"+375 {a} {b}-{c}-{e}", f"+375{d}", f"8 0{a} {b} {c} {e}", f"375 {a} {b}{c}{e}",
                f"+375 ({a}) {b}-{c}-{e}")[style % 5]  # fmt: skip
    a, b, c, e = d[:3], d[3:6], d[6:8], d[8:]
    if kind == "CITY":
        return (f"8 ({a}) {b}-{c}-{e}", f"+7 {a} {b}-{c}-{e}", f"({a}) {b}{c}{e}",
                f"8{d}", f"+7 ({a}) {b} {c} {e}")[style % 5]  # fmt: skip
    return (f"8 ({a}) {b}-{c}-{e}", f"+7 {a} {b} {c} {e}", d, f"+7({a}){b}{c}{e}", f"8{d}",
            f"8-{a}-{b}-{c}-{e}", f"+7{d}", f"7 {a} {b}{c}{e}")[style % 8]  # fmt: skip


def _fmt_us_phone(d: str, style: int) -> str:
    a, b, c = d[:3], d[3:6], d[6:]
    return (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", d, f"1-{a}-{b}-{c}",
            f"{a}.{b}.{c}", f"+1 ({a}) {b}-{c}")[style % 7]  # fmt: skip


def _variant_email(email: str, rng: random.Random) -> str:
    """The same mailbox written differently: case, Gmail dots, a +tag."""
    local, _, domain = email.partition("@")
    r = rng.random()
    if domain == "gmail.com" and r < 0.5:
        bare = local.replace(".", "")
        if r < 0.25 and len(bare) > 3:
            i = rng.randrange(1, len(bare) - 1)
            local = bare[:i] + "." + bare[i:]
        else:
            local = bare
        if rng.random() < 0.3:
            local += "+" + rng.choice(("shop", "promo", "news", "orders"))
    elif r < 0.7:
        local = local.capitalize()
        domain = domain.capitalize()
    else:
        return email.upper()
    return f"{local}@{domain}"


class _Renderer:
    def __init__(self, g: _Generator, nothing_shared: float) -> None:
        self.g = g
        self.rng = g.rng
        self.nothing_shared = nothing_shared

    # -- Russian --

    def ru_name(self, w: Who, first_record: bool) -> str:
        rng = self.rng
        last, first, middle = w.last, w.first, w.middle
        if rng.random() < 0.5:
            last, first, middle = (
                x.replace("ё", "е").replace("Ё", "Е") for x in (last, first, middle)
            )
        if rng.random() < (0.03 if first_record else 0.1):
            if rng.random() < 0.6:
                last = _typo(last, rng)
            else:
                first = _typo(first, rng)
        r = rng.random()
        if first_record:
            r *= 0.62  # mostly the plain forms on the first record
        if r < 0.3:
            text = f"{last} {first} {middle}"
        elif r < 0.45:
            text = f"{last} {first}"
        elif r < 0.53:
            text = f"{first} {last}"
        elif r < 0.57:
            text = f"{first} {middle} {last}"
        elif r < 0.66:
            text = (
                f"{last} {first[0]}.{middle[0]}." if rng.random() < 0.7 else f"{last} {first[0]}."
            )
        elif r < 0.76:
            dims = RU_DIMINUTIVES.get(w.first)
            short = rng.choice(dims) if dims else first
            text = f"{short} {last}" if rng.random() < 0.5 else f"{last} {short}"
        else:
            table = rng.choice(TRANSLIT_SCHEMES)
            lat = [_translit(x, table) for x in (last, first, middle)]
            s = rng.random()
            if s < 0.4:
                text = f"{lat[1]} {lat[0]}"
            elif s < 0.7:
                text = f"{lat[0]} {lat[1]}"
            else:
                text = f"{lat[0]} {lat[1]} {lat[2]}"
        c = rng.random()
        if c < 0.07:
            text = text.upper()
        elif c < 0.14:
            text = text.lower()
        return text

    def ru_row(self, w: Who, phones: list[tuple[str, str]], email: str, first: bool) -> dict:
        rng = self.rng
        show_bday = rng.random() < (0.5 if first else 0.45)
        city = w.city if rng.random() < (0.75 if first else 0.6) else ""
        if city and not first and rng.random() < 0.05:
            city = rng.choice(RU_CITIES)  # moved
        if city:
            city = rng.choice(CITY_VARIANTS.get(city, (city, city, f"г. {city}")))
        company = ""
        if w.company and rng.random() < (0.8 if first else 0.6):
            company = _fmt_company(w.company, rng)
        return {
            "ФИО": self.ru_name(w, first),
            "Телефон": ", ".join(_fmt_ru_phone(*ph, rng.randrange(40)) for ph in phones),
            "Email": email,
            "Дата рождения": gc.fmt_bday(w.bday[2], w.bday[1], w.bday[0], rng.randrange(100))
            if show_bday
            else "",
            "Город": city,
            "Компания": company,
        }

    # -- English --

    def en_name(self, w: Who, first_record: bool) -> str:
        rng = self.rng
        first, last, middle = w.first, w.last, w.middle
        if not first_record and rng.random() < 0.25:
            nicks = EN_NICKNAMES.get(first)
            if nicks:
                first = rng.choice(nicks)
        if rng.random() < (0.04 if first_record else 0.15):
            if rng.random() < 0.5:
                last = _typo(last, rng)
            else:
                first = _typo(first, rng)
        r = rng.random()
        if middle and r < 0.5:
            text = f"{first} {middle}. {last}"
        elif r < 0.85:
            text = f"{first} {last}"
        else:
            text = f"{last}, {first}"
        c = rng.random()
        if c < 0.06:
            text = text.upper()
        elif c < 0.12:
            text = text.lower()
        return text

    def en_row(self, w: Who, phones: list[tuple[str, str]], email: str, first: bool) -> dict:
        rng = self.rng
        show_bday = rng.random() < (0.6 if first else 0.5)
        city = w.city if rng.random() < (0.8 if first else 0.65) else ""
        if city:
            city = rng.choice(EN_CITIES[city])
        y, m, d = w.bday
        bday = ""
        if show_bday:
            s = rng.randrange(4)
            month = EN_MONTHS.split()[m - 1]
            bday = (f"{y}-{m:02d}-{d:02d}", f"{month} {d}, {y}", f"{d} {month[:3]} {y}",
                    f"{month[:3]} {d} {y}")[s]  # fmt: skip
        return {
            "Name": self.en_name(w, first),
            "Phone": ", ".join(_fmt_us_phone(ph[1], rng.randrange(7)) for ph in phones),
            "Email": email,
            "Birthday": bday,
            "City": city,
        }

    # -- one record --

    def record(self, w: Who, first: bool) -> dict:
        """One record of w. The first is the fullest; a repeat mostly carries the same phone
        (in another format) or the same e-mail (in another spelling), sometimes with a
        different second address, and now and then (``nothing_shared``) no contact seen
        before."""
        rng = self.rng
        phones: list[tuple[str, str]] = []
        email = ""
        if first:
            if w.phone and rng.random() < 0.97:
                phones.append(w.phone)
            if w.email and (rng.random() < 0.92 or not phones):
                email = w.email
            if w.phone and not phones and not email:
                phones.append(w.phone)
        elif rng.random() < self.nothing_shared or not (w.phone or w.email):
            # A record from another source: a number or address not seen before, or none.
            if rng.random() < 0.5:
                phones.append(self.g.new_phone())
            if rng.random() < 0.3:
                email = self.g.new_email(w.first, w.last, w.bday[0])
        elif w.phone and (not w.email or rng.random() < PHONE_CARRIER[self.g.lang]):
            phones.append(w.phone)  # the phone again, in another format
            if w.phone2 and rng.random() < 0.1:
                phones.append(w.phone2)
            if w.email and rng.random() < 0.35:
                r = rng.random()
                if r < 0.8:
                    email = _variant_email(w.email, rng) if r < 0.4 else w.email
                else:  # a different address this time
                    email = w.email2 or self.g.new_email(w.first, w.last, w.bday[0])
        else:
            email = _variant_email(w.email, rng) if rng.random() < 0.6 else w.email
            if rng.random() < 0.15:
                phones.append(self.g.new_phone())
        if self.g.lang == "ru":
            return self.ru_row(w, phones, email, first)
        return self.en_row(w, phones, email, first)


def _fmt_company(name: str, rng: random.Random) -> str:
    r = rng.random()
    legal = rng.choice(LEGAL)
    if r < 0.35:
        return f"{legal} «{name}»"
    if r < 0.55:
        return f'{legal} "{name}"'
    if r < 0.8:
        return name
    if r < 0.9:
        return f"{name} {legal}"
    return f"{legal} {name}"


# --- the list ------------------------------------------------------------------------------------


def generate(
    n: int, lang: str = "ru", seed: int = 1, *, nothing_shared: float = NOTHING_SHARED
) -> tuple[list[dict[str, str]], list[int]]:
    """``n`` rows of a contact list and, in parallel, the true person id of each row.

    Rows are dicts keyed by the column names a user's file would have (``RU_COLUMNS`` or
    ``EN_COLUMNS``), in shuffled order. ``nothing_shared``: the share of repeat records that
    carry no phone or e-mail seen before.
    """
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', not {lang!r}")
    g = _Generator(lang, seed)
    rend = _Renderer(g, nothing_shared)
    rng = g.rng
    records: list[tuple[dict[str, str], int]] = []

    def emit(w: Who, extras: int) -> None:
        records.append((rend.record(w, True), w.pid))
        for _ in range(extras):
            records.append((rend.record(w, False), w.pid))

    def extras() -> int:
        if rng.random() < 0.65:
            return 0
        return rng.choices((1, 2, 3), (60, 28, 12))[0]

    while len(records) < n:
        w = g.person()
        emit(w, extras())
        r = rng.random()
        if r < 0.08 and w.phone:
            emit(g.relative(w), extras())
        elif r < 0.12 and lang == "ru" and w.company and w.phone2:
            emit(g.colleague(w), extras())
        elif r < 0.15:
            emit(g.namesake(w), extras())
    del records[n:]
    rng.shuffle(records)
    return [r for r, _ in records], [p for _, p in records]


def true_pairs(truth: Sequence[int]) -> int:
    """How many pairs of rows belong to one person."""
    return sum(k * (k - 1) // 2 for k in Counter(truth).values())


def write_csv(
    path: str | Path,
    rows: Sequence[dict[str, str]] | tuple[list[dict[str, str]], list[int]],
    truth_path: str | Path | None,
    truth: Sequence[int] | None = None,
) -> dict[str, int]:
    """Write the rows as a CSV a user would have, and the truth file (``row,person``).

    ``rows`` is the row list of :func:`generate` with ``truth`` its person ids, or simply what
    :func:`generate` returned: ``write_csv(out, generate(20000), out_truth)``. Without a
    truth list or a ``truth_path`` no truth file is written. Russian lists (a ``ФИО`` column)
    are written the way Russian Excel saves CSV (``;``, CRLF); English ones with ``,``.
    ``path`` may be ``-`` for stdout. Returns the counts: rows, persons, true_pairs.
    """
    if isinstance(rows, tuple) and len(rows) == 2 and truth is None:
        rows, truth = rows
    header = list(rows[0]) if rows else list(RU_COLUMNS)
    delimiter = ";" if "ФИО" in header else ","
    if str(path) == "-":
        stream = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)
    else:
        stream = open(path, "w", encoding="utf-8", newline="")
    with stream:
        w = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    if truth is not None and truth_path is not None:
        with open(truth_path, "w", encoding="utf-8", newline="") as f:
            tw = csv.writer(f, lineterminator="\n")
            tw.writerow(("row", "person"))
            for i, pid in enumerate(truth):
                tw.writerow((i + 2, pid))  # the header is row 1
    counts = {"rows": len(rows)}
    if truth is not None:
        counts.update(persons=len(set(truth)), true_pairs=true_pairs(truth))
    return counts


def read_truth(path: str | Path) -> dict[int, int]:
    """The truth file back: spreadsheet row number -> person id."""
    with open(path, encoding="utf-8", newline="") as f:
        return {int(r["row"]): int(r["person"]) for r in csv.DictReader(f)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a labelled contact list for dedupe.")
    ap.add_argument("n", type=int, help="number of data rows")
    ap.add_argument("out", help="output CSV, or - for stdout")
    ap.add_argument("--lang", choices=("ru", "en"), default="ru")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--truth", help="truth file (default: OUT with .truth.csv)")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    t0 = time.perf_counter()
    rows, truth = generate(args.n, args.lang, args.seed)
    truth_path = None
    if args.out != "-":
        truth_path = args.truth or str(Path(args.out).with_suffix("")) + ".truth.csv"
    c = write_csv(args.out, rows, truth_path, truth)
    print(
        f"{c['rows']} rows: {c['persons']} persons, {c['true_pairs']} true duplicate pairs; "
        f"truth in {truth_path or '(not written)'}; {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
