#!/usr/bin/env python3
"""Time the import of retail invoice lines keyed by customer code alone, then the analyses.

    python benchmarks/bench_sales.py                         # 400,000 lines, 4,000 customers
    python benchmarks/bench_sales.py --lines 100000 --customers 1000 --keep

Steps:

1. Generate the CSV with ``generate_sales.py`` (the shape of the public Online Retail dataset:
   ``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country``, no
   name, phone or email, ~2 % cancellation lines on ``C`` invoices). Cached in
   ``/tmp/clientbase-bench/`` by lines, customers and seed.
2. Import it into an empty ``/tmp/clientbase-bench/sales.db``
   (``python -m clientbase --db … -q import FILE --format json``) and check the counts against
   the generator's: every line read, none rejected, one order per invoice, the cancellations
   stored as returns, one customer per code.
3. ``analyze abc-xyz --abc 80,95`` (by revenue), ``analyze rfm`` and
   ``analyze ltv --method bgnbd``, each with ``--as-of`` the day after the last invoice.

For every step the wall time, the child's CPU time (user + system) and its peak RSS are printed.
The machine is shared: when other work runs on its two cores, the wall time grows while the CPU
time stays put, so both are quoted. The target is the import in at most 20 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_sales  # noqa: E402  (sibling scripts, not a package)
from bench_import import (  # noqa: E402
    EXIT_OK,
    EXIT_REJECTED,
    WORKDIR,
    Step,
    cached_dataset,
    clientbase_cmd,
    remove_db,
    run_step,
)

TARGET_LINES, IMPORT_SECONDS = 400_000, 20.0
AS_OF = "2011-12-10"  # the day after the generator's last invoice day


def cpu_of(fn):
    """Run fn() and return (its result, CPU seconds its children used)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed(
    name: str, args: list[str], rows: int | None, timeout: float | None
) -> tuple[Step, float]:
    step, cpu = cpu_of(lambda: run_step(name, args, rows, timeout))
    print(
        f"{name}: {step.wall:.1f} s wall, {cpu:.1f} s CPU, {step.peak_mb:.0f} MB peak RSS, "
        f"exit {step.exit_code}"
    )
    return step, cpu


def fail(step: Step) -> int:
    print(f"bench_sales: {step.name} failed with exit code {step.exit_code}", file=sys.stderr)
    if step.stderr.strip():
        print(step.stderr.rstrip(), file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=TARGET_LINES, help="invoice lines (400,000)")
    ap.add_argument("--customers", type=int, default=4000, help="customer codes (4,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help=f"keep {WORKDIR}/sales.db afterwards")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step (none)")
    args = ap.parse_args(argv)

    path, expected = cached_dataset(
        f"sales-{args.lines}-cust{args.customers}-seed{args.seed}",
        ".csv",
        f"{args.lines:,} invoice lines",
        lambda tmp: generate_sales.write_csv(
            args.lines, tmp, customers=args.customers, seed=args.seed
        ),
    )
    db = WORKDIR / "sales.db"
    remove_db(db)
    cb = [*clientbase_cmd(), "--db", str(db)]
    try:
        imp, imp_cpu = timed(
            "import", [*cb, "-q", "import", str(path), "--format", "json"], args.lines, args.timeout
        )
        if imp.exit_code not in (EXIT_OK, EXIT_REJECTED):
            return fail(imp)
        summary = json.loads(imp.stdout)
        want = {
            "rows_read": expected["lines"],
            "rejected": 0,
            "created": expected["orders"],
            "duplicates": expected["lines"] - expected["orders"],
            "returns": expected["returns"],
            "customers_created": expected["customers"],
        }
        got = {k: summary.get(k) for k in want}
        print("counts: " + ", ".join(f"{k} {v:,}" for k, v in got.items()))
        if got != want:
            print(f"  expected from the generator: {want}")
            return 1
        steps = [
            ("abc-xyz 80/95", ["abc-xyz", "--abc", "80,95", "--metric", "revenue"]),
            ("rfm", ["rfm"]),
            ("ltv --method bgnbd", ["ltv", "--method", "bgnbd"]),
        ]
        for name, extra in steps:
            step, _ = timed(
                f"analyze {name}",
                [*cb, "analyze", *extra, "--as-of", AS_OF, "--format", "json"],
                None,
                args.timeout,
            )
            if step.exit_code != EXIT_OK:
                return fail(step)
            data = json.loads(step.stdout)
            if "segments" in data:
                top = sorted(data["segments"].items(), key=lambda kv: -kv[1]["customers"])[:4]
                print("  " + ", ".join(f"{k} {v['customers']:,}" for k, v in top))
            elif "matrix" in data:
                print(f"  {len(data.get('customers', [])):,} customers classified")
            else:
                print(f"  {json.dumps(data.get('params', data.get('model', {})))[:300]}")
    finally:
        if not args.keep:
            remove_db(db)
    if args.lines == TARGET_LINES:
        verdict = "met" if imp.wall <= IMPORT_SECONDS else "NOT met"
        print(f"target (import {TARGET_LINES:,} lines in <= {IMPORT_SECONDS:g} s wall): {verdict}"
              f" ({imp.wall:.1f} s wall, {imp_cpu:.1f} s CPU)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
