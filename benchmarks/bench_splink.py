#!/usr/bin/env python3
"""clientbase's matcher and splink (DuckDB backend) side by side on the same labelled lists.

    python benchmarks/bench_splink.py                      # every list, 20,000 generated rows
    python benchmarks/bench_splink.py --lang ru --rows 100000

splink is not a dependency of clientbase: the first run makes a virtual environment of its own
(``/tmp/clientbase-bench/splink-venv``, or ``--venv``) with ``pip install splink`` and this
checkout, and runs itself again inside it.

Both engines start from the same records: each list is imported into a fresh database with
``clientbase import`` (which folds exact phone and e-mail repeats, as it does for every user),
and the customers it created are loaded with :func:`clientbase.dedupe.store.load_people`, the
way `clientbase dedupe` sees them. Then

- **clientbase**: :func:`clientbase.dedupe.cluster.match` (the model learned on the list) and
  :func:`clientbase.dedupe.cluster.clusters` at the default threshold: the groups `dedupe --yes`
  merges;
- **splink**: the customers as one table of cleaned columns (surname and first name in the
  common Latin form, so Cyrillic and Latin spellings meet, birthday as ISO text, the first phone
  in E.164 or the digits of a number that did not validate, the e-mail key, city, postcode,
  address and company as the matcher normalises them), the usual splink recipe: name, date of
  birth, e-mail and postcode comparisons from its library with term frequencies on the names,
  exact phone and client code, Jaro-Winkler on city, address and company; λ from deterministic
  rules, u from random pairs, m by EM on two blocking rules; predictions over the same kinds of
  blocks our keys use; connected components at the same match probability.

P / R / F1 are pairwise over the rows of the file (a row's identity is the group its customer
ends in), as in ``bench_dedupe.py``; time is the engine's own (wall and CPU), loading excluded.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

SETS = ("ru", "en", "org", "febrl1", "febrl2", "febrl3", "febrl4", "rldata", "restaurants")
DEFAULT_VENV = Path("/tmp/clientbase-bench/splink-venv")


def ensure_splink(venv: Path) -> None:
    """Re-run this script inside a virtual environment that has splink, made if missing."""
    try:
        import splink  # noqa: F401

        return
    except ImportError:
        pass
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"making {venv} with splink (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "splink"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(ROOT)], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def load(lang: str, rows: int, seed: int):
    """Import the list into a fresh database; (people, row -> customer, row -> true person)."""
    import bench_dedupe
    import generate_dedupe
    from bench_import import WORKDIR, clientbase_cmd, remove_db

    from clientbase.db.engine import make_engine
    from clientbase.dedupe.store import load_people

    path, truth_path, _ = bench_dedupe.dataset(rows, lang, seed)
    db = WORKDIR / f"splink-{lang}.db"
    remove_db(db)
    region = ["--region", bench_dedupe.REGION[lang]] if lang in bench_dedupe.REGION else []
    cmd = [*clientbase_cmd(), "--db", str(db), "-q", "import", str(path), "--no-dedupe", *region]
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    row_customer = dict(
        con.execute("SELECT row_number, customer_id FROM import_rows WHERE customer_id IS NOT NULL")
    )
    con.close()
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        people = load_people(conn)
    engine.dispose()
    remove_db(db)
    return people, row_customer, generate_dedupe.read_truth(truth_path)


def scores(group_of: dict[int, int], row_customer: dict[int, int], truth: dict[int, int]):
    """Pairwise P / R / F1 of rows: predicted together when their customers share a group."""
    rows = [r for r in row_customer if r in truth]
    pred = {r: group_of.get(row_customer[r], -row_customer[r]) for r in rows}

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    tp = pairs(Counter((pred[r], truth[r]) for r in rows))
    predicted = pairs(Counter(pred.values()))
    true = pairs(Counter(truth[r] for r in rows))
    p = tp / predicted if predicted else 1.0
    r = tp / true if true else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ours(people) -> tuple[dict[int, int], float, float]:
    from clientbase.dedupe.cluster import clusters, match
    from clientbase.dedupe.model import AUTO_PROBABILITY, REVIEW_PROBABILITY

    t0, c0 = time.perf_counter(), time.process_time()
    found = match(people, min_score=REVIEW_PROBABILITY)
    by_id = {p.id: p for p in people}
    groups = clusters(
        found.matches,
        by_id,
        min_score=AUTO_PROBABILITY,
        conflict=found.conflict,
        features_by_id=found.features,
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {i: g.ids[0] for g in groups for i in g.ids}, wall, cpu


def table(people):
    """The customers as splink's input: one row each, cleaned the way our matcher cleans."""
    import pandas as pd

    from clientbase.dedupe.keys import features

    recs = []
    for p in people:
        f = features(p)
        bday = f"{f.by:04d}-{f.bm:02d}-{f.bd:02d}" if f.by and f.bm and f.bd else None
        phone = (f.phones or f.loose_phones or (None,))[0]
        recs.append(
            {
                "unique_id": p.id,
                "surname": f.last or None,
                "first_name": (f.first.key if f.first is not None else "") or None,
                "middle": f.middle or None,
                "dob": bday,
                "phone": phone.lstrip("+") if phone else None,
                "email": (f.emails or (None,))[0],
                "city": f.city or None,
                "postcode": f.postcode or None,
                "address": f.address or None,
                "company": f.company_core or None,
                "client_code": f.external_id or None,
            }
        )
    return pd.DataFrame.from_records(recs)


def splink_run(people) -> tuple[dict[int, int], float, float]:
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from clientbase.dedupe.model import AUTO_PROBABILITY

    df = table(people)
    t0, c0 = time.perf_counter(), time.process_time()
    db_api = DuckDBAPI()
    present = [c for c in df.columns if c != "unique_id" and df[c].notna().any()]
    comparisons = []
    library = {
        "surname": lambda: cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        "first_name": lambda: cl.NameComparison("first_name").configure(
            term_frequency_adjustments=True
        ),
        "middle": lambda: cl.JaroWinklerAtThresholds("middle", [0.9]),
        "dob": lambda: cl.DateOfBirthComparison("dob", input_is_string=True),
        "phone": lambda: cl.ExactMatch("phone"),
        "email": lambda: cl.EmailComparison("email"),
        "city": lambda: cl.JaroWinklerAtThresholds("city", [0.9]),
        "postcode": lambda: cl.ExactMatch("postcode"),
        "address": lambda: cl.JaroWinklerAtThresholds("address", [0.95, 0.85]),
        "company": lambda: cl.JaroWinklerAtThresholds("company", [0.95, 0.85]),
        "client_code": lambda: cl.ExactMatch("client_code"),
    }
    comparisons = [library[c]() for c in present]
    rules = [
        r
        for cols, r in (
            (("phone",), block_on("phone")),
            (("email",), block_on("email")),
            (("client_code",), block_on("client_code")),
            (("surname", "first_name"), block_on("surname", "first_name")),
            (("surname", "dob"), block_on("surname", "dob")),
            (("first_name", "dob"), block_on("first_name", "dob")),
            (("address",), block_on("address")),
            (("company",), block_on("company")),
            (("postcode", "surname"), block_on("postcode", "surname")),
        )
        if all(c in present for c in cols)
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register(df), settings, log_level=logging.WARNING)
    deterministic = [r for r in rules[:3]] or rules[:1]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for cols in (("surname", "first_name"), ("dob",), ("phone",), ("email",), ("company",)):
        if all(c in present for c in cols):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(block_on(*cols))
            except Exception as exc:  # a session with too few pairs: the others still train
                print(f"  splink EM on {cols}: {exc}", file=sys.stderr)
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=AUTO_PROBABILITY
    ).as_pandas_dataframe()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    group_of = dict(
        zip(clusters["unique_id"].tolist(), clusters["cluster_id"].tolist(), strict=True)
    )
    # Singletons are their own cluster: keep only groups of two or more.
    sizes = Counter(group_of.values())
    return {i: hash(g) for i, g in group_of.items() if sizes[g] > 1}, wall, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="clientbase's dedupe and splink side by side.")
    ap.add_argument("--rows", type=int, default=20_000, help="rows of generated lists (20,000)")
    ap.add_argument("--lang", default="all", help=f"comma-separated out of {', '.join(SETS)}")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="where splink is installed")
    args = ap.parse_args(argv)
    ensure_splink(args.venv)
    import splink

    langs = SETS if args.lang == "all" else tuple(x.strip() for x in args.lang.split(","))
    lines = []
    for lang in langs:
        people, row_customer, truth = load(lang, args.rows, args.seed)
        print(f"{lang}: {len(row_customer):,} rows, {len(people):,} customers", file=sys.stderr)
        for name, run in (("clientbase", ours), (f"splink {splink.__version__}", splink_run)):
            group_of, wall, cpu = run(people)
            p, r, f1 = scores(group_of, row_customer, truth)
            lines.append(
                f"| {lang} | {len(row_customer):,} | {name} | {p:.4f} | {r:.4f} | {f1:.4f} | "
                f"{wall:.1f} | {cpu:.1f} |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    print()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| list | rows | engine | precision | recall | F1 | wall s | CPU s |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
