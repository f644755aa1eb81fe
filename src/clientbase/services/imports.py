"""Import batches: run an import, list the batches, look inside one, undo one."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, func, select, update

from clientbase.db import facts_cache
from clientbase.db.engine import write_transaction
from clientbase.db.models import (
    consents,
    contact_points,
    customer_tags,
    customers,
    import_changes,
    import_rows,
    imports,
    interactions,
    orders,
)
from clientbase.dedupe.merge import merges_blocking_import
from clientbase.errors import ClientbaseError, NotFoundError
from clientbase.importers import pipeline
from clientbase.importers.pipeline import ImportOptions, ImportResult, Progress
from clientbase.services.dedupe import after_batches

__all__ = [
    "ImportOptions",
    "ImportResult",
    "list_imports",
    "run_import",
    "show_import",
    "undo_import",
]

BATCH_COLUMNS = (
    "id", "file_name", "format", "kind", "source_label", "status", "rows_read", "created",
    "updated", "unchanged", "duplicates", "rejected", "invalid_phones", "invalid_emails",
    "started_at", "finished_at", "undone_at",
)  # fmt: skip


def run_import(
    engine: Engine,
    paths: list[Path],
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportResult:
    """Import files and folders, one batch per file (see `clientbase.importers.pipeline`), then
    look for possible duplicates of the new customers unless ``options.find_duplicates`` is off."""

    def after_contacts(engine: Engine, batch_ids: list[int]) -> int | None:
        # The area code the phones were read with completes the base's local numbers too.
        return after_batches(engine, batch_ids, region=options.region)

    return pipeline.run_import(engine, paths, options, progress, after_contacts=after_contacts)


def _batch_dict(row) -> dict:
    d = {k: row._mapping[k] for k in BATCH_COLUMNS}
    for k in ("started_at", "finished_at", "undone_at"):
        d[k] = d[k].isoformat(timespec="seconds") if d[k] else None
    return d


def list_imports(engine: Engine, limit: int | None = None) -> list[dict]:
    q = select(*(imports.c[k] for k in BATCH_COLUMNS)).order_by(imports.c.id.desc())
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [_batch_dict(r) for r in conn.execute(q)]


def show_import(engine: Engine, batch_id: int, *, outcome: str | None = None) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(imports).where(imports.c.id == batch_id)).first()
        if row is None:
            raise NotFoundError(
                f"there is no import batch {batch_id}", hint="see: clientbase imports list"
            )
        d = _batch_dict(row)
        d.update(file_path=row.file_path, sha256=row.sha256, options=row.options)
        q = select(
            import_rows.c.sheet, import_rows.c.row_number, import_rows.c.outcome,
            import_rows.c.reason, import_rows.c.customer_id, import_rows.c.raw,
        ).where(import_rows.c.import_id == batch_id).order_by(import_rows.c.id)  # fmt: skip
        if outcome:
            q = q.where(import_rows.c.outcome == outcome)
        d["rows"] = [
            {"sheet": r.sheet, "row": r.row_number, "outcome": r.outcome, "reason": r.reason,
             "customer_id": r.customer_id, "raw": json.loads(r.raw)}
            for r in conn.execute(q)
        ]  # fmt: skip
    return d


def undo_import(engine: Engine, batch_id: int, *, dry_run: bool = False) -> dict:
    """Remove what a batch created and put back what it changed.

    Refused while a later batch still builds on the same customers: undoing underneath it would
    silently throw away the later batch's data too. Undo the later one first.
    """
    with write_transaction(engine) as conn:
        facts_cache.invalidate(conn)  # the batch's customers, orders or calls go
        batch = conn.execute(select(imports).where(imports.c.id == batch_id)).first()
        if batch is None:
            raise NotFoundError(
                f"there is no import batch {batch_id}", hint="see: clientbase imports list"
            )
        if batch.status == "undone":
            raise ClientbaseError(
                f"import batch {batch_id} was undone already ({batch.undone_at:%Y-%m-%d %H:%M})"
            )
        touched = (
            select(import_rows.c.customer_id)
            .where(import_rows.c.import_id == batch_id, import_rows.c.outcome.in_(("created", "updated")))
            .scalar_subquery()
        )  # fmt: skip
        later = conn.execute(
            select(import_rows.c.import_id)
            .join(imports, imports.c.id == import_rows.c.import_id)
            .where(
                import_rows.c.import_id > batch_id,
                imports.c.status == "done",
                import_rows.c.outcome.in_(("created", "updated", "unchanged")),
                import_rows.c.customer_id.in_(touched),
            )
            .distinct()
            .order_by(import_rows.c.import_id.desc())
        ).scalars().all()  # fmt: skip
        if later:
            raise ClientbaseError(
                f"batch {', '.join(map(str, later))} (imported later) also touched customers of "
                f"batch {batch_id}",
                hint=f"undo batch {later[0]} first",
            )

        merged = merges_blocking_import(conn, batch_id, batch.started_at)
        if merged:
            raise ClientbaseError(
                f"merge {', '.join(map(str, merged))} (dedupe) moved customers of batch "
                f"{batch_id} since it was imported",
                hint=f"undo merge {merged[0]} first: clientbase dedupe undo {merged[0]}",
            )
        changes = conn.execute(
            select(import_changes.c.customer_id, import_changes.c.before)
            .where(import_changes.c.import_id == batch_id)
            .order_by(import_changes.c.id.desc())
        ).all()
        restored = 0
        now = datetime.now()
        for customer_id, before in changes:
            if "order" in before:
                oid = before.pop("order")
                if before.get("ordered_at"):
                    before["ordered_at"] = datetime.fromisoformat(before["ordered_at"])
                conn.execute(update(orders).where(orders.c.id == oid).values(**before))
            elif "contact_point" in before:
                pid = before.pop("contact_point")
                if before.get("consent_at"):  # stored as text in the JSON record
                    before["consent_at"] = datetime.fromisoformat(before["consent_at"])
                conn.execute(
                    update(contact_points).where(contact_points.c.id == pid).values(**before)
                )
            else:
                conn.execute(
                    update(customers)
                    .where(customers.c.id == customer_id)
                    .values(**before, updated_at=now)
                )
            restored += 1
        removed_points = conn.execute(
            select(func.count())
            .select_from(contact_points)
            .where(
                contact_points.c.import_id == batch_id,
                contact_points.c.customer_id.not_in(
                    select(customers.c.id).where(customers.c.created_import_id == batch_id)
                ),
            )
        ).scalar_one()
        removed_orders = conn.execute(delete(orders).where(orders.c.import_id == batch_id)).rowcount
        removed_calls = conn.execute(
            delete(interactions).where(interactions.c.import_id == batch_id)
        ).rowcount
        conn.execute(delete(consents).where(consents.c.import_id == batch_id))
        conn.execute(delete(contact_points).where(contact_points.c.import_id == batch_id))
        conn.execute(delete(customer_tags).where(customer_tags.c.import_id == batch_id))
        # Its import_rows stay as the record of what was read; their customer_id goes NULL by
        # the foreign key (ON DELETE SET NULL).
        removed_customers = conn.execute(
            delete(customers).where(customers.c.created_import_id == batch_id)
        ).rowcount
        conn.execute(
            update(imports).where(imports.c.id == batch_id).values(status="undone", undone_at=now)
        )
        result = {
            "batch": batch_id,
            "file": batch.file_name,
            "customers_removed": removed_customers,
            "contact_points_removed": removed_points,
            "changes_restored": restored,
            "interactions_removed": removed_calls,
            "orders_removed": removed_orders,
            "dry_run": dry_run,
        }
        if dry_run:
            conn.rollback()
    return result
