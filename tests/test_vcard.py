"""The vCard reader against our own fixtures (tests/fixtures/vcard, made by make_fixtures.py).

Each fixture imitates what one real exporter writes; the assertions are on what a person would
check: the decoded names, phones with labels, e-mails, birthdays and the line a card starts at.
"""

from __future__ import annotations

import codecs
import importlib.util
from pathlib import Path

import pytest

from clientbase.importers.records import ContactRecord
from clientbase.importers.vcard import (
    VCard,
    VCardSyntaxError,
    looks_like_vcard,
    read_vcards,
    split_components,
    split_structured,
    vcard_to_record,
)

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"


def load(name: str) -> list[VCard | VCardSyntaxError]:
    return list(read_vcards((FIXTURES / name).read_bytes()))


def records(name: str) -> list[ContactRecord]:
    items = load(name)
    assert not [i for i in items if isinstance(i, VCardSyntaxError)]
    return [vcard_to_record(c) for c in items]


def names(rec: ContactRecord) -> tuple[str | None, ...]:
    keys = ("last_name", "first_name", "middle_name", "full_name")
    return tuple(rec.fields.get(k) for k in keys)


# --- the fixtures are what make_fixtures.py writes --------------------------------------------


def test_fixtures_match_their_generator():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, build in module.FIXTURES.items():
        assert (FIXTURES / name).read_bytes() == build(), name


# --- Android 2.1: quoted-printable UTF-8 ------------------------------------------------------


def test_android_qp_names_survive_soft_breaks_inside_a_letter():
    petrov, email_only, smirnova = records("android_21_qp.vcf")
    # N's soft break falls between D0 and 9D of "Н"; FN has two such breaks.
    assert names(petrov) == ("Петров", "Сергей", "Николаевич", None)
    assert petrov.raw["FN"] == "Сергей Николаевич Петров"
    assert petrov.row == 1
    assert email_only.row == 37
    assert smirnova.row == 42


def test_android_bare_params_and_encoding_param_order():
    petrov = records("android_21_qp.vcf")[0]
    assert petrov.phones == [
        ("+7 916 123-45-67", "mobile"),  # TEL;CELL;PREF
        ("8 (495) 765-43-21", "home"),
        ("+7 495 111-22-33", "fax"),  # TEL;WORK;FAX: a fax first
    ]
    assert petrov.emails == [("s.petrov@stroymarket.ru", "work"), ("petrov1975@mail.ru", "home")]
    assert petrov.fields["company"] == "ООО «Строймаркет»"  # ENCODING before CHARSET
    assert petrov.fields["position"] == "Директор"  # bare QUOTED-PRINTABLE
    assert petrov.fields["note"] == "Постоянный клиент\nскидка 5%"  # =0D=0A → newline
    assert petrov.fields["tags"] == "Клиенты, VIP"


def test_android_bare_params_are_filed_under_their_keys():
    card = load("android_21_qp.vcf")[0]
    tel = card.first("TEL")
    assert tel.params == {"TYPE": ["cell", "pref"]}
    title = card.first("TITLE")
    assert title.params == {"CHARSET": ["UTF-8"], "ENCODING": ["QUOTED-PRINTABLE"]}
    assert title.line == 14


def test_android_21_base64_photo_is_skipped_with_all_its_lines():
    card = load("android_21_qp.vcf")[0]
    photo = card.first("PHOTO")
    assert photo.value == "" and photo.is_binary and photo.line == 18
    # Indented, unindented and the blank terminator are all consumed: the next property is intact.
    custom = card.first("X-ANDROID-CUSTOM")
    assert custom.value == "vnd.android.cursor.item/nickname;Серж;1;;;;;;;;;;;;;"
    assert custom.line == 34
    rec = vcard_to_record(card)
    assert "PHOTO" not in rec.raw


def test_raw_utf8_without_charset_next_to_qp():
    card = load("android_21_qp.vcf")[0]
    assert card.first("CATEGORIES").value == "Клиенты,VIP"


def test_only_email_card():
    rec = records("android_21_qp.vcf")[1]
    assert rec.fields == {"tags": "My Contacts"}
    assert rec.emails == [("zakaz@cvetyopt.ru", None)]
    assert rec.phones == []


def test_qp_folded_soft_break_blank_line_and_indented_literal():
    rec = records("android_21_qp.vcf")[2]
    assert names(rec) == ("Смирнова", "Алёна", None, None)
    # FN: "=D0=\r\n =BD" — the indent before an escape is folding, not content.
    assert rec.raw["FN"] == "Алёна Смирнова"
    # ORG ends in a soft break followed by a blank line; TEL after it is still a phone.
    assert rec.fields["company"] == "Салон «Лайм»"
    assert rec.phones == [("89261234567", "mobile")]
    # "=\r\n 123456": in quoted-printable the space after a soft break is text.
    assert rec.raw["LABEL"] == "ул. Ленина 5\nМосква 123456"
    assert rec.fields["address"] == "ул. Ленина 5, Москва 123456"


# --- legacy code pages ----------------------------------------------------------------------


def test_raw_cp1251_without_charset_ukrainian():
    olena, me, taras = records("cp1251_21.vcf")
    assert names(olena) == ("Коваленко", "Олена", "Іванівна", None)
    assert olena.fields["city"] == "Київ"
    assert olena.fields["postcode"] == "01001"
    assert olena.fields["address"] == "вул. Хрещатик, 1, Київ, 01001, Україна"
    # LABEL;CHARSET=Windows-1251;QUOTED-PRINTABLE (bare QP) with a QP CRLF.
    assert olena.raw["LABEL"] == "вул. Хрещатик, 1\nКиїв"
    assert olena.phones == [("+380 67 123 45 67", "mobile")]
    assert taras.fields["last_name"] == "Шевченко"
    assert [r.row for r in (olena, me, taras)] == [1, 9, 16]


def test_single_cp1251_byte_decoded_by_the_rest_of_the_file():
    me = records("cp1251_21.vcf")[1]
    # "Я" alone is one byte (0xDF, "ß" in cp1252); the file as a whole is clearly cp1251.
    assert me.fields["first_name"] == "Я"
    assert me.raw["FN"] == "Я"
    assert me.fields["note"] == "Мой номер"  # QP without CHARSET, cp1251 bytes
    assert me.phones == [("+7 999 000-00-00", None)]


def test_qp_without_charset_cp1252_and_lone_cr_line_ends():
    (rec,) = records("cp1252_mac_cr.vcf")
    assert names(rec) == ("Müller", "Jürgen", None, None)
    assert rec.raw["FN"] == "Jürgen Müller"
    assert rec.phones == [("+49 30 1234567", "work")]


def test_outlook_declared_cp1251_and_unindented_qp_continuation():
    (rec,) = records("outlook_21_cp1251.vcf")
    assert names(rec) == ("Морозов", "Алексей", "Викторович", None)
    assert rec.fields["company"] == 'ЗАО "Север"'
    assert rec.fields["position"] == "Менеджер"
    assert rec.fields["birthday"] == "19800322"
    assert rec.raw["LABEL"] == "Невский пр., 1\nСанкт-Петербург 191186"
    assert rec.fields["address"] == "Невский пр., 1, Санкт-Петербург, 191186, Россия"
    assert rec.phones == [("(812) 555-12-34", "work"), ("+7 911 555-66-77", "mobile")]
    assert rec.emails == [("a.morozov@sever.spb.ru", None)]
    # The base64 PHOTO ended by a blank line does not swallow the properties after it.
    assert rec.raw["X-MS-MANAGER"] == "Петров"
    assert rec.raw["REV"] == "20240305T131933Z"


# --- Google / UTF-16 ------------------------------------------------------------------------


def test_utf16le_bom_google_export():
    olga, cafe = records("google_30_utf16le.vcf")
    assert names(olga) == ("Белова", "Ольга", "Сергеевна", None)
    assert olga.fields["birthday"] == "1985-07-09"
    # Empty X-ABLabel: no label; a custom one is kept as typed.
    assert olga.phones == [("+7 (921) 555-12-34", None), ("+7 812 333-44-55", "Рабочий")]
    assert olga.emails == [("olga.belova@yandex.ru", None)]
    assert (olga.row, cafe.row) == (1, 15)


def test_empty_n_falls_back_to_fn():
    cafe = records("google_30_utf16le.vcf")[1]
    assert names(cafe) == (None, None, None, "Кафе «Ёлка»")
    assert cafe.fields["company"] == "Кафе «Ёлка»"
    assert cafe.phones == [("+7 812 000-11-22", "work")]


def test_folded_photo_url_is_text():
    card = load("google_30_utf16le.vcf")[0]
    assert card.first("PHOTO").value.endswith("OpQrStUvWxYz/photo.jpg")


# --- iPhone ---------------------------------------------------------------------------------


def test_iphone_cr_cr_lf_groups_and_labels():
    (rec,) = records("iphone_30_crcrlf.vcf")
    assert rec.row == 1
    assert names(rec) == ("Кузнецов", "Дмитрий", "Андреевич", None)
    assert rec.phones == [
        ("+7 (903) 111-22-33", "mobile"),  # type=CELL;type=VOICE;type=pref
        ("+7 903 444-55-66", "mobile"),  # item2.X-ABLabel:_$!<Mobile>!$_
        ("8 (4012) 55-66-77", "Дача"),  # custom label kept as typed
        ("8 4012 55-66-78", "fax"),  # type=HOME;type=FAX
    ]
    assert rec.emails == [("dk@avtoservis-kuz.ru", "work")]
    assert rec.fields["company"] == "ИП Кузнецов Д.А."
    assert rec.fields["position"] == "Владелец"
    assert rec.messengers == [("telegram", "dkuznetsov")]


def test_iphone_omitted_birth_year():
    (rec,) = records("iphone_30_crcrlf.vcf")
    assert rec.fields["birthday"] == "--03-22"
    assert rec.raw["BDAY"] == "1604-03-22"  # raw keeps what the phone wrote


def test_iphone_repeated_type_params_and_escapes():
    (card,) = load("iphone_30_crcrlf.vcf")
    tel = card.first("TEL")
    assert tel.types == {"cell", "voice", "pref"}
    assert (
        card.first("NOTE").value == "Ремонт подвески\nзвонить после 18:00; спросить Диму\\Дмитрия"
    )
    rec = vcard_to_record(card)
    assert rec.fields["address"] == "ул. Мира, д. 10, Калининград, 236000, Россия"
    assert rec.fields["city"] == "Калининград"


def test_iphone_folded_base64_photo_skipped():
    (card,) = load("iphone_30_crcrlf.vcf")
    photo = card.first("PHOTO")
    assert photo.value == "" and photo.is_binary
    assert card.properties[-1].name == "PHOTO"  # nothing after it was mistaken for a property


# --- vCard 4.0 --------------------------------------------------------------------------------


def test_v40_params_uris_and_messengers():
    ivanov, sidorova = records("v40_bom.vcf")
    assert names(ivanov) == ("Иванов", "Иван", "Иванович", None)
    assert ivanov.raw["FN"] == "Иванов, Иван"  # unescaped comma kept
    assert ivanov.phones == [("+7-495-123-45-67", "work"), ("+79161234567", "mobile")]
    assert ivanov.emails == [("ivanov@example.ru", "work"), ("ivan.ivanov@gmail.com", None)]
    assert ivanov.messengers == [
        ("telegram", "ivanov_ivan"),
        ("vk", "https://vk.com/id123456"),
        ("whatsapp", "+79161234567"),
        ("telegram", "https://t.me/ivanov_shop"),
    ]
    assert ivanov.fields["external_id"] == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert ivanov.fields["gender"] == "M"
    assert ivanov.fields["tags"] == "опт, постоянные"
    assert ivanov.fields["birthday"] == "--0322"
    assert ivanov.fields["address"] == "ул. Тверская, 1, Москва, 125009, Россия"
    assert "PHOTO" not in ivanov.raw  # data: URI
    assert (ivanov.row, sidorova.row) == (1, 25)


def test_v40_quoted_type_list_and_pref():
    card = load("v40_bom.vcf")[0]
    tel = card.first("TEL")
    assert tel.params == {"TYPE": ["work", "voice"], "PREF": ["1"], "VALUE": ["uri"]}
    assert tel.value == "tel:+7-495-123-45-67"
    adr = card.first("ADR")
    assert adr.param("LABEL") == "Москва, ул. Тверская, 1"


def test_v40_tab_folding_and_escapes():
    rec = records("v40_bom.vcf")[0]
    assert rec.fields["note"] == (
        "Путь: C:\\Клиенты\nзаказ №1, №2; итого 3 \\ шт. Доставка по вторникам и четвергам, "
        "после обеда"
    )


def test_only_fn_with_undated_birthday_formats():
    sidorova = records("v40_bom.vcf")[1]
    assert names(sidorova) == (None, None, None, "Сидорова Мария")
    assert sidorova.fields["birthday"] == "19800322"
    assert sidorova.phones == [("+7 (495) 222-33-44", "home")]


# --- malformed input ------------------------------------------------------------------------


def test_malformed_cards_are_reported_and_reading_goes_on():
    items = load("malformed_30.vcf")
    kinds = [(type(i).__name__, i.line) for i in items]
    assert kinds == [
        ("VCard", 2),
        ("VCardSyntaxError", 9),  # BEGIN without END
        ("VCard", 13),
        ("VCardSyntaxError", 21),  # the garbage line itself
        ("VCardSyntaxError", 24),  # text between cards
        ("VCard", 25),
        ("VCard", 30),  # no final line break
    ]
    no_end, garbage, between = items[1], items[3], items[4]
    assert "without END:VCARD" in no_end.message
    assert no_end.card_line == 9
    assert no_end.partial.first("N").components()[:2] == ["Без", "Конца"]
    assert garbage.card_line == 18
    assert "это строка без двоеточия" in garbage.message
    assert str(garbage).startswith("line 21: ")
    assert between.card_line is None


def test_malformed_file_good_cards():
    cards = [i for i in load("malformed_30.vcf") if isinstance(i, VCard)]
    orlov, only_fn, only_n, only_email = (vcard_to_record(c) for c in cards)
    assert names(orlov) == ("Орлов", "Павел", None, None)
    assert orlov.phones == [("+7 900 100-00-01", None)]
    assert names(only_fn) == (None, None, None, "Только ФИО")
    assert only_fn.fields["birthday"] == "19723101"  # invalid, kept for the pipeline to flag
    assert names(only_n) == ("Новикова", "Анна", "Петровна", None)
    assert only_n.fields["birthday"] == "1990-12-01"
    assert only_email.emails == [("info@example.ru", None)]
    assert only_email.row == 30


def test_file_ends_inside_a_card():
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\n"
    first, second = read_vcards(data)
    assert isinstance(first, VCard)
    assert isinstance(second, VCardSyntaxError) and second.line == 5
    assert second.partial.first("FN").value == "B"


# --- smaller cases ----------------------------------------------------------------------------


def test_whole_name_in_one_n_component_becomes_full_name():
    card = next(
        read_vcards("BEGIN:VCARD\nVERSION:3.0\nN:Иванов Иван Иванович;;;;\nEND:VCARD\n".encode())
    )
    assert vcard_to_record(card).fields == {"full_name": "Иванов Иван Иванович"}


def test_utf16_without_bom_and_utf8_bom():
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ёлкин\r\nEND:VCARD\r\n"
    for data in (
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        codecs.BOM_UTF8 + text.encode(),
    ):
        (card,) = read_vcards(data)
        assert card.first("FN").value == "Ёлкин"


def test_stale_charset_in_a_file_converted_to_utf8():
    data = "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=WINDOWS-1251:Попов;Олег\nEND:VCARD\n".encode()
    (card,) = read_vcards(data)
    assert card.first("N").components() == ["Попов", "Олег"]


def test_declared_utf8_with_one_broken_byte_keeps_the_rest():
    data = (
        b"BEGIN:VCARD\nVERSION:2.1\n"
        b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=AF=D0=BD=80\nEND:VCARD\n"
    )
    (card,) = read_vcards(data)
    assert card.first("FN").value == "Ян\ufffd"


def test_soft_break_right_before_end():
    data = b"BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Ann=\nEND:VCARD\n"
    (card,) = read_vcards(data)
    assert card.first("FN").value == "Ann"


def test_text_property_in_base64_is_decoded():
    value = codecs.encode("Оля".encode(), "base64").strip()
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN;ENCODING=b;CHARSET=UTF-8:" + value + b"\nEND:VCARD\n"
    (card,) = read_vcards(data)
    assert card.first("FN").value == "Оля"


def test_quoted_colon_in_param_and_unbalanced_quote():
    data = (
        b'BEGIN:VCARD\nVERSION:4.0\nADR;LABEL="a:b";TYPE=home:;;Street;City;;;\n'
        b'NOTE;X-ODD="oops:hello\nEND:VCARD\n'
    )
    (card,) = read_vcards(data)
    assert card.first("ADR").param("LABEL") == "a:b"
    assert card.first("ADR").components()[2:4] == ["Street", "City"]
    assert card.first("NOTE").value == "hello"


def test_structured_helpers():
    assert split_components(r"Doe;John;Richter\, James;;") == [
        "Doe",
        "John",
        "Richter, James",
        "",
        "",
    ]
    assert split_structured("Doe;John;Richter,James") == [["Doe"], ["John"], ["Richter", "James"]]
    assert split_components(r"a\;b;c") == ["a;b", "c"]


def test_3_0_multi_value_n_component():
    data = b"BEGIN:VCARD\nVERSION:3.0\nN:Doe;John;Richter,James;Mr.;Sr.\nEND:VCARD\n"
    rec = vcard_to_record(next(read_vcards(data)))
    assert names(rec) == ("Doe", "John", "Richter James", None)


def test_impp_with_service_type_and_x_telegram():
    data = (
        b"BEGIN:VCARD\nVERSION:3.0\nFN:X\n"
        b"IMPP;X-SERVICE-TYPE=Telegram:x-apple:shop_bot\nX-TELEGRAM:@shop\n"
        b"URL:https://example.com\nEND:VCARD\n"
    )
    rec = vcard_to_record(next(read_vcards(data)))
    assert rec.messengers == [("telegram", "shop_bot"), ("telegram", "@shop")]


def test_empty_input_and_no_cards():
    assert list(read_vcards(b"")) == []
    assert list(read_vcards(b"\r\n\r\n")) == []


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.vcf")))
def test_looks_like_vcard_on_every_fixture(name):
    assert looks_like_vcard((FIXTURES / name).read_bytes()[:4096])


@pytest.mark.parametrize(
    "head",
    [
        b"\xef\xbb\xbf\r\n\r\nbegin:vcard\r\n",
        codecs.BOM_UTF16_LE + "BEGIN:VCARD\r\nVERSION:3.0".encode("utf-16-le")[:-1],  # cut mid-char
        "BEGIN:VCARD\r\n".encode("utf-16-be"),
    ],
)
def test_looks_like_vcard_yes(head):
    assert looks_like_vcard(head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        "Имя;Телефон\r\nИван;+7 916 000-00-00\r\n".encode("cp1251"),
        b"name,note\r\nAnn,BEGIN:VCARD is a vCard marker\r\n",
        b"PK\x03\x04\x14\x00",
    ],
)
def test_looks_like_vcard_no(head):
    assert not looks_like_vcard(head)


def test_files_joined_with_cat_keep_every_card():
    one = codecs.BOM_UTF8 + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Аня\r\nEND:VCARD\r\n".encode()
    two = codecs.BOM_UTF8 + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Боря\r\nEND:VCARD\r\n".encode()
    cards = list(read_vcards(one + two))
    assert [c.first("FN").value for c in cards] == ["Аня", "Боря"]
    assert [c.line for c in cards] == [1, 5]


def test_soft_break_continuation_that_looks_like_a_label():
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE:Call first=0D=0A=\r\n"
        b"Note: side door\r\n"
        b"TEL;CELL:123\r\n"
        b"END:VCARD\r\n"
    )
    (card,) = read_vcards(data)
    assert card.first("NOTE").value == "Call first\nNote: side door"
    assert card.first("TEL").value == "123"


def test_photo_base64_without_encoding_param_is_not_raw_text():
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN:A\nPHOTO;TYPE=JPEG:/9j/4AAQSkZJRg\n AAQ==\nEND:VCARD\n"
    rec = vcard_to_record(next(read_vcards(data)))
    assert "PHOTO" not in rec.raw
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN:A\nPHOTO:https://example.com/a.jpg\nEND:VCARD\n"
    assert vcard_to_record(next(read_vcards(data))).raw["PHOTO"] == "https://example.com/a.jpg"


def test_21_agent_nested_card_does_not_split_the_outer_one():
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Boss;Big\r\nAGENT:\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Helper;Little\r\nEND:VCARD\r\n"
        b"TEL;WORK:123\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Next;One\r\nEND:VCARD\r\n"
    )
    boss, nxt = read_vcards(data)
    rec = vcard_to_record(boss)
    assert names(rec)[:2] == ("Boss", "Big")
    assert rec.phones == [("123", "work")]
    assert (nxt.line, nxt.first("N").value) == (11, "Next;One")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.vcf")))
def test_truncated_files_never_raise(name):
    data = (FIXTURES / name).read_bytes()
    for cut in range(0, len(data), max(1, len(data) // 97)):
        for item in read_vcards(data[:cut]):
            card = item.partial if isinstance(item, VCardSyntaxError) else item
            if card is not None:
                vcard_to_record(card)
