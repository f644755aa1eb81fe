"""The contact import's fast paths decide exactly what the general matching decides.

A mixed list (people seen once, repeats under other spellings, a family sharing a number,
client codes, people known by name alone, bad phones and emails, rows with nothing to go on)
is imported with the fast paths on (rows that share nothing skip matching, the raw row is
written by the text encoder, new customers carry only the columns they fill, indexes built after
a first big load) and with every row sent through the general matching; the two bases must hold
the same customers, contact points and per-row outcomes with their reasons, on the backend
under test.
"""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import text

from clientbase.importers import contacts, pipeline
from clientbase.importers.rawrow import object_text as raw_text
from clientbase.importers.rawrow import to_json
from tests.conftest import Cli, write

FIRST = ["Иван", "Мария", "Пётр", "Анна", "Олег", "Елена", "Сергей", "Ольга"]
LAST = ["Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов"]
CITIES = ["Москва", "Казань", "", "Пермь"]


def _female(last: str) -> str:
    return last + "а"


def _mixed_list(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    lines = ["ФИО;Телефон;E-mail;Дата рождения;Город;Код клиента;Теги;Согласие"]
    people = []
    for i in range(n):
        roll = rnd.random()
        if people and roll < 0.25:
            # a repeat of someone earlier: same phone or email, the name written another way
            name, phone, email, code = rnd.choice(people)
            shown = rnd.choice([name, name.upper(), " ".join(reversed(name.split()))])
            phone = rnd.choice([phone, phone.replace("+7", "8"), ""])
            email = email if not phone or rnd.random() < 0.5 else ""
            lines.append(f"{shown};{phone};{email.upper()};;{rnd.choice(CITIES)};{code};;да")
            continue
        first = rnd.choice(FIRST)
        last = rnd.choice(LAST)
        if first in ("Мария", "Анна", "Елена", "Ольга"):
            last = _female(last)
        name = f"{last} {first}"
        phone = f"+79{rnd.randrange(10**9):09d}" if roll < 0.85 else ""
        if people and 0.25 <= roll < 0.3:
            phone = people[-1][1]  # a family line: another person on the same number
        email = f"user{i}@mail.ru" if rnd.random() < 0.5 else ""
        code = f"C{i}" if rnd.random() < 0.2 else ""
        birthday = rnd.choice(["", "1985-03-12", "31.02.1990", "12.05.1979"])
        tags = rnd.choice(["", "vip", "опт, розница"])
        if roll > 0.97:
            lines.append(";;;;Москва;;;")  # nothing to identify a customer by
            continue
        if roll > 0.94:
            phone, email = "12", "not-an-email"
        if roll > 0.92 and not phone:
            name = rnd.choice(["Гость 7", "Покупатель 12"])  # known by name alone
        people.append((name, phone, email, code))
        lines.append(
            f"{name};{phone};{email};{birthday};{rnd.choice(CITIES)};{code};{tags};"
            f"{rnd.choice(['', 'да', 'нет'])}"
        )
    return "\n".join(lines) + "\n"


def _state(cli: Cli) -> dict:
    with cli.engine().connect() as conn:

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(text(sql))]

        cust = rows(
            "SELECT id, kind, display_name, last_name, first_name, middle_name, gender, "
            "birth_year, birth_month, birth_day, birthday_raw, company, city, source, "
            "external_id, note, status, created_import_id FROM customers ORDER BY id"
        )
        points = rows(
            "SELECT id, customer_id, kind, value_raw, value, valid, invalid_reason, consent, "
            "consent_at IS NULL, consent_source, import_id FROM contact_points ORDER BY id"
        )
        outcome = rows(
            "SELECT import_id, sheet, row_number, raw, outcome, reason, customer_id "
            "FROM import_rows ORDER BY import_id, row_number"
        )
        tagged = rows(
            "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t "
            "ON t.id = ct.tag_id ORDER BY 1, 2"
        )
        consent = rows(
            "SELECT contact_point_id, channel, status FROM consents ORDER BY contact_point_id"
        )
        indexes = rows(
            "SELECT count(*) FROM customers WHERE display_name IS NOT NULL"
        )  # a query the rebuilt index serves
    return {"customers": cust, "points": points, "rows": outcome, "tags": tagged,
            "consents": consent, "indexes": indexes}  # fmt: skip


def _import(cli: Cli, path, *, general: bool, monkeypatch, big: bool = False) -> dict:
    with monkeypatch.context() as m:
        m.setattr(pipeline, "CHUNK_ROWS", 40)  # many chunks: repeats cross chunk borders
        if big:
            m.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)  # indexes deferred, as for a big file
        if general:
            m.setattr(contacts, "rows_alone", lambda chunk, index: set())
            m.setattr(contacts, "fresh_alone", lambda fresh, index: [False] * len(fresh))
        summary = cli.json("import", str(path), expect=None)
    return summary


@pytest.mark.parametrize("big", [False, True], ids=["small file", "first big load"])
def test_fast_paths_decide_as_the_general_matching(new_db, tmp_path, monkeypatch, big):
    path = write(tmp_path / "mixed.csv", _mixed_list(600, seed=7))
    fast, general = Cli(new_db("fast")), Cli(new_db("general"))
    s_fast = _import(fast, path, general=False, monkeypatch=monkeypatch, big=big)
    s_general = _import(general, path, general=True, monkeypatch=monkeypatch, big=big)
    for key in ("rows_read", "created", "updated", "unchanged", "duplicates", "rejected"):
        assert s_fast[key] == s_general[key], key
    assert s_fast["duplicates"] > 50 and s_fast["rejected"] > 5  # the list exercises both
    assert _state(fast) == _state(general)
    # and a second file on top of the first: matches against the base, not only the file
    more = write(tmp_path / "more.csv", _mixed_list(300, seed=8))
    _import(fast, more, general=False, monkeypatch=monkeypatch)
    _import(general, more, general=True, monkeypatch=monkeypatch)
    assert _state(fast) == _state(general)


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"ФИО": "Иванов Иван", "Телефон": "+7 916 123-45-67"},
        {'a"b': 'quote " and back\\slash', "tab": "\t\n\r\x00\x1f", "emoji": "🙂 ẞ \u2028"},
        {"lone": "\ud800 surrogate", "ctl": "\x7f\x80"},
        {"n": 12, "list": ["x", None]},  # not all text: the general encoder writes it
        {"none": None, "ok": "да"},
    ],
)
def test_raw_text_writes_what_the_json_encoder_writes(raw):
    assert raw_text(raw) == to_json(raw)
    if "lone" not in raw:
        assert json.loads(raw_text(raw)) == raw


def test_a_first_big_load_and_its_readers(new_db, tmp_path, monkeypatch):
    """While a big first import runs, another connection reads the base: on SQLite at once
    (WAL: it sees the base as it was); on PostgreSQL it waits for the load, which dropped the
    tables' indexes and foreign keys inside its transaction and holds their locks until the
    end, as pg_restore does (the README says so)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    cli = Cli(new_db())
    path = write(tmp_path / "mixed.csv", _mixed_list(200, seed=3))
    seen: list[int | str] = []
    write_chunk = contacts.ContactWriter.write_chunk

    def read_meanwhile(self, chunk):
        out = write_chunk(self, chunk)
        reader = create_engine(cli.url)
        try:
            with reader.connect() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SET lock_timeout = '200ms'"))  # an error if it would wait
                try:
                    seen.append(conn.execute(text("SELECT count(*) FROM customers")).scalar())
                except OperationalError as exc:
                    assert "lock timeout" in str(exc)
                    seen.append("waits")
        finally:
            reader.dispose()
        return out

    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)  # the first-big-load path
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 100)
    monkeypatch.setattr(contacts.ContactWriter, "write_chunk", read_meanwhile)
    summary = cli.json("import", str(path), expect=None)
    assert summary["created"] > 100
    if cli.url.startswith("postgresql"):
        assert seen == ["waits", "waits"]
    else:
        assert seen == [0, 0]  # read at once, and the import's rows are not visible before it ends
    with cli.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == summary["created"]
