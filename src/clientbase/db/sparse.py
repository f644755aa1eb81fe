"""Bulk inserts of sparse rows: only the columns some row fills are sent."""

from __future__ import annotations

from sqlalchemy import Connection, Table

from clientbase.db.bulk import insert_rows


def insert_filled(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple]
) -> None:
    """``insert_rows`` without the columns no row fills: a contact list fills a handful of the
    customer columns, and every bound NULL still costs the driver and the database. A column
    left out gets NULL, exactly what the rows held."""
    if not rows:
        return
    cols = list(zip(*rows, strict=True))  # transposed at C speed; count() too
    keep = [i for i, col in enumerate(cols) if col.count(None) != len(rows)]
    if len(keep) < len(columns):
        columns = tuple(columns[i] for i in keep)
        rows = list(zip(*(cols[i] for i in keep), strict=True))
    insert_rows(conn, table, columns, rows)
