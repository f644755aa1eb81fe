"""What a big run works out for all pairs at once equals what one pair at a time gives: the
order and weights of each pair's reasons, the conflicts a clustering skips, the pair codes."""

from __future__ import annotations

import random

import numpy as np
import pytest
from test_dedupe_columns import _people

from clientbase.dedupe.cluster import Matching, clusters, match, pair_key
from clientbase.dedupe.keys import _sorted_unique, features
from clientbase.dedupe.levels import compare
from clientbase.dedupe.person import Person


def _base(seed: int) -> list[Person]:
    # Over 500 customers: scored by the learned model, not the hand-set weights.
    people = _people(600, seed)
    assert len(people) >= 500
    return people


@pytest.mark.parametrize("seed", [1, 2])
def test_reasons_of_a_run_equal_the_model_explaining_each_pair(seed):
    people = _base(seed)
    found = match(people, min_score=0.01)
    assert found.model is not None and len(found.matches) > 50
    by_id = {p.id: p for p in people}
    terms = found.model.term_adjustments([features(p) for p in people])
    index = {p.id: k for k, p in enumerate(people)}
    for m in found.matches:
        f, g = features(by_id[m.a]), features(by_id[m.b])
        levels = compare(f, g)
        # The run adds a name's or city's term adjustment of the pair's first side in the order
        # the blocking gave it: either side, so both are tried.
        expected = [
            found.model.explain(
                f,
                g,
                levels,
                {t: float(adj[index[side]]) for t, adj in terms.items() if levels[t] == 1},
            )
            for side in (m.a, m.b)
        ]
        assert m.reasons in expected, (m.a, m.b, m.reasons, expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_conflicts_known_clear_are_the_ones_compare_finds_clear(seed):
    people = _base(seed)
    found = match(people, min_score=0.01)
    assert found.clear, "the run marks its pairs that are no conflict"
    plain = Matching(found.matches, found.model, found.pairs, found.features)  # no shortcut
    by_id = {p.id: features(p) for p in people}
    rng = random.Random(seed)
    ids = sorted(by_id)
    checked = 0
    for m in found.matches:
        f, g = by_id[m.a], by_id[m.b]
        assert found.conflict(f, g) == plain.conflict(f, g)
        assert found.conflict(g, f) == plain.conflict(g, f)
        checked += pair_key(m.a, m.b) in found.clear
    assert checked > 0
    for _ in range(2000):
        a, b = rng.sample(ids, 2)
        assert found.conflict(by_id[a], by_id[b]) == plain.conflict(by_id[a], by_id[b])
    groups = clusters(
        found.matches, {p.id: p for p in people}, min_score=0.8, conflict=found.conflict,
        features_by_id=found.features, hold_ambiguous=True,
    )  # fmt: skip
    again = clusters(
        found.matches, {p.id: p for p in people}, min_score=0.8, conflict=plain.conflict,
        features_by_id=found.features, hold_ambiguous=True,
    )  # fmt: skip
    assert [c.ids for c in groups] == [c.ids for c in again]


def test_pair_key_is_one_number_per_unordered_pair():
    assert pair_key(3, 7) == pair_key(7, 3) != pair_key(3, 8)
    assert pair_key(1, 2**40) != pair_key(2, 2**40)


@pytest.mark.parametrize("n", [0, 1, 2, 1000])
def test_sorted_unique_is_numpys_unique(n):
    x = np.random.default_rng(n).integers(0, max(2, n // 3), n).astype(np.int64)
    assert np.array_equal(_sorted_unique(x.copy()), np.unique(x))
