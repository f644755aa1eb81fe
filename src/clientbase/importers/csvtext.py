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
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from clientbase.errors import InputFileError
from clientbase.i18n import _, ngettext
from clientbase.importers.codepage import legacy_codepage
from clientbase.importers.records import UnreadableRow
from clientbase.importers.sniff import head_encoding, not_utf8_lines

MAX_LINE_BYTES = 8 << 20  # a record this long is not a contact, it is a broken file
MAX_FIELD_CHARS = 8 << 20  # a quoted cell this long is a quote that never closes
CHUNK_BYTES = 1 << 20  # decoded at once when valid; line by line only when not
WIDE_ENCODINGS = ("utf-16", "utf-32")  # never mixed with 8-bit text in one file
USUAL_WIDTH_FROM = 1000  # rows that set the file's usual number of cells
_OVERLONG = "\x00\n"  # stands in for an overlong line (real NUL bytes are dropped before)

csv.field_size_limit(MAX_FIELD_CHARS)
# A multi-byte UTF-8 sequence (lead byte, continuation bytes): rare by chance in cp1251 text.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _lines_list(numbers: list[int], total: int) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    if total <= 5:
        return shown
    return _("{shown} and {n} more").format(shown=shown, n=f"{total - len(numbers[:5]):,}")


class _Decoder:
    """Bytes → text, in the file's encoding or, line by line, in the one a line is valid in."""

    def __init__(self, name: str, main: str, explicit: bool):
        self.name = name
        self.main = main
        self.explicit = explicit
        self.legacy: str | None = None if main == "utf-8" else main
        self.other: dict[str, list] = {}  # encoding → [count, first line numbers]
        self.nul_bytes = 0
        self.first_nul_line: int | None = None

    def chunk(self, data: bytes, first_line: int, peek: Callable[[], bytes]) -> list[str]:
        """The lines of a chunk of whole lines, decoded."""
        if b"\x00" in data:
            lines = data.splitlines(keepends=True)
            for i, line in enumerate(lines):
                if b"\x00" in line:
                    self.first_nul_line = self.first_nul_line or first_line + i
                    break
            self.nul_bytes += data.count(b"\x00")
            data = data.replace(b"\x00", b"")
        # A legacy code page decodes any bytes, so lines pasted in UTF-8 would pass as mojibake:
        # they are looked for line by line, but only in chunks that have a UTF-8 sequence.
        if self.main == "utf-8" or self.explicit or not _UTF8_SEQUENCE.search(data):
            try:
                return list(io.StringIO(data.decode(self.main), newline=""))
            except UnicodeDecodeError:
                pass
        return [
            self.line(line, first_line + i, peek)
            for i, line in enumerate(data.splitlines(keepends=True))
        ]

    def line(self, data: bytes, line_no: int, peek: Callable[[], bytes]) -> str:
        if data.isascii():
            return data.decode("ascii")
        if self.explicit:
            try:
                return data.decode(self.main)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    _(
                        "{file}, line {line}: not valid {encoding} (byte {byte} at position {pos})"
                    ).format(
                        file=self.name,
                        line=line_no,
                        encoding=self.main,
                        byte=f"0x{data[exc.start]:02x}",
                        pos=exc.start + 1,
                    ),
                    hint=_("leave out --encoding to read each line in the encoding it is valid in"),
                ) from exc
        try:
            text = data.decode("utf-8")
            used = "utf-8"
        except UnicodeDecodeError:
            if self.legacy is None:
                # Judge the code page by this line and those after it, not one short name.
                self.legacy = legacy_codepage(data + b"\n" + not_utf8_lines(peek()))
            used = self.legacy
            text = data.decode(used, errors="replace")  # cp1251 leaves 0x98 undefined
        if used != self.main:
            seen = self.other.setdefault(used, [0, []])
            seen[0] += 1
            if len(seen[1]) < 5:
                seen[1].append(line_no)
        return text

    def notes(self) -> list[str]:
        out = []
        for enc, (count, first) in self.other.items():
            out.append(
                ngettext(
                    "line {lines} is not {encoding}: read as {used} "
                    "(each line is read in the encoding it is valid in)",
                    "lines {lines} are not {encoding}: read as {used} "
                    "(each line is read in the encoding it is valid in)",
                    count,
                ).format(lines=_lines_list(first, count), encoding=self.main, used=enc)
            )
        if self.nul_bytes:
            out.append(
                ngettext(
                    "{n} NUL byte dropped (the first on line {line})",
                    "{n} NUL bytes dropped (the first on line {line})",
                    self.nul_bytes,
                ).format(n=f"{self.nul_bytes:,}", line=self.first_nul_line)
            )
        return out


@dataclass
class ReadSummary:
    """What a ``CsvText`` noted and counted once read to the end, for the process that planned
    the import when another process read the file (the orders' worker)."""

    notes_made: list[str]
    lines: int
    rows: int
    multiline_rows: int

    def notes(self) -> list[str]:
        return self.notes_made


class CsvText:
    """The rows of a CSV file: (row number, cells), the header included, numbered from 1."""

    def __init__(self, name: str, stream: io.BufferedReader, head: bytes, encoding: str | None,
                 delimiter: str):  # fmt: skip
        self.name = name
        self.delimiter = delimiter
        explicit = encoding is not None
        self.encoding = encoding or head_encoding(head)
        self.wide = codecs.lookup(self.encoding).name.startswith(WIDE_ENCODINGS)
        skipped = 0
        if codecs.lookup(self.encoding).name in ("utf-8", "utf-8-sig"):
            if head.startswith(codecs.BOM_UTF8):
                skipped = len(stream.read(3))
            self.encoding = "utf-8"
        self.decoder = _Decoder(name, self.encoding, explicit)
        self.stream = stream
        self.sep = b"\r" if b"\n" not in head and b"\r" in head else b"\n"
        self.lines = 0  # physical lines, known once read to the end
        self.rows = 0
        self.multiline_rows = 0
        self.broken: list[tuple[int, int]] = []  # (first line, last line) re-read line by line
        self.overlong: dict[int, tuple[int, str]] = {}  # line → (bytes, first characters)
        # Lines kept since the start of the record being read (to re-read it line by line).
        self._kept: list[str] = []
        self._kept_from = 1  # line number of _kept[0]
        self._record_from = 1
        self._carry = b""  # bytes after the last line break read
        self._next_size = max(len(head) - skipped, 1)

    # --- physical lines --------------------------------------------------------------------

    def _chunks(self) -> Iterator[list[str]]:
        """Decoded lines, a chunk at a time, keeping those of the record being read."""
        n = 0
        for lines in self._decoded():
            # Forget the lines before the record being read: they are rows already.
            drop = self._record_from - self._kept_from
            if drop > 0:
                del self._kept[:drop]
                self._kept_from += drop
            self._kept.extend(lines)
            n += len(lines)
            yield lines
        self.lines = n

    def _decoded(self) -> Iterator[list[str]]:
        if self.wide:
            text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
            n = 0
            try:
                while chunk := text.readlines(CHUNK_BYTES):
                    for i, line in enumerate(chunk):
                        if "\x00" in line:
                            self.decoder.nul_bytes += line.count("\x00")
                            self.decoder.first_nul_line = self.decoder.first_nul_line or n + i + 1
                            chunk[i] = line.replace("\x00", "")
                    n += len(chunk)
                    yield chunk
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    _("{file}, after line {line}: not valid {encoding}: {reason}").format(
                        file=self.name, line=n, encoding=self.encoding, reason=exc.reason
                    ),
                    hint=_("the file is cut short or not text; export it again"),
                ) from exc
            return
        n = 0
        f = self.stream

        def peek() -> bytes:  # what follows, to judge a code page by more than one line
            return f.peek(1 << 16)[: 1 << 16]

        while True:
            data, overlong = self._read_lines(f)
            if not data and overlong is None:
                return
            lines = self.decoder.chunk(data, n + 1, peek) if data else []
            n += len(lines)
            if overlong is not None:
                n += 1
                self.overlong[n] = overlong
                lines.append(_OVERLONG)
            yield lines

    def _read_lines(self, f: io.BufferedReader) -> tuple[bytes, tuple[int, str] | None]:
        """Whole lines, about CHUNK_BYTES of them (the first chunk no more than the head, which
        is in memory: planning reads the header without touching the disk), and, if one comes
        next, an overlong line: its size and first characters, its bytes skipped, never held."""
        data = self._carry
        size = self._next_size
        self._next_size = CHUNK_BYTES
        while True:
            more = f.read(size)
            data += more
            if not more:
                self._carry = b""
                return data, None
            cut = data.rfind(self.sep) + 1
            if cut:
                self._carry = data[cut:]
                return data[:cut], None
            if len(data) > MAX_LINE_BYTES:
                line_size, prefix = len(data), data[:200].decode("utf-8", errors="replace")
                while (more := f.read(CHUNK_BYTES)) and self.sep not in more:
                    line_size += len(more)
                line_end, _, self._carry = more.partition(self.sep)
                return b"", (line_size + len(line_end) + 1, prefix)
            size = CHUNK_BYTES

    # --- records ---------------------------------------------------------------------------

    def _cells(self, line: str) -> list:
        """One physical line read by itself. A quote that does not close on it is text: the
        cells are split at every delimiter and only quotes around a whole cell are taken off."""
        if line == _OVERLONG:
            return []
        line = line.rstrip("\r\n")
        try:
            return next(csv.reader([line], delimiter=self.delimiter, strict=True), [])
        except csv.Error:
            pass
        cells = next(csv.reader([line], delimiter=self.delimiter, quoting=csv.QUOTE_NONE), [])
        for i, c in enumerate(cells):
            if len(c) >= 2 and c[0] == c[-1] == '"':
                cells[i] = c[1:-1].replace('""', '"')
            elif c.startswith('"') and c.count('"') % 2:
                cells[i] = c[1:]  # the stray quote itself
        return cells

    def _broken(self, lines: list[str], usual: int) -> bool:
        """Is this multi-line record a quote that swallowed whole records?"""
        try:
            list(csv.reader(lines, delimiter=self.delimiter, strict=True))
        except csv.Error:
            return True  # the quote never closes (or closes in a way no writer produces)
        if usual < 2:
            return False
        whole = [len(self._cells(line)) == usual for line in lines]
        if not whole[0]:
            return False  # the open cell is not the last of a complete first line
        inner = whole[1:-1]
        if inner:
            return sum(inner) * 2 >= len(inner)
        return whole[-1]

    def _unclosed(self, line_no: int) -> bool:
        line = self._kept[line_no - self._kept_from]
        try:
            list(csv.reader([line], delimiter=self.delimiter, strict=True))
        except csv.Error:
            return True
        return False

    def _line_rows(self, first: int, last: int) -> Iterator[list]:
        """Lines first..last as rows of their own (a broken quote, an overlong line)."""
        lines = self._kept[first - self._kept_from : last - self._kept_from + 1]
        if last > first or lines != [_OVERLONG]:
            self.broken.append((first, last))
        for i, line in enumerate(lines):
            if line == _OVERLONG:
                size, prefix = self.overlong[first + i]
                yield UnreadableRow(
                    [prefix],
                    _(
                        "line {line} is {mb} MB long with no line break: "
                        "not a record (the file is damaged or not a table)"
                    ).format(line=first + i, mb=f"{size / (1 << 20):,.0f}"),
                )
            else:
                yield self._cells(line)

    def rows_iter(self) -> Iterator[tuple[int, list]]:
        reader = csv.reader(itertools.chain.from_iterable(self._chunks()), delimiter=self.delimiter)
        widths: Counter = Counter()
        usual = 0
        n = 0
        done = 0  # physical lines read into rows
        while True:
            self._record_from = done + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:  # a cell past MAX_FIELD_CHARS: its quote never closed
                cells = None
            end = reader.line_num
            first, done = self._record_from, end
            # self.lines is known once the reader hit the end of the file inside this record:
            # the last line may then hold a quote that never closes.
            if (
                cells is not None
                and end == first
                and end not in self.overlong
                and not (self.lines and self._unclosed(first))
            ):
                if n < USUAL_WIDTH_FROM:
                    widths[len(cells)] += 1
                    usual = max(widths, key=lambda w: (widths[w], w))
                n += 1
                yield n, cells
                continue
            lines = self._kept[first - self._kept_from : end - self._kept_from + 1]
            if (
                cells is not None
                and end > first
                and not any(i in self.overlong for i in range(first, end + 1))
                and not self._broken(lines, usual)
            ):
                self.multiline_rows += 1
                n += 1
                yield n, cells
                continue
            for row in self._line_rows(first, end):
                n += 1
                yield n, row
        self.rows = n

    def summary(self) -> ReadSummary:
        return ReadSummary(self.notes(), self.lines, self.rows, self.multiline_rows)

    def notes(self) -> list[str]:
        out = self.decoder.notes()
        if self.broken:
            first, last = self.broken[0]
            lines = sum(b - a + 1 for a, b in self.broken)
            more = ""
            if len(self.broken) > 1:
                more = " " + _("(and {n} more such places)").format(n=len(self.broken) - 1)
            if len(self.broken) == 1 and first == last:
                out.append(
                    _(
                        "a quote opened on line {line} is never closed: its quotes read as text"
                    ).format(line=first)
                )
            else:
                out.append(
                    _(
                        "a quote opened on line {line} swallows the lines after it: lines "
                        "{first}–{last}{more} read one row per line ({n} lines), their stray "
                        "quotes as text"
                    ).format(line=first, first=first, last=last, more=more, n=f"{lines:,}")
                )
        return out
