"""Base loss per year and cohort retention on hand-computed buying histories."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from clientbase.analytics.churn import BASE_LOSS_COLUMNS, base_loss, first_full_year, retention
from clientbase.errors import UsageError

HISTORY = {
    1: ["2023-01-01", "2024-06-01", "2025-03-01"],
    2: ["2023-05-01"],
    3: ["2023-12-31", "2024-12-31"],
    4: ["2024-02-01"],
    5: ["2025-06-01"],
    # Buys every ten days in September, then pauses four months: gone by its own rhythm at
    # the start of 2025, but not by a year's inactivity.
    7: ["2024-09-01", "2024-09-11", "2024-09-21", "2025-05-01"],
}


def frame(history=HISTORY) -> pd.DataFrame:
    rows = [
        (c, day, 100.0, f"{c}-{i}") for c, days in history.items() for i, day in enumerate(days)
    ]
    out = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount", "order_key"])
    out["ordered_at"] = pd.to_datetime(out["ordered_at"])
    return out


def rows(table) -> list[tuple]:
    return [
        (r.year, r.active_at_start, r.lost, round(r.loss_rate, 4), r.partial, r.through)
        for r in table.itertuples(index=False)
    ]


def test_base_loss_by_hand():
    t = base_loss(frame())
    assert list(t.columns) == list(BASE_LOSS_COLUMNS)
    assert rows(t) == [
        # 2023 is left out: no orders from the year before it. 2024: 1, 2 and 3 were active
        # (1's order of 2023-01-01 is exactly 365 days before), 2 bought nothing.
        (2024, 3, 1, 0.3333, False, date(2024, 12, 31)),
        # 2025: 1, 3, 4 and 7 were active (2 had been gone 611 days); 3 and 4 bought nothing
        # up to the last order in the data, 2025-06-01.
        (2025, 4, 2, 0.5, True, date(2025, 6, 1)),
    ]
    assert t.attrs["first_order"] == date(2023, 1, 1)


def test_base_loss_relative_window():
    t = base_loss(frame(), relative=True, multiple=3)
    # 7's median gap is 10 days: 102 days without a purchase at 1 January 2025 is more than
    # 3 x 10, so 7 is not counted as active; 1 (gap 517 days) and 3 (366) still are, and 4
    # (one buying day) keeps the 365-day window.
    assert rows(t) == [
        (2024, 3, 1, 0.3333, False, date(2024, 12, 31)),
        (2025, 3, 2, 0.6667, True, date(2025, 6, 1)),
    ]


def test_base_loss_windows_and_as_of():
    t = base_loss(frame(), inactive_days=30)
    # Only 3 bought in the 30 days before either New Year; it came back in 2024, not in 2025.
    assert rows(t) == [
        (2024, 1, 0, 0.0, False, date(2024, 12, 31)),
        (2025, 1, 1, 1.0, True, date(2025, 6, 1)),
    ]
    full = base_loss(frame(), as_of=date(2025, 12, 31))
    assert rows(full)[-1] == (2025, 4, 2, 0.5, False, date(2025, 12, 31))
    before = base_loss(frame(), as_of="2024-12-31")
    assert rows(before) == [(2024, 3, 1, 0.3333, False, date(2024, 12, 31))]


def test_no_year_with_a_full_window():
    short = frame({1: ["2025-01-03", "2025-02-03"], 2: ["2025-03-01"]})
    assert base_loss(short).empty
    assert first_full_year(short) == 2027
    assert first_full_year(frame()) == 2024
    assert first_full_year(frame({1: ["2023-01-02"]})) == 2025
    with pytest.raises(UsageError):
        base_loss(short, inactive_days=0)


COHORTS = {
    "d": ["2024-12-05", "2025-02-14"],
    "a": ["2025-01-15", "2025-02-03", "2025-03-20"],
    "b": ["2025-01-31", "2025-03-01", "2025-03-02"],
    "c": ["2025-02-10", "2025-02-20", "2025-03-05"],
}


def test_retention_by_hand():
    ids = {"d": 1, "a": 2, "b": 3, "c": 4}
    t = retention(frame({ids[k]: v for k, v in COHORTS.items()}))
    got = {
        cohort: [None if math.isnan(v) else v for v in row]
        for cohort, row in zip(t.index, t.to_numpy(float), strict=True)
    }
    assert got == {
        "2024-12": [1.0, 0.0, 1.0, 0.0],
        # a bought in February; a and b in March (b twice: still one customer).
        "2025-01": [1.0, 0.5, 1.0, None],
        "2025-02": [1.0, 1.0, None, None],
    }
    assert t.attrs["customers"] == {"2024-12": 1, "2025-01": 2, "2025-02": 1}
    assert retention(frame(), max_months=2).columns.tolist() == [0, 1, 2]
