#!/usr/bin/env python3
"""Time RFM and historical LTV over a base of about 1,000,000 live orders.

    python benchmarks/bench_value.py                           # 1,365,000 lines, 100,000 customers
    python benchmarks/bench_value.py --lines 100000 --customers 10000
    python benchmarks/bench_value.py --build-only              # just make the database

Steps:

1. Generate the sales export with ``generate_orders.py`` (cached in ``/tmp/clientbase-bench/``
   like the other benchmarks). 1,365,000 lines make about 1,040,000 orders, of which about
   1,000,000 are live (the generator cancels 3 % and returns 1 %, and the analyses leave those
   out): the target is stated for the orders the analyses read.
2. Import it once into ``/tmp/clientbase-bench/value-….db`` with ``clientbase import`` in a child
   process. The database is kept and reused by later runs (the import takes minutes; the
   analyses only read), unless ``--rebuild``. A marker file says the import finished.
3. In this process, time the service calls the CLI makes, loading included:
   ``value.rfm(engine)`` and ``value.ltv_historical(engine)``, each from a fresh engine, and
   the parts (reading the orders, scoring, the LTV table) on their own.
4. Time ``analyze rfm --format json`` and ``analyze ltv --method historical --format json`` as
   child processes (interpreter start and JSON output included): wall time, CPU time (from
   ``getrusage(RUSAGE_CHILDREN)`` around the step) and peak RSS.

Every figure is given as wall and CPU seconds: on a machine shared with other work the wall
time of the same step varies two- or threefold, while its CPU time (the work is
single-threaded) stays close to what an idle machine would show as wall time.

The target: RFM and historical LTV over 1,000,000 orders in at most 5 s each on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_orders  # noqa: E402  (sibling scripts, not a package)
from bench_import import (  # noqa: E402
    EXIT_OK,
    EXIT_REJECTED,
    WORKDIR,
    Step,
    cached_dataset,
    clientbase_cmd,
    print_report,
    remove_db,
    run_step,
)

TARGET_ORDERS, TARGET_SECONDS = 1_000_000, 5.0


def dataset(lines: int, customers: int, seed: int) -> tuple[Path, dict]:
    # The same cache key as bench_orders.py: one file serves both benchmarks.
    return cached_dataset(
        f"orders-{lines}-cust{customers}-seed{seed}",
        ".csv",
        f"{lines:,} order lines",
        lambda tmp: generate_orders.write_csv(lines, tmp, customers=customers, seed=seed),
    )


def database(path: Path, lines: int, customers: int, seed: int, rebuild: bool, timeout):
    """The imported database, built now unless a finished one is cached."""
    db = WORKDIR / f"value-{lines}-cust{customers}-seed{seed}.db"
    done = db.with_suffix(".done")
    if done.exists() and db.exists() and not rebuild:
        print(f"database: {db} (cached)", file=sys.stderr)
        return db, None
    done.unlink(missing_ok=True)
    remove_db(db)
    print(f"database: importing {path.name} into {db} ...", file=sys.stderr)
    step = run_step(
        "import orders",
        [*clientbase_cmd(), "--db", str(db), "-q", "import", str(path), "--format", "json"],
        lines,
        timeout,
    )
    if step.exit_code not in (EXIT_OK, EXIT_REJECTED):
        print(f"bench_value: the import failed with exit code {step.exit_code}", file=sys.stderr)
        print(step.stderr.rstrip(), file=sys.stderr)
        sys.exit(1)
    done.write_text(step.stdout)
    print(f"database: imported in {step.wall:.0f} s", file=sys.stderr)
    return db, step


def timed(fn):
    """(result, wall seconds, CPU seconds). Both, because the machine is often shared: the CPU
    time is what the step costs on an idle machine (the work is single-threaded), the wall
    time what it took this time."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - w0, time.process_time() - c0


def in_process(db: Path) -> list[tuple[str, float, float]]:
    """Wall and CPU seconds of the service calls and their parts, each from a fresh engine (no cache
    warmed by an earlier step but the operating system's)."""
    from clientbase.analytics.ltv import historical
    from clientbase.analytics.rfm import score_rfm
    from clientbase.db.engine import make_engine
    from clientbase.services import value
    from clientbase.services.analytics import load_orders

    def engine():
        return make_engine(f"sqlite:///{db}")

    figures = []
    frame, *t = timed(lambda: value.load_value_orders(engine()))
    figures.append((f"read {len(frame):,} live orders", *t))
    as_of = frame["ordered_at"].max().date()
    scored, *t = timed(lambda: score_rfm(frame, as_of=as_of))
    figures.append((f"score_rfm ({len(scored):,} customers)", *t))
    _, *t = timed(lambda: historical(frame, as_of=as_of))
    figures.append(("historical", *t))
    frame = scored = None  # let them go before the next loads
    _, *t = timed(lambda: load_orders(engine()))
    figures.append(("for comparison: services.analytics.load_orders", *t))
    _, *t = timed(lambda: value.rfm(engine()))
    figures.append(("value.rfm (load + score + names)", *t))
    _, *t = timed(lambda: value.ltv_historical(engine()))
    figures.append(("value.ltv_historical (load + LTV + names)", *t))
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time RFM and historical LTV on ~1M orders.")
    ap.add_argument("--lines", type=int, default=1_365_000, help="order lines (1,365,000)")
    ap.add_argument("--customers", type=int, default=100_000, help="customer base (100,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rebuild", action="store_true", help="import again into a fresh database")
    ap.add_argument("--build-only", action="store_true", help="make the database and stop")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per child step (none)")
    args = ap.parse_args(argv)
    if args.lines < 1 or args.customers < 1:
        ap.error("--lines and --customers must be >= 1")

    path, expected = dataset(args.lines, args.customers, args.seed)
    db, imp = database(path, args.lines, args.customers, args.seed, args.rebuild, args.timeout)
    if imp is not None:
        print(f"import: {imp.wall:.1f} s wall, {imp.peak_mb:.0f} MB peak RSS")
    if args.build_only:
        return 0
    live = expected["orders"] - expected["cancelled"] - expected["returned"]
    print(
        f"base: {expected['orders']:,} orders ({live:,} live), {expected['customers']:,} customers"
    )

    figures = in_process(db)
    width = max(len(name) for name, *_ in figures)
    print(f"  {'in this process':<{width}}  {'wall s':>7}  {'CPU s':>7}")
    for name, wall, cpu in figures:
        print(f"  {name:<{width}}  {wall:7.2f}  {cpu:7.2f}")

    cb = [*clientbase_cmd(), "--db", str(db)]
    steps: list[Step] = []
    for name, extra in (
        ("analyze rfm", ["rfm"]),
        ("analyze ltv --method historical", ["ltv", "--method", "historical"]),
    ):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        step = run_step(name, [*cb, "analyze", *extra, "--format", "json"], None, args.timeout)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        steps.append(step)
        if step.exit_code != EXIT_OK:
            print(f"bench_value: {name} failed with exit code {step.exit_code}", file=sys.stderr)
            print(step.stderr.rstrip(), file=sys.stderr)
            return 1
        data = json.loads(step.stdout)
        print(
            f"{name}: {step.wall:.2f} s wall, {cpu:.2f} s CPU, {step.peak_mb:.0f} MB peak RSS, "
            f"{len(data['customers']):,} customers"
        )

    if live >= TARGET_ORDERS:
        services = {name: (wall, cpu) for name, wall, cpu in figures}
        for name, key in (
            ("RFM", "value.rfm (load + score + names)"),
            ("historical LTV", "value.ltv_historical (load + LTV + names)"),
        ):
            wall, cpu = services[key]
            verdict = "met" if wall <= TARGET_SECONDS else "NOT met"
            print(
                f"target ({name} in <= {TARGET_SECONDS:g} s, loading included): {verdict} "
                f"({wall:.2f} s wall, {cpu:.2f} s CPU)"
            )
    about = f", {live:,} live orders, {expected['customers']:,} customers, seed {args.seed}"
    print_report(path, about, steps, "orders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
