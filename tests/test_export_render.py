"""Audience export internals: rendering, hashing (the reference's test vectors), escaping, presets,
and the splitting writer."""

from __future__ import annotations

import hashlib

import pytest
from conftest import write

from clientbase.errors import UsageError
from clientbase.exporters.presets import load_preset, platforms
from clientbase.exporters.render import (
    escape_formula,
    hash_value,
    hasher,
    looks_hashed,
    phone_facts,
    render_email,
    render_name,
    render_phone,
)
from clientbase.exporters.writer import TextWriter, XlsxWriter

# The vectors of the ad-platform reference (hex, lower case).
MD5_DIGITS = "f09f2c3d48f31e2a802944ade2e5aec5"
SHA_DIGITS = "22846ab8f79870871eb44f653419a4a5069301827d8ae75b6c2a88e4989a364e"
SHA_PLUS = "86cc60992d2e0fde2e5511d462b755057f8f5c6b259a1ff7c2eee2ea284eb113"
MD5_MAIL = "3c56ff8fef0f6c65b36b2d25720fe276"
SHA_MAIL = "bd93ea95f242f02313eccf0ab0bb7fe5121a052de42d2cb7bd332fb9f537cbfa"


def test_reference_vectors_phone_rendered_per_platform():
    e164 = "+79995551111"
    assert render_phone(e164, "digits") == "79995551111"
    assert render_phone(e164, "e164") == "+79995551111"
    assert hash_value("79995551111", "md5") == MD5_DIGITS
    assert hash_value("79995551111", "sha256") == SHA_DIGITS
    assert hash_value("+79995551111", "sha256") == SHA_PLUS
    # Through each platform's preset: Google keeps the "+", the others drop it.
    for platform, want in (("google", SHA_PLUS), ("yandex", SHA_DIGITS), ("meta", SHA_DIGITS),
                           ("tiktok", SHA_DIGITS)):  # fmt: skip
        p = load_preset(platform)
        assert hasher(p.hash)(render_phone(e164, p.phone_format)) == want, platform
    vk = load_preset("vk")
    assert hasher(vk.hash)(render_phone(e164, vk.phone_format)) == MD5_DIGITS


def test_reference_vectors_email():
    assert hash_value("mail@yandex.ru", "md5") == MD5_MAIL
    assert hash_value("mail@yandex.ru", "sha256") == SHA_MAIL
    for platform in ("yandex", "google", "meta", "tiktok"):
        p = load_preset(platform)
        assert hasher(p.hash)(render_email(" Mail@Yandex.RU ", p.email_rules)) == SHA_MAIL
    assert hasher("md5")(render_email("MAIL@yandex.ru", load_preset("vk").email_rules)) == MD5_MAIL


def test_gmail_rule_only_for_google():
    google = load_preset("google").email_rules
    assert render_email("Ivan.Petrov+shop@Gmail.com", google) == "ivanpetrov@gmail.com"
    assert render_email("i.v.a.n@googlemail.com", google) == "ivan@googlemail.com"
    # Dots are letters at other providers, even for Google.
    assert render_email("ivan.petrov+x@mail.ru", google) == "ivan.petrov+x@mail.ru"
    for platform in ("yandex", "vk", "meta", "tiktok", "csv"):
        rules = load_preset(platform).email_rules
        assert render_email("Ivan.Petrov+shop@Gmail.com", rules) == "ivan.petrov+shop@gmail.com"
    assert render_email(" a b@x.ru", google) == "ab@x.ru"  # Google removes inner whitespace


def test_yandex_takes_latin_addresses_only():
    assert render_email("иван@почта.рф", load_preset("yandex").email_rules) is None
    assert render_email("иван@почта.рф", load_preset("csv").email_rules) == "иван@почта.рф"


def test_already_hashed_values_are_not_hashed_again():
    assert (
        looks_hashed(SHA_DIGITS) and looks_hashed(MD5_DIGITS) and looks_hashed(SHA_DIGITS.upper())
    )
    assert not looks_hashed("79995551111") and not looks_hashed("g" * 64)
    assert not looks_hashed("a" * 40)  # SHA-1 length: not a hash any platform takes
    assert hash_value(SHA_DIGITS, "sha256") == SHA_DIGITS
    assert hash_value(SHA_DIGITS.upper(), "sha256") == SHA_DIGITS
    assert hash_value(MD5_MAIL, "md5") == MD5_MAIL
    assert hasher("sha256")(SHA_PLUS) == SHA_PLUS
    assert hasher("sha256")("x") == hashlib.sha256(b"x").hexdigest()
    assert hash_value("79995551111", "none") == "79995551111"


def test_formula_escaping():
    assert escape_formula('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert escape_formula("+79995551111") == "'+79995551111"
    assert escape_formula("-2+3") == "'-2+3"
    assert escape_formula("@SUM(A1)") == "'@SUM(A1)"
    assert escape_formula("\t=1") == "'\t=1"
    assert escape_formula("\r=1") == "'\r=1"
    for safe in ("79995551111", "Иванов Иван", "mail@yandex.ru", "", "a=b", "Анна-Мария"):
        assert escape_formula(safe) == safe


def test_names_per_platform():
    assert render_name("Алёна", "hash") == "алёна"  # Google: lower case, Cyrillic kept
    assert render_name("Ёлкина", "transliterate") == "elkina"  # Meta: a-z only
    assert render_name("Щукина-Петрова", "transliterate") == "shchukinapetrova"
    assert render_name("O'Brien", "transliterate") == "obrien"
    assert render_name("Иванов", "drop") == ""
    assert render_name("Иванов", "plain") == "Иванов"
    assert render_name(None, "hash") == ""
    # A decomposed "й" (и + combining breve) is composed before hashing.
    assert render_name("Андре\u0438\u0306", "hash") == "андрей"


def test_phone_facts_region_and_mobile():
    assert phone_facts("+79161234567") == ("RU", True)
    assert phone_facts("+74951234567") == ("RU", False)
    assert phone_facts("+77011234567") == ("KZ", True)  # +7 7xx: Kazakhstan
    assert phone_facts("+77272345678") == ("KZ", False)
    assert phone_facts("+375291234567") == ("BY", True)
    assert phone_facts("+442079460321") == ("GB", False)
    assert phone_facts("+12015550123") == ("US", True)  # fixed line or mobile: cannot tell


def test_every_preset_carries_its_source_and_date():
    assert set(platforms()) >= {"yandex", "vk", "google", "meta", "tiktok", "csv", "xlsx"}
    for name in platforms():
        p = load_preset(name)
        assert p.source and p.checked.startswith("2025"), name
        assert p.hash in p.hashes, name
    g = load_preset("google")
    assert [c.header for c in g.columns] == [
        "Email", "Phone", "First Name", "Last Name", "Country", "Zip",
    ]  # fmt: skip
    assert (g.delimiter, g.encoding, g.phone_format) == (",", "utf-8", "e164")
    assert [c.field for c in g.columns if not c.hashed] == ["country", "zip"]
    assert load_preset("yandex").hashes == ("sha256", "none")  # MD5 refused since January 2025
    assert load_preset("vk").one_identifier_per_file
    assert (load_preset("vk").min_size, load_preset("tiktok").min_size) == (2000, 1000)


def test_settings_override_a_preset():
    p = load_preset(
        "yandex",
        settings=["delimiter=;", "encoding=cp1251", "min_size=50", "mobile_only=false",
                  "columns=phone,email,external_id", "header.phone=Телефон",
                  "hashes=sha256,md5,none", "checked=2026-01"],
    )  # fmt: skip
    assert (p.delimiter, p.encoding, p.min_size, p.mobile_only) == (";", "cp1251", 50, False)
    assert [(c.field, c.header) for c in p.columns] == [
        ("phone", "Телефон"), ("email", "email"), ("external_id", "external_id"),
    ]  # fmt: skip
    assert p.hashes == ("sha256", "md5", "none") and p.checked == "2026-01"
    for bad, text in (
        ("colour=red", "unknown key 'colour'"),
        ("delimiter", "expected KEY=VALUE"),
        ("hash=sha1", "hash 'sha1' is not one of"),
        ("min_size=many", "min_size = 'many' should be a whole number"),
        ("columns=phone,fax", "column field 'fax'"),
        ("columns=first_name", "need a phone or an email"),
        ("header.zip=Индекс", "has no 'zip' column"),
        ("encoding=klingon", "unknown encoding"),
    ):
        with pytest.raises(UsageError, match=text):
            load_preset("yandex", settings=[bad])
    with pytest.raises(UsageError, match="unknown platform"):
        load_preset("myspace")


def test_preset_file_overrides_and_adds_platforms(tmp_path):
    f = write(
        tmp_path / "p.toml",
        'min_size = 10\nchecked = "2026-02"\n\n'
        '[unisender]\nlabel = "Unisender"\ntitle = "Unisender list"\ndelimiter = ";"\n'
        'columns = [{ field = "email", header = "Email" }, { field = "name", header = "Name" }]\n',
    )
    p = load_preset("yandex", preset_file=f)
    assert (p.min_size, p.checked, p.delimiter) == (10, "2026-02", ",")
    u = load_preset("unisender", preset_file=f)
    assert (u.delimiter, u.hash, u.escape_formulas) == (";", "none", True)  # the rest from csv
    assert [c.header for c in u.columns] == ["Email", "Name"]
    with pytest.raises(UsageError, match="not valid TOML"):
        load_preset("yandex", preset_file=write(tmp_path / "bad.toml", "min_size = \n"))


def test_text_writer_splits_by_rows_and_bytes(tmp_path):
    out = tmp_path / "a.csv"
    w = TextWriter(out, header=["id"], max_rows=2)
    for v in ("1", "2", "3", "4", "5"):
        w.write([v])
    files = w.close()
    assert [f.path.name for f in files] == ["a-part1.csv", "a-part2.csv", "a-part3.csv"]
    assert not out.exists()
    assert [f.path.read_bytes() for f in files] == [b"id\n1\n2\n", b"id\n3\n4\n", b"id\n5\n"]
    assert [f.rows for f in files] == [2, 2, 1]
    assert all(f.sha256 == hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files)
    assert not list(tmp_path.glob(".*.tmp"))
    # Bytes: header (3) + two 5-byte lines fit in 13, a third would not.
    w = TextWriter(tmp_path / "b.txt", header=["id"], max_bytes=13)
    for v in ("1111", "2222", "3333"):
        w.write([v])
    files = w.close()
    assert [f.path.read_bytes() for f in files] == [b"id\n1111\n2222\n", b"id\n3333\n"]
    assert all(f.bytes <= 13 for f in files)


def test_text_writer_encoding_and_bom_once_per_part(tmp_path):
    w = TextWriter(tmp_path / "c.csv", header=["имя", "тел"], delimiter=";", encoding="cp1251")
    w.write(["Ёлкина", "79161234567"])
    w.write(["Ağa", "1"])  # ğ is not in Windows-1251
    (f,) = w.close()
    assert f.path.read_bytes() == "имя;тел\nЁлкина;79161234567\nA?a;1\n".encode("cp1251")
    assert w.replaced == 1
    w = TextWriter(tmp_path / "d.csv", header=["x"], encoding="utf-8-sig", max_rows=1)
    w.write(["а"])
    w.write(["б"])
    files = w.close()
    assert [f.path.read_bytes() for f in files] == [
        b"\xef\xbb\xbfx\n" + "а\n".encode(), b"\xef\xbb\xbfx\n" + "б\n".encode(),
    ]  # fmt: skip


def test_xlsx_writer_cells_are_text(tmp_path):
    from openpyxl import load_workbook

    w = XlsxWriter(tmp_path / "a.xlsx", header=["name", "phone"], max_rows=2)
    for row in (["=1+2", "79161234567"], ["b", "2"], ["c", "3"]):
        w.write(row)
    files = w.close()
    assert [f.path.name for f in files] == ["a-part1.xlsx", "a-part2.xlsx"]
    ws = load_workbook(files[0].path).active
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["name", "phone"], ["=1+2", "79161234567"], ["b", "2"],
    ]  # fmt: skip
    assert {c.data_type for r in ws.iter_rows() for c in r} == {"s"}  # no formula, no number


def test_text_writer_splits_inside_a_batch(tmp_path):
    # More rows than one encoded block: the split still falls exactly on the limits.
    w = TextWriter(tmp_path / "big.csv", header=["id"], max_rows=3000)
    for i in range(10_000):
        w.write([f"{i:05d}"])
    files = w.close()
    assert [f.rows for f in files] == [3000, 3000, 3000, 1000]
    assert files[1].path.read_text().splitlines()[:2] == ["id", "03000"]
    w = TextWriter(tmp_path / "bytes.csv", header=None, max_bytes=60_000)  # 6 bytes a line
    for i in range(25_000):
        w.write([f"{i:05d}"])
    files = w.close()
    assert [f.rows for f in files] == [10_000, 10_000, 5_000]
    assert [f.bytes for f in files] == [60_000, 60_000, 30_000]
    assert b"".join(f.path.read_bytes() for f in files) == b"".join(
        f"{i:05d}\n".encode() for i in range(25_000)
    )


def test_text_writer_quotes_only_what_needs_it(tmp_path):
    w = TextWriter(tmp_path / "q.csv", header=["a", "b"])
    w.write(["plain", "also plain"])
    (f,) = w.close()
    assert f.path.read_bytes() == b"a,b\nplain,also plain\n"
    w = TextWriter(tmp_path / "q2.csv", header=["a", "b"], delimiter=";")
    w.write(["a;b", 'say "hi"'])
    w.write(["two\nlines", ""])
    (f,) = w.close()
    assert f.path.read_bytes() == b'a;b\n"a;b";"say ""hi"""\n"two\nlines";\n'
    w = TextWriter(tmp_path / "q3.txt", header=None)
    w.write(["x"])
    w.write([""])  # the csv module writes a lone empty value as "" so the line is not lost
    (f,) = w.close()
    assert f.path.read_bytes() == b'x\n""\n'
