"""Another connection at work: a writer waits for the lock (up to --wait; SQLite's write lock, or
the advisory lock clientbase writers take on PostgreSQL), and an erasure that cannot clear the
files because someone is reading says so instead of reporting success."""

from __future__ import annotations

import sqlite3
import threading

from tests.conftest import ON_PG, sqlite_only, write


@sqlite_only("another program holds the SQLite file's read lock (PostgreSQL readers keep no file)")
def test_forget_while_another_program_reads_fails_loudly_then_scrub_clears(cli, tmp_path):
    write(
        tmp_path / "c.csv",
        "ФИО;Телефон\nЗабываемов Ефим;+79161234567\nОстаётся Ольга;+79031112233\n",
    )
    cli("import", tmp_path / "c.csv")
    reader = sqlite3.connect(cli.db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()  # holds its snapshot
    try:
        r = cli("--wait", "0.2", "contacts", "forget", "1", "--yes", expect=1)
        assert r.stdout.startswith("customer 1 erased")
        assert r.stderr.strip().splitlines() == [
            f"clientbase: error: customer 1 is erased from the base, but another program is "
            f"reading the database, so erased data is still in the file {cli.db} (close it or "
            "wait for it to finish, then run: clientbase db scrub)"
        ]
        data = b"".join(p.read_bytes() for p in tmp_path.glob("test.sqlite3*"))
        assert "Забываемов".encode() in data  # what the message says is so
        assert cli("--wait", "0.2", "db", "scrub", expect=1).stderr.startswith(
            "clientbase: error: another program is reading the database"
        )
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert "scrubbed" in cli("db", "scrub").stderr
    data = b"".join(p.read_bytes() for p in tmp_path.glob("test.sqlite3*"))
    assert "Забываемов".encode() not in data and "Остаётся".encode() in data


def _hold_write_lock(cli, release: threading.Event, held: threading.Event) -> None:
    """Another program writing: a raw connection holding the lock a clientbase writer takes."""
    if ON_PG:
        from clientbase.db.engine import WRITE_LOCK_KEY

        engine = cli.engine()
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            held.set()
            release.wait()
        engine.dispose()
        return
    conn = sqlite3.connect(cli.db, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    held.set()
    release.wait()
    conn.execute("COMMIT")
    conn.close()


def test_a_second_writer_waits_for_the_first(cli, tmp_path, monkeypatch):
    from clientbase.cli.main import State

    cli("contacts", "add", "--name", "Первый Пётр")
    release, held = threading.Event(), threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(cli, release, held))
    t.start()
    held.wait()
    announce = State._announce_wait

    def announce_then_let_go(self, seconds):  # the first writer finishes while this one waits
        announce(self, seconds)
        release.set()

    monkeypatch.setattr(State, "_announce_wait", announce_then_let_go)
    try:
        r = cli("-v", "contacts", "add", "--name", "Второй Павел")
    finally:
        release.set()
        t.join()
    assert r.stderr.splitlines()[0] == (
        "clientbase: waiting for another import or command to finish writing (up to 10 min)…"
    )
    assert [c["name"] for c in cli.contacts()] == ["Первый Пётр", "Второй Павел"]


def test_a_writer_gives_up_after_the_wait_limit_with_one_line(cli, monkeypatch):
    cli("contacts", "add", "--name", "Первый Пётр")
    release, held = threading.Event(), threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(cli, release, held))
    t.start()
    held.wait()
    monkeypatch.setenv("CLIENTBASE_WAIT", "0.3")
    try:
        r = cli("contacts", "add", "--name", "Второй Павел", expect=1)
    finally:
        release.set()
        t.join()
    assert r.stderr.strip().splitlines() == [
        "clientbase: error: the database is busy: another clientbase command has been writing "
        "for over 0.3 seconds; try again when it has finished (wait longer with --wait SECONDS "
        "or CLIENTBASE_WAIT)"
    ]
    assert [c["name"] for c in cli.contacts()] == ["Первый Пётр"]
    monkeypatch.setenv("CLIENTBASE_WAIT", "soon")
    assert (
        "CLIENTBASE_WAIT='soon': expected a number of seconds"
        in cli("contacts", "list", expect=2).stderr
    )
