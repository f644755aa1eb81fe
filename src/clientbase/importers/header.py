"""Which of a table's first rows is the header.

Hand-made sheets and exports put a title, a date or a blank line above the header ("Контакти
клієнтів на 01.03.2024"), and a data row can contain words that are also header names ("E-Mail"
in a type column, "Телефон", "Клиент"). The header is the row that names the most columns and
does not look like data: a cell holding an address, a phone number, a date or an amount speaks
against its row being the header. Rows above the header are returned to the caller, which
reports them instead of dropping them silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.\w+")
_NUMBERISH = re.compile(r"[\d\s()+\-./:,]+")
_LONGEST_NAME = 200  # characters; real column names are far shorter


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def looks_like_value(cell) -> bool:
    """A cell that is data, never a column name: a number, a date, a phone, an address."""
    if cell is None:
        return False
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    if not isinstance(cell, str):
        return True  # a date or time from a spreadsheet
    t = cell.strip()
    if not t:
        return False
    if len(t) > _LONGEST_NAME:
        return True  # a paragraph, not a column name (and the patterns below stay linear)
    if "@" in t and _EMAIL.search(t):
        return True
    return bool(_NUMBERISH.fullmatch(t)) and sum(c.isdigit() for c in t) >= 2


def header_row_score(cells: list, score: Callable[[list[str]], int]) -> int:
    known = score([_text(c) for c in cells])
    values = sum(1 for c in cells if looks_like_value(c))
    return known - 2 * values


def find_header(first_rows: list[tuple[int, list]], score: Callable[[list[str]], int]) -> int:
    """Index in ``first_rows`` of the header row.

    The row that names the most known columns wins, each data-looking cell counting against
    it; on a tie the earlier row. When no row names a known column, the first row with at least
    two cells and no data-looking cell, else the first non-empty row."""
    best_index, best = None, 0
    for i, (_, cells) in enumerate(first_rows):
        s = header_row_score(cells, score)
        if s > best:
            best_index, best = i, s
    if best_index is not None:
        return best_index
    for i, (_, cells) in enumerate(first_rows):
        texts = [_text(c) for c in cells if _text(c)]
        if len(texts) >= 2 and not any(looks_like_value(c) for c in cells):
            return i
    for i, (_, cells) in enumerate(first_rows):
        if any(_text(c) for c in cells):
            return i
    return 0


def rows_above(first_rows: list[tuple[int, list]], index: int) -> list[tuple[int, str]]:
    """The non-empty rows above the header, as (row number, their text joined)."""
    out = []
    for row, cells in first_rows[:index]:
        texts = [_text(c) for c in cells if _text(c)]
        if texts:
            out.append((row, " | ".join(texts)))
    return out
