"""What a cleaned chunk carries back from a cleaning worker to the main process.

The main process matches and writes one chunk after another while the workers clean the next
ones, so whatever a worker can work out about a chunk on its own is worked out there. The rows
that share no key with any other row of the chunk (most of a big list) come back as columns
(``fresh.Fresh``): the main process writes those that meet no known customer without an object
per row. The other rows come back as plain tuples (pickling named tuples costs about twice as
much), with their keys (see ``rowkeys``), so that the main process asks the key index about the
chunk and finds its rows that share nothing with C-level counting and hashing, instead of a
Python loop over every row and contact point.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

from clientbase.importers import clean
from clientbase.importers.clean import Clean, Point, Rejected
from clientbase.importers.fresh import Fresh, fits
from clientbase.importers.rowkeys import alone_keys, has_call, lookup_keys


class Cleaned(list):
    """A chunk of cleaned rows (``Clean``, ``Rejected``, ``Skipped``) with their keys, as the
    worker found them: ``keys_of`` (row position, ``alone_keys``) for the rows that share no key
    within the chunk but are not in ``fresh``, ``lookup`` every ``lookup_keys`` of the chunk,
    ``calls`` whether any row is a call, ``fresh`` the rows handed over as columns (their
    places in the list hold None until the writer decides). A plain list of rows works
    everywhere a ``Cleaned`` does: all that is then worked out where it is needed."""

    __slots__ = ("calls", "fresh", "keys_of", "lookup")


def clean_rows_packed(args) -> tuple[list, list, list, bool, Fresh]:
    """``clean.clean_rows_packed`` in a worker process (the rows as plain tuples), plus their
    keys; the rows that share no key within the chunk and ``fit`` the columns as ``Fresh``
    (None in their place among the rows). A key is the same tuple object as the point's own
    key, so pickling sends it once."""
    rows = clean.clean_rows_packed(args)
    keys = list(map(alone_keys, rows))
    # A key seen twice in the chunk takes every row that has it through matching.
    counts = Counter(chain.from_iterable(filter(None, keys)))
    shared = {k for k, n in counts.items() if n > 1}
    lookup = list(chain.from_iterable(map(lookup_keys, rows)))
    calls = any(map(has_call, rows))
    keys_of: list[tuple[int, tuple]] = []
    chosen: list[int] = []
    for i, k in enumerate(keys):
        if k is None or not shared.isdisjoint(k):
            continue
        if fits(rows[i]):
            chosen.append(i)
        else:
            keys_of.append((i, k))
    fresh = Fresh.of(rows, chosen, args[2])
    for i in chosen:
        rows[i] = None
    return rows, keys_of, lookup, calls, fresh


_new = tuple.__new__  # a named tuple from a plain one without _make's Python frame


def unpack(packed: tuple[list, list, list, bool, Fresh]) -> Cleaned:
    rows, keys_of, lookup, calls, fresh = packed
    out = Cleaned()
    append = out.append
    for t in rows:
        if t is None:
            append(None)  # in ``fresh``
        elif len(t) == 4:
            append(_new(Rejected, t))
        else:
            append(_new(Clean, (*t[:4], tuple([_new(Point, p) for p in t[4]]), *t[5:])))
    out.keys_of = keys_of
    out.lookup = lookup
    out.calls = calls
    out.fresh = fresh
    return out
