#!/usr/bin/env python3
"""Time the predictive LTV core (BG/NBD + Gamma-Gamma) on 100,000 simulated customers.

    python benchmarks/bench_clv.py                      # 100,000 customers
    python benchmarks/bench_clv.py --customers 20000 --seed 2

Steps:

1. Simulate the customers' orders from known BG/NBD and Gamma-Gamma parameters and write them
   as CSV (customer_id, ordered_at, amount) to ``/tmp/clientbase-bench/``, cached by customer
   count and seed. First purchases fall in 2024, the history runs to 2025-12-31, and about 8 %
   of purchase days have two orders (the summary must count such a day once).
2. Read the CSV (not timed), then time, in this process: ``summarise`` with the calibration
   period ending 2025-06-30 (the later orders are a holdout), ``fit_bgnbd``, ``fit_gamma_gamma``
   and ``predict`` over the 26-week holdout at 10 % a year (``predict`` fits both models again,
   as the CLI does; ``summarise`` + ``predict`` is what ``analyze ltv --method bgnbd`` costs).

It prints the fitted parameters next to the true ones (close, not equal: the simulation draws
purchase times in continuous time, and two purchases that land on the same day become one, so
alpha comes out a little higher and p a little lower than drawn), the predicted holdout purchases next to
the actual ones, whether the target (summarise + predict of 100,000 customers in <= 10 s) is met,
and the usual markdown table. Peak MB is this process's peak RSS so far (``ru_maxrss``), so it
can only grow from step to step.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_import import Step, cached_dataset, print_report  # noqa: E402

from clientbase.analytics import clv  # noqa: E402

TARGET_CUSTOMERS, TARGET_SECONDS = 100_000, 10.0
START = np.datetime64("2024-01-01")
HISTORY_DAYS = 731  # 2024-01-01 .. 2025-12-31
CALIBRATION_END = "2025-06-30"
HOLDOUT_WEEKS = 184 / 7  # 2025-07-01 .. 2025-12-31
# The truth the simulation draws from: BG/NBD in days, Gamma-Gamma in roubles.
TRUE_BG = {"r": 0.75, "alpha": 20.0, "a": 0.8, "b": 4.0}
TRUE_GG = {"p": 6.0, "q": 3.7, "gamma": 1350.0}
SPLIT_SHARE = 0.08


def simulate(customers: int, seed: int) -> pd.DataFrame:
    """Orders of ``customers`` customers under BG/NBD + Gamma-Gamma, one row per order."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 366, customers)
    lam = rng.gamma(TRUE_BG["r"], 1.0 / TRUE_BG["alpha"], customers)  # purchases a day
    drop = rng.beta(TRUE_BG["a"], TRUE_BG["b"], customers)
    nu = rng.gamma(TRUE_GG["q"], 1.0 / TRUE_GG["gamma"], customers)

    who, when = [np.arange(customers)], [first.astype(float)]
    clock = first.astype(float)
    active = np.arange(customers)
    while active.size:
        clock[active] += rng.exponential(1.0 / lam[active])
        active = active[clock[active] < HISTORY_DAYS]
        who.append(active)
        when.append(clock[active].copy())
        active = active[rng.random(active.size) >= drop[active]]
    cid = np.concatenate(who)
    day = np.floor(np.concatenate(when)).astype(np.int64)
    value = rng.gamma(TRUE_GG["p"], 1.0 / nu[cid])

    # some purchases arrive as two orders on the same day, the value split between them
    split = rng.random(cid.size) < SPLIT_SHARE
    share = rng.uniform(0.2, 0.8, int(split.sum()))
    cid = np.concatenate([cid, cid[split]])
    day = np.concatenate([day, day[split]])
    amount = np.concatenate([value, value[split] * (1 - share)])
    amount[: split.size][split] *= share
    hours = rng.integers(9, 21, cid.size).astype("timedelta64[h]")
    frame = pd.DataFrame(
        {
            "customer_id": cid + 1,
            "ordered_at": START + day.astype("timedelta64[D]") + hours,
            "amount": np.round(amount, 2),
        }
    )
    return frame.sort_values(["ordered_at", "customer_id"], kind="stable")


def write_orders(customers: int, seed: int, path: Path) -> dict:
    frame = simulate(customers, seed)
    frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    return {"customers": customers, "orders": len(frame)}


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def timed(steps: list[Step], name: str, rows: int, fn):
    t0 = time.perf_counter()
    result = fn()
    steps.append(Step(name, rows, time.perf_counter() - t0, peak_kib(), 0, "", ""))
    print(f"{name}: {steps[-1].wall:.2f} s", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time BG/NBD + Gamma-Gamma on simulated customers.")
    ap.add_argument("--customers", type=int, default=TARGET_CUSTOMERS, help="(100,000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.customers < 100:
        ap.error("--customers must be >= 100")

    path, counts = cached_dataset(
        f"clv-{args.customers}-seed{args.seed}",
        ".csv",
        f"orders of {args.customers:,} simulated customers",
        lambda tmp: write_orders(args.customers, args.seed, tmp),
    )
    orders = pd.read_csv(path, parse_dates=["ordered_at"])
    print(f"{len(orders):,} orders of {orders['customer_id'].nunique():,} customers")

    steps: list[Step] = []
    summary = timed(
        steps,
        "summarise",
        len(orders),
        lambda: clv.summarise(orders, calibration_end=CALIBRATION_END, unit="week"),
    )
    n, repeaters = len(summary), int((summary["frequency"] > 0).sum())
    bg = timed(steps, "fit_bgnbd", n, lambda: clv.fit_bgnbd(summary))
    gg = timed(steps, "fit_gamma_gamma", repeaters, lambda: clv.fit_gamma_gamma(summary))
    _, _, result = timed(
        steps,
        "predict (26 weeks, 10 %/yr)",
        n,
        lambda: clv.predict(summary, horizon=HOLDOUT_WEEKS, discount_rate=0.1, unit="week"),
    )

    week = 7.0
    print(
        f"BG/NBD ({n:,} customers, {repeaters:,} repeat buyers): "
        f"r {bg.r:.3f} (true {TRUE_BG['r']}), alpha {bg.alpha * week:.2f} days "
        f"(true {TRUE_BG['alpha']}), a {bg.a:.3f} (true {TRUE_BG['a']}), "
        f"b {bg.b:.3f} (true {TRUE_BG['b']}); log-likelihood {bg.log_likelihood:,.1f}"
    )
    print(
        f"Gamma-Gamma ({gg.customers:,} repeat buyers): p {gg.p:.3f} (true {TRUE_GG['p']}), "
        f"q {gg.q:.3f} (true {TRUE_GG['q']}), gamma {gg.gamma:.1f} (true {TRUE_GG['gamma']})"
    )
    # The holdout: purchase days after the calibration end, of the calibrated customers.
    after = orders[orders["ordered_at"] >= pd.Timestamp(CALIBRATION_END) + pd.Timedelta(days=1)]
    after = after[after["customer_id"].isin(summary.index)]
    actual = after.assign(day=after["ordered_at"].dt.normalize()).drop_duplicates(
        ["customer_id", "day"]
    )
    print(
        f"holdout 2025-07-01 .. 2025-12-31: predicted {result['expected_purchases'].sum():,.0f} "
        f"purchases, actual {len(actual):,}; mean P(alive) {result['p_alive'].mean():.3f}; "
        f"total CLV {result['clv'].sum():,.0f} at 10 %/yr"
    )

    cli_path = steps[0].wall + steps[3].wall
    print(f"summarise + predict: {cli_path:.2f} s")
    if args.customers == TARGET_CUSTOMERS:
        verdict = "met" if cli_path <= TARGET_SECONDS else "NOT met"
        what = f"summarise + predict of {TARGET_CUSTOMERS:,} customers in <= {TARGET_SECONDS:g} s"
        print(f"target ({what}): {verdict}")
    about = f", {counts['orders']:,} orders, {args.customers:,} customers, seed {args.seed}"
    print_report(path, about, steps, "rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
