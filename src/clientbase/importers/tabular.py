"""Readers for tables: CSV/TSV text files and spreadsheets (.xlsx, .xls, .ods).

A reader yields ``Table`` objects: a header and an iterator of (row number, cells). Row numbers
are what a person sees in Excel or LibreOffice (the first line is row 1), so a reject report
points at the right place. Cells stay as read: text from CSV, typed values from spreadsheets.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from clientbase.errors import InputFileError
from clientbase.i18n import _, ngettext
from clientbase.importers.archive import DESCRIPTIONS, inspect_zip, verify_sizes
from clientbase.importers.csvtext import CsvText, ReadSummary
from clientbase.importers.header import find_header, rows_above
from clientbase.importers.sniff import check_encoding, head_encoding, sniff_delimiter
from clientbase.importers.source import Source

HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in hand-made sheets


@dataclass
class Table:
    name: str | None  # sheet name, None for a CSV
    header: list[str]
    header_row: int  # row number of the header line
    rows: Iterator[tuple[int, list]]  # (row number, cells) after the header
    encoding: str | None = None
    delimiter: str | None = None
    # A CSV's reader: its notes and line counts once read (or, read by another process, those).
    text: CsvText | ReadSummary | None = None
    above: list[tuple[int, str]] = field(default_factory=list)  # non-empty rows over the header


def _cell_text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def header_cells(cells: list) -> list[str]:
    """A CSV's header as the import maps it (a byte-order mark left on the first cell off)."""
    return [_cell_text(c).lstrip("\ufeff") for c in cells]


def read_csv(
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    header_score: Callable[[list[str]], int],
    on_progress: Callable[[int], None] | None = None,
    source: Source | None = None,
) -> Table:
    """The table of a CSV/TSV file. Given a ``source``, its head and hash are reused, so the file
    is read from disk once."""
    src = source or Source(path)
    head = src.head
    enc = check_encoding(encoding) if encoding else head_encoding(head)
    sample = head.decode(enc, errors="replace")
    if not encoding and enc == "utf-8":
        sample = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head)
    delim = delimiter or sniff_delimiter(sample)
    if delim in ("\\t", "tab", "TAB"):
        delim = "\t"
    stream = src.stream()
    text = CsvText(path.name, stream, head, enc if encoding else None, delim)
    reader = text.rows_iter()

    def numbered() -> Iterator[tuple[int, list]]:
        last_report = 0
        try:
            if on_progress is None:  # nothing to count: no Python step of its own per row
                yield from reader
                return
            for n, cells in reader:
                if n - last_report >= 2000:
                    last_report = n
                    on_progress(src.bytes_read)
                yield n, cells
        finally:
            stream.close()

    rows = numbered()
    first = []
    blank = 0
    for item in rows:
        if not first and not any(_cell_text(c) for c in item[1]):
            blank += 1  # blank lines above everything are not a header candidate
            continue
        first.append(item)
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    if not first:
        stream.close()
        if blank:
            raise InputFileError(
                ngettext(
                    "{file}: the file is empty (only {n} blank line)",
                    "{file}: the file is empty (only {n} blank lines)",
                    blank,
                ).format(file=path.name, n=f"{blank:,}")
            )
        raise InputFileError(_("{file}: the file is empty").format(file=path.name))
    h = find_header(first, header_score)
    header = header_cells(first[h][1])

    def body() -> Iterator[tuple[int, list]]:
        yield from first[h + 1 :]
        yield from rows

    return Table(
        name=None,
        header=header,
        header_row=first[h][0],
        rows=body(),
        encoding=text.encoding,
        delimiter=delim,
        text=text,
        above=rows_above(first, h),
    )


def read_workbook(
    path: Path,
    *,
    sheet: str | None,
    header_score: Callable[[list[str]], int],
    source: Source | None = None,
) -> list[Table]:
    """The tables of a workbook, one per sheet with data. Zip-based workbooks are checked for
    decompression bombs from their declared sizes before anything is unpacked."""
    src = source or Source(path)
    data = src.read_all()
    if data.startswith(b"PK\x03\x04") and not src.archive_checked:
        info = inspect_zip(data)
        if info.bomb is not None:
            raise InputFileError(
                _("{file}: refused: {reason}").format(file=path.name, reason=info.bomb),
                hint=_(
                    "if the file is genuine, open it in Excel or LibreOffice and save it as CSV"
                ),
            )
        if info.problem is None and info.kind not in ("xlsx", "xlsb", "ods"):
            raise InputFileError(
                _("{file} is {what}, not a spreadsheet").format(
                    file=path.name, what=_(DESCRIPTIONS[info.kind])
                ),
                hint=_("save the table as .xlsx or CSV and import that"),
            )
        problem = info.problem or verify_sizes(data)
        if problem is not None:
            raise InputFileError(
                _("{file}: cannot read the spreadsheet: {problem}").format(
                    file=path.name, problem=problem
                ),
                hint=_("re-save it from Excel or LibreOffice, or export it again"),
            )
        src.archive_checked = True  # planning checked it; the import reads the same bytes
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InputFileError(
            _("{file}: cannot read the spreadsheet: {problem}").format(
                file=path.name, problem=_calamine_reason(exc)
            ),
            hint=_("is it a real .xlsx/.xls/.ods? re-save it from Excel or LibreOffice"),
        ) from exc
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise InputFileError(
                _("{file}: there is no sheet {sheet}").format(file=path.name, sheet=repr(sheet)),
                hint=_("sheets: {names}").format(names=", ".join(names)),
            )
        names = [sheet]
    tables = []
    for name in names:
        try:
            ws = book.get_sheet_by_name(name)
            data = ws.to_python(skip_empty_area=True)
        except Exception as exc:  # a damaged sheet inside a readable workbook
            raise InputFileError(
                _("{file}, sheet {sheet}: cannot read it: {problem}").format(
                    file=path.name, sheet=repr(name), problem=_calamine_reason(exc)
                ),
                hint=_("re-save the file from Excel or LibreOffice"),
            ) from exc
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


def _calamine_reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
