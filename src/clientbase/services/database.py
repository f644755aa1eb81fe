"""`clientbase db`: where the database is, its schema revision and size; backups; upgrades."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import make_url

from clientbase.config import DatabaseLocation, location_from
from clientbase.db.copies import record_copy
from clientbase.db.copy import copy_base
from clientbase.db.engine import (
    ScrubIncomplete,
    database_size,
    make_engine,
    scrub_free_space,
    server_url,
    write_transaction,
)
from clientbase.db.migrate import backup_sqlite, ensure_schema, schema_state
from clientbase.db.models import Base
from clientbase.errors import UsageError
from clientbase.i18n import _
from clientbase.services.results import Result

COUNTED_TABLES = (
    "customers", "contact_points", "imports", "import_rows", "orders", "interactions", "tags",
    "segments", "merges", "exports",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DatabaseInfo(Result):
    """Where the base is (a file ``path``, or a server ``url``), its schema revision against the
    code's, its size and the rows of its main tables."""

    path: str | None
    url: str | None
    origin: str
    exists: bool
    revision: str | None
    head: str | None
    up_to_date: bool
    size_bytes: int | None
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Backup(Result):
    backup: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class BaseCopy(Result):
    """A base copied: where to, and each table with its rows and checksum (the same here)."""

    to: str
    tables: list[dict]


@dataclass(frozen=True, slots=True)
class Upgrade(Result):
    """The schema revision before (``from`` in the JSON; None for a new base) and after, and
    the copy of the file kept first."""

    KEYS: ClassVar[dict[str, str]] = {"from_": "from"}

    from_: str | None
    to: str | None
    backup: str | None


def info(engine: Engine, location: DatabaseLocation) -> DatabaseInfo:
    if location.path is not None and not location.path.exists():
        return DatabaseInfo(path=str(location.path), url=None, origin=location.origin,
                            exists=False, revision=None, head=None, up_to_date=False,
                            size_bytes=None, counts={})  # fmt: skip
    state = schema_state(engine)
    existing = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as conn:
        for name in COUNTED_TABLES:
            if name in existing:
                counts[name] = conn.execute(
                    select(func.count()).select_from(Base.metadata.tables[name])
                ).scalar_one()
    size = database_size(engine, location.path)
    return DatabaseInfo(
        path=str(location.path) if location.path else None,
        url=location.url if location.path is None else None,
        origin=location.origin,
        exists=True,
        revision=state.current,
        head=state.head,
        up_to_date=state.current == state.head,
        size_bytes=size,
        counts=counts,
    )


def backup(engine: Engine, dest: Path, *, force: bool = False) -> Backup:
    """A consistent copy as a SQLite file at ``dest`` (a file, or a folder to put
    clientbase-backup.sqlite3 in), noted in the registry of copies: SQLite's online backup, or
    for a server base a copy of one snapshot of every table (restorable with
    `clientbase --db FILE db copy --to URL`). An existing file is replaced only with ``force``."""
    dest = dest.expanduser()
    if dest.is_dir():
        dest = dest / "clientbase-backup.sqlite3"
    if dest.exists() and not force:
        raise UsageError(
            _("{dest} exists already").format(dest=dest),
            hint=_("add --force to replace it, or choose another name"),
        )
    if dest.exists() and not dest.is_file():
        raise UsageError(_("{dest}: not a regular file").format(dest=dest))
    if engine.dialect.name == "sqlite":
        backup_sqlite(engine, dest)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        part.unlink(missing_ok=True)
        target = make_engine(f"sqlite:///{part}")
        try:
            copy_base(engine, target)
        finally:
            target.dispose()
        part.replace(dest)
    with write_transaction(engine) as conn:
        record_copy(conn, "backup", dest)
    return Backup(backup=str(dest), size_bytes=dest.stat().st_size)


def copy(
    engine: Engine,
    location: DatabaseLocation,
    to: str,
    progress: Callable[[str, int], None] | None = None,
) -> BaseCopy:
    """Copy the whole base into an empty database (a SQLite file or a server URL), ids kept,
    each table checked by count and checksum."""
    target = location_from(to, "--to")
    if server_url(target.url) == server_url(location.url):
        raise UsageError(_("--to names the base being copied; give another database"))
    if target.path is not None:
        target.path.parent.mkdir(parents=True, exist_ok=True)
    target_engine = make_engine(target.url)
    try:
        checks = copy_base(engine, target_engine, progress)
    finally:
        target_engine.dispose()
    return BaseCopy(
        to=str(target.path) if target.path else _without_password(target.url),
        tables=[{"table": c.table, "rows": c.rows, "checksum": c.checksum} for c in checks],
    )


def _without_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def upgrade(engine: Engine, location: DatabaseLocation) -> Upgrade:
    before = schema_state(engine).current
    made = ensure_schema(engine, location.path)
    return Upgrade(
        from_=before, to=schema_state(engine).current, backup=str(made) if made else None
    )


def scrub(engine: Engine, location: DatabaseLocation) -> None:
    """Clear erased data from the database files (after `contacts forget` could not, because
    another program was reading)."""
    # services.card brings the import pipeline and numpy: loaded for `db scrub` only
    from clientbase.services.card import scrub_failed_error

    try:
        scrub_free_space(engine)
    except ScrubIncomplete:
        raise scrub_failed_error(location.path) from None
