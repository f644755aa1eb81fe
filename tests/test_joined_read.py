"""The orders read as joined texts (db.joined) against the same query read row by row
(db.columns): the same frame, value for value, on SQLite and PostgreSQL: NULL margins, floats
that need 17 digits, times to the microsecond and before 1970, managers NULL, empty, with
commas and in Cyrillic; a manager holding the separator the texts are joined by falls back to
the rows. ``load_orders`` gives its frame in the orders' own order whichever way it was read."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select, update

from clientbase.config import resolve_db
from clientbase.db.columns import FLOAT, INT, TEXT, TIME, read_columns
from clientbase.db.engine import open_database, write_transaction
from clientbase.db.joined import floats_of, read_joined
from clientbase.db.models import customers, orders
from clientbase.services.analytics import load_orders

T0 = datetime(2026, 1, 1)
KINDS = {"id": INT, "customer_id": INT, "ordered_at": TIME, "amount": FLOAT, "margin": FLOAT,
         "manager": TEXT}  # fmt: skip
MANAGERS = [None, "", "Иванова А.", "Smith, John", "  Пётр  ", "O'Neil"]


def _base(new_db):
    engine = open_database(resolve_db(new_db()))
    rnd = random.Random(11)
    with write_transaction(engine) as conn:
        ids = [
            conn.execute(
                insert(customers).values(
                    display_name=f"c{i}", status="active", created_at=T0, updated_at=T0
                )
            ).inserted_primary_key[0]
            for i in range(40)
        ]
        rows = []
        for _ in range(600):
            when = datetime(1965, 3, 1) + timedelta(
                days=rnd.randint(0, 25_000), seconds=rnd.randint(0, 86_399),
                microseconds=rnd.choice([0, 1, 999_999, rnd.randint(0, 999_999)]),
            )  # fmt: skip
            amount = rnd.choice([0.1 + 0.2, 1 / 3, -250.75, 1e-7, 123456789.123, 0.0, 2.0**60])
            margin = rnd.choice([None, amount / 3, -0.0, 0.30000000000000004])
            rows.append(
                {
                    "customer_id": rnd.choice(ids),
                    "ordered_at": when,
                    "amount": amount,
                    "margin": margin,
                    "manager": rnd.choice(MANAGERS),
                    "created_at": T0,
                    "status": rnd.choice([None, None, "return"]),
                }
            )
        conn.execute(insert(orders), rows)
    return engine


def _query():
    o = orders.c
    return select(o.id, o.customer_id, o.ordered_at, o.amount, o.margin, o.manager)


def _by_id(frame):
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def test_joined_texts_give_the_frame_the_rows_give(new_db):
    engine = _base(new_db)
    with engine.connect() as conn:
        joined = read_joined(conn, _query(), KINDS)
        rows = read_columns(conn, _query(), KINDS)
    assert joined is not None and len(joined) == 600
    pd.testing.assert_frame_equal(_by_id(joined), _by_id(rows), check_exact=True)
    # the same doubles, bit for bit (-0.0 too), not only equal ones
    assert (
        _by_id(joined)["margin"].to_numpy().tobytes() == _by_id(rows)["margin"].to_numpy().tobytes()
    )
    managers = joined["manager"]
    assert managers.isna().any() and (managers == "").any() and (managers == "Smith, John").any()


def test_nothing_to_read_is_an_empty_frame_of_the_kinds(new_db):
    engine = open_database(resolve_db(new_db()))
    with engine.connect() as conn:
        joined = read_joined(conn, _query(), KINDS)
    assert len(joined) == 0 and list(joined.columns) == list(KINDS)
    assert joined["ordered_at"].dtype == np.dtype("datetime64[us]")
    assert joined["amount"].dtype == np.float64 and joined["id"].dtype == np.int64


def test_a_text_holding_the_separator_is_read_as_rows(new_db):
    engine = _base(new_db)
    with write_transaction(engine) as conn:
        conn.execute(update(orders).where(orders.c.id == 5).values(manager="a\x1fb"))
    with engine.connect() as conn:
        assert read_joined(conn, _query(), KINDS) is None
    frame = load_orders(engine, with_manager=True)
    assert "a\x1fb" in set(frame["order_manager"])


@pytest.mark.parametrize("with_manager", [False, True])
def test_load_orders_comes_in_the_orders_own_order(new_db, with_manager):
    engine = _base(new_db)
    frame = load_orders(engine, with_manager=with_manager)
    purchases = frame[frame["booked_at"] == frame["ordered_at"]]
    # rows keep the orders' order: a return takes its purchase's key but keeps its place
    with engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(orders.c.id).order_by(orders.c.id))]
    assert len(frame) <= len(ids)
    assert purchases["order_key"].is_monotonic_increasing
    if with_manager:
        assert frame["order_manager"].isna().any() and (frame["order_manager"] == "").any()


def test_texts_too_long_for_the_database_fall_back_to_the_rows(new_db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import clientbase.db.joined as joined

    engine = _base(new_db)
    want = load_orders(engine, with_manager=True)

    def too_big(conn, query, kinds):
        raise OperationalError("SELECT group_concat(...)", {}, Exception("string or blob too big"))

    monkeypatch.setattr(joined, "read_joined", too_big)
    pd.testing.assert_frame_equal(load_orders(engine, with_manager=True), want, check_exact=True)


def test_floats_read_back_to_the_very_double():
    # The texts the databases write (SQLite: 18 digits; PostgreSQL: the shortest) read as
    # Python's float reads them, bit for bit: subnormals, the extremes, -0.0, NaN included.
    rnd = np.random.default_rng(11)
    bits = rnd.integers(0, 2**63 - 1, 20_000, dtype=np.int64).view(np.float64)
    values = [*bits[np.isfinite(bits)].tolist(), *rnd.uniform(-1e6, 1e6, 5_000).tolist()]
    values += [0.1 + 0.2, 1 / 3, 2132.98 - 5e-13, 5e-324, 1.7976931348623157e308, -0.0, 1e-7]
    for text in (",".join(f"{v:.18g}" for v in values), ",".join(repr(v) for v in values)):
        got = floats_of(text + ",nan,NaN")
        want = np.array([float(t) for t in text.split(",")] + [np.nan, np.nan])
        assert got.view(np.int64).tolist() == want.view(np.int64).tolist()


def test_amounts_in_whole_kopecks_and_others_read_back_to_the_very_double(new_db):
    # SQLite writes a value that is exactly its hundredths / 100 as those hundredths, any
    # other as its own text (db.dialect): over many generated values, on both sides of the
    # line, the doubles equal those the rows give, bit for bit.
    engine = open_database(resolve_db(new_db()))
    rnd = np.random.default_rng(7)
    cents = rnd.integers(-(10**9), 10**11, 4_000) / 100
    near = np.nextafter(cents[:1_000], np.inf)  # a hair off whole kopecks
    wide = rnd.integers(-(2**62), 2**62, 500) / 100  # hundredths past 2**53 and int64
    noise = rnd.uniform(-1e7, 1e7, 1_000)
    odd = [0.0, -0.0, 0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, 92233720368547758.07,
           -92233720368547758.08, 2.0**53 / 100, 0.005, -0.015, 1.005, 1e-7]  # fmt: skip
    values = [*cents.tolist(), *near.tolist(), *wide.tolist(), *noise.tolist(), *odd]
    with write_transaction(engine) as conn:
        cid = conn.execute(
            insert(customers).values(display_name="c", status="active", created_at=T0,
                                     updated_at=T0)
        ).inserted_primary_key[0]  # fmt: skip
        conn.execute(
            insert(orders),
            [{"customer_id": cid, "ordered_at": T0, "amount": v, "created_at": T0,
              "margin": None if i % 7 == 0 else values[-1 - i]}
             for i, v in enumerate(values)],
        )  # fmt: skip
    with engine.connect() as conn:
        joined = read_joined(conn, _query(), KINDS)
        rows = read_columns(conn, _query(), KINDS)
    for col in ("amount", "margin"):
        got, want = _by_id(joined)[col].to_numpy(), _by_id(rows)[col].to_numpy()
        assert got.tobytes() == want.tobytes(), col


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_sqlite_float_texts_read_as_each_value_alone(share):
    # db.dialect's SQLite texts: hundredths, or "~" and the value's own text; all of the one,
    # all of the other (a column of NULL margins), or mixed: each value as read alone.
    from clientbase.db.joined import floats_read

    rnd = np.random.default_rng(3)
    n = 20_000
    cents = [str(k) for k in rnd.integers(-(2**62), 2**62, n // 2)]
    cents += [str(k) for k in rnd.integers(-(10**7), 10**7, n - n // 2)]
    odd = [f"~{v:.18g}" for v in rnd.uniform(-1e9, 1e9, n)] + ["~nan", "~Inf", "~-0.0", "~5.0"]
    parts = [odd[i] if rnd.random() < share else cents[i] for i in range(n)]
    text = ",".join(parts)
    want = [float(p[1:]) if p.startswith("~") else np.int64(p) / 100 for p in parts]
    got = floats_read(text, "sqlite")
    assert got.tobytes() == np.array(want, dtype=np.float64).tobytes()


@pytest.mark.parametrize("seed", range(20))
def test_times_written_alike_read_as_each_alone(seed):
    """``_times_of`` reads texts of one width in place: the instants numpy reads of each
    string, and a text of mixed widths, or not of times, as before."""
    from clientbase.db.joined import _times_of

    rng = random.Random(seed)
    start = datetime(1900, 1, 1)

    def stamp(micro: bool) -> str:
        t = start + timedelta(seconds=rng.randrange(300 * 365 * 86_400))
        t += timedelta(microseconds=rng.randrange(1_000_000))
        return t.isoformat(sep=" ", timespec="microseconds" if micro else "seconds")

    n = rng.randrange(1, 400)
    for texts in (
        [stamp(True) for _ in range(n)],
        [stamp(False) for _ in range(n)],
        [stamp(rng.random() < 0.5) for _ in range(n)] + [stamp(True), stamp(False)],
        [stamp(True)[:10] for _ in range(n)],
    ):
        expected = np.array(texts, dtype="datetime64[us]")
        got = _times_of(",".join(texts))
        assert got.dtype == expected.dtype
        assert got.tolist() == expected.tolist()
    for bad in ("2024-02-30 00:00:00", "2024-13-01 00:00:00", "2024-01-01 24:00:01", "x" * 19):
        texts = [stamp(False) for _ in range(3)] + [bad]
        with pytest.raises(ValueError):
            np.array(texts, dtype="datetime64[us]")
        with pytest.raises(ValueError):
            _times_of(",".join(texts))
