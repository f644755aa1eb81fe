"""A row met on a phone shared by two people it could both be is folded into neither, and a
different surname on it is another person; on an office number with many customers the target
is the one asking each of them would give."""

from __future__ import annotations

import random

from conftest import write

from clientbase.importers.fitgroups import FitGroups
from clientbase.importers.sameperson import (
    fold_target,
    fold_target_among,
    same_person_possible,
    surnames_differ,
)

HEADER = "ФИО;Телефон;Дата рождения\n"
FATHER = {"last_name": "Иванов", "first_name": "Иван", "middle_name": "Петрович",
          "birth_year": 1960, "birth_month": 1, "birth_day": 1}  # fmt: skip
SON = {"last_name": "Иванов", "first_name": "Иван", "middle_name": "Иванович",
       "birth_year": 1990, "birth_month": 5, "birth_day": 5}  # fmt: skip
MOTHER = {"last_name": "Иванова", "first_name": "Мария", "gender": "f"}


def test_the_first_customer_the_row_may_be_is_the_target():
    assert fold_target([MOTHER, FATHER], {"first_name": "Иван", "middle_name": "Петрович"}) == 1
    assert fold_target([MOTHER], {"first_name": "Иван"}) is None
    assert fold_target([], {"first_name": "Иван"}) is None
    # Two records that may be one person (no patronymic on one of them): the first.
    assert fold_target([FATHER, {"first_name": "Иван", "last_name": "Иванов"}],
                       {"first_name": "Иван"}) == 0  # fmt: skip


def test_a_row_that_fits_two_different_people_has_no_target():
    row = {"last_name": "Иванов", "first_name": "Иван"}
    assert fold_target([FATHER, SON], row) is None
    assert fold_target([MOTHER, SON, FATHER], row) is None
    # What the row shows decides: the patronymic, or the birthday.
    assert fold_target([FATHER, SON], {**row, "middle_name": "Иванович"}) == 1
    assert fold_target([FATHER, SON], {**row, "birth_year": 1960, "birth_month": 1,
                                       "birth_day": 1}) == 0  # fmt: skip


def test_the_import_keeps_a_row_it_cannot_place_as_a_customer_of_its_own(cli, tmp_path):
    text = HEADER + (
        "Иванов Иван Петрович;+7 916 123-45-67;01.01.1960\n"
        "Иванов Иван Иванович;8 916 123 45 67;05.05.1990\n"
        "Иванов Иван;89161234567;\n"  # the father or the son: the file does not say
        "Иванов Иван Иванович;8-916-123-45-67;\n"  # the son again
    )
    r = cli.json("import", write(tmp_path / "family.csv", text), "--no-dedupe")
    assert (r["created"], r["duplicates"]) == (3, 1)
    people = {c["id"]: c["name"] for c in cli.contacts()}
    assert sorted(people.values()) == ["Иванов Иван", "Иванов Иван Иванович",
                                       "Иванов Иван Петрович"]  # fmt: skip


def _plain_fold_target(candidates, row, second_fit_scan=16):
    """fold_target as its docstring defines it, every customer asked the whole question."""
    first, limit = None, len(candidates)
    for k, fields in enumerate(candidates):
        if not same_person_possible(fields, row):
            continue
        if first is None:
            first, limit = k, k + 1 + second_fit_scan
        elif not same_person_possible(candidates[first], fields):
            return None
        if k + 1 >= limit:
            break
    return first


def _someone(rnd: random.Random) -> dict:
    fields = {"first_name": rnd.choice(["Иван", "Ваня", "Александр", "Саша", "Алёна", "Алена",
                                        "И.", "Мария", None, "John", "Евгений", "Женя"])}  # fmt: skip
    if rnd.random() < 0.5:
        fields["last_name"] = rnd.choice(["Иванов", "Иванова", "Иваноф", "Петров", "И."])
    if rnd.random() < 0.4:
        fields["middle_name"] = rnd.choice(["Петрович", "Иванович", "П.", "И.", "Семёнович",
                                            "Семенович", "С", ".", "..."])  # fmt: skip
    if rnd.random() < 0.3:
        fields["gender"] = rnd.choice(["m", "f"])
    if rnd.random() < 0.3:
        fields.update(birth_year=rnd.choice([1960, 1990, None]), birth_month=rnd.choice([1, 5]),
                      birth_day=rnd.choice([1, 5, None]))  # fmt: skip
    elif rnd.random() < 0.1:  # the digits of a date that cannot be
        fields["birthday_raw"] = rnd.choice(["31.04.1990", "30.02.1960", "1990-05-35"])
    if rnd.random() < 0.1:
        fields.update(kind="company", company=rnd.choice(["ООО Ромашка", "АО Вектор"]))
    return fields


def test_an_office_number_with_many_customers_gives_what_asking_each_would():
    # The target is the one the plain definition gives, for lists long and short.
    rnd = random.Random(5)
    targets = set()
    for _ in range(3000):
        candidates = [_someone(rnd) for _ in range(rnd.choice([0, 1, 2, 5, 40, 300]))]
        row = _someone(rnd)
        target = fold_target(candidates, row)
        assert target == _plain_fold_target(candidates, row)
        targets.add(target if target is None else min(target, 3))
    assert targets == {None, 0, 1, 2, 3}  # folded at once, further down, and into no one


def test_weighing_only_the_customers_a_row_may_be_gives_the_same_target():
    # The import appends customers to a number's list as it creates or finds them and changes
    # their fields in place, telling the groups which fields it changed.
    rnd = random.Random(11)
    asked = 0
    for _ in range(40):
        candidates: list[dict] = []
        groups, changed = FitGroups(), []
        for _ in range(400):
            op = rnd.random()
            if op < 0.35 or not candidates:
                candidates.append(_someone(rnd))
            elif op < 0.55:  # a fold fills in or changes what tells people apart
                someone = rnd.choice(candidates)
                someone.update(_someone(rnd))
                for k in ("middle_name", "birth_month", "birthday_raw"):
                    if rnd.random() < 0.1:
                        someone[k] = None
                changed.append(someone)
            elif op < 0.6:  # ... or what the groups do not file by
                rnd.choice(candidates)["gender"] = rnd.choice(["m", "f"])
            else:
                row = _someone(rnd)
                places = groups.places(candidates, row, changed)
                assert fold_target_among(places, row) == _plain_fold_target(candidates, row)
                asked += 1
    assert asked > 5000


def test_an_office_number_on_a_hundred_customers_folds_each_row_into_its_own_person(cli, tmp_path):
    office = "+7 495 123-45-67"
    people = [
        (f"{last} {first} {middle}", f"+7 916 {100 + i:03d}-{i % 90 + 10:02d}-11",
         f"{i % 28 + 1:02d}.{i % 12 + 1:02d}.{1960 + i % 30}")
        for i, (last, first, middle) in enumerate(
            (last, first, middle)
            for last in ("Иванов", "Петров", "Смирнов", "Кузнецов", "Попов")
            for first in ("Иван", "Сергей", "Дмитрий", "Алексей", "Юрий")
            for middle in ("Иванович", "Петрович", "Сергеевич", "Юрьевич")
        )
    ]  # fmt: skip
    lines = [f"{name};{office}, {mobile};{born}" for name, mobile, born in people]
    # The office number alone finds each person again by their name and birthday...
    lines += [f"{name};{office};{born}" for name, _mobile, born in people[::7]]
    # ... and a bare first name on it fits dozens of people, so it is a customer of its own.
    lines.append(f"Иван;{office};")
    r = cli.json("import", write(tmp_path / "office.csv", HEADER + "\n".join(lines) + "\n"),
                 "--no-dedupe")  # fmt: skip
    assert (r["created"], r["duplicates"]) == (101, 15)
    assert len(cli.contacts()) == 101


def test_a_different_surname_on_one_number_is_another_person():
    def differ(a, b):
        return surnames_differ({"last_name": a}, {"last_name": b})

    assert differ("Иванов", "Петров")
    assert differ("Смирнова", "Кузнецова")
    # One surname written two ways is not two people.
    assert not differ("Иванов", "Иванова")  # male and female forms: the gender decides
    assert not differ("Кузнецов", "Кузнецоа")  # a typo
    assert not differ("Щукина", "Shchukina")  # a transliteration
    assert not differ("Петрова-Сидорова", "Сидорова")  # a double-barrelled name
    assert not differ("Белый", "Белая")
    assert not differ("Иванов", "И.")  # shortened
    assert not differ("Иванов", "Ив.")
    assert not differ("Иванов", None)


def test_colleagues_on_an_office_number_stay_two_customers(cli, tmp_path):
    text = (
        "ФИО;Рабочий телефон;Мобильный телефон\n"
        "Иванов Иван;+7 495 123-45-67;+7 916 111-22-33\n"
        "Петров Иван;+7 495 123-45-67;+7 916 444-55-66\n"
        "Петров Иван;+7 495 123-45-67;\n"  # Петров again, by the office number alone
    )
    r = cli.json("import", write(tmp_path / "office.csv", text))
    assert (r["created"], r["duplicates"]) == (2, 1)
    phones = {c["name"]: c["phones"] for c in cli.contacts()}
    assert phones == {"Иванов Иван": ["+74951234567", "+79161112233"],
                      "Петров Иван": ["+74951234567", "+79164445566"]}  # fmt: skip


def test_a_new_surname_on_the_same_phone_and_email_is_merged_by_dedupe(cli, tmp_path):
    text = (
        "ФИО;Телефон;Email\n"
        "Иванова Анна Сергеевна;+7 916 111-22-33;anna@mail.ru\n"
        "Петрова Анна Сергеевна;+7 916 111-22-33;anna@mail.ru\n"
    )
    assert cli.json("import", write(tmp_path / "married.csv", text))["created"] == 2
    assert cli.json("dedupe", "--yes")["merged"] == 1
    assert [c["name"] for c in cli.contacts()] == ["Иванова Анна Сергеевна"]


def test_a_patronymic_of_nothing_but_dots_tells_nothing():
    assert same_person_possible({"middle_name": "."}, {"middle_name": "И."})
    assert same_person_possible({"middle_name": "Иванович"}, {"middle_name": ".."})
