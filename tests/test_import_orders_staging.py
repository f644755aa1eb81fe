"""The orders import's two roads: a large CSV is read in a worker process while the main one
writes, a small file in-process. Both must leave the same base behind; and each customer is
matched once per identity, with the newest row having the last word."""

from __future__ import annotations

import random

from conftest import Cli, write
from sqlalchemy import select

from clientbase.db.models import customers, import_rows, orders

HEADER = "Дата;Номер заказа;Код клиента;Клиент;Телефон;Товар;Кол-во;Сумма;Менеджер;Канал;Статус"
MANAGERS = ("Анна", "Олег", "Ирина")
CHANNELS = ("Авито", "Сайт", "Телефон", "")


def _sales(lines: int, seed: int = 7) -> str:
    """Invoices of 1-3 lines from 60 customers, some without their phone on the row, each with
    a manager and a channel that change now and then; a few returns, cancellations and broken
    rows among them."""
    rnd = random.Random(seed)
    rows, order, n = [HEADER], 5000, 0
    while n < lines:
        order += 1
        k = rnd.randrange(60)
        day = f"{1 + n * 28 // lines:02d}.{1 + k % 12:02d}.2025"
        phone = f"8 916 {k:03d}-{k % 100:02d}-11" if rnd.random() < 0.8 else ""
        who = f"К-{k:03d};Покупатель {k} Иванович;{phone}"
        manager, channel = rnd.choice(MANAGERS), rnd.choice(CHANNELS)
        status = rnd.choices(("Выполнен", "Отменён", "Возврат"), (90, 5, 5))[0]
        for line in range(rnd.choice((1, 1, 2, 3))):
            amount = f"{rnd.randrange(100, 9000)},{rnd.randrange(100):02d}"
            if rnd.random() < 0.02:
                amount = "-" + amount  # a returned line
            if rnd.random() < 0.01:
                amount = "n/a"  # rejected with its row number
            rows.append(
                f"{day};{order};{who};Товар {line};{1 + line};{amount};{manager};{channel};{status}"
            )
            n += 1
    rows.append("01.03.2025;9999;;;;Товар;1;100;Анна;;Выполнен")  # no customer: rejected
    return "\n".join(rows) + "\n"


def _base(cli: Cli) -> dict:
    with cli.engine().connect() as conn:
        o = orders.c
        return {
            "orders": conn.execute(
                select(
                    o.id,
                    o.customer_id,
                    o.external_id,
                    o.ordered_at,
                    o.amount,
                    o.quantity,
                    o.product,
                    o.manager,
                    o.channel,
                    o.status,
                ).order_by(o.id)
            ).all(),
            "customers": conn.execute(
                select(
                    customers.c.id,
                    customers.c.display_name,
                    customers.c.external_id,
                    customers.c.manager,
                    customers.c.source,
                ).order_by(customers.c.id)
            ).all(),
            "rows": conn.execute(
                select(
                    import_rows.c.row_number,
                    import_rows.c.outcome,
                    import_rows.c.reason,
                    import_rows.c.customer_id,
                    import_rows.c.raw,
                ).order_by(import_rows.c.row_number)
            ).all(),
        }


def test_worker_road_leaves_the_same_base(new_db, tmp_path, monkeypatch):
    from clientbase.importers import pipeline

    path = write(tmp_path / "sales.csv", _sales(2500))
    serial = Cli(new_db("serial"))
    s1 = serial.json("import", path, expect=3)

    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 300)  # orders and customers cross chunks
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)  # even on a one-core runner
    from clientbase.importers import orders_writer

    used = []
    real_pool = orders_writer.worker_pool
    monkeypatch.setattr(
        orders_writer, "worker_pool", lambda *a, **k: used.append(1) or real_pool(*a, **k)
    )
    parallel = Cli(new_db("parallel"))
    s2 = parallel.json("import", path, expect=3)
    assert len(used) == 2, "the worker road (a reading and a cleaning worker) was not taken"

    keys = ("rows_read", "created", "duplicates", "rejected", "customers_created", "returns")
    assert [s2[k] for k in keys] == [s1[k] for k in keys]
    assert s1["rows_read"] == 2501 and s1["customers_created"] == 60
    assert s1["files"][0]["rejects"] == s2["files"][0]["rejects"]
    reasons = [r["reason"] for r in s1["files"][0]["rejects"]]
    assert reasons[-1].startswith("no customer") and s1["rejected"] == len(reasons) > 1
    assert _base(serial) == _base(parallel)

    # The worker process starts afresh: it is told the command's language for its reasons.
    russian = Cli(new_db("russian"))
    s3 = russian.json("--lang", "ru", "import", path, expect=3)
    assert s3["files"][0]["rejects"][-1]["reason"].startswith("нет клиента")


def _import_both_ways(
    new_db, monkeypatch, path, *before, options=(), expect=3
) -> tuple[dict, dict, list]:
    """The file imported into an empty base with an order's lines staged as one row (SQLite's
    first load) and with every line staged by itself: the summary and base of the first, and
    for each import whether its staged rows were whole orders in key order (no GROUP BY)."""
    from clientbase.importers import orders_writer, pipeline

    rising: list = []
    real_insert = orders_writer.OrderWriter._insert_orders
    real_init = orders_writer.OrderWriter.__init__

    def insert_orders(self, agg):
        rising.append(self._grouped and self._rising)
        return real_insert(self, agg)

    def line_by_line(self, *a, **k):
        real_init(self, *a, **k)
        self._grouped = False

    out = []
    for way in ("grouped", "lines"):
        with monkeypatch.context() as m:
            m.setattr(pipeline, "CHUNK_ROWS", 7)  # orders cross chunks all the time
            m.setattr(orders_writer.OrderWriter, "_insert_orders", insert_orders)
            if way == "lines":
                m.setattr(orders_writer.OrderWriter, "__init__", line_by_line)
            cli = Cli(new_db(f"{path.stem}-{way}"))
            for command in before:
                cli(*command)
            out.append((cli.json("import", path, *options, expect=expect), _base(cli)))
    (s1, b1), (s2, b2) = out
    keys = ("rows_read", "created", "duplicates", "rejected", "customers_created", "returns")
    assert [s1[k] for k in keys] == [s2[k] for k in keys]
    assert s1["files"][0]["rejects"] == s2["files"][0]["rejects"]
    assert b1 == b2
    assert len(rising) == 2 and rising[1] is False
    return s1, b1, rising


def test_orders_staged_whole_leave_the_same_base(new_db, tmp_path, monkeypatch):
    """An order's lines that follow each other are staged as one row of their sums, added up
    in file order as SQL's SUM does (amounts with kopecks: another order of adding would show
    in the last bits), also when an order goes on in the next chunk; rejected rows among them
    keep their place. Rising order numbers need no GROUP BY at the end."""
    text = _sales(700)
    s, base, rising = _import_both_ways(new_db, monkeypatch, write(tmp_path / "s.csv", text))
    assert s["duplicates"] > 100 and s["rejected"] > 1 and len(base["orders"]) == s["created"]
    sqlite = not new_db("probe").startswith("postgresql")
    assert rising[0] is sqlite  # PostgreSQL stages every line and sums them with GROUP BY
    # The same lines shuffled: an order's lines apart, the numbers no longer rising.
    head, *body = text.splitlines()
    random.Random(3).shuffle(body)
    shuffled = write(tmp_path / "shuffled.csv", "\n".join([head, *body]) + "\n")
    s2, base2, rising = _import_both_ways(new_db, monkeypatch, shuffled)
    assert rising == [False, False] and s2["created"] == s["created"]
    assert sorted(o[2] for o in base2["orders"]) == sorted(o[2] for o in base["orders"])


def test_a_late_line_after_its_order_was_written(new_db, tmp_path, monkeypatch):
    """Order numbers rise for many chunks, so their orders are written as they come; then a
    line of the first order comes last. The orders written are taken back and everything is
    summed again: the same base as staging every line by itself (ids in key order too)."""
    from clientbase.importers import orders_writer

    flushed = []
    real_flush = orders_writer.OrderWriter._flush_orders

    def flush(self):
        flushed.append(self._staged - self._flushed)
        return real_flush(self)

    monkeypatch.setattr(orders_writer.OrderWriter, "_flush_orders", flush)
    head, *body = _sales(300).splitlines()
    path = write(tmp_path / "late.csv", "\n".join([head, *body, body[0]]) + "\n")
    s, base, rising = _import_both_ways(new_db, monkeypatch, path)
    assert rising == [False, False]
    sqlite = not new_db("probe").startswith("postgresql")
    assert (sum(flushed) > 100) is sqlite  # orders were in before the late line came
    first = [o for o in base["orders"] if o[2] == body[0].split(";")[1]]
    assert len(first) == 1 and first[0][0] == 1  # its order keeps the first number
    assert len(base["orders"]) == s["created"]


def test_orders_staged_whole_with_customers_rejected(new_db, tmp_path, monkeypatch):
    """--no-create-missing into a base of contacts only: the lines of unknown customers are
    rejected in their place, the others staged as whole orders."""
    contacts = write(tmp_path / "c.csv", "Код клиента;ФИО\nК-001;Иванов Иван\nК-002;Петров Пётр\n")
    text = HEADER + "\n" + "\n".join(
        f"0{1 + i // 9}.02.2025;{100 + i // 3};К-00{1 + i % 4};Покупатель;;Товар {i};1;"
        f"{10 + i},{i:02d};Анна;Сайт;Выполнен"
        for i in range(40)
    ) + "\n"  # fmt: skip
    s, _base_left, _rising = _import_both_ways(
        new_db, monkeypatch, write(tmp_path / "s.csv", text), ("import", contacts),
        options=("--no-create-missing",),
    )  # fmt: skip
    assert s["rejected"] > 10 and s["created"] > 0


def test_newest_row_sets_the_manager(cli, tmp_path, monkeypatch):
    """The same customer with managers Анна, Олег, then Анна again (the same identity as the
    first row): the card keeps Анна, from the last row, even with the rows in separate chunks."""
    from clientbase.importers import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)
    text = (
        f"{HEADER}\n"
        "01.02.2025;1;К-1;Иванов Иван;89161112233;Куртка;1;100;Анна;Сайт;Выполнен\n"
        "02.02.2025;2;К-1;Иванов Иван;89161112233;Шапка;1;200;Олег;Сайт;Выполнен\n"
        "03.02.2025;3;К-2;Петров Пётр;;Шарф;1;300;Олег;;Выполнен\n"
        "04.02.2025;4;К-1;Иванов Иван;89161112233;Шарф;1;300;Анна;Авито;Выполнен\n"
    )
    s = cli.json("import", write(tmp_path / "s.csv", text))
    assert (s["created"], s["customers_created"]) == (4, 2)
    people = {c["external_id"]: c for c in cli.contacts()}
    assert people["К-1"]["manager"] == "Анна"
    assert people["К-1"]["source"] == "Сайт"  # the first channel stays the customer's source
    with cli.engine().connect() as conn:
        mine = conn.execute(
            select(orders.c.manager).where(orders.c.customer_id == people["К-1"]["id"])
        ).scalars()
        assert list(mine) == ["Анна", "Олег", "Анна"]
