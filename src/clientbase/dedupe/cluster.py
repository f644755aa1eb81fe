"""From scored pairs to groups of records that are one customer.

:func:`find_matches` prepares every person once, takes the candidate pairs from the blocking
keys and keeps the scored pairs at or above a minimum score.

:func:`clusters` joins them transitively, strongest link first, with a guard against chains:
two groups are joined only when *no* member of one has a clear mismatch
(:func:`clientbase.dedupe.score.mismatch`: different first names from the tables, genders,
patronymics or birthdays, a company against a person) with any member of the other. So when
A ~ B by a shared phone and B ~ C by name, but A is Иван and C is Мария (or they were born on
different days), the link that would bring the second of them in is refused and A and C stay
in different clusters. Because links are taken strongest first, the refused link is always the
weaker one. A group also stops growing at :data:`MAX_CLUSTER` members: a real customer is
rarely typed in more than a handful of records, and a bigger group is a chain.

A record that fits two people who clearly differ ("Иванов Иван" with no patronymic and no
birthday, on the home phone of Иван Петрович and of his son Иван Иванович) joins the one it
is linked to more strongly when a person builds the groups to review. When merging without
a person (``hold_ambiguous``, `dedupe --yes`) such a record, met on a phone or e-mail the
two share, joins neither unless one link is :data:`CLEAR_WINNER` times likelier: the choice
would be a coin toss, and it waits for review. Records of one person that conflict by a typo
(no contact in common) are not held: there the stronger link is right more often than not.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from clientbase.dedupe.columns import Columns
from clientbase.dedupe.keys import Features, decode_pairs, features, pair_codes
from clientbase.dedupe.levels import N_FIELDS, compare
from clientbase.dedupe.model import (
    MISMATCH_CAP,
    NAME_ONLY_CAP,
    Model,
    corroborated,
    fit,
    mismatch_levels,
    mismatched,
    probability,
    random_u,
)
from clientbase.dedupe.model import REVIEW_PROBABILITY as REVIEW_THRESHOLD
from clientbase.dedupe.person import Match, Person
from clientbase.dedupe.score import mismatch, score_features

__all__ = ["MAX_CLUSTER", "Cluster", "Matching", "clusters", "find_matches", "match"]

MAX_CLUSTER = 50

Progress = Callable[[str, int, int], None]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector. Preparing a million people allocates millions of
    small containers, none of them in a cycle; every collection would walk the whole growing
    heap again, which tripled the time of find_matches on 100,000 people."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            # What was made meanwhile is still in the youngest generation, and the first
            # collection would walk all of it (a second of CPU at a million people). Moved to
            # the oldest generation instead: still collected, by a full collection. Not when
            # the process keeps objects frozen itself (unfreezing would thaw those too).
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@dataclass
class Cluster:
    ids: list[int]  # sorted
    matches: list[Match] = field(default_factory=list)  # the links that hold it together
    score: float = 1.0  # the weakest link used


@dataclass
class Matching:
    """What one matching run found: the pairs kept, the model learned, and the guard that keeps
    clusters from chaining people the model sees as different."""

    matches: list[Match]
    model: Model | None
    pairs: int = 0  # candidate pairs scored
    # The prepared people of the pairs kept, by id: clustering compares them again.
    features: dict[int, Features] = field(default_factory=dict, repr=False)
    # Pairs kept that are no conflict (:func:`pair_key` of their ids): most pairs of members a
    # clustering checks are pairs the matcher already weighed, and a set lookup is a
    # hundredth of comparing them again.
    clear: set[int] = field(default_factory=set, repr=False)
    _weights: list[list[float]] | None = field(default=None, init=False, repr=False)

    def conflict(self, f: Features, g: Features) -> bool:
        """Two people the model is sure are different (their fields alone, without the prior,
        weigh below :data:`CONFLICT_BITS`); without a model the rule-based mismatch."""
        if self.model is None:
            return mismatch(f, g) is not None
        if self.clear and pair_key(f.id, g.id) in self.clear:
            return False
        levels = compare(f, g)
        if mismatch_levels(levels):
            return True
        if self._weights is None:
            # Plain lists: this runs for every pair of members of two groups about to join.
            self._weights = [w.tolist() for w in self.model.weights]
        weights = self._weights
        total = 0.0
        for k, lv in enumerate(levels):
            total += weights[k][lv]
        return total < CONFLICT_BITS


def pair_key(a: int, b: int) -> int:
    """One integer for an unordered pair of ids (for sets of pairs without tuples)."""
    return (a << 64) | b if a < b else (b << 64) | a


# Candidate pairs compared at a time (a progress step; bounds the temporary arrays).
_CHUNK = 1 << 20
# Below this many people there are too few pairs to learn from: the hand-set weights score.
MODEL_MIN_PEOPLE = 500
# Fields that weigh this much (bits) against a pair keep two people out of one cluster.
CONFLICT_BITS = -6.0


def find_matches(
    people: Sequence[Person],
    *,
    only_ids: set[int] | None = None,
    min_score: float = REVIEW_THRESHOLD,
    skip_pairs: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
    progress: Progress | None = None,
    max_block: int = 50,
    labels: Sequence[tuple[Person, Person, bool]] = (),
) -> list[Match]:
    """Scored pairs of ``people`` at or above ``min_score``, strongest first (see
    :func:`match`)."""
    return match(
        people, only_ids=only_ids, min_score=min_score, skip_pairs=skip_pairs,
        progress=progress, max_block=max_block, labels=labels,
    ).matches  # fmt: skip


def match(
    people: Sequence[Person],
    *,
    only_ids: set[int] | None = None,
    min_score: float = REVIEW_THRESHOLD,
    skip_pairs: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
    progress: Progress | None = None,
    max_block: int = 50,
    labels: Sequence[tuple[Person, Person, bool]] = (),
) -> Matching:
    """Learn the model on the candidate pairs of ``people`` and keep the pairs whose match
    probability is at least ``min_score``.

    ``only_ids``: only pairs with at least one side among these ids (a new import against the
    base). ``skip_pairs``: (smaller id, larger id) pairs never to return ("not a duplicate"
    marks). ``labels``: pairs a person decided (merged: True, not the same: False), which the
    model learns from. ``progress(stage, done, total)`` is called now and then with the stages
    "prepare", "keys", "compare" and "explain".
    """
    with _no_gc():
        return _match(people, only_ids, min_score, skip_pairs, progress, max_block, labels)


def _match(
    people: Sequence[Person],
    only_ids: set[int] | None,
    min_score: float,
    skip_pairs: set[tuple[int, int]] | frozenset[tuple[int, int]],
    progress: Progress | None,
    max_block: int,
    labels: Sequence[tuple[Person, Person, bool]],
) -> Matching:
    n = len(people)
    step = max(1, n // 20)
    feats: list[Features] = []
    for i, p in enumerate(people):
        feats.append(features(p))
        if progress is not None and (i % step == 0 or i == n - 1):
            progress("prepare", i + 1, n)
    codes = pair_codes(feats, only_ids=only_ids, max_block=max_block, progress=progress)
    total = len(codes)
    report = None
    if progress is not None:

        def report(k: int) -> None:
            progress("compare", k + 1, total)

    if n < MODEL_MIN_PEOPLE:
        return _by_rules(feats, codes, n, min_score, skip_pairs, progress)
    cols = Columns(feats)
    X = np.empty((total, N_FIELDS), dtype=np.int8)
    for s in range(0, total, _CHUNK):
        part = codes[s : s + _CHUNK]
        X[s : s + len(part)] = cols.levels(part // n, part % n)
        if report is not None:
            report(s + len(part) - 1)
    label_levels = [(compare(features(a), features(b)), same) for a, b, same in labels]
    model = fit(feats, X, labels=label_levels, u_random=random_u(feats, matrix=cols.levels))
    del cols
    weights = model.match_weights(X)
    terms = model.term_adjustments(feats)
    first_side = codes // n if len(terms) else None
    for k, adj in terms.items():
        rows = np.flatnonzero(X[:, k] == 1)
        weights[rows] += adj[first_side[rows]]
    prob = probability(weights)
    prob = np.where(corroborated(X), prob, np.minimum(prob, NAME_ONLY_CAP))
    prob = np.where(mismatched(X), np.minimum(prob, MISMATCH_CAP), prob)
    keep = np.flatnonzero(prob >= min_score)
    kept_codes = codes[keep]
    side_a, side_b = kept_codes // n, kept_codes % n
    # Which pairs kept are no conflict, worked out as Matching.conflict does it: their fields'
    # weights summed in field order from zero, without the prior or term adjustments.
    fields_w = np.zeros(len(keep))
    for k in range(N_FIELDS):
        fields_w += model._table[k][X[keep, k]]
    no_conflict = ~mismatched(X[keep]) & (fields_w >= CONFLICT_BITS)
    # Only the people of the pairs kept are needed from here on: the rest of the prepared
    # people (half a gigabyte in a base of a million) can go.
    kept = {i: feats[i] for i in np.union1d(side_a, side_b).tolist()}
    del feats, codes, weights
    why = _Reasons(
        model, kept, side_a, side_b, X[keep], {k: adj[side_a] for k, adj in terms.items()}
    )
    scores = [round(p, 4) for p in prob[keep].tolist()]
    del terms, X, prob
    ids_a = np.fromiter((kept[i].id for i in side_a.tolist()), dtype=np.int64, count=len(keep))
    ids_b = np.fromiter((kept[j].id for j in side_b.tolist()), dtype=np.int64, count=len(keep))
    lo, hi = np.minimum(ids_a, ids_b), np.maximum(ids_a, ids_b)
    del ids_a, ids_b
    # The pairs strongest first, then by their ids: sorted as arrays, not as objects.
    order = np.lexsort((hi, lo, -np.array(scores, dtype=np.float64))).tolist()
    lo_l, hi_l, ok_l = lo.tolist(), hi.tolist(), no_conflict.tolist()
    del lo, hi
    out: list[Match] = []
    clear: set[int] = set()
    deferred = Match.deferred
    for k in order:
        a, b = lo_l[k], hi_l[k]
        if ok_l[k]:
            clear.add((a << 64) | b)
        if (a, b) in skip_pairs:
            continue
        out.append(deferred(a, b, scores[k], why, k))
    if progress is not None:
        progress("explain", len(keep), len(keep))
    return Matching(out, model, total, {f.id: f for f in kept.values()}, clear)


class _Reasons:
    """The reasons of the pairs a run kept, written when a pair's reasons are read (stored or
    shown) and not kept: all at once they were a few hundred megabytes in a base of a million.
    What they need stays as arrays: the levels of each pair (one byte a field), the two people
    and the term adjustments of their names."""

    __slots__ = ("kept", "model", "rows", "side_a", "side_b", "weights")

    def __init__(self, model, kept, side_a, side_b, levels, extras) -> None:
        self.model = model
        self.kept = kept
        self.side_a = side_a.astype(np.int32)
        self.side_b = side_b.astype(np.int32)
        # Per pair, its levels and then its compared fields in the order Model.explain gives
        # them, strongest first (one int8 row: one read per pair), and the weights in that
        # order (a term adjustment added where a name or city is the same): worked out for
        # all pairs at once, not pair by pair.
        m, nf = levels.shape
        self.rows = np.empty((m, 2 * nf), dtype=np.int8)
        self.rows[:, :nf] = levels
        self.weights = np.empty((m, nf))
        step = 1 << 16
        for s in range(0, m, step):
            lv = levels[s : s + step]
            w = np.empty(lv.shape)
            for k in range(nf):
                w[:, k] = model._table[k][lv[:, k]]
            for t, adj in extras.items():
                same = lv[:, t] == 1
                w[same, t] += adj[s : s + step][same]
            key = -np.abs(w)
            key[lv == 0] = np.inf
            order = np.argsort(key, axis=1, kind="stable")
            self.rows[s : s + step, nf:] = order
            self.weights[s : s + step] = np.take_along_axis(w, order, axis=1)

    def __call__(self, k: int) -> list[str]:
        row = self.rows[k].tolist()
        nf = len(row) // 2
        levels = row[:nf]
        n = nf - levels.count(0)
        f, g = self.kept[self.side_a.item(k)], self.kept[self.side_b.item(k)]
        return self.model.phrases(f, g, levels, row[nf : nf + n], self.weights[k, :n].tolist())


# A link this many times likelier than a record's link to someone who clearly differs from the
# first is a clear choice (see _ambiguous).
CLEAR_WINNER = 10.0


def _one_contact(f: Features, g: Features, h: Features) -> bool:
    """The three share a phone or an e-mail (one family's or one office's)."""
    return bool(
        set(f.phones).intersection(g.phones, h.phones)
        or set(f.emails).intersection(g.emails, h.emails)
    )


def _ambiguous(edges: Sequence[Match], feat, conflict) -> set[int]:
    """Records linked to two people of their own phone or e-mail who clearly differ from each
    other, neither link :data:`CLEAR_WINNER` times likelier than the other: "Иванов Иван" with
    neither patronymic nor birthday on the home phone of Иван Петрович and of his son Иван
    Иванович. Joining the stronger of two near-equal links is a coin toss; such a record waits
    for a person. (Two records of one person that conflict by a typo, with no contact in
    common, are not this: the record joins the stronger link as before.)"""
    if len(edges) < 2:
        return set()
    # Every link seen from both ends, in numpy: (record, other end, score), grouped by record,
    # strongest first. Only records with two links or more, and only the links near the
    # strongest, are looked at in Python.
    a = np.fromiter((m.a for m in edges), dtype=np.int64, count=len(edges))
    b = np.fromiter((m.b for m in edges), dtype=np.int64, count=len(edges))
    score = np.fromiter((m.score for m in edges), dtype=np.float64, count=len(edges))
    node, other, sc = np.concatenate((a, b)), np.concatenate((b, a)), np.concatenate((score, score))
    order = np.lexsort((other, -sc, node))
    node, other, sc = node[order], other[order], sc[order]
    first = np.flatnonzero(np.concatenate(([True], node[1:] != node[:-1])))
    size = np.diff(np.concatenate((first, [len(node)])))
    head = np.repeat(first, size)  # each link's record's strongest link
    odds = np.minimum(sc, 1.0 - 1e-6)
    odds = odds / (1.0 - odds)
    near = (np.arange(len(node)) != head) & (odds[head] < CLEAR_WINNER * odds)
    x, best, rival = node[near], other[head[near]], other[near]
    # Two people linked to each other are not the two a record must choose between (most
    # records with two links are three records of one person).
    big = int(max(a.max(), b.max())) + 1
    lo, hi = np.minimum(best, rival), np.maximum(best, rival)
    keep = ~np.isin(lo * big + hi, a * big + b)
    held: set[int] = set()
    for i, j, k in zip(x[keep].tolist(), best[keep].tolist(), rival[keep].tolist(), strict=True):
        if i in held:
            continue
        fx, fb, fo = feat(i), feat(j), feat(k)
        if fx is None or fb is None or fo is None or not (fx.phones or fx.emails):
            continue
        if _one_contact(fx, fb, fo) and conflict(fb, fo):
            held.add(i)
    return held


def _by_rules(feats, codes, n, min_score, skip_pairs, progress) -> Matching:
    """A base too small to learn from is scored by the hand-set weights of :mod:`.score`."""
    out: list[Match] = []
    total = len(codes)
    for k, (i, j) in enumerate(decode_pairs(codes, n)):
        m = score_features(feats[i], feats[j], min_score)
        if m is not None and (m.a, m.b) not in skip_pairs:
            out.append(m)
        if progress is not None and k == total - 1:
            progress("score", total, total)
    out.sort(key=lambda m: (-m.score, m.a, m.b))
    kept = {i for m in out for i in (m.a, m.b)}
    return Matching(out, None, len(codes), {f.id: f for f in feats if f.id in kept})


def clusters(
    matches: Sequence[Match],
    people_by_id: Mapping[int, Person] | None = None,
    *,
    min_score: float,
    conflict: Callable[[Features, Features], bool] | None = None,
    features_by_id: Mapping[int, Features] | None = None,
    hold_ambiguous: bool = False,
) -> list[Cluster]:
    """Groups of two or more ids joined by matches at or above ``min_score``.

    With ``people_by_id`` the chain guard described in the module applies; without it the
    groups are the plain transitive closure (the caller then knows the pairs are consistent).
    ``features_by_id``: people already prepared (:attr:`Matching.features`), not prepared
    again. ``hold_ambiguous`` (for merging without a person): a record linked to two people
    who clearly differ, neither link :data:`CLEAR_WINNER` times likelier than the other, joins
    neither (see :func:`_ambiguous`). Clusters come ordered by their smallest id.
    """
    with _no_gc():
        return _clusters(
            matches, people_by_id, min_score, conflict, features_by_id or {}, hold_ambiguous
        )


def _clusters(
    matches: Sequence[Match],
    people_by_id: Mapping[int, Person] | None,
    min_score: float,
    conflict: Callable[[Features, Features], bool] | None,
    prepared: Mapping[int, Features],
    hold_ambiguous: bool = False,
) -> list[Cluster]:
    edges = sorted((m for m in matches if m.score >= min_score), key=lambda m: (-m.score, m.a, m.b))
    # A pair that was found is its own evidence: joining two single records needs no check.
    singles_ok = True
    if conflict is None:

        def conflict(f: Features, g: Features) -> bool:
            return mismatch(f, g) is not None

    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    links: dict[int, list[Match]] = {}
    cache: dict[int, Features] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        r = x
        while parent[r] != r:
            r = parent[r]
        while parent[x] != r:
            parent[x], x = r, parent[x]
        return r

    def feat(x: int) -> Features | None:
        f = cache.get(x) or prepared.get(x)
        if f is None and people_by_id is not None:
            p = people_by_id.get(x)
            if p is None:
                return None
            f = cache[x] = features(p)
        return f

    def compatible(xs: list[int], ys: list[int]) -> bool:
        if len(xs) + len(ys) > MAX_CLUSTER:
            return False
        if people_by_id is None:
            return True
        for x in xs:
            fx = feat(x)
            if fx is None:
                continue
            for y in ys:
                fy = feat(y)
                if fy is not None and conflict(fx, fy):
                    return False
        return True

    if hold_ambiguous and people_by_id is not None:
        held = _ambiguous(edges, feat, conflict)
        if held:
            edges = [m for m in edges if m.a not in held and m.b not in held]

    for m in edges:
        ra, rb = root(m.a), root(m.b)
        if ra == rb:
            continue
        ma, mb = members.get(ra, [m.a]), members.get(rb, [m.b])
        if not (singles_ok and len(ma) == 1 and len(mb) == 1) and not compatible(ma, mb):
            continue
        if len(ma) < len(mb):
            ra, rb, ma, mb = rb, ra, mb, ma
        parent[rb] = ra
        members[ra] = ma + mb
        links[ra] = links.pop(ra, []) + links.pop(rb, []) + [m]
        members.pop(rb, None)

    out = [
        Cluster(sorted(ids), links[r], min(x.score for x in links[r]))
        for r, ids in members.items()
        if len(ids) > 1
    ]
    out.sort(key=lambda c: c.ids[0])
    return out
