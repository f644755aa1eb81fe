"""A SQLite base opened for reading with the standard library alone.

`contacts list --limit 1` is mostly start-up, and loading SQLAlchemy is 0.3 s of it. The quick
listing (services.quick_list) reads through this plain connection instead, when the base is a
file that exists and its schema is at the head revision; anything else (a new base, one to
upgrade, PostgreSQL) goes the usual way through db.engine, which creates, upgrades and reports.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from importlib import resources
from pathlib import Path

# As db.engine sets on every connection: wait for a writer rather than fail at once.
BUSY_TIMEOUT_MS = 30_000


def quick_head() -> str:
    """The head revision from the versions' file names (``NNNN_what.py`` holds revision
    ``NNNN``; a test holds this to alembic's answer), without importing alembic."""
    names = resources.files("clientbase.migrations").joinpath("versions").iterdir()
    return max(n.name.split("_", 1)[0] for n in names if n.name[:4].isdigit())


def open_quick(path: Path | None) -> sqlite3.Connection | None:
    """A connection to the SQLite file ``path`` for reading, or None when it is not a base at
    the head revision this clientbase can read as it is."""
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # As db.engine: SQLite's lower() folds ASCII only.
        conn.create_function("lower", 1, lower_text, deterministic=True)
        found = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.Error:
        conn.close()
        return None
    if found != [quick_head()]:
        conn.close()
        return None
    return conn


def lower_text(value):
    """lower() for SQLite connections: Python's, which folds Cyrillic too."""
    return value.lower() if isinstance(value, str) else value


def stored_time(dt: datetime) -> str:
    """A time as the base stores it (SQLAlchemy's SQLite text), so text comparisons hold."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")
