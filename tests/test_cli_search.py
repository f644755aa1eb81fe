"""`contacts list --search` finds people the way they are typed: any phone format, ё = е, any case."""

from __future__ import annotations

import pytest
from conftest import write

from clientbase.services.contacts import fold, phone_suffix


@pytest.fixture
def base(cli, tmp_path):
    write(
        tmp_path / "c.csv",
        "ФИО;Телефон;Город\n"
        "Ёлкина Анна;+7 916 123-45-67;Орёл\n"
        "Петров Пётр;8 (903) 765-43-21;Тула\n"
        "Сидоров Олег;+49 30 2345678;Berlin\n",
    )
    cli("import", tmp_path / "c.csv")
    return cli


def names(cli, text):
    return [c["name"] for c in cli.json("contacts", "list", "--search", text)]


@pytest.mark.parametrize(
    "text",
    ["8 916 123 45 67", "89161234567", "+79161234567", "+7 (916) 123-45-67", "9161234567",
     "916-123-45-67", "123-45-67", "1234567", "7 916 123 4567"],
)  # fmt: skip
def test_a_phone_is_found_in_any_format(base, text):
    assert names(base, text) == ["Ёлкина Анна"]


def test_a_phone_query_does_not_match_another_number_ending_alike(base):
    assert names(base, "8 916 123 45 60") == []
    assert names(base, "89037654321") == ["Петров Пётр"]
    assert names(base, "+49 30 2345678") == ["Сидоров Олег"]


@pytest.mark.parametrize("text", ["Елкина", "ёлкина", "ЁЛКИНА", "елкина анна", "ЕЛК"])
def test_yo_is_e_and_case_does_not_matter(base, text):
    assert names(base, text) == ["Ёлкина Анна"]


def test_yo_in_the_query_finds_e_in_the_data_and_in_cities(base):
    assert names(base, "Пётр") == ["Петров Пётр"]
    assert names(base, "Петр") == ["Петров Пётр"]
    assert names(base, "орел") == ["Ёлкина Анна"]
    assert names(base, "BERLIN") == ["Сидоров Олег"]


def test_fold_and_phone_suffix():
    assert fold("ЁЛКИНА Ёж") == "елкина еж"
    assert phone_suffix("8 916 123 45 67") == "9161234567"
    assert phone_suffix("+7 (916) 123-45-67") == "9161234567"
    assert phone_suffix("123-45-67") == "1234567"
    assert phone_suffix("12-34") is None  # too short to be a phone: a plain digit search
    assert phone_suffix("Иванов 916") is None
