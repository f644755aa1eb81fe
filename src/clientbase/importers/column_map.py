"""How a file's columns map to contact fields: the result of reading a header (see
importers.mapping, which builds it) and the cell-to-text rule every reader shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from clientbase.importers.rawrow import header_keys

IGNORE = "ignore"


@dataclass(frozen=True)
class ColumnMap:
    field: str  # a FIELDS name, or IGNORE
    label: str | None = None
    label_column: int | None = None  # Google: the column holding this value's label


@dataclass
class Mapping:
    header: list[str]
    columns: dict[int, ColumnMap] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    _raw_keys: list[str] = field(default_factory=list, repr=False)

    def raw_keys(self, width: int) -> list[str]:
        """Names for the cells of a row in the raw record: the header, made unique, and
        "column N" where the header is empty or the row is wider than the header."""
        if len(self._raw_keys) < width:
            self._raw_keys = header_keys(self.header, width)
        return self._raw_keys

    def describe(self) -> dict[str, str]:
        """{column: field} for the summary and --dry-run (repeated headers told apart)."""
        keys = self.raw_keys(len(self.header))
        return {keys[i]: c.field for i, c in sorted(self.columns.items())}


def cell_to_text(value) -> str:
    """Spreadsheet cells come typed: keep numbers readable (79161234567.0 -> 79161234567)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
