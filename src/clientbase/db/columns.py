"""A large SELECT read straight into numpy columns, a block of rows at a time.

``pandas.read_sql`` first builds a Python object for every cell of the whole result and then
infers each column's type: on a million orders that is seconds and several hundred megabytes.
Here each block of rows is turned into typed arrays at once and let go, so the peak is one block
of Python objects plus the arrays; repeated texts (a manager, a channel) share one string.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Connection

BLOCK = 50_000
_SHARED_MAX = 100_000

INT, FLOAT, TIME, TEXT = "int", "float", "time", "text"


def read_columns(
    conn: Connection, query, kinds: Mapping[str, str], *, index_col: str | None = None
) -> pd.DataFrame:
    """The rows of ``query`` as a DataFrame. ``kinds`` gives each column's kind by its label:
    ``int`` (no NULLs), ``float`` (NULL is NaN), ``time`` (stored text or a datetime, parsed as
    ISO 8601 to microseconds, as pandas does; NULL is NaT) or ``text`` (Python strings, NULL is None)."""
    result = conn.execute(query)
    names = list(result.keys())
    parts: dict[str, list] = {n: [] for n in names}
    shared: dict[str, str] = {}
    # The driver's own cursor: plain tuples, without a result row object around each; the
    # columns are converted here anyway.
    cursor = result.cursor
    while rows := cursor.fetchmany(BLOCK):
        for name, cells in zip(names, zip(*rows, strict=True), strict=True):
            parts[name].append(column_values(cells, kinds.get(name, TEXT), shared))
    frame = pd.DataFrame(
        {n: _joined(p, kinds.get(n, TEXT)) for n, p in parts.items()}, columns=names
    )
    result.close()
    return frame.set_index(index_col) if index_col else frame


def column_values(cells, kind: str, shared: dict[str, str]):
    """One column's cells (a sequence of the driver's values) as an array of its kind; texts
    seen before in ``shared`` are shared."""
    if kind == INT:
        return np.fromiter(cells, np.int64, len(cells))
    if kind == FLOAT:
        return np.array(cells, dtype=np.float64)  # None becomes NaN
    if kind == TIME:
        try:  # numpy reads the stored ISO text (and naive datetimes) itself, three times faster
            return np.array(cells, dtype="datetime64[us]")
        except (ValueError, TypeError):  # anything else ISO 8601 allows
            return pd.to_datetime(pd.Series(cells, dtype=object), format="ISO8601").to_numpy(
                "datetime64[us]"
            )
    out = np.empty(len(cells), dtype=object)
    if len(shared) < _SHARED_MAX:
        out[:] = [shared.setdefault(c, c) if c is not None else None for c in cells]
    else:  # mostly different texts (names): sharing would only cost memory
        out[:] = cells
    return out


_EMPTY = {INT: np.int64, FLOAT: np.float64, TIME: "datetime64[us]", TEXT: object}


def _joined(parts: list, kind: str):
    if not parts:
        return np.empty(0, dtype=_EMPTY.get(kind, object))
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
