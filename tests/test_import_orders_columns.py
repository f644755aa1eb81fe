"""The columnar road of the orders import (importers/orders_columns): a plain chunk is read a
column at a time. It must give exactly what
the row road gives for the same rows: the same order lines, identities, rejects and reasons."""

from __future__ import annotations

import pickle
import random

from conftest import write
from sqlalchemy import select

from clientbase.db.models import import_rows
from clientbase.importers.clean import Rejected
from clientbase.importers.orders import build_order_mapping
from clientbase.importers.orders_columns import (
    _FOLDS,
    ColumnRows,
    _or_none,
    fold_each,
    fold_whole,
    plain_columns,
)
from clientbase.importers.orders_rows import OrderRows, RowsChunk, record_of, record_parts
from clientbase.importers.rawrow import read_raw
from clientbase.importers.records import ContactRecord, UnreadableRow

RU = ["Дата", "Номер заказа", "Код клиента", "Клиент", "Телефон", "Email", "Город", "Товар",
      "Категория", "Кол-во", "Цена", "Сумма", "Себестоимость", "Скидка", "Менеджер", "Канал",
      "Статус", "Валюта", "Комментарий"]  # fmt: skip
SHOP = ["Name", "Email", "Financial Status", "Paid at", "Created at", "Currency", "Total",
        "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name",
        "Billing Phone", "Cancelled at"]  # fmt: skip
DATES = ("01.02.2025", "1.2.2025 10:30", "2025-02-03", "2025-02-03 08:15:00", "3/2/2025",
         "12/31/2024", "31.02.2025", "вчера", "", " 05.02.2025 ", "2025-13-01", "45000")  # fmt: skip
AMOUNTS = ("1560", "4770,00", "8 490,00 руб.", "1 234.5", "-350", "0", "", "n/a", "1e400",
           "12,5", "$1,200.00", "-9.2e18", " 99 ", "1.234,56", "abc", "99999999999999", "-0",
           "007", "12\n5", "\u0663\u0664")  # fmt: skip
# Plain numbers are read a column at a time (one out of range among them), the rest by
# parse_amount; a cell with a line break or other digits than 0-9 is never plain.
STATUSES = ("Выполнен", "Отменён", "Возврат", "", "Частичный возврат", "paid", "refunded",
            "partially_refunded", "voided")  # fmt: skip


def _ru_rows(rnd: random.Random, n: int) -> list[list[str]]:
    rows, order = [], 100
    while len(rows) < n:
        order += 1
        k = rnd.randrange(40)
        oid = rnd.choice((str(order), str(order), f"C{order}", "", f"Возврат {order}"))
        head = [
            rnd.choice(DATES), oid, rnd.choice((f"К-{k}", f"К-{k}", "", " ")),
            rnd.choice((f"Иванов Пётр {k}", f"ООО Ромашка {k}", "", "Итого", "ИТОГО по отделу")),
            rnd.choice((f"8 916 {k:03d}-11-22", f"+7916{k:07d}", "", "12345")),
            rnd.choice((f"p{k}@mail.ru", "", "не указан")),
            rnd.choice(("Москва", "", "Казань")),
        ]  # fmt: skip
        for line in range(rnd.choice((1, 1, 2, 3))):
            cells = head if line == 0 else [rnd.choice(("", head[0])), oid, *[
                rnd.choice(("", c)) for c in head[2:]]]  # fmt: skip
            rows.append([
                *cells, f"Товар {rnd.randrange(9)}", rnd.choice(("Обувь", "")),
                rnd.choice(("1", "2", "-1", "", "0,5", "x")), rnd.choice(AMOUNTS),
                rnd.choice(AMOUNTS), rnd.choice(AMOUNTS), rnd.choice(("", "10", "5,5")),
                rnd.choice(("Анна", "Олег", "")), rnd.choice(("Сайт", "Авито", "")),
                rnd.choice(STATUSES), rnd.choice(("rub", "RUB", "usd ", "")),
                rnd.choice(("", "позвонить", "a, , b \"q\"")),
            ])  # fmt: skip
    if rows:
        rows[rnd.randrange(len(rows))] = [""] * len(RU)  # a blank row
        rows[rnd.randrange(len(rows))] = [" "] * len(RU)
    return rows[:n]


def _shop_rows(rnd: random.Random, n: int) -> list[list[str]]:
    rows, order = [], 1000
    while len(rows) < n:
        order += 1
        k = rnd.randrange(30)
        for line in range(rnd.choice((1, 2, 4))):
            first = line == 0
            rows.append([
                f"#{order}", f"c{k}@shop.com" if first or rnd.random() < 0.3 else "",
                rnd.choice(STATUSES) if first else "",
                rnd.choice(("2024-03-01 10:00:00 +0300", "")) if first else "",
                rnd.choice(DATES) if first or rnd.random() < 0.2 else "",
                rnd.choice(("RUB", "USD", "")) if first else "",
                rnd.choice(AMOUNTS) if first else "", rnd.choice(("1", "2", "-1", "")),
                f"Item {line}", rnd.choice(AMOUNTS), rnd.choice(("SKU-1", "")),
                f"Buyer {k}" if first else "", rnd.choice(("+1 212 555 01{k:02d}", "")),
                rnd.choice(("", "", "2024-03-02 11:00:00 +0300")) if first else "",
            ])  # fmt: skip
    return rows[:n]


_BY_COLUMNS: list[int] = []  # per _both_roads, its chunks whose lines came as columns


def _both_roads(header: list[str], rows: list[list[str]], chunk: int) -> tuple[list, list]:
    mapping = build_order_mapping(header, {})
    numbered = [(i + 2, r) for i, r in enumerate(rows)]
    chunks = [numbered[i : i + chunk] for i in range(0, len(numbered), chunk)]
    by_rows = OrderRows("RU", "import")
    by_columns = ColumnRows("RU", "import")
    old = [by_rows.parse(mapping, [(n, list(c)) for n, c in part], "Лист") for part in chunks]
    parts = [[(n, list(c)) for n, c in part] for part in chunks]
    assert all(plain_columns(p) is not None for p in parts)
    new = [by_columns.parse_rows(mapping, p, "Лист") for p in parts]
    for chunk in new:  # the lines in the cells form, rejected rows named (rawrow)
        assert all(i[18].startswith("[") for i in chunk.items if i[0] is not None)
        assert all(i[4].startswith("{") for i in chunk.items if i[0] is None)
    _BY_COLUMNS.append(sum(c.columns is not None for c in new))
    return [_named(c, header) for c in old], [_named(c, header) for c in new]


def _named(chunk: RowsChunk, header: list[str]) -> RowsChunk:
    """The chunk with each raw record read back as the dict of its cells (either form), its
    lines as rows (a chunk whose rows were all accepted comes as columns)."""
    if chunk.columns is not None:
        cols = chunk.columns
        assert cols[-1] == [
            "order " + k if h else None for k, h in zip(cols[1], cols[2], strict=True)
        ]
        chunk = chunk._replace(items=list(zip(*cols[:-1], strict=True)), columns=None)
    items = [
        (*i[:18], read_raw(i[18], header), *i[19:])
        if i[0] is not None
        else (*i[:4], read_raw(i[4], header))
        for i in chunk.items
    ]
    return chunk._replace(items=items)


def test_columns_give_what_rows_give_russian_sales():
    for seed in range(6):
        rnd = random.Random(seed)
        old, new = _both_roads(RU, _ru_rows(rnd, 1500), chunk=rnd.choice((7, 100, 500)))
        assert new == old
        lines = [i for chunk in new for i in chunk.items]
        assert any(i[0] is None for i in lines) and any(i[0] is not None for i in lines)
        reasons = {i[3].split(" ")[0] for i in lines if i[0] is None}
        assert {"date", "amount", "no"} <= reasons  # unreadable dates and amounts, no customer


def test_columns_give_what_rows_give_shop_exports():
    for seed in range(4):
        rnd = random.Random(100 + seed)
        old, new = _both_roads(SHOP, _shop_rows(rnd, 1200), chunk=rnd.choice((3, 64, 400)))
        assert new == old
        lines = [i for chunk in new for i in chunk.items if i[0] is not None]
        assert any(i[1].startswith("#") for i in lines)


GOOD_DATES = ("01.02.2025", "1.2.2025 10:30", "2025-02-03 08:15:00", " 05.02.2025 ")
GOOD_AMOUNTS = ("1560", "4770,00", "8 490,00 руб.", "-350", "0", "12,5", " 99 ", "1.234,56",
                "-0", "007", "")  # fmt: skip


def _good_rows(rnd: random.Random, n: int, numbered: float) -> list[list[str]]:
    """Sales whose lines are all orders (most chunks of a real file): further lines of an
    order, lines without a number (``numbered``: the share with one), returns by a negative
    amount or quantity, a manager or a channel a further line adds; now and then a return by
    its number or a totals line, so that chunks of both roads follow each other."""
    rows, order = [], 100
    while len(rows) < n:
        order += 1
        k = rnd.randrange(40)
        oid = str(order) if rnd.random() < numbered else ""
        if rnd.random() < 0.03:
            oid = f"C{order}"
        head = [
            rnd.choice(GOOD_DATES), oid, rnd.choice((f"К-{k}", f"К-{k}", "")),
            rnd.choice((f"Иванов Пётр {k}", f"ООО Ромашка {k}", "Итого" if k == 0 else "")),
            rnd.choice((f"8 916 {k:03d}-11-22", f"+7916{k:07d}", "")),
            rnd.choice((f"p{k}@mail.ru", "")), rnd.choice(("Москва", "", "Казань")),
        ]  # fmt: skip
        for line in range(rnd.choice((1, 1, 2, 3))):
            cells = head if line == 0 else [head[0], oid, *[rnd.choice(("", c))
                                                             for c in head[2:]]]  # fmt: skip
            rows.append([
                *cells, f"Товар {rnd.randrange(9)}", rnd.choice(("Обувь", "")),
                rnd.choice(("1", "2", "-1", "", "0,5")), rnd.choice(GOOD_AMOUNTS),
                rnd.choice(GOOD_AMOUNTS[:-1]), rnd.choice(GOOD_AMOUNTS), rnd.choice(("", "10")),
                rnd.choice(("Анна", "Олег", "")), rnd.choice(("Сайт", "Авито", "")),
                rnd.choice(STATUSES), rnd.choice(("rub", "RUB", "")), "",
            ])  # fmt: skip
    return rows[:n]


def test_chunks_of_accepted_lines_give_what_rows_give():
    """A chunk whose lines are all orders is read a column at a time but for its customers
    (ColumnRows._all_accepted): the same lines, identities and order going on as the rows."""
    _BY_COLUMNS.clear()
    for seed in range(8):
        rnd = random.Random(200 + seed)
        numbered = rnd.choice((1.0, 1.0, 0.9))
        old, new = _both_roads(RU, _good_rows(rnd, 1500, numbered), rnd.choice((7, 100, 500)))
        assert new == old
    assert sum(_BY_COLUMNS) > 20


def test_price_times_quantity_and_returns_on_the_columns_road():
    header = ["Дата", "Номер", "Клиент", "Цена", "Кол-во"]
    rows = [["01.02.2025", "1", "Иванов Иван", "100,5", "2"],
            ["01.02.2025", "C2", "Иванов Иван", "10", "3"],
            ["02.02.2025", "3", "Петров Пётр", "1e12", "10"]]  # fmt: skip
    old, new = _both_roads(header, rows, chunk=10)
    assert new == old
    items = new[0].items
    assert items[0][4] == 201.0 and items[1][4] == -30.0 and items[1][15] == 1
    assert items[2][0] is None and "out of range" in items[2][3]


def test_chunks_that_are_not_plain_go_as_rows():
    plain = [(2, [" a", "b\x00c"]), (3, ["c", ""])]
    assert plain_columns(plain) == [["a", "c"], ["b\x00c", ""]]
    for rows in (
        [(2, ["a", "b"]), (3, ["c"])],  # uneven widths
        [(2, ["a", 1.5])],  # a typed spreadsheet cell
        [(2, ["a", "b"]), (3, UnreadableRow(["x"], "too long"))],
        [(2, [])],
        [],
    ):
        assert plain_columns(rows) is None


SALES = "Дата;Номер заказа;Код клиента;Клиент;Товар;Сумма;Менеджер;Канал\n"


def test_newest_manager_within_one_chunk(cli, tmp_path):
    """The lines of a chunk go in as columns; the newest row still sets the card's manager."""
    text = SALES + (
        "01.02.2025;1;К-1;Иванов Иван;Куртка;100;Анна;Сайт\n"
        "02.02.2025;2;К-1;Иванов Иван;Шапка;200;Олег;\n"
        "03.02.2025;3;К-2;Петров Пётр;Шарф;300;Олег;\n"
        "04.02.2025;4;К-1;Иванов Иван;Шарф;300;Анна;Авито\n"
        "05.02.2025;5;К-2;Петров Пётр;Шарф;300;Ирина;\n"
        "06.02.2025;6;К-2;Петров Пётр;Шарф;300;;\n"
    )
    s = cli.json("import", write(tmp_path / "s.csv", text))
    assert (s["created"], s["customers_created"]) == (6, 2)
    people = {c["external_id"]: c for c in cli.contacts()}
    assert people["К-1"]["manager"] == "Анна" and people["К-1"]["source"] == "Сайт"
    assert people["К-2"]["manager"] == "Ирина"


def test_customers_rejected_in_a_chunk_of_good_lines(cli, tmp_path):
    """Every line reads well, but with --no-create-missing some customers are not in the base:
    those lines are rejected in their place, the others become orders."""
    cli("import", write(tmp_path / "c.csv", "Код клиента;ФИО\nК-1;Иванов Иван\n"))
    text = SALES + (
        "01.02.2025;1;К-1;Иванов Иван;Куртка;100;Анна;Сайт\n"
        "02.02.2025;2;К-9;Сидоров Олег;Шапка;200;Олег;\n"
        "03.02.2025;3;К-1;Иванов Иван;Шарф;300;Олег;\n"
    )
    s = cli.json("import", write(tmp_path / "s.csv", text), "--no-create-missing", expect=3)
    assert (s["created"], s["rejected"]) == (2, 1)
    assert [r["row"] for r in s["files"][0]["rejects"]] == [3]
    with cli.engine().connect() as conn:
        rows = conn.execute(
            select(import_rows.c.row_number, import_rows.c.outcome)
            .where(import_rows.c.import_id == 2)
            .order_by(import_rows.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [(2, "created"), (3, "rejected"), (4, "created")]


def test_tables_with_other_columns_do_not_share_identities():
    """Two sheets of one workbook: the same cells under other headers are another customer."""
    first = build_order_mapping(["Дата", "Сумма", "Клиент", "Город"], {})
    second = build_order_mapping(["Дата", "Сумма", "Город", "Клиент"], {})
    parts = [
        (first, [(2, ["01.02.2025", "100", "Иванов Иван", "Москва"])]),
        (second, [(2, ["02.02.2025", "200", "Иванов Иван", "Москва"])]),
        (first, [(3, ["03.02.2025", "300", "Иванов Иван", "Москва"])]),
    ]
    by_rows, by_columns = OrderRows("RU", None), ColumnRows("RU", None)
    old = [by_rows.parse(m, [(n, list(c)) for n, c in rows], "s") for m, rows in parts]
    new = [by_columns.parse_rows(m, [(n, list(c)) for n, c in rows], "s") for m, rows in parts]
    headers = [m.header for m, _rows in parts]
    assert [_named(c, h) for c, h in zip(new, headers, strict=True)] == [
        _named(c, h) for c, h in zip(old, headers, strict=True)
    ]
    numbers = [chunk.columns[0][0] for chunk in new]  # all accepted: as columns
    assert numbers[0] == numbers[2] != numbers[1]


def test_identities_cleaned_later_elsewhere_are_the_same():
    """The reading worker leaves the identities uncleaned for a second worker: what that one
    makes of them equals what the reader would have made, reasons of rejected ones included."""
    rnd = random.Random(7)
    rows = _ru_rows(rnd, 900)
    mapping = build_order_mapping(RU, {})
    parts = [
        [(i + 2, list(r)) for i, r in enumerate(rows)][j : j + 150] for j in range(0, 900, 150)
    ]
    now = ColumnRows("RU", "import")
    later = ColumnRows("RU", "import")
    later.clean_later = True
    cleaner = OrderRows("RU", "import")  # another process's: no state from the reading
    rejected = 0
    for part in parts:
        a = now.parse_rows(mapping, [(n, list(c)) for n, c in part], None)
        b = later.parse_rows(mapping, [(n, list(c)) for n, c in part], None)
        # Not cleaned yet: each a plain tuple (it crosses processes twice), the record again.
        assert all(type(parts) is tuple for _n, parts in b.identities)
        assert all(type(record_of(parts)) is ContactRecord for _n, parts in b.identities)
        cleaned = cleaner.clean_identities(b.identities, mapping)
        assert b._replace(identities=cleaned) == a
        rejected += sum(type(cl) is Rejected for _n, cl in cleaned)
    assert rejected  # rows with no customer: their reason is made by the cleaner


def test_an_identity_crosses_processes_as_a_tuple_and_comes_back_whole():
    """``record_parts`` leaves nothing of a record out but its raw record (always empty by
    then): every field, the contact points, messengers, sheet, region, group and cells."""
    rec = ContactRecord(7, {}, {"full_name": "Иван", "manager": "Анна"}, [("8 916", "моб.")],
                        [("a@b.ru", None)], [("telegram", "@ivan")], "Лист", "BY", "g", ["x", ""])  # fmt: skip
    again = record_of(pickle.loads(pickle.dumps(record_parts(rec), pickle.HIGHEST_PROTOCOL)))
    assert again == rec
    assert record_of(record_parts(ContactRecord(3, {}))) == ContactRecord(3, {})


def test_repeated_texts_of_accepted_lines_are_one_object_each():
    """The lines' texts cross to the writer pickled: equal ones must be one object (they
    pickle once). ``_interned`` makes the cells' texts so and leaves the times, statuses and
    currencies as they come, one object per distinct text already: this fails if they stop
    being so."""
    mapping = build_order_mapping(RU, {})
    reader = ColumnRows("RU", "import")
    rows = [(i + 2, r) for i, r in enumerate(_good_rows(random.Random(5), 3000, 1.0))]
    for _n, cells in rows[::2]:  # two texts of one time: the same stamp
        cells[0] = "1.2.2025" if cells[0] == "01.02.2025" else cells[0]
    seen = 0
    for j in range(0, len(rows), 40):
        # Each cell a text object of its own, as a CSV reader gives them.
        part = [(n, [c.encode().decode() for c in cells]) for n, cells in rows[j : j + 40]]
        chunk = reader.parse_rows(mapping, part, None)
        if chunk.columns is None:
            continue
        seen += 1
        for k in (3, 9, 10, 11, 12, 13, 14):  # time, product … currency
            col = [v for v in chunk.columns[k] if v is not None]
            assert len({id(v) for v in col}) == len(set(col)), k
    assert seen > 10


def test_orders_folded_at_c_speed_as_one_by_one():
    """as_orders folds an order's lines a column at a time: a column with a value on every
    line at C speed (fold_whole), others order by order leaving the empty values out
    (fold_each); one that is empty on every line is not folded at all. Each the same as
    the general fold, to the bit."""
    rnd = random.Random(11)
    for _ in range(300):
        n = rnd.randrange(1, 40)
        cuts = sorted(rnd.sample(range(1, n), rnd.randrange(n))) if n > 1 else []
        starts = [0, *cuts]
        ends = [*cuts, n]
        multi = [(g, s, e) for g, (s, e) in enumerate(zip(starts, ends, strict=True)) if e - s > 1]
        groups, spans = [g for g, _s, _e in multi], [slice(s, e) for _g, s, e in multi]
        for fold, value in ((_FOLDS[4], lambda: rnd.uniform(-1e6, 1e6)),
                            (min, lambda: rnd.choice(("Обувь", "Сумки", "a"))),
                            (max, lambda: rnd.choice(("2025-01-02 00:00:00.000000", "2024")))):  # fmt: skip
            col = [value() for _ in range(n)]
            taken = [col[s] for s in starts]
            fast, each = list(taken), list(taken)
            fold_whole(col, fold, groups, spans, fast)
            fold_each(col, fold, multi, each)
            assert fast == each
            assert each == [fold(col[s:e]) for s, e in zip(starts, ends, strict=True)]
            empty = [None] * n
            none_taken = [None] * len(starts)
            fold_each(empty, fold, multi, none_taken)
            assert none_taken == [None] * len(starts)  # what is taken from an empty column
    assert _FOLDS[4]([0.1, 0.2, 0.3]) == (0.0 + 0.1 + 0.2) + 0.3  # from 0.0, in order


def test_or_none_is_t_or_none_of_each():
    col = ["", "0", " ", "Анна", "", "None", "\x00"] * 3
    assert _or_none(col) == [t or None for t in col]
    assert _or_none(col)[3] is col[3]
