#!/usr/bin/env python3
"""Time the orders import and the analyses on a large generated sales export.

    python benchmarks/bench_orders.py                          # 1,000,000 lines, 100,000 customers
    python benchmarks/bench_orders.py --lines 100000 --customers 10000 --keep
    python benchmarks/bench_orders.py --db /tmp/mine.db --keep  # a base of your own, kept
    python benchmarks/bench_orders.py --skip-analyses          # the import only

Steps:

1. Generate the CSV with ``generate_orders.py``. It is cached in ``/tmp/clientbase-bench/`` by
   line count, customers and seed, so a second run skips this.
2. Delete ``/tmp/clientbase-bench/orders.db`` and import the file into it with
   ``python -m clientbase --db … -q import FILE --format json``.
3. ``analyze abc-xyz --format json``, ``analyze abc-xyz --by manager --format json``,
   ``analyze rfm --format json`` and ``report --format html`` on that database.

Wall time and the child's peak RSS are measured as in ``bench_import.py`` (it reuses its
helpers); the CPU time (user + system of the command and the worker processes it waited for)
and the machine's load average when the step ended are printed beside them, because the machine
is shared: other work stretches the wall time, not the CPU time. The import is measured over
its whole process tree instead (its workers are children of a fork server, which the command
never waits for, so its own rusage leaves them out): the CPU seconds of each process from
``/proc``, polled every 0.1 s, and the peak of their summed RSS. The targets, on a 2-core
machine: 1,000,000 lines imported in at most 25 s; each analysis and the HTML report in at most
3 s and 400 MB. The import's counts are checked against the generator's (printed as notes when
they differ). Exit code 3 from the import is accepted (a file with rejected rows); any other
failure, or a non-zero exit from an analysis, stops the script.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_orders  # noqa: E402  (sibling scripts, not a package)
from bench_import import (  # noqa: E402
    EXIT_OK,
    EXIT_REJECTED,
    WORKDIR,
    Step,
    add_db_option,
    cached_dataset,
    clientbase_cmd,
    compact,
    print_report,
    remove_db,
    run_step,
    watch_tree,
)

TARGET_LINES, IMPORT_SECONDS, ANALYZE_SECONDS, ANALYZE_MB = 1_000_000, 25.0, 3.0, 400
ANALYSES = (
    ("analyze abc-xyz", ["analyze", "abc-xyz", "--format", "json"]),
    ("analyze abc-xyz --by manager", ["analyze", "abc-xyz", "--by", "manager", "--format", "json"]),
    ("analyze rfm", ["analyze", "rfm", "--format", "json"]),
    ("report --format html", ["report", "--format", "html"]),
)
COUNT_KEYS = ("rows_read", "created", "updated", "duplicates", "rejected", "customers_created")


def dataset(lines: int, customers: int, seed: int) -> tuple[Path, dict]:
    return cached_dataset(
        f"orders-{lines}-cust{customers}-seed{seed}",
        ".csv",
        f"{lines:,} order lines",
        lambda tmp: generate_orders.write_csv(lines, tmp, customers=customers, seed=seed),
    )


def fail(step: Step) -> int:
    print(f"bench_orders: {step.name} failed with exit code {step.exit_code}", file=sys.stderr)
    if step.stderr.strip():
        print(step.stderr.rstrip(), file=sys.stderr)
    return 1


def report_import(step: Step, lines: int, expected: dict, full: bool) -> None:
    main, *workers = step.processes
    each = " + ".join(f"{c:.1f}" for c in workers)
    print(
        f"import {lines:,} lines: {step.wall:.1f} s wall, {step.cpu:.1f} s CPU of all processes "
        f"(main {main:.1f}" + (f", workers {each}" if workers else "") + "), "
        f"{step.peak_mb:.0f} MB peak RSS of all processes, {lines / step.wall:,.0f} lines/s, "
        f"load {step.load_before:.1f} -> {step.load:.1f}, exit {step.exit_code}"
    )
    try:
        summary = json.loads(step.stdout)
    except json.JSONDecodeError:
        print(f"import summary: (not JSON)\n{step.stdout.strip()[:2000]}")
        return
    if not isinstance(summary, dict):
        return
    print("counts: " + ", ".join(f"{k} {summary.get(k, '?'):,}" for k in COUNT_KEYS))
    if full:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        rejects = [r for f in summary.get("files", []) for r in f.get("rejects", [])]
        if rejects:
            print("rejected rows:")
            print(json.dumps(compact(rejects), ensure_ascii=False, indent=2))
    want = {
        "rows_read": expected["lines"],
        "created": expected["orders"],
        "duplicates": expected["lines"] - expected["orders"],
        "rejected": 0,
        "customers_created": expected["customers"],
    }
    print("expected from the generator: " + ", ".join(f"{k} {v:,}" for k, v in want.items()))
    for key, value in want.items():
        if isinstance(summary.get(key), int) and summary[key] != value:
            print(f"  note: {key} = {summary[key]:,}, expected {value:,}")


def timed(name: str, args: list[str], rows: int | None, timeout: float | None) -> Step:
    """``run_step`` with the CPU time of the child (and the workers it waited for) and the load
    average afterwards, kept on the step as ``cpu`` and ``load``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    step = run_step(name, args, rows, timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    step.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    step.load = os.getloadavg()[0]
    return step


def timed_tree(name: str, args: list[str], rows: int | None, timeout: float | None) -> Step:
    """``run_step`` over the command's whole process tree: ``cpu`` is the sum over every
    process, ``processes`` the command's own CPU seconds and then each worker's (the ones that
    used any), ``peak_kib`` the largest sum of their RSS; the load average before and after."""
    pid, w = watch_tree(args, timeout)
    step = Step(name, rows, w.wall, w.peak_bytes // 1024, w.exit_code, w.stdout, w.stderr)
    step.cpu = sum(w.cpu.values())
    own = w.cpu.pop(pid, 0.0)
    step.processes = [own, *sorted((c for c in w.cpu.values() if c >= 0.1), reverse=True)]
    step.load_before, step.load = w.load_before, w.load_after
    return step


def report_analysis(step: Step) -> None:
    try:
        data = json.loads(step.stdout)
    except json.JSONDecodeError:
        data = None
    what = ""
    if isinstance(data, dict):
        cells = data.get("matrix", {})
        top = sorted(cells.items(), key=lambda kv: -kv[1].get("share_revenue", 0))[:3]
        what = f", {len(data.get('customers', [])):,} customers; " + ", ".join(
            f"{cell} {v.get('customers', 0):,} customers / {v.get('share_revenue', 0):.1f} % revenue"
            for cell, v in top
        )
        if "portfolio" in data:
            what += f"; portfolio of {len(data['portfolio'])} groups"
    print(
        f"{step.name}: {step.wall:.2f} s wall, {step.cpu:.2f} s CPU, {step.peak_mb:.0f} MB peak "
        f"RSS, load {step.load:.1f}{what}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Time the orders import and `analyze abc-xyz` on a generated sales export."
    )
    ap.add_argument("--lines", type=int, default=TARGET_LINES, help="order lines (1,000,000)")
    ap.add_argument("--customers", type=int, default=100_000, help="customer base (100,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--keep", action="store_true", help=f"keep the database ({WORKDIR}/orders.db) afterwards"
    )
    ap.add_argument("--full-json", action="store_true", help="print the import summary uncut")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step (none)")
    ap.add_argument("--skip-analyses", action="store_true", help="time the import only")
    add_db_option(ap)
    args = ap.parse_args(argv)
    if args.lines < 1:
        ap.error("--lines must be >= 1")
    if args.customers < 1:
        ap.error("--customers must be >= 1")

    path, expected = dataset(args.lines, args.customers, args.seed)
    db = args.db or WORKDIR / "orders.db"
    remove_db(db)
    cb = [*clientbase_cmd(), "--db", str(db)]
    steps: list[Step] = []
    try:
        imp = timed_tree(
            "import orders",
            [*cb, "-q", "import", str(path), "--format", "json"],
            args.lines,
            args.timeout,
        )
        steps.append(imp)
        if imp.exit_code not in (EXIT_OK, EXIT_REJECTED):
            return fail(imp)
        report_import(imp, args.lines, expected, args.full_json)

        for name, command in () if args.skip_analyses else ANALYSES:
            step = timed(name, [*cb, *command], None, args.timeout)
            steps.append(step)
            if step.exit_code != EXIT_OK:
                return fail(step)
            report_analysis(step)
    finally:
        if not args.keep:
            remove_db(db)

    if args.lines == TARGET_LINES:
        verdict = "met" if imp.wall <= IMPORT_SECONDS else "NOT met"
        print(f"target (import {TARGET_LINES:,} lines in <= {IMPORT_SECONDS:g} s): {verdict}")
        for s in steps[1:]:
            ok = s.wall <= ANALYZE_SECONDS and s.peak_mb <= ANALYZE_MB
            print(
                f"target ({s.name} in <= {ANALYZE_SECONDS:g} s, <= {ANALYZE_MB} MB): "
                f"{'met' if ok else 'NOT met'}"
            )

    about = (
        f", {expected['orders']:,} orders, {expected['customers']:,} customers, seed {args.seed}"
    )
    print_report(path, about, steps, "lines")
    if args.keep:
        print(f"\ndatabase kept: {db}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
