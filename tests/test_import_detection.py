"""Header rows, names typed as non-names and the region of a file's numbers, as functions."""

from __future__ import annotations

import pytest

from clientbase.importers.header import find_header, rows_above
from clientbase.importers.mapping import header_score
from clientbase.importers.region import region_for
from clientbase.normalize.typed_names import contacts_in_name, keep_as_typed

UA_ROWS = [
    (1, ["Контакти контрагентів станом на 01.03.2024", None, None]),
    (2, [None, None, None]),
    (3, ["Організація", "Контакт, Назва", "Контакт, Тип", "Контакт, Значення"]),
    (4, ['ТОВ "Альфа"', "Коваленко Олена", "E-Mail", "olena@alfa.example"]),
    (5, ['ТОВ "Альфа"', "Коваленко Олена", "Телефон", "+380 44 123 45 67"]),
]


def test_the_header_is_the_row_naming_columns_not_a_data_row_with_a_header_word():
    assert find_header(UA_ROWS, header_score) == 2
    assert rows_above(UA_ROWS, 2) == [(1, "Контакти контрагентів станом на 01.03.2024")]
    # Without the header row, a data row is still not taken for one over a plain text row.
    rows = [(1, ["Клиент", "Вид", "Контакт"]), (2, ["Иванов", "E-Mail", "i@x.example"])]
    assert find_header(rows, header_score) == 0


@pytest.mark.parametrize(
    "text",
    ["1st DC", "1&1 Internet Inc", "Mama k", "HR", "N/A", "Гость", "no name", "-", "+7 916 1"],
)
def test_kept_as_typed(text):
    assert keep_as_typed(text)


@pytest.mark.parametrize(
    "text", ["Шухрат", "Иванов Иван Иванович", "ИВАНОВ И.И.", "Smith, John", "Анна-Мария Д'Арк"]
)
def test_parsed_as_a_name(text):
    assert not keep_as_typed(text)


def test_contacts_typed_in_a_name():
    assert contacts_in_name("1upendra kumar@gmail. com") == ([], ["kumar@gmail.com"])
    assert contacts_in_name("Вася +7 (916) 123-45-67") == (["+7 (916) 123-45-67"], [])


def test_region_from_the_file_s_coded_numbers():
    us = ["+1 901 555 0100", "19015550101", "1-901-555-0102", "9015550103"]
    choice = region_for(us, "RU", chosen=False)
    assert choice.region == "US" and "read as US (+1)" in choice.note
    # Given by the user: kept, whatever the file says.
    assert region_for(us, "RU", chosen=True).region == "RU"
    # A Russian list with a few foreign numbers stays Russian and says nothing.
    ru = ["89161234567", "+79031234567", "+380441234567", "9261234567", "8 495 123-45-67"]
    assert region_for(ru, "RU", chosen=False) == region_for([], "RU", chosen=False)
