#!/usr/bin/env python3
"""Time the filter language, segments, birthdays and reactivation on a base of a million customers.

    python benchmarks/bench_segments.py                     # 1,000,000 customers
    python benchmarks/bench_segments.py --customers 100000  # a quick run

A base that size takes minutes to build through ``clientbase import`` (bench_import.py and
bench_orders.py time that path), so this script writes it straight into a fresh database with the
library's bulk insert, from the same generators:

- customers: ``generate_contacts.Person`` (names, gender, city, birthday for half of them,
  acquisition source; a phone for 98 %, an e-mail for 60 %; 1 % archived);
- orders: 45 % of the customers buy, a Zipf-like number of orders each (about 1.5 per customer
  in all), over the two years before the day the base is built, products, categories, managers and
  channels of ``generate_orders``; 15 % of the orders with a discount, 4 % cancelled or returned;
- calls for 20 % of the customers, one to three each in the last year.

The database is cached in ``/tmp/clientbase-bench/`` by customers, seed and the day it was built
(the stages count back from today). Then each step runs ``python -m clientbase`` as a child process
and is timed with its peak RSS, as in bench_import.py, and with the CPU seconds it used (user +
system, from getrusage of the children): on a shared machine the wall time says more about the
neighbours than about the code.

1. ``contacts list --where "orders >= 3 and days_since_last_order > 60 and city = 'Казань'"``
   (SQL facts only: purchases);
2. ``contacts list --where "lifecycle = 'sleeping' and warmth = 'hot' and has_email"``
   (purchases, contacts, contact points);
3. ``contacts list --where "abc in ('A', 'B') and rfm_segment = 'Loyal'"`` (the pandas classes);
4. ``segment list`` over three saved segments (the facts computed once for all three);
5. ``birthdays --days 7`` and ``reactivation``;
6. ``tag add`` over a segment.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_contacts as gc  # noqa: E402  (sibling scripts, not a package)
import generate_orders as go  # noqa: E402
from bench_import import (  # noqa: E402
    EXIT_OK,
    WORKDIR,
    Step,
    clientbase_cmd,
    print_report,
    remove_db,
    run_step,
)

BATCH = 20_000


def build(db: Path, n: int, seed: int) -> dict:
    """Write the base into ``db``; the counts of what was written."""
    from clientbase.config import resolve_db
    from clientbase.db.bulk import insert_rows, timestamp
    from clientbase.db.engine import open_database, write_transaction
    from clientbase.db.models import contact_points, customers, interactions, orders

    engine = open_database(resolve_db(str(db)))
    rng = random.Random(seed)
    today = date.today()
    salt = gc.mix(seed) & 0xFFFFFFFF
    n_slots = gc.N_COMBOS * (n // gc.N_COMBOS + 1)
    slots = (n_slots, gc.weyl_multiplier(n_slots, 0.3819660113))
    created = timestamp_of = None
    counts = dict(customers=0, points=0, orders=0, calls=0)
    cust_cols = ("id", "kind", "display_name", "last_name", "first_name", "middle_name", "gender",
                 "birth_year", "birth_month", "birth_day", "city", "source", "manager", "status",
                 "created_at", "updated_at")  # fmt: skip
    point_cols = ("customer_id", "kind", "value_raw", "value", "valid", "consent", "created_at")
    order_cols = ("customer_id", "external_id", "ordered_at", "amount", "cost", "margin",
                  "discount", "quantity", "product", "category", "manager", "channel", "status",
                  "created_at")  # fmt: skip
    call_cols = ("customer_id", "kind", "direction", "occurred_at", "duration_s", "outcome",
                 "created_at")  # fmt: skip
    t0 = time.perf_counter()
    order_no = go.FIRST_ORDER_NO
    with write_transaction(engine) as conn:
        created = timestamp(
            conn, datetime.combine(today - timedelta(days=800), datetime.min.time())
        )
        timestamp_of = lambda d: timestamp(conn, d)  # noqa: E731
        for start in range(0, n, BATCH):
            cust, pts, ords, calls = [], [], [], []
            for p in range(start, min(n, start + BATCH)):
                cid = p + 1
                pers = gc.Person(p, salt, slots)
                male = pers.middle.endswith("ич")
                d, m, y = pers.bday
                has_bday = rng.random() < 0.5
                no_year = has_bday and rng.random() < 0.15
                cust.append((
                    cid, "person", f"{pers.last} {pers.first} {pers.middle}", pers.last,
                    pers.first, pers.middle, "m" if male else "f",
                    None if (not has_bday or no_year) else y, m if has_bday else None,
                    d if has_bday else None, pers.city or None,
                    gc.SOURCES[rng.randrange(len(gc.SOURCES))] or None,
                    go.MANAGERS[rng.randrange(len(go.MANAGERS))],
                    "archived" if rng.random() < 0.01 else "active", created, created,
                ))  # fmt: skip
                if pers.garbage is None:
                    phone = f"+7{pers.code}{pers.sub:07d}"
                    consent = "granted" if rng.random() < 0.3 else "unknown"
                    pts.append((cid, "phone", phone, phone, True, consent, created))
                if pers.email and not pers.email_bad:
                    pts.append((cid, "email", pers.email, pers.email.lower(), True, "unknown",
                                created))  # fmt: skip
                if rng.random() < 0.45:
                    k = min(200, int(rng.paretovariate(1.3)))  # 1 for most, a long tail
                    k = max(1, k + (rng.random() < 0.5))
                    last = rng.randrange(730)
                    for _ in range(k):
                        product, category, price = go.PRODUCTS[rng.randrange(len(go.PRODUCTS))]
                        qty = go.QUANTITIES[rng.randrange(len(go.QUANTITIES))]
                        amount = float(price * qty)
                        disc = amount * 0.1 if rng.random() < 0.15 else None
                        if disc:
                            amount -= disc
                        r = rng.random()
                        status = "cancelled" if r < 0.03 else "returned" if r < 0.04 else "done"
                        day = today - timedelta(days=last + rng.randrange(730 - last + 1))
                        at = timestamp_of(datetime.combine(day, datetime.min.time()))
                        ords.append((
                            cid, str(order_no), at, amount, round(amount * 0.6, 2),
                            round(amount * 0.4, 2), disc, qty, product, category,
                            go.MANAGERS[rng.randrange(len(go.MANAGERS))],
                            go.CHANNELS[rng.randrange(len(go.CHANNELS))], status, created,
                        ))  # fmt: skip
                        order_no += 1
                if rng.random() < 0.2:
                    for _ in range(1 + rng.randrange(3)):
                        day = today - timedelta(days=rng.randrange(365))
                        out = rng.random() < 0.5
                        outcome = (
                            "answered" if rng.random() < 0.7 else ("failed" if out else "missed")
                        )
                        calls.append((
                            cid, "call", "out" if out else "in",
                            timestamp_of(datetime.combine(day, datetime.min.time())),
                            rng.randrange(300) if outcome == "answered" else 0, outcome, created,
                        ))  # fmt: skip
            insert_rows(conn, customers, cust_cols, cust)
            insert_rows(conn, contact_points, point_cols, pts)
            insert_rows(conn, orders, order_cols, ords)
            insert_rows(conn, interactions, call_cols, calls)
            counts["customers"] += len(cust)
            counts["points"] += len(pts)
            counts["orders"] += len(ords)
            counts["calls"] += len(calls)
            if start % 200_000 == 0:
                print(f"  {start + len(cust):,} customers ...", file=sys.stderr)
    counts["build_seconds"] = round(time.perf_counter() - t0, 1)
    counts["built_on"] = today.isoformat()
    engine.dispose()
    return counts


def database(n: int, seed: int) -> tuple[Path, dict]:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    db = WORKDIR / f"segments-{n}-seed{seed}-{date.today():%Y%m%d}.db"
    meta = db.with_suffix(".json")
    if db.exists() and meta.exists():
        print(f"database: {db} (cached)", file=sys.stderr)
        return db, json.loads(meta.read_text())
    remove_db(db)
    print(f"database: building {n:,} customers into {db} ...", file=sys.stderr)
    counts = build(db, n, seed)
    meta.write_text(json.dumps(counts))
    print(f"database: {counts}", file=sys.stderr)
    return db, counts


def clear_segments(db: Path) -> None:
    from sqlalchemy import delete

    from clientbase.db.engine import make_engine, write_transaction
    from clientbase.db.models import segments

    engine = make_engine(f"sqlite:///{db}")
    with write_transaction(engine) as conn:
        conn.execute(delete(segments))
    engine.dispose()


SEGMENTS = (
    ("kazan-regulars", "orders >= 3 and days_since_last_order > 60 and city = 'Казань'"),
    ("sleeping-hot", "lifecycle = 'sleeping' and warmth = 'hot' and has_email"),
    ("ab-loyal", "abc in ('A', 'B') and rfm_segment = 'Loyal'"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step")
    args = ap.parse_args(argv)
    db, counts = database(args.customers, args.seed)
    base = [*clientbase_cmd(), "--db", str(db), "-q"]
    steps: list[Step] = []

    cpu: dict[str, float] = {}

    def step(name: str, *cli: str) -> Step:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        s = run_step(name, [*base, *cli], None, args.timeout)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[name] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if s.exit_code != EXIT_OK:
            print(f"bench_segments: {name} failed with exit code {s.exit_code}", file=sys.stderr)
            print(s.stderr.rstrip(), file=sys.stderr)
            sys.exit(1)
        steps.append(s)
        return s

    for name, expr in SEGMENTS:
        s = step(f"contacts list --where ({name})", "contacts", "list", "--where", expr,
                 "--format", "csv")  # fmt: skip
        s.rows = max(0, s.stdout.count("\n") - 1)
        print(f"{s.name}: {s.rows:,} customers, {s.wall:.1f} s, {cpu[s.name]:.1f} s CPU, "
              f"{s.peak_mb:.0f} MB")  # fmt: skip
    clear_segments(db)  # an earlier run may have left others: the list must time these three
    for name, expr in SEGMENTS:
        step(f"segment create {name}", "segment", "create", name, "--where", expr)
        steps.pop()  # each create counts its segment once; the table shows the list
    s = step("segment list (3 segments)", "segment", "list", "--format", "json")
    sizes = {r["name"]: r["size"] for r in json.loads(s.stdout)}
    print(f"segment list: {sizes}, {s.wall:.1f} s")
    s = step("birthdays --days 7", "birthdays", "--days", "7", "--format", "json")
    s.rows = len(json.loads(s.stdout))
    print(f"birthdays: {s.rows:,} in the next 7 days, {s.wall:.1f} s")
    s = step("reactivation", "reactivation", "--format", "json")
    s.rows = len(json.loads(s.stdout))
    print(f"reactivation: {s.rows:,} customers, {s.wall:.1f} s")
    s = step("tag add --segment kazan-regulars", "tag", "add", "bench", "--segment",
             "kazan-regulars", "--format", "json")  # fmt: skip
    print(f"tag add: {json.loads(s.stdout)}, {s.wall:.1f} s")
    run_step("untag", [*base, "tag", "remove", "bench", "--segment", "kazan-regulars"], None,
             args.timeout)  # fmt: skip
    about = (
        f"({counts['customers']:,} customers, {counts['points']:,} contact points, "
        f"{counts['orders']:,} orders, {counts['calls']:,} calls; built in "
        f"{counts['build_seconds']} s)"
    )
    print_report(db, about, steps, "customers")
    print()
    print("| step | CPU s |")
    print("|---|---:|")
    for s in steps:
        print(f"| {s.name} | {cpu[s.name]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
