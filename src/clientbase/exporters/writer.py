"""Streaming file writers for exports: CSV/TXT with the preset's delimiter and encoding, XLSX via
openpyxl's write-only mode; split into parts at a row or byte limit; each part's sha256.

Rows are written as they come, so a million-row export never sits in memory. Parts are written
under a temporary name and renamed when the export is complete, so a failed export leaves no
half file behind that could be uploaded by mistake. When a file has to be split, every part gets
a number (``audience-part1.csv``, ``audience-part2.csv``, ...): a lone ``audience.csv`` next to
``audience-part2.csv`` would look like the whole list.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

_FLUSH_BYTES = 1 << 16
_BATCH = 4096  # rows encoded at once


@dataclass
class FileInfo:
    path: Path
    rows: int  # data rows, without the header
    bytes: int
    sha256: str


def part_path(path: Path, n: int) -> Path:
    return path.with_name(f"{path.stem}-part{n}{path.suffix}")


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def encode_rows(
    rows: list[list[str]], delimiter: str, encoding: str
) -> tuple[bytes, list[int], int]:
    """CSV bytes of ``rows``, where each row ends in them, and how many characters the encoding
    could not hold (written as "?"). ``encoding`` must write no BOM (see ``TextWriter``).

    Hashes and digits never need quoting, and joining them is ten times cheaper than the csv
    module, so the csv module only writes rows when some value needs it (a delimiter, quote or
    line break in it; a lone empty value, which it writes as "")."""
    d = delimiter
    flat = "\x00".join(map("\x00".join, rows))
    if d in flat or '"' in flat or "\n" in flat or "\r" in flat or any(r == [""] for r in rows):
        line = _Lines()
        w = csv.writer(line, delimiter=d, lineterminator="\n")
        lines = []
        for r in rows:
            w.writerow(r)
            lines.append(line.text)
    else:
        lines = [d.join(r) + "\n" for r in rows]
    text = "".join(lines)
    replaced = 0
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        replaced = sum(1 for ch in text if not _encodable(ch, encoding))
        data = text.encode(encoding, "replace")
    if len(data) == len(text):  # one byte a character: lengths carry over
        sizes = map(len, lines)
    else:
        sizes = (len(x.encode(encoding, "replace")) for x in lines)
    return data, list(accumulate(sizes)), replaced


class _Lines:
    """A file-like target for csv.writer that keeps the last line written."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


class TextWriter:
    """CSV (or TXT: one value per line, no header) in parts of at most ``max_rows`` data rows and
    ``max_bytes`` bytes (0 = no limit)."""

    def __init__(
        self, path: Path, *, header: list[str] | None, delimiter: str = ",",
        encoding: str = "utf-8", max_rows: int = 0, max_bytes: int = 0,
    ) -> None:  # fmt: skip
        self.path = path
        # A BOM goes once at the start of each part, never before every line as the -sig codec
        # would write it when each line is encoded on its own.
        self.encoding, self._bom = split_bom(encoding)
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.replaced = 0  # characters the encoding cannot hold, written as "?"
        self.delimiter = delimiter
        self._pending: list[list[str]] = []
        self._header = encode_rows([header], delimiter, self.encoding)[0] if header else b""
        self._parts: list[FileInfo] = []
        self._file = None
        self._sha = None
        self._buf: list[bytes] = []
        self._buf_size = 0
        self._rows = 0
        self._size = 0
        self._open()  # now, so an unwritable place fails before any work is done

    def _open(self) -> None:
        n = len(self._parts) + 1
        self._file = open(_tmp(self.path if n == 1 else part_path(self.path, n)), "wb")
        self._sha = hashlib.sha256()
        self._rows = 0
        self._size = 0
        if self._bom or self._header:
            self._put(self._bom + self._header)

    def _put(self, data: bytes) -> None:
        self._buf.append(data)
        self._buf_size += len(data)
        self._size += len(data)
        if self._buf_size >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            chunk = b"".join(self._buf)
            self._file.write(chunk)
            self._sha.update(chunk)
            self._buf.clear()
            self._buf_size = 0

    def _close_part(self) -> None:
        self._flush()
        self._file.close()
        n = len(self._parts) + 1
        final = self.path if n == 1 else part_path(self.path, n)
        self._parts.append(FileInfo(final, self._rows, self._size, self._sha.hexdigest()))
        self._file = None

    def write(self, row: list[str]) -> None:
        self._pending.append(row)
        if len(self._pending) >= _BATCH:
            self._drain()

    def _drain(self) -> None:
        rows, self._pending = self._pending, []
        if rows:
            data, ends, replaced = encode_rows(rows, self.delimiter, self.encoding)
            self.write_encoded(data, ends, replaced)

    def write_encoded(self, data: bytes, ends: list[int], replaced: int = 0) -> None:
        """Rows already encoded (``encode_rows``, possibly in another process), split across
        parts where a limit falls between them."""
        self._drain()
        self.replaced += replaced
        start = 0  # offset in data of the next row
        i, n = 0, len(ends)
        while i < n:
            k = n  # rows that fit in the current part, from row i on
            if self.max_rows:
                k = min(k, i + self.max_rows - self._rows)
            if self.max_bytes:
                k = min(k, bisect_right(ends, start + self.max_bytes - self._size, i))
            if k <= i:
                if self._rows:  # the part is full: start the next one
                    self._close_part()
                    self._open()
                    continue
                k = i + 1  # one row bigger than a whole part still has to go somewhere
            self._put(data[start : ends[k - 1]] if (start or k < n) else data)
            self._rows += k - i
            start, i = ends[k - 1], k

    def close(self) -> list[FileInfo]:
        """Finish the last part and give the parts their final names. An empty list is still a
        file: the header alone says "nobody"."""
        self._drain()
        if self._file is not None:
            self._close_part()
        return _finish(self.path, self._parts)

    def abort(self) -> None:
        self._pending = []
        if self._file is not None:
            self._file.close()
            self._file = None
        _discard(self.path, len(self._parts) + 1)


class XlsxWriter:
    """An .xlsx workbook (one sheet) in parts of at most ``max_rows`` data rows. Every cell is a
    text cell: phones stay digits (no 7.9995E+10) and nothing is read as a formula."""

    def __init__(self, path: Path, *, header: list[str] | None, max_rows: int = 0) -> None:
        self.path = path
        self.header = header
        self.max_rows = max_rows
        self.replaced = 0
        self._parts: list[FileInfo] = []
        self._book = None
        self._sheet = None
        self._rows = 0
        # The workbook is saved at the end; touching the file now fails early if it cannot be.
        _tmp(path).open("wb").close()
        self._open()

    def _open(self) -> None:
        # openpyxl (~0.5 s to import) only when an .xlsx file is written
        from openpyxl import Workbook

        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet("audience")
        self._rows = 0
        if self.header:
            self._append(self.header)

    def _append(self, row: list[str]) -> None:
        # openpyxl (~0.5 s to import) only when an .xlsx file is written
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for v in row:
            cell = WriteOnlyCell(self._sheet, value=v)
            cell.data_type = "s"  # text even if it looks like a number or a formula
            cells.append(cell)
        self._sheet.append(cells)

    def _close_part(self) -> None:
        n = len(self._parts) + 1
        final = self.path if n == 1 else part_path(self.path, n)
        tmp = _tmp(final)
        self._book.save(tmp)
        data = tmp.read_bytes()
        self._parts.append(FileInfo(final, self._rows, len(data), hashlib.sha256(data).hexdigest()))
        self._book = self._sheet = None

    def write(self, row: list[str]) -> None:
        if self.max_rows and self._rows >= self.max_rows:
            self._close_part()
            self._open()
        self._append(row)
        self._rows += 1

    def close(self) -> list[FileInfo]:
        if self._book is not None:
            self._close_part()
        return _finish(self.path, self._parts)

    def abort(self) -> None:
        self._book = self._sheet = None
        _discard(self.path, len(self._parts) + 1)


def _finish(path: Path, parts: list[FileInfo]) -> list[FileInfo]:
    if len(parts) > 1:
        parts[0].path = part_path(path, 1)
        first_tmp = _tmp(path)
    else:
        first_tmp = None
    for i, p in enumerate(parts):
        src = first_tmp if (i == 0 and first_tmp is not None) else _tmp(p.path)
        os.replace(src, p.path)
    return parts


def _discard(path: Path, n: int) -> None:
    for i in range(1, n + 1):
        _tmp(path if i == 1 else part_path(path, i)).unlink(missing_ok=True)


_BOMS = {
    "utf-8-sig": ("utf-8", codecs.BOM_UTF8),
    "utf-16": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-32": ("utf-32-le", codecs.BOM_UTF32_LE),
}


def split_bom(encoding: str) -> tuple[str, bytes]:
    """(codec that writes no BOM, the BOM to write once) for an encoding name."""
    return _BOMS.get(codecs.lookup(encoding).name, (encoding, b""))


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def open_writer(path: Path, preset, header: list[str] | None, *, max_rows: int = 0):
    """The writer the preset's file type needs. ``max_rows`` overrides the preset's (--split-size)."""
    rows = max_rows or preset.max_rows
    if preset.file_type == "xlsx":
        return XlsxWriter(path, header=header, max_rows=rows)
    return TextWriter(
        path, header=header if preset.file_type == "csv" else None,
        delimiter=preset.delimiter, encoding=preset.encoding, max_rows=rows,
        max_bytes=preset.max_bytes,
    )  # fmt: skip
