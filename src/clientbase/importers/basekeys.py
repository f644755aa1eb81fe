"""The base's keys for a run of imports: read once, topped up between files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from clientbase.db.bulk import next_id, stream
from clientbase.db.models import contact_points, customers
from clientbase.importers.candidates import CODE_KEY, CODE_KIND
from clientbase.importers.keyindex import KeyIndex, key_hash


class BaseKeys:
    """Who owns each phone, email, client code and (for customers without a contact) name in
    the base, for all the files of one run.

    Reading every key of a big base takes seconds, so it is done once per run, not once per
    file. Before each later file only what may have changed since is read again: rows with
    higher ids (another process may have imported in between) and customers touched since
    (a merge moves contact points to the survivor and stamps its ``updated_at``). The index
    answers candidates that are checked against the database, so a stale entry costs a lookup,
    never a wrong match; what the run itself writes is added as it is written."""

    def __init__(self) -> None:
        self.index = KeyIndex()
        self._max_point = 0  # highest contact point id read
        self._max_customer = 0
        self._since: datetime | None = None  # when the last read began (None: never read)

    def refresh(self, conn: Connection) -> None:
        cp, cu = contact_points, customers
        started = datetime.now().replace(microsecond=0)
        max_point = next_id(conn, cp) - 1
        max_customer = next_id(conn, cu) - 1
        if self._since is None:
            point_scope = cust_scope = None
        else:
            touched = select(cu.c.id).where(cu.c.updated_at >= self._since)
            point_scope = (cp.c.id > self._max_point) | cp.c.customer_id.in_(touched)
            cust_scope = (cu.c.id > self._max_customer) | (cu.c.updated_at >= self._since)
        add = self.index.add
        q = select(cp.c.customer_id, cp.c.kind, cp.c.value).where(
            cp.c.valid.is_(True), cp.c.value.is_not(None)
        )
        if point_scope is not None:
            q = q.where(point_scope)
        for cid, kind, value in stream(conn, q):
            add(key_hash(CODE_KEY if kind == CODE_KIND else kind, value), cid)
        q = select(cu.c.id, cu.c.external_id).where(
            cu.c.merged_into_id.is_(None), cu.c.external_id.is_not(None)
        )
        if cust_scope is not None:
            q = q.where(cust_scope)
        for cid, ext in stream(conn, q):
            add(key_hash("ext", ext), cid)
        q = select(cu.c.id, cu.c.display_name).where(
            cu.c.merged_into_id.is_(None),
            cu.c.id.not_in(
                select(cp.c.customer_id).where(
                    cp.c.valid.is_(True), cp.c.kind.in_(("phone", "email"))
                )
            ),
        )
        if cust_scope is not None:
            q = q.where(cust_scope)
        for cid, name in stream(conn, q):
            add(key_hash("name", name), cid)
        self._max_point, self._max_customer = max_point, max_customer
        self._since = started

    def written(self, conn: Connection) -> None:
        """A file of this run is written (its keys went into the index as it was): the next
        top-up starts after it."""
        self._max_point = next_id(conn, contact_points) - 1
        self._max_customer = next_id(conn, customers) - 1
        self._since = datetime.now().replace(microsecond=0)
