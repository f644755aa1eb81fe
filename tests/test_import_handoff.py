"""What a cleaning worker hands back: the same rows the main process would clean itself, and the
same keys matching would work out from them."""

from __future__ import annotations

import pickle

from clientbase.db.sparse import insert_filled
from clientbase.importers.alone import rows_alone
from clientbase.importers.clean import Clean, Rejected, clean_rows
from clientbase.importers.handoff import Cleaned, clean_rows_packed, unpack
from clientbase.importers.mapping import build_mapping
from clientbase.importers.rowkeys import alone_keys, lookup_keys

HEADER = ["ФИО", "Телефон", "E-mail", "Код клиента", "Дата рождения", "Согласие на SMS"]
ROWS = [
    ["Павел Серов", "8 962 863-34-09", "", "", "", ""],
    ["Серов Павел", "+7 (962) 863 34 09", "serov@mail.ru", "A-17", "01.02.1990", "да"],
    ["", "", "", "", "", ""],  # blank: neither imported nor rejected
    ["", "", "", "", "", "да"],  # nothing to identify: rejected
    ["Ирина", "12345", "irina@", "", "31.02.1990", ""],  # invalid phone, email, birthday
    ["ООО Ромашка", "", "info@romashka.ru; sales@romashka.ru", "A-17", "", ""],
    ["Мария Петрова", "", "", "", "", ""],  # a name and nothing else
]


def _job():
    mapping = build_mapping(HEADER, {}, strict=False)
    return (mapping, list(enumerate(ROWS, start=2)), None, "RU", "выставка")


def test_unpacked_rows_are_the_cleaned_rows_with_their_keys():
    direct = clean_rows(_job())
    # through pickle, as between processes
    handed = unpack(pickle.loads(pickle.dumps(clean_rows_packed(_job()))))
    assert isinstance(handed, Cleaned)
    assert list(handed) == direct
    assert [type(r) for r in handed] == [type(r) for r in direct]
    assert any(isinstance(r, Rejected) for r in handed) and len(handed) == len(ROWS) - 1
    assert handed.keys_of == [
        (i, alone_keys(r)) for i, r in enumerate(direct) if alone_keys(r) is not None
    ]
    assert handed.lookup == [k for r in direct for k in lookup_keys(r)]
    assert handed.calls is False
    # the two phone spellings are one key; the client code and the company's emails are there
    assert ("phone", "+79628633409") in handed.lookup
    assert handed.lookup.count(("ext", "A-17")) == 2
    assert ("email", "sales@romashka.ru") in handed.lookup
    assert ("name", "Петрова Мария") in handed.lookup  # no contact: found by the name
    assert all(isinstance(p.key, tuple) for r in handed if isinstance(r, Clean) for p in r.points)


def test_rows_alone_answers_the_same_with_and_without_the_handed_keys():
    direct = clean_rows(_job())
    handed = unpack(clean_rows_packed(_job()))
    for index in ({}, {("name", "Петрова Мария"): []}):
        assert rows_alone(handed, index) == rows_alone(direct, index)
    alone = rows_alone(direct, {})
    # rows 0 and 1 share the phone, 1 and the company the client code: only the others are alone
    assert {direct[i].fields["display_name"] for i in alone} == {"Ирина", "Петрова Мария"}


def test_insert_filled_leaves_out_only_the_columns_no_row_fills():
    from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, text

    meta = MetaData()
    # A default shows which columns the INSERT named: one left out takes it, a named one not.
    t = Table(
        "t", meta, Column("id", Integer, primary_key=True),
        *(Column(c, Text, server_default="left out") for c in ("a", "b", "c", "d")),
    )  # fmt: skip
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        # falsy values (0, "", False) are values; only a column of nothing but None is left out
        insert_filled(conn, t, ("id", "a", "b", "c", "d"),
                      [(1, "", None, 0, None), (2, None, None, False, "x")])  # fmt: skip
        insert_filled(conn, t, ("id", "a", "b", "c", "d"), [(3, None, None, None, None)])
        got = [tuple(r) for r in conn.execute(text("SELECT * FROM t ORDER BY id"))]
    assert got == [
        (1, "", "left out", "0", None),
        (2, None, "left out", "0", "x"),
        (3, "left out", "left out", "left out", "left out"),
    ]
