"""ABC/XYZ on small hand-computed cases, one trap of docs/analytics.md per test where possible."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from clientbase.analytics.abc_moves import migration, migration_names, portfolio
from clientbase.analytics.abcxyz import AbcXyzParams, classify, period_labels
from clientbase.errors import UsageError

H1 = {"start": date(2026, 1, 1), "end": date(2026, 6, 30)}  # six full months


def make(rows, *, margin=None, name=None) -> pd.DataFrame:
    """Orders from (customer_id, day, amount[, order_key]); without a key each row is one order."""
    records = []
    for i, (cid, when, amount, *key) in enumerate(rows):
        records.append(
            {
                "customer_id": cid,
                "ordered_at": pd.Timestamp(when),
                "amount": float(amount),
                "order_key": key[0] if key else f"o{i}",
            }
        )
    frame = pd.DataFrame(records)
    frame["margin"] = np.nan if margin is None else margin
    if name is not None:
        frame["name"] = name
    return frame


def monthly(cid: int, amounts: list[float], year: int = 2026, day: int = 15) -> list[tuple]:
    """One order on ``day`` of each month from January; a 0 means no order that month."""
    return [(cid, f"{year}-{m:02d}-{day:02d}", a) for m, a in enumerate(amounts, 1) if a]


def classes(result, column: str = "abc") -> dict[int, str]:
    return dict(zip(result.customers["customer_id"], result.customers[column], strict=True))


def row(result, cid: int) -> pd.Series:
    return result.customers.set_index("customer_id").loc[cid]


# --- ABC -----------------------------------------------------------------------------------------


def test_abc_the_customer_who_lands_exactly_on_80_percent_is_a_and_the_next_is_b():
    # 50, 30, 10, 10 of 100: cumulative share BEFORE each is 0, 50, 80, 90.
    # #2 ends exactly on 80 % (before: 50 < 80) -> A; #3 starts exactly on 80 -> B; #4: 90 < 95 -> B.
    orders = make([(1, "2026-03-01", 50), (2, "2026-03-01", 30), (3, "2026-03-01", 10)])
    orders = pd.concat([orders, make([(4, "2026-03-02", 10)]).assign(order_key="x")])
    result = classify(orders, AbcXyzParams())
    assert classes(result) == {1: "A", 2: "A", 3: "B", 4: "B"}
    assert list(result.customers["value"]) == [50.0, 30.0, 10.0, 10.0]


def test_abc_the_customer_who_crosses_a_cut_off_stays_in_the_upper_class():
    # 60, 25, 10, 5: before = 0, 60, 85, 95. #2 crosses 80 (60 -> 85) and is still A;
    # #4 starts exactly on 95 -> C.
    orders = make([(1, "2026-03-01", 60), (2, "2026-03-01", 25), (3, "2026-03-01", 10)])
    orders = pd.concat([orders, make([(4, "2026-03-01", 5, "z")])])
    result = classify(orders, AbcXyzParams())
    assert classes(result) == {1: "A", 2: "A", 3: "B", 4: "C"}


def test_abc_boundary_survives_float_noise_in_money():
    # 0.5 + 0.3 = 0.7999999999999999 and the total 1.0000000000000002: #3 is exactly on 80 %.
    orders = make([(1, "2026-03-01", 0.5), (2, "2026-03-01", 0.3), (3, "2026-03-01", 0.1)])
    orders = pd.concat([orders, make([(4, "2026-03-01", 0.1, "z")])])
    assert classes(classify(orders, AbcXyzParams())) == {1: "A", 2: "A", 3: "B", 4: "B"}


def test_abc_ties_are_broken_by_customer_id_not_by_input_order():
    # 70, then three customers with 10 each, listed 9, 4, 2: sorted 5, 2, 4, 9;
    # before = 0, 70, 80, 90 -> the tie at the A/B boundary goes to the smallest id.
    rows = [(9, "2026-03-01", 10), (4, "2026-03-01", 10), (2, "2026-03-01", 10)]
    result = classify(make([*rows, (5, "2026-03-01", 70)]), AbcXyzParams())
    assert list(result.customers["customer_id"]) == [5, 2, 4, 9]
    assert classes(result) == {5: "A", 2: "A", 4: "B", 9: "B"}


def test_abc_refunds_only_and_zero_are_c_and_do_not_shrink_the_total():
    # Positive total 100 (not 50): before = 0, 90 -> A, B. With -50 in the total #2 would be
    # at 180 % and C.
    orders = make(
        [(1, "2026-03-01", 90), (2, "2026-03-01", 10), (3, "2026-03-01", -50), (4, "2026-03-01", 0)]
    )
    result = classify(orders, AbcXyzParams())
    assert classes(result) == {1: "A", 2: "B", 4: "C", 3: "C"}
    assert list(result.customers["customer_id"]) == [1, 2, 4, 3]  # value descending


def test_abc_cut_offs_are_options():
    orders = make([(1, "2026-03-01", 50), (2, "2026-03-01", 30), (3, "2026-03-01", 20)])
    # 50/80: before = 0, 50, 80 -> A, B, C.
    assert classes(classify(orders, AbcXyzParams(abc=(50, 80)))) == {1: "A", 2: "B", 3: "C"}


# --- XYZ -----------------------------------------------------------------------------------------


def test_xyz_months_without_purchases_count_as_zero_or_are_ignored():
    # 100 in Jan..Apr, nothing in May and June.
    orders = make(monthly(1, [100, 100, 100, 100, 0, 0]))
    counted = row(classify(orders, AbcXyzParams(**H1)), 1)
    # [100, 100, 100, 100, 0, 0]: mean 66.67, population std 47.14 -> CV = sqrt(2/4) = 70.71 %.
    assert counted["xyz"] == "Z"
    assert counted["cv"] == pytest.approx(100 * math.sqrt(0.5))
    assert counted["active_periods"] == 4
    ignored = row(classify(orders, AbcXyzParams(**H1, zero_periods="ignore")), 1)
    assert ignored["xyz"] == "X"  # [100, 100, 100, 100]: CV 0
    assert ignored["cv"] == 0
    assert ignored["active_periods"] == 4


def test_xyz_fewer_active_periods_than_the_minimum_is_not_classified():
    orders = make(monthly(1, [100, 100, 0, 0, 0, 0]))
    default = row(classify(orders, AbcXyzParams(**H1)), 1)
    assert default["xyz"] == "-"  # 2 active months < 3: insufficient data, not X
    assert math.isnan(default["cv"])
    assert default["active_periods"] == 2
    assert default["abc"] == "A"  # ABC does not need periods
    two = row(classify(orders, AbcXyzParams(**H1, min_periods=2)), 1)
    assert two["xyz"] == "Z"  # [100, 100, 0, 0, 0, 0]: CV = sqrt(4/2) = 141.42 %
    assert two["cv"] == pytest.approx(100 * math.sqrt(2))
    ignored = row(classify(orders, AbcXyzParams(**H1, min_periods=2, zero_periods="ignore")), 1)
    assert (ignored["xyz"], ignored["cv"]) == ("X", 0)


def test_xyz_mean_zero_is_not_classified():
    # A purchase refunded in the same month: active, but mean 0 -> no CV.
    rows = [*monthly(1, [100, 100, 100]), (1, "2026-01-20", -100), (1, "2026-02-20", -100)]
    rows.append((1, "2026-03-20", -100))
    result = classify(make(rows), AbcXyzParams(start=date(2026, 1, 1), end=date(2026, 3, 31)))
    assert (row(result, 1)["xyz"], row(result, 1)["active_periods"]) == ("-", 3)
    assert row(result, 1)["abc"] == "C"


def test_monthly_data_with_the_classic_10_25_thresholds_puts_a_retail_customer_in_z():
    retail = monthly(1, [1000, 1600, 500, 1300, 0, 1600])  # mean 1000, std 585.9
    steady = monthly(2, [900, 1100, 1000, 1000, 1200, 800])  # mean 1000, std 129.1
    orders = make(retail + steady)
    classic = classify(orders, AbcXyzParams(**H1))
    assert classes(classic, "xyz") == {1: "Z", 2: "Y"}
    assert row(classic, 1)["cv"] == pytest.approx(100 * math.sqrt(2_060_000 / 6) / 1000)
    assert row(classic, 2)["cv"] == pytest.approx(100 * math.sqrt(100_000 / 6) / 1000)
    assert any("yearly data" in note for note in classic.params["notes"])
    wide = classify(orders, AbcXyzParams(**H1, xyz=(50, 100)))
    assert classes(wide, "xyz") == {1: "Y", 2: "X"}  # 58.6 % and 12.9 %
    assert not any("yearly data" in note for note in wide.params["notes"])


def test_xyz_a_cv_exactly_on_the_cut_off_takes_the_lower_class():
    orders = make(monthly(1, [600, 0, 600, 0]))  # mean 300, std 300 -> CV exactly 100 %
    window = {"start": date(2026, 1, 1), "end": date(2026, 4, 30)}
    params = AbcXyzParams(**window, xyz=(50, 100), min_periods=2)
    result = classify(orders, params)
    assert (row(result, 1)["cv"], row(result, 1)["xyz"]) == (100.0, "Y")


def test_xyz_uses_full_months_only_and_abc_the_whole_window():
    # Window 15 Jan .. 30 Apr: full months Feb, Mar, Apr. The January purchase counts for ABC
    # (value 1300) but would make the customer Z if January were a month of the series.
    rows = [(1, "2026-01-20", 1000), *monthly(1, [0, 100, 100, 100])]
    rows += [(2, "2025-12-20", 5000), *monthly(2, [0, 300, 300, 300]), (2, "2026-05-01", 5000)]
    params = AbcXyzParams(start=date(2026, 1, 15), end=date(2026, 4, 30))
    result = classify(make(rows), params)
    assert result.params["periods"] == ["2026-02", "2026-03", "2026-04"]
    assert result.params["window"] == {"start": "2026-01-15", "end": "2026-04-30"}
    one, two = row(result, 1), row(result, 2)
    assert (one["value"], one["orders"], one["xyz"], one["cv"], one["active_periods"]) == (
        1300.0,
        4,
        "X",
        0.0,
        3,
    )
    assert (two["value"], two["orders"]) == (900.0, 3)  # December and May: outside the window
    # 1300 of 2200 first, then #2 starts at 59.1 % -> both A.
    assert classes(result) == {1: "A", 2: "A"}
    assert "1 order row outside full months count for ABC only" in result.params["notes"]


def test_weekly_periods_are_iso_weeks_trimmed_to_full_weeks():
    # January 2026 starts on a Thursday and ends on a Saturday: full weeks W02..W04
    # (5-11, 12-18, 19-25 Jan). 2 Jan (W01) and 26 Jan (W05) are partial weeks: ABC only.
    rows = [
        (1, "2026-01-02", 100),
        (1, "2026-01-06", 100),  # W02
        (1, "2026-01-14", 100),  # W03
        (1, "2026-01-18 23:30", 50),  # Sunday night, still W03
        (1, "2026-01-25", 150),  # Sunday, W04
        (1, "2026-01-26", 40),  # Monday, W05
    ]
    params = AbcXyzParams(start=date(2026, 1, 1), end=date(2026, 1, 31), period="week")
    result = classify(make(rows), params)
    assert result.params["periods"] == ["2026-W02", "2026-W03", "2026-W04"]
    one = row(result, 1)
    # Weeks [100, 150, 150]: mean 133.3, std 23.57 -> CV = sqrt(2) / 8 = 17.68 % -> Y.
    assert (one["value"], one["active_periods"], one["xyz"]) == (540.0, 3, "Y")
    assert one["cv"] == pytest.approx(100 * math.sqrt(2) / 8)


def test_quarterly_periods():
    rows = [(1, f"2025-{m:02d}-10", 300) for m in (1, 4, 7, 10)]
    rows += [(2, "2025-02-10", 600), (2, "2025-08-10", 600)]
    year = {"start": date(2025, 1, 1), "end": date(2025, 12, 31), "period": "quarter"}
    result = classify(make(rows), AbcXyzParams(**year))
    assert result.params["periods"] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    one, two = row(result, 1), row(result, 2)
    assert (one["xyz"], one["cv"], one["active_periods"]) == ("X", 0.0, 4)
    assert (two["xyz"], two["active_periods"]) == ("-", 2)
    # [600, 0, 600, 0]: mean 300, std 300 -> CV 100 % -> Z.
    two = row(classify(make(rows), AbcXyzParams(**year, min_periods=2)), 2)
    assert (two["cv"], two["xyz"]) == (100.0, "Z")
    # An open window runs from the first order (10 Jan) to the last (10 Oct): Q2 and Q3 only.
    assert classify(make(rows), AbcXyzParams(period="quarter")).params["periods"] == [
        "2025-Q2",
        "2025-Q3",
    ]


@pytest.mark.parametrize(
    ("start", "end", "period", "expected"),
    [
        (
            date(2026, 1, 15),
            date(2026, 6, 30),
            "month",
            ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06"],
        ),
        (date(2026, 1, 1), date(2026, 1, 31), "month", ["2026-01"]),
        (date(2026, 1, 1), date(2026, 1, 30), "month", []),
        (date(2024, 2, 1), date(2024, 2, 29), "month", ["2024-02"]),  # leap year
        (date(2024, 2, 1), date(2024, 2, 28), "month", []),
        (date(2026, 1, 1), date(2026, 1, 31), "week", ["2026-W02", "2026-W03", "2026-W04"]),
        # ISO weeks take the year of their Thursday: 30 Dec 2024 .. 5 Jan 2025 is 2025-W01.
        (date(2024, 12, 23), date(2025, 1, 12), "week", ["2024-W52", "2025-W01", "2025-W02"]),
        (date(2026, 12, 28), date(2027, 1, 3), "week", ["2026-W53"]),  # 2026 has 53 weeks
        (date(2026, 1, 5), date(2026, 1, 10), "week", []),  # Monday .. Saturday
        (
            date(2025, 11, 1),
            date(2026, 12, 31),
            "quarter",
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"],
        ),
        (date(2026, 1, 1), date(2026, 3, 30), "quarter", []),
        (date(1969, 12, 1), date(1970, 3, 31), "quarter", ["1970-Q1"]),  # before the epoch
        (date(1969, 12, 1), date(1970, 1, 31), "month", ["1969-12", "1970-01"]),
    ],
)
def test_period_labels_are_the_full_calendar_periods(start, end, period, expected):
    assert period_labels(start, end, period) == expected


# --- metrics -------------------------------------------------------------------------------------


def test_metric_margin_treats_missing_margins_as_zero():
    rows = [
        (1, "2026-03-01", 1000),
        (1, "2026-03-02", 500),
        (2, "2026-03-01", 300),
        (2, "2026-03-02", 300),
        (3, "2026-03-01", 2000),
        (4, "2026-03-03", 700),
    ]
    orders = make(rows, margin=[100, np.nan, 60, 70, 20, np.nan])
    by_margin = classify(orders, AbcXyzParams(metric="margin"))
    # Margins 100, 130, 20, 0 -> sorted 2, 1, 3, 4; before = 0, 130/250 = 52 %, 230/250 = 92 %.
    assert list(by_margin.customers["customer_id"]) == [2, 1, 3, 4]
    assert list(by_margin.customers["value"]) == [130.0, 100.0, 20.0, 0.0]
    assert list(by_margin.customers["revenue"]) == [600.0, 1500.0, 2000.0, 700.0]
    assert classes(by_margin) == {2: "A", 1: "A", 3: "B", 4: "C"}
    # By revenue 2000, 1500, 700, 600 of 4800: before = 0, 41.7, 72.9, 87.5 -> A, A, A, B.
    by_revenue = classify(orders, AbcXyzParams())
    assert classes(by_revenue) == {3: "A", 1: "A", 4: "A", 2: "B"}


def test_metric_orders_counts_distinct_orders_not_lines():
    rows = [
        (1, "2026-01-10", 5000, "o1"),  # three lines of one order ...
        (1, "2026-01-10", 3000, "o1"),
        (1, "2026-02-02", 1000, "o1"),  # ... one added later: the order still counts in January
        (1, "2026-03-10", 100, "o2"),
        (2, "2026-01-10", 10, 11),  # integer keys work too
        (2, "2026-02-10", 10, 12),
        (2, "2026-03-10", 10, 13),
        (3, "2026-02-10", 50, "o1"),  # another customer's "o1" is another order
    ]
    window = {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}
    result = classify(make(rows), AbcXyzParams(**window, metric="orders", min_periods=2))
    assert list(result.customers["customer_id"]) == [2, 1, 3]
    assert list(result.customers["value"]) == [3, 2, 1]
    assert list(result.customers["orders"]) == [3, 2, 1]
    assert list(result.customers["revenue"]) == [30.0, 9100.0, 50.0]
    # 3, 2, 1 of 6: before = 0, 50, 83.3 -> A, A, B.
    assert classes(result) == {2: "A", 1: "A", 3: "B"}
    one, two = row(result, 1), row(result, 2)
    assert (two["xyz"], two["cv"], two["active_periods"]) == ("X", 0.0, 3)
    # Orders per month [1, 0, 1]: CV = sqrt(1/2) = 70.71 %; February is not active.
    assert (one["xyz"], one["active_periods"]) == ("Z", 2)
    assert one["cv"] == pytest.approx(100 * math.sqrt(0.5))
    # The orders count is distinct orders whatever the metric.
    assert row(classify(make(rows), AbcXyzParams()), 1)["orders"] == 2


# --- matrix, params, JSON ------------------------------------------------------------------------


def half_year() -> pd.DataFrame:
    rows = (
        monthly(1, [100] * 6)  # X (CV 0), 600
        + monthly(2, [100, 100, 100, 100, 0, 0])  # Z (70.7 %), 400
        + monthly(3, [180, 120, 150, 150, 150, 150])  # Y (11.5 %), 900
        + monthly(4, [200, 200, 0, 0, 0, 0])  # 2 active months: -, 400
        + [(5, "2026-03-15", -50)]  # refund only: C, -
    )
    names = {1: "Anna", 2: "Boris", 3: "Vera", 4: None, 5: "Dmitry"}
    frame = make(rows)
    frame["name"] = frame["customer_id"].map(names)
    return frame


def test_matrix_counts_revenue_and_shares():
    result = classify(half_year(), AbcXyzParams(**H1))
    # Sorted 3 (900), 1 (600), 2 (400), 4 (400, tie by id), 5 (-50); positive total 2300;
    # before = 0, 39.1, 65.2, 82.6 % -> A, A, A, B; 5 has a negative value -> C.
    assert list(result.customers["customer_id"]) == [3, 1, 2, 4, 5]
    assert classes(result) == {3: "A", 1: "A", 2: "A", 4: "B", 5: "C"}
    assert classes(result, "xyz") == {3: "Y", 1: "X", 2: "Z", 4: "-", 5: "-"}
    assert row(result, 3)["cv"] == pytest.approx(100 * math.sqrt(300) / 150)
    m = result.matrix
    assert list(m) == ["AX", "AY", "AZ", "A-", "BX", "BY", "BZ", "B-", "CX", "CY", "CZ", "C-"]
    assert {k: v["customers"] for k, v in m.items() if v["customers"]} == {
        "AX": 1,
        "AY": 1,
        "AZ": 1,
        "B-": 1,
        "C-": 1,
    }
    assert m["AY"]["revenue"] == 900.0
    assert m["AY"]["share_revenue"] == pytest.approx(40.0)  # 900 of 2250
    assert m["C-"]["share_revenue"] == pytest.approx(-50 / 2250 * 100)
    assert m["AX"]["share_customers"] == pytest.approx(20.0)
    assert sum(v["share_customers"] for v in m.values()) == pytest.approx(100.0)
    assert sum(v["share_revenue"] for v in m.values()) == pytest.approx(100.0)
    assert m["BX"] == {
        "customers": 0,
        "revenue": 0.0,
        "value": 0.0,
        "share_customers": 0.0,
        "share_revenue": 0.0,
        "share_value": 0.0,
    }


def test_matrix_has_only_the_nine_cells_when_everyone_is_classified():
    # 600 and 60 of 660: before = 0, 90.9 % -> A, B; both steady -> X.
    result = classify(make(monthly(1, [100] * 6) + monthly(2, [10] * 6)), AbcXyzParams(**H1))
    assert list(result.matrix) == ["AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ"]
    assert (result.matrix["AX"]["customers"], result.matrix["BX"]["customers"]) == (1, 1)


def test_params_say_how_the_result_was_computed():
    result = classify(half_year(), AbcXyzParams(**H1))
    p = result.params
    assert p["rules"] == (
        "ABC by revenue, A ≤ 80 % < B ≤ 95 % < C of the cumulative total, the customer who "
        "crosses a cut-off stays in the upper class, revenue ≤ 0: C; XYZ by the coefficient of "
        "variation (population std / mean) of monthly revenue over 6 full months, months without "
        "purchases count as 0, X ≤ 10 % < Y ≤ 25 % < Z, fewer than 3 active months: "
        "not classified (-)"
    )
    assert p["periods"] == [f"2026-{m:02d}" for m in range(1, 7)]
    assert (p["start"], p["end"], p["window"]) == (
        "2026-01-01",
        "2026-06-30",
        {"start": "2026-01-01", "end": "2026-06-30"},
    )
    assert (p["period"], p["metric"], p["abc"], p["xyz"]) == (
        "month",
        "revenue",
        [80, 95],
        [10, 25],
    )
    assert (p["zero_periods"], p["min_periods"]) == ("count", 3)
    ignore = classify(half_year(), AbcXyzParams(metric="orders", zero_periods="ignore"))
    assert (
        "XYZ by the coefficient of variation (population std / mean) of monthly number of "
        in (ignore.params["rules"])
    )
    assert "months without purchases are left out" in ignore.params["rules"]
    # Open window: first order 15 Jan .. last 15 Jun -> February .. May are full.
    assert ignore.params["window"] == {"start": "2026-01-15", "end": "2026-06-15"}
    assert ignore.params["periods"] == ["2026-02", "2026-03", "2026-04", "2026-05"]


def test_to_json():
    data = classify(half_year(), AbcXyzParams(**H1)).to_json()
    assert set(data) == {"params", "matrix", "customers"}
    assert data["matrix"]["AY"]["revenue"] == 900.0
    first, fourth = data["customers"][0], data["customers"][3]
    assert first == {
        "id": 3,
        "name": "Vera",
        "abc": "A",
        "xyz": "Y",
        "value": 900.0,
        "revenue": 900.0,
        "orders": 6,
        "cv": round(100 * math.sqrt(300) / 150, 4),
        "active_periods": 6,
    }
    assert (fourth["id"], fourth["name"], fourth["cv"], fourth["xyz"]) == (4, None, None, "-")
    assert all(type(c["id"]) is int and type(c["orders"]) is int for c in data["customers"])
    without_names = classify(half_year().drop(columns="name"), AbcXyzParams(**H1)).to_json()
    assert "name" not in without_names["customers"][0]


def test_no_orders_in_the_window():
    result = classify(half_year(), AbcXyzParams(start=date(2027, 1, 1)))
    assert result.customers.empty
    assert list(result.customers.columns) == [
        "customer_id",
        "name",
        "abc",
        "xyz",
        "value",
        "revenue",
        "orders",
        "cv",
        "active_periods",
    ]
    assert list(result.matrix) == ["AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ"]
    assert all(v["customers"] == 0 and v["share_revenue"] == 0 for v in result.matrix.values())
    empty = classify(half_year().iloc[:0], AbcXyzParams())
    assert empty.params["window"] == {"start": None, "end": None}
    assert empty.to_json()["customers"] == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": "day"},
        {"metric": "profit"},
        {"zero_periods": "skip"},
        {"abc": (95, 80)},
        {"abc": (80, 120)},
        {"xyz": (25, 10)},
        {"xyz": (10,)},
        {"min_periods": 0},
        {"start": date(2026, 2, 1), "end": date(2026, 1, 1)},
    ],
)
def test_bad_parameters_are_usage_errors(kwargs):
    with pytest.raises(UsageError):
        AbcXyzParams(**kwargs)


# --- migration and portfolio ---------------------------------------------------------------------


def customers_frame(classes_by_id: dict[int, str], values: dict[int, float] | None = None):
    values = values or {}
    return pd.DataFrame(
        {
            "customer_id": list(classes_by_id),
            "abc": list(classes_by_id.values()),
            "value": [values.get(c, 1.0) for c in classes_by_id],
        }
    )


BEFORE = customers_frame({1: "A", 2: "A", 3: "B", 4: "C", 5: "A"})
AFTER = customers_frame({1: "A", 2: "B", 3: "A", 4: "C", 6: "B"})
MANAGERS = pd.Series({1: "Ivanov", 2: "Ivanov", 5: "Ivanov", 3: "Petrov", 6: "Petrov"})


def test_migration_matrix_with_new_and_gone():
    table = migration(BEFORE, AFTER)
    assert list(table.index) == ["A", "B", "C", "new"]
    assert list(table.columns) == ["A", "B", "C", "gone"]
    assert table.to_dict("index") == {
        "A": {"A": 1, "B": 1, "C": 0, "gone": 1},
        "B": {"A": 1, "B": 0, "C": 0, "gone": 0},
        "C": {"A": 0, "B": 0, "C": 1, "gone": 0},
        "new": {"A": 0, "B": 1, "C": 0, "gone": 0},
    }
    assert int(table.to_numpy().sum()) == 6  # every customer of either window once


def test_migration_per_manager_and_names():
    long = migration(BEFORE, AFTER, by=MANAGERS)
    assert list(long.columns) == ["group", "from", "to", "customers"]
    assert list(long.itertuples(index=False, name=None)) == [
        ("Ivanov", "A", "A", 1),
        ("Ivanov", "A", "B", 1),
        ("Ivanov", "A", "gone", 1),
        ("Petrov", "B", "A", 1),
        ("Petrov", "new", "B", 1),
        ("—", "C", "C", 1),  # customer 4 has no manager
    ]
    # "Ivanov is losing A customers" is one filter away.
    ivanov = long[(long["group"] == "Ivanov") & (long["from"] == "A") & (long["to"] != "A")]
    assert ivanov["customers"].sum() == 2
    assert migration_names(BEFORE, AFTER, "A", "gone") == [5]
    assert migration_names(BEFORE, AFTER, "A", "B") == [2]
    assert migration_names(BEFORE, AFTER, "new", "B") == [6]
    assert migration_names(BEFORE, AFTER, "C", "A") == []
    with pytest.raises(UsageError):
        migration_names(BEFORE, AFTER, "gone", "A")


def test_migration_names_biggest_first():
    before = customers_frame({1: "A", 2: "A", 3: "A"}, {1: 100.0, 2: 300.0, 3: 100.0})
    after = customers_frame({1: "B", 2: "B", 3: "B"})
    assert migration_names(before, after, "A", "B") == [2, 1, 3]


def test_migration_between_two_classified_quarters():
    rows = [(1, "2026-01-10", 900), (2, "2026-02-10", 100), (3, "2026-03-10", 5)]
    rows += [(1, "2026-04-10", 50), (2, "2026-05-10", 900), (4, "2026-06-10", 100)]
    orders = make(rows)
    q1 = classify(orders, AbcXyzParams(start=date(2026, 1, 1), end=date(2026, 3, 31)))
    q2 = classify(orders, AbcXyzParams(start=date(2026, 4, 1), end=date(2026, 6, 30)))
    # Q1: 900, 100, 5 of 1005 -> A (0), B (89.6), C (99.5). Q2: 2 900 A, 4 100 B (85.7), 1 50 C.
    assert classes(q1) == {1: "A", 2: "B", 3: "C"}
    assert classes(q2) == {2: "A", 4: "B", 1: "C"}
    table = migration(q1.customers, q2.customers)
    assert (table.loc["A", "C"], table.loc["B", "A"], table.loc["C", "gone"]) == (1, 1, 1)
    assert table.loc["new", "B"] == 1
    assert int(table.to_numpy().sum()) == 4


def test_portfolio_per_manager_with_monthly_regularity():
    orders = half_year()
    result = classify(orders, AbcXyzParams(**H1))
    managers = pd.Series({1: "Ivanov", 2: "Ivanov", 3: "Petrov", 99: "Sidorov"})
    table = portfolio(result, managers, orders, "month")
    assert list(table.columns) == [
        "group",
        "A_customers",
        "A_revenue",
        "B_customers",
        "B_revenue",
        "C_customers",
        "C_revenue",
        "customers",
        "revenue",
        "orders",
        "periods",
        "orders_per_period",
        "share_periods_with_orders",
    ]
    rows = table.set_index("group").to_dict("index")
    assert list(rows) == ["Ivanov", "Petrov", "—"]  # by revenue; Sidorov has no customers
    # Ivanov: 1 (A, 600, 6 orders) and 2 (A, 400, 4 orders): per month 2, 2, 2, 2, 1, 1.
    assert rows["Ivanov"] == {
        "A_customers": 2,
        "A_revenue": 1000.0,
        "B_customers": 0,
        "B_revenue": 0.0,
        "C_customers": 0,
        "C_revenue": 0.0,
        "customers": 2,
        "revenue": 1000.0,
        "orders": 10,
        "periods": 6,
        "orders_per_period": pytest.approx(10 / 6),
        "share_periods_with_orders": 100.0,
    }
    assert (rows["Petrov"]["A_customers"], rows["Petrov"]["orders_per_period"]) == (1, 1.0)
    # No manager: 4 (B, 400, Jan and Feb) and 5 (C, -50, March): 3 orders in 3 of 6 months.
    nobody = rows["—"]
    assert (nobody["B_customers"], nobody["B_revenue"], nobody["C_customers"]) == (1, 400.0, 1)
    assert (nobody["C_revenue"], nobody["customers"], nobody["revenue"]) == (-50.0, 2, 350.0)
    assert (nobody["orders_per_period"], nobody["share_periods_with_orders"]) == (0.5, 50.0)


def test_portfolio_weekly_regularity():
    orders = half_year()
    result = classify(orders, AbcXyzParams(**H1))
    table = portfolio(result, pd.Series({1: "Ivanov", 2: "Ivanov"}), orders, "week")
    ivanov = table.set_index("group").loc["Ivanov"]
    # Full ISO weeks of 1 Jan .. 30 Jun 2026: Mon 5 Jan .. Sun 28 Jun = 25 weeks. Ivanov's
    # 10 orders fall on the 15th of six months: 6 weeks with orders.
    assert ivanov["periods"] == 25
    assert ivanov["orders_per_period"] == pytest.approx(10 / 25)
    assert ivanov["share_periods_with_orders"] == pytest.approx(6 / 25 * 100)


def test_portfolio_keeps_integer_labels_and_has_no_regularity_without_full_periods():
    # 31 Jan .. 1 Feb holds no full week: the regularity columns are NaN, not 0.
    orders = make([(1, "2026-01-31", 10), (2, "2026-02-01", 20)])
    result = classify(orders, AbcXyzParams(period="week"))
    table = portfolio(result, pd.Series({1: 7}), orders, "week")
    assert list(table["group"]) == ["—", 7]  # manager ids stay ids (not 7.0)
    assert list(table["periods"]) == [0, 0]
    assert table["orders_per_period"].isna().all()
    assert table["share_periods_with_orders"].isna().all()


def test_no_purchase_inside_a_full_period():
    """Every order in the partial month at the end of the window: ABC still, XYZ not classified."""
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "ordered_at": pd.to_datetime(["2026-03-01", "2026-03-03"]),
            "amount": [100.0, 300.0],
            "order_key": [1, 2],
        }
    )
    r = classify(frame, AbcXyzParams(start=date(2025, 4, 1), end=date(2026, 3, 3)))
    assert list(r.customers["abc"]) == ["A", "A"]  # 300 first (0 % before), then 100 (75 % before)
    assert list(r.customers["xyz"]) == ["-", "-"]


def test_equal_money_to_the_kopeck_ties_by_id_whatever_the_float_noise():
    # 0.1 + 0.2 and 0.3 are the same money; as floats the first is a hair larger
    # (0.30000000000000004), and ranked by the raw sums customer 2 would come first.
    orders = make([(2, "2026-03-01", 0.1), (2, "2026-03-02", 0.2), (1, "2026-03-01", 0.3),
                   (3, "2026-03-01", 0.25)])  # fmt: skip
    result = classify(orders, AbcXyzParams())
    assert result.customers["value"].iloc[1] > 0.3  # the noise is there
    assert list(result.customers["customer_id"]) == [1, 2, 3]
