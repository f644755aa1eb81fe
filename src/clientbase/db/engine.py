"""Opening the database: engine, the SQLite pragmas every connection needs, write transactions.

WAL and busy_timeout let a cron job and an interactive command use the same file at once;
foreign_keys=ON because SQLite leaves them off by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event

from clientbase.config import DatabaseLocation
from clientbase.errors import DatabaseError

BUSY_TIMEOUT_MS = 30_000
# A bigger page cache than the 2 MB default: a large import touches index pages all over the
# file, and SQLite only allocates what it uses.
CACHE_KIB = 32 * 1024


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"no driver for {url.split('://', 1)[0]}: {exc.name} is not installed",
            hint="install it in the same environment, e.g. pip install psycopg",
        ) from exc
    except Exception as exc:  # a malformed URL
        raise DatabaseError(f"cannot use the database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_database(
    location: DatabaseLocation,
    *,
    migrate: bool = True,
    on_backup: Callable[[Path], None] | None = None,
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
    engine = make_engine(location.url)
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


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("clientbase_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
    VACUUM cannot run inside a transaction, so this uses the driver connection directly."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
