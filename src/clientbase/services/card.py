"""The customer card by hand: add, edit, notes, reminders, archive, and the right to be forgotten."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, or_, select, update

from clientbase.db import facts_cache
from clientbase.db.engine import (
    ScrubIncomplete,
    scrub_free_space,
    tables_changed,
    write_transaction,
)
from clientbase.db.models import (
    consents,
    contact_points,
    customer_tags,
    customers,
    dedupe_candidates,
    erasures,
    import_changes,
    import_rows,
    interactions,
    merges,
    not_duplicates,
)
from clientbase.errors import ClientbaseError, NotFoundError, UsageError
from clientbase.i18n import _
from clientbase.importers.clean import CHANNEL_KINDS, CHANNELS
from clientbase.importers.manual import import_records
from clientbase.importers.records import ContactRecord
from clientbase.normalize.dates import parse_birthday
from clientbase.normalize.emails import normalize_email
from clientbase.normalize.names import looks_like_company, parse_full_name
from clientbase.normalize.phones import normalize_phone
from clientbase.normalize.typed_names import keep_as_typed, tidy
from clientbase.services.contacts import BY_HAND
from clientbase.services.copies import copies_holding
from clientbase.services.dry_run import changes
from clientbase.services.reminders import Reminder, due_reminders  # noqa: F401 (read from here)
from clientbase.services.results import Result

# Columns `contacts edit --field KEY=VALUE` may set (names, phones, emails, birthday have options).
EDITABLE = ("company", "position", "city", "address", "postcode", "source", "manager",
            "external_id", "note", "gender")  # fmt: skip
PERSONAL_COLUMNS = (
    "last_name",
    "first_name",
    "middle_name",
    "gender",
    "birth_year",
    "birth_month",
    "birth_day",
    "birthday_raw",
    "company",
    "position",
    "city",
    "address",
    "postcode",
    "source",
    "manager",
    "external_id",
    "note",
)


@dataclass
class CardInput:
    name: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    birthday: str | None = None
    company: str | None = None
    city: str | None = None
    manager: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def as_record(self) -> ContactRecord:
        raw = {k: v for k, v in (("name", self.name), ("birthday", self.birthday),
                                 ("company", self.company), ("city", self.city),
                                 ("manager", self.manager)) if v}  # fmt: skip
        raw.update({f"phone {i + 1}": p for i, p in enumerate(self.phones)})
        raw.update({f"email {i + 1}": e for i, e in enumerate(self.emails)})
        raw.update(self.fields)
        rec = ContactRecord(row=1, raw=raw)
        for k, v in (("full_name", self.name), ("birthday", self.birthday),
                     ("company", self.company), ("city", self.city), ("manager", self.manager)):  # fmt: skip
            if v:
                rec.fields[k] = v
        rec.fields.update(self.fields)
        rec.phones = [(p, None) for p in self.phones]
        rec.emails = [(e, None) for e in self.emails]
        return rec


def _check_fields(values: dict[str, str]) -> None:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise UsageError(
            _("--field {unknown}: not a field you can set").format(unknown=unknown[0]),
            hint=_("fields: {fields}").format(fields=", ".join(EDITABLE)),
        )


def _checked_points(phones: list[str], emails: list[str], region: str) -> None:
    """Typed by hand, a bad phone or email is a typo to fix now, not data to keep flagged."""
    for p in phones:
        r = normalize_phone(p, region)
        if not r.valid:
            raise UsageError(f"--phone {p!r}: {r.reason}")
    for e in emails:
        r = normalize_email(e)
        if not r.valid:
            raise UsageError(f"--email {e!r}: {r.reason}")


@dataclass(frozen=True, slots=True)
class CardAdded(Result):
    """A customer added by hand: a new one (``created``), or the one whose phone or email it
    was, updated as an import would (``outcome``); ``batch`` is the import batch of the entry."""

    id: int
    batch: int
    created: bool
    outcome: str


@dataclass(frozen=True, slots=True)
class CardEdited(Result):
    """A card changed: the fields replaced, the phones and emails added and how many removed,
    and other customers who share an added phone or email."""

    id: int
    changed: list[str]
    added: list[str]
    removed: int
    shared_with: list[int]


@dataclass(frozen=True, slots=True)
class Erasure(Result):
    """A person erased (or, ``dry_run``, what would be): rows per table, the copies outside the
    base that may still hold them, and whether the free space was scrubbed."""

    OMIT_IF_NONE = ("dry_run", "copies_still_holding_data", "scrubbed")

    id: int
    erased: dict[str, int]
    dry_run: bool | None = None
    copies_still_holding_data: list | None = None
    scrubbed: bool | None = None


def add_contact(engine: Engine, card: CardInput, *, region: str = "RU") -> CardAdded:
    """A new customer, unless the phone or email is already known: then that customer is
    updated, exactly as an import would do it. The entry is an import batch ("contacts add")."""
    if not (card.name or card.phones or card.emails or card.company):
        raise UsageError(_("give at least a name, a phone, an email or a company"))
    _check_fields(card.fields)
    _checked_points(card.phones, card.emails, region)
    if card.birthday:
        _check_birthday(card.birthday)
    with write_transaction(engine) as conn:
        facts_cache.invalidate(conn)  # a new customer (a lead) for the stored facts
        batch, counts, outcomes = import_records(
            conn, [card.as_record()], label="contacts add", region=region
        )
    customer_id, what = outcomes[0]
    return CardAdded(id=customer_id, batch=batch, created=counts.created == 1, outcome=what)


def _check_birthday(text: str) -> None:
    try:
        parse_birthday(text)
    except ValueError as exc:
        raise UsageError(f"--birthday {text!r}: {exc}") from exc


def edit_contact(
    engine: Engine, customer_id: int, card: CardInput, *, remove: list[str] | None = None,
    region: str = "RU", dry_run: bool = False,
) -> CardEdited:  # fmt: skip
    """Change a customer: name, birthday and fields replace; phones and emails are added
    (``remove`` takes some away). Returns what changed and which other customers share an
    added phone or email (a duplicate to look at)."""
    _check_fields(card.fields)
    _checked_points(card.phones, card.emails, region)
    values: dict = dict(card.fields)
    for k in ("company", "city", "manager"):
        if getattr(card, k):
            values[k] = getattr(card, k)
    if card.name:
        if looks_like_company(card.name):
            values.update(company=card.name, display_name=card.name, kind="company")
        elif keep_as_typed(card.name):
            # "Врач Петров", "Розничный покупатель": the name as typed, as an import keeps it.
            values.update(last_name=None, first_name=None, middle_name=None,
                          display_name=tidy(card.name), kind="person")  # fmt: skip
        else:
            n = parse_full_name(card.name)
            values.update(last_name=n.last, first_name=n.first, middle_name=n.middle,
                          display_name=n.display or card.name, kind="person")  # fmt: skip
            if n.gender:
                values["gender"] = n.gender
    if card.birthday:
        try:
            b = parse_birthday(card.birthday)
        except ValueError as exc:
            raise UsageError(f"--birthday {card.birthday!r}: {exc}") from exc
        values.update(birth_year=b.year, birth_month=b.month, birth_day=b.day, birthday_raw=None)
    now = datetime.now()
    shared: list[int] = []
    with changes(engine, dry_run=dry_run) as conn:
        facts_cache.invalidate(conn)  # the card's status and contacts change
        row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
        if row is None:
            raise NotFoundError(
                _("there is no customer {customer_id}").format(customer_id=customer_id),
                hint=_("see: clientbase contacts list"),
            )
        if row.status == "erased":
            raise ClientbaseError(
                _("customer {customer_id} was erased; add a new one instead").format(
                    customer_id=customer_id
                )
            )
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        if changed:
            conn.execute(
                update(customers)
                .where(customers.c.id == customer_id)
                .values(**{k: values[k] for k in changed}, updated_at=now)
            )
        cp = contact_points
        have = {
            (r.kind, r.value)
            for r in conn.execute(select(cp).where(cp.c.customer_id == customer_id))
        }
        added = []
        for kind, raw, value in [
            ("phone", p, normalize_phone(p, region).e164) for p in card.phones
        ] + [("email", e, normalize_email(e).value) for e in card.emails]:
            if (kind, value) in have:
                continue
            have.add((kind, value))
            conn.execute(insert(cp).values(customer_id=customer_id, kind=kind, value_raw=raw, value=value,
                                           valid=True, consent="unknown", created_at=now))  # fmt: skip
            added.append(value)
            shared += conn.execute(
                select(cp.c.customer_id).where(cp.c.kind == kind, cp.c.value == value,
                                               cp.c.customer_id != customer_id)
            ).scalars().all()  # fmt: skip
        removed = 0
        for value in remove or []:
            keys = {value, value.strip().lower(), normalize_phone(value, region).e164 or value}
            removed += conn.execute(
                delete(cp).where(cp.c.customer_id == customer_id,
                                 or_(cp.c.value.in_(keys), cp.c.value_raw == value))
            ).rowcount  # fmt: skip
        if remove and not removed:
            raise UsageError(
                _("--remove: customer {customer_id} has no such phone or email: {remove}").format(
                    customer_id=customer_id, remove=", ".join(remove)
                )
            )
    return CardEdited(id=customer_id, changed=changed, added=added, removed=removed,
                      shared_with=sorted(set(shared)))  # fmt: skip


def _require(conn, customer_id: int):
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
    if row is None:
        raise NotFoundError(
            _("there is no customer {customer_id}").format(customer_id=customer_id),
            hint=_("see: clientbase contacts list"),
        )
    return row


def add_note(engine: Engine, customer_id: int, text: str, *, kind: str = "note",
             outcome: str | None = None) -> int:  # fmt: skip
    """A note, or a logged contact (call, meeting, message) with what was discussed."""
    if not text.strip():
        raise UsageError(_("the note is empty"))
    return _log(engine, customer_id, kind=kind, note=text.strip(), outcome=outcome)


def add_reminder(engine: Engine, customer_id: int, text: str, due: datetime) -> int:
    if not text.strip():
        raise UsageError(_('say what to do, e.g. "позвонить, предложить новую коллекцию"'))
    return _log(engine, customer_id, kind="reminder", note=text.strip(), due_at=due)


def _log(engine: Engine, customer_id: int, **values) -> int:
    now = datetime.now()
    with write_transaction(engine) as conn:
        facts_cache.invalidate(conn)  # a contact: the last contact and the stage change
        _require(conn, customer_id)
        stmt = insert(interactions).values(
            customer_id=customer_id, occurred_at=now, source=BY_HAND, created_at=now, **values
        )
        return conn.execute(stmt).inserted_primary_key[0]


def done_reminder(engine: Engine, reminder_id: int) -> None:
    it = interactions
    with write_transaction(engine) as conn:
        row = conn.execute(
            select(it.c.done_at).where(it.c.id == reminder_id, it.c.kind == "reminder")
        ).first()
        if row is None:
            raise NotFoundError(
                _("there is no reminder {reminder_id}").format(reminder_id=reminder_id),
                hint=_("see: clientbase remind due"),
            )
        if row.done_at is None:
            conn.execute(update(it).where(it.c.id == reminder_id).values(done_at=datetime.now()))


def archive(engine: Engine, customer_id: int) -> None:
    """Asked not to be contacted, history kept: the card stays, marketing leaves it out."""
    with write_transaction(engine) as conn:
        facts_cache.invalidate(conn)  # the stored facts of archived customers change
        row = _require(conn, customer_id)
        if row.status == "erased":
            raise ClientbaseError(
                _("customer {customer_id} was erased already").format(customer_id=customer_id)
            )
        conn.execute(update(customers).where(customers.c.id == customer_id)
                     .values(status="archived", updated_at=datetime.now()))  # fmt: skip
        now = datetime.now()
        conn.execute(update(contact_points).where(contact_points.c.customer_id == customer_id)
                     .values(consent="withdrawn", consent_at=now,
                             consent_source="archived by hand"))  # fmt: skip
        # Per-channel grants recorded earlier would still win over the general consent.
        points = conn.execute(
            select(contact_points.c.id, contact_points.c.kind).where(
                contact_points.c.customer_id == customer_id
            )
        ).all()
        events = [
            {"contact_point_id": pid, "channel": ch, "status": "withdrawn", "at": now,
             "source": "archived by hand"}
            for pid, kind in points for ch in CHANNELS if kind in CHANNEL_KINDS[ch]
        ]  # fmt: skip
        if events:
            conn.execute(insert(consents), events)


def _own_values(conn, ids: list[int], cards) -> set[str]:
    """What identifies the person in raw text: their names, phones and emails as typed and
    normalised, and their company unless a customer who stays works there too (then it
    identifies nobody in particular). Short values (under 5 characters) would match by chance."""
    traces: set[str] = set()
    companies = set()
    for r in cards:
        full = r.last_name and r.first_name and f"{r.last_name} {r.first_name}"
        traces.update(v for v in (r.display_name, full) if v and len(v) >= 5)
        if r.company and len(r.company) >= 5:
            companies.add(r.company)
    if companies:
        shared = set(conn.scalars(
            select(customers.c.company).where(customers.c.company.in_(companies),
                                              customers.c.id.not_in(ids))
        ))  # fmt: skip
        traces |= companies - shared
    cp = contact_points
    for raw, value in conn.execute(
        select(cp.c.value_raw, cp.c.value).where(cp.c.customer_id.in_(ids))
    ):
        traces.update(v for v in (raw, value) if v and len(v) >= 5)
    return traces


def _blank_in_raw_rows(conn, traces: set[str]) -> int:
    """Remove ``traces`` from the values of the raw rows that spell them; returns the rows
    changed. Longest first, so a full name goes before the shorter "last first" inside it."""
    if not traces:
        return 0
    ordered = sorted(traces, key=len, reverse=True)
    mentions = [
        import_rows.c.raw.contains(json.dumps(t, ensure_ascii=False)[1:-1]) for t in ordered
    ]
    changed = 0
    for row_id, raw in conn.execute(
        select(import_rows.c.id, import_rows.c.raw).where(or_(*mentions))
    ).all():
        try:
            data = json.loads(raw)
        except ValueError:
            data = raw  # not JSON after all: scrub the text itself

        def scrub(v):
            if isinstance(v, str):
                for t in ordered:
                    v = v.replace(t, "")
                return v.strip()
            if isinstance(v, dict):
                return {k: scrub(x) for k, x in v.items()}
            if isinstance(v, list):
                return [scrub(x) for x in v]
            return v

        new = json.dumps(scrub(data), ensure_ascii=False)
        if new != raw:
            conn.execute(update(import_rows).where(import_rows.c.id == row_id).values(raw=new))
            changed += 1
    return changed


def _blank_in_notes(conn, ids: list[int], traces: set[str]) -> int:
    """Remove ``traces`` from the notes of other customers and of their calls and meetings
    ("замещает Иванов Сергей"): the note stays, the person leaves it."""
    if not traces:
        return 0
    ordered = sorted(traces, key=len, reverse=True)
    changed = 0
    for table in (customers, interactions):
        owner = table.c.id if table is customers else table.c.customer_id
        found = conn.execute(
            select(table.c.id, table.c.note).where(
                owner.not_in(ids), or_(*(table.c.note.contains(t) for t in ordered))
            )
        ).all()
        for row_id, note in found:
            for t in ordered:
                note = note.replace(t, "")
            conn.execute(update(table).where(table.c.id == row_id).values(note=note.strip()))
            changed += 1
    return changed


def forget(
    engine: Engine, customer_id: int, db_path: Path | None = None, *, dry_run: bool = False
) -> Erasure:
    """Erase a person's personal data everywhere it lives (152-FZ, GDPR).

    Contact points, notes, calls, reminders, tags, the raw rows linked to them and the
    before-states kept for undo go; in other customers' raw rows and notes the person's own
    values (names, phones, emails, a company no one else has) are blanked, the rows stay; orders
    stay for the totals, on a card with no personal data left; an erasure record says when and
    how much, nothing about whom. With secure_delete the freed pages are zeroed; a checkpoint and
    VACUUM then clear the write-ahead log and the free list, so the bytes are gone from the
    files too (``scrubbed`` False when a reader kept them there).
    """
    counts: dict[str, int] = {}
    with changes(engine, dry_run=dry_run) as conn:
        facts_cache.invalidate(conn)  # an erased customer leaves every segment
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        row = _require(conn, customer_id)
        if row.status == "erased":
            raise ClientbaseError(
                _("customer {customer_id} was erased already ({updated_at:%Y-%m-%d})").format(
                    customer_id=customer_id, updated_at=row.updated_at
                )
            )
        # The person may live on several cards: the survivor and those merged into it (their
        # before-states, kept for `dedupe undo`, hold the same data).
        ids = [customer_id]
        frontier = [customer_id]
        while frontier:
            frontier = list(conn.scalars(
                select(customers.c.id).where(customers.c.merged_into_id.in_(frontier))
            ))  # fmt: skip
            ids += frontier
        cards = conn.execute(select(customers).where(customers.c.id.in_(ids))).all()
        cp = contact_points
        traces = _own_values(conn, ids, cards)
        # Before the rows go: the batches whose rejected rows carry the person (a rejects file
        # lists those), and when the base first knew them (for backups).
        ir = import_rows.c
        batches = set(conn.scalars(
            select(ir.import_id).where(ir.outcome == "rejected", or_(ir.customer_id.in_(ids), *(
                ir.raw.contains(json.dumps(t, ensure_ascii=False)[1:-1]) for t in traces
            ))).distinct()
        ))  # fmt: skip
        known_since = min((r.created_at for r in cards if r.created_at), default=None)
        # The raw rows linked to the person go. A row of someone else (a colleague at the same
        # company, a rejected row) that spells one of the person's own values keeps its place
        # as that row's provenance, with those values blanked.
        counts["import_rows"] = conn.execute(
            delete(import_rows).where(import_rows.c.customer_id.in_(ids))
        ).rowcount
        counts["import_rows_blanked"] = _blank_in_raw_rows(conn, traces)
        counts["notes_blanked"] = _blank_in_notes(conn, ids, traces)
        counts["import_changes"] = conn.execute(
            delete(import_changes).where(import_changes.c.customer_id.in_(ids))).rowcount  # fmt: skip
        counts["contact_points"] = conn.execute(
            delete(cp).where(cp.c.customer_id.in_(ids))
        ).rowcount
        counts["interactions"] = conn.execute(
            delete(interactions).where(interactions.c.customer_id.in_(ids))).rowcount  # fmt: skip
        counts["tags"] = conn.execute(
            delete(customer_tags).where(customer_tags.c.customer_id.in_(ids))).rowcount  # fmt: skip
        counts["merges"] = conn.execute(
            delete(merges).where(merges.c.survivor_id.in_(ids))
        ).rowcount
        dc, nd = dedupe_candidates, not_duplicates
        counts["dedupe_candidates"] = conn.execute(
            delete(dc).where(dc.c.a_id.in_(ids) | dc.c.b_id.in_(ids))
        ).rowcount
        conn.execute(delete(nd).where(nd.c.a_id.in_(ids) | nd.c.b_id.in_(ids)))
        counts["merged_cards"] = len(ids) - 1
        conn.execute(
            update(customers)
            .where(customers.c.id.in_(ids))
            .values(
                **dict.fromkeys(PERSONAL_COLUMNS),
                display_name="(erased)",
                status="erased",
                updated_at=datetime.now(),
            )
        )
        conn.execute(
            insert(erasures).values(
                customer_id=customer_id, erased_at=datetime.now(), counts=counts
            )
        )
        copies = copies_holding(conn, ids, known_since, batches, db_path)
        held = tables_changed(conn)  # the tables whose files still keep the old rows
    if dry_run:
        return Erasure(id=customer_id, erased=counts, dry_run=True)
    try:
        scrub_free_space(engine, held)
        scrubbed = True
    except ScrubIncomplete:
        scrubbed = False
    return Erasure(id=customer_id, erased=counts, copies_still_holding_data=copies,
                   scrubbed=scrubbed)  # fmt: skip


def scrub_failed_error(db_path: Path | None, lead: str | None = None) -> ClientbaseError:
    """The one line for an erasure whose bytes are still in the files (another program reads)."""
    where = f" {db_path}" if db_path else ""
    text = _(
        "another program is reading the database, so erased data is still in the file{where}"
    ).format(where=where)
    return ClientbaseError(
        _("{lead}, but {text}").format(lead=lead, text=text) if lead else text,
        hint=_("close it or wait for it to finish, then run: clientbase db scrub"),
    )
