"""Which rows of a chunk need matching at all.

Most rows of a big list are people seen once: no key of theirs is in the base or anywhere else
in the chunk. They create a customer whatever the matching rules say, so the writer creates them
directly and runs its matching (in row order) only for the rows that share something.
"""

from __future__ import annotations

from clientbase.importers.clean import Clean


def rows_alone(chunk: list, index) -> set[int]:
    """Rows (positions) of a chunk that can only create a customer nobody else touches.

    Matching is a question for the few rows that share a key: a row none of whose keys
    (name, client code, phones, emails, as typed or normalised) is held by a customer the
    chunk may meet, or by any other row of the chunk, finds no one and is found by no later
    row. Such rows skip the matching machinery; everything else goes through it in order."""
    keys_of: list = [None] * len(chunk)
    seen: dict = {}
    for i, cl in enumerate(chunk):
        if cl.__class__ is not Clean or cl.call is not None or cl.group is not None:
            continue
        f = cl.fields
        keys = [("name", f["display_name"])]
        if f.get("external_id"):
            keys.append(("ext", f["external_id"]))
        keys.extend(p.key for p in cl.points)
        keys_of[i] = keys
        for k in keys:
            seen[k] = seen.get(k, 0) + 1
    alone = set()
    for i, keys in enumerate(keys_of):
        if keys is not None and all(seen[k] == 1 and k not in index for k in keys):
            alone.add(i)
    return alone
