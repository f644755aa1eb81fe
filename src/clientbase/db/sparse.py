"""Bulk inserts of sparse rows: only the columns some row fills are sent."""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter

from sqlalchemy import Connection, Table

from clientbase.db.bulk import insert_rows


def insert_filled(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: list[tuple],
    fixed: Mapping[str, object] | None = None,
) -> None:
    """``insert_rows`` without the columns no row fills: a contact list fills a handful of the
    customer columns, and every bound NULL still costs the driver and the database. A column
    left out gets NULL, exactly what the rows held. ``fixed``: as ``insert_rows`` takes it,
    columns with one value for every row, not in the tuples (and not looked through here)."""
    if not rows:
        return
    n = len(rows)
    # A column at a time at C speed: any() stops at the first filled value, count() only runs
    # through a column with nothing truthy in it.
    keep = [
        i
        for i in range(len(columns))
        if any(map(itemgetter(i), rows)) or list(map(itemgetter(i), rows)).count(None) != n
    ]
    if len(keep) < len(columns):
        columns = tuple(columns[i] for i in keep)
        pick = itemgetter(*keep)
        rows = list(map(pick, rows)) if len(keep) > 1 else [(pick(r),) for r in rows]
    insert_rows(conn, table, columns, rows, fixed)
