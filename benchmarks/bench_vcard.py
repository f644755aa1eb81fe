#!/usr/bin/env python3
"""Time ``clientbase import`` on a large generated phone address book (.vcf).

    python benchmarks/bench_vcard.py                  # 50,000 cards
    python benchmarks/bench_vcard.py --cards 200000 --keep

Steps:

1. Generate the .vcf with ``generate_vcards.py`` (Android 2.1 quoted-printable cards, iPhone 3.0
   cards, photos, ~3 % repeated people). It is cached in ``/tmp/clientbase-bench/`` by card
   count, seed and dup rate, so a second run skips this.
2. Delete ``/tmp/clientbase-bench/vcard.db`` and import the file into it with
   ``python -m clientbase --db … -q import FILE --format json`` in a child process.

Wall time is measured around the child; its peak RSS is ``ru_maxrss`` from ``os.wait4`` (see
``bench_import.py``). The target is 50,000 cards in at most 10 s on a 2-core machine. Exit code 3
from the import is accepted (a file with rejected cards); any other failure stops the script.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_vcards  # noqa: E402  (sibling scripts, not a package)
from bench_import import (  # noqa: E402
    EXIT_OK,
    EXIT_REJECTED,
    WORKDIR,
    Step,
    cached_dataset,
    clientbase_cmd,
    compact,
    print_report,
    remove_db,
    run_step,
)

TARGET_CARDS, TARGET_SECONDS = 50_000, 10.0


def dataset(cards: int, seed: int, dup_rate: float) -> tuple[Path, dict]:
    return cached_dataset(
        f"vcards-{cards}-seed{seed}-dup{dup_rate:g}",
        ".vcf",
        f"{cards:,} cards",
        lambda tmp: generate_vcards.write_vcf(cards, tmp, seed=seed, dup_rate=dup_rate),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time `clientbase import` on a generated .vcf.")
    ap.add_argument("--cards", type=int, default=TARGET_CARDS, help="cards to generate (50,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.03)
    ap.add_argument(
        "--keep", action="store_true", help=f"keep the database ({WORKDIR}/vcard.db) afterwards"
    )
    ap.add_argument("--full-json", action="store_true", help="print the JSON summary uncut")
    ap.add_argument("--timeout", type=float, default=None, help="seconds for the import (none)")
    args = ap.parse_args(argv)
    if args.cards < 1:
        ap.error("--cards must be >= 1")

    path, expected = dataset(args.cards, args.seed, args.dup_rate)
    db = WORKDIR / "vcard.db"
    remove_db(db)
    try:
        step: Step = run_step(
            "import .vcf",
            [*clientbase_cmd(), "--db", str(db), "-q", "import", str(path), "--format", "json"],
            args.cards,
            args.timeout,
        )
    finally:
        if not args.keep:
            remove_db(db)
    if step.exit_code not in (EXIT_OK, EXIT_REJECTED):
        print(f"bench_vcard: import failed with exit code {step.exit_code}", file=sys.stderr)
        if step.stderr.strip():
            print(step.stderr.rstrip(), file=sys.stderr)
        return 1

    print(
        f"import {args.cards:,} cards: {step.wall:.1f} s wall, {step.peak_mb:.0f} MB peak RSS, "
        f"{args.cards / step.wall:,.0f} cards/s, exit {step.exit_code}"
    )
    try:
        summary = json.loads(step.stdout)
    except json.JSONDecodeError:
        summary = None
        print(f"import summary: (not JSON)\n{step.stdout.strip()[:2000]}")
    if isinstance(summary, dict):
        keys = ("rows_read", "created", "duplicates", "rejected")
        print("counts: " + ", ".join(f"{k} {summary.get(k, '?'):,}" for k in keys))
        if args.full_json:
            print(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            rejects = [r for f in summary.get("files", []) for r in f.get("rejects", [])]
            if rejects:
                print("rejected cards:")
                print(json.dumps(compact(rejects), ensure_ascii=False, indent=2))
        print(
            f"expected from the generator: {expected['persons']:,} created, "
            f"{expected['duplicates']:,} duplicates, 0 rejected"
        )
        for key, want in (("created", "persons"), ("duplicates", "duplicates")):
            if isinstance(summary.get(key), int) and summary[key] != expected[want]:
                print(f"  note: {key} = {summary[key]:,}, expected {expected[want]:,}")
    if args.cards == TARGET_CARDS:
        verdict = "met" if step.wall <= TARGET_SECONDS else "NOT met"
        print(f"target ({TARGET_CARDS:,} cards in <= {TARGET_SECONDS:g} s): {verdict}")

    about = (
        f", {expected['v30']:,} of the cards vCard 3.0, {expected['photos']:,} photos, "
        f"dup rate {args.dup_rate:g}, seed {args.seed}"
    )
    print_report(path, about, [step], "cards")
    if args.keep:
        print(f"\ndatabase kept: {db}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
