"""vCard files through `clientbase import`: recognised by content, broken cards rejected alone."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"


def test_android_qp_cyrillic_becomes_clean_customers(cli, tmp_path):
    s = cli.json("import", FIXTURES / "android_21_qp.vcf")
    assert s["files"][0]["format"] == "vcard"
    assert s["rejected"] == 0 and s["created"] >= 1
    names = {c["name"] for c in cli.contacts()}
    assert all("Ð" not in n and "\ufffd" not in n for n in names)  # no mojibake


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
    cards = cli.contacts()
    labels = {p["label"] for c in cards for p in c["contact_points"] if p["kind"] == "phone"}
    assert "mobile" in labels
    assert any(c["birthday"] == "--03-22" for c in cards)
