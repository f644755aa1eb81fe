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
    assert cli("analyze", "abc-xyz", expect=1).stderr.startswith(
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
        in shop("analyze", "abc-xyz", "--compare", "2025-Q1", "2025-Q3", expect=1).stderr
    )


def test_table_lists_the_first_customers_and_says_how_many_more(shop):
    args = ("analyze", "abc-xyz", "--from", "2025-01-01", "--to", "2025-12-31")
    everyone = shop.json(*args)["customers"]
    out = shop(*args, "--limit", "5").stdout
    assert "23 customers" in out
    assert "... and 18 more customers (all of them: --format csv or json" in out
    for listed in everyone[:5]:
        assert listed["name"] in out
    assert everyone[5]["name"] not in out
    rows = shop(*args, "--format", "csv", "--limit", "3").stdout.splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == [str(c["id"]) for c in everyone[:3]]
    limited = shop.json(*args, "--limit", "2")
    assert limited["customers"] == everyone[:2]
    assert sum(c["customers"] for c in limited["matrix"].values()) == 23  # the matrix: all
    # Without --limit: csv and json list all; a table of 23 needs no note.
    assert len(shop(*args, "--format", "csv").stdout.splitlines()) == 24
    assert "more customers" not in shop(*args).stdout


def test_table_of_a_large_base_stops_at_fifty(cli, tmp_path):
    lines = ["Дата;Номер заказа;Код клиента;Клиент;Сумма"]
    for i in range(60):
        lines.append(f"{1 + i % 28:02d}.03.2025;{1000 + i};K-{i:03d};Клиент {i:03d};{100 + i * 10}")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli("import", path, "--as", "orders")
    out = cli("analyze", "abc-xyz", "--as-of", "2025-03-31").stdout
    assert "60 customers" in out and "... and 10 more customers" in out
    assert "Клиент 059" in out and "Клиент 009" not in out  # the first 50 by revenue
    assert len(cli.json("analyze", "abc-xyz", "--as-of", "2025-03-31")["customers"]) == 60
