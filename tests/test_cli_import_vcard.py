"""vCard files through `clientbase import`: recognised by content, broken cards rejected alone."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"


def test_android_qp_cyrillic_becomes_clean_customers(cli, tmp_path):
    s = cli.json("import", FIXTURES / "android_21_qp.vcf")
    assert s["files"][0]["format"] == "vcard"
    assert (s["rows_read"], s["created"], s["rejected"]) == (3, 3, 0)
    people = {c["name"]: c for c in cli.contacts()}
    # Quoted-printable UTF-8 Cyrillic, a character split across a soft line break: no mojibake.
    assert sorted(people) == ["zakaz@cvetyopt.ru", "Петров Сергей Николаевич", "Смирнова Алёна"]
    petrov = people["Петров Сергей Николаевич"]
    assert petrov["phones"] == ["+79161234567", "+74957654321", "+74951112233"]
    assert petrov["emails"] == ["s.petrov@stroymarket.ru", "petrov1975@mail.ru"]
    assert (petrov["company"], petrov["position"]) == ("ООО «Строймаркет»", "Директор")
    assert petrov["tags"] == ["VIP", "Клиенты"]
    assert people["zakaz@cvetyopt.ru"]["tags"] == []  # Android's "My Contacts" is no tag


def test_malformed_cards_are_rejected_with_their_line_and_the_rest_imports(cli, tmp_path):
    out = tmp_path / "rej.csv"
    s = cli.json("import", FIXTURES / "malformed_30.vcf", "--rejects", out, expect=3)
    reasons = [r["reason"] for r in s["files"][0]["rejects"]]
    assert any("line 9" in r for r in reasons) and any("line 21" in r for r in reasons)
    people = {c["name"]: c for c in cli.contacts()}
    assert people["Орлов Павел"]["phones"] == ["+79001000001"]
    novikova = people["Новикова Анна Петровна"]
    assert novikova["birthday"] == "1990-12-01" and novikova["gender"] == "f"
    # The invalid birthday 19723101 is kept as typed, flagged.
    only_fn = next(
        c for c in people.values() if c["invalid"] and c["invalid"][0]["kind"] == "birthday"
    )
    assert only_fn["invalid"][0]["value"] == "19723101"
    # The broken card's readable part is kept with the rejected row.
    assert "Без" in out.read_text(encoding="utf-8-sig")


def test_iphone_labels_and_year_less_birthday(cli):
    cli("import", FIXTURES / "iphone_30_crcrlf.vcf")
    [card] = cli.contacts()
    assert card["name"] == "Кузнецов Дмитрий Андреевич"
    assert [(p["value"], p["label"]) for p in card["contact_points"] if p["kind"] == "phone"] == [
        ("+79031112233", "mobile"),
        ("+79034445566", "mobile"),
        ("+74012556677", "Дача"),
        ("+74012556678", "fax"),
    ]
    # Apple's 1604 means "no year": the ISO birthday is unknown, the day is not.
    assert (card["birthday"], card["birthday_month_day"]) == (None, "03-22")
