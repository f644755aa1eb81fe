"""The database's half of ``db.joined``: a SELECT's columns joined into one row of long texts,
without pandas, so that a command can start the read on a thread of its own while it is still
importing what parses them (``services.report_prefetch``)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, String, func, select, type_coerce

from clientbase.db.dialect import (
    joined_floats_or_nan,
    joined_ints,
    joined_micros,
    joined_texts,
)

# The kinds of db.columns (INT, FLOAT, TIME, TEXT), which imports pandas.
_INT, _FLOAT, _TIME, _TEXT = "int", "float", "time", "text"


def _joined_times(column, dialect: str):
    """A time column (NOT NULL) joined: on SQLite the stored texts themselves, which numpy
    parses (``db.joined``), 0.15 s less per million rows than SQLite turning each into a
    number first (``joined_micros``); elsewhere those numbers."""
    if dialect == "sqlite":
        return func.group_concat(type_coerce(column, String))
    return joined_micros(column, dialect)


_JOINED = {_INT: joined_ints, _FLOAT: joined_floats_or_nan, _TIME: _joined_times,
           _TEXT: joined_texts}  # fmt: skip


def fetch_joined(conn: Connection, query, kinds: Mapping[str, str]) -> tuple:
    """The texts of ``query``'s columns (by their labels, of the kinds ``kinds`` gives), in
    their order, then the number of rows: what ``db.joined.frame_of_joined`` parses."""
    sub = query.subquery()
    dialect = conn.dialect.name
    names = list(sub.c.keys())
    return tuple(
        conn.execute(
            select(*(_JOINED[kinds[n]](sub.c[n], dialect) for n in names), func.count())
        ).one()
    )
