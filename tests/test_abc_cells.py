"""ABC/XYZ summed in the database (services.abc_cells) against the same classification of the
order frame the other analyses read (services.analytics.load_orders + analytics.returns): the
two forms of the returns rule and of the period codes must give the same classes, figures and
notes, on SQLite and on PostgreSQL.

The base is varied on purpose: returns on the day of a purchase (before and after it), on a
day with no purchase, before a customer's first purchase and of a customer who never bought;
cancelled, returned and open orders; purchases with a negative amount, without a margin, in
another currency; an erased customer; times late in the evening and at midnight; orders in
the weeks and quarters around the new year and before 1970 (period codes below zero). Every
order row has a customer (the schema requires one).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from clientbase.analytics.abcxyz import AbcXyzParams, classify, order_cells
from clientbase.analytics.ltv import prepare_orders
from clientbase.config import resolve_db
from clientbase.db.engine import open_database, write_transaction
from clientbase.db.models import customers, orders
from clientbase.services.abc_cells import classify_in_base, read_cells
from clientbase.services.analytics import load_orders, orders_as_of

T0 = datetime(2026, 1, 1)
AS_OF = date(2026, 3, 31)


def _add(conn, name, status="active") -> int:
    return conn.execute(
        insert(customers).values(display_name=name, status=status, created_at=T0, updated_at=T0)
    ).inserted_primary_key[0]


def _order(conn, cid, when, amount, *, status=None, margin=None, currency=None) -> None:
    conn.execute(
        insert(orders).values(
            customer_id=cid, ordered_at=when, amount=amount, status=status, margin=margin,
            currency=currency, created_at=T0,
        )
    )  # fmt: skip


def _fill(engine, *, cents: bool) -> None:
    """Hand-made cases first, then random customers; amounts in quarters of a rouble (sums
    exact in binary) unless ``cents``."""
    rnd = random.Random(7)

    def money(low, high):
        if cents:
            return round(rnd.uniform(low, high), 2)
        return rnd.randint(low * 4, high * 4) / 4

    with write_transaction(engine) as conn:
        a = _add(conn, "Возврат в день покупки")
        _order(conn, a, datetime(2025, 3, 5, 10), 1000.5, margin=300)
        _order(conn, a, datetime(2025, 3, 5, 9), -200.25, status="return")  # before it, same day
        _order(conn, a, datetime(2025, 3, 5, 23, 59), -100, status="return")
        _order(conn, a, datetime(2025, 3, 6, 0, 0), 50, margin=10)  # midnight: the next day
        _order(conn, a, datetime(2025, 5, 20), -30, status="return")  # no purchase that day
        _order(conn, a, datetime(2025, 7, 1), 400, status="cancelled")
        _order(conn, a, datetime(2026, 3, 1), 70.25)
        _order(conn, a, datetime(2026, 4, 2), -70, status="return")  # after the as-of day
        b = _add(conn, "Возврат до первой покупки")
        _order(conn, b, datetime(2024, 12, 30), -45.5, status="return")
        _order(conn, b, datetime(2025, 1, 3, 18), 500, currency="USD")
        _order(conn, b, datetime(2025, 2, 14), -20, margin=-5)  # a negative purchase line
        _order(conn, b, datetime(2025, 9, 9), 900, status="open")
        c = _add(conn, "Только возвраты")
        _order(conn, c, datetime(2025, 4, 4), -80, status="return")
        d = _add(conn, "Стёртый", status="erased")
        _order(conn, d, datetime(2025, 4, 4), 10_000)
        e = _add(conn, "До 1970 года")
        _order(conn, e, datetime(1969, 12, 28, 12), 15)
        _order(conn, e, datetime(1969, 6, 30), 25)
        _order(conn, e, datetime(1970, 1, 5), 35)
        _order(conn, e, datetime(1969, 7, 2), -5, status="return")
        for i in range(60):
            cid = _add(conn, "" if i % 11 == 0 else f"Клиент {i}")
            for _ in range(rnd.randint(1, 25)):
                when = datetime(2024, 11, 1) + timedelta(
                    days=rnd.randint(0, 540), hours=rnd.choice((0, 9, 13, 23)), minutes=rnd.randint(0, 59)
                )  # fmt: skip
                kind = rnd.random()
                if kind < 0.08:
                    _order(conn, cid, when, -money(10, 300), status="return")
                elif kind < 0.12:
                    _order(conn, cid, when, money(10, 3000), status=rnd.choice(("cancelled", "returned", "open")))  # fmt: skip
                else:
                    margin = None if kind < 0.3 else money(-50, 800)
                    status = rnd.choice((None, "Выполнен", "paid"))
                    _order(conn, cid, when, money(10, 3000), status=status, margin=margin)


@pytest.fixture(scope="module")
def bases(module_db):
    made = {}
    for cents in (False, True):
        engine = open_database(resolve_db(module_db("cents" if cents else "quarters")))
        _fill(engine, cents=cents)
        made[cents] = engine
    return made


def _frame_result(engine, params, as_of):
    frame, _, notes = orders_as_of(load_orders(engine), as_of)
    return classify(frame, params), notes


def _same(db_result, frame_result, *, exact: bool) -> None:
    assert db_result.params == frame_result.params
    pd.testing.assert_frame_equal(
        db_result.customers, frame_result.customers, check_exact=exact, rtol=1e-12
    )
    assert db_result.matrix.keys() == frame_result.matrix.keys()
    for cell, stats in db_result.matrix.items():
        assert stats == pytest.approx(frame_result.matrix[cell], rel=1e-12), cell


CASES = [
    dict(),
    dict(period="week"),
    dict(period="quarter", metric="margin"),
    dict(metric="orders", zero_periods="ignore", min_periods=2),
    dict(metric="margin", start=date(2025, 1, 15), end=date(2025, 12, 20)),
    dict(period="week", start=date(2024, 12, 29), end=date(2025, 3, 5)),
    dict(period="quarter", start=date(1969, 1, 1), end=date(1970, 3, 31)),
    dict(start=date(2026, 6, 1)),  # after every order: an empty window
]


@pytest.mark.parametrize(
    "settings", CASES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "defaults"
)
@pytest.mark.parametrize("as_of", [AS_OF, date(2025, 3, 5), date(2026, 4, 2)])
def test_the_database_classifies_as_the_frame_does(bases, settings, as_of):
    params = AbcXyzParams(**settings)
    db_result, db_notes = classify_in_base(bases[False], params, as_of)
    frame_result, frame_notes = _frame_result(bases[False], params, as_of)
    assert db_notes == frame_notes
    _same(db_result, frame_result, exact=True)


@pytest.mark.parametrize("settings", CASES[:5], ids=str)
def test_kopecks_agree_to_the_last_digits(bases, settings):
    # Sums of amounts like 12.34 depend on the order they are added in, in the last bits:
    # the classes and the rounded figures are the same, the raw floats nearly so.
    params = AbcXyzParams(**settings)
    db_result, _ = classify_in_base(bases[True], params, AS_OF)
    frame_result, _ = _frame_result(bases[True], params, AS_OF)
    _same(db_result, frame_result, exact=False)
    assert db_result.to_json()["customers"] == frame_result.to_json()["customers"]


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_cells_equal_those_of_the_frame(bases, period):
    engine = bases[False]
    start, end = date(1969, 1, 1), date(2026, 3, 31)
    cells = read_cells(engine, start, end, AS_OF, period, with_margin=True)
    frame, _, _ = orders_as_of(load_orders(engine), AS_OF)
    expected = order_cells(prepare_orders(frame, need_margin=True), period, with_margin=True)

    def table(c):
        t = pd.DataFrame({"customer": c.customer, "period": c.period, "amount": c.amount,
                          "margin": c.margin, "orders": c.orders, "rows": c.rows})  # fmt: skip
        return t.sort_values(["customer", "period"], ignore_index=True)

    got, want = table(cells), table(expected)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    # The hand-made cases are in it: the returns of "Возврат в день покупки" on 5 March fold
    # into that day's purchase, the one on 20 May into it too (nothing bought since).
    assert len(got) > 200 and (got["rows"] > got["orders"]).any()
    assert np.issubdtype(cells.customer.dtype, np.integer)


def test_no_orders_up_to_the_day(bases):
    assert classify_in_base(bases[False], AbcXyzParams(), date(1900, 1, 1)) == (None, [])


def test_cell_sums_come_back_to_the_last_bit(new_db):
    # One order per cell: the cell's sum is the stored float itself, so what the database
    # writes as text must read back as the very same double (SQLite's own text keeps 15 digits).
    engine = open_database(resolve_db(new_db("floats")))
    rnd = random.Random(3)
    values = [0.1 + 0.2, 1 / 3, 2132.98 - 5e-13, 1e-7, 123456789.123456789, -0.0]
    values += [rnd.uniform(-1e6, 1e6) for _ in range(300)]
    with write_transaction(engine) as conn:
        cid = _add(conn, "Точность")
        for i, v in enumerate(values):
            _order(conn, cid, datetime(2000, 1, 1) + timedelta(weeks=i), v, margin=-v)
    cells = read_cells(engine, date(2000, 1, 1), date(2010, 1, 1), AS_OF, "week", with_margin=True)
    order = np.argsort(cells.period)  # the database may give the cells in any order
    assert cells.amount[order].tolist() == values
    assert cells.margin[order].tolist() == [-v for v in values]
