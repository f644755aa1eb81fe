"""RFM scores and segments on small hand-computed bases (the pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from clientbase.analytics.rfm import (
    COLUMNS,
    SEGMENT_RULES,
    SEGMENTS,
    score_rfm,
    segment_for,
    summarise_segments,
)
from clientbase.errors import UsageError

AS_OF = date(2025, 6, 30)
# customer -> (orders, days from the last order to AS_OF); every order is worth 100
BASE = {
    1: (1, 0),
    2: (1, 5),
    3: (1, 10),
    4: (1, 20),
    5: (2, 30),
    6: (2, 40),
    7: (3, 50),
    8: (4, 100),
    9: (5, 200),
    10: (8, 300),
}


def orders(base=BASE, as_of=AS_OF) -> pd.DataFrame:
    rows, key = [], 0
    for cid, (n, recency) in base.items():
        last = as_of - timedelta(days=recency)
        for j in range(n):
            key += 1
            rows.append((cid, last - timedelta(days=7 * j), 100.0, key))
    if 10 in base:  # a second line of customer 10's last order: more money, not another order
        last_key = next(r for r in rows if r[0] == 10)[3]
        rows.append((10, as_of - timedelta(days=base[10][1]), 50.0, last_key))
    # After AS_OF: left out.
    rows.append((1, as_of + timedelta(days=1), 999.0, 10_000))
    frame = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount", "order_key"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    frame["margin"] = frame["amount"] * 0.4
    return frame


def by_id(scored: pd.DataFrame) -> dict:
    return {int(r.customer_id): r for r in scored.itertuples(index=False)}


def test_rules_cover_every_pair_once():
    hits = {(r, f): [] for r in range(1, 6) for f in range(1, 6)}
    for name, (r_lo, r_hi), (f_lo, f_hi) in SEGMENT_RULES:
        for r in range(r_lo, r_hi + 1):
            for f in range(f_lo, f_hi + 1):
                hits[(r, f)].append(name)
    assert all(len(names) == 1 for names in hits.values())
    assert {names[0] for names in hits.values()} == set(SEGMENTS)
    assert [segment_for(r, f) for r, f in [(5, 5), (5, 4), (4, 4), (3, 5), (4, 2), (5, 3)]] == [
        "Champions", "Champions", "Loyal", "Loyal", "Potential loyalists", "Potential loyalists",
    ]  # fmt: skip
    assert [segment_for(r, f) for r, f in [(5, 1), (4, 1), (3, 3), (3, 2), (3, 1)]] == [
        "New", "Promising", "Need attention", "About to sleep", "About to sleep",
    ]  # fmt: skip
    assert [segment_for(r, f) for r, f in [(2, 4), (1, 3), (2, 5), (1, 5), (2, 2), (1, 1)]] == [
        "At risk", "At risk", "Can't lose them", "Can't lose them", "Hibernating", "Hibernating",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        segment_for(0, 3)
    with pytest.raises(ValueError):
        segment_for(3, 6)


def test_quintiles_by_hand():
    scored = score_rfm(orders(), as_of=AS_OF)
    assert list(scored.columns) == list(COLUMNS)
    assert scored["customer_id"].tolist() == list(range(1, 11))
    assert scored["recency_days"].tolist() == [0, 5, 10, 20, 30, 40, 50, 100, 200, 300]
    # Distinct orders: customer 10's two-line order counts once.
    assert scored["frequency"].tolist() == [1, 1, 1, 1, 2, 2, 3, 4, 5, 8]
    assert scored["monetary"].tolist() == [100, 100, 100, 100, 200, 200, 300, 400, 500, 850]
    # Cut at the 20/40/60/80 % quantiles; equal values, equal scores: the four one-order
    # customers all have F = 1 (and so 3 and 4, bought 10 and 20 days ago, are Promising).
    # Recency cuts 9, 26, 44, 120 days; frequency 1, 1.6, 2.4, 4.2.
    assert scored["r"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scored["f"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert scored["m"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert scored["segment"].tolist() == [
        "New", "New", "Promising", "Promising", "Need attention",
        "Need attention", "At risk", "At risk", "Can't lose them", "Can't lose them",
    ]  # fmt: skip
    assert scored.attrs["as_of"] == AS_OF and scored.attrs["scores"] == "quintile"
    assert "only 10 customers" in scored.attrs["notes"][0]


def test_quintiles_of_uneven_sizes_and_a_large_base():
    # Seven customers, 1..7 orders: cuts 2.2, 3.4, 4.6, 5.8 (no score left empty).
    base = {c: (c, 7 - c) for c in range(1, 8)}
    scored = score_rfm(orders(base), as_of=AS_OF)
    assert scored["f"].tolist() == [1, 1, 2, 3, 4, 5, 5]
    big = {c: (1 + c % 4, c) for c in range(1, 61)}
    scored = score_rfm(orders(big), as_of=AS_OF)
    assert scored.attrs["notes"] == []
    assert scored["r"].value_counts().sort_index().tolist() == [12] * 5


def test_fixed_thresholds_by_hand():
    cuts = {"r": [30, 90, 180, 365], "f": [2, 3, 5, 8], "m": [150, 250, 500, 800]}
    scored = score_rfm(orders(), as_of=AS_OF, scores="fixed", thresholds=cuts)
    # Recency <= 30 -> 5 (30 itself too), <= 90 -> 4, <= 180 -> 3, <= 365 -> 2.
    assert scored["r"].tolist() == [5, 5, 5, 5, 5, 4, 4, 3, 2, 2]
    # The cut-offs are the lowest value of scores 2..5: 2 orders -> 2, 8 -> 5.
    assert scored["f"].tolist() == [1, 1, 1, 1, 2, 2, 3, 3, 4, 5]
    assert scored["m"].tolist() == [1, 1, 1, 1, 2, 2, 3, 3, 4, 5]
    assert scored["segment"].tolist() == [
        "New", "New", "New", "New", "Potential loyalists", "Potential loyalists",
        "Potential loyalists", "Need attention", "At risk", "Can't lose them",
    ]  # fmt: skip
    assert scored.attrs["notes"] == []
    assert scored.attrs["thresholds"]["m"] == [150, 250, 500, 800]


def test_fixed_defaults_and_quintile_money():
    scored = score_rfm(orders(), as_of=AS_OF, scores="fixed")
    # Default R 30/90/180/365 and F 2/3/5/8; M by quintiles, which the notes say.
    assert scored["r"].tolist() == [5, 5, 5, 5, 5, 4, 4, 3, 2, 2]
    assert scored["f"].tolist() == [1, 1, 1, 1, 2, 2, 3, 3, 4, 5]
    assert scored["m"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert scored.attrs["notes"] == ["no monetary thresholds given: M is scored by quintiles"]


def test_as_of_in_the_past():
    scored = score_rfm(orders(), as_of=AS_OF - timedelta(days=100))
    # Customers whose every order is later are not scored; recency counts to the given day.
    assert scored["customer_id"].tolist() == [8, 9, 10]
    assert scored["recency_days"].tolist() == [0, 100, 200]
    assert scored["frequency"].tolist() == [4, 5, 8]


def test_default_as_of_is_the_last_order():
    scored = score_rfm(orders().query("customer_id != 1 or amount < 999"))
    assert scored.attrs["as_of"] == AS_OF and scored["recency_days"].min() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": "deciles"}, "scores must be one of"),
        ({"thresholds": {"r": [1, 2, 3, 4]}}, "thresholds apply to fixed scores"),
        ({"scores": "fixed", "thresholds": {"r": [30, 20, 180, 365]}}, "four increasing"),
        ({"scores": "fixed", "thresholds": {"f": [1, 2, 3]}}, "four increasing"),
        ({"scores": "fixed", "thresholds": {"f": ["a", 2, 3, 4]}}, "four numbers"),
        ({"scores": "fixed", "thresholds": {"x": [1, 2, 3, 4]}}, "unknown key(s) x"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score_rfm(orders(), as_of=AS_OF, **kwargs)


def test_summary_in_the_fixed_order():
    scored = score_rfm(orders(), as_of=AS_OF)
    summary = summarise_segments(scored)
    assert list(summary) == list(SEGMENTS)
    assert summary["New"] == {"customers": 2, "revenue": 200.0}
    assert summary["Can't lose them"] == {"customers": 2, "revenue": 1350.0}
    assert summary["Champions"] == {"customers": 0, "revenue": 0.0}
    assert sum(s["customers"] for s in summary.values()) == 10


def test_no_orders():
    empty = orders().iloc[0:0]
    scored = score_rfm(empty, as_of=AS_OF)
    assert scored.empty and list(scored.columns) == list(COLUMNS)
    assert all(s["customers"] == 0 for s in summarise_segments(scored).values())


def test_equal_values_get_equal_scores_whatever_the_ids():
    """A third of the customers bought once, recently: they are New, not Potential loyalists,
    and all who bought on one day share their R, whatever order their ids come in."""
    base = {c: (1 if c % 3 == 0 else 2 + c % 5, (c * 7) % 40) for c in range(1, 91)}
    scored = score_rfm(orders(base), as_of=AS_OF)
    assert set(scored.loc[scored["frequency"] == 1, "f"]) == {1}
    for _, same_day in scored.groupby("recency_days"):
        assert same_day["r"].nunique() == 1
    for _, same in scored.groupby("frequency"):
        assert same["f"].nunique() == 1
    assert set(scored.loc[scored["recency_days"] == 0, "r"]) == {5}
    new = scored[(scored["frequency"] == 1) & (scored["r"] == 5)]
    assert len(new) and set(new["segment"]) == {"New"}


def test_a_net_refund_is_not_scored():
    frame = orders({1: (3, 0), 2: (2, 1), 3: (1, 2)})
    frame.loc[frame["customer_id"] == 1, "amount"] = -50.0  # returns took back more than bought
    scored = score_rfm(frame, as_of=AS_OF)
    assert scored["customer_id"].tolist() == [2, 3]
    assert "1 customer(s) not scored" in scored.attrs["notes"][0]
