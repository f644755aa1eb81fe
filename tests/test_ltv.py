"""Historical LTV, its averages per group and the cohort table, on hand-computed orders."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from clientbase.analytics.ltv import (
    HISTORICAL_COLUMNS,
    by_group,
    cohort_table,
    historical,
    month_codes,
)
from clientbase.errors import ClientbaseError, UsageError


def frame(rows) -> pd.DataFrame:
    """(customer, 'YYYY-MM-DD', amount, order_key[, margin]) -> a load_orders-like frame."""
    rows = [r if len(r) == 5 else (*r, r[2] * 0.5) for r in rows]
    out = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount", "order_key", "margin"])
    out["ordered_at"] = pd.to_datetime(out["ordered_at"], format="ISO8601")
    return out


HIST = frame(
    [
        (1, "2025-01-10", 1000.0, "a1"),
        (1, "2025-03-10", 500.0, "a2"),
        (1, "2025-03-10", 300.0, "a2"),  # a second line of the same order
        (1, "2025-06-10", 1200.0, "a3"),
        (2, "2025-02-01", 500.0, "b1"),
        (3, "2025-07-01", 700.0, "c1"),  # after as_of
        (4, "2025-04-01", 900.0, "d1"),
        (4, "2025-04-01 18:30", 100.0, "d2"),  # same day, another order
    ]
)


def test_historical_by_hand():
    h = historical(HIST, as_of=date(2025, 6, 30))
    assert list(h.columns) == list(HISTORICAL_COLUMNS)
    assert h["customer_id"].tolist() == [1, 2, 4]
    one = h.iloc[0]
    assert (one["orders"], one["revenue"], one["avg_order_value"]) == (3, 3000.0, 1000.0)
    assert one["lifespan_days"] == 151 and one["ltv"] == 3000.0
    assert one["first_order"] == pd.Timestamp("2025-01-10")
    assert one["last_order"] == pd.Timestamp("2025-06-10")
    # The textbook product AOV x orders per day x lifespan in days is the revenue itself.
    per_day = one["orders"] / one["lifespan_days"]
    assert one["avg_order_value"] * per_day * one["lifespan_days"] == pytest.approx(3000.0)
    two = h.iloc[1]
    assert (two["orders"], two["lifespan_days"], two["ltv"]) == (1, 0, 500.0)
    four = h.iloc[2]  # two orders on one day are two orders here (not one, as in BG/NBD)
    assert (four["orders"], four["revenue"], four["avg_order_value"]) == (2, 1000.0, 500.0)
    assert four["last_order"] == pd.Timestamp("2025-04-01")  # the day, not the time


def test_historical_with_margin_and_without_as_of():
    h = historical(HIST, margin=0.3)
    assert h["customer_id"].tolist() == [1, 2, 3, 4]
    assert h["ltv"].tolist() == pytest.approx([900.0, 150.0, 210.0, 300.0])
    assert h["revenue"].tolist() == [3000.0, 500.0, 700.0, 1000.0]
    for bad in (0, 30, -0.2):
        with pytest.raises(UsageError, match="fraction"):
            historical(HIST, margin=bad)


def test_by_group():
    h = historical(HIST)
    groups = pd.Series({1: "Яндекс.Директ", 2: "сарафанное радио", 3: "сарафанное радио"})
    table = by_group(h, groups)
    assert table.columns.tolist() == ["group", "customers", "avg_ltv", "total", "median"]
    rows = {r.group: r for r in table.itertuples(index=False)}
    assert table["group"].tolist() == ["Яндекс.Директ", "—", "сарафанное радио"]
    assert (rows["Яндекс.Директ"].customers, rows["Яндекс.Директ"].avg_ltv) == (1, 3000.0)
    word = rows["сарафанное радио"]
    assert (word.customers, word.avg_ltv, word.total, word.median) == (2, 600.0, 1200.0, 600.0)
    assert (rows["—"].customers, rows["—"].total) == (1, 1000.0)  # customer 4: no channel


COHORTS = frame(
    [
        (1, "2024-12-05", 80.0, "d1", float("nan")),  # D; no margin recorded
        (1, "2025-02-14", 20.0, "d2", 5.0),
        (2, "2025-01-15", 100.0, "a1", 40.0),  # A
        (2, "2025-02-03", 50.0, "a2", 20.0),
        (2, "2025-03-20", 30.0, "a3", 10.0),
        (3, "2025-01-31", 200.0, "b1", 80.0),  # B
        (3, "2025-03-01", 100.0, "b2", 30.0),
        (4, "2025-02-10", 60.0, "c1", 20.0),  # C
        (4, "2025-02-20", 40.0, "c2", 10.0),
        (4, "2025-03-05", 10.0, "c3", 2.0),
    ]
)


def cells(table) -> dict:
    return {
        cohort: [None if math.isnan(v) else round(v, 6) for v in row]
        for cohort, row in zip(table.index, table.to_numpy(float), strict=True)
    }


def test_cohort_table_by_hand():
    t = cohort_table(COHORTS)
    assert t.columns.tolist() == [0, 1, 2, 3]
    assert cells(t) == {
        # D: nothing in January, so month 1 is still 80 (a real month, not the future).
        "2024-12": [80.0, 80.0, 100.0, 100.0],
        # A and B: (100 + 200) / 2, + 50 / 2, + (30 + 100) / 2; March is the last month.
        "2025-01": [150.0, 175.0, 240.0, None],
        "2025-02": [100.0, 110.0, None, None],
    }
    assert t.attrs["customers"] == {"2024-12": 1, "2025-01": 2, "2025-02": 1}


def test_cohort_table_margin_and_cut():
    t = cohort_table(COHORTS, value="margin", max_months=1)
    assert t.columns.tolist() == [0, 1]
    # D's first order has no margin recorded: it adds nothing.
    assert cells(t) == {
        "2024-12": [0.0, 0.0],
        "2025-01": [60.0, 70.0],
        "2025-02": [30.0, 32.0],
    }
    with pytest.raises(UsageError, match="value must be one of"):
        cohort_table(COHORTS, value="orders")
    with pytest.raises(ClientbaseError, match="margin"):
        cohort_table(COHORTS.drop(columns="margin"), value="margin")


def test_month_codes_floor_each_time_to_its_month_before_1970_too():
    times = pd.Series(pd.to_datetime(["1969-12-31 23:59:59.999", "1970-01-01 00:00", "1899-02-28 12:00",
                                      "2025-12-31 23:59:59", "2026-01-01 00:00"], format="ISO8601"))  # fmt: skip
    expected = [t.year * 12 + t.month - 1 for t in times]
    assert month_codes(times).tolist() == expected == [23639, 23640, 22789, 24311, 24312]


def test_cohort_table_empty():
    t = cohort_table(COHORTS.iloc[0:0])
    assert t.empty and t.attrs["customers"] == {}


def test_dates_with_a_time_zone_keep_their_day():
    aware = HIST.copy()
    aware["ordered_at"] = aware["ordered_at"].dt.tz_localize("Europe/Moscow")
    h = historical(aware, as_of=date(2025, 6, 10))
    assert h["customer_id"].tolist() == [1, 2, 4]
    assert np.allclose(h["revenue"], [3000.0, 500.0, 1000.0])
