"""The customers a chunk of rows may meet, read back from the database.

The key index answers which customers may own a chunk's phones, emails, client codes or names
(hashes, so candidates); they are read here with their real contact points, consent state and
tags, for the writer to compare the rows against. The customers of a key held by many (an office
number) are kept from one chunk to the next instead (``kept_for_next``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from clientbase.db.bulk import select_where_in
from clientbase.db.models import (
    consents,
    contact_points,
    customer_tags,
    customers,
    interactions,
    tags,
)
from clientbase.importers.clean import Clean, Rejected
from clientbase.importers.fresh import CUSTOMER_COLUMNS
from clientbase.importers.keyindex import KeyIndex
from clientbase.importers.rowkeys import lookup_keys
from clientbase.importers.sameperson import full_name

LOOKUP_CHUNK = 500
# From how many customers on one key they are kept for the next chunk instead of read back by
# it (an office number on half the rows of a CRM export: tens of thousands of customers read
# again by every chunk made the import grow with the square of the file).
KEPT_FROM = 64
# A customer's second client code (a 1C code beside a CRM id) is a contact point of this kind;
# it finds the customer as ``customers.external_id`` does, by the key ("ext", code).
CODE_KIND, CODE_KEY = (
    "code",
    "ext",
)  # keys per IN (...) query: well under every backend's parameter limit


@dataclass(slots=True)
class Cust:
    """A customer as the chunk sees it: from the database, or created by a row of this import."""

    id: int
    fields: dict
    # point key -> [point id (None until written), consent, (its consent_at, consent_source)]
    keys: dict
    new: bool = False  # not written yet
    created_here: bool = False  # created by this batch (this chunk or an earlier one)
    first_row: int | None = None
    changes_before: dict = field(default_factory=dict)
    changes_after: dict = field(default_factory=dict)
    new_points: dict = field(default_factory=dict)  # point key -> [point, consent, id]
    channel_state: dict = field(default_factory=dict)  # (point id, channel) -> latest status
    consent_updates: list = field(default_factory=list)  # (point id, old, old time, new)
    tags: set = field(default_factory=set)
    new_tags: set = field(default_factory=set)


def namesakes(conn: Connection, chunk: list[Clean | Rejected]) -> set[int]:
    """Live customers who bear the name of a row with nothing else to be found by: the key
    index knows only those without a contact by their name, and a row with a full name and no
    phone or e-mail cell at all may belong to one with a phone (sameperson.name_only_target
    decides). Only such rows are asked about: on a first load the name is not indexed yet."""
    names = sorted(
        {
            cl.fields["display_name"]
            for cl in chunk
            if type(cl) is Clean
            and not cl.has_valid_key
            and cl.group is None
            and cl.fields.get("display_name")
            and full_name(cl.fields)
            and not any(p.kind in ("phone", "email") for p in cl.points)
        }
        | set(getattr(getattr(chunk, "fresh", None), "namesakes", ()))  # worked out by a worker
    )
    if not names:
        return set()
    found = select_where_in(conn, customers, ("id", "merged_into_id"), "display_name", names)
    return {cid for cid, merged in found if merged is None}


def load_known(
    conn: Connection,
    keys: KeyIndex,
    chunk: list[Clean | Rejected],
    *,
    batch_id: int,
    groups: dict[str, int],
    calls_seen: set[tuple],
    consented: bool = True,
    tagged: bool = True,
    extra_ids: frozenset[int] | set[int] = frozenset(),
    kept: Mapping[int, Cust] | None = None,
) -> dict[int, Cust]:
    """Customers that may own a phone or email of the chunk (or, for rows with neither, the
    same name), with their real contact points and tags to compare against, in the order of
    their ids. ``consented`` / ``tagged`` False: the base holds no consent events / no tags at
    all, so none are read. ``kept``: customers the previous chunk kept (``kept_for_next``),
    taken as they are instead of read again."""
    lookup = getattr(chunk, "lookup", None)  # handed over by the cleaning worker
    if lookup is None:
        lookup = [k for cl in chunk for k in lookup_keys(cl)]
    hashes = list(map(hash, lookup))  # keyindex.key_hash of each (kind, value), at C speed
    owner_ids = keys.owners(hashes) | set(extra_ids)  # extra: namesakes found by name
    if groups:  # a long-format list: rows of one person go to the customer of their group
        owner_ids |= {
            groups[cl.group]
            for cl in chunk
            if isinstance(cl, Clean) and cl.group is not None and cl.group in groups
        }
    if not owner_ids:
        return {}
    known: dict[int, Cust] = {}
    ids = sorted(owner_ids)
    kept = kept or {}
    read = [cid for cid in ids if cid not in kept] if kept else ids
    cols = ("id", "created_import_id", "merged_into_id", *CUSTOMER_COLUMNS)
    for row in select_where_in(conn, customers, cols, "id", read):
        if row[2] is not None:
            continue  # merged away: its points live on the survivor now
        known[row[0]] = Cust(
            row[0],
            dict(zip(CUSTOMER_COLUMNS, row[3:], strict=True)),
            {},
            created_here=row[1] == batch_id,
        )
    owner_of: dict[int, int] = {}  # point id -> customer id
    cols = ("id", "customer_id", "kind", "value", "value_raw", "consent", "consent_at",
            "consent_source")  # fmt: skip
    for pid, cid, kind, value, raw, consent, at, src in select_where_in(
        conn, contact_points, cols, "customer_id", read
    ):
        if cid in known:
            # A second client code (contact point of kind "code") is known by the code's key.
            key = (
                CODE_KEY if kind == CODE_KIND else kind,
                value if value is not None else "raw:" + raw,
            )
            known[cid].keys[key] = [pid, consent, (at, src)]
            owner_of[pid] = cid
    events = select_where_in(
        conn, consents, ("contact_point_id", "channel", "status", "at", "id"),
        "contact_point_id", list(owner_of),
    ) if consented else ()  # fmt: skip
    for pid, channel, status, _at, _id in sorted(events, key=lambda e: (e[3], e[4])):
        known[owner_of[pid]].channel_state[(pid, channel)] = status  # the latest wins
    # In the order of the ids whatever the backend returned them in: the first customer of a
    # key a row may be is its target (sameperson.fold_target).
    read_now = known
    known = {cid: c for cid in ids if (c := kept.get(cid) or read_now.get(cid)) is not None}
    calls = getattr(chunk, "calls", None)  # told by the cleaning worker
    if calls is None:
        calls = any(isinstance(cl, Clean) and cl.call is not None for cl in chunk)
    if calls:
        iq = select(
            interactions.c.customer_id,
            interactions.c.occurred_at,
            interactions.c.direction,
            interactions.c.phone,
        ).where(interactions.c.kind == "call")
        for i in range(0, len(ids), LOOKUP_CHUNK):
            part = ids[i : i + LOOKUP_CHUNK]
            calls_seen.update(
                tuple(r) for r in conn.execute(iq.where(interactions.c.customer_id.in_(part)))
            )
    if not tagged:
        return known
    tq = select(customer_tags.c.customer_id, tags.c.name).join(
        tags, tags.c.id == customer_tags.c.tag_id
    )
    for i in range(0, len(read), LOOKUP_CHUNK):
        part = read[i : i + LOOKUP_CHUNK]
        for cid, name in conn.execute(tq.where(customer_tags.c.customer_id.in_(part))):
            if cid in read_now:
                read_now[cid].tags.add(name)
    return known


def kept_for_next(index: Mapping[tuple, list[Cust]]) -> dict[int, Cust]:
    """The customers of the keys held by many (an office phone, a shared mailbox: any key of
    the chunk's index), after a chunk is written, as the next chunk would read them back (each
    one's fields and points as the base has them now).

    Left out and read again: a customer with consent events, whose latest status the base
    orders by time and the chunk by row."""
    kept: dict[int, Cust] = {}
    for custs in index.values():
        if len(custs) < KEPT_FROM:
            continue
        for c in custs:
            if c.id in kept or c.channel_state:
                continue
            c.first_row = None  # a customer read back does not know its first row
            kept[c.id] = c
    return kept
