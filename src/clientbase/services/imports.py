"""Import batches: run an import, list the batches, look inside one, undo one."""

from __future__ import annotations

from dataclasses import dataclass, field
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
from clientbase.i18n import _, ngettext
from clientbase.importers import pipeline
from clientbase.importers.pipeline import Progress
from clientbase.importers.rawrow import batch_headers, read_raw
from clientbase.importers.results import ImportOptions, ImportResult
from clientbase.services.dedupe import after_batches
from clientbase.services.results import Result

__all__ = [
    "ImportBatch",
    "ImportBatchDetail",
    "ImportOptions",
    "ImportResult",
    "ImportRowOutcome",
    "ImportUndo",
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


@dataclass(frozen=True, slots=True)
class ImportBatch(Result):
    """One import batch: its file, what it held and what became of its rows."""

    id: int
    file_name: str
    format: str | None
    kind: str | None
    source_label: str | None
    status: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: int
    invalid_phones: int
    invalid_emails: int
    started_at: str | None  # ISO, to the second
    finished_at: str | None
    undone_at: str | None


@dataclass(frozen=True, slots=True)
class ImportRowOutcome(Result):
    """A row of a batch and what became of it (``raw``: the cells as read)."""

    sheet: str | None
    row: int
    outcome: str
    reason: str | None
    customer_id: int | None
    raw: dict


@dataclass(frozen=True, slots=True)
class ImportBatchDetail(ImportBatch):
    """A batch with its options and its rows (`imports show`)."""

    file_path: str | None = None
    sha256: str | None = None
    options: dict | None = None
    rows: list[ImportRowOutcome] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportUndo(Result):
    """What undoing a batch removed and restored (or would, with ``dry_run``)."""

    batch: int
    file: str
    customers_removed: int
    contact_points_removed: int
    changes_restored: int
    interactions_removed: int
    orders_removed: int
    dry_run: bool
    kind: str = "contacts"  # what the batch imported: contacts, orders or calls


def _batch_fields(row) -> dict:
    d = {k: row._mapping[k] for k in BATCH_COLUMNS}
    for k in ("started_at", "finished_at", "undone_at"):
        d[k] = d[k].isoformat(timespec="seconds") if d[k] else None
    return d


def list_imports(engine: Engine, limit: int | None = None) -> list[ImportBatch]:
    q = select(*(imports.c[k] for k in BATCH_COLUMNS)).order_by(imports.c.id.desc())
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [ImportBatch(**_batch_fields(r)) for r in conn.execute(q)]


def show_import(engine: Engine, batch_id: int, *, outcome: str | None = None) -> ImportBatchDetail:
    with engine.connect() as conn:
        row = conn.execute(select(imports).where(imports.c.id == batch_id)).first()
        if row is None:
            raise NotFoundError(
                _("there is no import batch {batch_id}").format(batch_id=batch_id),
                hint=_("see: clientbase imports list"),
            )
        q = select(
            import_rows.c.sheet, import_rows.c.row_number, import_rows.c.outcome,
            import_rows.c.reason, import_rows.c.customer_id, import_rows.c.raw,
        ).where(import_rows.c.import_id == batch_id).order_by(import_rows.c.id)  # fmt: skip
        if outcome:
            q = q.where(import_rows.c.outcome == outcome)
        headers = batch_headers(row.options)
        rows = [
            ImportRowOutcome(sheet=r.sheet, row=r.row_number, outcome=r.outcome, reason=r.reason,
                             customer_id=r.customer_id,
                             raw=read_raw(r.raw, headers.get(r.sheet or "")))
            for r in conn.execute(q)
        ]  # fmt: skip
    return ImportBatchDetail(
        **_batch_fields(row), file_path=row.file_path, sha256=row.sha256, options=row.options,
        rows=rows,
    )  # fmt: skip


def undo_import(engine: Engine, batch_id: int, *, dry_run: bool = False) -> ImportUndo:
    """Remove what a batch created and put back what it changed.

    Refused while a later batch still builds on the same customers: undoing underneath it would
    silently throw away the later batch's data too. Undo the later one first. Refused, too, while
    a merge made since involves its customers; that merge is named first, with its undo.
    """
    with write_transaction(engine) as conn:
        facts_cache.invalidate(conn)  # the batch's customers, orders or calls go
        batch = conn.execute(select(imports).where(imports.c.id == batch_id)).first()
        if batch is None:
            raise NotFoundError(
                _("there is no import batch {batch_id}").format(batch_id=batch_id),
                hint=_("see: clientbase imports list"),
            )
        if batch.status == "undone":
            raise ClientbaseError(
                _("import batch {batch_id} was undone already ({undone_at:%Y-%m-%d %H:%M})").format(
                    batch_id=batch_id, undone_at=batch.undone_at
                )
            )
        # Merges first: a merge moves the batch's rows onto its survivor, so until it is undone
        # a later batch that touched only the survivor (an older customer) would look like it
        # built on this batch's customers.
        merged = merges_blocking_import(conn, batch_id, batch.started_at)
        if merged:
            raise ClientbaseError(
                ngettext(
                    "merge {merged} (dedupe) moved customers of batch {batch_id} since it was imported",
                    "merges {merged} (dedupe) moved customers of batch {batch_id} since it was imported",
                    len(merged),
                ).format(merged=", ".join(map(str, merged)), batch_id=batch_id),
                hint=_("undo merge {merged} first: clientbase dedupe undo {merged}").format(
                    merged=merged[0]
                ),
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
                ngettext(
                    "batch {later} (imported later) also touched customers of batch {batch_id}",
                    "batches {later} (imported later) also touched customers of batch {batch_id}",
                    len(later),
                ).format(later=", ".join(map(str, later)), batch_id=batch_id),
                hint=_("undo batch {later} first").format(later=later[0]),
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
        result = ImportUndo(
            batch=batch_id,
            file=batch.file_name,
            customers_removed=removed_customers,
            contact_points_removed=removed_points,
            changes_restored=restored,
            interactions_removed=removed_calls,
            orders_removed=removed_orders,
            dry_run=dry_run,
            kind=batch.kind,
        )
        if dry_run:
            conn.rollback()
    return result
