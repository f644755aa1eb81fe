"""Who owns a phone, an email or a name, for millions of keys in a few tens of megabytes.

The import must find, for every row, the customer that already has its phone or email, whether
that customer was in the base before or was created by an earlier row of the same file. Asking
the database for every key costs more than the rest of the row; a Python dict of the keys costs
~100 bytes each. This index keeps only 64-bit hashes and owner ids in sorted numpy arrays (new
entries are batched, sorted and merged log-structured style), ~16 bytes a key, and answers a whole
chunk's keys with vectorised binary searches.

Hashes can collide, so an answer is a candidate: the caller loads the candidate customers with
their real keys and compares those (see contacts.ContactWriter).
"""

from __future__ import annotations

import numpy as np

_FLUSH_AT = 1 << 16  # pending entries before they become a sorted level


class KeyIndex:
    def __init__(self) -> None:
        self._levels: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, owner ids)
        self._pending_h: list[int] = []
        self._pending_id: list[int] = []

    def __len__(self) -> int:
        return sum(len(h) for h, _ in self._levels) + len(self._pending_h)

    def add(self, key_hash: int, owner: int) -> None:
        self._pending_h.append(key_hash)
        self._pending_id.append(owner)
        if len(self._pending_h) >= _FLUSH_AT:
            self._flush()

    def add_many(self, hashes: list[int], owners: list[int]) -> None:
        """``add`` for many keys at once (equal-length lists)."""
        self._pending_h.extend(hashes)
        self._pending_id.extend(owners)
        if len(self._pending_h) >= _FLUSH_AT:
            self._flush()

    def owners(self, hashes: list[int]) -> set[int]:
        """Ids of customers that may own any of these hashes."""
        if self._pending_h:
            self._flush()  # one sorted level more is cheaper than a dict entry per key
        found: set[int] = set()
        if not self._levels or not hashes:
            return found
        # Sorted needles: each binary search starts where the last one ended, so a level's
        # pages are walked in order instead of at random. Each once: an office number on half
        # the rows of a chunk would otherwise add its thousands of owners once per row.
        q = np.unique(np.fromiter(hashes, dtype=np.int64, count=len(hashes)))
        for level_h, level_id in self._levels:
            lo = np.searchsorted(level_h, q, side="left")
            hit = level_h[np.minimum(lo, len(level_h) - 1)] == q
            if not hit.any():
                continue
            # Only the hashes found are searched for the end of their run (one key may have
            # several owners: a name, or a hash two keys share).
            lo = lo[hit]
            hi = np.searchsorted(level_h, q[hit], side="right")
            single = hi - lo == 1
            found.update(level_id[lo[single]].tolist())
            for a, b in zip(lo[~single].tolist(), hi[~single].tolist(), strict=True):
                found.update(level_id[a:b].tolist())
        return found

    def _flush(self) -> None:
        h = np.array(self._pending_h, dtype=np.int64)
        ids = np.array(self._pending_id, dtype=np.int64)
        order = np.argsort(h, kind="stable")
        self._levels.append((h[order], ids[order]))
        self._pending_h, self._pending_id = [], []
        # Merge while the newest level is at least half the size of the one before it: few
        # levels to search, and every entry is re-sorted only O(log n) times.
        while len(self._levels) > 1 and len(self._levels[-1][0]) * 2 >= len(self._levels[-2][0]):
            (h2, i2), (h1, i1) = self._levels.pop(), self._levels.pop()
            h = np.concatenate((h1, h2))
            ids = np.concatenate((i1, i2))
            order = np.argsort(h, kind="stable")
            self._levels.append((h[order], ids[order]))


def key_hash(kind: str, value: str) -> int:
    return hash((kind, value))
