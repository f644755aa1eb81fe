"""Noise of public labelled lists: impossible birthdays with a typo'd digit, a birthday with one
part typed wrong as a whole, businesses that share a building's or a hotel's number."""

from __future__ import annotations

from conftest import write
from sqlalchemy import select

from clientbase.db.models import customers
from clientbase.dedupe.keys import features
from clientbase.dedupe.levels import FIELDS, compare, describe
from clientbase.dedupe.model import mismatch_levels
from clientbase.dedupe.person import Person, person_from_fields
from clientbase.importers.sameperson import birthdays_differ, same_person_possible
from clientbase.normalize.dates import birthday_digits
from clientbase.normalize.name_match import company_names_differ


def _levels(a: Person, b: Person) -> dict[str, int]:
    return dict(zip(FIELDS, compare(features(a), features(b)), strict=True))


def test_birthday_digits_reads_impossible_dates_only_whole():
    assert birthday_digits("1964-11-71") == (1964, 11, 71)
    assert birthday_digits("31.13.1985") == (1985, 13, 31)
    assert birthday_digits("19641171") == (1964, 11, 71)
    assert birthday_digits("11/71") is None
    assert birthday_digits("скоро") is None
    assert birthday_digits("0000-00-00") is None
    assert birthday_digits(None) is None


def test_an_impossible_birthday_still_compares_by_its_digits():
    a = person_from_fields(1, {"last_name": "Hoffmann", "first_name": "Werner",
                               "birthday_raw": "1964-11-71"})  # fmt: skip
    near = Person(2, last_name="Hoffmann", first_name="Werner", birth_year=1964, birth_month=11,
                  birth_day=21)  # fmt: skip
    far = Person(3, last_name="Hoffmann", first_name="Werner", birth_year=1962, birth_month=11,
                 birth_day=26)  # fmt: skip
    assert (a.birth_year, a.birth_month, a.birth_day) == (1964, 11, 71)
    assert _levels(a, near)["birthday"] == 4  # one digit off
    assert _levels(a, far)["birthday"] == 6  # different: two people
    assert mismatch_levels(compare(features(a), features(far)))


def test_one_part_of_a_birthday_typed_wrong_is_its_own_level():
    a = Person(1, last_name="Neumann", first_name="Elke", birth_year=1992, birth_month=3,
               birth_day=2)  # fmt: skip
    b = Person(2, last_name="Neumann", first_name="Elke", birth_year=1992, birth_month=3,
               birth_day=17)  # fmt: skip
    c = Person(3, last_name="Neumann", first_name="Elke", birth_year=1961, birth_month=8,
               birth_day=17)  # fmt: skip
    fa, fb = features(a), features(b)
    levels = compare(fa, fb)
    assert levels[FIELDS.index("birthday")] == 7
    assert not mismatch_levels(levels)
    assert "one part different" in describe(fa, fb, FIELDS.index("birthday"), 7)
    assert _levels(a, c)["birthday"] == 6  # year and month differ: namesakes


def test_company_names_with_nothing_in_common():
    assert company_names_differ("circus circus", "steak house  the")
    assert company_names_differ("golden nugget hotel", "lillie langtrys")
    assert not company_names_differ("arts delicatessen", "arts deli")
    assert not company_names_differ("ООО «ЛидерЛаб СПб»", "ЛидерЛаб ПСб")
    assert not company_names_differ("ЗАО «ИСТОКРУПП»", "ЗАО «ИстокГрупп»")
    assert not company_names_differ('ЗАО "РомашкаПром 21"', "ЗАО «РомашкаПром21» (филиал)")
    assert not company_names_differ("ООО «Ромашка» — филиал на Ленина", "Ромашка (Ленина)")
    assert not company_names_differ("", "Ромашка")


def test_organisations_of_one_switchboard_are_two():
    hotel = Person(1, "circus circus", kind="company", company="circus circus",
                   address="2880 las vegas blvd. s", phones=("+17027340410",))  # fmt: skip
    steak = Person(2, "steak house  the", kind="company", company="steak house  the",
                   address="2880 las vegas blvd. s.", phones=("+17027340410",))  # fmt: skip
    levels = _levels(hotel, steak)
    assert levels["phone"] == 1 and levels["organisation"] == 5
    assert mismatch_levels(compare(features(hotel), features(steak)))
    one = {"kind": "company", "company": "circus circus"}
    assert not same_person_possible(one, {"kind": "company", "company": "steak house  the"})
    assert same_person_possible(one, {"kind": "company", "company": "Circus Circus LLC"})


def test_import_keeps_two_businesses_of_one_number_apart(cli, tmp_path):
    text = (
        "Company,Address,City,Phone\n"
        "circus circus,2880 las vegas blvd. s,las vegas,702/734-0410\n"
        "steak house  the,2880 las vegas blvd. s.,las vegas,702-734-0410\n"
        "Circus Circus LLC,2880 Las Vegas Blvd S,Las Vegas,(702) 734-0410\n"
    )
    r = cli("import", write(tmp_path / "guide.csv", text), "--region", "US")
    assert r.exit_code == 0
    with cli.engine().connect() as conn:
        names = conn.execute(select(customers.c.company).order_by(customers.c.id)).scalars().all()
    # The third row folded into the first (whose name it completed); the steak house stays.
    assert len(names) == 2 and names[1] == "steak house  the"


def test_import_does_not_fold_namesakes_by_an_impossible_birthday(cli, tmp_path):
    text = (
        "First name,Last name,Birthday\n"
        "WERNER,HOFFMANN,1962-11-26\n"
        "WERNER,HOFFMANN,1964-11-71\n"
        "WERNER,HOFFMANN,1962-11-26\n"
    )
    cli("import", write(tmp_path / "people.csv", text), expect=None)
    with cli.engine().connect() as conn:
        n = len(conn.execute(select(customers.c.id)).all())
    assert n == 2  # the repeat folds; the other Werner Hoffmann stays a customer of his own
    assert birthdays_differ({"birth_year": 1962, "birth_month": 11, "birth_day": 26},
                            {"birthday_raw": "1964-11-71"})  # fmt: skip
    assert not birthdays_differ({"birthday_raw": "1964-11-71"}, {"birthday_raw": "1964-11-71"})
    # One digit off a real date is the same date mistyped, not another person.
    assert not birthdays_differ({"birth_year": 1990, "birth_month": 4, "birth_day": 30},
                                {"birthday_raw": "31.04.1990"})  # fmt: skip


def test_the_default_threshold_follows_the_scorer(cli, tmp_path):
    """The learned model's probabilities merge from 0.8; a base too small to learn from is
    scored by the hand-set weights, whose scale merges from 0.9."""
    from test_dedupe_hash_seed import _list

    small = "ФИО;Телефон\nИванов Иван;+7 916 123-45-67\nИванов Иван Петрович;89161234567\n"
    cli("import", write(tmp_path / "small.csv", small), expect=None)
    assert cli.json("dedupe", "--dry-run")["threshold"] == 0.9
    cli("import", write(tmp_path / "big.csv", _list(700, 3)), expect=None)
    plan = cli.json("dedupe", "--dry-run")
    assert plan["customers"] >= 500 and plan["threshold"] == 0.8
    assert plan["auto"] and all(g["score"] >= 0.8 for g in plan["auto"])
    assert cli.json("dedupe", "--dry-run", "--threshold", "0.95")["threshold"] == 0.95


def test_an_explanation_shows_the_two_addresses_that_matched():
    # A customer with two addresses: the explanation names the pair that gave the level, not
    # each customer's first address.
    email = FIELDS.index("email")
    a = Person(1, last_name="Петров", emails=("office@mail.ru", "ivan.petrov85@mail.ru"))
    b = Person(2, last_name="Петров", emails=("ivanpetrov85@yandex.ru",))
    c = Person(3, last_name="Петров", emails=("ivan.petrov58@mail.ru",))
    fa, fb, fc = features(a), features(b), features(c)
    same_name = compare(fa, fb)[email]
    assert same_name == 2
    assert "ivan.petrov85@mail.ru / ivanpetrov85@yandex.ru" in describe(fa, fb, email, same_name)
    one_edit = compare(fa, fc)[email]
    assert one_edit == 4
    assert "ivan.petrov85@mail.ru / ivan.petrov58@mail.ru" in describe(fa, fc, email, one_edit)
