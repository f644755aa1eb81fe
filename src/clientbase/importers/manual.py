"""Customers typed by hand (`contacts add`), imported like a file of one batch."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, select

from clientbase.db.models import import_rows
from clientbase.importers.batches import close_batch, open_batch
from clientbase.importers.clean import clean_record, to_json
from clientbase.importers.contacts import ContactWriter, Counts
from clientbase.importers.records import ContactRecord


def import_records(
    conn: Connection, records: list[ContactRecord], *, label: str, region: str = "RU"
) -> tuple[int, Counts, list[tuple[int, str]]]:
    """Records typed by hand (`contacts add`) through the same cleaning, duplicate check and
    batch record as a file: the batch can be listed and undone like any import.

    Returns the batch id, the counts and, per record, (customer id, what happened)."""
    raw = to_json([r.raw for r in records])
    digest = hashlib.sha256(f"{label}\n{datetime.now().isoformat()}\n{raw}".encode()).hexdigest()
    batch_id = open_batch(conn, file_name=label, sha256=digest, format="manual", kind="contacts")
    writer = ContactWriter(conn, batch_id)
    writer.load_existing_keys()
    writer.write([[clean_record(r, region, None) for r in records]])
    c = writer.counts
    close_batch(conn, batch_id, c)
    outcome = conn.execute(
        select(import_rows.c.customer_id, import_rows.c.outcome, import_rows.c.reason)
        .where(import_rows.c.import_id == batch_id)
        .order_by(import_rows.c.id)
    ).all()
    return (
        batch_id,
        c,
        [(cid, f"{out}: {reason}" if reason else out) for cid, out, reason in outcome],
    )
