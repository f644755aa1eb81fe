"""Local numbers without their area code: completed by --area-code, evidence by their digits
without it."""

from __future__ import annotations

from conftest import write
from sqlalchemy import select

from clientbase.db.models import contact_points, dedupe_candidates
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


def _phone_reasons(group: dict) -> list[str]:
    return [r for r in group["reasons"] if "phone" in r or "digits" in r]


def test_dedupe_area_code_compares_a_stored_local_number_as_the_full_one(cli, tmp_path):
    cli("import", write(tmp_path / "orgs.csv", LIST))
    loose = cli.json("dedupe", "--dry-run")
    full = cli.json("dedupe", "--dry-run", "--area-code", "495")
    [before] = loose["auto"] + loose["review"]
    [after] = full["auto"] + full["review"]
    assert before["ids"] == after["ids"] == [1, 2]
    assert _phone_reasons(before) == ["same last 7 digits 2345678 (one number without its code)"]
    assert _phone_reasons(after) == ["same phone +7 495 234-56-78"]


def test_dedupe_takes_the_area_code_from_the_config(cli, tmp_path, monkeypatch):
    cli("import", write(tmp_path / "orgs.csv", LIST))
    monkeypatch.setenv("CLIENTBASE_AREA_CODE", "495")
    plan = cli.json("dedupe", "--dry-run")
    [group] = plan["auto"] + plan["review"]
    assert _phone_reasons(group) == ["same phone +7 495 234-56-78"]


def test_dedupe_bad_area_code_is_one_clear_line(cli, tmp_path):
    cli("import", write(tmp_path / "orgs.csv", LIST))
    r = cli("dedupe", "--dry-run", "--area-code", "4x5", expect=2)
    assert "--area-code" in r.stderr and "digits only" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_post_import_pass_completes_the_base_numbers_with_the_configured_code(
    cli, tmp_path, monkeypatch
):
    first, second = LIST.splitlines()[1:]
    head = LIST.splitlines()[0]
    cli("import", write(tmp_path / "a.csv", f"{head}\n{first}\n"))
    monkeypatch.setenv("CLIENTBASE_AREA_CODE", "495")
    cli("import", write(tmp_path / "b.csv", f"{head}\n{second}\n"))
    with cli.engine().connect() as conn:
        rows = conn.execute(select(dedupe_candidates.c.a_id, dedupe_candidates.c.b_id,
                                   dedupe_candidates.c.reasons)).all()  # fmt: skip
    assert [(a, b) for a, b, _ in rows] == [(1, 2)]
    assert "same phone +7 495 234-56-78" in rows[0][2]
