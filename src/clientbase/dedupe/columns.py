"""The comparison levels of millions of candidate pairs at once, column by column.

:func:`clientbase.dedupe.levels.compare` says, for one pair, which level each field is at. Run
once per pair it costs a Python call per field, which is most of the time of a big base (a
million customers make a few million candidate pairs). This module gives the same levels for
whole arrays of pairs:

- every person's fields become integer codes once (:class:`Columns`: one code per distinct
  surname, first name, city, phone, ...);
- equal codes, missing values and birthdays are decided by numpy over the pair arrays;
- what needs the real comparison (a typo, transliteration, Jaro-Winkler, a diminutive) is asked
  of :mod:`.levels` once per *distinct pair of values*, not per pair of people: two thousand
  pairs of "Иванов"/"Ivanova" cost one call;
- the few pairs of people with several phones or e-mails, or a local number, are compared by
  :func:`.levels.compare`'s own field functions, one pair at a time.

The result is the level matrix :func:`.levels.compare` would give, row for row (a test checks
this on generated lists); the scorer, the explanations and the clustering guard keep using
:mod:`.levels` for the pairs they look at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cpdist

from clientbase.dedupe import levels as lv
from clientbase.dedupe.keys import Features

__all__ = ["Columns"]

Field = Callable[[Features, Features], int]


def _intern(values, missing=("",)) -> np.ndarray:
    """One int32 code per value, equal values equal codes (the position of the value's first
    occurrence, plus one); the ``missing`` values get 0."""
    table: dict = dict.fromkeys(missing, 0)
    # setdefault over (value, position) in C: no Python frame per value.
    return np.fromiter(map(table.setdefault, values, count(1)), dtype=np.int32, count=len(values))


def _one(values: Sequence[tuple]) -> list:
    """The only element of each tuple, or None where there are none or several."""
    return [t[0] if len(t) == 1 else None for t in values]


class Columns:
    """Every prepared person's fields as integer codes (index = position in ``feats``)."""

    def __init__(self, feats: Sequence[Features]) -> None:
        self.feats = feats
        f = feats
        self.company = np.fromiter((x.kind == "company" for x in f), dtype=np.bool_, count=len(f))
        self.kind = _intern([x.kind for x in f], missing=())
        # Phones: the fast path is one valid phone and no local number on either side.
        self.phone_any = np.fromiter(
            (bool(x.phones or x.loose_phones) for x in f), dtype=np.bool_, count=len(f)
        )
        single = [len(x.phones) == 1 and not x.loose_phones for x in f]
        self.phone_simple = np.array(single, dtype=np.bool_)
        one = _one([x.phones for x in f])
        self.phone = _intern([p if s else None for p, s in zip(one, single, strict=True)], (None,))
        self.phone10 = _intern(
            [p[-10:] if s and len(p) >= 11 else None for p, s in zip(one, single, strict=True)],
            (None,),
        )
        self.tail7 = _intern(
            [next(iter(x.phone_tails)) if len(x.phone_tails) == 1 else None for x in f], (None,)
        )
        self.email_any = np.fromiter((bool(x.emails) for x in f), dtype=np.bool_, count=len(f))
        one = _one([x.emails for x in f])
        self.email = _intern(one, (None,))
        self.email_text = [e or "" for e in one]
        # The person-like local part of a single address (levels._email's "same name part").
        local = [x.locals[0] if e and x.locals else None for x, e in zip(f, one, strict=True)]
        self.local = _intern(local, (None,))
        self.local_alpha = np.fromiter(
            (bool(x) and x.isalpha() for x in local), dtype=np.bool_, count=len(local)
        )
        self.ext = _intern([x.external_id for x in f])
        # Names: equality by the common Latin form, the real comparison by everything it reads.
        self.last = _intern([x.last for x in f])
        self.last_full = _intern(
            [(x.last, x.last_fold, x.last_initial) if x.last else "" for x in f]
        )
        self.first_key = _intern([x.first.key if x.first is not None else None for x in f], (None,))
        self.first_initial = np.fromiter(
            (x.first is not None and x.first.initial for x in f), dtype=np.bool_, count=len(f)
        )
        # A FirstName is made from its spelling alone (normalize.name_match.first_name).
        self.first_full = _intern(
            [x.first.raw if x.first is not None else None for x in f], (None,)
        )
        self.middle = _intern([x.middle for x in f])
        self.middle_initial = np.fromiter(
            (x.middle_initial for x in f), dtype=np.bool_, count=len(f)
        )
        self.middle_full = _intern(
            [(x.middle, x.middle_fold, x.middle_initial) if x.middle else "" for x in f]
        )
        self.gender = _intern([x.gender or "" for x in f])
        self.by = np.fromiter((x.by or 0 for x in f), dtype=np.int64, count=len(f))
        self.bm = np.fromiter((x.bm or 0 for x in f), dtype=np.int64, count=len(f))
        self.bd = np.fromiter((x.bd or 0 for x in f), dtype=np.int64, count=len(f))
        self.city = _intern([x.city for x in f])
        self.address = _intern([x.address for x in f])
        self.address_words = _intern([x.address_words if x.address else "" for x in f])
        self.postcode = _intern([x.postcode for x in f])
        self.core = _intern([x.company_core for x in f])

    # --- helpers --------------------------------------------------------------------------------

    def _each(self, fn: Field, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``fn`` on every pair, one call each."""
        feats = self.feats
        return np.fromiter(
            (fn(feats[i], feats[j]) for i, j in zip(a.tolist(), b.tolist(), strict=True)),
            dtype=np.int8,
            count=len(a),
        )

    def _distinct(self, fn: Field, code: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``fn`` once per distinct pair of ``code`` values (``fn`` must read only what the code
        stands for), spread back over the pairs."""
        if len(a) == 0:
            return np.zeros(0, dtype=np.int8)
        key = code[a].astype(np.int64) << 32 | code[b].astype(np.int64)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        vals = self._each(fn, a[first], b[first])
        return vals[inverse.ravel()]

    def _levels_by(
        self,
        out: np.ndarray,
        rows: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        fn: Field,
        code: np.ndarray | None = None,
    ) -> None:
        """Fill ``out[rows]`` with ``fn`` over those pairs (once per distinct code pair when
        ``code`` is given)."""
        if len(rows) == 0:
            return
        if code is None:
            out[rows] = self._each(fn, a[rows], b[rows])
        else:
            out[rows] = self._distinct(fn, code, a[rows], b[rows])

    # --- the matrix -----------------------------------------------------------------------------

    def levels(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The level matrix (int8, one row per pair ``(a[k], b[k])``, one column per field of
        :data:`.levels.FIELDS`), equal to :func:`.levels.compare` row for row."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        n = len(a)
        X = np.zeros((n, lv.N_FIELDS), dtype=np.int8)
        if n == 0:
            return X
        X[:, lv.PHONE] = self._phones(a, b)
        X[:, lv.EMAIL] = self._emails(a, b)
        X[:, lv.EXT] = self._equal_or(self.ext, a, b, lv._ext)
        X[:, lv.CITY] = self._equal_or(self.city, a, b, lv._city, distinct=True)
        X[:, lv.ADDRESS] = self._address(a, b)
        X[:, lv.POSTCODE] = self._equal_or(self.postcode, a, b, lv._postcode, distinct=True)
        ca, cb = self.company[a], self.company[b]
        orgs = np.flatnonzero(ca & cb)
        if len(orgs):
            X[orgs, lv.ORG] = self._equal_or(self.core, a[orgs], b[orgs], lv._org, distinct=True)
        mixed = np.flatnonzero(~(ca & cb) & (self.kind[a] != self.kind[b]))
        if len(mixed):
            X[mixed, lv.KIND] = self._each(lv._kind, a[mixed], b[mixed])
        people = np.flatnonzero(~(ca & cb) & (self.kind[a] == self.kind[b]))
        if len(people):
            self._people(X, people, a[people], b[people])
        return X

    def _equal_or(
        self, code: np.ndarray, a: np.ndarray, b: np.ndarray, fn: Field, *, distinct=False
    ) -> np.ndarray:
        """Level 0 where either side is missing, 1 where equal, ``fn`` for the rest."""
        x, y = code[a], code[b]
        out = np.zeros(len(a), dtype=np.int8)
        both = (x != 0) & (y != 0)
        out[both & (x == y)] = 1
        rest = np.flatnonzero(both & (x != y))
        self._levels_by(out, rest, a, b, fn, code if distinct else None)
        return out

    def _phones(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.zeros(len(a), dtype=np.int8)
        both = self.phone_any[a] & self.phone_any[b]
        simple = both & self.phone_simple[a] & self.phone_simple[b]
        pa, pb = self.phone[a], self.phone[b]
        same = simple & (pa == pb)
        p10 = simple & ~same & (self.phone10[a] != 0) & (self.phone10[a] == self.phone10[b])
        t7 = simple & ~same & ~p10 & (self.tail7[a] != 0) & (self.tail7[a] == self.tail7[b])
        out[simple] = 5
        out[t7] = 4
        out[p10] = 2
        out[same] = 1
        self._levels_by(out, np.flatnonzero(both & ~simple), a, b, lv._phone)
        return out

    def _emails(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """:func:`.levels._email`; pairs of one address each in numpy and rapidfuzz."""
        out = np.zeros(len(a), dtype=np.int8)
        both = self.email_any[a] & self.email_any[b]
        ea, eb = self.email[a], self.email[b]
        single = both & (ea != 0) & (eb != 0)
        same = single & (ea == eb)
        out[same] = 1
        la, lb = self.local[a], self.local[b]
        local = single & ~same & (la != 0) & (la == lb)
        out[local] = np.where(self.local_alpha[a[local]], 3, 2)
        rest = np.flatnonzero(single & ~same & ~local)
        if len(rest):
            # One typo apart, in the whole address or in local parts of five letters or more.
            text = self.email_text
            ta = [text[i] for i in a[rest].tolist()]
            tb = [text[i] for i in b[rest].tolist()]
            near = cpdist(ta, tb, scorer=OSA.distance, score_cutoff=1, dtype=np.int32) <= 1
            pa = [t.partition("@")[0] for t in ta]
            pb = [t.partition("@")[0] for t in tb]
            long = np.fromiter(
                (len(x) >= 5 and len(y) >= 5 for x, y in zip(pa, pb, strict=True)),
                dtype=np.bool_,
                count=len(pa),
            )
            near |= long & (
                cpdist(pa, pb, scorer=OSA.distance, score_cutoff=1, dtype=np.int32) <= 1
            )
            out[rest] = np.where(near, 4, 5)
        self._levels_by(out, np.flatnonzero(both & ~single), a, b, lv._email)
        return out

    def _address(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        x, y = self.address[a], self.address[b]
        out = np.zeros(len(a), dtype=np.int8)
        both = (x != 0) & (y != 0)
        wa, wb = self.address_words[a], self.address_words[b]
        out[both & ((x == y) | (wa == wb))] = 1
        rest = np.flatnonzero(both & (x != y) & (wa != wb))
        self._levels_by(out, rest, a, b, lv._address, self.address)
        return out

    def _people(self, X: np.ndarray, rows: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Names, gender, birthday and employer of pairs of two people (or two records of one
        kind that is not a company)."""
        # Surname.
        la, lb = self.last[a], self.last[b]
        s = np.zeros(len(a), dtype=np.int8)
        both = (la != 0) & (lb != 0)
        s[both & (la == lb)] = 1
        self._levels_by(s, np.flatnonzero(both & (la != lb)), a, b, _surname, self.last_full)
        # First name.
        fa, fb = self.first_key[a], self.first_key[b]
        ia, ib = self.first_initial[a], self.first_initial[b]
        n = np.zeros(len(a), dtype=np.int8)
        both = (fa != 0) & (fb != 0)
        eq = both & (fa == fb)
        n[eq] = 1
        n[eq & ia & ib] = 5
        self._levels_by(n, np.flatnonzero(both & (fa != fb)), a, b, _first, self.first_full)
        # First and last name typed the other way round (see levels._names).
        maybe = np.flatnonzero((s != 0) & (s != 1) & (n != 0) & (n != 1) & (n != 2) & ~ia & ~ib)
        if len(maybe):
            feats = self.feats
            for r, i, j in zip(maybe.tolist(), a[maybe].tolist(), b[maybe].tolist(), strict=True):
                sw = lv.swapped_names(feats[i], feats[j])
                if sw is not None:
                    s[r], n[r] = sw
        X[rows, lv.SURNAME] = s
        X[rows, lv.FIRST] = n
        # Patronymic.
        ma, mb = self.middle[a], self.middle[b]
        m = np.zeros(len(a), dtype=np.int8)
        both = (ma != 0) & (mb != 0)
        eq = both & (ma == mb)
        m[eq] = 1
        m[eq & self.middle_initial[a] & self.middle_initial[b]] = 3
        self._levels_by(m, np.flatnonzero(both & (ma != mb)), a, b, lv._middle, self.middle_full)
        X[rows, lv.MIDDLE] = m
        ga, gb = self.gender[a], self.gender[b]
        g = np.zeros(len(a), dtype=np.int8)
        both = (ga != 0) & (gb != 0)
        g[both] = np.where(ga[both] == gb[both], 1, 2)
        X[rows, lv.GENDER] = g
        X[rows, lv.BIRTHDAY] = self._birthdays(a, b)
        X[rows, lv.COMPANY] = self._equal_or(self.core, a, b, lv._company, distinct=True)

    def _birthdays(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """:func:`.levels._birthday` in numpy (years of four digits; others one by one)."""
        fy, fm, fd = self.by[a], self.bm[a], self.bd[a]
        gy, gm, gd = self.by[b], self.bm[b], self.bd[b]
        out = np.zeros(len(a), dtype=np.int8)
        dm = (fm != 0) & (fd != 0) & (gm != 0) & (gd != 0)
        years = (fy != 0) & (gy != 0)
        odd = years & ((fy < 1000) | (fy > 9999) | (gy < 1000) | (gy > 9999))
        swap = (fm == gd) & (fd == gm)
        same_dm = (fm == gm) & (fd == gd)
        # Months and days beyond two digits would not fit eight digits; they go one by one.
        wide = (fm > 99) | (fd > 99) | (gm > 99) | (gd > 99)
        odd |= dm & years & wide
        full = np.flatnonzero(dm & years & ~odd)
        if len(full):
            x = fy[full] * 10000 + fm[full] * 100 + fd[full]
            y = gy[full] * 10000 + gm[full] * 100 + gd[full]
            lvl = np.full(len(full), 6, dtype=np.int8)
            parts = (
                (fy[full] == gy[full]).astype(np.int8)
                + (fm[full] == gm[full])
                + (fd[full] == gd[full])
            )
            lvl[parts == 2] = 7
            lvl[_one_digit_off(x, y, 8)] = 4
            lvl[(fy[full] == gy[full]) & swap[full]] = 3
            lvl[x == y] = 1
            out[full] = lvl
        part = dm & ~years
        out[part] = np.where(same_dm[part], 2, np.where(swap[part], 3, 6))
        yonly = np.flatnonzero(~dm & years & ~odd)
        if len(yonly):
            x, y = fy[yonly], gy[yonly]
            out[yonly] = np.where(x == y, 5, np.where(_one_digit_off(x, y, 4), 4, 6))
        self._levels_by(out, np.flatnonzero(odd), a, b, lv._birthday)
        return out


def _surname(f: Features, g: Features) -> int:
    return lv._surname_level(f, g, f.last, g.last, f.last_fold, g.last_fold)


def _first(f: Features, g: Features) -> int:
    return lv._first_level(f.first, g.first)


def _one_digit_off(x: np.ndarray, y: np.ndarray, width: int) -> np.ndarray:
    """:func:`.levels._one_digit_off` on numbers of ``width`` digits: one digit differs, or two
    neighbours are swapped."""
    p = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    dx = (x[:, None] // p) % 10
    dy = (y[:, None] // p) % 10
    diff = dx != dy
    count = diff.sum(axis=1)
    swapped = np.zeros(len(x), dtype=np.bool_)
    for k in range(width - 1):
        swapped |= (
            diff[:, k] & diff[:, k + 1] & (dx[:, k] == dy[:, k + 1]) & (dx[:, k + 1] == dy[:, k])
        )
    return (count == 1) | ((count == 2) & swapped)
