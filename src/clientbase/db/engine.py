"""Opening the database: engine, the SQLite pragmas every connection needs, write transactions.

WAL and busy_timeout let a cron job and an interactive command use the same file at once;
foreign_keys=ON because SQLite leaves them off by default.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event

from clientbase.config import DatabaseLocation
from clientbase.errors import DatabaseError

BUSY_TIMEOUT_MS = 30_000
# How long a command waits for another one that is writing (an import of a million orders takes
# a few minutes; see benchmarks/README.md) before it gives up; --wait / CLIENTBASE_WAIT.
DEFAULT_WAIT_S = 600.0
# The first try at the write lock: shorter than anyone notices, so the "waiting" line appears
# only when there is a real wait.
_FIRST_TRY_MS = 300
# A bigger page cache than the 2 MB default: a large import touches index pages all over the
# file, and SQLite only allocates what it uses.
CACHE_KIB = 32 * 1024


@dataclass
class WaitPolicy:
    """How long to wait for another writer, and whom to tell that we wait."""

    seconds: float = DEFAULT_WAIT_S
    on_wait: Callable[[float], None] | None = None  # hears the limit, once per wait


_policies: WeakKeyDictionary = WeakKeyDictionary()


def wait_policy(engine: Engine) -> WaitPolicy:
    return _policies.get(engine) or WaitPolicy()


def make_engine(url: str, wait: WaitPolicy | None = None) -> Engine:
    try:
        engine = create_engine(url)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"no driver for {url.split('://', 1)[0]}: {exc.name} is not installed",
            hint="install it in the same environment, e.g. pip install psycopg",
        ) from exc
    except Exception as exc:  # a malformed URL
        raise DatabaseError(f"cannot use the database URL {url!r}: {exc}") from exc
    policy = wait or WaitPolicy()
    _policies[engine] = policy
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, policy))
    return engine


def open_database(
    location: DatabaseLocation,
    *,
    migrate: bool = True,
    on_backup: Callable[[Path], None] | None = None,
    wait: WaitPolicy | None = None,
) -> Engine:
    """The engine for a location; brings the schema up to date. ``on_backup`` hears where the
    copy made before an upgrade is.

    Only the default folder (in the user data dir) is created: a folder named by --db or
    CLIENTBASE_DB that does not exist is far more often a typo than a wish, and creating it would
    leave an empty base where nobody looks."""
    folder = location.path.parent if location.path is not None else None
    if folder is not None and migrate and not folder.is_dir():
        if location.origin != "default":
            raise DatabaseError(
                f"{location.origin} {location.path}: the folder {folder} does not exist",
                hint="check the path, or create the folder first",
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create {folder}: {exc.strerror}") from exc
    engine = make_engine(location.url, wait)
    if migrate:
        from clientbase.db.migrate import ensure_schema

        backup = ensure_schema(engine, location.path)
        if backup is not None and on_backup is not None:
            on_backup(backup)
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes the write lock at once (SQLite: BEGIN IMMEDIATE).

    A plain BEGIN starts as a reader; if another writer commits meanwhile, the first write fails
    at once with "database is locked" instead of waiting. Taking the lock up front makes a second
    import or a cron job wait for the first (busy_timeout) and then run."""
    with engine.connect() as conn:
        conn.execution_options(clientbase_write=True)
        with conn.begin():
            yield conn


def _sqlite_begin(conn: Connection, policy: WaitPolicy) -> None:
    if not conn.get_execution_options().get("clientbase_write"):
        conn.exec_driver_sql("BEGIN")
        return
    db = conn.connection.driver_connection
    try:
        db.execute(f"PRAGMA busy_timeout={_FIRST_TRY_MS}")
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        # Another command holds the write lock (a big import, most likely): wait for it.
        if policy.on_wait is not None:
            policy.on_wait(policy.seconds)
        db.execute(f"PRAGMA busy_timeout={max(int(policy.seconds * 1000), 1)}")
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            raise DatabaseError(
                "the database is busy: another clientbase command has been writing for "
                f"{_duration(policy.seconds)}; try again when it has finished",
                hint="wait longer with --wait SECONDS or CLIENTBASE_WAIT",
            ) from exc
    finally:
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _is_busy(exc: Exception) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"over {seconds / 60:g} minutes"
    return f"over {seconds:g} seconds"


def _sqlite_connect(dbapi_conn, _record) -> None:
    # pysqlite's own transaction handling would defer BEGIN until the first write; we issue BEGIN
    # ourselves (_sqlite_begin) so an import runs in one transaction we control.
    dbapi_conn.isolation_level = None
    # SQLite's lower() folds ASCII only; Python's folds Cyrillic too, so searches like
    # lower(name) LIKE '%иванов%' behave as on PostgreSQL.
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cur.close()


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def scrub_free_space(engine: Engine) -> None:
    """Make deleted rows unrecoverable from the files: fold the write-ahead log into the
    database, rebuild it without free pages (VACUUM), and empty the log again. SQLite only;
    VACUUM cannot run inside a transaction, so this uses the driver connection directly.

    Another connection that is reading keeps the old pages alive: a checkpoint cannot copy
    past what it still reads, and the main file keeps the erased bytes. This waits for such a
    reader up to the wait limit and then raises ``ScrubIncomplete`` rather than report a
    success that is not one."""
    if engine.dialect.name != "sqlite":
        return
    limit = wait_policy(engine).seconds
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.execute(f"PRAGMA busy_timeout={max(int(limit * 1000), 1)}")
        try:
            _checkpoint_fully(db)
            db.execute("VACUUM")
            _checkpoint_fully(db)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            raise ScrubIncomplete(str(exc)) from exc
        finally:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        raw.close()


class ScrubIncomplete(Exception):
    """The erased bytes could not be cleared from the files (another connection holds them)."""


def _checkpoint_fully(db) -> None:
    """A TRUNCATE checkpoint (it waits for readers with the busy timeout) that must copy every
    frame of the log into the database and empty the log."""
    busy, log, done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy or (log > 0 and done < log):
        raise ScrubIncomplete(f"checkpoint stopped at frame {done} of {log}")
