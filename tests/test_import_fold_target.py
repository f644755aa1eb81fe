"""A row met on a phone shared by two people it could both be is folded into neither."""

from __future__ import annotations

from conftest import write

from clientbase.importers.sameperson import fold_target

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
