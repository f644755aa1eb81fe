"""Bulk writes for the import hot path: plain tuples straight to the driver.

Going through SQLAlchemy's per-row parameter processing costs more than the normalisation of a
row itself, so the importer hands plain tuples to the DBAPI here. SQLite gets one INSERT
(quoted by the dialect) run with ``executemany``. PostgreSQL gets ``COPY ... FROM STDIN``:
an INSERT per row costs the server a parse, a plan and an executor start each time, even
pipelined, and made a large import on PostgreSQL several times slower than on SQLite; COPY
streams the rows in one statement, inside the caller's transaction like the INSERT did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache, lru_cache
from typing import TypeVar

from sqlalchemy import Connection, ForeignKeyConstraint, Index, Table, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import AddConstraint, DropConstraint

T = TypeVar("T")

_PLACEHOLDERS = {
    "qmark": lambda i, name: "?",
    "format": lambda i, name: "%s",
    "numeric": lambda i, name: f":{i + 1}",
    "named": lambda i, name: f":{name}",
    "pyformat": lambda i, name: f"%({name})s",
}


@cache
def _insert_sql(table: Table, columns: tuple[str, ...], dialect) -> str:
    # Built from our own schema metadata (never from input), quoted by the dialect. Unlike a
    # compiled insert() it adds no default columns, so the tuples map one to one.
    return _insert_with_literals_sql(table, columns, (), dialect)


# An import's fixed values (its batch id, its time) make a statement of their own per import:
# bounded, so a long-lived process that runs many imports does not keep every one.
@lru_cache(maxsize=256)
def _insert_with_literals_sql(
    table: Table, columns: tuple[str, ...], literals: tuple[tuple[str, str], ...], dialect
) -> str:
    """INSERT of ``columns`` bound per row, then of ``literals`` (column, SQL literal) written
    into the statement."""
    prep = dialect.identifier_preparer
    ph = _PLACEHOLDERS[dialect.paramstyle]
    names = (*columns, *(c for c, _ in literals))
    values = (*(ph(i, c) for i, c in enumerate(columns)), *(v for _, v in literals))
    return (
        f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.quote(c) for c in names)}) "
        f"VALUES ({', '.join(values)})"
    )


_INT64 = 1 << 63


def sql_literal(value) -> str | None:
    """``value`` as an SQLite literal that stores exactly what binding it stores (same value,
    same ``typeof``), or None when it has none here and must be bound: only None, int and str
    (exactly those types: a bool or a str subclass is bound as before)."""
    if value is None:
        return "NULL"
    kind = type(value)
    if kind is int:
        # Outside 64 bits a literal turns REAL where a bound int raises: bind it.
        return str(value) if -_INT64 < value < _INT64 else None
    if kind is str:
        if "\x00" in value:  # the driver refuses a statement with a NUL in its text
            return None
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate: let the binding report it as before
            return None
        return "'" + value.replace("'", "''") + "'"
    return None


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple],
    fixed: Mapping[str, object] | None = None,
) -> None:
    """INSERT many rows given as tuples in the order of ``columns``, and in every row the
    values of ``fixed`` (column → value) in its other columns.

    On SQLite a fixed value goes into the statement's text as a literal when it has one (see
    ``sql_literal``): the driver binds each parameter of each row (~0.16 µs a value), and a
    value every row shares need not be bound a million times. Elsewhere, and for a value with
    no literal, it is appended to each row and sent as before."""
    if not rows:
        return
    cols = tuple(columns)
    literals: tuple[tuple[str, str], ...] = ()
    more: tuple = ()  # the fixed values sent with each row
    if fixed:
        bound = dict(fixed)
        if conn.dialect.name == "sqlite":
            literals = tuple((c, lit) for c, v in fixed.items() if (lit := sql_literal(v)))
            for c, _ in literals:
                del bound[c]
        cols = (*cols, *bound)
        more = tuple(bound.values())
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, cols, rows, more)
    else:
        if more:
            rows = [(*r, *more) for r in rows]
        sql = _insert_with_literals_sql(table, cols, literals, conn.dialect)
        if conn.dialect.paramstyle in ("named", "pyformat"):
            conn.exec_driver_sql(sql, [dict(zip(cols, r, strict=True)) for r in rows])
        else:
            conn.exec_driver_sql(sql, rows)
    if "id" in cols:  # (a literal id is SQLite's: no sequence to move there)
        sync_sequence(conn, table)


@cache
def _copy_sql(table: Table, columns: tuple[str, ...], dialect) -> str:
    prep = dialect.identifier_preparer
    return (
        f"COPY {prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)}) FROM STDIN"
    )


def _copy_rows(
    conn: Connection, table: Table, cols: tuple[str, ...], rows: list[tuple], more: tuple = ()
) -> None:
    """The rows (each followed by the values ``more``) through psycopg's COPY, in text form:
    each value goes through the server's input function for its column, as a parameter of
    unknown type does, so the tuples the INSERT took (ISO text for times, 0/1 for booleans,
    JSON as text) load the same."""
    import psycopg  # an optional extra: only ever loaded on PostgreSQL

    sql = _copy_sql(table, cols, conn.dialect)
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cur, cur.copy(sql) as copy:
            write = copy.write_row
            if more:
                for row in rows:
                    write((*row, *more))
            else:
                for row in rows:
                    write(row)
    except psycopg.Error as exc:
        # The same exception classes (IntegrityError, OperationalError with the SQLSTATE the
        # retry looks at) as a statement run through SQLAlchemy raises.
        raise DBAPIError.instance(
            sql, None, exc, psycopg.Error, dialect=conn.dialect, ismulti=True
        ) from exc


def update_rows(
    conn: Connection, table: Table, key: str, columns: Sequence[str], rows: list[tuple]
) -> None:
    """UPDATE many rows given as tuples ``(key value, *values in the order of columns)``; each
    key at most once.

    SQLite: one UPDATE run with ``executemany``. PostgreSQL: one statement for all the rows,
    joined to the values sent as one array per column (``unnest``): a round trip per row is
    what an update costs there, far more than the update itself."""
    if not rows:
        return
    cols = tuple(columns)
    if conn.dialect.name == "postgresql":
        sql = _update_from_arrays_sql(table, key, cols, conn.dialect)
        arrays = [list(col) for col in zip(*rows, strict=True)]
        if conn.dialect.paramstyle in ("named", "pyformat"):
            conn.exec_driver_sql(sql, {f"a{i}": a for i, a in enumerate(arrays)})
        else:
            conn.exec_driver_sql(sql, tuple(arrays))
        return
    sql = _update_sql(table, key, cols, conn.dialect)
    reordered = [(*r[1:], r[0]) for r in rows]
    if conn.dialect.paramstyle in ("named", "pyformat"):
        names = (*cols, key)
        conn.exec_driver_sql(sql, [dict(zip(names, r, strict=True)) for r in reordered])
    else:
        conn.exec_driver_sql(sql, reordered)


@cache
def _update_sql(table: Table, key: str, columns: tuple[str, ...], dialect) -> str:
    prep = dialect.identifier_preparer
    ph = _PLACEHOLDERS[dialect.paramstyle]
    sets = ", ".join(f"{prep.quote(c)} = {ph(i, c)}" for i, c in enumerate(columns))
    return (
        f"UPDATE {prep.format_table(table)} SET {sets} "
        f"WHERE {prep.quote(key)} = {ph(len(columns), key)}"
    )


@cache
def _update_from_arrays_sql(table: Table, key: str, columns: tuple[str, ...], dialect) -> str:
    prep = dialect.identifier_preparer
    ph = _PLACEHOLDERS[dialect.paramstyle]
    names = (key, *columns)
    # Each array cast to its column's type, so a list of None or of text loads as the column.
    arrays = ", ".join(
        f"{ph(i, f'a{i}')}::{table.c[c].type.compile(dialect=dialect)}[]"
        for i, c in enumerate(names)
    )
    sets = ", ".join(f"{prep.quote(c)} = v.{prep.quote(c)}" for c in columns)
    t = prep.format_table(table)
    return (
        f"UPDATE {t} SET {sets} FROM unnest({arrays}) "
        f"AS v({', '.join(prep.quote(c) for c in names)}) "
        f"WHERE {t}.{prep.quote(key)} = v.{prep.quote(key)}"
    )


def sync_sequence(conn: Connection, table: Table) -> None:
    """After rows were inserted with ids we chose, move the table's id sequence past them, so
    the next insert that lets the database pick an id does not take one of ours. PostgreSQL
    only: SQLite picks max(id) + 1 by itself."""
    if conn.dialect.name != "postgresql":
        return
    name = conn.dialect.identifier_preparer.format_table(table)
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
        f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
    )


def timestamp(conn: Connection, dt: datetime):
    """A DateTime value as the driver should receive it: SQLite stores SQLAlchemy's text form."""
    if conn.dialect.name == "sqlite":
        return dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    return dt


def next_id(conn: Connection, table: Table) -> int:
    """First free primary key. Only safe inside a transaction that already holds the write lock
    (the importer's first statement is a write), so no other writer can take the same ids."""
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


@contextmanager
def indexes_deferred(
    conn: Connection,
    indexes: Sequence[Index],
    foreign_keys: Sequence[ForeignKeyConstraint] = (),
) -> Iterator[None]:
    """Drop these indexes (and, on PostgreSQL, these foreign keys) for a bulk load into empty
    tables and build them once at the end: sorting a million keys once is several times cheaper
    than a million random B-tree inserts, and one join that validates a foreign key is cheaper
    than a look-up per inserted row. Inside the caller's transaction, so a failed or
    interrupted load gets them back with the rollback (DDL is transactional on both).

    The definitions come from the schema metadata, the one the migrations create, so what is
    built at the end is what a migrated base has.

    SQLite: a reader never waits for the writer (WAL) and goes on seeing the indexes as they
    were; its foreign keys cannot be dropped and are cheap to check, so they stay. PostgreSQL:
    ``DROP INDEX`` and ``DROP CONSTRAINT`` lock the tables (ACCESS EXCLUSIVE, and the tables
    the keys refer to) until the import commits, so a reader of those tables waits for the
    load, the way ``pg_restore`` loads. Only for a first load, when there is nothing to read."""
    if conn.dialect.name != "postgresql":
        foreign_keys = ()
    for fk in foreign_keys:
        conn.execute(DropConstraint(fk))
    for ix in indexes:
        ix.drop(conn)
    yield
    for ix in indexes:
        ix.create(conn)
    for fk in foreign_keys:
        conn.execute(AddConstraint(fk))  # validates every row in one pass


def analyzed_as_they_grow(conn: Connection, columns: Sequence, chunks: Iterable[T]) -> Iterator[T]:
    """Pass the chunks of a load through, and on PostgreSQL ANALYZE these columns after the
    1st, 2nd, 4th, 8th... chunk has been written (the next one is asked for once it is).

    The load reads back what it wrote (the contact points of the customers a chunk may
    match). Without statistics the planner takes ``customer_id = ANY(array)`` to match 0.5 %
    of the table per value, so a look-up of a few hundred customers became a scan of the whole
    table, for every chunk: the load grew quadratic (30 s of the server's CPU for a million
    rows). Autovacuum cannot help: the rows are not committed, and a first load holds the
    tables' locks. ANALYZE in the load's own transaction samples its rows; only the columns
    looked up (a whole table's columns cost four times as much), and doubling the size between
    runs keeps the cost to a couple of samples of the final table. SQLite plans with its
    indexes whatever the statistics say: nothing to do there."""
    if conn.dialect.name != "postgresql":
        yield from chunks
        return
    prep = conn.dialect.identifier_preparer
    by_table: dict[Table, list[str]] = {}
    for col in columns:
        by_table.setdefault(col.table, []).append(prep.quote(col.name))
    sql = "ANALYZE " + ", ".join(
        f"{prep.format_table(t)} ({', '.join(cols)})" for t, cols in by_table.items()
    )
    for n, chunk in enumerate(chunks, 1):
        yield chunk
        if n & (n - 1) == 0:
            conn.exec_driver_sql(sql)


@cache
def _select_sql(
    table: Table, columns: tuple[str, ...], key: str, n: int, dialect, equal: tuple[str, ...] = ()
) -> str:
    prep = dialect.identifier_preparer
    ph = _PLACEHOLDERS[dialect.paramstyle]
    head = (
        f"SELECT {', '.join(prep.quote(c) for c in columns)} FROM {prep.format_table(table)} "
        f"WHERE {prep.quote(key)} "
    )
    base = max(n, 1)  # the places after the key values (an array is one place)
    also = "".join(f" AND {prep.quote(c)} = {ph(base + j, f'e{j}')}" for j, c in enumerate(equal))
    if n == 0:  # PostgreSQL: the values as one array parameter
        return head + f"= ANY({ph(0, 'k0')}){also}"
    return head + f"IN ({', '.join(ph(i, f'k{i}') for i in range(n))}){also}"


# PostgreSQL takes the values of one look-up as a single array: one statement, one plan, one
# round trip for this many values.
ARRAY_PAGE = 50_000


def select_where_in(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: list,
    size: int = 500,
    *,
    equal: Mapping[str, object] | None = None,
) -> Iterator[tuple]:
    """Rows (as tuples) whose ``key`` column is one of ``values``, ``size`` values a query
    (and whose columns in ``equal`` hold those values).

    The IN list always has ``size`` places (the last chunk repeats its last value), so there is
    one statement to prepare, not one per list length. PostgreSQL gets ``key = ANY(array)``
    with up to ARRAY_PAGE values a query instead."""
    cols = tuple(columns)
    fixed = tuple((equal or {}).items())
    on_pg = conn.dialect.name == "postgresql"
    sql = _select_sql(
        table, cols, key, 0 if on_pg else size, conn.dialect, tuple(c for c, _ in fixed)
    )
    named = conn.dialect.paramstyle in ("named", "pyformat")
    page = ARRAY_PAGE if on_pg else size
    # The driver's own cursor, in the connection's transaction: plain tuples, without a result
    # object and a row object each (a third of the time on a listing of 200,000 customers).
    cursor = conn.connection.cursor()
    try:
        for i in range(0, len(values), page):
            part = list(values[i : i + page])
            if on_pg:
                part = [part]
            else:
                part = part + [part[-1]] * (size - len(part))
            if named:
                params = {f"k{j}": v for j, v in enumerate(part)}
                params.update({f"e{j}": v for j, (_, v) in enumerate(fixed)})
            else:
                params = (*part, *(v for _, v in fixed))
            cursor.execute(sql, params)
            yield from cursor.fetchall()
    finally:
        cursor.close()


def stream(conn: Connection, query, size: int = 20_000):
    """Rows of a large SELECT, for a connection that goes on writing.

    SQLite: fetched ``size`` rows at a time. PostgreSQL: the client-side cursor receives the
    whole result at once. Streaming there needs a server-side (named) cursor, and psycopg
    refuses ``executemany`` and plain statements on a connection whose server-side cursor is
    open, so an import could not write. The options go on the statement, never on ``conn``:
    ``Connection.execution_options`` would change the connection for every later statement."""
    if conn.dialect.name == "sqlite":
        return conn.execute(query, execution_options={"yield_per": size})
    return conn.execute(query)


def read_frame(conn: Connection, query, *, index_col: str | None = None):
    """A SELECT's rows as a pandas DataFrame, the columns named as the query labels them.

    SQLite: ``pandas.read_sql``. PostgreSQL: the driver's rows taken straight from its cursor
    (psycopg has already made them Python values of the right type), without a SQLAlchemy row
    object per row in between: for a million orders that is seconds of CPU saved."""
    import pandas as pd  # ~0.4 s to import: only for the analyses that read a frame

    if conn.dialect.name != "postgresql":
        return pd.read_sql(query, conn, index_col=index_col)
    result = conn.execute(query)
    try:
        names = list(result.keys())
        rows = result.cursor.fetchall()
    finally:
        result.close()
    frame = pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
    return frame.set_index(index_col) if index_col is not None else frame
