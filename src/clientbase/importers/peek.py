"""Rows of a table with the first ones read ahead, to look at values before mapping them."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice

LABEL_SAMPLE_ROWS = 50


class Peeked:
    """Rows of a table with the first ones read ahead (to look at the values before mapping)
    and still yielded in order; closing closes the underlying reader."""

    def __init__(self, rows: Iterator[tuple[int, list]], n: int) -> None:
        self._rows = rows
        self.sample = list(islice(rows, n))
        self._it = chain(self.sample, rows)

    def __iter__(self) -> Iterator[tuple[int, list]]:
        return self._it  # the chain itself: a reader taking rows in bulk skips __next__

    def __next__(self) -> tuple[int, list]:
        return next(self._it)

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()
