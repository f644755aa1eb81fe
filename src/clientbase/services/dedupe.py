"""`clientbase dedupe`: find people who are in the base more than once, merge them, undo.

The matching itself is pure (``clientbase.dedupe``: blocking keys, scores with readable reasons,
clusters); this module runs it over the database and keeps its results:

- every pair found at or above the review threshold is stored in ``dedupe_candidates`` (pending,
  with its score and reasons) so `dedupe review` can show it later without matching again;
- groups at or above the auto threshold are merged by `dedupe --yes` in one transaction;
- "not a duplicate" marks (``not_duplicates``) are never proposed again, also after one side of
  the pair has been merged with someone else;
- after a contacts import only the customers it created or changed are matched against the base
  (`after_import`), so a new list is checked without a full run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from clientbase.db.bulk import select_where_in
from clientbase.db.engine import write_transaction
from clientbase.db.models import customers, dedupe_candidates, import_rows, merges, not_duplicates
from clientbase.db.rules import NOT_LIVE_CUSTOMER_STATUSES
from clientbase.dedupe.cluster import clusters, find_matches, match
from clientbase.dedupe.keys import blocking_keys
from clientbase.dedupe.merge import MergeRequest, merge, merge_many
from clientbase.dedupe.merge import history as merge_history
from clientbase.dedupe.merge import undo as undo_merge
from clientbase.dedupe.model import AUTO_PROBABILITY, REVIEW_PROBABILITY
from clientbase.dedupe.person import Match
from clientbase.dedupe.score import AUTO_THRESHOLD as RULES_AUTO
from clientbase.dedupe.score import score_pair
from clientbase.dedupe.store import load_people
from clientbase.errors import ClientbaseError, NotFoundError, UsageError
from clientbase.i18n import _
from clientbase.normalize.phones import AREA_SEP, with_area_code
from clientbase.services.config import value as config_value
from clientbase.services.dry_run import changes
from clientbase.services.results import Result

Progress = Callable[[str, int, int], None]
# An import that brings more customers than this is a bulk load: the post-import pass would be
# a whole dedupe run, so it is left to `clientbase dedupe` (see after_batches).
AFTER_IMPORT_MAX = 50_000


@dataclass(frozen=True, slots=True)
class Proposal(Result):
    """A group of customers that look like one person, with the evidence for each link."""

    ids: list[int]
    names: dict[int, str]
    score: float  # the weakest link
    edges: list[dict]  # {"a", "b", "score", "reasons"}
    survivor: int | None = None  # who a merge would keep (the oldest record)
    merge_id: int | None = None  # once merged

    @property
    def reasons(self) -> list[str]:
        """The evidence of every link, each phrase once, in the order it was found."""
        return list(dict.fromkeys(r for e in self.edges for r in e["reasons"]))

    def to_dict(self) -> dict:
        return {
            "ids": self.ids,
            "survivor": self.survivor,
            "customers": [{"id": i, "name": self.names.get(i, "")} for i in self.ids],
            "score": round(self.score, 4),
            "reasons": self.reasons,
            "links": self.edges,
            "merge_id": self.merge_id,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run found: groups to merge automatically and groups left for review."""

    threshold: float
    customers: int
    auto: list[Proposal]
    review: list[Proposal]
    matches: list = field(default_factory=list, repr=False)  # every pair found (Match)
    full: bool = True  # a run over the whole base (stale pending pairs may be dropped)


@dataclass(frozen=True, slots=True)
class RunResult(Result):
    """A dedupe run: its plan (with the merge ids of the groups merged), how many groups were
    merged, and those that changed meanwhile and were not."""

    plan: Plan
    dry_run: bool
    merged: int = 0  # groups merged
    skipped: list[Proposal] = field(default_factory=list)  # changed meanwhile: not merged

    def to_dict(self) -> dict:
        p = self.plan
        return {
            "dry_run": self.dry_run,
            "threshold": p.threshold,
            "customers": p.customers,
            "pairs_found": len(p.matches),
            "merged": self.merged,
            "customers_merged_away": sum(len(x.ids) - 1 for x in p.auto if x.merge_id),
            "auto": [x.to_dict() for x in p.auto],
            "review": [x.to_dict() for x in p.review],
        }


@dataclass(frozen=True, slots=True)
class ManualMerge(Result):
    """A merge made by hand (``merge_id`` None for a dry run)."""

    merge_id: int | None
    survivor: int
    merged: list[int]
    score: float | None
    reasons: list[str]
    dry_run: bool


@dataclass(frozen=True, slots=True)
class NotDuplicate(Result):
    """Two customers marked different people; ``new`` False when they were marked before."""

    a: int
    b: int
    new: bool
    candidates_rejected: int


@dataclass(frozen=True, slots=True)
class MergeUndone(Result):
    """An undone merge: who came back beside the survivor, and the survivor's fields that keep
    a value changed after the merge."""

    merge_id: int
    survivor: int
    restored: list[int]
    kept_fields: list[str]


@dataclass(frozen=True, slots=True)
class MergeRecord(Result):
    """One merge of the history, newest first (``undone_at`` once undone)."""

    id: int
    at: str
    survivor: int
    name: str | None
    merged: list[int]
    score: float | None
    reason: str | None
    undone_at: str | None


def _thresholds() -> tuple[float, float]:
    return AUTO_PROBABILITY, REVIEW_PROBABILITY


def default_threshold() -> float:
    return _thresholds()[0]


# -- finding ----------------------------------------------------------------------------------
def _roots(conn: Connection, ids: Iterable[int]) -> dict[int, int]:
    """Where each customer lives now: itself, or the survivor it was merged into (followed
    through chains of merges)."""
    out: dict[int, int] = {}
    todo = sorted(set(ids))
    parent: dict[int, int | None] = {}
    while todo:
        for cid, into in select_where_in(conn, customers, ("id", "merged_into_id"), "id", todo):
            parent[cid] = into
        todo = sorted({p for p in parent.values() if p is not None and p not in parent})
    for cid in parent:
        r, seen = cid, set()
        while parent.get(r) is not None and r not in seen:
            seen.add(r)
            r = parent[r]
        out[cid] = r
    return out


def _skip_pairs(conn: Connection) -> set[tuple[int, int]]:
    """Pairs marked "not a duplicate", also as the survivors the two have been merged into."""
    marks = conn.execute(select(not_duplicates.c.a_id, not_duplicates.c.b_id)).all()
    if not marks:
        return set()
    roots = _roots(conn, {i for pair in marks for i in pair})
    out = set()
    for a, b in marks:
        out.add((min(a, b), max(a, b)))
        ra, rb = roots.get(a, a), roots.get(b, b)
        if ra != rb:
            out.add((min(ra, rb), max(ra, rb)))
    return out


def phone_region(region: str | None = None, area_code: str | None = None) -> str | None:
    """The region string local numbers are completed with ("RU+495"): ``region`` as the import
    read the file (an area code may ride along), else the config's region; the area code given,
    else the one in ``region``, else the config's ``area_code``. None without any area code:
    local numbers are then compared by their digits."""
    if region and AREA_SEP in region and not area_code:
        return region
    area = config_value("area_code", area_code, None)
    if not area:
        return None
    base = (region or str(config_value("region", None, None) or "RU")).partition(AREA_SEP)[0]
    try:
        return with_area_code(base.upper(), str(area))
    except ValueError as exc:
        raise UsageError(_("--area-code: {error}").format(error=exc)) from exc


def _labels(conn: Connection) -> list:
    """Decisions a person made, as (Person, Person, is one person) for the model: pairs marked
    "not a duplicate", and every merge not undone (its survivor against each record merged
    in, as stored: a merged-away record keeps its name, birthday and places)."""
    pairs: list[tuple[int, int, bool]] = [
        (a, b, False) for a, b in conn.execute(select(not_duplicates.c.a_id, not_duplicates.c.b_id))
    ]
    q = select(merges.c.survivor_id, merges.c.merged_ids).where(merges.c.undone_at.is_(None))
    for survivor, merged in conn.execute(q):
        pairs += [(int(survivor), int(m), True) for m in merged or ()]
    if not pairs:
        return []
    people = {p.id: p for p in load_people(conn, {i for a, b, _ in pairs for i in (a, b)},
                                           live_only=False)}  # fmt: skip
    return [(people[a], people[b], same) for a, b, same in pairs if a in people and b in people]


def _created(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    return {
        cid: str(at)
        for cid, at in select_where_in(conn, customers, ("id", "created_at"), "id", list(ids))
    }


def _proposals(clusters, by_id: dict, created: dict[int, str]) -> list[Proposal]:
    out = []
    for c in clusters:
        ids = sorted(c.ids)
        if len(ids) < 2:
            continue
        edges = [
            {"a": m.a, "b": m.b, "score": round(m.score, 4), "reasons": list(m.reasons)}
            for m in sorted(c.matches, key=lambda m: (m.a, m.b))
        ]
        out.append(
            Proposal(
                ids=ids,
                names={i: by_id[i].display_name for i in ids if i in by_id},
                score=min((m.score for m in c.matches), default=c.score),
                edges=edges,
                survivor=min(ids, key=lambda i: (created.get(i, ""), i)),
            )
        )
    out.sort(key=lambda p: (-p.score, p.ids))
    return out


def plan(
    engine: Engine,
    *,
    auto_above: float | None = None,
    only_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
    area_code: str | None = None,
) -> Plan:
    """Match the base (or ``only_ids`` against it) and split the groups found into those to
    merge automatically (every link at or above ``auto_above``) and those to review.
    ``area_code`` (default: the config's) completes local numbers before they are compared."""
    auto, review_min = _thresholds()
    given = None if auto_above is None else float(auto_above)
    if given is not None and not 0 < given <= 1:
        raise UsageError(
            _("--threshold {auto_above}: a match probability between 0 and 1").format(
                auto_above=auto_above
            )
        )
    region = phone_region(None, area_code)
    with engine.connect() as conn:
        people = load_people(conn, region=region)
        skip = _skip_pairs(conn)
        labels = _labels(conn)
        only = None if only_ids is None else set(only_ids)
        pair_min = review_min if given is None else min(review_min, given)
        found = match(
            people, only_ids=only, min_score=pair_min, skip_pairs=skip, progress=progress,
            labels=labels,
        )  # fmt: skip
        # A base too small to learn from is scored by the hand-set weights, whose scale has its
        # own automatic threshold.
        threshold = given if given is not None else auto if found.model is not None else RULES_AUTO
        matches = found.matches
        by_id = {p.id: p for p in people} if matches else {}
        auto_groups = clusters(
            matches, by_id, min_score=threshold, conflict=found.conflict,
            features_by_id=found.features, hold_ambiguous=True,
        )  # fmt: skip
        auto_groups = [c for c in auto_groups if len(c.ids) > 1]
        in_auto = {i: n for n, c in enumerate(auto_groups) for i in c.ids}
        # The rest waits for review: links that are not inside one of the automatic groups.
        rest = [m for m in matches if in_auto.get(m.a, -1) != in_auto.get(m.b, -2)]
        review_groups = (
            clusters(
                rest,
                by_id,
                min_score=pair_min,
                conflict=found.conflict,
                features_by_id=found.features,
            )
            if rest
            else []
        )
        ids = {i for c in (*auto_groups, *review_groups) for i in c.ids}
        created = _created(conn, sorted(ids))
    n_people = len(people)
    del people
    return Plan(
        threshold=threshold,
        customers=n_people,
        auto=_proposals(auto_groups, by_id, created),
        review=_proposals(review_groups, by_id, created),
        matches=matches,
        full=only_ids is None,
    )


# Pairs written per statement: a pair's reasons are written when it is stored (see
# clientbase.dedupe.person.Match), so a big run holds only a batch of them at a time.
_STORE_BATCH = 5_000


def _store_candidates(conn: Connection, matches: list, *, full: bool, now: datetime) -> int:
    """Upsert the pairs found as pending candidates; returns how many are new. A pair marked
    rejected stays rejected. A full run also drops pending pairs it no longer finds."""
    dc = dedupe_candidates
    found = {(m.a, m.b): m for m in matches}
    existing = {(a, b): (cid, status) for cid, a, b, status in conn.execute(
        select(dc.c.id, dc.c.a_id, dc.c.b_id, dc.c.status))}  # fmt: skip
    refresh = (
        update(dc)
        .where(dc.c.id == bindparam("_id"))
        .values(score=bindparam("score"), reasons=bindparam("reasons"),
                found_at=bindparam("found_at"))
    )  # fmt: skip
    new: list[dict] = []
    again: list[dict] = []
    added = 0
    for k, m in found.items():
        old = existing.get(k)
        if old is None:
            new.append({"a_id": k[0], "b_id": k[1], "score": round(m.score, 4),
                        "reasons": list(m.reasons), "status": "pending", "found_at": now})  # fmt: skip
            if len(new) >= _STORE_BATCH:
                conn.execute(insert(dc), new)
                added += len(new)
                new = []
        elif old[1] == "pending":
            again.append({"_id": old[0], "score": round(m.score, 4), "reasons": list(m.reasons),
                          "found_at": now})  # fmt: skip
            if len(again) >= _STORE_BATCH:
                conn.execute(refresh, again)
                again = []
    if new:
        conn.execute(insert(dc), new)
        added += len(new)
    if again:
        conn.execute(refresh, again)
    if full:
        stale = [cid for k, (cid, st) in existing.items() if st == "pending" and k not in found]
        for i in range(0, len(stale), 500):
            conn.execute(delete(dc).where(dc.c.id.in_(stale[i : i + 500])))
    return added


def apply(engine: Engine, p: Plan) -> RunResult:
    """Store the pairs found and merge the automatic groups, all in one transaction.

    A group whose customers changed since they were matched (merged, erased or archived
    meanwhile) is not merged; it is reported back instead. The result's plan carries the merge
    id of each group merged."""
    now = datetime.now()
    skipped: list[Proposal] = []
    with write_transaction(engine) as conn:
        _store_candidates(conn, p.matches, full=p.full, now=now)
        ids = sorted({i for x in p.auto for i in x.ids})
        live = {
            cid
            for cid, into, status in select_where_in(
                conn, customers, ("id", "merged_into_id", "status"), "id", ids
            )
            if into is None and status not in NOT_LIVE_CUSTOMER_STATUSES
        }
        todo = []
        for x in p.auto:
            if all(i in live for i in x.ids):
                todo.append(x)
            else:
                skipped.append(x)
        requests = [MergeRequest(x.ids, x.score, x.reasons) for x in todo]
        merge_ids = merge_many(conn, requests, now=now) if requests else []
    merged = {id(x): mid for x, mid in zip(todo, merge_ids, strict=True)}
    auto = [replace(x, merge_id=merged[id(x)]) if id(x) in merged else x for x in p.auto]
    return RunResult(replace(p, auto=auto), dry_run=False, merged=len(merge_ids), skipped=skipped)


def run(
    engine: Engine,
    *,
    auto_above: float | None = None,
    dry_run: bool = False,
    yes: bool = False,
    progress: Progress | None = None,
    area_code: str | None = None,
) -> RunResult:
    """Find duplicates in the whole base; with ``yes`` (and not ``dry_run``) store the pairs for
    review and merge the groups at or above the threshold. Otherwise nothing is written."""
    p = plan(engine, auto_above=auto_above, progress=progress, area_code=area_code)
    if dry_run or not yes:
        return RunResult(p, dry_run=True)
    return apply(engine, p)


def find(engine: Engine, *, only_ids: Iterable[int] | None = None) -> list[Proposal]:
    """Find and store candidate pairs (pending) without merging; returns the groups found."""
    p = plan(engine, only_ids=only_ids)
    with write_transaction(engine) as conn:
        _store_candidates(conn, p.matches, full=p.full, now=datetime.now())
    return p.auto + p.review


def after_import(engine: Engine, customer_ids: Iterable[int], *, region: str | None = None) -> int:
    """Match the customers an import created or changed against the whole base and store the
    pairs found for review (nothing is merged). Returns how many new pairs wait for review.

    Only the part of the base that shares a blocking key with the new customers is matched:
    the keys of everyone are computed (cheap), the pairs scored only around the new ones.
    The decisions people made (merges, "not a duplicate" marks) teach the model as in a full
    run, and a marked pair is never proposed. ``region`` is the one the import read phones
    with: its area code (else the config's) completes local numbers before matching."""
    ids = set(customer_ids)
    if not ids:
        return 0

    _, review_min = _thresholds()
    with engine.connect() as conn:
        people = load_people(conn, region=phone_region(region))
        skip = _skip_pairs(conn)
        labels = _labels(conn)
    new = [p for p in people if p.id in ids]
    if len(new) < len(people):
        wanted = {k for p in new for k in blocking_keys(p)}
        people = [p for p in people if p.id in ids or any(k in wanted for k in blocking_keys(p))]
    matches = find_matches(
        people, only_ids=ids, min_score=review_min, skip_pairs=skip, labels=labels
    )
    del people, new
    if not matches:
        return 0
    with write_transaction(engine) as conn:
        return _store_candidates(conn, matches, full=False, now=datetime.now())


def after_batches(
    engine: Engine, batch_ids: Sequence[int], *, region: str | None = None
) -> int | None:
    """The post-import pass for contact batches: their customers matched against the base
    (``region``: as the import read the phones, see :func:`after_import`).

    None when it was left out: a bulk load of more than ``AFTER_IMPORT_MAX`` customers, for
    which matching "the new ones against the base" is a full dedupe run inside the import
    (`clientbase dedupe` does it, once, when asked)."""
    # Each batch's list stops one past the limit: telling a bulk load from a small import
    # must not read (and sort) every row of the million a bulk load wrote.
    ids = sorted(
        {i for b in batch_ids for i in batch_customers(engine, b, limit=AFTER_IMPORT_MAX + 1)}
    )
    if not ids:
        return 0
    if len(ids) > AFTER_IMPORT_MAX:
        return None
    return after_import(engine, ids, region=region)


def batch_customers(engine: Engine, batch_id: int, *, limit: int | None = None) -> list[int]:
    """Customers an import batch created or changed (``limit``: at most that many of them)."""
    q = (
        select(import_rows.c.customer_id)
        .where(
            import_rows.c.import_id == batch_id,
            import_rows.c.outcome.in_(("created", "updated")),
            import_rows.c.customer_id.is_not(None),
        )
        .distinct()
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(q).scalars())


# -- review and decisions ---------------------------------------------------------------------
def review(engine: Engine) -> list[Proposal]:
    """Pending pairs, grouped, between customers as they are now (a pair one of whose sides has
    been merged since is shown with the survivor)."""
    _, review_min = _thresholds()
    dc = dedupe_candidates
    with engine.connect() as conn:
        rows = conn.execute(
            select(dc.c.a_id, dc.c.b_id, dc.c.score, dc.c.reasons)
            .where(dc.c.status == "pending")
            .order_by(dc.c.id)
        ).all()
        if not rows:
            return []
        roots = _roots(conn, {i for r in rows for i in r[:2]})
        skip = _skip_pairs(conn)
        best: dict[tuple[int, int], Match] = {}
        for a, b, score, reasons in rows:
            ra, rb = roots.get(a, a), roots.get(b, b)
            if ra == rb:
                continue
            key = (min(ra, rb), max(ra, rb))
            if key in skip:
                continue
            if key not in best or score > best[key].score:
                best[key] = Match(key[0], key[1], score, list(reasons or []))
        people = load_people(conn, {i for k in best for i in k})
        by_id = {p.id: p for p in people}
        matches = [m for m in best.values() if m.a in by_id and m.b in by_id]
        groups = clusters(matches, by_id, min_score=min(review_min, *(m.score for m in matches)))\
            if matches else []  # fmt: skip
        created = _created(conn, sorted({i for c in groups for i in c.ids}))
    return _proposals(groups, by_id, created)


def merge_ids(
    engine: Engine, ids: Sequence[int], *, survivor: int | None = None, dry_run: bool = False
) -> ManualMerge:
    """Merge customers by hand (the reasons recorded are what the matcher sees in them)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    if len(ids) < 2:
        raise UsageError(_("give at least two different customer ids to merge"))
    with changes(engine, dry_run=dry_run) as conn:
        people = {p.id: p for p in load_people(conn, ids)}
        first = min(ids)
        reasons, scores = ["merged by hand"], []
        for other in ids:
            if other == first or first not in people or other not in people:
                continue
            m = score_pair(people[first], people[other])
            if m is not None:
                scores.append(m.score)
                reasons += [r for r in m.reasons if r not in reasons]
        mid = merge(
            conn, ids, score=min(scores) if scores else None, reasons=reasons, survivor=survivor
        )

        row = conn.execute(
            select(merges.c.survivor_id, merges.c.merged_ids).where(merges.c.id == mid)
        ).one()
    return ManualMerge(merge_id=None if dry_run else mid, survivor=row.survivor_id,
                       merged=list(row.merged_ids), score=min(scores) if scores else None,
                       reasons=reasons, dry_run=dry_run)  # fmt: skip


def not_duplicate(engine: Engine, a: int, b: int) -> NotDuplicate:
    """Remember that two customers are different people: never propose the pair again."""
    if a == b:
        raise UsageError(_("give two different customer ids"))
    a, b = min(a, b), max(a, b)
    dc = dedupe_candidates
    with write_transaction(engine) as conn:
        found = dict(
            conn.execute(
                select(customers.c.id, customers.c.merged_into_id).where(customers.c.id.in_((a, b)))
            ).all()
        )
        for cid in (a, b):
            if cid not in found:
                raise NotFoundError(
                    _("there is no customer {cid}").format(cid=cid),
                    hint=_("see: clientbase contacts list"),
                )
        roots = _roots(conn, (a, b))
        if roots[a] == roots[b]:
            raise ClientbaseError(
                _("customers {a} and {b} were merged into {into}").format(a=a, b=b, into=roots[a]),
                hint=_("undo that merge first (see: clientbase dedupe history)"),
            )
        known = conn.execute(
            select(not_duplicates.c.a_id).where(
                not_duplicates.c.a_id == a, not_duplicates.c.b_id == b
            )
        ).first()
        if known is None:
            conn.execute(insert(not_duplicates).values(a_id=a, b_id=b, created_at=datetime.now()))
        rejected = conn.execute(
            update(dc)
            .where(dc.c.a_id == a, dc.c.b_id == b, dc.c.status == "pending")
            .values(status="rejected")
        ).rowcount
    return NotDuplicate(a=a, b=b, new=known is None, candidates_rejected=rejected)


def undo(engine: Engine, merge_id: int) -> MergeUndone:
    with write_transaction(engine) as conn:
        r = undo_merge(conn, merge_id)
    return MergeUndone(merge_id=r.merge_id, survivor=r.survivor_id, restored=r.restored_ids,
                       kept_fields=r.kept_fields)  # fmt: skip


def history(engine: Engine, *, limit: int | None = None) -> list[MergeRecord]:
    with engine.connect() as conn:
        return [MergeRecord(**h) for h in merge_history(conn, limit=limit)]


def forget_not_duplicate(engine: Engine, a: int, b: int) -> bool:
    """Take back a "not a duplicate" mark (the undo of a review decision): the mark goes and
    the pair waits for review again. False when there was no such mark."""
    a, b = min(a, b), max(a, b)
    nd, dc = not_duplicates, dedupe_candidates
    with write_transaction(engine) as conn:
        gone = conn.execute(delete(nd).where(nd.c.a_id == a, nd.c.b_id == b)).rowcount
        conn.execute(
            update(dc)
            .where(dc.c.a_id == a, dc.c.b_id == b, dc.c.status == "rejected")
            .values(status="pending")
        )
    return bool(gone)


def people_details(engine: Engine, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """What a person reviewing a group compares, per customer: name, phones, e-mails, birthday,
    city, company, address, client code (as stored, empty when unknown)."""
    with engine.connect() as conn:
        people = load_people(conn, ids, live_only=False)
    out = {}
    for p in people:
        if p.birth_month and p.birth_day:
            bday = f"{p.birth_year or '????'}-{p.birth_month:02d}-{p.birth_day:02d}"
        else:
            bday = str(p.birth_year or "")
        out[p.id] = {
            "name": p.display_name,
            "phones": ", ".join((*p.phones, *p.loose_phones)),
            "emails": ", ".join(p.emails),
            "birthday": bday,
            "city": p.city or "",
            "company": p.company or "",
            "address": " ".join(x for x in (p.address, p.postcode) if x),
            "client code": p.external_id or "",
        }
    return out
