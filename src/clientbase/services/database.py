"""`clientbase db`: where the database is, its schema revision and size; backups; upgrades."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from clientbase.config import DatabaseLocation
from clientbase.db.copies import record_copy
from clientbase.db.engine import write_transaction
from clientbase.db.migrate import backup_sqlite, ensure_schema, schema_state
from clientbase.db.models import Base
from clientbase.errors import UsageError

COUNTED_TABLES = (
    "customers", "contact_points", "imports", "import_rows", "orders", "interactions", "tags",
    "segments", "merges", "exports",
)  # fmt: skip


def info(engine: Engine, location: DatabaseLocation) -> dict:
    if location.path is not None and not location.path.exists():
        return {"path": str(location.path), "url": None, "origin": location.origin,
                "exists": False, "revision": None, "head": None, "up_to_date": False,
                "size_bytes": None, "counts": {}}  # fmt: skip
    state = schema_state(engine)
    existing = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as conn:
        for name in COUNTED_TABLES:
            if name in existing:
                counts[name] = conn.execute(
                    select(func.count()).select_from(Base.metadata.tables[name])
                ).scalar_one()
    size = location.path.stat().st_size if location.path and location.path.exists() else None
    return {
        "path": str(location.path) if location.path else None,
        "url": location.url if location.path is None else None,
        "origin": location.origin,
        "exists": True,
        "revision": state.current,
        "head": state.head,
        "up_to_date": state.current == state.head,
        "size_bytes": size,
        "counts": counts,
    }


def backup(engine: Engine, dest: Path, *, force: bool = False) -> dict:
    """A copy of the base at ``dest`` (a file, or a folder to put clientbase-backup.sqlite3 in),
    noted in the registry of copies. An existing file is replaced only with ``force``."""
    dest = dest.expanduser()
    if dest.is_dir():
        dest = dest / "clientbase-backup.sqlite3"
    if dest.exists() and not force:
        raise UsageError(
            f"{dest} exists already", hint="add --force to replace it, or choose another name"
        )
    if dest.exists() and not dest.is_file():
        raise UsageError(f"{dest}: not a regular file")
    backup_sqlite(engine, dest)
    with write_transaction(engine) as conn:
        record_copy(conn, "backup", dest)
    return {"backup": str(dest), "size_bytes": dest.stat().st_size}


def upgrade(engine: Engine, location: DatabaseLocation) -> dict:
    before = schema_state(engine).current
    made = ensure_schema(engine, location.path)
    return {
        "from": before,
        "to": schema_state(engine).current,
        "backup": str(made) if made else None,
    }


def scrub(engine: Engine, location: DatabaseLocation) -> None:
    """Clear erased data from the database files (after `contacts forget` could not, because
    another program was reading)."""
    from clientbase.db.engine import ScrubIncomplete, scrub_free_space
    from clientbase.services.card import scrub_failed_error

    try:
        scrub_free_space(engine)
    except ScrubIncomplete:
        raise scrub_failed_error(location.path) from None
