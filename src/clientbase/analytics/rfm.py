"""RFM: recency, frequency and monetary scores of the customers and their named segments.

Pure functions: a frame of orders in (``services.analytics.load_orders``: customer_id,
ordered_at, amount, margin, order_key), plain results out. The rules:

Measures (per customer, over the orders dated on or before ``as_of``)
    ``recency_days`` = days from the customer's last order date to ``as_of`` (0 = bought that
    day); ``frequency`` = distinct ``order_key`` (the lines of one order count once);
    ``monetary`` = sum of ``amount`` (an empty amount adds nothing). Customers with no order up to
    ``as_of`` are not scored.

Quintile scores (``scores="quintile"``, the default)
    Each measure is ranked with ``rank(method="first")``, customers taken in ``customer_id``
    order, so equal values get consecutive ranks (the lower id the lower rank) and every score
    holds a fifth of the customers: score = (rank - 1) x 5 // n + 1. Recency is ranked in
    reverse: the most recent buyers get R = 5. The price of even fifths is that equal values can
    straddle a boundary: in a base where most people bought once, some one-time buyers get F = 1
    and others F = 2 or 3, by id. With fewer than ``SMALL_BASE`` customers the fifths mean
    little (eight customers each in a base of forty); the result carries a note suggesting fixed
    thresholds.

Fixed scores (``scores="fixed"``, ``thresholds={"r": [...], "f": [...], "m": [...]}``)
    Four increasing cut-offs per measure. Recency: days <= r[0] -> 5, <= r[1] -> 4, <= r[2] -> 3,
    <= r[3] -> 2, else 1. Frequency and monetary: the cut-offs are the lowest values of scores
    2..5, so value < f[0] -> 1, < f[1] -> 2, < f[2] -> 3, < f[3] -> 4, else 5. A missing "r" or
    "f" takes ``DEFAULT_THRESHOLDS`` (R: 30 / 90 / 180 / 365 days; F: 2 / 3 / 5 / 8 orders); a
    missing "m" is scored by quintiles (money has no currency-free default), which the notes
    say. M never decides a segment, only the order within it.

Segments (``SEGMENT_RULES``, on the (R, F) pair)
    The rules are tried in their listed order and the first that holds names the segment.
    The ten rules of the common map partition the 25 (R, F) pairs: every pair matches exactly
    one rule, so there are no leftover pairs and the order decides nothing today; it is fixed
    anyway (best customers first) so that a rule added later has a defined place. The module
    checks the coverage when it is imported.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from clientbase.analytics.ltv import customer_totals, prepare_orders, to_day
from clientbase.errors import UsageError

SCORES = ("quintile", "fixed")
SMALL_BASE = 50

# (segment, (lowest R, highest R), (lowest F, highest F)), tried in this order.
SEGMENT_RULES: list[tuple[str, tuple[int, int], tuple[int, int]]] = [
    ("Champions", (5, 5), (4, 5)),
    ("Loyal", (3, 4), (4, 5)),
    ("Potential loyalists", (4, 5), (2, 3)),
    ("New", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Need attention", (3, 3), (3, 3)),
    ("About to sleep", (3, 3), (1, 2)),
    ("At risk", (1, 2), (3, 4)),
    ("Can't lose them", (1, 2), (5, 5)),
    ("Hibernating", (1, 2), (1, 2)),
]
SEGMENTS: tuple[str, ...] = tuple(name for name, _, _ in SEGMENT_RULES)

DEFAULT_THRESHOLDS: dict[str, tuple[float, ...]] = {
    "r": (30, 90, 180, 365),  # days since the last order
    "f": (2, 3, 5, 8),  # orders
}
COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment")


def _lookup() -> np.ndarray:
    """The 5 x 5 table (R - 1, F - 1) -> index into SEGMENTS, first matching rule winning."""
    table = np.full((5, 5), -1, dtype=np.int8)
    for r in range(1, 6):
        for f in range(1, 6):
            for i, (_, (r_lo, r_hi), (f_lo, f_hi)) in enumerate(SEGMENT_RULES):
                if r_lo <= r <= r_hi and f_lo <= f <= f_hi:
                    table[r - 1, f - 1] = i
                    break
    missing = [(r + 1, f + 1) for r, f in zip(*np.nonzero(table < 0), strict=True)]
    if missing:  # a broken edit of SEGMENT_RULES must not ship: fail at import, loudly
        raise RuntimeError(f"SEGMENT_RULES leave the (R, F) pairs {missing} without a segment")
    return table


_SEGMENT_OF = _lookup()


def segment_for(r: int, f: int) -> str:
    """The named segment of an (R, F) pair of scores 1..5."""
    if not (1 <= r <= 5 and 1 <= f <= 5):
        raise ValueError(f"RFM scores run from 1 to 5, got R={r}, F={f}")
    return SEGMENTS[_SEGMENT_OF[r - 1, f - 1]]


def score_rfm(
    frame: pd.DataFrame,
    *,
    as_of=None,
    scores: str = "quintile",
    thresholds: dict | None = None,
) -> pd.DataFrame:
    """Scores and segment per customer (``COLUMNS``), in ``customer_id`` order.

    ``as_of`` (a date; None = the last order's date) is the day recency counts to; later orders
    are left out, so a past date gives the picture as it was then. Notes for the reader (a small
    base, a measure scored by quintiles despite "fixed") are in ``result.attrs["notes"]``.
    """
    if scores not in SCORES:
        raise UsageError(f"scores must be one of {', '.join(SCORES)}, got {scores!r}")
    if thresholds is not None and scores != "fixed":
        raise UsageError("thresholds apply to fixed scores", hint="use --scores fixed")
    cuts = check_thresholds(thresholds or {}) if scores == "fixed" else {}
    orders = prepare_orders(frame, until=as_of)
    day = to_day(as_of) if as_of is not None else None
    if day is None and len(orders):
        day = orders["ordered_at"].max().normalize()
    totals = customer_totals(orders)
    n = len(totals)
    last_day = totals["last"].to_numpy().astype("datetime64[D]")
    recency = (np.datetime64(day, "D") - last_day).astype(np.int64) if n else np.zeros(0, np.int64)
    out = pd.DataFrame(
        {
            "customer_id": totals.index.to_numpy(np.int64),
            "recency_days": recency,
            "frequency": totals["orders"].to_numpy(np.int64),
            "monetary": totals["revenue"].to_numpy(float),
        }
    )
    notes: list[str] = []
    if scores == "quintile":
        out["r"] = _quintiles(-out["recency_days"])
        out["f"] = _quintiles(out["frequency"])
        out["m"] = _quintiles(out["monetary"])
        if 0 < n < SMALL_BASE:
            notes.append(
                f"only {n} customers: quintiles split them into fifths of {n / 5:.0f} by rank, "
                "so equal customers can get different scores; --scores fixed (with --thresholds "
                "for your base) scores by set cut-offs instead"
            )
    else:
        out["r"] = 5 - np.searchsorted(cuts["r"], out["recency_days"].to_numpy(), side="left")
        out["f"] = 1 + np.searchsorted(cuts["f"], out["frequency"].to_numpy(), side="right")
        if "m" in cuts:
            out["m"] = 1 + np.searchsorted(cuts["m"], out["monetary"].to_numpy(), side="right")
        else:
            out["m"] = _quintiles(out["monetary"])
            notes.append("no monetary thresholds given: M is scored by quintiles")
    for col in ("r", "f", "m"):
        out[col] = out[col].astype(np.int64)
    if n:
        codes = _SEGMENT_OF[out["r"].to_numpy() - 1, out["f"].to_numpy() - 1]
        out["segment"] = np.asarray(SEGMENTS, dtype=object)[codes]
    else:
        out["segment"] = pd.Series([], dtype=object)
    out.attrs["as_of"] = day.date() if day is not None else None
    out.attrs["scores"] = scores
    out.attrs["thresholds"] = {k: list(v) for k, v in cuts.items()}
    out.attrs["notes"] = notes
    return out


def summarise_segments(scored: pd.DataFrame) -> dict[str, dict]:
    """Segment -> {"customers": n, "revenue": sum of monetary}, every segment in SEGMENTS
    order (an empty one too, so that sizes over time line up)."""
    grouped = scored.groupby("segment", sort=False)["monetary"].agg(["size", "sum"])
    out = {}
    for name in SEGMENTS:
        if name in grouped.index:
            row = grouped.loc[name]
            out[name] = {"customers": int(row["size"]), "revenue": round(float(row["sum"]), 2)}
        else:
            out[name] = {"customers": 0, "revenue": 0.0}
    return out


def check_thresholds(thresholds: dict) -> dict[str, np.ndarray]:
    """Validated cut-offs with the defaults filled in (r and f; m stays absent if not given)."""
    if not isinstance(thresholds, dict):
        raise UsageError("thresholds: a table with the keys r, f and m", hint=_EXAMPLE)
    unknown = sorted(set(thresholds) - {"r", "f", "m"})
    if unknown:
        raise UsageError(f"thresholds: unknown key(s) {', '.join(unknown)}", hint=_EXAMPLE)
    out = {}
    for key in ("r", "f", "m"):
        value = thresholds.get(key, DEFAULT_THRESHOLDS.get(key))
        if value is None:
            continue
        try:
            cuts = [float(v) for v in value]
        except (TypeError, ValueError):
            raise UsageError(
                f"thresholds {key}: four numbers, got {value!r}", hint=_EXAMPLE
            ) from None
        if len(cuts) != 4 or any(b <= a for a, b in pairwise(cuts)):
            raise UsageError(
                f"thresholds {key}: four increasing numbers, got {value!r}", hint=_EXAMPLE
            )
        out[key] = np.asarray(cuts)
    return out


_EXAMPLE = 'e.g. {"r": [30, 90, 180, 365], "f": [2, 3, 5, 8], "m": [5000, 15000, 40000, 100000]}'


def _quintiles(values: pd.Series) -> np.ndarray:
    n = len(values)
    if n == 0:
        return np.zeros(0, np.int64)
    ranks = values.rank(method="first").to_numpy(np.int64)
    return (ranks - 1) * 5 // n + 1
