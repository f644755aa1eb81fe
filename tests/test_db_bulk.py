"""The bulk writes the importers use, on the backend under test (COPY on PostgreSQL): awkward
values arrive exactly as given, a failure is the usual database error and changes nothing, and
the look-ups and updates in bulk see and change exactly the rows asked for."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clientbase.db.bulk import insert_rows, select_where_in, timestamp, update_rows
from clientbase.db.engine import make_engine, write_transaction
from clientbase.db.migrate import ensure_schema
from clientbase.db.models import contact_points, customers

AWKWARD = [
    "Тab\tinside",
    "two\nlines\r\nand a CR",
    "back\\slash \\N \\. not null",
    "",
    "semi;colon, comma \"quotes\" 'apostrophe'",
    "emoji 🙂 and ẞ",
]
WHEN = datetime(2026, 3, 1, 12, 30, 45, 123456)


@pytest.fixture
def engine(new_db):
    url = new_db()
    engine = make_engine(url if "://" in url else f"sqlite:///{url}")
    ensure_schema(engine, None)
    yield engine
    engine.dispose()


def _customers(conn, n: int, start: int = 1) -> None:
    now = timestamp(conn, WHEN)
    rows = [(i, "person", f"Клиент {i}", "active", now, now) for i in range(start, start + n)]
    cols = ("id", "kind", "display_name", "status", "created_at", "updated_at")
    insert_rows(conn, customers, cols, rows)


def test_insert_rows_keeps_every_value_as_given(engine):
    with write_transaction(engine) as conn:
        _customers(conn, 1)
        now = timestamp(conn, WHEN)
        rows = [
            (i + 1, 1, "other", text, None if i % 2 else text.upper(), i % 2 == 0, "unknown", now)
            for i, text in enumerate(AWKWARD)
        ]
        cols = ("id", "customer_id", "kind", "value_raw", "value", "valid", "consent", "created_at")
        insert_rows(conn, contact_points, cols, rows)
    with engine.connect() as conn:
        got = conn.execute(
            select(
                contact_points.c.value_raw,
                contact_points.c.value,
                contact_points.c.valid,
                contact_points.c.created_at,
            ).order_by(contact_points.c.id)
        ).all()
    assert [tuple(r) for r in got] == [
        (text, None if i % 2 else text.upper(), i % 2 == 0, WHEN) for i, text in enumerate(AWKWARD)
    ]


def test_a_failed_bulk_insert_is_an_integrity_error_and_leaves_nothing(engine):
    with write_transaction(engine) as conn:
        _customers(conn, 2)
    with pytest.raises(IntegrityError), write_transaction(engine) as conn:
        _customers(conn, 3, start=3)
        _customers(conn, 1, start=2)  # the id is taken
    with engine.connect() as conn:
        assert conn.execute(select(customers.c.id).order_by(customers.c.id)).scalars().all() == [
            1,
            2,
        ]


def test_ids_given_in_bulk_move_the_next_id_past_them(engine):
    from sqlalchemy import insert

    with write_transaction(engine) as conn:
        _customers(conn, 5)
        new = conn.execute(
            insert(customers).values(
                kind="person", display_name="Новый", created_at=WHEN, updated_at=WHEN
            )
        ).inserted_primary_key[0]
    assert new == 6


def test_update_rows_changes_the_rows_named_and_no_other(engine):
    with write_transaction(engine) as conn:
        _customers(conn, 2000)
        later = timestamp(conn, datetime(2026, 4, 2, 9, 0))
        update_rows(
            conn,
            customers,
            "id",
            ("city", "birth_year", "note", "updated_at"),
            [(i, AWKWARD[i % len(AWKWARD)], 1980 + i % 7, None, later) for i in range(2, 2001, 2)],
        )
    c = customers.c
    with engine.connect() as conn:
        got = {r.id: r for r in conn.execute(select(c.id, c.city, c.birth_year, c.updated_at))}
    assert len(got) == 2000
    for i, r in got.items():
        if i % 2:
            assert (r.city, r.birth_year, r.updated_at) == (None, None, WHEN)
        else:
            want = (AWKWARD[i % len(AWKWARD)], 1980 + i % 7, datetime(2026, 4, 2, 9, 0))
            assert (r.city, r.birth_year, r.updated_at) == want


def test_select_where_in_finds_exactly_the_keys_asked_for(engine):
    with write_transaction(engine) as conn:
        _customers(conn, 1200)
        wanted = [*range(3, 1200, 3), 5000]  # one id that is not there
        got = sorted(select_where_in(conn, customers, ("id", "display_name"), "id", wanted))
    assert got == [(i, f"Клиент {i}") for i in range(3, 1200, 3)]
