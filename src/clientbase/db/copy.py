"""Copying a whole base to another database (SQLite ⇄ PostgreSQL), ids and all, verified.

The source is read in one snapshot (a read transaction), table by table in foreign-key order,
and written into an empty target in one transaction: a failed copy leaves the target empty.
Every row keeps its id; PostgreSQL's id sequences are then moved past the copied ids. Each
table is checked afterwards by its row count and a checksum of its rows read back from the
target in primary-key order, computed the same way on both sides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    func,
    inspect,
    select,
    update,
)

from clientbase.db.bulk import insert_rows, sync_sequence, timestamp
from clientbase.db.engine import write_transaction
from clientbase.db.migrate import ensure_schema, schema_state
from clientbase.db.models import Base
from clientbase.errors import DatabaseError, UsageError
from clientbase.i18n import _

PAGE = 5000


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    checksum: str  # sha256 of the table's rows in primary-key order, the same on both sides


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def non_empty_tables(engine: Engine) -> list[str]:
    existing = set(inspect(engine).get_table_names())
    found = []
    with engine.connect() as conn:
        for t in tables():
            if t.name in existing and conn.execute(select(t).limit(1)).first() is not None:
                found.append(t.name)
    return found


def copy_base(
    source: Engine,
    target: Engine,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCheck]:
    """Copy every table of ``source`` into ``target`` (which must hold no data); returns the
    per-table checks, which match on both sides or a DatabaseError is raised."""
    src_state = schema_state(source)
    if src_state.current != src_state.head:
        raise UsageError(
            _("the source base is not at the current schema"),
            hint=_("run `clientbase db upgrade` on it first"),
        )
    busy = non_empty_tables(target)
    if busy:
        raise UsageError(
            _("the target database is not empty (rows in {busy})").format(busy=", ".join(busy)),
            hint=_("copy into a new, empty database"),
        )
    ensure_schema(target, None)
    with source.connect() as src:
        _snapshot(src)
        with write_transaction(target) as dst:
            for t in tables():
                n = _copy_table(src, dst, t)
                if progress is not None:
                    progress(t.name, n)
            for t in tables():
                if "id" in t.c and t.c.id.primary_key:
                    sync_sequence(dst, t)
        source_checks = [check_table(src, t) for t in tables()]
        src.rollback()
    with target.connect() as dst:
        target_checks = [check_table(dst, t) for t in tables()]
    for a, b in zip(source_checks, target_checks, strict=True):
        if a != b:
            raise DatabaseError(
                _(
                    "the copy of table {table} differs from the source ({rows} rows, {checksum} vs {rows2} rows, {checksum2})"
                ).format(
                    table=a.table,
                    rows=a.rows,
                    checksum=a.checksum[:12],
                    rows2=b.rows,
                    checksum2=b.checksum[:12],
                )
            )
    return target_checks


def _snapshot(conn: Connection) -> None:
    """Make every later read on ``conn`` see one moment of the base, while others write."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    # SQLite: the read transaction that began with the connection's first statement already
    # holds one snapshot of the WAL until it ends.


def _readable(column: Column):
    """A column as it is read for copying and checksums: JSON as its stored text, so the
    target gets exactly the source's text (not a re-serialisation of the parsed value)."""
    return cast(column, Text) if isinstance(column.type, JSON) else column


def _rows(conn: Connection, table: Table) -> Iterator[tuple]:
    query = select(*(_readable(c) for c in table.c)).order_by(*table.primary_key.columns)
    # A connection that only reads here, so streaming (a server-side cursor on PostgreSQL) is
    # safe; the writes go to the other database.
    yield from conn.execute(query, execution_options={"stream_results": True, "yield_per": PAGE})


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    columns = [c.name for c in table.c]
    # A column pointing at its own table (a card merged into a later one) is filled in after
    # every row is there, so the foreign key never sees a row that is not written yet.
    self_refs = [c.name for c in table.c if any(fk.column.table is table for fk in c.foreign_keys)]
    convert = [_converter(dst, c) for c in table.c]
    later: list[dict] = []
    page: list[tuple] = []
    n = 0
    for row in _rows(src, table):
        values = [f(v) for f, v in zip(convert, row, strict=True)]
        if self_refs:
            refs = {name: values[columns.index(name)] for name in self_refs}
            if any(v is not None for v in refs.values()):
                later.append({"_pk": values[columns.index("id")], **refs})
                for name in self_refs:
                    values[columns.index(name)] = None
        page.append(tuple(values))
        if len(page) >= PAGE:
            insert_rows(dst, table, columns, page)
            n += len(page)
            page = []
    insert_rows(dst, table, columns, page)
    n += len(page)
    if later:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_pk"))
            .values({name: bindparam(name) for name in self_refs})
        )
        dst.execute(stmt, later)
    return n


def _converter(conn: Connection, column: Column) -> Callable:
    """How a value read through SQLAlchemy is handed to the target's driver: times in the
    form SQLite stores them, everything else as it is."""

    def keep(v):
        return v

    if isinstance(column.type, JSON | Text) or not hasattr(column.type, "python_type"):
        return keep
    try:
        py = column.type.python_type
    except NotImplementedError:
        return keep
    if py is datetime:
        return lambda v: None if v is None else timestamp(conn, v)
    return keep


def check_table(conn: Connection, table: Table) -> TableCheck:
    """Row count and checksum of a table, from any backend: values are put in one canonical
    text form (JSON text as stored, times in ISO form, booleans as 0/1) before hashing."""
    digest = hashlib.sha256()
    n = 0
    for row in _rows(conn, table):
        digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode())
        digest.update(b"\n")
        n += 1
    count = conn.execute(select(func.count()).select_from(table)).scalar_one()
    if count != n:  # cannot happen in one snapshot; a guard against a reader bug
        raise DatabaseError(f"table {table.name}: {count} rows counted, {n} read")
    return TableCheck(table.name, n, digest.hexdigest())


def _canonical(v):
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        return repr(v)
    return v
