"""A Fellegi–Sunter matching model learned from the base itself.

Every candidate pair is a vector of comparison levels (:mod:`.levels`). For each field and
level the model knows two probabilities:

- **u**, how often the level occurs between two *different* people. It is estimated from
  random pairs of the base (a random pair is almost never one person): exactly, from how often
  each value occurs, for "same"; by sampling for the other levels.
- **m**, how often the level occurs between two records of *one* person. It is learned by
  expectation–maximisation over the candidate pairs that blocking found, starting from
  :data:`START_M` (what a careful person would guess), so the model adapts to the kind of
  noise a list has: typo'd birthdays, missing cities, transliterated names.

A pair's match weight is ``log2(prior / (1 - prior)) + sum(log2(m / u))`` over the fields it can
compare, and its match probability ``1 / (1 + 2 ** -weight)``. Each term is one line of the
explanation ("surname same: Смирнова ≈ Smirnowa +3.1").

Two things keep the independence assumption of the method honest on real lists: u is
estimated among candidate pairs too (people who share a phone are relatives more often than a
random pair), with the random-pair estimate as its prior, and levels that prove two people
different (first names from the tables that share no full form, different patronymics, a company
against a person) keep a floor on how rare they are for one person (:data:`M_FLOOR`).

Decisions a person made are labels: a pair marked "not the same" or merged by hand counts as a
known non-match or match in every iteration, with :data:`LABEL_WEIGHT` times the weight of
an unlabelled pair, and the scorer returns 0 or 1 for it whatever the fields say.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from clientbase.dedupe import levels as _lv
from clientbase.dedupe.keys import Features
from clientbase.dedupe.levels import FIELDS, LEVELS, N_FIELDS, compare, phrase, read_swapped
from clientbase.i18n import language

__all__ = [
    "AUTO_PROBABILITY",
    "LABEL_WEIGHT",
    "REVIEW_PROBABILITY",
    "START_M",
    "Model",
    "fit",
    "level_matrix",
    "probability",
]

# `dedupe --yes` merges groups whose every link has at least this match probability. Chosen on
# the labelled lists of benchmarks/ (generated, FEBRL, RLdata, restaurants): from 0.9 to 0.8
# precision stays (ru 0.9939 either way) and recall grows where the only evidence is a name and
# a birthday with one part typed wrong; names alone stay below it (NAME_ONLY_CAP).
AUTO_PROBABILITY = 0.8
# Pairs from this probability up are kept and proposed for review.
REVIEW_PROBABILITY = 0.5

# A decision made by a person counts as this many pairs found by the matcher.
LABEL_WEIGHT = 20.0
# The smallest m a level can have (how rare it may be for one person).
M_FLOOR = 1e-4
# The number of random pairs sampled for u.
U_SAMPLE = 40_000
EM_ITERATIONS = 40
# Levels run 0..7, so a vector packs into 3 bits a field.
_BITS = 3

# Starting m (level 0 excluded, in LEVELS order): a person's two records agree most of the time,
# a typo or a variant now and then, a clear difference rarely.
START_M: dict[str, tuple[float, ...]] = {
    "phone": (0.70, 0.03, 0.02, 0.03, 0.22),
    "email": (0.70, 0.04, 0.04, 0.02, 0.20),
    "client code": (0.85, 0.08, 0.07),
    "surname": (0.80, 0.07, 0.03, 0.03, 0.005, 0.065),
    "first name": (0.70, 0.12, 0.05, 0.02, 0.05, 0.05, 0.002),
    "patronymic": (0.85, 0.05, 0.05, 0.01),
    "gender": (0.97, 0.03),
    "birthday": (0.80, 0.04, 0.02, 0.06, 0.03, 0.01, 0.03),
    "city": (0.75, 0.05, 0.20),
    "address": (0.70, 0.10, 0.20),
    "postcode": (0.80, 0.08, 0.12),
    "company": (0.70, 0.10, 0.20),
    "organisation": (0.60, 0.15, 0.15, 0.09, 0.01),
    "kind": (0.5, 0.5),
}
# Levels that say two people are different: their m never learns to be common.
_MISMATCH_LEVELS = {
    ("first name", 7),
    ("patronymic", 4),
    ("gender", 2),
    ("birthday", 6),
    ("kind", 2),
    ("organisation", 5),
}
# Names and a city alone are never proof: namesakes are common and the name fields are not
# independent (a family name, a patronymic from it). A pair with no agreement beyond them
# scores at most NAME_ONLY_CAP, below the automatic threshold: it is proposed for review.
NAME_ONLY_CAP = 0.75
_CORROBORATING = {
    "phone": (1, 2, 3),
    "email": (1, 2),
    "client code": (1, 2),
    "birthday": (1, 2, 3, 4, 7),
    "address": (1, 2),
    "postcode": (1,),
    "company": (1,),
}


# Levels that prove two people different, whatever else they share (a mother and a daughter of
# one name on one home phone differ by patronymic and birthday): a pair at one of them scores
# at most MISMATCH_CAP and is not proposed; the same levels keep clusters from chaining them.
# One thing outranks them: the same client code (a customer number of the system the list came
# from is given to one customer, whatever name or birthday a record was typed with); the
# model's weights still count the difference.
MISMATCH_CAP = 0.3
_CLIENT_CODE = FIELDS.index("client code")


def mismatch_levels(levels: Sequence[int]) -> bool:
    """One pair's levels prove two people different (:func:`mismatched` for one row)."""
    if levels[_CLIENT_CODE] == 1:
        return False
    # A plain loop over the few (field, level) pairs: this runs for every pair of members of
    # two groups about to join.
    for k, bad in _MISMATCH_AT:
        if levels[k] == bad:
            return True
    return False


_MISMATCH_AT = tuple(sorted((FIELDS.index(name), lv) for name, lv in _MISMATCH_LEVELS))


def mismatched(X: np.ndarray) -> np.ndarray:
    """Rows of a level matrix with a level that proves two people different."""
    out = np.zeros(len(X), dtype=bool)
    for name, lv in _MISMATCH_LEVELS:
        out |= X[:, FIELDS.index(name)] == lv
    out &= X[:, _CLIENT_CODE] != 1
    return out


def corroborated(X: np.ndarray) -> np.ndarray:
    """Rows of a level matrix with some agreement beyond names and city."""
    ok = np.zeros(len(X), dtype=bool)
    for name, levels in _CORROBORATING.items():
        ok |= np.isin(X[:, FIELDS.index(name)], levels)
    return ok


# Levels whose evidence mostly repeats another field's (an e-mail name part of letters only is
# the person's name again): their weight is capped at this many bits.
_CAPPED = {("email", 3): 1.0}
# Fields whose "same" weighs by how common the value is, and the most it may move (bits).
_TERM_FIELDS: dict[str, Callable[[Features], str]] = {
    "surname": lambda f: f.last if f.kind != "company" and not f.last_initial else "",
    "first name": lambda f: f.first.key if f.first is not None and not f.first.initial else "",
    "city": lambda f: f.city,
}
TERM_LIMIT = 4.0
# How much the candidate-pair estimate of u may move away from the random-pair one (pseudo-
# pairs of the random estimate).
U_PRIOR_STRENGTH = 2_000.0


@dataclass
class Model:
    m: list[np.ndarray]  # per field, per level (level 0 unused)
    u: list[np.ndarray]
    prior: float  # probability that two random records are one person
    pairs: int = 0  # candidate pairs it was fitted on
    candidate_prior: float = 0.0  # share of true pairs among the candidate pairs
    labels: int = 0  # decisions it learned from
    iterations: int = 0
    weights: list[np.ndarray] = field(init=False)
    _lists: list[list[float]] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.weights = []
        for f in range(N_FIELDS):
            w = np.log2(self.m[f] / np.maximum(self.u[f], 1e-12))
            w[0] = 0.0
            for lv in range(1, len(w)):
                cap = _CAPPED.get((FIELDS[f], lv))
                if cap is not None:
                    w[lv] = min(w[lv], cap)
            self.weights.append(w)
        self._prior_w = math.log2(self.prior / (1 - self.prior))
        # Level lookups for whole matrices: one row per field, padded to 8 levels.
        self._table = np.zeros((N_FIELDS, 1 << _BITS))
        for f, w in enumerate(self.weights):
            self._table[f, : len(w)] = w

    def match_weights(self, X: np.ndarray) -> np.ndarray:
        """Match weight (bits) of every row of a level matrix."""
        if len(X) == 0:
            return np.zeros(0)
        out = np.full(len(X), self._prior_w)
        for f in range(N_FIELDS):
            out += self._table[f][X[:, f]]
        return out

    def term_adjustments(self, feats: Sequence[Features]) -> dict[int, np.ndarray]:
        """Per person, how much more (or less) "same" weighs for their own surname, first name
        and city than for an average one: Смирнова is shared by more strangers than Зотова.
        Indexed by field; only for level "same"."""
        out: dict[int, np.ndarray] = {}
        for name, get in _TERM_FIELDS.items():
            k = FIELDS.index(name)
            vals = [get(f) for f in feats]
            has = np.fromiter(map(bool, vals), dtype=np.bool_, count=len(vals))
            total = int(has.sum())
            if total < 2:
                continue
            hashes = np.fromiter(map(hash, vals), dtype=np.int64, count=len(vals))[has]
            _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
            p = np.maximum(counts[inverse] - 1, 1) / (total - 1)
            base = math.log2(float(self.u[k][1]))
            adj = np.zeros(len(feats))
            adj[has] = np.clip(base - np.log2(p), -TERM_LIMIT, TERM_LIMIT)
            out[k] = adj
        return out

    def weight(self, levels: Sequence[int]) -> float:
        return self._prior_w + sum(float(self.weights[f][lv]) for f, lv in enumerate(levels))

    def explain(
        self, f: Features, g: Features, levels: Sequence[int], extra: dict[int, float] | None = None
    ) -> list[str]:
        """One phrase per comparable field, strongest evidence first, with its weight
        (``extra``: the term adjustment of a field, added to its weight)."""
        if self._lists is None:
            # Plain lists: this runs for every pair kept, hundreds of thousands in a big base.
            self._lists = [w.tolist() for w in self.weights]
        weights = self._lists
        parts = []
        for k, lv in enumerate(levels):
            if lv == 0:
                continue
            w = weights[k][lv]
            if extra:
                w += extra.get(k, 0.0)
            parts.append((-abs(w), k, lv, w))
        parts.sort()
        return self.phrases(f, g, levels, [k for _, k, _, _ in parts], [w for *_, w in parts])

    @staticmethod
    def phrases(
        f: Features, g: Features, levels: Sequence[int], order: Sequence[int], ws: Sequence[float]
    ) -> list[str]:
        """The phrases of :meth:`explain`: the fields ``order`` gives (strongest first), each
        with its weight from ``ws`` (in the same order)."""
        # Only a surname and a first name that both compare can have been read swapped.
        # A swapped reading gives a surname same or typo'd and a first name same or typo'd,
        # and is never taken when the surnames as typed are the same (most pairs).
        sw = (
            levels[_lv.SURNAME] in (1, 2)
            and levels[_lv.FIRST] in (1, 3)
            and f.last != g.last
            and read_swapped(f, g)
        )
        lang = language()
        return [
            f"{phrase(lang, f, g, k, levels[k], sw)} {w:+.1f}"
            for k, w in zip(order, ws, strict=True)
        ]

    def summary(self) -> list[dict]:
        """The learned table: per field and level, m, u and the weight."""
        rows = []
        for k, name in enumerate(FIELDS):
            for lv in range(1, len(LEVELS[name])):
                rows.append(
                    {"field": name, "level": LEVELS[name][lv], "m": float(self.m[k][lv]),
                     "u": float(self.u[k][lv]), "weight": float(self.weights[k][lv])}
                )  # fmt: skip
        return rows


def probability(weight: np.ndarray | float):
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


# --- level matrices ---------------------------------------------------------------------------


def level_matrix(
    feats: Sequence[Features],
    pairs: Iterable[tuple[int, int]],
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Levels of every pair (indexes into ``feats``) as an int8 matrix, one row a pair."""
    buf = array("b")
    extend = buf.extend
    for k, (i, j) in enumerate(pairs):
        extend(compare(feats[i], feats[j]))
        if progress is not None and k & 0xFFFF == 0:
            progress(k)
    # int8: one byte a level (a million pairs are 14 MB, not 112).
    return np.frombuffer(buf, dtype=np.int8).reshape(-1, N_FIELDS)


def _pack(X: np.ndarray) -> np.ndarray:
    code = np.zeros(len(X), dtype=np.int64)
    for f in range(N_FIELDS):
        code = (code << _BITS) | X[:, f].astype(np.int64)
    return code


def _unpack(codes: np.ndarray) -> np.ndarray:
    X = np.zeros((len(codes), N_FIELDS), dtype=np.int64)
    c = codes.copy()
    for f in reversed(range(N_FIELDS)):
        X[:, f] = c & ((1 << _BITS) - 1)
        c >>= _BITS
    return X


# --- u from random pairs ----------------------------------------------------------------------


def _birthday_value(f: Features):
    if f.kind == "company" or not (f.by and f.bm and f.bd):
        return None
    return (f.by, f.bm, f.bd)


# Per field, the one value whose equality is level "same", for the exact estimate of u.
_VALUE_OF: dict[str, Callable[[Features], object]] = {
    "phone": lambda f: f.phones[0] if f.phones else (f.loose_phones[0] if f.loose_phones else None),
    "email": lambda f: f.emails[0] if f.emails else None,
    "client code": lambda f: f.external_id or None,
    "surname": lambda f: f.last or None if f.kind != "company" else None,
    "first name": lambda f: f.first.key if f.first is not None and f.kind != "company" else None,
    "patronymic": lambda f: f.middle or None if f.kind != "company" else None,
    "gender": lambda f: f.gender if f.kind != "company" else None,
    "birthday": _birthday_value,
    "city": lambda f: f.city or None,
    "address": lambda f: f.address_words or None,
    "postcode": lambda f: f.postcode or None,
    "company": lambda f: f.company_core or None if f.kind != "company" else None,
    "organisation": lambda f: f.company_core or None if f.kind == "company" else None,
}


def _value_counts(values: list) -> np.ndarray:
    """How often each distinct value occurs (by its hash: a collision of two values of a
    million is as rare as it is harmless here)."""
    hashes = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
    return np.unique(hashes, return_counts=True)[1]


def _exact_u(feats: Sequence[Features], field_name: str) -> float | None:
    """P(two random people have the same value), from the value counts: sum of p²."""
    get = _VALUE_OF.get(field_name)
    if get is None:
        return None
    values = [v for v in map(get, feats) if v is not None]
    total = len(values)
    if total < 2:
        return None
    c = _value_counts(values).astype(float)
    return max(float((c * (c - 1)).sum()) / (total * (total - 1)), 1e-9)


def random_u(
    feats: Sequence[Features],
    *,
    sample: int = U_SAMPLE,
    seed: int = 7,
    matrix: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
):
    """u per field and level from random pairs of ``feats`` (smoothed; "same" exact).
    ``matrix(i, j)``: the level matrix of pairs given as two index arrays
    (:meth:`clientbase.dedupe.columns.Columns.levels`); by default :func:`level_matrix`."""
    n = len(feats)
    counts = [np.full(len(LEVELS[name]), 0.5) for name in FIELDS]
    if n >= 2:
        rng = random.Random(seed)
        pairs = []
        for _ in range(min(sample, n * (n - 1) // 2)):
            i, j = rng.randrange(n), rng.randrange(n)
            if i != j:
                pairs.append((i, j))
        if matrix is not None and pairs:
            i, j = np.array(pairs, dtype=np.int64).T
            X = matrix(i, j)
        else:
            X = level_matrix(feats, pairs)
        for k in range(N_FIELDS):
            counts[k] += np.bincount(X[:, k], minlength=len(counts[k]))[: len(counts[k])]
    u = []
    for k, name in enumerate(FIELDS):
        c = counts[k].astype(float)
        c[0] = 0.0
        p = c / c.sum()
        if name != "kind":
            exact = _exact_u(feats, name)
            if exact is not None and p[1] < 1:
                rest = p[2:].sum()
                if rest > 0:
                    p[2:] *= (1 - exact) / rest
                p[1] = exact
        p[0] = 1.0
        u.append(p)
    return u


# --- EM ---------------------------------------------------------------------------------------


def _start_m() -> list[np.ndarray]:
    out = []
    for name in FIELDS:
        m = np.array((1.0, *START_M[name]))
        out.append(m)
    return out


# Training sessions, as splink runs them: the pairs that agree on a contact learn how names,
# birthdays and places vary for one person; the pairs that agree on a name learn how contacts
# vary. A field is never learned from pairs picked because they agree on it (every such pair
# agrees, true or not), which is what otherwise teaches the model that namesakes are one person.
_CONTACT_FIELDS = ("phone", "email", "client code")
_NAME_FIELDS = ("surname", "first name", "patronymic", "gender", "organisation", "kind")
# A session needs this many pairs to learn from; below, the field keeps what the whole set says.
_SESSION_MIN = 200


def fit(
    feats: Sequence[Features],
    X: np.ndarray,
    *,
    labels: Sequence[tuple[Sequence[int], bool]] = (),
    iterations: int = EM_ITERATIONS,
    u_random: list[np.ndarray] | None = None,
) -> Model:
    """Learn m, u and the prior from the level matrix ``X`` of the candidate pairs of
    ``feats``; ``labels`` are (levels, is a match) of pairs a person decided.

    The expectation step sees the candidate pairs as a mixture of true pairs (m) and different
    people who met in a block (their own u, which blocking makes unlike random pairs: people in
    one block share a surname and an initial); the model that scores keeps m, takes u from
    random pairs and turns the share of true pairs among the candidates into the chance that
    two random records are one person, so the evidence a name gives depends on how common
    it is in the whole base, and a bigger base needs more of it."""
    u_rand = u_random if u_random is not None else random_u(feats)
    n = len(feats)
    all_pairs = max(1, n * (n - 1) // 2)
    codes = _pack(X) if len(X) else np.zeros(0, dtype=np.int64)
    uniq, counts = np.unique(codes, return_counts=True)
    P = _unpack(uniq)
    w = counts.astype(float)
    L = np.zeros((0, N_FIELDS), dtype=np.int64)
    fixed = np.zeros(0)
    if labels:
        L = np.array([list(lv) for lv, _ in labels], dtype=np.int64).reshape(-1, N_FIELDS)
        fixed = np.array([1.0 if is_match else 0.0 for _, is_match in labels])
    if len(P) + len(L) == 0:
        return Model(_start_m(), u_rand, min(0.5, 1 / all_pairs), pairs=0, labels=len(labels))
    idx = {name: FIELDS.index(name) for name in FIELDS}
    contact = np.zeros(len(P), dtype=bool)
    for name in _CONTACT_FIELDS:
        contact |= P[:, idx[name]] == 1
    named = (
        np.isin(P[:, idx["surname"]], (1, 2)) & np.isin(P[:, idx["first name"]], (1, 2, 3))
    ) | (np.isin(P[:, idx["organisation"]], (1, 2)))
    everything = set(range(N_FIELDS))
    m = _start_m()
    done = 0
    # Each session starts from the starting m and learns only its own fields.
    sessions = (
        (contact, everything - {idx[x] for x in _CONTACT_FIELDS}),
        (named, everything - {idx[x] for x in _NAME_FIELDS}),
    )
    learned: dict[int, np.ndarray] = {}
    for rows, fields in sessions:
        if w[rows].sum() < _SESSION_MIN:
            continue
        sm, _, _, it = _em(P[rows], w[rows], L, fixed, _start_m(), u_rand, fields, iterations)
        done += it
        for k in fields:
            learned.setdefault(k, sm[k])
    # Whatever no session could learn (a list without phones, without names) from all pairs.
    rest = everything - set(learned)
    if rest:
        sm, _, _, it = _em(P, w, L, fixed, _start_m(), u_rand, rest, iterations)
        done += it
        for k in rest:
            learned[k] = sm[k]
    m = [learned[k] for k in range(N_FIELDS)]
    # The share of true pairs among all candidates, with m as learned.
    _, _, prior, it = _em(P, w, L, fixed, m, u_rand, set(), iterations)
    done += it
    n_pairs = int(counts.sum()) if len(X) else 0
    expected = prior * n_pairs + float(fixed.sum())
    global_prior = min(max(expected / all_pairs, 1e-12), 0.5)
    return Model(
        m, u_rand, global_prior, pairs=n_pairs, candidate_prior=prior, labels=len(labels),
        iterations=done,
    )  # fmt: skip


def _em(P, w, L, fixed, m, u_rand, learn: set[int], iterations: int):
    """Expectation–maximisation over the patterns ``P`` (with counts ``w``) and the labelled
    patterns ``L`` (responsibility fixed): m of the fields in ``learn``, the candidate u of
    every field and the share of true pairs; returns (m, u, prior, iterations)."""
    n_free = len(P)
    if len(L):
        P = np.vstack([P, L])
        w = np.concatenate([w, np.full(len(L), LABEL_WEIGHT)])
    m = [x.copy() for x in m]
    u = [x.copy() for x in u_rand]
    prior = 0.2
    done = 0
    for step in range(1, iterations + 1):
        done = step
        lm = np.zeros(len(P))
        lu = np.zeros(len(P))
        for k in range(N_FIELDS):
            lm += np.log(m[k][P[:, k]])
            lu += np.log(u[k][P[:, k]])
        logit = math.log(prior / (1 - prior)) + lm - lu
        r = 1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50)))
        if len(L):
            r[n_free:] = fixed
        rm, ru = r * w, (1 - r) * w
        free_w = w[:n_free].sum()
        new_prior = float(rm[:n_free].sum() / free_w) if free_w else prior
        delta = abs(new_prior - prior)
        for k, name in enumerate(FIELDS):
            size = len(LEVELS[name])
            if k in learn:
                cm = np.bincount(P[:, k], weights=rm, minlength=size)[:size]
                cm[0] = 0.0
                mk = _normalise(cm + 0.1 * np.array((0.0, *START_M[name])))
                for lv in range(1, size):
                    if (name, lv) in _MISMATCH_LEVELS:
                        mk[lv] = min(mk[lv], START_M[name][lv - 1])
                    mk[lv] = max(mk[lv], M_FLOOR)
                mk = _normalise(mk)
                mk[0] = 1.0
                delta = max(delta, float(np.abs(mk - m[k]).max()))
                m[k] = mk
            cu = np.bincount(P[:, k], weights=ru, minlength=size)[:size]
            cu[0] = 0.0
            prior_u = u_rand[k].copy()
            prior_u[0] = 0.0
            uk = _normalise(cu + U_PRIOR_STRENGTH * prior_u)
            uk[0] = 1.0
            u[k] = uk
        prior = min(max(new_prior, 1e-6), 1 - 1e-6)
        if delta < 1e-5:
            break
    return m, u, prior, done


def _normalise(x: np.ndarray) -> np.ndarray:
    x = x.astype(float)
    x[0] = 0.0
    s = x.sum()
    return x / s if s > 0 else x
