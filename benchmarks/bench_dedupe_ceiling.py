#!/usr/bin/env python3
"""Why a labelled list's pairs are missed or merged wrongly, and what any matcher could reach.

    python benchmarks/bench_dedupe_ceiling.py                      # ru, 20,000 rows, seed 1
    python benchmarks/bench_dedupe_ceiling.py --lang en --rows 20000
    python benchmarks/bench_dedupe_ceiling.py --lang ru --show 20  # rows of each kind of miss

The list is imported with ``clientbase import`` as in ``bench_dedupe.py`` (the import folds
exact phone/e-mail repeats itself); then, in this process, the customers the import made are
matched and grouped the way ``dedupe --yes`` does it (``services.dedupe.plan``: ``match`` at
the review threshold, ``clusters`` at the automatic one with ambiguous records held), and every
pair is put in one kind:

* **wrong pairs** — folded together by the import, or merged by dedupe. A wrong fold is
  *re-openable* when the phone or e-mail it was folded on also belongs to another customer of
  a compatible first name (a family line the import saw both people of); otherwise nothing in
  the list told the two apart (a namesake relative whose only record says less);
* **missed pairs** — never a candidate pair (no blocking key in common: with how a pair of
  them would score had it been blocked), a candidate scored below the review threshold, one in
  the review band (names and a city only are capped there by design), or one above the
  automatic threshold kept apart (by the ambiguity hold, or the chain guard);
* candidate pairs that agree on **names only** (nothing beyond names and a city, no clash),
  true and false, narrowed by patronymic, city and the term-frequency adjusted probability: what
  frequency-adjusted name evidence would gain and cost;
* **ceilings**: the final precision and recall of an oracle that merges every true candidate
  pair with evidence beyond names (and nothing else), and of one that merges every true
  candidate pair. The first bounds any rule that does not merge on names alone; the precision
  of both is bounded by the import's wrong folds.

``--reopen`` also tries, on the import's own result, the rule "a row that fits two customers of
one phone or e-mail who clearly differ from each other is not left silently in one of them"
(``importers/sameperson.same_person_possible`` decides fits and differs), in three forms: every
such row becomes a customer of its own (*all*); only those whose other fields (another contact,
the birthday, the city, the company, a written-out patronymic) favour neither customer (*tie*);
as *tie*, and a row whose other fields are shared by the other customer's rows only moves there
(*evidence*). The customers that lost or gained a row are rebuilt from their rows (the fullest
name, every contact, the first birthday, city, company, address and postcode), and the whole base
is matched and grouped again as ``dedupe --yes`` does. The rows are read back from the list with
the columns ``bench_dedupe_quality.to_person`` knows (name, phone, e-mail, birthday, city,
company; address and postcode here), so the lists without a phone or an e-mail (FEBRL,
RLdata10000), which no import folds on a contact, are left out.

A customer's true person is the one most of its rows belong to.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_dedupe as bd  # noqa: E402  (sibling scripts, not a package)
import numpy as np  # noqa: E402
from bench_dedupe_quality import to_person  # noqa: E402
from bench_import import WORKDIR, check, clientbase_cmd, remove_db  # noqa: E402

from clientbase.db.engine import make_engine  # noqa: E402
from clientbase.dedupe.cluster import clusters, match  # noqa: E402
from clientbase.dedupe.columns import Columns  # noqa: E402
from clientbase.dedupe.keys import features, pair_codes  # noqa: E402
from clientbase.dedupe.levels import FIELDS, LEVELS  # noqa: E402
from clientbase.dedupe.model import (  # noqa: E402
    AUTO_PROBABILITY,
    MISMATCH_CAP,
    NAME_ONLY_CAP,
    REVIEW_PROBABILITY,
    corroborated,
    mismatched,
    probability,
)
from clientbase.dedupe.person import Person  # noqa: E402
from clientbase.dedupe.store import load_people  # noqa: E402
from clientbase.importers.sameperson import name_weight, same_person_possible  # noqa: E402
from clientbase.normalize.names import first_names_compatible  # noqa: E402
from clientbase.services.dedupe import phone_region  # noqa: E402

MISSED_KINDS = (
    "never a candidate pair (blocking)",
    "candidate, scored below review",
    "candidate, in the review band",
    "above the automatic threshold, held as ambiguous",
    "above the automatic threshold, kept apart by the chain guard",
)


def _root_of(parent: dict[int, int]):
    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    return root


def _groups(pred: dict[int, int], truth: dict[int, int]):
    by_pred, by_true = defaultdict(list), defaultdict(list)
    for r, c in pred.items():
        if r in truth:
            by_pred[c].append(r)
            by_true[truth[r]].append(r)
    return by_pred, by_true


def _pairs(groups, differ) -> list[tuple[int, int]]:
    return [
        (a, b)
        for rows in groups.values()
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if differ(a, b)
    ]


ADDRESS = {"Адрес": "address", "Address": "address", "Индекс": "postcode", "Postcode": "postcode"}
FIT_FIELDS = ("last_name", "first_name", "middle_name", "gender", "birth_year", "birth_month",
              "birth_day", "kind", "company")  # fmt: skip
REOPEN_FORMS = ("all", "tie", "evidence")


def _row_people(path: Path, raw: dict[int, str], region: str) -> dict[int, Person]:
    """Each imported row as a record of its own, cleaned as the import cleans it."""
    with open(path, encoding="utf-8", newline="") as f:
        head = f.readline()
    header = next(csv.reader([head.strip()], delimiter=";" if head.count(";") > head.count(",")
                             else ","))  # fmt: skip
    out = {}
    for r, text in raw.items():
        cells = json.loads(text)
        row = dict(zip(header, cells, strict=False)) if isinstance(cells, list) else cells
        p = to_person(r, row, region)
        for col, attr in ADDRESS.items():
            if row.get(col):
                setattr(p, attr, row[col].strip())
        out[r] = p
    return out


def _fit_fields(p) -> dict:
    f = {k: getattr(p, k, None) for k in FIT_FIELDS}
    f["kind"] = f["kind"] or "person"
    return f


def _evidence(p: Person) -> set:
    """What a row says beyond its name and the contact it was folded on."""
    out = {("p", x) for x in p.phones} | {("e", x) for x in p.emails}
    if p.birth_month:
        out.add(("b", p.birth_year, p.birth_month, p.birth_day))
    if p.city:
        out.add(("c", p.city.lower().removeprefix("г. ").strip()))
    if p.company:
        out.add(("o", p.company.lower()))
    if p.middle_name and len(p.middle_name.rstrip(".")) > 1:
        out.add(("m", p.middle_name.lower()))
    return out


def _rebuilt(cid: int, rows: list[Person]) -> Person:
    """A customer made again from its rows: the fullest name, every contact, the first
    birthday, city, company, address and postcode."""
    q = Person(cid)
    best = max(rows, key=lambda p: name_weight(_fit_fields(p)))
    for k in ("last_name", "first_name", "middle_name", "gender", "display_name", "kind"):
        setattr(q, k, getattr(best, k))
    q.phones = tuple(dict.fromkeys(x for p in rows for x in p.phones))
    q.emails = tuple(dict.fromkeys(x for p in rows for x in p.emails))
    for p in rows:
        if p.birth_month and not q.birth_month:
            q.birth_year, q.birth_month, q.birth_day = p.birth_year, p.birth_month, p.birth_day
        for k in ("city", "company", "address", "postcode"):
            if getattr(p, k, None) and not getattr(q, k, None):
                setattr(q, k, getattr(p, k))
    return q


def reopen(form, after, truth, rowp, people, customer_fields) -> tuple[dict, dict, int, int]:
    """The import's result with the re-open rule applied in one form, and after `dedupe --yes`;
    with the rows re-opened and moved."""
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r, c in after.items():
        rows_of[c].append(r)
    holders: dict[str, set[int]] = defaultdict(set)
    for r, c in after.items():
        for v in (*rowp[r].phones, *rowp[r].emails):
            holders[v].add(c)
    ev = {r: _evidence(rowp[r]) for r in after}
    opened, moved = set(), {}
    for r, c in after.items():
        if len(rows_of[c]) < 2:
            continue
        fr = _fit_fields(rowp[r])
        for v in (*rowp[r].phones, *rowp[r].emails):
            for o in sorted(holders[v] - {c}):
                if not same_person_possible(customer_fields[o], fr) or same_person_possible(
                    customer_fields[o], customer_fields[c]
                ):
                    continue
                mine = set().union(*(ev[x] for x in rows_of[c] if x != r)) & ev[r]
                theirs = set().union(*(ev[x] for x in rows_of[o])) & ev[r]
                for_mine, for_theirs = len(mine - theirs), len(theirs - mine)
                if form == "all" or (for_mine == 0 and for_theirs == 0):
                    opened.add(r)
                elif form == "evidence" and for_mine == 0:
                    moved[r] = o
    sim = dict(after)
    nxt = max(customer_fields) + 1
    for r, o in moved.items():
        sim[r] = o
    for r in sorted(opened - moved.keys()):
        sim[r], nxt = nxt, nxt + 1
    touched = {after[r] for r in (*opened, *moved)} | set(moved.values())
    groups: dict[int, list[int]] = defaultdict(list)
    for r, c in sim.items():
        groups[c].append(r)
    base = {p.id: p for p in people}
    again = [
        base[c] if c in base and c not in touched else _rebuilt(c, [rowp[r] for r in sorted(rs)])
        for c, rs in groups.items()
    ]
    again += [p for p in people if p.id not in groups]
    by_id = {p.id: p for p in again}
    found = match(again, min_score=REVIEW_PROBABILITY)
    auto = clusters(found.matches, by_id, min_score=AUTO_PROBABILITY, hold_ambiguous=True,
                    conflict=found.conflict, features_by_id=found.features)  # fmt: skip
    g = {i: c.ids[0] for c in auto for i in c.ids}
    return sim, {r: g.get(c, c) for r, c in sim.items()}, len(opened - moved.keys()), len(moved)


def analyse(lang: str, rows: int, seed: int, show: int, try_reopen: bool = False) -> None:
    path, truth_path, counts = bd.dataset(rows, lang, seed)
    db = WORKDIR / f"ceiling-{lang}.db"
    remove_db(db)
    region = ["--region", bd.REGION[lang]] if lang in bd.REGION else []
    step = bd.run_step(
        "import",
        [*clientbase_cmd(), "--db", str(db), "-q", "import", str(path), "--format", "json",
         *region],
        counts["rows"], None,
    )  # fmt: skip
    check(step, (0, 3))
    truth = bd.generate_dedupe.read_truth(truth_path)
    bd._ROW_CACHE.clear()
    after, _, raw = bd.identities(db)
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        people = load_people(conn, region=phone_region())  # as `dedupe --yes` reads them
    by_id = {p.id: p for p in people}
    found = match(people, min_score=REVIEW_PROBABILITY)
    kw = {"conflict": found.conflict, "features_by_id": found.features}
    auto = clusters(found.matches, by_id, min_score=AUTO_PROBABILITY, hold_ambiguous=True, **kw)
    free = clusters(found.matches, by_id, min_score=AUTO_PROBABILITY, **kw)
    group = {i: c.ids[0] for c in auto for i in c.ids}
    unheld = {i: c.ids[0] for c in free for i in c.ids}
    final = {r: group.get(c, c) for r, c in after.items()}
    score = {(min(m.a, m.b), max(m.a, m.b)): m.score for m in found.matches}

    # Every candidate pair of customers, its levels and its probability as match() gives it.
    ids = np.array([p.id for p in people])
    feats = [features(p) for p in people]
    n = len(feats)
    codes = pair_codes(feats)
    a, b = codes // n, codes % n
    cols = Columns(feats)
    X = cols.levels(a, b)
    model = found.model
    w = model.match_weights(X)
    for k, adj in model.term_adjustments(feats).items():
        same = np.flatnonzero(X[:, k] == 1)
        w[same] += adj[a[same]]
    raw_prob = probability(w)
    names_only = ~corroborated(X) & ~mismatched(X)
    candidates = {(int(x), int(y)) for x, y in zip(ids[a], ids[b], strict=True)}
    candidates |= {(y, x) for x, y in candidates}

    majority: dict[int, Counter] = defaultdict(Counter)
    for r, c in after.items():
        if r in truth:
            majority[c][truth[r]] += 1
    person = {c: cnt.most_common(1)[0][0] for c, cnt in majority.items()}
    t = np.array([person.get(int(i), -1) for i in ids])
    true = (t[a] == t[b]) & (t[a] >= 0)

    res = bd.scores(final, truth)
    print(f"\n## {lang}: {counts['rows']:,} rows, {res['true']:,} true pairs")
    print(f"after the import: {bd.scores(after, truth)['precision']:.4f} / "
          f"{bd.scores(after, truth)['recall']:.4f}; as `dedupe --yes`: P {res['precision']:.4f} "
          f"R {res['recall']:.4f} F1 {res['f1']:.4f} ({res['tp']:,} of {res['predicted']:,} "
          "pairs right)")  # fmt: skip

    # Wrong pairs: by whom, and whether the import could have seen the second person.
    by_pred, by_true = _groups(final, truth)
    wrong = _pairs(by_pred, lambda x, y: truth[x] != truth[y])
    by_import = [(x, y) for x, y in wrong if after[x] == after[y]]
    contacts = defaultdict(set)  # phone or e-mail -> customers
    for f in feats:
        for v in (*f.phones, *f.emails):
            contacts[v].add(f.id)
    fid = {f.id: f for f in feats}

    def reopenable(c: int) -> bool:
        f = fid.get(c)
        if f is None:
            return False
        others = {o for v in (*f.phones, *f.emails) for o in contacts[v]} - {c}
        mine = f.first.raw if f.first is not None else None
        return any(
            first_names_compatible(mine, fid[o].first.raw if fid[o].first is not None else None)
            for o in others
        )

    re_open = [(x, y) for x, y in by_import if reopenable(after[x])]
    print(f"\nwrong pairs: {len(wrong)}; folded by the import {len(by_import)} (in "
          f"{len({after[x] for x, _ in by_import})} customers), merged by dedupe "
          f"{len(wrong) - len(by_import)}")  # fmt: skip
    print(f"  import folds on a phone/e-mail another customer of a compatible first name holds "
          f"(re-openable): {len(re_open)} pairs in {len({after[x] for x, _ in re_open})} "
          f"customers; the rest ({len(by_import) - len(re_open)}) had nothing in the list to "
          "tell the two people apart")  # fmt: skip
    best = (res["tp"]) / (res["predicted"] - len(re_open)) if res["predicted"] else 1.0
    print(f"  precision if every re-openable fold were undone and nothing else lost: {best:.4f}")

    # Missed pairs, by why.
    missed = _pairs(by_true, lambda x, y: final[x] != final[y])
    kinds: dict[str, list] = defaultdict(list)
    for x, y in missed:
        ca, cb = sorted((after[x], after[y]))
        if (ca, cb) not in candidates:
            kind = MISSED_KINDS[0]
        else:
            s = score.get((ca, cb), 0.0)
            if s < REVIEW_PROBABILITY:
                kind = MISSED_KINDS[1]
            elif s < AUTO_PROBABILITY:
                kind = MISSED_KINDS[2]
            elif unheld.get(ca, ca) == unheld.get(cb, cb):
                kind = MISSED_KINDS[3]
            else:
                kind = MISSED_KINDS[4]
        kinds[kind].append((x, y, ca, cb))
    print(f"\nmissed pairs: {len(missed)}")
    print("| why | pairs |")
    print("|---|---:|")
    for kind in MISSED_KINDS:
        print(f"| {kind} | {len(kinds[kind]):,} |")
    blocked = kinds[MISSED_KINDS[0]]
    if blocked:
        idx = {int(i): k for k, i in enumerate(ids)}
        pa = np.array([idx[ca] for _, _, ca, _ in blocked])
        pb = np.array([idx[cb] for _, _, _, cb in blocked])
        Xb = cols.levels(pa, pb)
        pb_ = probability(model.match_weights(Xb))
        pb_ = np.where(corroborated(Xb), pb_, np.minimum(pb_, NAME_ONLY_CAP))
        pb_ = np.where(mismatched(Xb), np.minimum(pb_, MISMATCH_CAP), pb_)
        same_last = [
            bool(feats[i].last) and feats[i].last == feats[j].last
            for i, j in zip(pa.tolist(), pb.tolist(), strict=True)
        ]
        print(f"  never a candidate: {sum(same_last)} with the same surname (its name block cut "
              f"for size), {int((pb_ >= AUTO_PROBABILITY).sum())} would score at or above the "
              f"automatic threshold had they been blocked, {int((pb_ >= REVIEW_PROBABILITY).sum())}"
              " at or above review; names and a city only: "
              f"{int((~corroborated(Xb) & ~mismatched(Xb)).sum())}")  # fmt: skip
        s_at, f_at = FIELDS.index("surname"), FIELDS.index("first name")
        how = Counter(
            f"surname {LEVELS['surname'][x]}, first name {LEVELS['first name'][y]}"
            for x, y in zip(Xb[:, s_at].tolist(), Xb[:, f_at].tolist(), strict=True)
        )
        for what, k in how.most_common():
            print(f"    {k:4d}  {what}")

    # Names-only candidate pairs: what frequency-adjusted name evidence would gain and cost.
    pat = X[:, FIELDS.index("patronymic")] == 1
    city = X[:, FIELDS.index("city")] == 1
    print("\n| candidate pairs (customers) agreeing on names only | true | false |")
    print("|---|---:|---:|")
    for label, sel in (
        ("all", names_only),
        ("… and the city", names_only & city),
        ("… and the patronymic", names_only & city & pat),
        ("… term-adjusted probability ≥ 0.99", names_only & city & pat & (raw_prob >= 0.99)),
        ("… ≥ 0.999", names_only & city & pat & (raw_prob >= 0.999)),
    ):
        print(f"| {label} | {int((sel & true).sum()):,} | {int((sel & ~true).sum()):,} |")

    def closure(sel: np.ndarray) -> dict:
        parent: dict[int, int] = {}
        root = _root_of(parent)
        for x, y in zip(ids[a[sel]].tolist(), ids[b[sel]].tolist(), strict=True):
            parent[root(x)] = root(y)
        return bd.scores({r: root(c) if c in parent else c for r, c in after.items()}, truth)

    print("\n| oracle over the candidate pairs | P | R |")
    print("|---|---:|---:|")
    for label, sel in (
        ("every true pair with evidence beyond names", true & ~names_only),
        ("every true pair", true),
    ):
        s = closure(sel)
        print(f"| {label} | {s['precision']:.4f} | {s['recall']:.4f} |")

    if try_reopen and lang not in ("febrl1", "febrl2", "febrl3", "febrl4", "rldata"):
        rowp = _row_people(path, {r: raw[r] for r in after}, bd.REGION.get(lang, "RU"))
        with engine.connect() as conn:
            cf = {
                row[0]: dict(zip(("kind", *FIT_FIELDS[:-2], "company"), row[1:], strict=True))
                for row in conn.exec_driver_sql(
                    "SELECT id, kind, last_name, first_name, middle_name, gender, birth_year, "
                    "birth_month, birth_day, company FROM customers"
                )
            }
        print("\n| the re-open rule, simulated | rows re-opened | moved | after the import P / R "
              "| after `dedupe --yes` P / R / F1 |")  # fmt: skip
        print("|---|---:|---:|---|---|")
        i0 = bd.scores(after, truth)
        print(f"| as now | 0 | 0 | {i0['precision']:.4f} / {i0['recall']:.4f} | "
              f"{res['precision']:.4f} / {res['recall']:.4f} / {res['f1']:.4f} |")  # fmt: skip
        for form in REOPEN_FORMS:
            sim, fin, n_open, n_move = reopen(form, after, truth, rowp, people, cf)
            i, f = bd.scores(sim, truth), bd.scores(fin, truth)
            print(f"| {form} | {n_open:,} | {n_move:,} | {i['precision']:.4f} / "
                  f"{i['recall']:.4f} | {f['precision']:.4f} / {f['recall']:.4f} / "
                  f"{f['f1']:.4f} |")  # fmt: skip

    if show:
        for kind in MISSED_KINDS:
            for x, y, ca, cb in kinds[kind][:show]:
                s = score.get((ca, cb))
                print(f"  [{kind}] {bd._cells(raw[x])}  ||  {bd._cells(raw[y])}"
                      f"{f'  ({s:.2f})' if s is not None else ''}")  # fmt: skip
        for x, y in re_open[:show]:
            print(f"  [re-openable fold] {bd._cells(raw[x])}  ||  {bd._cells(raw[y])}")
    engine.dispose()
    remove_db(db)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Why pairs are missed or wrong, and the ceilings.")
    ap.add_argument("--lang", default="ru", help=f"one or more of {', '.join(bd.SETS)}")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, metavar="N", help="rows of N pairs per kind")
    ap.add_argument("--reopen", action="store_true", help="simulate the re-open rule too")
    args = ap.parse_args(argv)
    for lang in args.lang.split(","):
        if lang not in bd.SETS:
            ap.error(f"unknown list {lang!r}")
        analyse(lang, args.rows, args.seed, args.show, args.reopen)
    print(f"\nthresholds: automatic {AUTO_PROBABILITY}, review {REVIEW_PROBABILITY}; seed "
          f"{args.seed}; load average at the end {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
