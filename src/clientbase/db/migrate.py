"""Bring a database to the schema this version of clientbase expects.

Every command calls ``ensure_schema`` on first use: a new file is created at the head revision;
an existing file behind the head is backed up next to itself, then upgraded. Alembic is imported
here only, so commands that never touch the database stay quick to start.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from clientbase.db.copies import record_copy
from clientbase.db.locks import WRITE_LOCK_KEY
from clientbase.db.quick import quick_head
from clientbase.errors import DatabaseError
from clientbase.i18n import _


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str


def _alembic_config(connection=None):
    # alembic (~0.15 s to import): only when a schema is checked or upgraded
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("clientbase.migrations")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def schema_state(engine: Engine) -> SchemaState:
    # alembic (~0.15 s to import): only when a schema is checked or upgraded
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(current=current, head=head)


def _up_to_date(engine: Engine) -> bool:
    """True when the base is at the head: the common case, answered with one query (importing
    alembic costs ~0.15 s, a third of a `contacts list --limit 1`)."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # a new base: no version table yet
        return False
    return found == [quick_head()]


def ensure_schema(engine: Engine, db_path: Path | None) -> Path | None:
    """Upgrade to head if needed; returns the backup file made before upgrading, if any."""
    if _up_to_date(engine):
        return None
    # alembic (~0.15 s to import): only when a schema is checked or upgraded
    from alembic import command
    from alembic.script import ScriptDirectory

    state = schema_state(engine)
    if state.current == state.head:
        return None
    script = ScriptDirectory.from_config(_alembic_config())
    if state.current is not None and not _known_revision(script, state.current):
        raise DatabaseError(
            _("the database schema ({current}) is newer than this clientbase knows").format(
                current=state.current
            ),
            hint=_("upgrade clientbase, or point --db at another file"),
        )
    backup = None
    has_data = state.current is not None or bool(inspect(engine).get_table_names())
    if db_path is not None and has_data and db_path.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = db_path.with_name(f"{db_path.name}.{state.current or 'none'}.{stamp}.bak")
        backup_sqlite(engine, backup)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # Table rebuilds in batch mode would trip over foreign keys; SQLite only accepts
            # this pragma outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        elif engine.dialect.name == "postgresql":
            # Several laptops that start a new clientbase at once: one upgrades, the others
            # wait for it (and for any writer) and then find the schema at the head.
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        command.upgrade(_alembic_config(conn), "head")
        conn.commit()
        if backup is not None:
            record_copy(conn, "upgrade-backup", backup)
            conn.commit()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    return backup


def _known_revision(script, revision: str) -> bool:
    # alembic (~0.15 s to import): only when a schema is checked or upgraded
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def backup_sqlite(engine: Engine, dest: Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write."""
    if engine.dialect.name != "sqlite":
        raise DatabaseError(
            _("backup is built in for SQLite only; use the {dialect} tools").format(
                dialect=engine.dialect.name
            )
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(tmp)
        try:
            # One step (pages=-1) copies a single snapshot: a concurrent writer cannot make
            # the copy a mix of before and after.
            raw.driver_connection.backup(target, pages=-1)
        finally:
            target.close()
    finally:
        raw.close()
    tmp.replace(dest)
