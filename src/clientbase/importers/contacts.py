"""Cleaned rows → customers: match against the base, fold, write in bulk.

The stateful half of a contact import (the pure half is ``clean.py``). For each chunk it
1. looks up who already owns the chunk's phones and emails (indexed queries per chunk, so memory
   stays flat however big the file is, and customers created by earlier chunks are found too;
   only the customers of a key held by many, an office number, are kept for the next chunk);
2. folds each row into a matching customer or a new one, noting every change (the rows a
   cleaning worker handed over as columns that meet nobody create theirs a column at a time:
   see ``fresh``);
3. writes the chunk with driver-level executemany: customers, contact points, updates, the
   before-state of what it overwrote (for `imports undo`) and every raw row with its outcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from clientbase.db.bulk import (
    insert_rows,
    next_id,
    timestamp,
    update_rows,
)
from clientbase.db.models import (
    consents,
    contact_points,
    customer_tags,
    customers,
    import_changes,
    import_rows,
    interactions,
    tags,
)
from clientbase.db.rules import NEWER_WINS
from clientbase.db.sparse import insert_filled
from clientbase.i18n import N_, _
from clientbase.importers.alone import rows_alone
from clientbase.importers.basekeys import BaseKeys
from clientbase.importers.callrows import take_call
from clientbase.importers.candidates import (
    CODE_KEY,
    CUSTOMER_COLUMNS,
    Cust,
    kept_for_next,
    load_known,
    namesakes,
)
from clientbase.importers.clean import CHANNEL_KINDS, Clean, Point, Rejected, Skipped
from clientbase.importers.counts import Counts, Reject
from clientbase.importers.fresh_write import FreshLane, fresh_alone, import_records
from clientbase.importers.keyindex import KeyIndex, key_hash
from clientbase.importers.keytargets import KeyTargets
from clientbase.importers.rawrow import read_raw
from clientbase.importers.sameperson import (
    name_only_target,
    name_weight,
)
from clientbase.importers.secondcodes import add_code, code_owner, conflict_line
from clientbase.normalize.names import first_names_compatible

# Columns that hold one value for a whole import or chunk are not in the row tuples: they are
# given once as insert_rows' ``fixed`` (written into the statement, not bound a row at a time).
# The point's columns in the order of clean.Point (kind, raw, value, valid, reason, label,
# extension), so a row is (id, customer id, *point[:7]), then for a row with a consent the
# consent columns.
_POINT_INSERT = (
    "id",
    "customer_id", "kind", "value_raw", "value", "valid", "invalid_reason", "label", "extension",
)  # fmt: skip
_CONSENT_COLUMNS = ("consent", "consent_at", "consent_source")
_NO_CONSENT = {"consent": "unknown", "consent_at": None, "consent_source": None}
if Point._fields[:7] != ("kind", "raw", "value", "valid", "reason", "label", "extension"):
    raise ImportError("contacts._POINT_INSERT follows the order of clean.Point's fields")
_CALL_INSERT = (
    "customer_id", "import_id", "kind", "direction", "occurred_at", "duration_s", "outcome",
    "phone", "source", "external_id", "created_at",
)  # fmt: skip
_CONSENT_INSERT = ("contact_point_id", "channel", "status", "at", "source", "import_id")
# The acquisition source is history, not a changeable fact (NEWER_WINS): the first one stays.
# An identifier is not a changeable fact: a customer keeps the first client code it got.
FIRST_STAYS = ("source", "external_id")
# Words of the per-row reasons (stored with the import rows, in the language of the import).
MATCH_KEYS = {
    "person": N_("person"),
    "client id": N_("client id"),
    "phone": N_("phone"),
    "email": N_("email"),
    "name": N_("name"),
}


@dataclass(slots=True)
class _Plain:
    """What the rows of a chunk that share nothing (see alone.rows_alone) write: built as each
    row is read, written with the rest of the chunk."""

    customers: list = field(default_factory=list)  # (id, fields)
    points: list = field(default_factory=list)  # contact point rows, as _POINT_INSERT
    consented: list = field(default_factory=list)  # ... and those of rows with a consent
    hashes: list = field(default_factory=list)  # their keys for the key index ...
    owners: list = field(default_factory=list)  # ... and the customer of each
    tags: list = field(default_factory=list)  # (customer id, tag name)
    lane: FreshLane | None = None  # the chunk's rows handed over as columns (see fresh)


def _any_row(conn: Connection, column) -> bool:
    return conn.execute(select(column).limit(1)).first() is not None


def _text(value):
    """A time for the JSON before-state: raw driver rows give SQLite's text, others datetime."""
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def _consent_written(c: Cust, now) -> None:
    """The consent time and source the base gets for the points whose consent a chunk updated,
    in the customer's own record of them too (a later chunk may take it as it is)."""
    updated = {pid for pid, *_ in c.consent_updates}
    for entry in c.keys.values():
        if entry[0] in updated:
            entry[2] = (now, "import")


def _reachable_by_contact(c: Cust) -> bool:
    """Has a valid phone or email. Only customers without one are found by their name: a row
    with no usable contact of its own is matched on its exact name (so that reading the same
    list twice does not double the people on it who have no phone)."""
    for kind, v in c.keys:  # a loop, not any(): this runs for every new customer
        if (kind == "phone" or kind == "email") and not v.startswith("raw:"):
            return True
    return False


class ContactWriter:
    """Folds chunks of cleaned rows into the database inside the caller's transaction.

    The caller's transaction must already hold the write lock (its first statement was a write):
    new customer ids are handed out here, from the current maximum.
    """

    def __init__(
        self, conn: Connection, batch_id: int, *, write_rows: bool = True, create: bool = True
    ):
        self.conn = conn
        self.batch_id = batch_id
        # An orders import resolves customers here but records its rows itself (write_rows), and
        # may be told not to create customers it does not find (create).
        self.write_rows = write_rows
        self.create = create
        self.counts = Counts()
        self.rejects: list[Reject] = []
        self.now = datetime.now().replace(microsecond=0)
        self._now_db = timestamp(conn, self.now)
        self._stamp = {"import_id": batch_id, "created_at": self._now_db}  # of each new point
        self._new_customer = {"status": "active", "created_import_id": batch_id,
                              "created_at": self._now_db, "updated_at": self._now_db}  # fmt: skip
        self._next_id = next_id(conn, customers)
        self._next_point_id = next_id(conn, contact_points)
        self._consent_events: list[tuple] = []
        self._tag_ids: dict[str, int] = {}
        # Whether the base holds any consent event or tag: a list without consent or tag
        # columns loaded into a base without them need not look any up for its candidates.
        self._any_consents = _any_row(conn, consents.c.id)
        self._any_tags = _any_row(conn, customer_tags.c.customer_id)
        self.keys = KeyIndex()
        # Calls already in the base, for the customers a chunk touches, plus the ones this import
        # added: an overlapping export (last month's backup and this month's) adds each call once.
        self._calls_seen: set[tuple] = set()
        # Long-format lists: the customer each person's rows (organisation + name) went to.
        self._groups: dict[str, int] = {}
        # One line per row that could not do all it said (a client code another customer has).
        self.warnings: list[str] = []
        self._targets = KeyTargets()  # which customer of a phone or e-mail a row folds into
        self._kept: dict[int, Cust] = {}  # customers of busy keys, not read again (kept_for_next)

    @property
    def base_was_empty(self) -> bool:
        return self._next_id == 1 and len(self.keys) == 0

    def write(self, chunks: Iterable[list[Clean | Rejected]]) -> None:
        for chunk in chunks:
            if chunk:
                self.write_chunk(chunk)

    # -- one chunk ----------------------------------------------------------------------------
    def write_chunk(self, chunk: list[Clean | Rejected]) -> list[tuple]:
        """Fold a chunk in; returns per row (row, outcome, reason, customer id or None)."""
        c = self.counts
        c.rows_read += len(chunk)
        known = load_known(
            self.conn, self.keys, chunk, batch_id=self.batch_id, groups=self._groups,
            calls_seen=self._calls_seen, consented=self._any_consents, tagged=self._any_tags,
            extra_ids=namesakes(self.conn, chunk) if self._next_id > 1 else frozenset(),
            kept=self._kept,
        )  # fmt: skip
        index: dict[tuple[str, str], list[Cust]] = defaultdict(list)
        for cust in known.values():
            for key in cust.keys:
                index[key].append(cust)
            index[("name", cust.fields["display_name"])].append(cust)
            if cust.fields.get("external_id"):
                index[("ext", cust.fields["external_id"])].append(cust)
        for group, cid in self._groups.items():
            if cid in known:
                index[("group", group)].append(known[cid])
        self._targets.new_chunk()

        touched: dict[int, Cust] = {}  # customer id -> customer, in first-touch order
        row_results = []  # (cleaned row, outcome, reason, customer id)
        calls = []  # (customer id, call tuple)
        plain = _Plain()  # new customers of rows that share nothing (see alone.rows_alone)
        fresh = getattr(chunk, "fresh", None)  # rows handed over as columns (see fresh)
        if fresh:  # those that meet a known customer are put back into the chunk
            apart = fresh_alone(fresh, index) if self.create else [False] * len(fresh)
            plain.lane = FreshLane(fresh, chunk, apart)
        alone = rows_alone(chunk, index) if self.create else set()
        for i, cl in enumerate(chunk):
            if cl is None:
                continue  # a fresh row that meets nobody: plain.lane writes it
            if plain.lane is not None:
                plain.lane.advance(self, i)  # ids for the fresh rows before this one
            if i in alone:
                self._create_alone(cl, row_results, plain)
                continue
            if isinstance(cl, Skipped):
                c.skipped_rows += 1
                row_results.append((cl, "skipped", cl.reason, None))
                continue
            if isinstance(cl, Rejected):
                c.rejected += 1
                self.rejects.append(Reject(cl.row, cl.sheet, cl.reason, read_raw(cl.raw_json)))
                row_results.append((cl, "rejected", cl.reason, None))
                continue
            for p in cl.points:
                if not p.valid:
                    if p.kind == "phone":
                        c.invalid_phones += 1
                    elif p.kind == "email":
                        c.invalid_emails += 1
            if "birthday_raw" in cl.fields:
                c.invalid_birthdays += 1
            cust, matched_by = self._match(cl, index)
            notes = list(cl.notes)
            if cust is None and not self.create:
                reason = _("the customer is not in the base (and --no-create-missing)")
                c.rejected += 1
                self.rejects.append(Reject(cl.row, cl.sheet, reason, read_raw(cl.raw_json)))
                row_results.append((cl, "rejected", reason, None))
                continue
            if cust is None:
                cust = Cust(self._next_id, dict(cl.fields), {}, new=True, created_here=True)
                self._next_id += 1
                cust.first_row = cl.row
                index[("name", cust.fields["display_name"])].append(cust)
                if cust.fields.get("external_id"):
                    index[("ext", cust.fields["external_id"])].append(cust)
                if cl.group is not None:
                    self._groups[cl.group] = cust.id
                    index[("group", cl.group)].append(cust)
                self._add_points(cust, cl, index)
                self._channel_consents(cust, cl)
                cust.new_tags.update(cl.tags)
                outcome = "created"
                c.created += 1
            elif cl.call is not None:
                self._apply(cust, cl, index)
                outcome = "updated"  # decided by take_call below
            else:
                changed = self._apply(cust, cl, index, matched_by)
                what = _("same {key} {value}").format(
                    key=_(MATCH_KEYS.get(matched_by[0], matched_by[0])), value=matched_by[1]
                )
                if cust.created_here:
                    c.duplicates += 1
                    outcome = "updated" if changed else "unchanged"
                    if cust.first_row:
                        note = _("duplicate of row {row} ({what})").format(
                            row=cust.first_row, what=what
                        )
                    else:
                        note = _("duplicate of an earlier row ({what})").format(what=what)
                    notes.insert(0, note)
                elif changed:
                    outcome = "updated"
                    c.updated += 1
                    notes.insert(
                        0,
                        _("{what}; changed {fields}").format(what=what, fields=", ".join(changed)),
                    )
                else:
                    outcome = "unchanged"
                    c.unchanged += 1
                    notes.insert(0, what)
            if cl.call is not None:
                outcome, reason = take_call(cust, cl, outcome, self._calls_seen, self.counts, calls)
                notes.insert(0, reason)
            touched[cust.id] = cust
            row_results.append((cl, outcome, "; ".join(notes) or None, cust.id))
        self._flush(list(touched.values()), row_results, calls, plain)
        self._kept = kept_for_next(index)
        return row_results

    def _create_alone(self, cl: Clean, row_results: list, plain: _Plain) -> None:
        """A new customer from a row that shares nothing (see alone.rows_alone): what the general
        path does for it, without the bookkeeping that only matters to later rows. Its rows for
        the database are built here, in one pass over its contact points."""
        c = self.counts
        for p in cl.points:
            if not p.valid:
                if p.kind == "phone":
                    c.invalid_phones += 1
                elif p.kind == "email":
                    c.invalid_emails += 1
        f = cl.fields
        if "birthday_raw" in f:
            c.invalid_birthdays += 1
        cid = self._next_id
        self._next_id += 1
        pid = self._next_point_id
        consent = cl.consent
        tail = (consent, self._now_db, "import") if consent else ()
        into = plain.consented if consent else plain.points
        pid_of = {}
        reachable = False
        for p in cl.points:
            key = p.key
            if key in pid_of:
                continue
            pid_of[key] = pid
            into.append((pid, cid, *p[:7], *tail))
            pid += 1
            if p.valid and p.value is not None:
                plain.hashes.append(hash(key))  # key_hash(kind, value): the key is that pair
                plain.owners.append(cid)
            kind = key[0]
            if (kind == "phone" or kind == "email") and not key[1].startswith("raw:"):
                reachable = True
        self._next_point_id = pid
        if not reachable:
            plain.hashes.append(key_hash("name", f["display_name"]))
            plain.owners.append(cid)
        if f.get("external_id"):
            plain.hashes.append(key_hash("ext", f["external_id"]))
            plain.owners.append(cid)
        for channel, status, when in cl.channel_consents:
            kinds = CHANNEL_KINDS[channel]
            done = set()
            for p in cl.points:
                pid = pid_of[p.key]
                if p.kind not in kinds or pid in done:
                    continue
                done.add(pid)
                self._consent_events.append(
                    (pid, channel, status, timestamp(self.conn, when or self.now),
                     f"import {self.batch_id}", self.batch_id)
                )  # fmt: skip
        c.created += 1
        row_results.append((cl, "created", "; ".join(cl.notes) or None, cid))
        plain.customers.append((cid, f))
        for t in cl.tags:
            plain.tags.append((cid, t))

    def load_existing_keys(self, known: BaseKeys | None = None) -> None:
        """Fill the key index with every phone, email and name already in the base.

        With ``known`` (one per run of several files) the base is read in full only for the
        first file; later files share that index, topped up with what changed in between."""
        if known is None:
            known = BaseKeys()
        known.refresh(self.conn)
        self.keys = known.index

    def _match(self, cl: Clean, index) -> tuple[Cust | None, tuple[str, str] | None]:
        if cl.group is not None:
            for cust in index.get(("group", cl.group), ()):
                return cust, ("person", cust.fields.get("display_name") or "")
        first = cl.fields.get("first_name")
        ext = cl.fields.get("external_id")
        if ext:
            # A client code is the surest key within one system; codes of two systems (an
            # amoCRM id, a 1C code) can collide, so a clearly different name still keeps apart.
            for cust in index.get(("ext", ext), ()):
                if first_names_compatible(cust.fields.get("first_name"), first):
                    return cust, ("client id", ext)
        for p in cl.points:  # in the order the row gives them: phones, then emails
            if not p.valid or p.value is None or p.kind not in ("phone", "email"):
                continue
            custs = index.get(p.key, ())
            if custs and not cl.trust_name:
                return custs[0], (p.kind, p.value)
            # One number shared by Иван and Мария (a family or an office line) does not make
            # them one person: a clearly different first name, birthday, patronymic, gender or
            # surname keeps them apart; a row that fits two people of the number is folded into
            # neither.
            k = self._targets.target(p.key, custs, cl.fields) if custs else None
            if k is not None:
                return custs[k], (p.kind, p.value)
        if not cl.has_valid_key and cl.fields.get("display_name"):
            # No phone or e-mail to match on: sameperson.name_only_target, over its namesakes.
            wanted = {p.key for p in cl.points}
            custs = list(
                {c.id: c for c in index.get(("name", cl.fields["display_name"]), ())}.values()
            )
            candidates = [
                (c.fields, wanted <= c.keys.keys() and not _reachable_by_contact(c)) for c in custs
            ]
            unreadable = any(p.kind in ("phone", "email") for p in cl.points)
            k = name_only_target(candidates, cl.fields, unreadable_contact=unreadable)
            if k is not None:
                return custs[k], ("name", cl.fields["display_name"])
        return None, None

    def _add_points(self, cust: Cust, cl: Clean, index) -> int:
        added = 0
        for p in cl.points:
            if p.key in cust.keys:
                continue
            pid = self._next_point_id  # assigned here, so a consent can refer to it at once
            self._next_point_id += 1
            cust.keys[p.key] = [pid, cl.consent or "unknown", (None, None)]
            cust.new_points[p.key] = [p, cl.consent, pid]
            index[p.key].append(cust)
            added += 1
        return added

    def _channel_consents(self, cust: Cust, cl: Clean) -> list[str]:
        """Consent for one channel (SMS, email, calls, ads) from its own column: an event on
        each of the row's contact points the channel reaches, unless it says what holds already."""
        labels = []
        for channel, status, when in cl.channel_consents:
            for p in cl.points:
                if p.kind not in CHANNEL_KINDS[channel]:
                    continue
                pid = cust.keys[p.key][0]
                if cust.channel_state.get((pid, channel)) == status:
                    continue
                cust.channel_state[(pid, channel)] = status
                self._consent_events.append(
                    (pid, channel, status, timestamp(self.conn, when or self.now),
                     f"import {self.batch_id}", self.batch_id)
                )  # fmt: skip
                labels.append(f"{channel} consent {status}")
        return labels

    def _apply(
        self, cust: Cust, cl: Clean, index, matched_by: tuple[str, str] | None = None
    ) -> list[str]:
        """Fold a row into a known customer; returns what changed (for the row's reason)."""
        old, new = cust.fields, cl.fields
        if not cl.trust_name:
            # From a call log only a name for a customer known by nothing but the number.
            named = name_weight(old) > 0 or old.get("kind") == "company"
            keep = (
                ()
                if named
                else ("last_name", "first_name", "middle_name", "display_name", "gender")
            )
            new = {k: new[k] for k in keep if k in new}
        want: dict = {}
        if name_weight(new) > name_weight(old):
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
            # A year-less birthday does not wipe a known year.
            if not same_day or new.get("birth_year") not in (None, old.get("birth_year")):
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
        code = new.get("external_id")
        if code and code != old.get("external_id") and (CODE_KEY, code) not in cust.keys:
            owner = code_owner(cust, code, index)
            if owner is not None:  # it stays with them, with a warning
                key, value = matched_by or ("name", old.get("display_name") or "")
                by = _("same {key} {value}").format(key=_(MATCH_KEYS.get(key, key)), value=value)
                self.warnings.append(conflict_line(cl, code, owner, cust, by))
                self.counts.code_conflicts += 1
                new = {k: v for k, v in new.items() if k != "external_id"}
            elif old.get("external_id"):  # a second system's code, kept beside the first
                add_code(cust, code, self._next_point_id, index)
                self._next_point_id += 1
        for k in FIRST_STAYS:
            if new.get(k) and not old.get(k):
                want[k] = new[k]
        if new.get("note") and new["note"] not in (old.get("note") or ""):
            want["note"] = f"{old['note']}\n{new['note']}" if old.get("note") else new["note"]
        if new.get("company") and name_weight(old) == 0 and "display_name" not in want:
            want["display_name"] = new["company"]  # a company card takes its name
        changed = [k for k, v in want.items() if old.get(k) != v]
        for k in changed:
            if not cust.created_here and k not in cust.changes_before:
                cust.changes_before[k] = old.get(k)
            old[k] = want[k]
            if not cust.new:
                cust.changes_after[k] = want[k]
        self._targets.changed(old, changed)
        if "external_id" in changed:  # later rows of this chunk may know them by it
            index[("ext", old["external_id"])].append(cust)
        labels = [k for k in changed if k not in ("display_name", "kind")]
        added = self._add_points(cust, cl, index)
        if added:
            labels.append(f"+{added} contact{'s' if added > 1 else ''}")
        if cl.consent:
            for p in cl.points:
                entry = cust.keys.get(p.key)
                if entry is None or entry[1] == cl.consent:
                    continue
                if p.key in cust.new_points:  # added by an earlier row of this chunk, not written
                    cust.new_points[p.key][1] = cl.consent
                else:
                    cust.consent_updates.append((entry[0], entry[1], entry[2], cl.consent))
                entry[1] = cl.consent
                labels.append(f"consent {cl.consent}")
        labels += self._channel_consents(cust, cl)
        fresh = set(cl.tags) - cust.tags - cust.new_tags
        if fresh:
            cust.new_tags.update(fresh)
            labels.append("tags")
        return labels

    # -- writing ------------------------------------------------------------------------------
    def _flush(
        self, touched: list[Cust], row_results: list, calls: list, plain: _Plain | None = None
    ) -> None:
        conn, now = self.conn, self._now_db
        if plain is None:
            plain = _Plain()
        new_rows = plain.customers
        hashes = plain.hashes
        owners = plain.owners
        for c in touched:
            if c.new:
                f = c.fields
                if not _reachable_by_contact(c):
                    self.keys.add(key_hash("name", f["display_name"]), c.id)
                if f.get("external_id"):
                    self.keys.add(key_hash("ext", f["external_id"]), c.id)
                new_rows.append((c.id, f))
                c.new = False  # a later chunk may find it again: then it's an update
        self._insert_customers(new_rows)
        lane, lane_rows = plain.lane, None
        if lane is not None:
            out = lane.rows(self)
            insert_rows(conn, customers, out.customer_columns, out.customers, self._new_customer)
            fixed = self._stamp if out.consented else {**_NO_CONSENT, **self._stamp}
            insert_rows(conn, contact_points, out.point_columns, out.points, fixed)
            hashes += out.hashes
            owners += out.owners
            lane_rows = out.records
        # Updates of customers that existed before this chunk: one bulk update of every column
        # any of them changed (the others keep their value: ``fields`` holds each card whole).
        updated: list[Cust] = []
        changed_cols: set[str] = set()
        changes = []
        for c in touched:
            if c.changes_after:
                if "display_name" in c.changes_after and not _reachable_by_contact(c):
                    self.keys.add(key_hash("name", c.fields["display_name"]), c.id)
                if c.changes_after.get("external_id"):
                    self.keys.add(key_hash("ext", c.changes_after["external_id"]), c.id)
                changed_cols.update(c.changes_after)
                updated.append(c)
                c.changes_after = {}
            if c.changes_before:
                before = c.changes_before
                after = {k: c.fields[k] for k in before}
                changes.append(
                    {
                        "import_id": self.batch_id,
                        "customer_id": c.id,
                        "before": before,
                        "after": after,
                    }
                )
                c.changes_before = {}
        cols = sorted(changed_cols)
        update_rows(
            conn, customers, "id", (*cols, "updated_at"),
            [(c.id, *[c.fields.get(k) for k in cols], now) for c in updated],
        )  # fmt: skip
        points, consented = plain.points, plain.consented
        for c in touched:
            for p, consent, pid in c.new_points.values():
                if p.valid and p.value is not None:
                    hashes.append(hash(p.key))  # key_hash (a code point: the code's key)
                    owners.append(c.id)
                if consent:
                    consented.append((pid, c.id, *p[:7], consent, now, "import"))
                    c.keys[p.key][2] = (now, "import")  # as a later chunk would read it
                else:
                    points.append((pid, c.id, *p[:7]))
            c.new_points = {}
        self.keys.add_many(hashes, owners)
        # Two statements: the points of rows without a consent (most lists) get theirs fixed.
        insert_filled(conn, contact_points, _POINT_INSERT, points, {**_NO_CONSENT, **self._stamp})
        insert_filled(
            conn, contact_points, (*_POINT_INSERT, *_CONSENT_COLUMNS), consented, self._stamp
        )
        if self._consent_events:
            self._any_consents = True
        insert_rows(conn, consents, _CONSENT_INSERT, self._consent_events)
        self._consent_events = []
        consent_rows = []
        for c in touched:
            if c.consent_updates:
                _consent_written(c, now)
            for pid, before, before_at, after in c.consent_updates:
                consent_rows.append({"_pid": pid, "consent": after, "consent_at": self.now})
                changes.append(
                    {"import_id": self.batch_id, "customer_id": c.id,
                     "before": {"contact_point": pid, "consent": before,
                                "consent_at": _text(before_at[0]),
                                "consent_source": before_at[1]},
                     "after": {"contact_point": pid, "consent": after}}
                )  # fmt: skip
            c.consent_updates = []
        if consent_rows:
            stmt = (
                update(contact_points)
                .where(contact_points.c.id == bindparam("_pid"))
                .values(
                    consent=bindparam("consent"),
                    consent_at=bindparam("consent_at"),
                    consent_source="import",
                )
            )
            conn.execute(stmt, consent_rows)
        if changes:
            conn.execute(insert(import_changes), changes)
        self._write_tags(touched, plain.tags)
        insert_rows(
            conn,
            interactions,
            _CALL_INSERT,
            [
                (
                    cid,
                    self.batch_id,
                    "call",
                    d,
                    timestamp(conn, at),
                    dur,
                    res,
                    phone,
                    src,
                    call_id,
                    now,
                )
                for cid, (d, at, dur, res, phone, src, call_id) in calls
            ],
        )
        if self.write_rows:
            cols, rows, fixed = import_records(row_results, lane, lane_rows, self.batch_id)
            insert_filled(conn, import_rows, cols, rows, fixed)

    def _insert_customers(self, new: list[tuple[int, dict]]) -> None:
        """New customers as (id, fields): only the columns some of them fill are sent (a list
        fills a handful of the customer columns; every bound NULL costs the driver), read from
        each card with one C-level map instead of a look-up per column in Python."""
        if not new:
            return
        filled = set().union(*[f for _cid, f in new])  # every key of every card, at C speed
        cols = tuple(k for k in CUSTOMER_COLUMNS if k in filled)
        rows = [(cid, *map(f.get, cols)) for cid, f in new]
        insert_rows(self.conn, customers, ("id", *cols), rows, self._new_customer)

    def _write_tags(self, touched: list[Cust], more: list[tuple[int, str]]) -> None:
        pairs = [(c.id, name) for c in touched for name in c.new_tags] + more
        for c in touched:
            c.tags |= c.new_tags
            c.new_tags = set()
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
        rows = sorted({(cid, self._tag_ids[n], self.batch_id) for cid, n in pairs})
        self._any_tags = True
        insert_rows(self.conn, customer_tags, ("customer_id", "tag_id", "import_id"), rows)
