"""Engine creation and the SQLite pragmas every connection needs.

WAL and busy_timeout let a cron job and an interactive command use the same file at once;
foreign_keys=ON because SQLite leaves them off by default.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 30_000
# A bigger page cache than the 2 MB default: a large import touches index pages all over the
# file, and SQLite only allocates what it uses.
CACHE_KIB = 32 * 1024


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling would defer BEGIN until the first write; we emit
        # BEGIN ourselves so a whole import runs in one transaction we control.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # see make_engine: we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cur.close()
