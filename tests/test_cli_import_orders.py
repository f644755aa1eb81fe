"""Orders through `clientbase import`: lines summed per order, customers found or created."""

from __future__ import annotations

import openpyxl
from conftest import write
from sqlalchemy import select

from clientbase.db.models import orders

SALES = (
    "Дата;Номер заказа;Код клиента;Клиент;Телефон;Товар;Кол-во;Сумма;Себестоимость;Менеджер;Канал;Статус\n"
    '05.01.2026;1001;К-001;Иванов Иван;8 916 123-45-67;Куртка;1;"12 500,00 ₽";7000;Анна;Авито;Выполнен\n'
    '05.01.2026;1001;К-001;Иванов Иван;8 916 123-45-67;Шапка;2;"1 200,00 ₽";500;Анна;Авито;Выполнен\n'
    "10.02.2026;1002;К-002;Петрова Мария;;Платье;1;8900;4000;Олег;Instagram;Выполнен\n"
    "11.02.2026;1003;К-001;Иванов Иван;;Шарф;1;1500;600;Анна;;Отменён\n"
    "12.02.2026;;;;;Носки;1;300;;Олег;;\n"
    "13.02.2026;1004;К-003;;;Перчатки;1;abc;;Олег;;\n"
)


def all_orders(cli):
    with cli.engine().connect() as conn:
        return conn.execute(select(orders).order_by(orders.c.id)).all()


def test_orders_recognised_and_lines_summed(cli, tmp_path):
    write(
        tmp_path / "contacts.csv", "ФИО;Телефон;Город\nИванов Иван Петрович;+7 916 123 45 67;Тула\n"
    )
    cli("import", tmp_path / "contacts.csv")
    s = cli.json("import", write(tmp_path / "sales.csv", SALES), expect=3)
    f = s["files"][0]
    assert (f["kind"], s["rows_read"], s["created"], s["duplicates"], s["rejected"]) == (
        "orders",
        6,
        3,
        1,
        2,
    )
    assert [r["row"] for r in f["rejects"]] == [6, 7]
    assert "amount 'abc'" in f["rejects"][1]["reason"]
    o = all_orders(cli)
    assert [(r.external_id, r.amount, r.cost, r.margin, r.status) for r in o] == [
        ("1001", 13700.0, 7500.0, 6200.0, "Выполнен"),
        ("1002", 8900.0, 4000.0, 4900.0, "Выполнен"),
        ("1003", 1500.0, 600.0, 900.0, "cancelled"),
    ]
    # Иванов was found by his phone (and got his client code); Петрова was created from the row.
    people = {c["name"]: c for c in cli.contacts()}
    ivanov = people["Иванов Иван Петрович"]
    assert ivanov["external_id"] == "К-001" and s["customers_created"] == 1
    assert o[0].customer_id == o[2].customer_id == ivanov["id"]
    assert people["Петрова Мария"]["source"] == "Instagram"
    day = "2026-02-10"  # the last order's day: the card, the analyses and the listing agree
    card = cli.json("contacts", "show", str(ivanov["id"]), "--as-of", day)
    # The card carries the ABC/XYZ class of the 12 months up to the as-of day.
    rfm = card["classes"].pop("rfm")
    assert card["classes"] == {"window": "2025-03-01 .. 2026-02-10", "abc": "A", "xyz": "-"}
    # ... and the RFM segment and lifecycle stage the analyses and the listing give.
    scored = cli.json("analyze", "rfm", "--as-of", day)["customers"]
    listed = next(c for c in scored if c["id"] == ivanov["id"])
    assert rfm == {k: listed[k] for k in ("r", "f", "m", "segment")} | {"as_of": day}
    on_day = {c["id"]: c for c in cli.json("contacts", "list", "--as-of", day)}
    assert card["lifecycle"]["stage"] == on_day[ivanov["id"]]["lifecycle"] == "new"
    # Without --as-of everything counts to today, the card as much as the listing.
    today = cli.json("contacts", "show", str(ivanov["id"]))
    assert today["lifecycle"]["stage"] == ivanov["lifecycle"]
    assert card["orders"] == {
        "count": 1,
        "revenue": 13700.0,
        "first": "2026-01-05 00:00:00",
        "last": "2026-01-05 00:00:00",
    }  # the cancelled one is left out


def test_reread_updates_instead_of_adding_and_undo(cli, tmp_path):
    cli("import", write(tmp_path / "sales.csv", SALES), expect=3)
    newer = SALES.replace("8900;4000;Олег;Instagram;Выполнен", "8900;4000;Олег;Instagram;Возврат")
    s = cli.json("import", write(tmp_path / "sales2.csv", newer), expect=3)
    assert (s["created"], s["updated"], s["unchanged"]) == (0, 1, 2)
    assert [r.status for r in all_orders(cli)] == ["Выполнен", "returned", "cancelled"]
    cli("imports", "undo", "2")
    assert [r.status for r in all_orders(cli)] == ["Выполнен", "Выполнен", "cancelled"]
    assert cli.json("imports", "undo", "1")["orders_removed"] == 3
    assert all_orders(cli) == []


def test_no_create_missing_and_forced_kind(cli, tmp_path):
    s = cli.json("import", write(tmp_path / "sales.csv", SALES), "--no-create-missing", expect=3)
    assert s["created"] == 0 and s["rejected"] == 6
    assert "not in the base" in s["files"][0]["rejects"][0]["reason"]
    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов;89161234567\n")
    r = cli("import", tmp_path / "c.csv", "--as", "orders", expect=1)
    assert "no date and no amount column for orders" in r.stderr


def test_orders_from_a_workbook_with_typed_cells(cli, tmp_path):
    from datetime import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Дата продажи", "Покупатель", "Email", "Сумма"])
    ws.append([datetime(2026, 3, 1, 14, 30), "ООО Вектор", "zakaz@vector.ru", 25000])
    ws.append([datetime(2026, 3, 2), "ООО Вектор", "ZAKAZ@vector.ru", 1250.5])
    wb.save(tmp_path / "sales.xlsx")
    s = cli.json("import", tmp_path / "sales.xlsx")
    assert (s["created"], s["customers_created"]) == (2, 1)
    assert [(r.ordered_at.isoformat(sep=" "), r.amount) for r in all_orders(cli)] == [
        ("2026-03-01 14:30:00", 25000.0),
        ("2026-03-02 00:00:00", 1250.5),
    ]


def test_namesakes_with_different_client_codes_stay_apart(cli, tmp_path):
    text = (
        "Дата;Номер заказа;Код клиента;Клиент;Сумма\n"
        "01.03.2026;1;К-001;Коваленко Карина;100\n"
        "02.03.2026;2;К-002;Коваленко Карина;200\n"
        "03.03.2026;3;К-001;Коваленко Карина;300\n"
    )
    s = cli.json("import", write(tmp_path / "s.csv", text))
    assert (s["created"], s["customers_created"]) == (3, 2)
    codes = sorted(c["external_id"] for c in cli.contacts())
    assert codes == ["К-001", "К-002"]
    orders_of = {
        c["external_id"]: cli.json("contacts", "show", str(c["id"]))["orders"]["count"]
        for c in cli.contacts()
    }
    assert orders_of == {"К-001": 2, "К-002": 1}


def test_a_customer_label_that_is_not_a_name_is_kept(cli, tmp_path):
    # "Покупатель 001" is no ФИО, but it is how the shop knows the customer: imported, not rejected.
    write(
        tmp_path / "o.csv",
        "Дата;Клиент;Код клиента;Сумма\n01.02.2025;Покупатель 001;K-001;1000\n"
        "03.02.2025;Покупатель 001;K-001;500\n04.02.2025;12345;;700\n",
    )
    r = cli.json("import", tmp_path / "o.csv", "--as", "orders", expect=3)
    assert (r["created"], r["rejected"]) == (2, 1)
    people = cli.contacts()
    assert [p["name"] for p in people] == ["Покупатель 001"]
