"""What a cleaning worker hands back: the same rows the main process would clean itself, and the
same keys matching would work out from them."""

from __future__ import annotations

import pickle
import random
from collections import Counter
from itertools import accumulate

from clientbase.db.sparse import insert_filled
from clientbase.importers.alone import rows_alone
from clientbase.importers.clean import Clean, Rejected, clean_rows
from clientbase.importers.fresh_write import FreshLane, fresh_alone
from clientbase.importers.handoff import Cleaned, clean_rows_packed, unpack
from clientbase.importers.mapping import build_mapping
from clientbase.importers.rowkeys import alone_keys, lookup_keys
from clientbase.importers.sameperson import full_name
from tests.test_import_fast_paths import _mixed_list

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


def _whole(handed: Cleaned) -> list:
    """The chunk with its fresh rows rebuilt in their places."""
    rows = list(handed)
    fresh = handed.fresh
    starts = list(accumulate(fresh.npoints, initial=0))
    for e, i in enumerate(fresh.pos):
        assert rows[i] is None
        rows[i] = fresh.row_at(e, starts[e])
    return rows


def test_unpacked_rows_are_the_cleaned_rows_with_their_keys():
    direct = clean_rows(_job())
    # through pickle, as between processes
    handed = unpack(pickle.loads(pickle.dumps(clean_rows_packed(_job()))))
    assert isinstance(handed, Cleaned)
    assert _whole(handed) == direct
    assert [type(r) for r in _whole(handed)] == [type(r) for r in direct]
    assert [type(p) for r in _whole(handed) if isinstance(r, Clean) for p in r.points] == [
        type(p) for r in direct if isinstance(r, Clean) for p in r.points
    ]
    assert any(isinstance(r, Rejected) for r in handed) and len(handed) == len(ROWS) - 1
    # rows 0 and 1 share the phone, 1 and the company the client code: the others share
    # nothing within the chunk, and those without tags or a channel consent come as columns
    unique = [i for i, r in enumerate(direct) if alone_keys(r) is not None and i > 1 and i != 4]
    assert {i for i, _ in handed.keys_of} | set(handed.fresh.pos) == set(unique)
    assert handed.fresh.pos == [3, 5]  # Ирина, Мария Петрова
    assert handed.keys_of == [(i, alone_keys(direct[i])) for i, _ in handed.keys_of]
    assert handed.fresh.namesakes == []  # a name of one word: not enough to join a namesake
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
    for index in ({}, {("name", "Петрова Мария"): []}, {("phone", "raw:12345"): []}):
        handed = unpack(clean_rows_packed(_job()))
        apart = fresh_alone(handed.fresh, index)
        lane = FreshLane(handed.fresh, handed, apart)  # puts back the rows that meet someone
        assert [r for r in handed if r is not None] == [
            r for i, r in enumerate(direct) if i not in lane.positions
        ]
        assert rows_alone(handed, index) | set(lane.positions) == rows_alone(direct, index)
    alone = rows_alone(direct, {})
    # rows 0 and 1 share the phone, 1 and the company the client code: only the others are alone
    assert {direct[i].fields["display_name"] for i in alone} == {"Ирина", "Петрова Мария"}


def test_a_generated_list_comes_back_whole_through_the_columns():
    """Many generated rows (repeats, families on one number, bad phones and e-mails, codes,
    tags, consents, people known by name alone), cleaned and handed over a chunk at a time:
    the rows rebuilt from the columns are the rows the cleaning made, and the rows handed as
    columns are exactly those that share no key within their chunk and carry nothing the
    columns leave out."""
    rnd = random.Random(11)
    header = ["ФИО", "Телефон", "E-mail", "Дата рождения", "Город", "Код клиента", "Теги",
              "Согласие", "Согласие на SMS"]  # fmt: skip
    syllables = ["ба", "ко", "ру", "ми", "то", "ла", "се", "вин", "дар", "гу"]
    rows = [line.split(";") for line in _mixed_list(600, seed=11).splitlines()[1:]]
    for i in range(3000):
        surname = "".join(rnd.choice(syllables) for _ in range(3)).capitalize()
        name = f"{surname}{rnd.choice(['ов', 'ин', 'ский'])} {rnd.choice(['Иван', 'Пётр', 'Олег'])}"
        if rnd.random() < 0.2:
            name += " " + rnd.choice(["Иванович", "Петрович"])
        rows.append([
            rnd.choice([name, name.upper(), "", "ООО Ромашка " + surname]),
            rnd.choice([f"+79{rnd.randrange(10**9):09d}", f"8 9{rnd.randrange(10**9):09d}", "",
                        "12", "8 800 555 35 35; +7 916 000 00 01"]),
            rnd.choice(["", f"u{i}@mail.ru", "not-an-email", f"U{i}@Mail.RU, x{i}@ya.ru"]),
            rnd.choice(["", "1985-03-12", "31.02.1990"]), rnd.choice(["", "Москва"]),
            rnd.choice(["", "", "", f"C{i}"]), rnd.choice(["", "", "", "", "vip"]),
            rnd.choice(["", "", "да", "нет"]), rnd.choice(["", "", "", "", "да"]),
        ])  # fmt: skip
    rows.insert(700, ["Ромашкин Олег Петрович"] + [""] * 8)  # a name and nothing else
    mapping = build_mapping(header, {}, strict=False)
    fresh_rows, names, expected = 0, [], []
    for at in range(0, len(rows), 500):
        job = (mapping, list(enumerate(rows[at : at + 500], start=at + 2)), None, "RU", None)
        direct = clean_rows(job)
        handed = unpack(pickle.loads(pickle.dumps(clean_rows_packed(job))))
        assert _whole(handed) == direct
        fresh_rows += len(handed.fresh)
        names += handed.fresh.namesakes
        keys = [alone_keys(r) for r in direct]
        seen = Counter(k for ks in keys if ks is not None for k in ks)
        unique = [
            i for i, ks in enumerate(keys) if ks is not None and max(seen[k] for k in ks) == 1
        ]
        plain = [i for i in unique if not direct[i].tags and not direct[i].channel_consents]
        assert handed.fresh.pos == plain
        assert [i for i, _ in handed.keys_of] == [i for i in unique if i not in plain]
        expected += [
            direct[i].fields["display_name"]
            for i in plain
            if not direct[i].points and full_name(direct[i].fields)
        ]
    assert fresh_rows > 500
    # the rows that may join a namesake of the base: a full name and no phone or e-mail
    assert "Ромашкин Олег Петрович" in names
    assert names == expected


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
