"""Readers for tables: CSV/TSV text files and spreadsheets (.xlsx, .xls, .ods).

A reader yields ``Table`` objects: a header and an iterator of (row number, cells). Row numbers
are what a person sees in Excel or LibreOffice (the first line is row 1), so a reject report
points at the right place. Cells stay as read: text from CSV, typed values from spreadsheets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clientbase.errors import InputFileError
from clientbase.importers.header import find_header, rows_above
from clientbase.importers.sniff import (
    SAMPLE_BYTES,
    check_encoding,
    detect_encoding,
    sniff_delimiter,
)

HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in hand-made sheets

csv.field_size_limit(1 << 24)  # long notes in CRM exports exceed the default 128 KiB


@dataclass
class Table:
    name: str | None  # sheet name, None for a CSV
    header: list[str]
    header_row: int  # row number of the header line
    rows: Iterator[tuple[int, list]]  # (row number, cells) after the header
    encoding: str | None = None
    delimiter: str | None = None
    above: list[tuple[int, str]] = field(default_factory=list)  # non-empty rows over the header


def _cell_text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def read_csv(
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    header_score: Callable[[list[str]], int],
    on_progress: Callable[[int], None] | None = None,
) -> Table:
    enc = check_encoding(encoding) if encoding else detect_encoding(path)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=enc, newline="")
    try:
        sample = text.read(SAMPLE_BYTES)
    except UnicodeDecodeError as exc:
        raw.close()
        raise InputFileError(
            f"{path.name}: cannot decode as {enc}: {exc.reason}",
            hint="give the right --encoding (utf-8, cp1251, utf-16)",
        ) from exc
    delim = delimiter or sniff_delimiter(sample)
    if delim in ("\\t", "tab", "TAB"):
        delim = "\t"
    text.seek(0)
    reader = csv.reader(text, delimiter=delim)

    def numbered() -> Iterator[tuple[int, list]]:
        n = 0
        last_report = 0
        try:
            for cells in reader:
                n += 1
                if on_progress is not None and n - last_report >= 2000:
                    last_report = n
                    on_progress(raw.tell())
                yield n, cells
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{path.name}, row {n + 1}: cannot decode as {enc}: {exc.reason}",
                hint="give the right --encoding (utf-8, cp1251, utf-16)",
            ) from exc
        except csv.Error as exc:
            raise InputFileError(f"{path.name}, row {n + 1}: {exc}") from exc
        finally:
            raw.close()

    rows = numbered()
    first = []
    for item in rows:
        first.append(item)
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    if not first:
        raw.close()
        raise InputFileError(f"{path.name}: the file is empty")
    h = find_header(first, header_score)
    header = [_cell_text(c).lstrip("\ufeff") for c in first[h][1]]

    def body() -> Iterator[tuple[int, list]]:
        yield from first[h + 1 :]
        yield from rows

    return Table(
        name=None,
        header=header,
        header_row=first[h][0],
        rows=body(),
        encoding=enc,
        delimiter=delim,
        above=rows_above(first, h),
    )


def read_workbook(
    path: Path, *, sheet: str | None, header_score: Callable[[list[str]], int]
) -> list[Table]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InputFileError(
            f"{path.name}: cannot read the spreadsheet: {exc}",
            hint="is it a real .xlsx/.xls/.ods? re-save it from Excel or LibreOffice",
        ) from exc
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise InputFileError(
                f"{path.name}: there is no sheet {sheet!r}", hint=f"sheets: {', '.join(names)}"
            )
        names = [sheet]
    tables = []
    for name in names:
        ws = book.get_sheet_by_name(name)
        data = ws.to_python(skip_empty_area=True)
        if not data:
            continue
        # With skip_empty_area the data starts at the first used cell; keep real row numbers.
        row0 = ws.start[0] if ws.start else 0
        numbered = [(row0 + i + 1, list(cells)) for i, cells in enumerate(data)]
        h = find_header(numbered[:HEADER_SEARCH_ROWS], header_score)
        header = [_cell_text(c) for c in numbered[h][1]]
        tables.append(
            Table(
                name=name,
                header=header,
                header_row=numbered[h][0],
                rows=iter(numbered[h + 1 :]),
                above=rows_above(numbered, h),
            )
        )
    return tables
