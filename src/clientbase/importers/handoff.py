"""What a cleaned chunk carries back from a cleaning worker to the main process.

The main process matches and writes one chunk after another while the workers clean the next
ones, so whatever a worker can work out about a chunk on its own is worked out there. Besides
the cleaned rows (as plain tuples: pickling named tuples costs about twice as much) a worker
hands back each row's keys (see ``rowkeys``): the main process then finds the rows that share
nothing and asks the key index about the rest with C-level counting and hashing, instead of a
Python loop over every row and contact point.
"""

from __future__ import annotations

from clientbase.importers import clean
from clientbase.importers.clean import Clean, Point, Rejected
from clientbase.importers.rowkeys import alone_keys, has_call, lookup_keys


class Cleaned(list):
    """A chunk of cleaned rows (``Clean``, ``Rejected``, ``Skipped``) with their keys, as the
    worker found them: ``keys_of`` (row position, ``alone_keys``) for the rows that may skip
    matching, ``lookup`` every ``lookup_keys`` of the chunk, ``calls`` whether any row is a
    call. A plain list of rows works everywhere a ``Cleaned`` does: all that is then worked out
    where it is needed."""

    __slots__ = ("calls", "keys_of", "lookup")


def clean_rows_packed(args) -> tuple[list[tuple], list, list, bool]:
    """``clean.clean_rows_packed`` in a worker process (the rows as plain tuples), plus their
    keys. A key is the same tuple object as the point's own key, so pickling sends it once."""
    rows = clean.clean_rows_packed(args)
    keys_of: list[tuple[int, tuple]] = []
    lookup: list[tuple[str, str]] = []
    calls = False
    for i, r in enumerate(rows):
        keys = alone_keys(r)
        if keys is not None:
            keys_of.append((i, keys))
        lookup += lookup_keys(r)
        calls = calls or has_call(r)
    return rows, keys_of, lookup, calls


_new = tuple.__new__  # a named tuple from a plain one without _make's Python frame


def unpack(packed: tuple[list[tuple], list, list, bool]) -> Cleaned:
    rows, keys_of, lookup, calls = packed
    out = Cleaned()
    append = out.append
    for t in rows:
        if len(t) == 4:
            append(_new(Rejected, t))
        else:
            append(_new(Clean, (*t[:4], tuple([_new(Point, p) for p in t[4]]), *t[5:])))
    out.keys_of = keys_of
    out.lookup = lookup
    out.calls = calls
    return out
