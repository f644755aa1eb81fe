#!/usr/bin/env python3
"""Generate invoice lines in the shape of the best-known public retail dataset, for benchmarks.

    python benchmarks/generate_sales.py 400000 /tmp/sales.csv --customers 4000 --seed 1

The columns are ``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,
Country``, comma-separated UTF-8 with LF line ends, sorted by time, as that dataset is usually
passed around as CSV:

* **Customers** are known by a five-digit code alone (12346 … ), nothing else: no name, phone
  or email anywhere. How often a customer buys is skewed (Zipf-like): a few wholesalers place
  hundreds of invoices, a third of the customers one.
* **Invoices** run over 2010-12-01 .. 2011-12-09 on working days, 08:00-20:00, with more in the
  autumn; about 20 lines each (1-60), adjacent, sharing the number, time and customer. Dates
  are written month first without leading zeros (``12/1/2010 8:26``).
* **Cancellations**: about 2 % of the lines belong to invoices numbered ``C`` + a number, with
  negative quantities, each taking back lines of an earlier invoice of the same customer.
* **Products**: 3,000 stock codes with a description and a price; quantities 1-24 (a few
  wholesale lines up to 480), prices as the shop writes them (``2.55``, ``0.85``).

Every line has a customer, a date and a price, so a correct import of a fresh database gives
``rows_read = lines``, ``rejected = 0``, ``created = invoices``, ``duplicates = lines -
invoices``, ``returns = cancellation invoices`` and ``customers_created = customers`` (those that
appear). The generator prints these counts as JSON and ``write_csv`` returns them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
COUNTRIES = ["United Kingdom"] * 18 + ["Germany", "France", "EIRE", "Spain", "Netherlands"]
WORDS = (
    "WHITE RED BLUE PINK VINTAGE RETROSPOT REGENCY HANGING HEART LANTERN CANDLE HOLDER "
    "TEA SET CAKE STAND MUG JAR BAG BOX CARD WRAP BUNTING CUSHION COVER CLOCK SIGN PARTY "
    "CHRISTMAS GLASS METAL WOODEN CERAMIC PAPER JUMBO LUNCH DOTS STAR BIRD FLOWER GARDEN"
).split()


def _products(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    out, seen = [], set()
    while len(out) < n:
        code = str(rng.randint(10002, 90214)) + rng.choice(["", "", "", "A", "B", "C"])
        if code in seen:
            continue
        seen.add(code)
        desc = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
        price = rng.choice([0.42, 0.55, 0.65, 0.85, 1.25, 1.45, 1.65, 2.10, 2.55, 2.95, 3.75,
                            4.25, 4.95, 5.95, 7.95, 8.50, 12.75, 14.95])  # fmt: skip
        out.append((code, desc, f"{price:.2f}"))
    return out


def _times(rng: random.Random, n: int) -> list[datetime]:
    """n invoice times over the year, working days, busier in the autumn, sorted."""
    start = datetime(2010, 12, 1)
    days = [start + timedelta(days=d) for d in range(374)]
    days = [d for d in days if d.weekday() != 5]  # no Saturdays, as in the real data
    weights = [1.0 + (0.8 if d.month in (9, 10, 11) else 0.0) for d in days]
    chosen = rng.choices(days, weights, k=n)
    out = [d + timedelta(minutes=rng.randint(8 * 60, 20 * 60 - 1)) for d in chosen]
    out.sort()
    return out


def _stamp(t: datetime) -> str:
    return f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}"


def write_csv(lines: int, path: Path, *, customers: int = 4000, seed: int = 1) -> dict:
    rng = random.Random(seed)
    products = _products(rng, 3000)
    codes = rng.sample(range(12346, 18288), min(customers, 18288 - 12346))
    countries = {c: rng.choice(COUNTRIES) for c in codes}
    # Zipf-like weights: the k-th customer buys ~1/k^0.9 as often as the first.
    weights = [1 / (k + 1) ** 0.9 for k in range(len(codes))]
    avg_lines = 20
    invoices = max(1, lines // avg_lines)
    # every customer at least once, the rest by weight
    buyers = codes + rng.choices(codes, weights, k=max(0, invoices - len(codes)))
    rng.shuffle(buyers)
    times = _times(rng, len(buyers))
    bought: dict[int, list[tuple[str, str, str, int]]] = {}
    written = inv_count = returns = 0
    number = 536365
    seen_customers: set[int] = set()
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for i, (cust, t) in enumerate(zip(buyers, times, strict=True)):
            left = lines - written
            if left <= 0:
                break
            remaining_invoices = len(buyers) - i
            stamp = _stamp(t)
            country = countries[cust]
            # ~2 % of the lines: a cancellation of part of an earlier invoice of this customer.
            past = bought.get(cust)
            if past and rng.random() < 0.09 and left > remaining_invoices:
                take = rng.sample(past, min(len(past), rng.randint(1, 10), left))
                out = []
                for code, desc, price, qty in take:
                    out.append(f"C{number},{code},{desc},-{rng.randint(1, qty)},{stamp},{price},"
                               f"{cust},{country}\n")  # fmt: skip
                f.write("".join(out))
                written += len(out)
                returns += 1
                inv_count += 1
                number += 1
                seen_customers.add(cust)
                continue
            n = max(1, min(60, int(rng.expovariate(1 / avg_lines)) + 1))
            if i == len(buyers) - 1:
                n = left  # the last invoice takes what is left, so the file has `lines` lines
            n = min(n, left - (remaining_invoices - 1)) if remaining_invoices > 1 else n
            n = max(1, n)
            out = []
            mine = past if past is not None else bought.setdefault(cust, [])
            for _ in range(n):
                code, desc, price = rng.choice(products)
                qty = rng.randint(1, 24) if rng.random() > 0.01 else rng.randint(100, 480)
                out.append(f"{number},{code},{desc},{qty},{stamp},{price},{cust},{country}\n")
                if len(mine) < 200:
                    mine.append((code, desc, price, qty))
            f.write("".join(out))
            written += n
            inv_count += 1
            number += 1
            seen_customers.add(cust)
    return {"lines": written, "orders": inv_count, "returns": returns,
            "customers": len(seen_customers)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lines", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--customers", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    counts = write_csv(args.lines, args.out, customers=args.customers, seed=args.seed)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
