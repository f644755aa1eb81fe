"""A first load of a big file into an empty SQLite base runs with a rollback journal instead of
the write-ahead log (its pages written into the file once), and the base is in WAL again after
it, whether the load committed or failed. With another connection on the file, or into a base
that holds customers, the load stays in WAL. (A load killed halfway: see test_kill.) Such a load
checks its foreign keys once, at the end: a row pointing at nothing fails it before it commits."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from clientbase.db.engine import make_engine, write_transaction
from clientbase.errors import DatabaseError
from clientbase.importers import pipeline
from tests.conftest import Cli, sqlite_only, write
from tests.test_import_fast_paths import _mixed_list

pytestmark = sqlite_only("the journal mode of the SQLite file")


def _mode(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        db.close()


@pytest.fixture
def base(tmp_path):
    path = tmp_path / "base.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                          "parent_id INTEGER REFERENCES parent (id))"))  # fmt: skip
        conn.execute(text("CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b))"))
        conn.execute(text("CREATE TABLE of_pair (a INTEGER, b INTEGER, "
                          "FOREIGN KEY (a, b) REFERENCES pair (a, b))"))  # fmt: skip
    engine.dispose()  # no connection left on the file
    engine = make_engine(f"sqlite:///{path}")
    yield path, engine
    engine.dispose()


def _journal_mode(conn) -> str:
    return conn.exec_driver_sql("PRAGMA journal_mode").scalar()


def test_the_transaction_writes_with_a_rollback_journal_and_wal_comes_back(base):
    path, engine = base
    with write_transaction(engine, rollback_journal=True) as conn:
        assert _journal_mode(conn) == "delete"
        conn.execute(text("INSERT INTO t VALUES (1), (2)"))
        assert Path(f"{path}-journal").exists()
    assert _mode(path) == "wal"
    assert not Path(f"{path}-journal").exists()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_a_failed_transaction_leaves_the_base_as_it_was_and_in_wal(base):
    path, engine = base
    with pytest.raises(OSError, match="disk went away"):
        with write_transaction(engine, rollback_journal=True) as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            raise OSError("the disk went away")
    assert _mode(path) == "wal"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0


def _foreign_keys(conn) -> int:
    return conn.exec_driver_sql("PRAGMA foreign_keys").scalar()


def test_the_foreign_keys_are_checked_once_at_the_end_and_enforced_again_after(base):
    _path, engine = base
    with write_transaction(engine, rollback_journal=True) as conn:
        assert _foreign_keys(conn) == 0  # not looked up row by row ...
        conn.execute(text("INSERT INTO child VALUES (1, 7)"))  # ... so a child may come first
        conn.execute(text("INSERT INTO parent VALUES (7)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT parent_id FROM child")).scalar() == 7
    with write_transaction(engine) as conn:
        assert _foreign_keys(conn) == 1


def test_a_row_pointing_at_nothing_fails_the_load_and_nothing_is_written(base):
    path, engine = base
    with pytest.raises(DatabaseError, match=r"nothing \(child.parent_id = 99 -> parent\)"):
        with write_transaction(engine, rollback_journal=True) as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.execute(text("INSERT INTO child VALUES (2, 99)"))
    with pytest.raises(DatabaseError, match=r"nothing \(of_pair row 1 -> pair\)"):
        with write_transaction(engine, rollback_journal=True) as conn:
            conn.execute(text("INSERT INTO pair VALUES (1, 1)"))
            conn.execute(text("INSERT INTO of_pair VALUES (1, 2)"))  # a key of two columns
    assert _mode(path) == "wal"
    with engine.connect() as conn:
        assert _foreign_keys(conn) == 1
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM child")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM pair")).scalar() == 0


def test_with_another_connection_on_the_file_the_transaction_stays_in_wal(base):
    path, engine = base
    other = sqlite3.connect(path)
    try:
        other.execute("SELECT count(*) FROM t").fetchone()  # opened the log: it holds the file
        with write_transaction(engine, rollback_journal=True) as conn:
            assert _journal_mode(conn) == "wal"
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert other.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        other.close()
    assert _mode(path) == "wal"


def test_only_a_first_big_load_asks_for_it_and_the_result_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)  # every file counts as big
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 50)
    asked: list[bool] = []

    @contextmanager
    def recording(engine, *, rollback_journal=False):
        asked.append(rollback_journal)
        with write_transaction(engine, rollback_journal=rollback_journal) as conn:
            yield conn

    monkeypatch.setattr(pipeline, "write_transaction", recording)
    first = write(tmp_path / "first.csv", _mixed_list(300, seed=21))
    second = write(tmp_path / "second.csv", _mixed_list(200, seed=22))
    journal, wal = Cli(tmp_path / "journal.db"), Cli(tmp_path / "wal.db")
    for path in (first, second):
        journal("import", str(path), "--no-dedupe", expect=None)
    assert asked == [True, False]  # the second file goes into a base that has customers
    assert _mode(tmp_path / "journal.db") == "wal"
    monkeypatch.setattr(pipeline, "_first_big_load", lambda engine, plan: False)
    for path in (first, second):
        wal("import", str(path), "--no-dedupe", expect=None)
    listed = _without_times(journal.json("contacts", "list"))
    assert len(listed) > 300
    assert listed == _without_times(wal.json("contacts", "list"))


def _without_times(value):
    """The listing without the times each run stamps (created, updated, consent given at)."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value
