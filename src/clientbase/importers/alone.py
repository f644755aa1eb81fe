"""Which rows of a chunk need matching at all.

Most rows of a big list are people seen once: no key of theirs is in the base or anywhere else
in the chunk. They create a customer whatever the matching rules say, so the writer creates them
directly and runs its matching (in row order) only for the rows that share something.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

from clientbase.importers.rowkeys import alone_keys


def rows_alone(chunk: list, index) -> set[int]:
    """Rows (positions) of a chunk that can only create a customer nobody else touches.

    Matching is a question for the few rows that share a key: a row none of whose keys
    (name, client code, phones, emails, as typed or normalised) is held by a customer the
    chunk may meet, or by any other row of the chunk, finds no one and is found by no later
    row. Such rows skip the matching machinery; everything else goes through it in order."""
    # Handed over by the cleaning worker: only the rows whose keys no other row of the chunk
    # has (see handoff; the fresh rows of the chunk among them are decided by fresh_write).
    keys_of = getattr(chunk, "keys_of", None)
    if keys_of is None:
        keys_of = [(i, k) for i, cl in enumerate(chunk) if (k := alone_keys(cl)) is not None]
    # Counted and compared at C speed: a key seen twice in the chunk, or held by a customer
    # the chunk may meet, takes every row that has it through matching.
    counts = Counter(chain.from_iterable([keys for _, keys in keys_of]))
    shared = {k for k, n in counts.items() if n > 1}
    shared.update(index.keys())
    return {i for i, keys in keys_of if shared.isdisjoint(keys)}
