"""The data model (see GUIDE.md "Data model"): typed SQLAlchemy 2.0 tables.

Raw input rows are stored as JSON text in ``import_rows.raw`` (serialised by the importer once,
in bulk), never parsed back in the hot path. Constraint names follow ``NAMING_CONVENTION`` so
migrations can refer to them by name on every backend.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ImportBatch(Base):
    """One file (or one sheet set of a workbook) brought in by `clientbase import`."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_path: Mapped[str | None] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))  # csv, xlsx, xls, ods, vcard, ...
    kind: Mapped[str] = mapped_column(String(20))  # contacts, orders, calls
    source_label: Mapped[str | None] = mapped_column(String(200))
    options: Mapped[dict | None] = mapped_column(JSON)  # mapping, encoding, delimiter, region...
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)  # rows folded into an earlier row
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    invalid_phones: Mapped[int] = mapped_column(Integer, default=0)
    invalid_emails: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="done")  # done, undone
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class Customer(Base):
    __tablename__ = "customers"
    # A filter on the city reads this index alone (merged away and status are in every listing's
    # test); migration 0007.
    __table_args__ = (Index("ix_customers_city", "city", "merged_into_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="person")  # person, company
    display_name: Mapped[str] = mapped_column(String(500), default="", index=True)
    last_name: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(200))
    middle_name: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(1))  # m, f
    # A birthday's year is often unknown ("12.07"), so the parts are stored apart.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    birth_month: Mapped[int | None] = mapped_column(Integer)
    birth_day: Mapped[int | None] = mapped_column(Integer)
    birthday_raw: Mapped[str | None] = mapped_column(String(100))  # kept when it is not a date
    company: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(1000))
    postcode: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(200))  # acquisition source / channel
    manager: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    created_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ContactPoint(Base):
    """A phone, email or messenger handle of a customer, raw and normalised."""

    __tablename__ = "contact_points"
    __table_args__ = (Index("ix_contact_points_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # phone, email, telegram, whatsapp, vk, other
    value_raw: Mapped[str] = mapped_column(String(500))
    value: Mapped[str | None] = mapped_column(String(320))  # E.164 / lower-case email
    extension: Mapped[str | None] = mapped_column(String(20))
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    invalid_reason: Mapped[str | None] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(100))  # mobile, work, home...
    consent: Mapped[str] = mapped_column(String(16), default="unknown")  # granted, withdrawn
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_source: Mapped[str | None] = mapped_column(String(200))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ImportRow(Base):
    """Every input row of a batch, exactly as read, with what became of it."""

    __tablename__ = "import_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    sheet: Mapped[str | None] = mapped_column(String(200))
    row_number: Mapped[int] = mapped_column(Integer)  # as a spreadsheet shows it (header = 1)
    raw: Mapped[str] = mapped_column(Text)  # JSON object {column: value}
    outcome: Mapped[str] = mapped_column(String(12))  # created, updated, unchanged, rejected
    reason: Mapped[str | None] = mapped_column(String(500))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (Index("ix_import_rows_import_id_row", "import_id", "row_number"),)


class ImportChange(Base):
    """The before-state of a customer field an import overwrote, so `imports undo` can restore it."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    before: Mapped[dict] = mapped_column(JSON)  # {field: old value}
    after: Mapped[dict] = mapped_column(JSON)  # {field: new value}


class Order(Base):
    __tablename__ = "orders"
    # The analyses' per-customer sums read this index alone (customer, time and the summed
    # columns, in that order); it serves the look-ups by customer too.
    __table_args__ = (
        Index("ix_orders_customer_time", "customer_id", "ordered_at", "status", "amount", "margin"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    ordered_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    amount: Mapped[float] = mapped_column(Float)
    cost: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)  # given, or amount - cost
    discount: Mapped[float | None] = mapped_column(Float)
    quantity: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    product: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(200))
    manager: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Interaction(Base):
    """A call, message, meeting, note or follow-up reminder."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # call, message, meeting, note, reminder
    direction: Mapped[str | None] = mapped_column(String(10))  # in, out
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(20))  # answered, missed, rejected...
    phone: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))  # the PBX's call id
    note: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class CustomerTag(Base):
    __tablename__ = "customer_tags"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    expression: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    last_size: Mapped[int | None] = mapped_column(Integer)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Merge(Base):
    """A dedupe merge: who survived, who was merged in, and the full before-state for undo."""

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    merged_ids: Mapped[list] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class Export(Base):
    """What personal data left the base: when, where, how many rows, the file's hash."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(50))
    file_name: Mapped[str | None] = mapped_column(String(2000))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Consent(Base):
    """Marketing consent of one contact point for one channel, as a history of events: the latest
    says what holds; each keeps when, where it came from and which import (for undo)."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_point_channel", "contact_point_id", "channel", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_point_id: Mapped[int] = mapped_column(
        ForeignKey("contact_points.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(16))  # email, sms, calls, ads
    status: Mapped[str] = mapped_column(String(16))  # granted, withdrawn
    at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(200))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )


class Suppression(Base):
    """An opt-out for a phone or email that is not (yet) in the base: exports must skip it."""

    __tablename__ = "suppressions"
    __table_args__ = (Index("ix_suppressions_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # phone, email
    value: Mapped[str] = mapped_column(String(320))  # normalised
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(200))


class AbcSnapshot(Base):
    """A stored ABC/XYZ classification of one window (`analyze abc-xyz --snapshot`): the history
    that later migrations are read from, even after the orders behind it change."""

    __tablename__ = "abc_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100), unique=True)
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    params: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AbcSnapshotRow(Base):
    __tablename__ = "abc_snapshot_rows"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("abc_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: history stays
    abc: Mapped[str] = mapped_column(String(1))
    xyz: Mapped[str] = mapped_column(String(1))
    value: Mapped[float] = mapped_column(Float)
    revenue: Mapped[float] = mapped_column(Float)
    orders: Mapped[int] = mapped_column(Integer)


class Erasure(Base):
    """That a person's data was erased (`contacts forget`): when, and how much; nothing personal."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)  # no foreign key: the card is anonymised
    erased_at: Mapped[datetime] = mapped_column(DateTime)
    counts: Mapped[dict] = mapped_column(JSON)  # rows erased per table


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DedupeCandidate(Base):
    """A pair of customers that may be one person, found by `dedupe` or after an import, with the
    score and the readable reasons; waits for review until merged or marked not a duplicate."""

    __tablename__ = "dedupe_candidates"
    __table_args__ = (Index("ix_dedupe_candidates_pair", "a_id", "b_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))  # a < b
    b_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, merged, rejected
    found_at: Mapped[datetime] = mapped_column(DateTime)


class NotDuplicate(Base):
    """`dedupe not-duplicate A B`: remembered so the pair is never proposed again."""

    __tablename__ = "not_duplicates"

    a_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )  # a < b
    b_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ExportMember(Base):
    """Who was in an export (ids only, no personal data), so `--diff-since` can tell additions
    and removals."""

    __tablename__ = "export_members"

    export_id: Mapped[int] = mapped_column(
        ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: history stays


class WrittenCopy(Base):
    """A file the tool wrote that holds personal data: a backup of the base, an export, a file of
    rejected rows. `contacts forget` names the ones that may still hold the person; the latest
    entry for a path says what is in that file now."""

    __tablename__ = "written_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # backup, upgrade-backup, export, rejects, report
    path: Mapped[str] = mapped_column(String(2000), index=True)  # absolute
    written_at: Mapped[datetime] = mapped_column(DateTime)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    export_id: Mapped[int | None] = mapped_column(ForeignKey("exports.id", ondelete="SET NULL"))
    import_ids: Mapped[list | None] = mapped_column(JSON)  # rejects: the batches it lists
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)  # deleted by the tool


class MetricSnapshot(Base):
    """A dated figure set kept for trends: segment sizes, LTV by channel, RFM segment sizes."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (Index("ix_metric_snapshots_kind_at", "kind", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # segments, rfm, ltv...
    label: Mapped[str | None] = mapped_column(String(100))
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[dict] = mapped_column(JSON)


customers = Customer.__table__
contact_points = ContactPoint.__table__
imports = ImportBatch.__table__
import_rows = ImportRow.__table__
import_changes = ImportChange.__table__
orders = Order.__table__
interactions = Interaction.__table__
tags = Tag.__table__
customer_tags = CustomerTag.__table__
erasures = Erasure.__table__
consents = Consent.__table__
suppressions = Suppression.__table__
abc_snapshots = AbcSnapshot.__table__
abc_snapshot_rows = AbcSnapshotRow.__table__
merges = Merge.__table__
dedupe_candidates = DedupeCandidate.__table__
not_duplicates = NotDuplicate.__table__
export_members = ExportMember.__table__
metric_snapshots = MetricSnapshot.__table__
written_copies = WrittenCopy.__table__
segments = Segment.__table__
exports = Export.__table__
settings = Setting.__table__
