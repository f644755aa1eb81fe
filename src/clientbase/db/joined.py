"""A large SELECT of numbers and times read as one row of long texts, a column each, parsed
by numpy.

Fetching a million rows as Python tuples and turning them into columns costs seconds (the
driver makes an object per cell, then each column is gathered from the tuples). Asked to join
each column's values into one text (``db.dialect``: ``joined_ints`` …), the database sends a
handful of long strings instead, which numpy reads at once. All the columns are aggregates of
the same scan, so their values line up row by row. A text column (a manager: few distinct
values) comes as one text split once, each value shared by the rows that have it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from clientbase.db.columns import FLOAT, INT, TEXT, TIME, read_columns
from clientbase.db.dialect import TEXT_SEPARATOR
from clientbase.db.joined_sql import fetch_joined

_DTYPE = {INT: np.int64, FLOAT: np.float64, TIME: np.int64}


def read_joined(conn: Connection, query, kinds: Mapping[str, str]) -> pd.DataFrame | None:
    """The rows of ``query`` as a DataFrame, in the order the database scanned them (the
    caller sorts them when it matters). ``kinds`` gives each column's kind by its label:
    ``int`` and ``time`` without NULLs, ``float`` (NULL is NaN), ``text`` (NULL is None); a
    time comes to the microsecond, as ``db.columns.read_columns`` reads it. None when a text
    holds ``TEXT_SEPARATOR``: the caller reads the rows with ``read_columns`` instead."""
    texts = fetch_joined(conn, query, kinds)
    return frame_of_joined(query, kinds, texts, conn.dialect.name)


def frame_of_joined(query, kinds: Mapping[str, str], texts: tuple, dialect: str):
    """The DataFrame (or None) ``read_joined`` makes of the texts ``fetch_joined`` gave for
    ``query`` on ``dialect``."""
    names = list(query.subquery().c.keys())
    n = texts[-1]
    columns = {}
    for name, text in zip(names, texts[:-1], strict=True):
        kind = kinds[name]
        if kind == TEXT:
            values = _texts(text, n)
            if values is None:
                return None
            columns[name] = values
            continue
        if not n:
            values = np.zeros(0, _DTYPE[kind])
        elif kind == FLOAT:
            values = floats_read(text, dialect)
        elif kind == TIME and dialect == "sqlite":
            values = _times_of(text)
        else:
            values = np.fromstring(text, dtype=_DTYPE[kind], sep=",")
        if len(values) != n:  # not expected: a value the text could not carry
            raise ValueError(f"{name}: {len(values)} values read of {n}")
        columns[name] = values.astype("datetime64[us]", copy=False) if kind == TIME else values
    return pd.DataFrame(columns, columns=names)


def read_typed(conn: Connection, query, kinds: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``query`` as a DataFrame: as joined texts (``read_joined``) when they can
    carry them, else row by row (``db.columns.read_columns``): when a text holds the
    separator, or the texts outgrow what the database builds (a gigabyte: some fifty million
    orders)."""
    try:
        frame = read_joined(conn, query, kinds)
    except DBAPIError:
        conn.rollback()
        frame = None
    return read_columns(conn, query, kinds) if frame is None else frame


_pandas_version = tuple(int(p) for p in pd.__version__.split(".")[:2])
# pandas 3.1 reads every float to the nearest double whatever it is asked; before, only its
# "round_trip" converter did.
_EXACT = {} if _pandas_version >= (3, 1) else {"float_precision": "round_trip"}


def floats_of(text: str) -> np.ndarray:
    """Comma-separated floats (``nan`` or ``NaN`` for none) as float64, each the double
    Python's ``float`` reads: through pandas' CSV reader, three times faster than numpy's
    ``fromstring`` (a quarter of a second for a million amounts)."""
    frame = pd.read_csv(
        io.StringIO(text.replace(",", "\n")), header=None, dtype=np.float64, engine="c", **_EXACT
    )
    return frame[0].to_numpy()


def floats_read(text: str, dialect: str) -> np.ndarray:
    """The floats of a column ``db.dialect.joined_floats`` (or ``joined_floats_or_nan``) has
    joined on ``dialect``, each the double the database holds. On SQLite a value is its
    hundredths (whole kopecks: a whole number, divided by 100 here as SQLite checked it) or,
    after a ``~``, its own text; elsewhere its own text."""
    if dialect != "sqlite":
        return floats_of(text)
    if "~" not in text:  # every value in whole hundredths: numbers numpy reads at once
        return np.fromstring(text, dtype=np.int64, sep=",") / 100
    # The hundredths read as floats (exact, or rounded as int64 -> float64 rounds them), the
    # others as their own text; then the hundredths divided by 100. No Python string per
    # value: a column of NULL margins is a million of "~nan".
    values = floats_of(text.replace("~", ""))
    marks = text.count("~")
    if marks == len(values):
        return values
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    own = np.zeros(len(values), dtype=bool)
    own[np.searchsorted(np.flatnonzero(raw == ord(",")), np.flatnonzero(raw == ord("~")))] = True
    return np.where(own, values, values / 100)


def _times_of(text: str) -> np.ndarray:
    """Comma-separated stored times (``YYYY-MM-DD HH:MM:SS[.ffffff]``, naive) as
    ``datetime64[us]``, the instants ``db.columns.read_columns`` reads of them."""
    width = text.find(",") if "," in text else len(text)
    if width and (len(text) + 1) % (width + 1) == 0 and text.isascii():
        # All written alike (the base writes them so): numpy parses them where they lie in
        # the text, no Python string each (half the time); the same parse, so the same instants.
        rows = np.frombuffer(
            (text + ",").encode("ascii"), dtype=[("time", f"S{width}"), ("comma", "S1")]
        )
        if (rows["comma"] == b",").all():
            return rows["time"].astype("datetime64[us]")
    return np.array(text.split(","), dtype="datetime64[us]")


def _texts(text: str | None, n: int):
    parts = text.split(TEXT_SEPARATOR) if n else []
    if len(parts) != n:
        return None
    # One string per distinct value, shared by the rows: "" is NULL, else "=" + the text.
    seen: dict[str, str | None] = {}
    values = np.empty(n, dtype=object)
    values[:] = [seen[p] if p in seen else seen.setdefault(p, p[1:] if p else None) for p in parts]
    return values
