"""The raw record of an input row as ``import_rows.raw`` keeps it: one home for its format.

Every row of a batch is kept exactly as read (for ``imports show``, the rejected rows, undo and
erasure). Two forms, both JSON text:

- a row of a table (CSV, workbook) that became a customer, or an order line read a column at a
  time (``orders_columns``): its cells in column order, ``["Павел Серов","89628633409","",
  "Москва"]``, an empty cell as ``""`` and the empty cells at the end left out. The column
  names are stored once with the batch (``raw_header`` in the batch's options, per sheet)
  instead of on every row, where they were about half the bytes of the biggest table of an
  imported base;
- everything else (rejected rows, vCards, call logs, order lines read row by row, manual
  entries, and every row written before the cells form existed): a JSON object
  ``{column: value}`` of the non-empty cells, or a list of such objects.

A value is JSON-escaped the same way in both forms, so a search for a person's values in the raw
text (``contacts forget``) finds them in either.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring  # how json.dumps(ensure_ascii=False) writes a text

to_json = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: dumps() rebuilds it per call
# What encode_basestring writes otherwise than as it is: a quote, a backslash, a control char.
_ESCAPED = re.compile(r'[\x00-\x1f\\"]')


def header_keys(header: list[str], width: int) -> list[str]:
    """Names for the first ``width`` cells of a row: the header, made unique, and "column N"
    where the header is empty or the row is wider than the header. A row's names do not depend
    on how wide other rows are (the first k names of a wider row are those of a k-cell row)."""
    keys, seen = [], set()
    for i in range(width):
        key = header[i] if i < len(header) and header[i] else f"column {i + 1}"
        if key in seen:
            key = f"{key} ({i + 1})"
        seen.add(key)
        keys.append(key)
    return keys


def object_text(raw: dict) -> str:
    """``to_json(raw)`` for a record of text cells under text keys, at half the cost: the JSON
    encoder's general machinery (type checks, circular-reference bookkeeping) is most of the
    time for a small dict of strings. Anything else (a number, a list) takes ``to_json``."""
    enc = encode_basestring
    try:
        return "{" + ", ".join([enc(k) + ": " + enc(v) for k, v in raw.items()]) + "}"
    except TypeError:  # not text: the encoder knows what to write
        return to_json(raw)


def cells_text(cells: list[str]) -> str:
    """The cells form of a row of text cells (see the module docstring)."""
    n = len(cells)
    while n and not cells[n - 1]:
        n -= 1
    return "[" + ",".join([encode_basestring(c) for c in cells[:n]]) + "]"


def needs_escape(text: str) -> bool:
    """Whether ``encode_basestring`` writes any of the text otherwise than as it is. A text
    with no control character, as ``str.isprintable`` tells in a C loop faster than the regex
    engine scans, needs it only for a quote or a backslash; a text that is not printable (a
    control character, but also a no-break space or another such) is asked the regex."""
    if text.isprintable():
        return '"' in text or "\\" in text
    return _ESCAPED.search(text) is not None


def cells_texts(cols: list[list[str]]) -> list[str]:
    """``cells_text`` of each row of a chunk given a column at a time (text cells, every column
    as long): each column is encoded with one ``map``, the rows joined from those pieces."""
    if not cols:
        return []
    # Most columns have nothing JSON escapes: their texts go in as they are, between the
    # quotes the row's join puts around every cell; only a column with something to escape is
    # encoded cell by cell (the quotes encode_basestring adds taken off again).
    inner = [
        col if not needs_escape("".join(col)) else [encode_basestring(c)[1:-1] for c in col]
        for col in cols
    ]
    rows = ['["' + '","'.join(r) + '"]' for r in zip(*inner, strict=True)]
    if "" in cols[-1]:
        # An empty last cell: left out, with the empty cells before it. A row that ends in
        # ',""]' ends in an empty cell (a quote inside a text is always escaped).
        for i, last in enumerate(cols[-1]):
            if not last:
                text = rows[i]
                while text.endswith(',""]'):
                    text = text[:-4] + "]"
                rows[i] = "[]" if text == '[""]' else text
    return rows


def read_raw(text: str, header: list[str] | None = None) -> dict | list:
    """A stored raw record as ``{column: value}`` of its non-empty cells (a manual entry: the
    list of its records). ``header``: the batch's column names for the row's sheet, for the
    cells form; without them the cells are named "column N"."""
    data = json.loads(text)
    if isinstance(data, list) and all(isinstance(v, str) for v in data):
        keys = header_keys(header or [], len(data))
        return {k: v for k, v in zip(keys, data, strict=True) if v}
    return data


def batch_headers(options: dict | None) -> dict[str, list[str]]:
    """The column names a batch stored for its rows in the cells form, by sheet ("" for a
    CSV); empty for a batch that has none (written before the cells form, or not a table)."""
    return (options or {}).get("raw_header") or {}
