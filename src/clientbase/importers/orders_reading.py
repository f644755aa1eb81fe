"""A big sales CSV read in a worker process, from the file itself.

The command plans the import from the file's head (encoding, delimiter, header, mapping); the
worker then opens the file again and reads it from its first byte the same way, a chunk of rows
per task, into order lines and identities (``orders_columns``). Only what the rows became
crosses back to the writing process, never the rows: reading and parsing the CSV, the biggest
part of the work that needs no database, leaves the process that writes. The worker also
hashes the bytes it reads, so the file is read from disk once.

One worker takes the tasks in order, so what carries from row to row (an order's further lines,
the day-first choice, the identities seen) holds. Cleaning the new identities a chunk meets needs
nothing from the rows around them: with ``clean_later`` the reader leaves them uncleaned and a
second worker (``start_cleaner``, ``clean_identities``) cleans them, so the file is read, cleaned
and written on three processes.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from clientbase.errors import InputFileError
from clientbase.i18n import _, set_language
from clientbase.importers.clean import Clean, Rejected
from clientbase.importers.csvtext import CsvText, ReadSummary
from clientbase.importers.orders import OrderMapping
from clientbase.importers.orders_columns import ColumnRows, Folding, as_columns, as_orders
from clientbase.importers.orders_rows import OrderRows, RowsChunk
from clientbase.importers.sniff import check_encoding
from clientbase.importers.source import Source
from clientbase.importers.tabular import Table, header_cells


class FileReading(NamedTuple):
    """How the worker opens the CSV again, as ``tabular.read_csv`` opened it to plan the
    import, and where its rows start."""

    path: Path
    encoding: str | None  # as given on the command line (None: judged from the head)
    delimiter: str  # as the planning found it
    header: list[str]
    header_row: int
    chunk_rows: int

    @classmethod
    def of(cls, path: Path, encoding: str | None, table: Table, chunk_rows: int) -> FileReading:
        assert table.delimiter is not None
        return cls(path, encoding, table.delimiter, table.header, table.header_row, chunk_rows)

    def open(self) -> tuple[Source, CsvText, Iterator[tuple[int, list]]]:
        """The file's source (it hashes what is read), its reader, and its rows after the
        header; the header must be the one the import was planned with."""
        source = Source(self.path)
        encoding = check_encoding(self.encoding) if self.encoding else None
        text = CsvText(self.path.name, source.stream(), source.head, encoding, self.delimiter)
        rows = text.rows_iter()
        for n, cells in rows:
            if n < self.header_row:
                continue
            if n == self.header_row and header_cells(cells) == self.header:
                return source, text, rows
            break
        raise InputFileError(
            _("{file} changed while it was being imported").format(file=self.path.name),
            hint=_("import it again once nothing writes to it"),
        )


class _Worker:
    """The worker process's reader: the row state of the file and, once open, its rows."""

    def __init__(
        self, reader: ColumnRows, mapping: OrderMapping, reading: FileReading, grouped: bool
    ):
        self.reader, self.mapping, self.reading, self.grouped = reader, mapping, reading, grouped
        self.folding = Folding()
        self.source: Source | None = None
        self.text: CsvText | None = None
        self.rows: Iterator[tuple[int, list]] | None = None

    def next_chunk(self) -> RowsChunk | None:
        if self.rows is None:
            self.source, self.text, self.rows = self.reading.open()
        rows = list(islice(self.rows, self.reading.chunk_rows))
        if not rows:
            return None
        chunk = self.reader.parse_rows(self.mapping, rows, None)
        return as_orders(chunk, self.folding) if self.grouped else as_columns(chunk)

    def done(self) -> tuple[ReadSummary, str]:
        assert self.source is not None and self.text is not None
        return self.text.summary(), self.source.sha256


_WORKER: _Worker | None = None  # the worker process's own


def start_worker(region: str, source: str | None, mapping: OrderMapping, lang: str,
                 reading: FileReading, grouped: bool, clean_later: bool = False) -> None:  # fmt: skip
    """The initializer of the reading worker process (``grouped``: an order's lines that follow
    each other come back as one row, see ``orders_columns.as_orders``; ``clean_later``: the new
    identities come back as records, for ``clean_identities``)."""
    global _WORKER
    gc.disable()  # the per-file caches hold millions of small acyclic objects: nothing to collect
    set_language(lang)  # its reasons for rejected rows and its notes in the command's language
    reader = ColumnRows(region, source)
    reader.clean_later = clean_later
    _WORKER = _Worker(reader, mapping, reading, grouped)


_CLEANER: tuple[OrderRows, OrderMapping] | None = None  # the cleaning worker process's own


def start_cleaner(region: str, source: str | None, mapping: OrderMapping, lang: str) -> None:
    """The initializer of the worker process that cleans what the reading one left uncleaned."""
    global _CLEANER
    gc.disable()
    set_language(lang)  # its reasons for rejected identities in the command's language
    _CLEANER = (OrderRows(region, source), mapping)


def clean_identities(
    identities: list[tuple[int, tuple]],
) -> tuple[list[tuple[int, Clean | Rejected]], list[bytes]]:
    """A chunk's new identities cleaned (see ``OrderRows.clean_later``), and each pickled as the
    writer keeps a new customer's (``RowsChunk.packed``): only they travel here and back."""
    assert _CLEANER is not None
    reader, mapping = _CLEANER
    cleaned = reader.clean_identities(identities, mapping)
    return cleaned, [pickle.dumps(cl, pickle.HIGHEST_PROTOCOL) for _n, cl in cleaned]


def next_chunk() -> RowsChunk | None:
    """The next chunk of the worker's file read into order lines; None once it is all read."""
    assert _WORKER is not None
    return _WORKER.next_chunk()


def file_read() -> tuple[ReadSummary, str]:
    """After the last chunk: what the CSV reader noted and counted, and the SHA-256 of the
    bytes it read."""
    assert _WORKER is not None
    return _WORKER.done()
