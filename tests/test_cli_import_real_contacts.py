"""Contact lists as people really have them: long-format exports, names that are not names,
phone books from abroad; checked in the database."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from conftest import write
from sqlalchemy import select

from clientbase.db.models import contact_points, customers

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


def base(cli) -> dict[str, dict]:
    """display name -> customer columns and contact points, from the database."""
    with cli.engine().connect() as conn:
        rows = conn.execute(select(customers).order_by(customers.c.id)).mappings().all()
        points = conn.execute(select(contact_points).order_by(contact_points.c.id)).mappings()
        by_customer: dict[int, list] = {}
        for p in points:
            by_customer.setdefault(p["customer_id"], []).append(p)
    out = {}
    for r in rows:
        pts = by_customer.get(r["id"], [])
        out[r["display_name"]] = {
            **dict(r),
            "phones": [(p["value"], p["label"]) for p in pts if p["kind"] == "phone"],
            "emails": [p["value"] for p in pts if p["kind"] == "email"],
            "invalid": [p["value_raw"] for p in pts if not p["valid"]],
        }
    return out


def test_text_fixtures_are_reproducible() -> None:
    spec = importlib.util.spec_from_file_location("make_contacts", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.FIXTURES.items():
        assert (FIXTURES / name).read_bytes() == make(), f"{name} differs from make_fixtures.py"


def test_ukrainian_long_format_list(cli):
    s = cli.json("import", FIXTURES / "kontakty_ua.xlsx")
    f = s["files"][0]
    # The title line is reported, the header found on row 3, every data row read.
    assert any("header is on row 3" in n and "Контакти контрагентів" in n for n in f["notes"])
    assert (s["rows_read"], s["created"], s["duplicates"], s["rejected"]) == (9, 4, 5, 0)
    assert f["mapping"]["Контакти"]["Контакт, Тип"] == "contact_type"
    assert f["region"] == "UA"
    people = base(cli)
    assert list(people) == [
        "Коваленко Олена Петрівна", "Шевченко Тарас", "Бондар Ірина Василівна", "Приймальня",
    ]  # fmt: skip
    olena = people["Коваленко Олена Петрівна"]
    assert (olena["last_name"], olena["first_name"], olena["middle_name"]) == (
        "Коваленко", "Олена", "Петрівна",
    )  # fmt: skip
    assert olena["company"] == 'ТОВ "Альфа-Трейд"'
    assert olena["position"] == "головний бухгалтер"
    assert olena["phones"] == [("+380441234567", None), ("+380671234567", None)]
    assert olena["emails"] == ["olena.kovalenko@alfa-trade.example"]
    assert "Країна: Україна" in olena["note"] and "Область: Київська" in olena["note"]
    # a number stored as a number cell, with its country code but no "+"
    assert people["Шевченко Тарас"]["phones"] == [("+380507654321", None)]
    bondar = people["Бондар Ірина Василівна"]
    assert bondar["phones"] == [("+380675551234", None)]
    assert "Сайт: bondar.example.com.ua" in bondar["note"]  # not a contact point, not lost
    assert people["Приймальня"]["phones"] == [("+380322345678", "fax")]
    assert people["Приймальня"]["emails"] == ["office@vector.example"]
    assert all(not p["invalid"] for p in people.values())


def test_a_column_of_one_label_is_the_kind_not_the_contact(cli, tmp_path):
    path = write(
        tmp_path / "list.csv",
        "Имя;Телефон;Номер\n"
        "Иван Петров;Мобильный;+7 916 123-45-67\n"
        "Ольга Сидорова;Мобильный;8 903 555-12-34\n"
        "Пётр Ким;Мобильный;+7 926 111-22-33\n",
    )
    s = cli.json("import", path)
    assert any("holds the kind of contact" in n for n in s["files"][0]["notes"])
    people = base(cli)
    assert people["Петров Иван"]["phones"] == [("+79161234567", "mobile")]
    assert people["Сидорова Ольга"]["phones"] == [("+79035551234", "mobile")]
    assert all(not p["invalid"] for p in people.values())


def test_names_that_are_not_names_are_kept_as_typed(cli):
    s = cli.json("import", FIXTURES / "google_contacts.csv")
    assert (s["created"], s["rejected"]) == (10, 0)
    people = base(cli)
    assert list(people) == [
        "1st DC",
        "1&1 Internet Inc",
        "c_1a2b3c4d5e@resource.calendar.google.com",
        "1upendra kumar@gmail. com",
        "N/A",
        "HR",
        "Mama k",
        "+79031112233",
        "Шухрат",
        "Петров Иван",
    ]
    for typed in ("1st DC", "N/A", "HR", "Mama k", "1upendra kumar@gmail. com"):
        assert people[typed]["last_name"] is None and people[typed]["first_name"] is None
    assert people["1&1 Internet Inc"]["kind"] == "company"
    assert people["HR"]["company"] == "Ромашка"
    # an email or a phone saved as the name is a contact point
    assert people["1upendra kumar@gmail. com"]["emails"] == ["kumar@gmail.com"]
    assert people["c_1a2b3c4d5e@resource.calendar.google.com"]["emails"] == [
        "c_1a2b3c4d5e@resource.calendar.google.com"
    ]
    assert people["+79031112233"]["phones"] == [("+79031112233", None)]
    # a lone given name is a first name
    assert (people["Шухрат"]["first_name"], people["Шухрат"]["last_name"]) == ("Шухрат", None)
    assert people["Шухрат"]["phones"] == [("+998901234567", "Mobile")]
    assert (people["Петров Иван"]["last_name"], people["Петров Иван"]["first_name"]) == (
        "Петров", "Иван",
    )  # fmt: skip


def test_phone_book_from_abroad_vcard_and_csv_are_one_list(cli):
    s = cli.json("import", FIXTURES / "phonebook_abroad.vcf", FIXTURES / "phonebook_abroad.csv")
    vcf, csv = s["files"]
    assert vcf["region"] == "IN"
    assert any("read as IN (+91)" in n for n in vcf["notes"])
    assert vcf["created"] == 8
    # The CSV of the same phone finds every person again: nobody new, nobody invalid.
    assert (csv["created"], csv["unchanged"]) == (0, 8)
    people = base(cli)
    assert len(people) == 8
    assert people["Priya Sharma"]["phones"] == [("+919876543210", "mobile")]
    assert people["Deepa Nair"]["phones"] == [("+916301234567", "mobile")]
    assert all(not p["invalid"] for p in people.values())


def test_phone_book_with_local_numbers_only_gets_a_region_hint(cli):
    s = cli.json("import", FIXTURES / "phonebook_local_only.vcf")
    f = s["files"][0]
    assert f["region"] == "RU"  # no number with a code: the hint, not a guess
    assert f["notes"] == [
        "6 of 8 phones without a country code are not valid RU numbers, 100% would be valid "
        "IN numbers: if the file is from there, undo this import and read it with --region IN"
    ]
    cli("imports", "undo", "1")
    cli.json("import", FIXTURES / "phonebook_local_only.vcf", "--region", "IN", "--force")
    people = base(cli)
    assert all(not p["invalid"] for p in people.values() if p["status"] == "active")
    assert people["Neha Kapoor"]["phones"] == [("+916398765432", "mobile")]


def test_counterparty_directory_with_starred_required_columns(cli, tmp_path):
    # An import template of a warehouse/shop system as saved from Excel (cp1251, ';', CRLF):
    # required columns marked with '*', people and organisations in one "Наименование" column.
    text = (
        "*Тип;*Наименование;*Телефон;*ИНН;Email;Комментарий\r\n"
        "Физ;Иванов Иван Иванович;+7 (912) 345-67-89;;ivanov@mail.ru;\r\n"
        'Юр;ООО "Ромашка";8 (342) 212-34-56;5902123456;info@romashka.ru;"оплата; по счёту"\r\n'
        "Физ;Семёнова Ольга;;;;нет контактов\r\n"
    )
    s = cli.json("import", write(tmp_path / "kontragenty.csv", text, "cp1251"))
    f = s["files"][0]
    assert f["mapping"][""]["*Наименование"] == "full_name"
    assert (s["rows_read"], s["created"], s["rejected"]) == (3, 3, 0)
    people = base(cli)
    assert list(people) == ["Иванов Иван Иванович", 'ООО "Ромашка"', "Семёнова Ольга"]
    assert people["Иванов Иван Иванович"]["middle_name"] == "Иванович"
    assert people['ООО "Ромашка"']["company"] == 'ООО "Ромашка"'
    assert "оплата; по счёту" in people['ООО "Ромашка"']["note"]
