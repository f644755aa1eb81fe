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
is linked to more strongly. Holding such records back for review was tried: on the
benchmark it cost more true pairs than wrong ones it saved, because the stronger link is
right more often than not.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from clientbase.dedupe.keys import Features, decode_pairs, features, pair_codes
from clientbase.dedupe.person import Match, Person
from clientbase.dedupe.score import (
    MISMATCH_CAP,
    REVIEW_THRESHOLD,
    mismatch,
    score_features,
)

__all__ = ["MAX_CLUSTER", "Cluster", "clusters", "find_matches"]

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
            gc.enable()


@dataclass
class Cluster:
    ids: list[int]  # sorted
    matches: list[Match] = field(default_factory=list)  # the links that hold it together
    score: float = 1.0  # the weakest link used


def find_matches(
    people: Sequence[Person],
    *,
    only_ids: set[int] | None = None,
    min_score: float = REVIEW_THRESHOLD,
    skip_pairs: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
    progress: Progress | None = None,
    max_block: int = 50,
) -> list[Match]:
    """Scored pairs of ``people`` at or above ``min_score``, strongest first.

    ``only_ids``: only pairs with at least one side among these ids (a new import against the
    base). ``skip_pairs``: (smaller id, larger id) pairs never to return ("not a duplicate"
    marks). ``progress(stage, done, total)`` is called now and then with the stages
    "prepare", "keys" and "score".
    """
    with _no_gc():
        return _find_matches(people, only_ids, min_score, skip_pairs, progress, max_block)


def _find_matches(
    people: Sequence[Person],
    only_ids: set[int] | None,
    min_score: float,
    skip_pairs: set[tuple[int, int]] | frozenset[tuple[int, int]],
    progress: Progress | None,
    max_block: int,
) -> list[Match]:
    n = len(people)
    step = max(1, n // 20)
    feats: list[Features] = []
    for i, p in enumerate(people):
        feats.append(features(p))
        if progress is not None and (i % step == 0 or i == n - 1):
            progress("prepare", i + 1, n)
    codes = pair_codes(feats, only_ids=only_ids, max_block=max_block, progress=progress)
    total = len(codes)
    out: list[Match] = []
    pstep = max(1, total // 20)
    for k, (i, j) in enumerate(decode_pairs(codes, n)):
        m = score_features(feats[i], feats[j], min_score)
        if m is not None and (m.a, m.b) not in skip_pairs:
            out.append(m)
        if progress is not None and (k % pstep == 0 or k == total - 1):
            progress("score", k + 1, total)
    out.sort(key=lambda m: (-m.score, m.a, m.b))
    return out


def clusters(
    matches: Sequence[Match],
    people_by_id: Mapping[int, Person] | None = None,
    *,
    min_score: float,
) -> list[Cluster]:
    """Groups of two or more ids joined by matches at or above ``min_score``.

    With ``people_by_id`` the chain guard described in the module applies; without it the
    groups are the plain transitive closure (the caller then knows the pairs are consistent).
    Clusters come ordered by their smallest id.
    """
    with _no_gc():
        return _clusters(matches, people_by_id, min_score)


def _clusters(
    matches: Sequence[Match],
    people_by_id: Mapping[int, Person] | None,
    min_score: float,
) -> list[Cluster]:
    edges = sorted((m for m in matches if m.score >= min_score), key=lambda m: (-m.score, m.a, m.b))
    # Above MISMATCH_CAP a pair has no clear mismatch of its own (its score would be capped),
    # so joining two single records needs no check.
    singles_ok = min_score > MISMATCH_CAP
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
        f = cache.get(x)
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
                if fy is not None and mismatch(fx, fy) is not None:
                    return False
        return True

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
