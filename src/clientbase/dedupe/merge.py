"""Merging customers who are one person, with survivorship rules, a full before-state and undo.

A merge keeps one customer (the survivor: the oldest record unless told otherwise) and folds the
others into it:

- the name: the fullest one wins (more full words; a full first name over a diminutive or an
  initial; then the longer spelling), so "Иванова Александра Петровна" beats "Саша Иванова";
- a value beats an empty one; for facts that change (city, position, company, address, postcode,
  manager) the value of the most recently updated record wins; the birthday is the most complete
  one; the earliest acquisition source, client code and creation date stay; notes are joined;
- every phone and email is kept: contact points move to the survivor, and a point whose kind and
  value the survivor has already is dropped, its consent events moved onto the one kept (so the
  latest event of each channel still holds, and a withdrawal is never lost);
- orders, interactions (calls, notes, reminders), tags and the import rows that brought the data
  (provenance) move to the survivor; the merged-away records stay, marked ``merged_into_id`` and
  status "merged", so their cards can say where they went.

Each merge stores the before-state of every row it touched (``merges.snapshot``), so `undo` puts
back exactly what was there. Everything is done in bulk (a query per table for all groups, not per
customer), so the thousands of merges of a `dedupe --yes` over a large base take seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Boolean, Connection, DateTime, Table, bindparam, delete, func, insert, select
from sqlalchemy import update as sql_update

from clientbase.db import facts_cache
from clientbase.db.bulk import select_where_in
from clientbase.db.models import (
    consents,
    contact_points,
    customer_tags,
    customers,
    dedupe_candidates,
    import_rows,
    imports,
    interactions,
    merges,
    orders,
)
from clientbase.db.rules import NEWER_WINS
from clientbase.errors import ClientbaseError, NotFoundError, UsageError
from clientbase.i18n import _
from clientbase.normalize.names import canonical_first_name

SNAPSHOT_VERSION = 1
CUSTOMER_COLS = tuple(c.name for c in customers.columns)
POINT_COLS = tuple(c.name for c in contact_points.columns)
NAME_FIELDS = ("last_name", "first_name", "middle_name", "display_name")
BIRTHDAY_FIELDS = ("birth_year", "birth_month", "birth_day", "birthday_raw")
# The columns a merge may change on the survivor (the merged-away rows only get a status).
SURVIVOR_FIELDS = (
    "kind", *NAME_FIELDS, "gender", *BIRTHDAY_FIELDS, *NEWER_WINS, "source", "external_id",
    "note", "status", "created_at",
)  # fmt: skip
MOVED_TABLES = {"orders": orders, "interactions": interactions, "import_rows": import_rows}


@dataclass
class MergeRequest:
    """One group to merge: customer ids, and the evidence that makes them one person."""

    ids: Sequence[int]
    score: float | None = None
    reasons: Sequence[str] = ()
    survivor: int | None = None


@dataclass
class UndoResult:
    merge_id: int
    survivor_id: int
    restored_ids: list[int]
    # Fields of the survivor changed by someone else after the merge: left as they are now.
    kept_fields: list[str] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------
def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _jsonable(value):
    """A column value as JSON: raw SQLite rows hold text already; other drivers give datetimes."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def _compact(row: dict) -> dict:
    """A row for the snapshot: the columns that hold something (the rest are NULL)."""
    return {k: _jsonable(v) for k, v in row.items() if v is not None}


def _typed(table: Table, values: dict) -> dict:
    """Snapshot values back into what SQLAlchemy binds for each column's type."""
    out = {}
    for k, v in values.items():
        col_type = table.c[k].type
        if v is not None and isinstance(col_type, DateTime) and isinstance(v, str):
            v = datetime.fromisoformat(v)
        elif v is not None and isinstance(col_type, Boolean):
            v = bool(v)
        out[k] = v
    return out


def _full(table: Table, compact: dict) -> dict:
    """A whole row from its compact snapshot form: columns not stored were NULL."""
    return _typed(table, {c.name: compact.get(c.name) for c in table.columns})


def _name_rank(row: dict) -> tuple:
    """How full a name is: whole words count twice an initial; a full first name beats a
    diminutive (Александра over Саша); then the longer spelling."""
    weight, length = 0, 0
    for k in ("last_name", "first_name", "middle_name"):
        v = row.get(k)
        if v and v.strip():
            bare = v.strip().rstrip(".")
            weight += 1 if len(bare) <= 1 else 2
            length += len(bare)
    first = (row.get("first_name") or "").strip()
    full_first = bool(first) and canonical_first_name(first, row.get("gender")) == first.lower()
    return weight, full_first, length


def _birthday_rank(row: dict) -> int:
    return (2 if row.get("birth_month") and row.get("birth_day") else 0) + (
        1 if row.get("birth_year") else 0
    )


def survivor_values(members: list[dict]) -> dict:
    """The survivor's fields after the merge. ``members`` are full customer rows, the survivor
    first and the others oldest first (so ties go to the survivor, then to the older record)."""
    surv = members[0]
    out = {k: surv.get(k) for k in SURVIVOR_FIELDS}
    # Name: the fullest wins, with its kind; max() keeps the first of equals (the survivor).
    best = max(members, key=_name_rank)
    if best is not surv:
        for k in NAME_FIELDS:
            out[k] = best.get(k)
        out["kind"] = best.get("kind") or "person"
        if best.get("gender"):
            out["gender"] = best["gender"]
    if _empty(out["display_name"]):
        out["display_name"] = next(
            (m["display_name"] for m in members if not _empty(m.get("display_name"))),
            out["display_name"],
        )
    if _empty(out["gender"]):
        out["gender"] = next((m["gender"] for m in members if m.get("gender")), None)
    # Birthday: the most complete one; text that is not a date only when there is no date.
    best_bd = max(members, key=_birthday_rank)
    if _birthday_rank(best_bd) > _birthday_rank(surv):
        for k in ("birth_year", "birth_month", "birth_day"):
            out[k] = best_bd.get(k)
    if out["birth_month"]:
        out["birthday_raw"] = None
    elif _empty(out["birthday_raw"]):
        out["birthday_raw"] = next(
            (m["birthday_raw"] for m in members if not _empty(m.get("birthday_raw"))), None
        )
    # Changeable facts: the most recently updated record that has a value (updated at the same
    # moment, as by one import: the one created later).
    by_update = sorted(
        members, key=lambda m: (str(m.get("updated_at") or ""), str(m.get("created_at") or ""),
                                m["id"]), reverse=True,
    )  # fmt: skip
    for k in NEWER_WINS:
        out[k] = next((m[k] for m in by_update if not _empty(m.get(k))), out[k])
    # History stays: the earliest source and client code, the first creation date.
    by_age = sorted(members, key=lambda m: (str(m.get("created_at") or ""), m["id"]))
    out["source"] = next((m["source"] for m in by_age if not _empty(m.get("source"))), None)
    if _empty(out["external_id"]):
        out["external_id"] = next(
            (m["external_id"] for m in by_age if not _empty(m.get("external_id"))), None
        )
    out["created_at"] = by_age[0].get("created_at")
    notes: list[str] = []
    for m in members:
        n = (m.get("note") or "").strip()
        if n and not any(n in seen for seen in notes):
            notes.append(n)
    out["note"] = "\n".join(notes) if notes else surv.get("note")
    # Someone who asked not to be contacted keeps that after the merge.
    if any(m.get("status") == "archived" for m in members):
        out["status"] = "archived"
    return out


def _combined_consent(kept: dict, dropped: dict) -> tuple:
    """The general consent of a point that absorbs an identical one: the later dated decision
    wins; undated or at the same time, a withdrawal beats a grant."""
    k = (kept["consent"] or "unknown", kept.get("consent_at"), kept.get("consent_source"))
    d = (dropped["consent"] or "unknown", dropped.get("consent_at"), dropped.get("consent_source"))
    if d[0] == "unknown" or d[0] == k[0]:
        return k
    if k[0] == "unknown":
        return d
    if k[1] is not None and d[1] is not None and str(k[1]) != str(d[1]):
        return k if str(k[1]) > str(d[1]) else d
    return k if k[0] == "withdrawn" else d


def _point_key(p: dict) -> tuple[str, str]:
    return p["kind"], p["value"] if p["value"] is not None else "raw:" + (p["value_raw"] or "")


def _group_by(rows: Iterable[tuple], key: int = 1) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r[0])
    return out


# -- merge -----------------------------------------------------------------------------------
def merge(
    conn: Connection,
    ids: Sequence[int],
    *,
    score: float | None = None,
    reasons: Sequence[str] = (),
    survivor: int | None = None,
) -> int:
    """Merge customers into one (inside the caller's write transaction); returns the merge id."""
    return merge_many(conn, [MergeRequest(list(ids), score, reasons, survivor)])[0]


def merge_many(
    conn: Connection, requests: Sequence[MergeRequest], *, now: datetime | None = None
) -> list[int]:
    """Merge several groups at once (inside the caller's write transaction); returns merge ids
    in the order of ``requests``. Each group is a merge of its own, undoable on its own."""
    facts_cache.invalidate(conn)  # the merged customers' stored classes and figures change
    now = now or datetime.now()
    groups = _checked_groups(requests)
    all_ids = sorted({i for g in groups for i in g})
    rows = {
        r[0]: dict(zip(CUSTOMER_COLS, r, strict=True))
        for r in select_where_in(conn, customers, CUSTOMER_COLS, "id", all_ids)
    }
    for g in groups:
        _check_members(g, rows)
    ordered = [_ordered(g, rows, req.survivor) for g, req in zip(groups, requests, strict=True)]
    away_ids = sorted({i for g in ordered for i in g[1:]})
    owner = {cid: g[0] for g in ordered for cid in g}  # customer -> survivor of its group

    points: dict[int, list[dict]] = defaultdict(list)
    for r in select_where_in(conn, contact_points, POINT_COLS, "customer_id", all_ids):
        points[r[1]].append(dict(zip(POINT_COLS, r, strict=True)))
    moved = {
        name: _group_by(select_where_in(conn, table, ("id", "customer_id"), "customer_id", away_ids))
        for name, table in MOVED_TABLES.items()
    }  # fmt: skip
    tags_of: dict[int, dict[int, int | None]] = defaultdict(dict)  # customer -> tag -> import
    for cid, tid, iid in select_where_in(
        conn, customer_tags, ("customer_id", "tag_id", "import_id"), "customer_id", all_ids
    ):
        tags_of[cid][tid] = iid
    cands = [
        (cid, a, status)
        for cid, a, b, status in select_where_in(
            conn, dedupe_candidates, ("id", "a_id", "b_id", "status"), "a_id", all_ids
        )
        if b in owner and owner[a] == owner[b] and status != "merged"
    ]
    cands_of: dict[int, list] = defaultdict(list)
    for cid, a, status in cands:
        cands_of[owner[a]].append([cid, status])
    last_import = conn.execute(select(func.max(imports.c.id))).scalar() or 0

    survivor_updates, away_updates, point_moves, point_drops = [], [], [], []
    point_consents, tag_moves, tag_drops = [], [], []
    merge_rows, dropped_points = [], []
    for g, req in zip(ordered, requests, strict=True):
        s = g[0]
        members = [rows[i] for i in g]
        after = survivor_values(members)
        changed = {k: v for k, v in after.items() if rows[s].get(k) != v}
        survivor_updates.append({"_id": s, **after, "updated_at": now})
        for cid in g[1:]:
            away_updates.append({"_id": cid, "_to": s, "updated_at": now})
        # Contact points: the survivor's first, then each member's, oldest member first.
        kept: dict[tuple, dict] = {}
        for p in points.get(s, ()):
            kept.setdefault(_point_key(p), p)
        snap_moved, snap_dropped, snap_kept_before = [], [], {}
        for cid in g[1:]:
            for p in points.get(cid, ()):
                key = _point_key(p)
                k = kept.get(key)
                if k is None:
                    kept[key] = p
                    point_moves.append({"_id": p["id"], "_to": s})
                    snap_moved.append([p["id"], cid])
                    continue
                # The same phone or email twice: one point stays, with both consent histories.
                if k["id"] not in snap_kept_before:
                    snap_kept_before[k["id"]] = {
                        c: _jsonable(k.get(c)) for c in ("consent", "consent_at", "consent_source")
                    }
                consent, at, source = _combined_consent(k, p)
                k.update(consent=consent, consent_at=at, consent_source=source)
                snap_dropped.append({"row": _compact(p), "kept": k["id"]})
                point_drops.append({"_id": p["id"]})
        kept_by_id = {p["id"]: p for p in kept.values()}
        for pid in snap_kept_before:
            k = kept_by_id[pid]
            point_consents.append(
                {"_id": pid, "consent": k["consent"], "consent_at": k["consent_at"],
                 "consent_source": k["consent_source"]}
            )  # fmt: skip
        snap_tags_moved, snap_tags_dropped = [], []
        have = dict(tags_of.get(s, {}))
        for cid in g[1:]:
            for tid, iid in tags_of.get(cid, {}).items():
                if tid in have:
                    tag_drops.append({"_c": cid, "_t": tid})
                    snap_tags_dropped.append([cid, tid, iid])
                else:
                    have[tid] = iid
                    tag_moves.append({"_c": cid, "_t": tid, "_to": s})
                    snap_tags_moved.append([tid, cid])
        snapshot = {
            "version": SNAPSHOT_VERSION,
            "last_import": last_import,
            "survivor": s,
            "customers": [_compact(rows[i]) for i in g],
            "survivor_after": {k: _jsonable(v) for k, v in changed.items()},
            "points_moved": snap_moved,
            "points_dropped": snap_dropped,
            "points_kept_before": [[pid, b] for pid, b in snap_kept_before.items()],
            **{
                name: [[cid, moved[name][cid]] for cid in g[1:] if moved[name].get(cid)]
                for name in MOVED_TABLES
            },
            "tags_moved": snap_tags_moved,
            "tags_dropped": snap_tags_dropped,
            "candidates": cands_of.get(s, []),
        }
        merge_rows.append(
            {"survivor_id": s, "merged_ids": list(g[1:]),
             "score": None if req.score is None else round(float(req.score), 4),
             "reason": "; ".join(req.reasons) or None, "snapshot": snapshot, "created_at": now}
        )  # fmt: skip
        dropped_points.extend(d["row"]["id"] for d in snap_dropped)

    # Consent events of dropped points go to the point kept in their place (before the drop:
    # the foreign key would delete them with it).
    drop_target = {
        d["row"]["id"]: d["kept"] for mr in merge_rows for d in mr["snapshot"]["points_dropped"]
    }
    events = list(
        select_where_in(conn, consents, ("id", "contact_point_id"), "contact_point_id",
                        dropped_points)
    )  # fmt: skip
    events_of = _group_by(events)
    for mr in merge_rows:
        for d in mr["snapshot"]["points_dropped"]:
            d["events"] = sorted(events_of.get(d["row"]["id"], []))

    _execute(conn, _update_by_id(customers, (*SURVIVOR_FIELDS, "updated_at")),
             [_typed_params(customers, u) for u in survivor_updates])  # fmt: skip
    _execute(
        conn,
        sql_update(customers)
        .where(customers.c.id == bindparam("_id"))
        .values(
            merged_into_id=bindparam("_to"), status="merged", updated_at=bindparam("updated_at")
        ),
        away_updates,
    )
    _execute(
        conn,
        sql_update(consents)
        .where(consents.c.id == bindparam("_id"))
        .values(contact_point_id=bindparam("_to")),
        [{"_id": eid, "_to": drop_target[pid]} for eid, pid in events],
    )
    _execute(
        conn, delete(contact_points).where(contact_points.c.id == bindparam("_id")), point_drops
    )
    _execute(
        conn,
        sql_update(contact_points).where(contact_points.c.id == bindparam("_id"))
        .values(customer_id=bindparam("_to")),
        point_moves,
    )  # fmt: skip
    _execute(conn, _update_by_id(contact_points, ("consent", "consent_at", "consent_source")),
             [_typed_params(contact_points, u) for u in point_consents])  # fmt: skip
    for name, table in MOVED_TABLES.items():
        _execute(
            conn,
            sql_update(table).where(table.c.customer_id == bindparam("_from"))
            .values(customer_id=bindparam("_to")),
            [{"_from": cid, "_to": owner[cid]} for cid in away_ids if moved[name].get(cid)],
        )  # fmt: skip
    ct = customer_tags
    _execute(
        conn,
        delete(ct).where(ct.c.customer_id == bindparam("_c"), ct.c.tag_id == bindparam("_t")),
        tag_drops,
    )
    _execute(
        conn,
        sql_update(ct).where(ct.c.customer_id == bindparam("_c"), ct.c.tag_id == bindparam("_t"))
        .values(customer_id=bindparam("_to")),
        tag_moves,
    )  # fmt: skip
    _execute(
        conn,
        sql_update(dedupe_candidates).where(dedupe_candidates.c.id == bindparam("_id"))
        .values(status="merged"),
        [{"_id": cid} for cid, _a, _s in cands],
    )  # fmt: skip
    return _insert_merges(conn, merge_rows)


def _insert_merges(conn: Connection, rows: list[dict]) -> list[int]:
    if len(rows) == 1:
        return [conn.execute(insert(merges).values(**rows[0])).inserted_primary_key[0]]
    first = (conn.execute(select(func.max(merges.c.id))).scalar() or 0) + 1
    for i, r in enumerate(rows):
        r["id"] = first + i  # we hold the write lock: nobody else takes these ids
    conn.execute(insert(merges), rows)
    return [r["id"] for r in rows]


def _update_by_id(table: Table, columns: Sequence[str]):
    return (
        sql_update(table)
        .where(table.c.id == bindparam("_id"))
        .values({c: bindparam(c) for c in columns})
    )


def _typed_params(table: Table, params: dict) -> dict:
    return {k: v for k, v in params.items() if k.startswith("_")} | _typed(
        table, {k: v for k, v in params.items() if not k.startswith("_")}
    )


def _execute(conn: Connection, stmt, params: list[dict]) -> None:
    if params:
        conn.execute(stmt, params)


def _checked_groups(requests: Sequence[MergeRequest]) -> list[list[int]]:
    groups, seen = [], set()
    for req in requests:
        g = sorted(set(int(i) for i in req.ids))
        if len(g) < 2:
            raise UsageError(_("a merge needs at least two different customer ids"))
        twice = seen.intersection(g)
        if twice:
            raise UsageError(
                _("customer {id} is in two merge groups at once").format(id=min(twice))
            )
        seen.update(g)
        if req.survivor is not None and req.survivor not in g:
            raise UsageError(
                _("the survivor {id} is not one of {ids}").format(
                    id=req.survivor, ids=", ".join(map(str, g))
                )
            )
        groups.append(g)
    return groups


def _check_members(ids: list[int], rows: dict) -> None:
    for cid in ids:
        row = rows.get(cid)
        if row is None:
            raise NotFoundError(
                _("there is no customer {id}").format(id=cid),
                hint=_("see: clientbase contacts list"),
            )
        if row["merged_into_id"] is not None:
            raise ClientbaseError(
                _("customer {id} was merged into customer {into} already").format(
                    id=cid, into=row["merged_into_id"]
                ),
                hint=_(
                    "merge {into} instead, or undo that merge (clientbase dedupe history)"
                ).format(into=row["merged_into_id"]),
            )
        if row["status"] == "erased":
            raise ClientbaseError(
                _("customer {id} was erased; there is nothing to merge").format(id=cid)
            )


def _ordered(ids: list[int], rows: dict, survivor: int | None) -> list[int]:
    """The survivor first (the oldest record unless chosen), then the others oldest first."""
    by_age = sorted(ids, key=lambda i: (str(rows[i]["created_at"] or ""), i))
    s = survivor if survivor is not None else by_age[0]
    return [s, *(i for i in by_age if i != s)]


# -- undo ------------------------------------------------------------------------------------
def _merge_row(conn: Connection, merge_id: int):
    row = conn.execute(select(merges).where(merges.c.id == merge_id)).first()
    if row is None:
        raise NotFoundError(
            _("there is no merge {id}").format(id=merge_id),
            hint=_("see: clientbase dedupe history"),
        )
    return row


def later_merges(conn: Connection, merge_id: int, ids: Iterable[int]) -> list[int]:
    """Merges after ``merge_id``, not undone, that involve any of ``ids`` (latest first)."""
    ids = set(ids)
    involved = set(ids)
    # A survivor may have been merged away itself later on: follow it to where it went.
    for _cid, into in select_where_in(conn, customers, ("id", "merged_into_id"), "id", sorted(ids)):
        if into is not None:
            involved.add(into)
    q = select(merges.c.id, merges.c.survivor_id, merges.c.merged_ids).where(
        merges.c.id > merge_id,
        merges.c.undone_at.is_(None),
        merges.c.survivor_id.in_(sorted(involved)),
    )
    out = [mid for mid, s, merged in conn.execute(q) if s in ids or ids.intersection(merged or [])]
    return sorted(out, reverse=True)


def undo(conn: Connection, merge_id: int, *, now: datetime | None = None) -> UndoResult:
    """Put back what a merge changed (inside the caller's write transaction).

    Refused while a later merge builds on the same customers: undo that one first. Fields of the
    survivor that were changed after the merge (by hand, or by a later import) keep their new
    value; everything else returns to its exact before-state.
    """
    facts_cache.invalidate(conn)  # the customers' stored classes and figures change back
    now = now or datetime.now()
    row = _merge_row(conn, merge_id)
    if row.undone_at is not None:
        raise ClientbaseError(
            _("merge {id} was undone already ({when})").format(
                id=merge_id, when=f"{row.undone_at:%Y-%m-%d %H:%M}"
            )
        )
    snap = row.snapshot
    if not snap or snap.get("version") != SNAPSHOT_VERSION:
        raise ClientbaseError(
            _("merge {id} has no before-state this version can restore").format(id=merge_id)
        )
    s = snap["survivor"]
    member_ids = [c["id"] for c in snap["customers"]]
    later = later_merges(conn, merge_id, member_ids)
    if later:
        raise ClientbaseError(
            _("merge {later} (done later) also involves customers of merge {id}").format(
                later=", ".join(map(str, later)), id=merge_id
            ),
            hint=_("undo merge {id} first: clientbase dedupe undo {id}").format(id=later[0]),
        )
    now_row = conn.execute(select(customers).where(customers.c.id == s)).first()
    if now_row is None:
        raise ClientbaseError(
            _("customer {id} (the survivor of merge {merge}) no longer exists").format(
                id=s, merge=merge_id
            )
        )
    kept_fields = []
    after = snap["survivor_after"]
    current = {k: _jsonable(getattr(now_row, k)) for k in after}
    for k, v in after.items():
        if _typed(customers, {k: current[k]}) != _typed(customers, {k: v}):
            kept_fields.append(k)

    # Dedupe candidates, tags, moved rows, points, and last the customers themselves.
    _execute(
        conn,
        sql_update(dedupe_candidates).where(dedupe_candidates.c.id == bindparam("_id"))
        .values(status=bindparam("_st")),
        [{"_id": cid, "_st": st} for cid, st in snap["candidates"]],
    )  # fmt: skip
    ct = customer_tags
    _execute(
        conn,
        sql_update(ct).where(ct.c.customer_id == s, ct.c.tag_id == bindparam("_t"))
        .values(customer_id=bindparam("_to")),
        [{"_t": tid, "_to": cid} for tid, cid in snap["tags_moved"]],
    )  # fmt: skip
    _execute(
        conn,
        insert(ct),
        [{"customer_id": c, "tag_id": t, "import_id": i} for c, t, i in snap["tags_dropped"]],
    )
    for name, table in MOVED_TABLES.items():
        _execute(
            conn,
            sql_update(table).where(table.c.id == bindparam("_id"))
            .values(customer_id=bindparam("_to")),
            [{"_id": rid, "_to": cid} for cid, rids in snap[name] for rid in rids],
        )  # fmt: skip
    _execute(conn, insert(contact_points),
             [_full(contact_points, d["row"]) for d in snap["points_dropped"]])  # fmt: skip
    _execute(
        conn,
        sql_update(consents).where(consents.c.id == bindparam("_id"))
        .values(contact_point_id=bindparam("_to")),
        [{"_id": e, "_to": d["row"]["id"]} for d in snap["points_dropped"] for e in d["events"]],
    )  # fmt: skip
    _execute(
        conn,
        _update_by_id(contact_points, ("consent", "consent_at", "consent_source")),
        [{"_id": pid, **_typed(contact_points, b)} for pid, b in snap["points_kept_before"]],
    )
    _execute(
        conn,
        sql_update(contact_points).where(contact_points.c.id == bindparam("_id"))
        .values(customer_id=bindparam("_to")),
        [{"_id": pid, "_to": cid} for pid, cid in snap["points_moved"]],
    )  # fmt: skip
    restored = []
    for c in snap["customers"]:
        values = _full(customers, c)
        if c["id"] == s:
            values = {k: v for k, v in values.items() if k not in kept_fields}
            if kept_fields:
                values["updated_at"] = now
        values.pop("id")
        conn.execute(sql_update(customers).where(customers.c.id == c["id"]).values(**values))
        restored.append(c["id"])
    conn.execute(sql_update(merges).where(merges.c.id == merge_id).values(undone_at=now))
    return UndoResult(merge_id, s, [i for i in restored if i != s], kept_fields)


# -- history and import undo -----------------------------------------------------------------
def history(conn: Connection, *, limit: int | None = None) -> list[dict]:
    """Merges, newest first: who survived, who was merged in, the score and the reasons."""
    q = (
        select(
            merges.c.id, merges.c.survivor_id, merges.c.merged_ids, merges.c.score,
            merges.c.reason, merges.c.created_at, merges.c.undone_at, customers.c.display_name,
        )
        .outerjoin(customers, customers.c.id == merges.c.survivor_id)
        .order_by(merges.c.id.desc())
    )  # fmt: skip
    if limit:
        q = q.limit(limit)
    return [
        {"id": r.id, "at": r.created_at.isoformat(sep=" ", timespec="seconds"),
         "survivor": r.survivor_id, "name": r.display_name, "merged": list(r.merged_ids or []),
         "score": r.score, "reason": r.reason,
         "undone_at": r.undone_at.isoformat(sep=" ", timespec="seconds") if r.undone_at else None}
        for r in conn.execute(q)
    ]  # fmt: skip


def merges_blocking_import(conn: Connection, batch_id: int, since: datetime) -> list[int]:
    """Merges made after an import batch (not undone) that involve its customers, latest first.

    A merge moves the batch's points, rows and provenance onto a survivor and may have the batch's
    customers as its survivor: undoing the import underneath would delete data the merge now
    keeps, so the merge has to be undone first."""
    touched = select(import_rows.c.customer_id).where(
        import_rows.c.import_id == batch_id, import_rows.c.customer_id.is_not(None)
    )
    created = select(customers.c.id).where(customers.c.created_import_id == batch_id)
    went_to = select(customers.c.merged_into_id).where(
        customers.c.created_import_id == batch_id, customers.c.merged_into_id.is_not(None)
    )
    q = (
        select(merges.c.id)
        .where(
            merges.c.undone_at.is_(None),
            merges.c.created_at >= since,
            merges.c.survivor_id.in_(touched) | merges.c.survivor_id.in_(created)
            | merges.c.survivor_id.in_(went_to),
        )
        .order_by(merges.c.id.desc())
    )  # fmt: skip
    return list(conn.execute(q).scalars())
