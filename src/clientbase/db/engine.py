"""Opening the database: engine, the SQLite pragmas every connection needs, write transactions.

WAL and busy_timeout let a cron job and an interactive command use the same file at once;
foreign_keys=ON because SQLite leaves them off by default. On PostgreSQL a transaction-level
advisory lock plays the part of SQLite's write lock (see ``write_transaction``), and the errors
PostgreSQL asks the client to retry (serialization failure, deadlock) are retried here.
"""

from __future__ import annotations

import importlib.util
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.dml import Insert

from clientbase.config import DatabaseLocation
from clientbase.db.locks import RETRIES, WRITE_LOCK_KEY, is_transient
from clientbase.db.quick import lower_text
from clientbase.errors import DatabaseError
from clientbase.i18n import _

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


# While the first try at the write lock lasts (_FIRST_TRY_MS), how often to ask again.
_POLL_S = 0.05

T = TypeVar("T")


def server_url(url: str) -> str:
    """The URL as SQLAlchemy should get it: a bare ``postgresql://`` (which SQLAlchemy would hand
    to psycopg2) means psycopg 3, the driver clientbase supports."""
    if "://" not in url or url.startswith("sqlite"):
        return url
    try:
        parsed = make_url(url)
    except Exception:  # make_engine reports a malformed URL
        return url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, wait: WaitPolicy | None = None, *, pooled: bool = True) -> Engine:
    """The engine of a database URL (no schema check: ``open_database``). ``pooled=False``:
    each connection is closed when it is given back, its page cache with it."""
    url = server_url(url)
    if url.startswith("postgresql+psycopg") and importlib.util.find_spec("psycopg") is None:
        raise DatabaseError(
            _("PostgreSQL needs the psycopg driver: pip install 'clientbase[postgres]'")
        )
    try:
        kwargs = {} if pooled else {"poolclass": NullPool}
        if url.startswith("postgresql+psycopg"):
            # psycopg prepares a statement on the server from its 5th run, and PostgreSQL may
            # then keep a generic plan made while the tables were small (an import into an
            # empty base): plan each statement for its own parameters instead.
            kwargs["connect_args"] = {"prepare_threshold": None}
        engine = create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            _("no driver for {scheme}: {name} is not installed").format(
                scheme=url.split("://", 1)[0], name=exc.name
            ),
            hint=_("install it in the same environment, e.g. pip install psycopg"),
        ) from exc
    except Exception as exc:  # a malformed URL
        raise DatabaseError(
            _("cannot use the database URL {url!r}: {exc}").format(url=url, exc=exc)
        ) from exc
    policy = wait or WaitPolicy()
    _policies[engine] = policy
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, policy))
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "after_execute", _pg_after_insert)
    return engine


def side_engine(engine: Engine) -> Engine | None:
    """Another engine on the same base, with the same settings, whose connections close when
    given back: for a thread that reads beside the main one (dispose of it after). None for
    a SQLite base in memory, which no other connection sees."""
    db = engine.url.database
    if engine.dialect.name == "sqlite" and (
        not db or db == ":memory:" or "mode=memory" in str(engine.url)
    ):
        return None
    url = engine.url.render_as_string(hide_password=False)
    side = make_engine(url, wait_policy(engine), pooled=False)
    if side.dialect.name == "sqlite":
        # SQLite's default page cache, not CACHE_KIB: what a thread frees stays in its own
        # malloc arena (glibc), where the main thread does not reuse it; a large cache filled
        # there would add to the peak of the whole command
        event.listen(side, "connect", _small_cache)
    return side


def _small_cache(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA cache_size=-2000")


def _pg_after_insert(conn, clauseelement, multiparams, params, execution_options, result) -> None:
    """An INSERT that chose its own ids (an undo putting rows back, a merge numbering its
    records) leaves the table's sequence behind them; move it on, so the next insert without
    an id does not collide. SQLite needs nothing: it always takes max(id) + 1."""
    if not isinstance(clauseelement, Insert):
        return
    context = getattr(result, "context", None)
    compiled = getattr(context, "compiled_parameters", None) or [{}]
    if compiled[0].get("id") is None:
        return
    from clientbase.db.bulk import sync_sequence  # bulk imports this module

    sync_sequence(conn, clauseelement.table)


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
                _("{origin} {path}: the folder {folder} does not exist").format(
                    origin=location.origin, path=location.path, folder=folder
                ),
                hint=_("check the path, or create the folder first"),
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                _("cannot create {folder}: {strerror}").format(folder=folder, strerror=exc.strerror)
            ) from exc
    engine = make_engine(location.url, wait)
    if migrate:
        # alembic (~0.1 s) loads only when a schema may need creating or upgrading
        from clientbase.db.migrate import ensure_schema

        backup = ensure_schema(engine, location.path)
        if backup is not None and on_backup is not None:
            on_backup(backup)
    return engine


@contextmanager
def write_transaction(engine: Engine, *, rollback_journal: bool = False) -> Iterator[Connection]:
    """A transaction that takes the write lock at once (SQLite: BEGIN IMMEDIATE).

    A plain BEGIN starts as a reader; if another writer commits meanwhile, the first write fails
    at once with "database is locked" instead of waiting. Taking the lock up front makes a second
    import or a cron job wait for the first (busy_timeout) and then run.

    ``rollback_journal`` (SQLite; a first load of a big file into an empty base): the
    transaction runs with a rollback journal instead of the write-ahead log when no other
    connection has the file open (else it stays in WAL). The log holds every page a transaction
    writes until a checkpoint copies it into the file, so a load of hundreds of megabytes is
    written twice; a rollback journal writes the pages into the file once and keeps only the few
    pages the empty base had before, and a failed or killed load still leaves the base as it
    was (the journal is rolled back when the file is next opened). The price: readers wait for
    the load (there is nothing in the base for them to read yet). WAL is restored at the end.

    Such a load also checks its foreign keys once, at the end, instead of row by row: SQLite
    looks the parent up for every row inserted (a customer per contact point, an import and a
    customer per import row: ~2.5 s of a million-row contact load), while the check at the end
    (``_check_foreign_keys``) takes under a second. A row pointing at nothing still fails the
    load, before anything is committed. Enforcement being off only changes what a DELETE of a
    parent would do (no cascade), and a first load deletes no parent row."""
    with engine.connect() as conn:
        conn.execution_options(clientbase_write=True)
        bulk = rollback_journal and conn.dialect.name == "sqlite"
        journal = bulk and _journal(conn, "delete")
        try:
            if bulk:
                _foreign_keys(conn, on=False)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    # One writer at a time, as on SQLite: two imports computing the next free
                    # id, or two edits of one card, wait for each other instead of colliding.
                    # Readers are not blocked (MVCC); the lock ends with the transaction.
                    _pg_take_write_lock(conn, wait_policy(engine))
                yield conn
                if bulk:
                    _check_foreign_keys(conn)
        finally:
            if bulk:
                with suppress(sqlite3.Error):
                    _foreign_keys(conn, on=True)
            if journal:
                # Never in the way of the transaction's own outcome or error (a full disk, say):
                # a switch back that fails leaves WAL to the next connection, which sets it.
                with suppress(sqlite3.Error):
                    _journal(conn, "wal")


def _foreign_keys(conn: Connection, *, on: bool) -> None:
    """Turn SQLite's foreign key enforcement on or off (only takes outside a transaction)."""
    conn.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(conn: Connection) -> None:
    """Fail the transaction when a row points at a row that does not exist.

    Asked per foreign key, by the distinct values of its column (the load has built the
    column's index by now, so they come from it in order, ~100,000 customer ids for a million
    order lines) rather than by every row as ``PRAGMA foreign_key_check`` does: under half
    the time. A key of several columns is left to the pragma."""
    db = conn.connection.driver_connection
    bad: list[str] = []
    tables = db.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (table,) in tables:
        keys = db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
        if any(seq > 0 for _id, seq, *_rest in keys):
            bad += [f"{child} row {rowid} -> {parent}" for child, rowid, parent, _fk
                    in db.execute(f'PRAGMA foreign_key_check("{table}")').fetchmany(3)]  # fmt: skip
            continue
        for _id, _seq, parent, column, to, *_rest in keys:
            to = to or "rowid"  # a key naming no column points at the primary key
            missing = db.execute(
                f'SELECT v FROM (SELECT DISTINCT "{column}" AS v FROM "{table}" '
                f'WHERE "{column}" IS NOT NULL) WHERE NOT EXISTS '
                f'(SELECT 1 FROM "{parent}" WHERE "{to}" = v) LIMIT 1'
            ).fetchone()
            if missing is not None:
                bad.append(f"{table}.{column} = {missing[0]} -> {parent}")
    if bad:
        raise DatabaseError(
            _(
                "the import would leave rows pointing at nothing ({where}); nothing was written"
            ).format(where="; ".join(bad[:3])),
            hint=_("this is a bug in clientbase: please report it with the file's layout"),
        )


def _journal(conn: Connection, mode: str) -> bool:
    """Switch the SQLite file's journal mode, outside a transaction; whether it took. Leaving
    WAL needs the file to itself: with another connection on it the mode stays (no waiting).
    A switch back that finds a reader leaves the file to the next connection, which sets WAL."""
    db = conn.connection.driver_connection
    try:
        (now,) = db.execute(f"PRAGMA journal_mode={mode}").fetchone()
    except sqlite3.OperationalError as exc:
        if not _is_busy(exc):
            raise
        return False
    return str(now).lower() == mode


def _pg_take_write_lock(conn: Connection, policy: WaitPolicy) -> None:
    """The advisory lock, with the same waiting as SQLite's BEGIN IMMEDIATE: a short first try
    that nobody notices, then (telling ``on_wait``) up to the policy's limit, then one clear
    error. The long wait is a blocking lock request bounded by lock_timeout, so writers that
    wait are served in the order they came."""
    try_lock = f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})"
    deadline = time.monotonic() + _FIRST_TRY_MS / 1000
    while not conn.exec_driver_sql(try_lock).scalar():
        if time.monotonic() >= deadline:
            break
        time.sleep(_POLL_S)
    else:
        return
    # Another command holds the write lock (a big import, most likely): wait for it.
    if policy.on_wait is not None:
        policy.on_wait(policy.seconds)
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{_ms(policy.seconds)}ms'")
    try:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        raise _busy_error(policy.seconds) from exc
    # The server's (or the role's) own setting again for the rest of the transaction.
    conn.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")


def _ms(seconds: float) -> int:
    """A wait in the milliseconds both lock timeouts take: at least 1 (0 would mean no
    timeout at all on PostgreSQL), at most what a 32-bit setting holds (24 days; --wait inf)."""
    return int(min(max(seconds * 1000, 1), 2**31 - 1))


def _busy_error(seconds: float) -> DatabaseError:
    return DatabaseError(
        _(
            "the database is busy: another clientbase command has been writing for {duration}; "
            "try again when it has finished"
        ).format(duration=_duration(seconds)),
        hint=_("wait longer with --wait SECONDS or CLIENTBASE_WAIT"),
    )


def is_connection_failure(exc: BaseException) -> bool:
    """The server could not be reached or refused the login (psycopg gives no SQLSTATE then,
    or one of class 08 / 28: connection exception, invalid authorization)."""
    if not isinstance(exc, OperationalError) or getattr(exc, "orig", None) is None:
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or state[:2] in ("08", "28") or state == "3D000"  # no such database


def shown_url(url: str) -> str:
    """A URL fit for a message: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def is_busy(exc: BaseException) -> bool:
    """A lock that was not granted in time, or a conflict that outlived the retries."""
    orig = getattr(exc, "orig", exc)
    return is_transient(exc) or getattr(orig, "sqlstate", None) == "55P03"  # lock_not_available


def retrying(work: Callable[[], T], attempts: int = RETRIES) -> T:
    """Run ``work`` (one whole transaction) again when PostgreSQL reports a serialization
    failure or a deadlock, a bounded number of times, with a growing random pause so the two
    sides do not collide again in step."""
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            if not is_transient(exc) or attempt == attempts - 1:
                raise
            time.sleep((0.05 * 2**attempt) * (1 + random.random()))
    raise AssertionError("unreachable")


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
        db.execute(f"PRAGMA busy_timeout={_ms(policy.seconds)}")
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            raise _busy_error(policy.seconds) from exc
    finally:
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _is_busy(exc: Exception) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return _("over {minutes:g} minutes").format(minutes=seconds / 60)
    return _("over {seconds:g} seconds").format(seconds=seconds)


def _sqlite_connect(dbapi_conn, _record) -> None:
    # pysqlite's own transaction handling would defer BEGIN until the first write; we issue BEGIN
    # ourselves (_sqlite_begin) so an import runs in one transaction we control.
    dbapi_conn.isolation_level = None
    # SQLite's lower() folds ASCII only; Python's folds Cyrillic too, so searches like
    # lower(name) LIKE '%иванов%' behave as on PostgreSQL.
    dbapi_conn.create_function("lower", 1, lower_text, deterministic=True)
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        # A first load holds the file in rollback-journal mode (see write_transaction): this
        # connection reads and writes in that mode, waiting for the load as busy_timeout says.
        if not _is_busy(exc):
            raise
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cur.close()


def tables_changed(conn: Connection) -> list[str] | None:
    """PostgreSQL: the tables in which the current transaction has so far updated or deleted
    rows (foreign-key cascades included): the ones whose files keep old row versions until
    they are rewritten. None (every table) on SQLite, whose scrub works on the one file, or
    when the server does not count row changes (track_counts off)."""
    if conn.dialect.name != "postgresql":
        return None
    if conn.exec_driver_sql("SELECT current_setting('track_counts')").scalar() != "on":
        return None
    return sorted(
        conn.exec_driver_sql(
            "SELECT relname FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema() AND n_tup_upd + n_tup_del > 0"
        ).scalars()
    )


def scrub_free_space(engine: Engine, tables: list[str] | None = None) -> None:
    """Make deleted rows unrecoverable from the files: fold the write-ahead log into the
    database, rebuild it without free pages (VACUUM), and empty the log again (PostgreSQL: see
    _pg_rewrite_tables; only ``tables`` are rewritten there, every one when None). VACUUM
    cannot run inside a transaction: the driver connection is used.

    Another connection that is reading keeps the old pages alive: a checkpoint cannot copy
    past what it still reads, and the main file keeps the erased bytes. This waits for such a
    reader up to the wait limit and then raises ``ScrubIncomplete`` rather than report a
    success that is not one."""
    if engine.dialect.name == "postgresql":
        _pg_rewrite_tables(engine, tables)
        return
    if engine.dialect.name != "sqlite":
        return
    limit = wait_policy(engine).seconds
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.execute(f"PRAGMA busy_timeout={_ms(limit)}")
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


def _pg_rewrite_tables(engine: Engine, only: list[str] | None) -> None:
    """PostgreSQL keeps a deleted or updated row's old version in its page until VACUUM, and
    plain VACUUM only marks the space free (the bytes stay until reused). VACUUM FULL writes
    each table and its indexes into new files and drops the old ones, so no copy is left in
    the tables; CHECKPOINT then lets the server recycle the WAL that still holds the rows.
    VACUUM FULL locks each table while it is rewritten (seconds for a small base, minutes for
    millions of rows), which is why only the tables that held the erased rows are named."""
    from clientbase.db.models import Base  # the table definitions: only for forget

    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.autocommit = True
        prep = engine.dialect.identifier_preparer
        existing = {
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        }
        for table in Base.metadata.sorted_tables:
            if table.name in existing and (only is None or table.name in only):
                db.execute(f"VACUUM (FULL, ANALYZE) {prep.format_table(table)}")
        try:
            db.execute("CHECKPOINT")
        except Exception:  # only superusers and pg_checkpoint members may; the server will
            pass  # checkpoint on its own within checkpoint_timeout
        db.autocommit = False
    finally:
        raw.close()


def database_size(engine: Engine, path: Path | None) -> int | None:
    """Bytes the base takes: its file, or what the server reports for the database."""
    if path is not None:
        return path.stat().st_size if path.exists() else None
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    return None
