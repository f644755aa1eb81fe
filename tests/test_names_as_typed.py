"""A name cell is taken apart into Фамилия/Имя/Отчество only when every word of it reads as a
name word; otherwise it is the display name exactly as typed. Either way no word is lost, and
words are reordered only to put a real ФИО in its order."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import write

from clientbase.importers.calls.common import CallRecord
from clientbase.importers.clean import Clean, clean_call, clean_record
from clientbase.importers.records import ContactRecord
from clientbase.normalize.typed_names import keep_as_typed, tidy

# Not a person's ФИО: roles and trades, kin, shops and services, the generic counterparties of
# accounting systems, adjectives with nouns, titles, words after a full ФИО.
KEPT = [
    "Розничный покупатель", "РОЗНИЧНЫЙ ПОКУПАТЕЛЬ", "розничный покупатель", "Частное лицо",
    "Физ. лицо", "Физлицо", "Физическое лицо", "Покупатель", "Клиент", "Новый клиент",
    "Новый Клиент Тестович", "Постоянный клиент Иванова", "Врач Петров", "Доктор Айболит",
    "Стоматолог Анна Сергеевна", "Сантехник Вася", "Электрик Петрович", "Мастер Олег",
    "Мама Оли", "Мама", "Папа", "Тётя Люба", "Дядя Ваня", "Соседка Галина", "Кума Лена",
    "Доставка цветов", "Доставка", "Такси Максим", "Шиномонтаж Ринат", "Пицца",
    "Бухгалтер Ирина Петровна", "Директор Смирнов", "Иванов Иван Иванович, директор",
    "Петров Иван Сергеевич водитель", "Г-н Петров", "Mrs. Smith", "Dr House", "VIP Иванова",
    "Роздрібний покупець", "Фізична особа", "Лікар Коваленко", "Сусід Тарас", "Тато",
    "Сатып алушы", "Дәрігер Айгерим", "Retail customer", "Walk-in customer", "Mom",
    "Plumber Joe", "Doctor Brown", "Uncle Bob", "Delivery", "Мама Оли  ",
]  # fmt: skip

# Real names: taken apart, every word kept (Ukrainian, Kazakh, hyphenated, initials, Latin).
PARSED = {
    "Иванов Иван Иванович": ("Иванов", "Иван", "Иванович"),
    "иван иванович иванов": ("Иванов", "Иван", "Иванович"),
    "ИВАНОВ И.И.": ("Иванов", "И.", "И."),
    "И.И. Иванов": ("Иванов", "И.", "И."),
    "Петров-Водкин Кузьма Сергеевич": ("Петров-Водкин", "Кузьма", "Сергеевич"),
    "Римский-Корсакова Анна": ("Римский-Корсакова", "Анна", None),
    "Коваленко Олена Петрівна": ("Коваленко", "Олена", "Петрівна"),
    "Шевченко Тарас": ("Шевченко", "Тарас", None),
    "Григор'єв Дмитро": ("Григор'єв", "Дмитро", None),
    "Назарбаев Нурсултан Абишевич": ("Назарбаев", "Нурсултан", "Абишевич"),
    "Сейткали Айгерим Нурланкызы": ("Сейткали", "Айгерим", "Нурланкызы"),
    "Мамедов Ахмед Гусейн оглы": ("Мамедов", "Ахмед", "Гусейн оглы"),
    "Ким Ольга": ("Ким", "Ольга", None),
    "Мария К.": ("К.", "Мария", None),
    "Шухрат": (None, "Шухрат", None),
    "John A. Smith": ("Smith", "John", "A."),
    "Smith, John": ("Smith", "John", None),
    "Анна-Мария Д'Арк": ("Д'Арк", "Анна-Мария", None),
    # Words that look like ordinary words but are names, kept as names.
    "Кузнец Иван": ("Кузнец", "Иван", None),
    "Мельник Ольга Петровна": ("Мельник", "Ольга", "Петровна"),
    "Цветов Андрей": ("Цветов", "Андрей", None),
    "Новиков Андрей": ("Новиков", "Андрей", None),
    "Mason Taylor": ("Taylor", "Mason", None),
    "Учитель Алексей": ("Учитель", "Алексей", None),
    "Баба Мамедов": ("Мамедов", "Баба", None),
    "Johnny Cash": ("Cash", "Johnny", None),
}


def _clean(cell: str) -> dict:
    rec = ContactRecord(row=2, raw={"ФИО": cell}, fields={"full_name": cell},
                        phones=[("+7 916 123-45-67", None)])  # fmt: skip
    out = clean_record(rec, "RU", None)
    assert isinstance(out, Clean), cell
    return out.fields


def _words(text: str) -> list[str]:
    return sorted(w.strip(",").lower() for w in text.replace(".", ". ").split() if w.strip(",."))


@pytest.mark.parametrize("cell", KEPT)
def test_a_cell_that_is_not_a_fio_is_kept_exactly_as_typed(cell):
    f = _clean(cell)
    assert f["display_name"] == tidy(cell)  # every word, in its place, in its case
    assert not (f.get("last_name") or f.get("first_name") or f.get("middle_name"))
    assert keep_as_typed(cell)


@pytest.mark.parametrize("cell", PARSED)
def test_a_real_fio_is_taken_apart_keeping_every_word(cell):
    f = _clean(cell)
    assert (f.get("last_name"), f.get("first_name"), f.get("middle_name")) == PARSED[cell]
    assert _words(f["display_name"]) == _words(cell)


def test_no_cell_loses_a_word():
    # Every mix of name words, role words, titles and junk: either taken apart with all of its
    # words, or kept as typed.
    parts = ["Иванов", "Иван", "Иванович", "Врач", "г-н", "VIP", "Петрова", "покупатель",
             "Олена", "оглы", "Гусейн", "И.", "директор", "Mrs", "Smith", "John", "новый"]  # fmt: skip
    cells = [f"{a} {b}" for a in parts for b in parts] + [
        f"{a} {b} {c}" for a in parts[:9] for b in parts for c in parts[::2]
    ]
    for cell in cells:
        f = _clean(cell)
        shown = f["display_name"]
        if f.get("last_name") or f.get("first_name") or f.get("middle_name"):
            assert _words(shown) == _words(cell), cell
        else:
            assert shown == cell, cell


def test_names_as_typed_through_contact_and_order_imports(cli, tmp_path):
    contacts = write(
        tmp_path / "names.csv",
        "ФИО;Телефон\nРозничный покупатель;89031112234\nНовый Клиент Тестович;89031112235\n"
        "Врач Петров;89031112238\nДоставка цветов;89031112239\nПетрова Анна Сергеевна;89031112240\n",
    )
    cli("import", contacts)
    people = {c["name"] for c in cli.contacts()}
    assert people == {"Розничный покупатель", "Новый Клиент Тестович", "Врач Петров",
                      "Доставка цветов", "Петрова Анна Сергеевна"}  # fmt: skip
    orders = write(
        tmp_path / "sales.csv",
        "Дата,Номер заказа,Код клиента,Клиент,Сумма\n"
        "10.01.2025,1,,Частное лицо,1000\n10.01.2025,2,,Сантехник Вася,500\n",
    )
    cli("import", orders, "--as", "orders")
    people = {c["name"] for c in cli.contacts()}
    assert {"Частное лицо", "Сантехник Вася"} <= people
    assert "Лицо Частное" not in people and "Вася Сантехник" not in people


@pytest.mark.parametrize(
    ("saved", "shown", "first"),
    [
        ("Врач Петров", "Врач Петров", None),
        ("Мама", "Мама", None),
        ("Иван Петров", "Петров Иван", "Иван"),
    ],
)
def test_a_call_log_names_a_lead_as_the_phone_saved_it(saved, shown, first):
    rec = CallRecord(row=1, raw={}, started_at=datetime(2025, 3, 1, 10, 0), direction="in",
                     outcome="answered", duration_s=30, number="+79161234567",
                     contact_name=saved, region=None, source="android", call_id=None)  # fmt: skip
    out = clean_call(rec, "RU", None)
    assert isinstance(out, Clean)
    assert out.fields["display_name"] == shown
    assert out.fields.get("first_name") == first


def test_a_card_renamed_by_hand_keeps_the_name_as_typed(cli):
    r = cli.json("contacts", "add", "--name", "Петров Иван", "--phone", "+7 916 123-45-67")
    cli("contacts", "edit", str(r["id"]), "--name", "Врач Петров")
    [c] = cli.contacts()
    assert (c["name"], c.get("first_name"), c.get("last_name")) == ("Врач Петров", None, None)
    cli("contacts", "edit", str(r["id"]), "--name", "иван петров")
    assert cli.contacts()[0]["name"] == "Петров Иван"
