"""Customers kept from one chunk to the next are the customers the next chunk would read back.

The customers of a key held by many (an office number, a shared e-mail or handle) are kept in
memory between chunks instead of read again by every chunk (``candidates.kept_for_next``). A
list crowded onto such keys — repeats that fill in birthdays and patronymics, consents given,
withdrawn and dated, tags, second client codes, notes — is imported in small chunks with every
customer kept and with none kept; the two bases must be the same row for row, the before-state
`imports undo` restores from included, and so must the bases after undoing the second file.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime

import pytest
from sqlalchemy import text

from clientbase.importers import candidates, contacts, pipeline
from clientbase.importers.candidates import kept_for_next
from tests.conftest import Cli, write

FIRST = ["Иван", "Мария", "Пётр", "Анна"]
LAST = ["Иванов", "Петров", "Сидоров"]
FATHERS = ["Иванович", "Петрович", ""]
OFFICE = "+7 (495) 123-45-67"
HEADER = ("ФИО;Телефон;Рабочий телефон;E-mail;Telegram;Дата рождения;Город;Код клиента;Теги;"
          "Согласие;Согласие на SMS;Комментарий")  # fmt: skip


def _crowded_list(n: int, seed: int, *, first_id: int = 0) -> str:
    rnd = random.Random(seed)
    lines = [HEADER]
    people: list[tuple[str, str, str]] = []
    for i in range(first_id, first_id + n):
        if people and rnd.random() < 0.45:  # someone again, saying more or less than before
            name, mobile, first = rnd.choice(people[-40:])
            if rnd.random() < 0.5:
                name = f"{name} {rnd.choice(FATHERS)}".strip()
        else:
            first = rnd.choice(FIRST)
            last = rnd.choice(LAST) + ("а" if first in ("Мария", "Анна") else "")
            name = f"{last} {first}"
            mobile = f"+79{rnd.randrange(10**9):09d}" if rnd.random() < 0.6 else ""
            people.append((name, mobile, first))
        birthday = rnd.choice(["", "", "12.03.1985", "1979-05-12", "31.02.1990"])
        office = OFFICE if rnd.random() < 0.6 else ""
        email = rnd.choice(["", "", "family@mail.ru", f"user{i}@mail.ru"])
        handle = rnd.choice(["", f"@{first.lower()}"])
        code = rnd.choice(["", "", "", f"C{i}", f"1C-{i % 7}"])
        tags = rnd.choice(["", "", "vip", "опт, розница"])
        consent = rnd.choice(["", "", "да", "нет"])
        sms = (
            rnd.choice(["", "да", "нет", "01.02.2023", "15.06.2021"]) if rnd.random() < 0.3 else ""
        )
        note = rnd.choice(["", "", "перезвонить", f"заказ {i}"])
        lines.append(
            f"{name};{mobile};{office};{email};{handle};{birthday};{rnd.choice(['Москва', ''])};"
            f"{code};{tags};{consent};{sms};{note}"
        )
    return "\n".join(lines) + "\n"


def _when(value):
    """The import's own time as "now", in JSON too: the two imports compared run a second or
    so apart."""
    if isinstance(value, datetime) and value.date() == date.today():
        return "now"
    if isinstance(value, str):
        return re.sub(rf"{date.today():%Y-%m-%d}[ T][\d:.]+", "now", value)
    if isinstance(value, dict):  # a JSON column, as PostgreSQL's driver returns it
        return {k: _when(v) for k, v in value.items()}
    return value


def _state(cli: Cli) -> dict:
    tables = {
        "customers": "SELECT * FROM customers ORDER BY id",
        "points": "SELECT * FROM contact_points ORDER BY id",
        "rows": "SELECT import_id, row_number, outcome, reason, customer_id FROM import_rows "
        "ORDER BY import_id, row_number",
        "changes": "SELECT import_id, customer_id, before, after FROM import_changes ORDER BY id",
        "consents": "SELECT * FROM consents ORDER BY id",
        "tags": "SELECT customer_id, tag_id, import_id FROM customer_tags ORDER BY 1, 2",
    }
    with cli.engine().connect() as conn:
        return {
            name: [
                tuple(
                    _when(v) for k, v in r._mapping.items() if k not in ("created_at", "updated_at")
                )
                for r in conn.execute(text(sql))
            ]
            for name, sql in tables.items()
        }


def _import(cli: Cli, path, monkeypatch, kept_from: int, kept: list[int]) -> dict:
    def counted(index):
        out = kept_for_next(index)
        kept.append(len(out))
        return out

    with monkeypatch.context() as m:
        m.setattr(pipeline, "CHUNK_ROWS", 25)  # many chunks: customers cross many borders
        m.setattr(candidates, "KEPT_FROM", kept_from)
        m.setattr(contacts, "kept_for_next", counted)
        return cli.json("import", str(path), expect=None)


@pytest.mark.parametrize("seed", [3, 11])
def test_kept_customers_give_the_base_reading_them_back_gives(new_db, tmp_path, monkeypatch, seed):
    first = write(tmp_path / "first.csv", _crowded_list(400, seed))
    second = write(tmp_path / "second.csv", _crowded_list(300, seed + 1, first_id=400))
    kept, read = Cli(new_db("kept")), Cli(new_db("read"))
    kept_sizes: list[int] = []
    for path in (first, second):
        a = _import(kept, path, monkeypatch, kept_from=1, kept=kept_sizes)
        b = _import(read, path, monkeypatch, kept_from=10**9, kept=[])
        assert a == b
    assert sum(kept_sizes) > 1000  # customers were kept, many times over
    state = _state(kept)
    assert state == _state(read)
    # the list exercises what a kept customer carries: folds, changes, consents, codes, tags
    assert len(state["customers"]) < 700 - 100
    assert len(state["changes"]) > 50 and len(state["consents"]) > 50
    assert sum(1 for p in state["points"] if p[2] == "code") > 5  # second client codes
    for cli in (kept, read):
        batch = cli.json("imports", "list")[0]["id"]
        cli("imports", "undo", str(batch))
    assert _state(kept) == _state(read)
