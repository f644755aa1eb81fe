"""The report reads the orders without their managers and looks up the manager of only the rows
that need one (``ReportSource.order_managers``): the rows of the two windows, a return by its
own row (not its purchase's), and the orders of customers without a manager of their own. Its
sections must come out as when every order's manager was read with the orders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property

import pytest
from sqlalchemy import insert

from clientbase.config import resolve_db
from clientbase.db.engine import open_database, write_transaction
from clientbase.db.models import customers, orders
from clientbase.reports.periods import windows
from clientbase.services import report_source
from clientbase.services.analytics import load_orders
from clientbase.services.report_sections import SECTION_FUNCS
from clientbase.services.report_source import ReportSource

AS_OF = date(2025, 12, 31)
T0 = datetime(2025, 1, 1)


class EveryManager(ReportSource):
    """The report's source as it was: every order's manager read with the orders."""

    @cached_property
    def orders(self):
        return load_orders(self.engine, with_manager=True, with_row_key=True)

    def order_managers(self, rows):
        return rows["order_manager"]


def _fill(engine) -> None:
    def person(conn, name, manager):
        return conn.execute(
            insert(customers).values(display_name=name, manager=manager, status="active",
                                     created_at=T0, updated_at=T0)
        ).inserted_primary_key[0]  # fmt: skip

    def order(conn, cid, when, amount, manager, status=None):
        conn.execute(
            insert(orders).values(customer_id=cid, ordered_at=when, amount=amount,
                                  manager=manager, status=status, created_at=T0)
        )  # fmt: skip

    in_window = datetime(2025, 12, 20, 12)
    with write_transaction(engine) as conn:
        anna = person(conn, "Свой менеджер", "Анна")
        order(conn, anna, in_window, 1000, "Борис")
        # returned after the window by someone else: the minus is Вера's, in the window
        order(conn, anna, datetime(2026, 1, 10), -300, "Вера", status="return")
        order(conn, anna, datetime(2025, 6, 1), 500, "Анна")
        nobody = person(conn, "Без менеджера", None)
        for day in (3, 4, 5):  # Глеб sold them the most, all before the windows
            order(conn, nobody, datetime(2025, 3, day), 100, "Глеб")
        order(conn, nobody, in_window, 2000, "Дина")
        order(conn, nobody, datetime(2025, 11, 25), 50, None)  # the previous window
        tie = person(conn, "Ничья", None)
        order(conn, tie, datetime(2025, 4, 1), 10, "Юлия")
        order(conn, tie, in_window - timedelta(days=3), 20, "Ефим")  # a tie: the first name
        order(conn, tie, datetime(2025, 4, 2), 30, "Ефим", status="cancelled")


@pytest.fixture
def engine(new_db):
    engine = open_database(resolve_db(new_db("managers")))
    _fill(engine)
    return engine


def _sections(cls, engine, monkeypatch, ids_per_query=None):
    if ids_per_query is not None:
        monkeypatch.setattr(report_source, "_IDS_PER_QUERY", ids_per_query)
    cur, prev = windows("30d", AS_OF)
    src = cls(engine, cur, prev, AS_OF)
    return {name: SECTION_FUNCS[name](src) for name in ("sales", "abcxyz", "migrations")}


@pytest.mark.parametrize("ids_per_query", [None, 1])
def test_the_managers_read_for_some_rows_give_the_same_sections(engine, monkeypatch, ids_per_query):
    want = _sections(EveryManager, engine, monkeypatch)
    got = _sections(ReportSource, engine, monkeypatch, ids_per_query)
    assert got == want
    by_manager = {r["manager"]: r["revenue"] for r in got["sales"]["by_manager"]}
    # the order of the previous window without a manager: "—", nothing in the current one
    assert by_manager == {"Дина": 2000.0, "Борис": 1000.0, "Ефим": 20.0, "—": 0.0, "Вера": -300.0}
    groups = {r["manager"]: r["customers"] for r in got["abcxyz"]["by_manager"]}
    assert groups == {"Анна": 1, "Глеб": 1, "Ефим": 1}


def test_every_order_manager_is_read_at_once_for_many_customers(engine, monkeypatch):
    monkeypatch.setattr(report_source, "_IDS_AT_MOST", 0)
    want = _sections(EveryManager, engine, monkeypatch)
    assert _sections(ReportSource, engine, monkeypatch) == want
