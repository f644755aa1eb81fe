"""`analyze abc-xyz` on the example shop: the matrix, the list, per manager, the migration."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES


@pytest.fixture
def shop(cli):
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("import", EXAMPLES / "продажи_2025.csv", expect=3)
    return cli


def test_matrix_and_customers(shop):
    d = shop.json(
        "analyze", "abc-xyz", "--from", "2025-01-01", "--to", "2025-12-31", "--xyz", "50,100"
    )
    p = d["params"]
    assert (p["period"], p["metric"], p["abc"], p["xyz"]) == (
        "month",
        "revenue",
        [80.0, 95.0],
        [50.0, 100.0],
    )
    assert len(p["periods"]) == 12 and "crosses a cut-off stays in the upper class" in p["rules"]
    cells = d["matrix"]
    assert {"AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ"} <= set(cells)
    assert sum(c["customers"] for c in cells.values()) == len(d["customers"]) == 23
    assert round(sum(c["share_revenue"] for c in cells.values()), 2) == 100.0
    revenues = [c["revenue"] for c in d["customers"]]
    assert revenues == sorted(revenues, reverse=True)
    top = d["customers"][0]
    assert set(top) >= {"id", "name", "abc", "xyz", "revenue", "orders", "cv"} and top["abc"] == "A"
    # The cancelled and returned orders are not counted.
    total = sum(c["revenue"] for c in cells.values())
    assert total == pytest.approx(sum(c["revenue"] for c in d["customers"]))


def test_per_manager_and_migration(shop):
    d = shop.json(
        "analyze", "abc-xyz", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "manager"
    )
    managers = {row["group"] for row in d["portfolio"]}
    assert managers == {"Анна Смирнова", "Олег Петров", "Ирина Кузнецова"}
    assert sum(row["customers"] for row in d["portfolio"]) == len(d["customers"])
    m = shop.json("analyze", "abc-xyz", "--compare", "2025-Q1", "2025-Q4", "--by", "manager")
    assert m["from"]["start"] == "2025-01-01" and m["to"]["end"] == "2025-12-31"
    assert set(m["migration"]) == {"A", "B", "C", "new"}
    moved = sum(v for row in m["migration"].values() for v in row.values())
    assert moved == sum(r["customers"] for r in m["by"])
    moved = shop.json("analyze", "abc-xyz", "--compare", "2025-Q1", "2025-Q4", "--names", "A", "B")
    assert len(moved["names"]) == m["migration"]["A"]["B"] and all(
        n["name"] for n in moved["names"]
    )
    csv_out = shop("analyze", "abc-xyz", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "id,name,abc,xyz,revenue,orders,cv"


def test_usage_errors(cli):
    assert cli("analyze", "abc-xyz", expect=2).stderr.startswith(
        "clientbase: error: there are no orders"
    )
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("import", EXAMPLES / "продажи_2025.csv", expect=3)
    assert "--abc" in cli("analyze", "abc-xyz", "--abc", "80", expect=2).stderr
    assert "ABC cut-offs" in cli("analyze", "abc-xyz", "--abc", "95,80", expect=2).stderr
    assert "window" in cli("analyze", "abc-xyz", "--compare", "2025-Q5", "2025-Q1", expect=2).stderr


def test_snapshots_keep_the_history(shop):
    q1 = shop.json(
        "analyze",
        "abc-xyz",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--snapshot",
        "--label",
        "2025-Q1",
    )
    assert q1["snapshot"] == "2025-Q1"
    shop(
        "analyze",
        "abc-xyz",
        "--from",
        "2025-10-01",
        "--to",
        "2025-12-31",
        "--snapshot",
        "--label",
        "2025-Q4",
    )
    listed = shop.json("analyze", "abc-xyz", "--snapshots")
    assert [(s["label"], s["start"], s["customers"]) for s in listed] == [
        ("2025-Q1", "2025-01-01", len(q1["customers"])),
        ("2025-Q4", "2025-10-01", listed[1]["customers"]),
    ]
    live = shop.json("analyze", "abc-xyz", "--compare", "2025-01-01..2025-03-31", "2025-Q4")
    stored = shop.json("analyze", "abc-xyz", "--compare", "2025-Q1", "2025-Q4")
    assert stored["migration"] == live["migration"] and stored["rules"].startswith("(stored")
    # The history outlives the orders behind it.
    shop("imports", "undo", "2")
    assert (
        shop.json("analyze", "abc-xyz", "--compare", "2025-Q1", "2025-Q4")["migration"]
        == live["migration"]
    )
    assert (
        "no orders"
        in shop("analyze", "abc-xyz", "--compare", "2025-Q1", "2025-Q3", expect=2).stderr
    )
