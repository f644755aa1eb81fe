#!/usr/bin/env python3
"""Time ``clientbase export audience`` on a base of about 1,000,000 customers.

    python benchmarks/bench_export.py                   # ~1,000,000 customers
    python benchmarks/bench_export.py --rows 100000     # a quick run

Steps:

1. Generate a contact CSV with ``generate_contacts.py`` and no repeated persons
   (``--dup-rate 0``), so every row but the ~0.5 % rejects is one customer; 1,005,000 rows give
   about 1,000,000 customers. Cached in ``/tmp/clientbase-bench/`` like the other benchmarks.
2. Import it into ``/tmp/clientbase-bench/export-ROWS-seedN.db`` and give the base a consent
   mix, since generated lists say nothing about consent: 80 % of the phones and emails granted,
   5 % withdrawn, the rest unknown; an ads withdrawal event on 1 % of the points, an email
   withdrawal on 1 % of the addresses, and 20,000 suppressed values. The prepared database is
   cached too (the import alone takes a minute or more); ``--rebuild`` makes it again.
3. Export with SHA-256 to Yandex (phones as digits) and to Google (E.164, Gmail rule, names and
   country), each as ``python -m clientbase --db DB export audience ... --format json`` in a child
   process, timed and with its peak RSS (see ``bench_import.py``), after the database file has
   been read once so it is in the page cache, as for a base in daily use.

The export logs its customers; the log rows this script adds are deleted afterwards, so runs do
not pile up in the cached database. The target: 1,000,000 contacts with SHA-256 in at most 10 s.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_import import (  # noqa: E402  (sibling scripts, not a package)
    EXIT_OK,
    EXIT_REJECTED,
    WORKDIR,
    Step,
    check,
    clientbase_cmd,
    dataset,
    print_report,
    remove_db,
    run_step,
)

TARGET_SECONDS = 10.0


def prepare_db(path: Path, rows: int, seed: int, timeout: float | None) -> Path:
    """The imported base with a consent mix, from the cache or built now."""
    db = WORKDIR / f"export-{rows}-seed{seed}.db"
    if db.exists():
        print(f"database: {db} (cached)", file=sys.stderr)
        return db
    tmp = WORKDIR / f"export-{rows}-seed{seed}.part.db"
    remove_db(tmp)
    print(f"database: importing {path.name} into {tmp} ...", file=sys.stderr)
    step = run_step(
        "import", [*clientbase_cmd(), "--db", str(tmp), "-q", "import", str(path),
                   "--format", "json"], rows, timeout,
    )  # fmt: skip
    check(step, (EXIT_OK, EXIT_REJECTED))
    print(f"database: imported in {step.wall:.0f} s; setting consent ...", file=sys.stderr)
    con = sqlite3.connect(tmp)
    with con:
        con.execute(
            "UPDATE contact_points SET consent = CASE WHEN id % 20 = 0 THEN 'withdrawn' "
            "WHEN id % 20 IN (1, 2, 3) THEN 'unknown' ELSE 'granted' END"
        )
        now = "2025-11-01 12:00:00.000000"
        con.execute(
            "INSERT INTO consents (contact_point_id, channel, status, at, source) "
            "SELECT id, 'ads', 'withdrawn', ?, 'bench' FROM contact_points WHERE id % 100 = 7",
            (now,),
        )
        con.execute(
            "INSERT INTO consents (contact_point_id, channel, status, at, source) "
            "SELECT id, 'email', 'withdrawn', ?, 'bench' FROM contact_points "
            "WHERE kind = 'email' AND id % 100 = 11",
            (now,),
        )
        # Opt-outs of numbers next to real ones: some in the base, most not.
        con.execute(
            "INSERT INTO suppressions (kind, value, channel, at, source) "
            "SELECT kind, value, 'ads', ?, 'bench' FROM contact_points "
            "WHERE valid AND value IS NOT NULL AND id % 100 = 13 LIMIT 10000",
            (now,),
        )
        con.executemany(
            "INSERT INTO suppressions (kind, value, channel, at, source) "
            "VALUES ('phone', ?, 'ads', ?, 'bench')",
            [(f"+7999{n:07d}", now) for n in range(10000)],
        )
    con.close()
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{tmp}{suffix}")
        if src.exists():
            src.replace(Path(f"{db}{suffix}"))
    return db


def clear_log(db: Path) -> None:
    con = sqlite3.connect(db)
    with con:
        con.execute("DELETE FROM export_members")
        con.execute("DELETE FROM exports")
    con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time `clientbase export audience` on a big base.")
    ap.add_argument("--rows", type=int, default=1_005_000, help="rows to generate (1,005,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rebuild", action="store_true", help="import the base again")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step (none)")
    args = ap.parse_args(argv)

    path, _expected = dataset(args.rows, args.seed, 0.0, "utf-8")
    if args.rebuild:
        remove_db(WORKDIR / f"export-{args.rows}-seed{args.seed}.db")
    db = prepare_db(path, args.rows, args.seed, args.timeout)
    con = sqlite3.connect(db)
    customers = con.execute("SELECT count(*) FROM customers").fetchone()[0]
    points = con.execute(
        "SELECT count(*) FROM contact_points WHERE kind IN ('phone', 'email')"
    ).fetchone()[0]
    con.close()
    print(f"base: {customers:,} customers, {points:,} phones and emails")

    # A base in daily use sits in the page cache; this machine's kernel evicts idle files
    # (DAMON reclaim), and a cold read of the ~0.9 GB file alone takes longer than the export.
    t0 = time.perf_counter()
    with open(db, "rb") as f:
        while f.read(1 << 22):
            pass
    print(
        f"page cache warmed: {db.stat().st_size / 1e6:.0f} MB read in {time.perf_counter() - t0:.1f} s"
    )

    cb = [*clientbase_cmd(), "--db", str(db)]
    steps: list[Step] = []
    clear_log(db)
    try:
        for platform in ("yandex", "google"):
            out = WORKDIR / f"export-{platform}.csv"
            step = run_step(
                f"export {platform} (sha256)",
                [*cb, "export", "audience", "--platform", platform, "--out", str(out),
                 "--hash", "sha256", "--format", "json"],
                customers, args.timeout,
            )  # fmt: skip
            steps.append(step)
            check(step, (EXIT_OK,))
            s = json.loads(step.stdout)
            files = ", ".join(
                f"{Path(f['path']).name} {f['bytes'] / 1e6:.0f} MB" for f in s["files"]
            )
            print(
                f"{platform}: {step.wall:.2f} s wall, {step.peak_mb:.0f} MB peak RSS; "
                f"{s['exported']:,} customers in {s['rows']:,} rows; left out "
                f"{json.dumps(s['left_out'])}; mobile {s['share_mobile']:.0%}, email "
                f"{s['share_email']:.0%}; {files}"
            )
            if customers >= 1_000_000:
                verdict = "met" if step.wall <= TARGET_SECONDS else "NOT met"
                print(f"  target {TARGET_SECONDS:.0f} s for 1,000,000 contacts: {verdict}")
            out.unlink(missing_ok=True)
    finally:
        clear_log(db)
    print_report(path, f"(utf-8), dup rate 0, seed {args.seed}; {customers:,} customers", steps,
                 "customers")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
