"""The faster paths of the value analyses (LTV cohorts, retention, base loss, the report's shared
preparation of the orders) held to the general ways of computing the same, over many generated
histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientbase.analytics.churn import base_loss, buying_days, retention
from clientbase.analytics.ltv import (
    cohort_table,
    customer_totals,
    historical,
    month_codes,
    prepare_orders,
    sharing_prepared,
)
from clientbase.analytics.rfm import score_rfm


def orders(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = rng.choice([1, 2, 3, 7, 40, 41, 900, 10**6, 2**40], size=n)
    days = rng.integers(-400, 2000, size=n)  # some before 1970
    seconds = rng.integers(0, 86_400, size=n)
    stamps = (days * 86_400 + seconds).astype("datetime64[s]").astype("datetime64[ns]")
    return pd.DataFrame(
        {
            "customer_id": ids,
            "ordered_at": stamps,
            "amount": rng.integers(-5_000, 100_000, size=n) / 100,
            "order_key": rng.integers(0, n // 2, size=n),
        }
    )


def cohort_matrix_by_groupby(frame: pd.DataFrame, *, values: bool, end) -> pd.DataFrame:
    """The cohort matrix as plain groupbys make it: the general way, cell by cell."""
    prepared = prepare_orders(frame)
    month = month_codes(prepared["ordered_at"])
    cust = prepared["customer_id"].to_numpy()
    first = pd.Series(month).groupby(cust).transform("min").to_numpy()
    since = month - first
    day = pd.Timestamp(end)
    last_month = max(int(month.max()), day.year * 12 + day.month - 1)
    cohorts = np.unique(first)
    width = last_month - int(cohorts[0]) + 1
    sizes = pd.Series(first).groupby(cust).first().value_counts()
    cells = pd.DataFrame({"first": first, "since": since, "cust": cust})
    if values:
        grid = pd.Series(prepared["amount"].to_numpy()).groupby([first, since]).sum()
    else:
        grid = cells.drop_duplicates().groupby(["first", "since"]).size()
    dense = np.zeros((len(cohorts), width))
    for (f, s), v in grid.items():
        dense[np.searchsorted(cohorts, f), s] = v
    if values:
        dense = dense.cumsum(axis=1)
    dense = dense / sizes.reindex(cohorts).to_numpy(float)[:, None]
    future = (cohorts[:, None] + np.arange(width)[None, :]) > last_month
    return pd.DataFrame(np.where(future, np.nan, dense))


@pytest.mark.parametrize("seed", range(25))
def test_cohort_tables_as_groupbys_make_them(seed):
    frame = orders(seed)
    end = "2026-03-15"
    for values, table in ((False, retention(frame, end=end)), (True, cohort_table(frame, end=end))):
        expected = cohort_matrix_by_groupby(frame, values=values, end=end)
        got = table.to_numpy(float)
        assert got.shape == expected.shape
        # counts are exact; sums of the same cells may only differ in their last bits
        np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-12, equal_nan=True)
        sizes = pd.Series(
            prepare_orders(frame).groupby("customer_id")["ordered_at"].min().to_numpy()
        )
        assert sum(table.attrs["customers"].values()) == len(sizes)


@pytest.mark.parametrize("seed", range(25))
def test_buying_days_as_a_frame_makes_them(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    near = rng.integers(-5, 50, size=n)
    far = rng.choice([-(2**62), 0, 3, 2**62], size=n)  # too far apart for one number a pair
    day = rng.integers(-800, 30_000, size=n)
    for cust in (near, far):
        expected = pd.DataFrame({"c": cust, "d": day}).drop_duplicates().sort_values(["c", "d"])
        got_c, got_d = buying_days(cust, day)
        assert got_c.tolist() == expected["c"].tolist()
        assert got_d.tolist() == expected["d"].tolist()
    empty = np.zeros(0, np.int64)
    assert [a.tolist() for a in buying_days(empty, empty)] == [[], []]


@pytest.mark.parametrize("seed", range(10))
def test_shared_preparation_gives_what_each_makes_alone(seed):
    frame = orders(seed)
    frame["booked_at"] = frame["ordered_at"]  # as after returns are folded in
    day = "2100-01-01" if seed == 0 else "1974-06-30"  # nothing cut, or some
    alone = [
        score_rfm(frame, as_of=day),
        historical(frame, as_of=day),
        retention(frame, end=day),
        base_loss(frame, as_of=day),
    ]
    with sharing_prepared():
        shared = [
            score_rfm(frame, as_of=day),
            historical(frame, as_of=day),
            retention(frame, end=day),
            base_loss(frame, as_of=day),
        ]
        prepared = prepare_orders(frame, until=day)
        assert prepare_orders(frame, until=day) is prepared
        assert customer_totals(prepared) is customer_totals(prepared)
        # one frame kept at a time: another asked for, the first is made anew after it
        other = prepare_orders(frame, until="1972-01-01")
        assert prepare_orders(frame, until="1972-01-01") is other
        assert prepare_orders(frame, until=day) is not prepared
        prepared = prepare_orders(frame, until=day)
        with pytest.raises(ValueError, match="read-only"):
            prepared["amount"].to_numpy()[:1] = 0
        with pytest.raises(ValueError, match="read-only"):
            prepared.iloc[0, prepared.columns.get_loc("amount")] = 0.0
    for a, b in zip(alone, shared, strict=True):
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs == b.attrs
    # outside it, each call makes a frame of its own again, the caller's to change
    again = prepare_orders(frame, until=day)
    assert again is not prepare_orders(frame, until=day)
    again.iloc[0, again.columns.get_loc("amount")] = 0.0


@pytest.mark.parametrize("seed", range(30))
def test_ascending_order_is_a_stable_argsort(seed):
    from clientbase.services.analytics import ascending_order

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))
    low = int(rng.choice([-(10**6), 0, 5, 2**40]))
    for keys in (
        low + rng.permutation(n),  # ids of one base: each once, close together
        low + rng.permutation(3 * n)[:n],  # some gone
        low + rng.integers(0, n, size=n),  # some twice
        low + rng.permutation(n) * 1000,  # far apart
    ):
        keys = keys.astype(np.int64)
        assert ascending_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()
