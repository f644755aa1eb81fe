"""Contact records → clean customers: normalise, match against the base, write in bulk.

The hot path of `clientbase import`. For each chunk of records it
1. normalises every record (names, phones, emails, birthday, consent) — pure functions;
2. looks up who already owns the chunk's phones and emails (one indexed query per chunk, so memory
   stays flat however big the file is, and customers created by earlier chunks are found too);
3. folds each record into a matching customer or a new one, noting every change;
4. writes the chunk with executemany: customers (RETURNING ids), contact points, updates, the
   before-state of what it overwrote (for `imports undo`) and every raw row with its outcome.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from clientbase.db.models import (
    contact_points,
    customer_tags,
    customers,
    import_changes,
    import_rows,
    tags,
)
from clientbase.importers.records import ContactRecord
from clientbase.normalize.dates import parse_birthday
from clientbase.normalize.emails import normalize_email, split_emails
from clientbase.normalize.names import (
    first_names_compatible,
    looks_like_company,
    name_from_parts,
    parse_full_name,
)
from clientbase.normalize.phones import normalize_phone, split_phones

CHUNK_ROWS = 5000
LOOKUP_CHUNK = 500  # keys per IN (...) query: well under every backend's parameter limit

# Columns of `customers` an import manages; the order is the order of the INSERT.
CUSTOMER_COLUMNS = (
    "kind", "display_name", "last_name", "first_name", "middle_name", "gender",
    "birth_year", "birth_month", "birth_day", "birthday_raw", "company", "position", "city",
    "address", "postcode", "source", "manager", "external_id", "note",
)  # fmt: skip
# Changeable facts: the newer list wins. The acquisition source is history: the first one stays.
NEWER_WINS = ("company", "position", "city", "address", "postcode", "manager", "external_id")

_CONSENT_YES = {"да", "yes", "y", "1", "true", "+", "согласен", "согласна", "есть", "подписан",
                "подписана", "x", "х", "✓", "v", "granted", "opt-in", "subscribed"}  # fmt: skip
_CONSENT_NO = {"нет", "no", "n", "0", "false", "-", "отказ", "отписан", "отписана", "не согласен",
               "withdrawn", "opt-out", "unsubscribed"}  # fmt: skip
_GENDER = {"м": "m", "муж": "m", "мужской": "m", "m": "m", "male": "m", "ж": "f", "жен": "f",
           "женский": "f", "f": "f", "female": "f"}  # fmt: skip
_SUMMARY_ROW = re.compile(r"^(итого|всего|total|итог)\b", re.IGNORECASE)
_TAG_SPLIT = re.compile(r"\s*(?:,|;|:::)\s*")
_GOOGLE_SYSTEM_LABELS = {"myContacts", "starred"}


@dataclass(slots=True)
class Point:
    kind: str
    raw: str
    value: str | None
    valid: bool
    reason: str | None
    label: str | None
    extension: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        # Invalid values have no normalised form; the raw text still identifies them.
        return (self.kind, self.value if self.value is not None else "raw:" + self.raw)


@dataclass(slots=True)
class Clean:
    """A normalised record: customer columns plus its contact points."""

    rec: ContactRecord
    fields: dict
    points: list[Point]
    consent: str | None
    tags: list[str]
    notes: list[str]  # what was flagged while normalising, for the row's reason


@dataclass(slots=True)
class Cust:
    """A customer as the chunk sees it: from the database, or created by a row of this import."""

    id: int | None
    fields: dict
    keys: dict  # (kind, value) -> [point id or None, consent]
    new: bool = False
    created_here: bool = False  # created by this import batch (an earlier chunk or row)
    first_row: int | None = None
    changes_before: dict = field(default_factory=dict)
    changes_after: dict = field(default_factory=dict)
    new_points: list = field(default_factory=list)
    consent_updates: list = field(default_factory=list)  # (point id, old, new)
    tags: set = field(default_factory=set)


@dataclass
class Counts:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # rows folded into a customer an earlier row of the same file created
    rejected: int = 0
    invalid_phones: int = 0
    invalid_emails: int = 0
    invalid_birthdays: int = 0


@dataclass
class Reject:
    row: int
    sheet: str | None
    reason: str
    raw: dict


def parse_consent(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    if v in _CONSENT_YES:
        return "granted"
    if v in _CONSENT_NO:
        return "withdrawn"
    return None


def clean_record(rec: ContactRecord, region: str, default_source: str | None) -> Clean | str:
    """Normalise one record, or return the reason it cannot be a customer."""
    f = rec.fields
    notes: list[str] = []
    out: dict = {}
    full = f.get("full_name")
    company = f.get("company")
    if f.get("last_name") or f.get("first_name") or f.get("middle_name"):
        name = name_from_parts(f.get("last_name"), f.get("first_name"), f.get("middle_name"))
        if not company and full and looks_like_company(full):
            company = full
    elif full and looks_like_company(full) and not company:
        company, name = full, None
    elif full:
        if _SUMMARY_ROW.match(full) and not rec.phones and not rec.emails:
            return f"a summary row ({full!r}), not a customer"
        name = parse_full_name(full)
    else:
        name = None
    if name is not None and (name.last or name.first or name.middle):
        out["last_name"], out["first_name"], out["middle_name"] = name.last, name.first, name.middle
        out["gender"] = name.gender
        out["display_name"] = name.display
        out["kind"] = "person"
    elif company:
        out["kind"] = "company"
    if f.get("gender"):
        g = _GENDER.get(f["gender"].strip().lower().rstrip("."))
        if g:
            out["gender"] = g
    if company:
        out["company"] = company
    for col in ("position", "city", "address", "postcode", "manager", "external_id", "note"):
        v = f.get(col)
        if v:
            out[col] = v
    src = f.get("source") or default_source
    if src:
        out["source"] = src
    if f.get("birthday"):
        try:
            b = parse_birthday(f["birthday"])
        except ValueError as exc:
            b = None
            out["birthday_raw"] = f["birthday"]
            notes.append(f"birthday {f['birthday']!r} kept as text: {exc}")
        if b is not None:
            out["birth_year"], out["birth_month"], out["birth_day"] = b.year, b.month, b.day

    points: list[Point] = []
    seen = set()
    for raw_cell, label in rec.phones:
        for part in split_phones(raw_cell):
            p = normalize_phone(part, rec.region or region)
            pt = Point("phone", part, p.e164, p.valid, p.reason, label, p.extension)
            if pt.key not in seen:
                seen.add(pt.key)
                points.append(pt)
                if not p.valid:
                    notes.append(f"invalid phone {part!r} kept: {p.reason}")
    for raw_cell, label in rec.emails:
        for part in split_emails(raw_cell):
            e = normalize_email(part)
            pt = Point("email", part, e.value, e.valid, e.reason, label)
            if pt.key not in seen:
                seen.add(pt.key)
                points.append(pt)
                if not e.valid:
                    notes.append(f"invalid email {part!r} kept: {e.reason}")
    for kind, value in rec.messengers:
        v = value.strip()
        pt = Point(kind, v, v.lstrip("@").lower() if kind == "telegram" else v, True, None, None)
        if pt.key not in seen:
            seen.add(pt.key)
            points.append(pt)

    if "kind" not in out and not points:
        return "nothing to identify a customer by: no name, company, phone or email"
    if "kind" not in out:
        out["kind"] = "person"
    if not out.get("display_name"):
        out["display_name"] = company or _point_display(points)
    tag_list = []
    if f.get("tags"):
        tag_list = [
            t.lstrip("* ").strip()
            for t in _TAG_SPLIT.split(f["tags"])
            if t.strip() and t.lstrip("* ").strip() not in _GOOGLE_SYSTEM_LABELS
        ]
    return Clean(rec, out, points, parse_consent(f.get("consent")), tag_list, notes)


def _has_valid_key(cl: Clean) -> bool:
    return any(p.valid and p.value is not None and p.kind in ("phone", "email") for p in cl.points)


def _point_display(points: list[Point]) -> str:
    for p in points:
        if p.valid and p.value:
            return p.value
    return points[0].raw if points else ""


def _name_weight(fields: dict) -> int:
    # A full word counts more than an initial, so "Иванов Иван Иванович" beats "Иванов И. И."
    w = 0
    for k in ("last_name", "first_name", "middle_name"):
        v = fields.get(k)
        if v:
            w += 1 if len(v.rstrip(".")) <= 1 else 2
    return w


class ContactWriter:
    """Folds chunks of records into the database inside the caller's transaction."""

    def __init__(self, conn: Connection, batch_id: int, *, region: str, source: str | None):
        self.conn = conn
        self.batch_id = batch_id
        self.region = region
        self.source = source
        self.counts = Counts()
        self.rejects: list[Reject] = []
        self.now = datetime.now().replace(microsecond=0)
        self._tag_ids: dict[str, int] = {}

    # -- public -------------------------------------------------------------------------------
    def write(self, records: Iterable[ContactRecord]) -> None:
        chunk: list[ContactRecord] = []
        for rec in records:
            chunk.append(rec)
            if len(chunk) >= CHUNK_ROWS:
                self._write_chunk(chunk)
                chunk = []
        if chunk:
            self._write_chunk(chunk)

    def reject(self, rec: ContactRecord, reason: str) -> None:
        """Reject a record the reader could not even turn into fields (kept all the same)."""
        self.counts.rows_read += 1
        self.counts.rejected += 1
        self.rejects.append(Reject(rec.row, rec.sheet, reason, rec.raw))
        self.conn.execute(insert(import_rows), [self._row(rec, "rejected", reason, None)])

    # -- one chunk ----------------------------------------------------------------------------
    def _write_chunk(self, chunk: list[ContactRecord]) -> None:
        c = self.counts
        cleaned: list[Clean | str] = [clean_record(r, self.region, self.source) for r in chunk]
        c.rows_read += len(chunk)
        known = self._load_known(cleaned)
        index: dict[tuple[str, str], list[Cust]] = defaultdict(list)
        for cust in known.values():
            for key in cust.keys:
                index[key].append(cust)
            index[("name", cust.fields["display_name"])].append(cust)

        touched: dict[int, Cust] = {}  # id(cust) -> cust, in first-touch order
        row_results = []  # (record, outcome, reason, cust)
        for rec, cl in zip(chunk, cleaned, strict=True):
            if isinstance(cl, str):
                c.rejected += 1
                self.rejects.append(Reject(rec.row, rec.sheet, cl, rec.raw))
                row_results.append((rec, "rejected", cl, None))
                continue
            c.invalid_phones += sum(1 for p in cl.points if p.kind == "phone" and not p.valid)
            c.invalid_emails += sum(1 for p in cl.points if p.kind == "email" and not p.valid)
            if "birthday_raw" in cl.fields:
                c.invalid_birthdays += 1
            cust, matched_by = self._match(cl, index)
            notes = list(cl.notes)
            if cust is None:
                cust = Cust(id=None, fields=dict(cl.fields), keys={}, new=True, created_here=True)
                cust.first_row = rec.row
                index[("name", cust.fields["display_name"])].append(cust)
                self._add_points(cust, cl, index)
                cust.tags.update(cl.tags)
                outcome = "created"
                c.created += 1
            else:
                changed = self._apply(cust, cl, index)
                what = f"same {matched_by[0]} {matched_by[1]}"
                if cust.created_here:
                    c.duplicates += 1
                    where = f"row {cust.first_row}" if cust.first_row else "an earlier row"
                    outcome = "updated" if changed else "unchanged"
                    notes.insert(0, f"duplicate of {where} ({what})")
                elif changed:
                    outcome = "updated"
                    c.updated += 1
                    notes.insert(0, f"{what}; changed {', '.join(changed)}")
                else:
                    outcome = "unchanged"
                    c.unchanged += 1
                    notes.insert(0, what)
            touched[id(cust)] = cust
            row_results.append((rec, outcome, "; ".join(notes) or None, cust))
        self._flush(list(touched.values()), row_results)

    def _load_known(self, cleaned: list[Clean | str]) -> dict[int, Cust]:
        """Customers that own any phone or email of the chunk, with their points."""
        keys: dict[str, set[str]] = defaultdict(set)
        for cl in cleaned:
            if isinstance(cl, Clean):
                for p in cl.points:
                    if p.valid and p.value is not None:
                        keys[p.kind].add(p.value)
        owner_ids: set[int] = set()
        # Rows with no usable phone or email can only be recognised by their exact name (so a
        # re-read of the same list does not double them); see _match.
        names = {
            cl.fields["display_name"]
            for cl in cleaned
            if isinstance(cl, Clean) and not _has_valid_key(cl) and cl.fields.get("display_name")
        }
        names_list = list(names)
        for i in range(0, len(names_list), LOOKUP_CHUNK):
            q = select(customers.c.id).where(
                customers.c.display_name.in_(names_list[i : i + LOOKUP_CHUNK])
            )
            owner_ids.update(self.conn.execute(q).scalars())
        cp = contact_points
        for kind, values in keys.items():
            vals = list(values)
            for i in range(0, len(vals), LOOKUP_CHUNK):
                q = select(cp.c.customer_id).where(
                    cp.c.kind == kind, cp.c.value.in_(vals[i : i + LOOKUP_CHUNK])
                )
                owner_ids.update(self.conn.execute(q).scalars())
        if not owner_ids:
            return {}
        known: dict[int, Cust] = {}
        ids = sorted(owner_ids)
        cols = [customers.c.id, customers.c.created_import_id, customers.c.merged_into_id] + [
            customers.c[n] for n in CUSTOMER_COLUMNS
        ]
        for i in range(0, len(ids), LOOKUP_CHUNK):
            part = ids[i : i + LOOKUP_CHUNK]
            for row in self.conn.execute(select(*cols).where(customers.c.id.in_(part))):
                m = row._mapping
                if m["merged_into_id"] is not None:
                    continue  # merged away: its points live on the survivor now
                known[m["id"]] = Cust(
                    id=m["id"],
                    fields={n: m[n] for n in CUSTOMER_COLUMNS},
                    keys={},
                    created_here=m["created_import_id"] == self.batch_id,
                )
            q = select(
                cp.c.id, cp.c.customer_id, cp.c.kind, cp.c.value, cp.c.value_raw, cp.c.consent
            )
            for pid, cid, kind, value, raw, consent in self.conn.execute(
                q.where(cp.c.customer_id.in_(part))
            ):
                if cid in known:
                    key = (kind, value if value is not None else "raw:" + raw)
                    known[cid].keys[key] = [pid, consent]
            tq = select(customer_tags.c.customer_id, tags.c.name).join(
                tags, tags.c.id == customer_tags.c.tag_id
            )
            for cid, name in self.conn.execute(tq.where(customer_tags.c.customer_id.in_(part))):
                if cid in known:
                    known[cid].tags.add(name)
        return known

    def _match(self, cl: Clean, index) -> tuple[Cust | None, tuple[str, str] | None]:
        first = cl.fields.get("first_name")
        for p in cl.points:  # in the order the row gives them: phones, then emails
            if not p.valid or p.value is None or p.kind not in ("phone", "email"):
                continue
            for cust in index.get(p.key, ()):
                # One number shared by Иван and Мария (a family or an office line) does not make
                # them one person: a clearly different first name keeps them apart.
                if first_names_compatible(cust.fields.get("first_name"), first):
                    return cust, (p.kind, p.value)
        if not _has_valid_key(cl) and cl.fields.get("display_name"):
            wanted = {p.key for p in cl.points}
            for cust in index.get(("name", cl.fields["display_name"]), ()):
                if wanted <= cust.keys.keys() and (
                    not cl.fields.get("company")
                    or cl.fields.get("company") == cust.fields.get("company")
                ):
                    return cust, ("name", cl.fields["display_name"])
        return None, None

    def _add_points(self, cust: Cust, cl: Clean, index) -> int:
        added = 0
        for p in cl.points:
            if p.key in cust.keys:
                continue
            cust.keys[p.key] = [None, cl.consent or "unknown"]
            cust.new_points.append((p, cl.consent))
            index[p.key].append(cust)
            added += 1
        return added

    def _apply(self, cust: Cust, cl: Clean, index) -> list[str]:
        """Fold a record into a known customer; returns what changed (for the row's reason)."""
        old, new = cust.fields, cl.fields
        want: dict = {}
        if _name_weight(new) > _name_weight(old):
            for k in ("last_name", "first_name", "middle_name", "display_name"):
                want[k] = new.get(k)
            want["kind"] = "person"
        if new.get("gender") and not old.get("gender"):
            want["gender"] = new["gender"]
        if new.get("birth_month"):
            same_day = (old.get("birth_month"), old.get("birth_day")) == (
                new["birth_month"],
                new["birth_day"],
            )
            if not (
                same_day
                and (new.get("birth_year") is None or old.get("birth_year") == new["birth_year"])
            ):
                want["birth_year"] = new.get("birth_year")
                want["birth_month"] = new["birth_month"]
                want["birth_day"] = new["birth_day"]
            if old.get("birthday_raw"):
                want["birthday_raw"] = None
        elif new.get("birthday_raw") and not old.get("birth_month"):
            want["birthday_raw"] = new["birthday_raw"]
        for k in NEWER_WINS:
            if new.get(k):
                want[k] = new[k]
        if new.get("source") and not old.get("source"):
            want["source"] = new["source"]
        if new.get("note") and new["note"] not in (old.get("note") or ""):
            want["note"] = f"{old['note']}\n{new['note']}" if old.get("note") else new["note"]
        if (
            new.get("company")
            and (old.get("kind") == "company" or not old.get("display_name"))
            and "display_name" not in want
            and _name_weight(old) == 0
        ):
            want["display_name"] = new["company"]
        changed = [k for k, v in want.items() if old.get(k) != v]
        for k in changed:
            if not cust.new and not cust.created_here and k not in cust.changes_before:
                cust.changes_before[k] = old.get(k)
            old[k] = want[k]
            if not cust.new:
                cust.changes_after[k] = want[k]
        labels = [k for k in changed if k not in ("display_name", "kind")]
        added = self._add_points(cust, cl, index)
        if added:
            labels.append(f"+{added} contact{'s' if added > 1 else ''}")
        if cl.consent:
            for p in cl.points:
                entry = cust.keys.get(p.key)
                if entry and entry[0] is not None and entry[1] != cl.consent:
                    cust.consent_updates.append((entry[0], entry[1], cl.consent))
                    entry[1] = cl.consent
                    labels.append(f"consent {cl.consent}")
        new_tags = set(cl.tags) - cust.tags
        if new_tags:
            cust.tags.update(new_tags)
            labels.append("tags")
        return labels

    # -- writing ------------------------------------------------------------------------------
    def _flush(self, touched: list[Cust], row_results: list) -> None:
        conn, now = self.conn, self.now
        new = [c for c in touched if c.new]
        if new:
            rows = [
                {**{k: c.fields.get(k) for k in CUSTOMER_COLUMNS}, "status": "active",
                 "created_import_id": self.batch_id, "created_at": now, "updated_at": now}
                for c in new
            ]  # fmt: skip
            stmt = insert(customers).returning(customers.c.id, sort_by_parameter_order=True)
            for c, cid in zip(new, conn.execute(stmt, rows).scalars(), strict=True):
                c.id = cid
                c.new = False  # a later chunk may find it again: then it's an update
        # Updates of customers that existed before this chunk, grouped by the columns they touch
        # so each group is one executemany.
        groups: dict[tuple, list[dict]] = defaultdict(list)
        changes = []
        for c in touched:
            if c.changes_after:
                cols = tuple(sorted(c.changes_after))
                groups[cols].append(
                    {"_id": c.id, "updated_at": now, **{k: c.fields[k] for k in cols}}
                )
                if c.changes_before:
                    changes.append(
                        {"import_id": self.batch_id, "customer_id": c.id,
                         "before": {k: c.changes_before[k] for k in c.changes_before},
                         "after": {k: c.fields[k] for k in c.changes_before}}
                    )  # fmt: skip
                c.changes_after = {}
                c.changes_before = {}
        for cols, params in groups.items():
            stmt = (
                update(customers)
                .where(customers.c.id == bindparam("_id"))
                .values({k: bindparam(k) for k in (*cols, "updated_at")})
            )
            conn.execute(stmt, params)
        points = []
        for c in touched:
            for p, consent in c.new_points:
                points.append(
                    {"customer_id": c.id, "kind": p.kind, "value_raw": p.raw, "value": p.value,
                     "extension": p.extension, "valid": p.valid, "invalid_reason": p.reason,
                     "label": p.label, "consent": consent or "unknown",
                     "consent_at": now if consent else None,
                     "consent_source": "import" if consent else None,
                     "import_id": self.batch_id, "created_at": now}
                )  # fmt: skip
            c.new_points = []
        if points:
            conn.execute(insert(contact_points), points)
        consent_rows = []
        for c in touched:
            for pid, before, after in c.consent_updates:
                consent_rows.append({"_pid": pid, "consent": after, "consent_at": now})
                changes.append(
                    {"import_id": self.batch_id, "customer_id": c.id,
                     "before": {"contact_point": pid, "consent": before},
                     "after": {"contact_point": pid, "consent": after}}
                )  # fmt: skip
            c.consent_updates = []
        if consent_rows:
            stmt = (
                update(contact_points)
                .where(contact_points.c.id == bindparam("_pid"))
                .values(consent=bindparam("consent"), consent_at=bindparam("consent_at"),
                        consent_source="import")
            )  # fmt: skip
            conn.execute(stmt, consent_rows)
        if changes:
            conn.execute(insert(import_changes), changes)
        self._write_tags(touched)
        conn.execute(
            insert(import_rows),
            [self._row(rec, outcome, reason, cust) for rec, outcome, reason, cust in row_results],
        )

    def _write_tags(self, touched: list[Cust]) -> None:
        pairs = [(c.id, name) for c in touched for name in c.tags]
        if not pairs:
            return
        missing = {n for _, n in pairs} - set(self._tag_ids)
        if missing:
            q = select(tags.c.name, tags.c.id).where(tags.c.name.in_(missing))
            found = {name: tid for name, tid in self.conn.execute(q)}
            for name in sorted(missing - set(found)):
                found[name] = self.conn.execute(
                    insert(tags).values(name=name)
                ).inserted_primary_key[0]
            self._tag_ids.update(found)
        wanted = {(cid, self._tag_ids[n]) for cid, n in pairs}
        q = select(customer_tags.c.customer_id, customer_tags.c.tag_id).where(
            customer_tags.c.customer_id.in_({cid for cid, _ in wanted})
        )
        have = {tuple(r) for r in self.conn.execute(q)}
        rows = [
            {"customer_id": cid, "tag_id": tid, "import_id": self.batch_id}
            for cid, tid in sorted(wanted - have)
        ]
        if rows:
            self.conn.execute(insert(customer_tags), rows)

    def _row(self, rec: ContactRecord, outcome: str, reason: str | None, cust: Cust | None) -> dict:
        return {
            "import_id": self.batch_id,
            "sheet": rec.sheet,
            "row_number": rec.row,
            "raw": json.dumps(rec.raw, ensure_ascii=False),
            "outcome": outcome,
            "reason": reason[:500] if reason else None,
            "customer_id": cust.id if cust is not None else None,
        }
