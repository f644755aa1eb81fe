"""Local numbers without their area code: completed by --area-code, evidence by their digits
without it."""

from __future__ import annotations

from conftest import write
from sqlalchemy import select

from clientbase.db.models import contact_points
from clientbase.dedupe.keys import blocking_keys, features
from clientbase.dedupe.levels import FIELDS, compare
from clientbase.dedupe.person import Person
from clientbase.normalize.phones import normalize_phone, with_area_code

LIST = "Компания;Телефон;Адрес\n" + (
    "ООО «Ромашка» — филиал на Ленина;234-56-78;ул. Ленина, д. 5\n"
    "Ромашка (Ленина);8 (495) 234-56-78;Ленина улица 5\n"
)


def test_area_code_completes_local_numbers_only():
    assert normalize_phone("234-56-78", with_area_code("RU", "495")).e164 == "+74952345678"
    assert normalize_phone("8 916 123-45-67", "RU+495").e164 == "+79161234567"
    assert normalize_phone("555-1234", with_area_code("US", "212")).e164 == "+12125551234"
    assert not normalize_phone("234-56-78", "RU").valid


def test_import_with_area_code_stores_the_full_number(cli, tmp_path):
    r = cli("import", write(tmp_path / "orgs.csv", LIST), "--area-code", "495")
    assert r.exit_code == 0
    with cli.engine().connect() as conn:
        values = conn.execute(select(contact_points.c.value)).scalars().all()
    assert values == ["+74952345678"]  # the second row folded onto the first by its phone


def test_bad_area_code_is_one_clear_line(cli, tmp_path):
    r = cli("import", write(tmp_path / "orgs.csv", LIST), "--area-code", "49x", expect=2)
    assert "--area-code" in r.stderr and "digits only" in r.stderr


def test_without_area_code_the_digits_still_link_the_records(cli, tmp_path):
    cli("import", write(tmp_path / "orgs.csv", LIST))
    plan = cli.json("dedupe", "--dry-run")
    assert [g["ids"] for g in plan["auto"] + plan["review"]] == [[1, 2]]


def test_levels_see_local_digits_branch_wording_and_address_variants():
    a = Person(1, "ООО «Ромашка» — филиал на Ленина", kind="company",
               company="ООО «Ромашка» — филиал на Ленина", address="ул. Ленина, д. 5",
               loose_phones=("2345678",))  # fmt: skip
    b = Person(2, "Ромашка (Ленина)", kind="company", company="Ромашка (Ленина)",
               address="Ленина улица 5", phones=("+74952345678",))  # fmt: skip
    levels = dict(zip(FIELDS, compare(features(a), features(b)), strict=True))
    assert levels["phone"] == 3  # the local number is the end of the full one
    assert levels["organisation"] == 1 and levels["address"] == 1
    assert "p7:2345678" in blocking_keys(a) and "p7:2345678" in blocking_keys(b)
