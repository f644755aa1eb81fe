"""CSV rows from the bytes of a file as people really have them.

Three things go wrong in real files, and each is repaired here, said in a note, and never lets a
row disappear silently:

* **Mixed encodings.** A list kept for years is UTF-8 at the top and Windows-1251 below (rows
  pasted from an old export). The file's encoding is judged from its head; a line further on
  that is not valid in it is decoded in the encoding it *is* valid in, and the note names the
  lines.
* **Stray quotes.** ``Москва"`` typed as ``"Москва`` opens a quoted cell that swallows every
  following line up to the next quote character, often the end of the file: thousands of rows
  read as one cell. A cell really spanning lines (an address, a note) holds text; a broken quote
  swallows whole records. So a record that spans several physical lines is taken apart again,
  line by line, when each of its lines has by itself the width of the file's usual record
  (or its quote never closes); quotes on those lines are then text.
* **Bytes that are not text.** NUL bytes are dropped (with a count), and a "line" longer than
  any record could be is rejected with its line number instead of exhausting memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator

from clientbase.errors import InputFileError
from clientbase.importers.records import UnreadableRow
from clientbase.importers.sniff import legacy_codepage, not_utf8_lines

MAX_LINE_BYTES = 8 << 20  # a record this long is not a contact, it is a broken file
MAX_RECORD_LINES = 5000  # a quoted cell over this many lines is a quote that never closes
MAX_RECORD_CHARS = 8 << 20  # and one over 8 million characters too (csv's own limit is 16M)
WIDE_ENCODINGS = ("utf-16", "utf-32")  # never mixed with 8-bit text in one file

csv.field_size_limit(1 << 24)  # long notes in CRM exports exceed the default 128 KiB


class _Overlong(Exception):
    def __init__(self, line_no: int, size: int, prefix: str):
        self.line_no, self.size, self.prefix = line_no, size, prefix


class _TooLong(Exception):
    """The record being read has grown past any real record: its quote never closed."""


def _lines_list(numbers: list[int], total: int) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    return shown + (f" and {total - len(numbers[:5]):,} more" if total > 5 else "")


class _Decoder:
    """Bytes of one line → text, in the file's encoding or, failing that, the one it is valid in."""

    def __init__(self, name: str, main: str, explicit: bool):
        self.name = name
        self.main = main
        self.explicit = explicit
        self.legacy: str | None = None if main == "utf-8" else main
        self.other: dict[str, list] = {}  # encoding → [count, first line numbers]
        self.nul_bytes = 0
        self.first_nul_line: int | None = None
        self.peek = lambda: b""

    def __call__(self, data: bytes, line_no: int) -> str:
        if b"\x00" in data:
            self.nul_bytes += data.count(b"\x00")
            self.first_nul_line = self.first_nul_line or line_no
            data = data.replace(b"\x00", b"")
        if data.isascii():
            return data.decode("ascii")
        if self.explicit:
            try:
                return data.decode(self.main)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{self.name}, line {line_no}: not valid {self.main} "
                    f"(byte 0x{data[exc.start]:02x} at position {exc.start + 1})",
                    hint="leave out --encoding to read each line in the encoding it is valid in",
                ) from exc
        try:
            text = data.decode("utf-8")
            used = "utf-8"
        except UnicodeDecodeError:
            if self.legacy is None:
                # Judge the code page by this line and what follows it, not one short name.
                self.legacy = legacy_codepage(data + not_utf8_lines(self.peek()))
            text = data.decode(self.legacy, errors="replace")  # cp1251 leaves 0x98 undefined
            used = self.legacy
        if used != self.main:
            seen = self.other.setdefault(used, [0, []])
            seen[0] += 1
            if len(seen[1]) < 5:
                seen[1].append(line_no)
        return text

    def notes(self) -> list[str]:
        out = []
        for enc, (count, first) in self.other.items():
            lines = "line" if count == 1 else "lines"
            out.append(
                f"{lines} {_lines_list(first, count)} {'is' if count == 1 else 'are'} not "
                f"{self.main}: read as {enc} (each line is read in the encoding it is valid in)"
            )
        if self.nul_bytes:
            out.append(
                f"{self.nul_bytes:,} NUL byte{'s' if self.nul_bytes > 1 else ''} dropped "
                f"(the first on line {self.first_nul_line})"
            )
        return out


def _byte_lines(f: io.BufferedReader, sep: bytes) -> Iterator[bytes | tuple[int, bytes]]:
    """Physical lines with their terminators; a line past MAX_LINE_BYTES comes as
    (its length, its first bytes) and is skipped over without being held in memory."""
    if sep == b"\n":
        while line := f.readline(MAX_LINE_BYTES + 1):
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                size, prefix = len(line), line[:200]
                while (more := f.readline(1 << 20)) and not more.endswith(b"\n"):
                    size += len(more)
                yield size + len(more), prefix
            else:
                yield line
        return
    # Old Mac files end lines with a lone CR.
    buf = b""
    while True:
        chunk = f.read(1 << 20)
        buf += chunk
        *lines, buf = buf.split(sep)
        for line in lines:
            yield line + sep
        if len(buf) > MAX_LINE_BYTES:
            size, prefix = len(buf), buf[:200]
            buf = b""
            while (chunk := f.read(1 << 20)) and sep not in chunk:
                size += len(chunk)
            head, _, buf = chunk.partition(sep)
            yield size + len(head), prefix
        if not chunk:
            if buf:
                yield buf
            return


class _Feed:
    """Physical lines for csv.reader, remembering the ones of the record being read."""

    def __init__(self, lines: Iterator[tuple[int, str] | _Overlong]):
        self.lines = lines
        self.line_no = 0
        self.pending: list[str] = []
        self.chars = 0

    def start(self) -> None:
        self.pending, self.chars = [], 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if len(self.pending) >= MAX_RECORD_LINES or self.chars >= MAX_RECORD_CHARS:
            raise _TooLong
        item = next(self.lines)
        if isinstance(item, _Overlong):
            self.line_no = item.line_no
            raise item
        self.line_no, text = item
        self.pending.append(text)
        self.chars += len(text)
        return text


class CsvText:
    """The rows of a CSV file: (row number, cells), the header included, numbered from 1."""

    def __init__(self, name: str, stream: io.BufferedReader, head: bytes, encoding: str | None,
                 delimiter: str):  # fmt: skip
        from clientbase.importers.sniff import head_encoding

        self.name = name
        self.delimiter = delimiter
        explicit = encoding is not None
        self.encoding = encoding or head_encoding(head)
        self.wide = codecs.lookup(self.encoding).name.startswith(WIDE_ENCODINGS)
        if codecs.lookup(self.encoding).name in ("utf-8", "utf-8-sig"):
            if head.startswith(codecs.BOM_UTF8):
                stream.read(3)
            self.encoding = "utf-8"
        self.decoder = _Decoder(name, self.encoding, explicit)
        self.stream = stream
        self.sep = b"\r" if b"\n" not in head and b"\r" in head else b"\n"
        self.lines = 0
        self.rows = 0
        self.multiline_rows = 0
        self.broken: list[tuple[int, int]] = []  # (first line, last line) re-read line by line
        self.overlong: list[int] = []

    def _text_lines(self) -> Iterator[tuple[int, str] | _Overlong]:
        n = 0
        if self.wide:
            text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="",
                                    errors="strict")  # fmt: skip
            try:
                for line in text:
                    n += 1
                    if "\x00" in line:
                        self.decoder.nul_bytes += line.count("\x00")
                        self.decoder.first_nul_line = self.decoder.first_nul_line or n
                        line = line.replace("\x00", "")
                    yield n, line
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{self.name}, line {n + 1}: not valid {self.encoding}: {exc.reason}",
                    hint="the file is cut short or not text; re-export it",
                ) from exc
            self.lines = n
            return
        self.decoder.peek = lambda: self.stream.peek(1 << 16)[: 1 << 16]
        for item in _byte_lines(self.stream, self.sep):
            n += 1
            if isinstance(item, tuple):
                size, prefix = item
                yield _Overlong(n, size, prefix.decode("utf-8", errors="replace"))
            else:
                yield n, self.decoder(item, n)
        self.lines = n

    def _width(self, line: str) -> int:
        """Cells in one physical line read by itself (an unclosed quote runs to its end)."""
        return len(next(csv.reader([line.rstrip("\r\n")], delimiter=self.delimiter), []))

    def _cells(self, line: str) -> list[str]:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=self.delimiter), [])

    def _broken(self, pending: list[str], usual: int) -> bool:
        """Is this multi-line record a quote that swallowed whole records?"""
        try:
            list(csv.reader(pending, delimiter=self.delimiter, strict=True))
        except csv.Error:
            return True  # the quote never closes (or closes in a way no writer produces)
        if usual < 2:
            return False
        whole = [self._width(line) == usual for line in pending]
        if not whole[0]:
            return False  # the open cell is not the last of a complete first line
        inner = whole[1:-1]
        if inner:
            return sum(inner) * 2 >= len(inner)
        return whole[-1]

    def rows_iter(self) -> Iterator[tuple[int, list]]:
        feed = _Feed(self._text_lines())
        reader = csv.reader(feed, delimiter=self.delimiter)
        widths: Counter = Counter()
        n = 0
        while True:
            feed.start()
            cells: list | None = None
            try:
                cells = next(reader)
            except StopIteration:
                break
            except _Overlong as exc:
                # A quote left open before it becomes line-by-line rows like any broken quote.
                for row in self._reread(feed.pending, feed.line_no - len(feed.pending)):
                    n += 1
                    yield n, row
                self.overlong.append(exc.line_no)
                n += 1
                yield (
                    n,
                    UnreadableRow(
                        [exc.prefix],
                        f"line {exc.line_no} is {exc.size / (1 << 20):,.0f} MB long with no line "
                        "break: not a record (the file is damaged or not a table)",
                    ),
                )
                reader = csv.reader(feed, delimiter=self.delimiter)
                continue
            except (_TooLong, csv.Error):
                cells = None
            first = feed.line_no - len(feed.pending) + 1
            if cells is not None and len(feed.pending) <= 1:
                widths[len(cells)] += 1
                n += 1
                yield n, cells
                continue
            usual = max(widths, key=lambda w: (widths[w], w)) if widths else 0
            if cells is not None and not self._broken(feed.pending, usual):
                self.multiline_rows += 1
                n += 1
                yield n, cells
                continue
            for row in self._reread(feed.pending, first):
                n += 1
                yield n, row
            if cells is None:
                reader = csv.reader(feed, delimiter=self.delimiter)  # start clean after it
        self.rows = n

    def _reread(self, pending: list[str], first: int) -> Iterator[list]:
        if not pending:
            return
        self.broken.append((first, first + len(pending) - 1))
        for line in pending:
            yield self._cells(line)

    def notes(self) -> list[str]:
        out = self.decoder.notes()
        if self.broken:
            first, last = self.broken[0]
            lines = sum(b - a + 1 for a, b in self.broken)
            more = f" (and {len(self.broken) - 1} more such places)" if len(self.broken) > 1 else ""
            out.append(
                f"a quote opened on line {first} swallows the lines after it: lines {first}–{last}"
                f"{more} read one row per line, {lines:,} lines in all, their quotes kept as text"
            )
        return out
