"""Migration 0006: the orders' index by customer and time (with the columns the analyses sum)
replaces the index on the customer alone, and going back restores it, orders untouched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, inspect, select

from clientbase.config import resolve_db
from clientbase.db.engine import open_database, write_transaction
from clientbase.db.models import customers, orders

T0 = datetime(2026, 1, 1)


def _indexes(engine) -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("orders")}


def test_upgrade_and_downgrade_of_the_orders_index(new_db):
    from alembic import command

    from clientbase.db.migrate import _alembic_config

    engine = open_database(resolve_db(new_db()))
    with write_transaction(engine) as conn:
        cid = conn.execute(
            insert(customers).values(
                display_name="a", status="active", created_at=T0, updated_at=T0
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(orders),
            [{"customer_id": cid, "ordered_at": T0, "amount": float(i), "created_at": T0}
             for i in range(3)],
        )  # fmt: skip
    found = _indexes(engine)
    assert found["ix_orders_customer_time"] == [
        "customer_id", "ordered_at", "status", "amount", "margin"
    ]  # fmt: skip
    assert "ix_orders_customer_id" not in found
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0005")
    engine.dispose()
    found = _indexes(engine)
    assert found["ix_orders_customer_id"] == ["customer_id"]
    assert "ix_orders_customer_time" not in found
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
        assert conn.execute(select(func.sum(orders.c.amount))).scalar() == 3.0
    engine.dispose()
    assert "ix_orders_customer_time" in _indexes(engine)
