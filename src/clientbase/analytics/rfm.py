"""RFM: recency, frequency and monetary scores of the customers and their named segments.

Pure functions: a frame of orders in (``services.analytics.load_orders``: customer_id,
ordered_at, amount, margin, order_key), plain results out. The rules:

Measures (per customer, over the orders dated on or before ``as_of``)
    ``recency_days`` = days from the customer's last order date to ``as_of`` (0 = bought that
    day); ``frequency`` = distinct ``order_key`` (the lines of one order count once);
    ``monetary`` = sum of ``amount`` (an empty amount adds nothing; returns subtract, see
    ``analytics.returns``). Customers with no order up to ``as_of`` are not scored, nor are
    customers whose returns take back all they bought (monetary <= 0): a net refund is not a
    best customer, whatever R and F say.

Quintile scores (``scores="quintile"``, the default)
    Each measure is cut at its 20/40/60/80 % quantiles (linear interpolation between the
    customers' values), and a score is a function of the value alone, so equal values always
    get equal scores: frequency and monetary score 1 + the number of cut-offs strictly below
    the value; recency scores 5 - the number of cut-offs strictly below the days. The smallest
    value of a measure is therefore always scored 1 (R: the most recent day always 5): a
    customer with one order has F = 1, however many such customers there are, and customers
    who last bought on the same day share their R. The price is uneven fifths where many
    customers share a value: in a base where 60 % bought once, F = 1 holds 60 % and F jumps to
    4 for two orders. With fewer than ``SMALL_BASE`` customers the fifths mean little (eight
    customers each in a base of forty); the result carries a note suggesting fixed thresholds.

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
from clientbase.i18n import N_, _, ngettext

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
            for i, (_name, (r_lo, r_hi), (f_lo, f_hi)) in enumerate(SEGMENT_RULES):
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
        raise UsageError(
            _("scores must be one of {choices}, got {scores!r}").format(
                choices=", ".join(SCORES), scores=scores
            )
        )
    if thresholds is not None and scores != "fixed":
        raise UsageError(_("thresholds apply to fixed scores"), hint=_("use --scores fixed"))
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
    refunded = out["monetary"].to_numpy() <= 0
    if refunded.any():
        refunds = int(refunded.sum())
        notes.append(
            ngettext(
                "{n} customer(s) not scored: their returns take back all they bought "
                "(net revenue <= 0)",
                "{n} customer(s) not scored: their returns take back all they bought "
                "(net revenue <= 0)",
                refunds,
            ).format(n=refunds)
        )
        out = out[~refunded].reset_index(drop=True)
        n = len(out)
    if scores == "quintile":
        out["r"] = 6 - _quintiles(out["recency_days"])
        out["f"] = _quintiles(out["frequency"])
        out["m"] = _quintiles(out["monetary"])
        if 0 < n < SMALL_BASE:
            notes.append(
                ngettext(
                    "only {n} customers: their quintiles are fifths of about {fifth:.0f}, too "
                    "few to mean much; --scores fixed (with --thresholds for your base) scores by "
                    "set cut-offs instead",
                    "only {n} customers: their quintiles are fifths of about {fifth:.0f}, too "
                    "few to mean much; --scores fixed (with --thresholds for your base) scores by "
                    "set cut-offs instead",
                    n,
                ).format(n=n, fifth=n / 5)
            )
    else:
        out["r"] = 5 - np.searchsorted(cuts["r"], out["recency_days"].to_numpy(), side="left")
        out["f"] = 1 + np.searchsorted(cuts["f"], out["frequency"].to_numpy(), side="right")
        if "m" in cuts:
            out["m"] = 1 + np.searchsorted(cuts["m"], out["monetary"].to_numpy(), side="right")
        else:
            out["m"] = _quintiles(out["monetary"])
            notes.append(_("no monetary thresholds given: M is scored by quintiles"))
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
        raise UsageError(_("thresholds: a table with the keys r, f and m"), hint=_(_EXAMPLE))
    unknown = sorted(set(thresholds) - {"r", "f", "m"})
    if unknown:
        raise UsageError(
            _("thresholds: unknown key(s) {unknown}").format(unknown=", ".join(unknown)),
            hint=_(_EXAMPLE),
        )
    out = {}
    for key in ("r", "f", "m"):
        value = thresholds.get(key, DEFAULT_THRESHOLDS.get(key))
        if value is None:
            continue
        try:
            cuts = [float(v) for v in value]
        except (TypeError, ValueError):
            raise UsageError(
                _("thresholds {key}: four numbers, got {value!r}").format(key=key, value=value),
                hint=_(_EXAMPLE),
            ) from None
        if len(cuts) != 4 or any(b <= a for a, b in pairwise(cuts)):
            raise UsageError(
                _("thresholds {key}: four increasing numbers, got {value!r}").format(
                    key=key, value=value
                ),
                hint=_(_EXAMPLE),
            )
        out[key] = np.asarray(cuts)
    return out


_EXAMPLE = N_(
    'e.g. {"r": [30, 90, 180, 365], "f": [2, 3, 5, 8], "m": [5000, 15000, 40000, 100000]}'
)


def _quintiles(values: pd.Series) -> np.ndarray:
    """1 + the number of the 20/40/60/80 % quantiles strictly below each value: equal values,
    equal scores; the smallest value always 1."""
    v = values.to_numpy(float)
    if len(v) == 0:
        return np.zeros(0, np.int64)
    cuts = np.quantile(v, [0.2, 0.4, 0.6, 0.8])
    return 1 + np.searchsorted(cuts, v, side="left").astype(np.int64)
