"""Bulk inserts with ``fixed`` columns (one value for every row, given once): on SQLite written
into the statement as literals, on PostgreSQL sent with each row. Either way the base must hold
exactly what the same rows with those values in every tuple give: the same values and, on
SQLite, the same storage type of each (an int stays INTEGER, a text TEXT)."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from sqlalchemy import event, select

from clientbase.db.bulk import insert_rows, sql_literal, timestamp
from clientbase.db.engine import make_engine, write_transaction
from clientbase.db.migrate import ensure_schema
from clientbase.db.models import contact_points, customers, imports
from clientbase.db.sparse import insert_filled
from clientbase.importers import pipeline
from tests.conftest import sqlite_only, write

TEXTS = [
    "it's",
    "''",
    "'; DROP TABLE customers; --",
    "Тab\tinside",
    "two\nlines\r\nand a CR",
    "back\\slash \\N \\. not null",
    "",
    'semi;colon, comma "quotes"',
    "emoji 🙂 and ẞ",
    "12",
    "NULL",
]
WHEN = datetime(2026, 3, 1, 12, 30, 45, 123456)
COLUMNS = (
    "customer_id", "kind", "value_raw", "value", "valid", "invalid_reason", "label", "extension",
    "consent", "consent_at", "consent_source", "import_id", "created_at",
)  # fmt: skip


@pytest.fixture
def engine(new_db):
    url = new_db()
    engine = make_engine(url if "://" in url else f"sqlite:///{url}")
    ensure_schema(engine, None)
    with write_transaction(engine) as conn:
        now = timestamp(conn, WHEN)
        rows = [(i, "person", f"Клиент {i}", "active", now, now) for i in (1, 2, 3)]
        cols = ("id", "kind", "display_name", "status", "created_at", "updated_at")
        insert_rows(conn, customers, cols, rows)
        conn.execute(imports.insert().values(id=7, file_name="a.csv", sha256="0" * 64,
                                             format="csv", kind="contacts", started_at=WHEN))  # fmt: skip
    yield engine
    engine.dispose()


def _pools(conn) -> dict[str, list]:
    """Values each column may take (None where the column allows it)."""
    now = timestamp(conn, WHEN)
    return {
        "customer_id": [1, 2, 3],
        "kind": ["phone", "email", "other"],
        "value_raw": TEXTS,
        "value": [*TEXTS, None],
        "valid": [True, False],
        "invalid_reason": [*TEXTS, None],
        "label": [None, "mobile", "it's"],
        "extension": [None, "12"],
        "consent": ["unknown", "granted"],
        "consent_at": [None, now],
        "consent_source": [None, "import"],
        "import_id": [None, 7],
        "created_at": [now],
    }


def _stored(engine) -> list[tuple]:
    cols = [contact_points.c[c] for c in COLUMNS]
    with engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(select(*cols).order_by(contact_points.c.id))]
        if conn.dialect.name == "sqlite":  # the storage type of each value too
            types = ", ".join(f"typeof({c})" for c in COLUMNS)
            q = f"SELECT {types} FROM contact_points ORDER BY id"
            got = [(*r, *t) for r, t in zip(got, conn.exec_driver_sql(q), strict=True)]
    return got


@pytest.mark.parametrize("insert", [insert_rows, insert_filled], ids=["rows", "filled"])
def test_fixed_columns_store_what_the_same_values_in_every_row_store(engine, insert):
    rnd = random.Random(5)
    n_rows, trials = 20, 40
    with engine.connect() as conn:
        pools = _pools(conn)
    for trial in range(trials):
        rows = [tuple(rnd.choice(pools[c]) for c in COLUMNS) for _ in range(n_rows)]
        fixed = {c: rnd.choice(pools[c]) for c in COLUMNS if rnd.random() < 0.5}
        full = [tuple(fixed.get(c, v) for c, v in zip(COLUMNS, r, strict=True)) for r in rows]
        left = tuple(c for c in COLUMNS if c not in fixed)
        short = [tuple(v for c, v in zip(COLUMNS, r, strict=True) if c not in fixed) for r in full]
        base = 1 + trial * 2 * n_rows
        with write_transaction(engine) as conn:
            insert(conn, contact_points, ("id", *COLUMNS),
                   [(base + i, *r) for i, r in enumerate(full)])  # fmt: skip
        general = _stored(engine)
        with write_transaction(engine) as conn:
            conn.execute(contact_points.delete())
            insert(conn, contact_points, ("id", *left),
                   [(base + i, *r) for i, r in enumerate(short)], fixed)  # fmt: skip
        assert _stored(engine) == general, fixed
        with write_transaction(engine) as conn:
            conn.execute(contact_points.delete())


@sqlite_only("the literals are SQLite's")
def test_fixed_values_with_a_literal_are_written_into_the_statement(engine):
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO contact_points"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    with write_transaction(engine) as conn:
        now = timestamp(conn, WHEN)
        fixed = {"kind": "it's", "valid": True, "consent": "unknown", "import_id": 7,
                 "consent_at": None, "created_at": now}  # fmt: skip
        insert_rows(conn, contact_points, ("id", "customer_id", "value_raw"),
                    [(1, 1, "a"), (2, 2, "b")], fixed)  # fmt: skip
    [(sql, params)] = seen
    assert "'it''s', 'unknown', 7, NULL, '2026-03-01 12:30:45.123456')" in sql
    # A bool has no literal here: it is bound as before, after the row's own values.
    assert [tuple(p) for p in params] == [(1, 1, "a", True), (2, 2, "b", True)]


@sqlite_only("the literals are SQLite's")
def test_only_values_that_store_the_same_as_bound_get_a_literal():
    assert sql_literal(None) == "NULL"
    assert sql_literal(0) == "0"
    assert sql_literal(-42) == "-42"
    assert sql_literal(2**63 - 1) == str(2**63 - 1)
    assert sql_literal("it's") == "'it''s'"
    assert sql_literal("") == "''"
    for bound in (True, False, 2**63, -(2**63), 1.5, b"x", "a\x00b", "\udc80", WHEN):
        assert sql_literal(bound) is None, bound

    class Word(str):
        pass

    assert sql_literal(Word("x")) is None


@sqlite_only("storage types are SQLite's")
@pytest.mark.parametrize("big", [False, True], ids=["small file", "big file"])
def test_an_import_stores_its_fixed_columns_with_the_types_bound_values_have(
    cli, tmp_path, monkeypatch, big
):
    from tests.test_import_fast_paths import _mixed_list  # consents, repeats, new people

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 40)
    if big:  # cleaned in worker processes, the rows that meet nobody handed over as columns
        monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
    cli("import", str(write(tmp_path / "mixed.csv", _mixed_list(300, seed=3))), expect=None)
    checks = {
        "customers": ("status", "created_import_id", "created_at", "updated_at"),
        "contact_points": ("consent", "consent_at", "consent_source", "import_id", "created_at"),
        "import_rows": ("import_id", "sheet"),
    }
    with cli.engine().connect() as conn:
        got = {
            table: {
                c: {t for (t,) in conn.exec_driver_sql(f"SELECT DISTINCT typeof({c}) FROM {table}")}
                for c in cols
            }
            for table, cols in checks.items()
        }
    assert got == {
        "customers": {"status": {"text"}, "created_import_id": {"integer"},
                      "created_at": {"text"}, "updated_at": {"text"}},
        "contact_points": {"consent": {"text"}, "consent_at": {"text", "null"},
                           "consent_source": {"text", "null"}, "import_id": {"integer"},
                           "created_at": {"text"}},
        "import_rows": {"import_id": {"integer"}, "sheet": {"null"}},
    }  # fmt: skip
