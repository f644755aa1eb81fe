"""The import's moving parts on their own: sniffing, mapping, the key index, bulk SQL."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import write
from sqlalchemy.dialects import postgresql, sqlite

from clientbase.db.bulk import _insert_sql, _select_sql
from clientbase.db.models import contact_points
from clientbase.errors import UsageError
from clientbase.importers import keyindex
from clientbase.importers.keyindex import KeyIndex, key_hash
from clientbase.importers.mapping import build_mapping, guess_column, normalize_header
from clientbase.importers.sniff import detect_encoding, sniff_delimiter


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ФИО", ("full_name", None)),
        ("Тел.", ("phone", None)),
        ("Моб.", ("phone", "mobile")),
        ("Мобильный телефон (контакт)", ("phone", "mobile")),
        ("Контакт: Рабочий телефон", ("phone", "work")),
        ("Рабочий email (контакт)", ("email", "work")),
        ("E-mail 2 Address", ("email", None)),
        ("Дата рождения", ("birthday", None)),
        ("ДР", ("birthday", None)),
        ("Откуда узнал", ("source", None)),
        ("Согласие на рассылку", ("consent", None)),
        ("Телефон 2", ("phone", None)),
        ("Телефон мамы", ("phone", None)),
        ("Любимый цвет", None),
    ],
)
def test_header_synonyms(header, expected):
    assert guess_column(header) == expected


def test_normalize_header_strips_export_decorations():
    assert normalize_header("\ufeff Полное имя (контакт) ") == "полное имя"
    assert normalize_header("Ёмкость*:") == "емкость"


def test_google_value_columns_take_their_label_column():
    m = build_mapping(
        ["Phone 1 - Type", "Phone 1 - Value", "E-mail 1 - Label", "E-mail 1 - Value"], {}
    )
    assert m.columns[1].field == "phone" and m.columns[1].label_column == 0
    assert m.columns[3].field == "email" and m.columns[3].label_column == 2
    assert m.unmapped == []


def test_a_lone_imya_column_holds_the_whole_name():
    m = build_mapping(["Имя", "Телефон"], {})
    assert m.columns[0].field == "full_name"
    m = build_mapping(["Фамилия", "Имя"], {})
    assert m.columns[1].field == "first_name"


def test_override_validation():
    with pytest.raises(UsageError, match="unknown field 'phon'"):
        build_mapping(["A"], {"A": "phon"})
    m = build_mapping(["A", "B"], {"a": "phone:work", "B": "ignore"})  # headers match loosely
    assert (m.columns[0].field, m.columns[0].label, m.columns[1].field) == (
        "phone",
        "work",
        "ignore",
    )


@pytest.mark.parametrize(
    ("sample", "delim"),
    [
        ("ФИО;Телефон;Город\nИванов;8916;Москва\n", ";"),
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('name,note\n"Иванов","a; b; c"\n', ","),
    ],
)
def test_sniff_delimiter(sample, delim):
    assert sniff_delimiter(sample) == delim


def test_detect_encoding(tmp_path):
    assert detect_encoding(write(tmp_path / "a.csv", "ФИО\nИванов\n", "cp1251")) == "cp1251"
    assert detect_encoding(write(tmp_path / "b.csv", "ФИО\nИванов\n")) == "utf-8"
    assert detect_encoding(write(tmp_path / "c.csv", "\ufeffФИО\n")) == "utf-8-sig"
    assert detect_encoding(write(tmp_path / "d.csv", "\ufeffФИО\n", "utf-16-le")) == "utf-16"
    assert detect_encoding(write(tmp_path / "e.csv", "Name\nJosé Müller\n", "cp1252")) == "cp1252"
    # A bad byte far past the sample still decides: the whole file is checked.
    text = "ФИО\n" + "Ivanov\n" * 20000 + "Иванов\n"
    assert detect_encoding(write(tmp_path / "f.csv", text, "cp1251")) == "cp1251"


def test_key_index_finds_owners_across_levels(monkeypatch):
    monkeypatch.setattr(keyindex, "_FLUSH_AT", 4)  # force many small levels and merges
    ix = KeyIndex()
    for i in range(100):
        ix.add(key_hash("phone", f"+7916{i:07d}"), i)
    ix.add(key_hash("phone", "+79160000007"), 1000)  # a shared number has two owners
    assert len(ix) == 101
    assert ix.owners([key_hash("phone", "+79160000007")]) == {7, 1000}
    assert ix.owners([key_hash("phone", "+79160000099"), key_hash("email", "x@y.ru")]) == {99}
    assert ix.owners([]) == set()
    assert all(np.all(h[:-1] <= h[1:]) for h, _ in ix._levels)  # levels stay sorted


def test_key_index_answers_as_a_dict_of_every_key_would(monkeypatch):
    monkeypatch.setattr(keyindex, "_FLUSH_AT", 64)
    rnd = random.Random(5)
    ix, owners = KeyIndex(), {}
    hashes = [rnd.randrange(-(2**63), 2**63) for _ in range(2000)]
    for n, h in enumerate(hashes):
        for owner in {n, n % 7 if n % 5 == 0 else n}:  # every fifth hash has a second owner
            ix.add(h, owner)
            owners.setdefault(h, set()).add(owner)
    # the smallest and largest possible hashes too: past either end of every level
    for q in ([*rnd.sample(hashes, 300), *(rnd.randrange(-(2**63), 2**63) for _ in range(300))],
              [-(2**63), 2**63 - 1, hashes[0]], [-(2**63)]):  # fmt: skip
        assert ix.owners(q) == set().union(*(owners.get(h, set()) for h in q))


def test_bulk_sql_is_dialect_specific():
    assert _insert_sql(contact_points, ("kind", "value"), sqlite.dialect()) == (
        "INSERT INTO contact_points (kind, value) VALUES (?, ?)"
    )
    assert _insert_sql(contact_points, ("kind", "value"), postgresql.dialect()) == (
        "INSERT INTO contact_points (kind, value) VALUES (%(kind)s, %(value)s)"
    )
    assert _select_sql(contact_points, ("id",), "customer_id", 2, sqlite.dialect()) == (
        "SELECT id FROM contact_points WHERE customer_id IN (?, ?)"
    )
