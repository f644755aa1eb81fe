#!/usr/bin/env python3
"""Quality and speed of the pure dedupe matcher on labelled generated lists.

    python benchmarks/bench_dedupe_quality.py                       # quality, ru and en, 20k
    python benchmarks/bench_dedupe_quality.py --seed 7 --explain 15 # show missed / wrong pairs
    python benchmarks/bench_dedupe_quality.py --speed 100000,1000000
    python benchmarks/bench_dedupe_quality.py --lang ru --names-city --keys --no-quality

Quality: rows from ``generate_dedupe.py`` become :class:`clientbase.dedupe.person.Person`
objects through the project's own normalisers, the way an import would clean them (names by
``normalize.names``, phones by ``normalize.phones`` — region RU for the Russian list, US for the
English one — e-mails, birthdays). Each row is its own record: the exact phone/e-mail folding
the import does first is *not* emulated, so the matcher has to find every duplicate itself,
which is the harder test. Then ``match`` (the model learned on the list) + ``clusters`` at
``AUTO_THRESHOLD``, and
pairwise precision and recall: every pair of records inside one automatic cluster is a
predicted pair, every pair of records of one true person a true pair.

Speed: ``find_matches`` over 100,000 and 1,000,000 people (the lists are built in chunks of
100,000 rows with consecutive seeds), wall and CPU time (the CPU time is the steadier figure on
a shared machine), the resident memory before find_matches (the Person objects, as a store would
load them) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_dedupe  # noqa: E402  (sibling script, not a package)

from clientbase.dedupe.cluster import clusters, match  # noqa: E402
from clientbase.dedupe.keys import features  # noqa: E402
from clientbase.dedupe.model import AUTO_PROBABILITY as AUTO_THRESHOLD  # noqa: E402
from clientbase.dedupe.model import REVIEW_PROBABILITY as REVIEW_THRESHOLD  # noqa: E402
from clientbase.dedupe.person import Person  # noqa: E402
from clientbase.dedupe.score import score_pair  # noqa: E402
from clientbase.importers.sameperson import same_person_possible  # noqa: E402
from clientbase.normalize.dates import parse_birthday  # noqa: E402
from clientbase.normalize.emails import normalize_email, split_emails  # noqa: E402
from clientbase.normalize.names import looks_like_company, parse_full_name  # noqa: E402
from clientbase.normalize.phones import normalize_phone, split_phones  # noqa: E402

FIELDS = {
    "ФИО": "name",
    "Name": "name",
    "Телефон": "phone",
    "Phone": "phone",
    "Email": "email",
    "Дата рождения": "birthday",
    "Birthday": "birthday",
    "Город": "city",
    "City": "city",
    "Компания": "company",
    "Company": "company",
}


def to_person(pid: int, row: dict[str, str], region: str) -> Person:
    """One generated row as the import would store it (see importers/clean.py)."""
    f = {FIELDS[k]: v.strip() for k, v in row.items() if k in FIELDS and v and v.strip()}
    p = Person(pid)
    company = f.get("company")
    full = f.get("name")
    if full and not company and looks_like_company(full):
        company = full
        full = None
    if full:
        n = parse_full_name(full)
        p.last_name, p.first_name, p.middle_name, p.gender = n.last, n.first, n.middle, n.gender
        p.display_name = n.display
    if not (p.last_name or p.first_name or p.middle_name) and company:
        p.kind = "company"
        p.display_name = company
    p.company = company
    phones = []
    for part in split_phones(f.get("phone", "")):
        ph = normalize_phone(part, region)
        if ph.valid and ph.e164:
            phones.append(ph.e164)
    p.phones = tuple(dict.fromkeys(phones))
    emails = []
    for part in split_emails(f.get("email", "")):
        e = normalize_email(part)
        if e.valid and e.value:
            emails.append(e.value)
    p.emails = tuple(dict.fromkeys(emails))
    if f.get("birthday"):
        try:
            b = parse_birthday(f["birthday"])
        except ValueError:
            b = None
        if b is not None:
            p.birth_year, p.birth_month, p.birth_day = b.year, b.month, b.day
    p.city = f.get("city")
    return p


def people_of(rows: list[dict[str, str]], lang: str, first_id: int = 1) -> list[Person]:
    region = "RU" if lang == "ru" else "US"
    return [to_person(first_id + i, r, region) for i, r in enumerate(rows)]


def pairs_of(groups) -> set[tuple[int, int]]:
    out = set()
    for ids in groups:
        out.update(combinations(sorted(ids), 2))
    return out


def quality(n: int, lang: str, seed: int, explain: int) -> dict:
    rows, truth = generate_dedupe.generate(n, lang, seed)
    people = people_of(rows, lang)
    by_id = {p.id: p for p in people}
    t0 = time.perf_counter()
    found = match(people, min_score=REVIEW_THRESHOLD)
    matches = found.matches
    auto = clusters(
        matches,
        by_id,
        min_score=AUTO_THRESHOLD,
        conflict=found.conflict,
        features_by_id=found.features,
        hold_ambiguous=True,
    )
    secs = time.perf_counter() - t0
    groups: dict[int, list[int]] = defaultdict(list)
    for p, person_id in zip(people, truth, strict=True):
        groups[person_id].append(p.id)
    true = pairs_of(groups.values())
    predicted = pairs_of(c.ids for c in auto)
    hit = len(true & predicted)
    precision = hit / len(predicted) if predicted else 1.0
    recall = hit / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    review = sum(1 for m in matches if m.score < AUTO_THRESHOLD)
    res = {
        "lang": lang,
        "seed": seed,
        "rows": n,
        "persons": len(groups),
        "true_pairs": len(true),
        "auto_pairs": len(predicted),
        "correct": hit,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "review_pairs": review,
        "seconds": secs,
    }
    if explain:
        pid = dict(zip((p.id for p in people), truth, strict=True))
        wrong = sorted(predicted - true)
        missed = sorted(true - predicted)
        print(f"\n--- {lang}: {len(wrong)} wrong auto pairs (first {explain}) ---")
        for a, b in wrong[:explain]:
            _show(by_id[a], by_id[b], rows, pid)
        print(f"\n--- {lang}: {len(missed)} missed true pairs (first {explain}) ---")
        for a, b in missed[:explain]:
            _show(by_id[a], by_id[b], rows, pid)
    return res


# What two records of one person share, strongest first (see evidence()).
EVIDENCE = ("a phone or an e-mail", "the whole birthday", "day and month, or the company",
            "the city")  # fmt: skip


def _shared(f, g) -> int:
    """The strongest kind of evidence two prepared records share (an index into EVIDENCE), or
    len(EVIDENCE) when they share none of them (a name at most)."""
    if set(f.phones) & set(g.phones) or set(f.emails) & set(g.emails):
        return 0
    if f.by and f.bm and (f.by, f.bm, f.bd) == (g.by, g.bm, g.bd):
        return 1
    if (f.bm and (f.bm, f.bd) == (g.bm, g.bd)) or (
        f.company_core and f.company_core == g.company_core
    ):
        return 2
    if f.city and f.city == g.city:
        return 3
    return len(EVIDENCE)


def evidence(n: int, lang: str, seed: int) -> None:
    """How much of the list's recall the data can give, and how many rows it cannot place.

    Recall bound: the true pairs a matcher finds if it links two records of one person only on
    the evidence listed (and, through the person's other records, transitively), never on names
    alone; each line adds one kind. Rows it cannot place: records whose phone is also another
    person's, who are compatible (the import's rule: no different first name, patronymic,
    birthday or gender) with records of two different people there; the truth file says which
    one, the row does not."""
    rows, truth = generate_dedupe.generate(n, lang, seed)
    feats = [features(p) for p in people_of(rows, lang)]
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(truth):
        by_person[t].append(i)
    true_pairs = sum(len(r) * (len(r) - 1) // 2 for r in by_person.values())
    print(f"\n{lang}, {n:,} rows, seed {seed}: {true_pairs:,} true pairs")
    print("| a matcher that links on | recall at most |")
    print("|---|---:|")
    for level in range(len(EVIDENCE)):
        found = 0
        for members in by_person.values():
            parent = {r: r for r in members}
            for a, b in combinations(members, 2):
                if _shared(feats[a], feats[b]) <= level:
                    parent[_root(parent, a)] = _root(parent, b)
            sizes = Counter(_root(parent, r) for r in members)
            found += sum(k * (k - 1) // 2 for k in sizes.values())
        print(f"| {' + '.join(EVIDENCE[: level + 1])} | {found / true_pairs:.4f} |")
    fields = [_fields(f) for f in feats]
    on_phone: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for ph in f.phones:
            on_phone[ph].append(i)
    unplaceable = set()
    for members in on_phone.values():
        if len({truth[i] for i in members}) < 2:
            continue
        for r in members:
            fits = {
                truth[o] for o in members if o != r and same_person_possible(fields[o], fields[r])
            }
            if len(fits) >= 2:
                unplaceable.add(r)
    size = Counter(truth)
    pairs = sum(size[truth[r]] - 1 for r in unplaceable)
    print(
        f"rows it cannot place: {len(unplaceable):,} (in {pairs:,} true pairs; each is folded "
        "into one of two people, or left alone)"
    )


def _root(parent: dict[int, int], x: int) -> int:
    while parent[x] != x:
        x = parent[x]
    return x


def _fields(f) -> dict:
    return {"first_name": f.first.raw if f.first is not None else None,
            "middle_name": f.middle_raw or None, "gender": f.gender, "birth_year": f.by,
            "birth_month": f.bm, "birth_day": f.bd}  # fmt: skip


def _show(p: Person, q: Person, rows, pid) -> None:
    m = score_pair(p, q)
    print(f"  {pid[p.id]}/{pid[q.id]}  {m.score if m else None}: {m.reasons if m else ''}")
    for x in (p, q):
        print("      ", " | ".join(rows[x.id - 1].values()))


def speed(n: int, seed: int) -> dict:
    """find_matches over n people built from chunks of the Russian list."""
    people: list[Person] = []
    chunk = 100_000
    t0 = time.perf_counter()
    for k in range(0, n, chunk):
        rows, _ = generate_dedupe.generate(min(chunk, n - k), "ru", seed + k // chunk)
        people.extend(people_of(rows, "ru", first_id=k + 1))
        del rows
    build = time.perf_counter() - t0
    before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    found = match(people, min_score=REVIEW_THRESHOLD)
    matches = found.matches
    find, find_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    by_id = {p.id: p for p in people}
    auto = clusters(
        matches,
        by_id,
        min_score=AUTO_THRESHOLD,
        conflict=found.conflict,
        features_by_id=found.features,
        hold_ambiguous=True,
    )
    clus, clus_cpu = time.perf_counter() - t0, time.process_time() - c0
    # The reasons of every pair, written one pair at a time as storing them does (a pair's
    # reasons are written when read, see clientbase.dedupe.person.Match).
    t0, c0 = time.perf_counter(), time.process_time()
    phrases = sum(len(m.reasons) for m in matches)
    expl, expl_cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "people": n,
        "build_s": build,
        "find_matches_s": find,
        "find_matches_cpu_s": find_cpu,
        "clusters_s": clus,
        "clusters_cpu_s": clus_cpu,
        "explain_s": expl,
        "explain_cpu_s": expl_cpu,
        "phrases": phrases,
        "matches": len(matches),
        "auto_clusters": len(auto),
        "peak_mb": peak,
        "people_mb": before,
    }


def names_city(n: int, lang: str, seed: int) -> None:
    """Candidate pairs that agree on nothing beyond names and a city (no contact, birthday,
    address or company in common, no clash), true and false by the truth, as the patronymic, the
    city and the term-adjusted probability (uncapped) narrow them down."""
    import numpy as np

    from clientbase.dedupe.columns import Columns
    from clientbase.dedupe.keys import pair_codes
    from clientbase.dedupe.levels import FIELDS as LEVEL_FIELDS
    from clientbase.dedupe.model import corroborated, fit, mismatched, probability, random_u

    rows, truth = generate_dedupe.generate(n, lang, seed)
    feats = [features(p) for p in people_of(rows, lang)]
    m = len(feats)
    codes = pair_codes(feats)
    a, b = codes // m, codes % m
    cols = Columns(feats)
    X = cols.levels(a, b)
    model = fit(feats, X, u_random=random_u(feats, matrix=cols.levels))
    w = model.match_weights(X)
    for k, adj in model.term_adjustments(feats).items():
        same = np.flatnonzero(X[:, k] == 1)
        w[same] += adj[a[same]]
    prob = probability(w)
    t = np.asarray(truth)
    true = t[a] == t[b]
    names_only = ~corroborated(X) & ~mismatched(X)
    patronymic = X[:, LEVEL_FIELDS.index("patronymic")] == 1
    city = X[:, LEVEL_FIELDS.index("city")] == 1
    print(f"\n{lang}, {n:,} rows, seed {seed}: {len(codes):,} candidate pairs")
    print("| candidate pairs agreeing on names (and a city) only | true | false |")
    print("|---|---:|---:|")
    for label, sel in (
        ("all", names_only),
        ("… with the same patronymic", names_only & patronymic),
        ("… and the same city", names_only & patronymic & city),
        (
            "… and a term-adjusted probability ≥ 0.99",
            names_only & patronymic & city & (prob >= 0.99),
        ),
        ("… ≥ 0.999", names_only & patronymic & city & (prob >= 0.999)),
    ):
        print(f"| {label} | {int((sel & true).sum()):,} | {int((sel & ~true).sum()):,} |")


def key_kinds(n: int, lang: str, seed: int) -> None:
    """Per kind of blocking key: the pairs its blocks give (under their size limits), those no
    other key gives, and how many of those the matcher keeps (for review) and merges."""
    from clientbase.dedupe import keys as K

    rows, _ = generate_dedupe.generate(n, lang, seed)
    people = people_of(rows, lang)
    feats = [features(p) for p in people]
    caps = (K.STRONG_BLOCK_FACTOR * 50, 50, max(2, 50 // K.NAME_BLOCK_DIVISOR))
    blocks: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for cls, ks in enumerate(K._keys_by_class(f)):
            for k in set(ks):
                blocks[(cls, k)].append(i)
    kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
    for (cls, k), members in blocks.items():
        if 2 <= len(members) <= caps[cls]:
            for pair in combinations(sorted(members), 2):
                kinds[pair].add(k.split(":", 1)[0])
    del blocks
    index = {f.id: i for i, f in enumerate(feats)}
    score = {}
    for m in match(people, min_score=REVIEW_THRESHOLD).matches:
        i, j = index[m.a], index[m.b]
        score[(min(i, j), max(i, j))] = m.score
    total, alone, kept, merged = Counter(), Counter(), Counter(), Counter()
    for pair, ks in kinds.items():
        total.update(ks)
        if len(ks) == 1:
            (k,) = ks
            alone[k] += 1
            s = score.get(pair)
            kept[k] += s is not None
            merged[k] += s is not None and s >= AUTO_THRESHOLD
    print(f"\n{lang}, {n:,} rows, seed {seed}: {len(kinds):,} candidate pairs, {len(score):,} kept")
    print("| key | pairs | only through this key | of those kept | of those merged |")
    print("|---|---:|---:|---:|---:|")
    for k, c in total.most_common():
        print(f"| `{k}` | {c:,} | {alone[k]:,} | {kept[k]:,} | {merged[k]:,} |")


def _rss_mb() -> float:
    """Resident memory now (Linux), MB; 0 where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Pairwise quality and speed of the dedupe matcher.")
    ap.add_argument("--rows", type=int, default=20_000, help="rows per list (20,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lang", choices=("ru", "en", "both"), default="both")
    ap.add_argument("--explain", type=int, default=0, help="print N wrong and N missed pairs")
    ap.add_argument(
        "--speed", default="", help="comma-separated people counts to time, e.g. 100000,1000000"
    )
    ap.add_argument("--no-quality", action="store_true", help="only the timing")
    ap.add_argument(
        "--evidence", action="store_true",
        help="what the list's true pairs share: the recall evidence allows, rows nobody can place",
    )  # fmt: skip
    ap.add_argument(
        "--names-city", action="store_true",
        help="candidate pairs agreeing on names and a city only, true and false",
    )  # fmt: skip
    ap.add_argument(
        "--keys", action="store_true",
        help="per kind of blocking key: pairs, pairs only it gives, of those kept and merged",
    )  # fmt: skip
    args = ap.parse_args(argv)
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; thresholds auto {AUTO_THRESHOLD}, "
        f"review {REVIEW_THRESHOLD}"
    )
    if args.evidence:
        for lang in ("ru", "en") if args.lang == "both" else (args.lang,):
            evidence(args.rows, lang, args.seed)
    if args.names_city:
        for lang in ("ru", "en") if args.lang == "both" else (args.lang,):
            names_city(args.rows, lang, args.seed)
    if args.keys:
        for lang in ("ru", "en") if args.lang == "both" else (args.lang,):
            key_kinds(args.rows, lang, args.seed)
    if not args.no_quality:
        langs = ("ru", "en") if args.lang == "both" else (args.lang,)
        results = [quality(args.rows, lang, args.seed, args.explain) for lang in langs]
        print()
        print("| list | seed | rows | true pairs | auto pairs | precision | recall | F1 | s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(
                f"| {r['lang']} | {r['seed']} | {r['rows']:,} | {r['true_pairs']:,} | "
                f"{r['auto_pairs']:,} | {r['precision']:.4f} | {r['recall']:.4f} | "
                f"{r['f1']:.4f} | {r['seconds']:.1f} |"
            )
    if args.speed:
        print()
        print(
            "| people | find_matches s (CPU s) | clusters s (CPU s) | every pair's reasons s "
            "(CPU s) | matches | MB before | peak MB |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for n in (int(x) for x in args.speed.split(",") if x.strip()):
            s = speed(n, args.seed)
            print(
                f"| {s['people']:,} | {s['find_matches_s']:.1f} ({s['find_matches_cpu_s']:.1f}) | "
                f"{s['clusters_s']:.1f} ({s['clusters_cpu_s']:.1f}) | "
                f"{s['explain_s']:.1f} ({s['explain_cpu_s']:.1f}) | {s['matches']:,} | {s['people_mb']:.0f} | {s['peak_mb']:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
