"""The import batch record: opened as the first write of an import, closed with its counts.

Every import (a file, or cards typed by hand) is one row of ``imports``; the rows it wrote point
at it, which is what `imports show` lists and `imports undo` takes back. Closing a batch also
applies the suppression list to the contact points it brought.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection, func, insert, literal, select, update

from clientbase.db.models import consents, contact_points, imports, suppressions
from clientbase.importers.contacts import Counts


def open_batch(conn: Connection, **values) -> int:
    """The batch row, first write of an import: it takes the write lock for the transaction."""
    zero = dict.fromkeys(
        ("rows_read", "created", "updated", "unchanged", "duplicates", "rejected",
         "invalid_phones", "invalid_emails"), 0,
    )  # fmt: skip
    stmt = insert(imports).values(status="running", started_at=datetime.now(), **zero, **values)
    return conn.execute(stmt).inserted_primary_key[0]


def _apply_suppressions(conn: Connection, batch_id: int) -> None:
    """A phone or email on the suppression list (opted out before it was in the base) arrives
    withdrawn: the batch's new contact points get a withdrawn event for each suppressed channel,
    dated now so it outranks a consent column of the same file — an explicit opt-out wins over
    a list that may be stale."""
    if conn.execute(select(suppressions.c.id).limit(1)).first() is None:
        return  # the usual case: nothing to check
    cp, s = contact_points, suppressions
    already = (
        select(consents.c.id)
        .where(consents.c.contact_point_id == cp.c.id, consents.c.channel == s.c.channel,
               consents.c.status == "withdrawn", consents.c.at >= s.c.at)
        .exists()
    )  # fmt: skip
    source = literal("suppression list") + func.coalesce(literal(": ") + s.c.source, "")
    rows = (
        select(cp.c.id, s.c.channel, literal("withdrawn"), literal(datetime.now()), source,
               literal(batch_id))
        .join(s, (s.c.kind == cp.c.kind) & (s.c.value == cp.c.value))
        .where(cp.c.import_id == batch_id, ~already)
        .distinct()
    )  # fmt: skip
    conn.execute(
        insert(consents).from_select(
            ["contact_point_id", "channel", "status", "at", "source", "import_id"], rows
        )
    )


def close_batch(conn: Connection, batch_id: int, c: Counts, options: dict | None = None) -> None:
    _apply_suppressions(conn, batch_id)
    conn.execute(
        update(imports)
        .where(imports.c.id == batch_id)
        .values(
            status="done",
            finished_at=datetime.now(),
            rows_read=c.rows_read,
            created=c.created,
            updated=c.updated,
            unchanged=c.unchanged,
            duplicates=c.duplicates,
            rejected=c.rejected,
            invalid_phones=c.invalid_phones,
            invalid_emails=c.invalid_emails,
            options={**(options or {}), "counts": asdict(c)},
        )
    )
