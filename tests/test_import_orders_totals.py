"""A report's totals line is rejected as one wherever the report puts its "Итого": under the
names, in a 1C report's date or document column. Both roads of the orders import agree."""

from __future__ import annotations

import random
import re

import pytest
from conftest import write

from clientbase.importers.orders import (
    _CANCELLATION_ID,
    _RETURN_DOCUMENT,
    _TOTALS_ROW,
    build_order_mapping,
    totals_label,
)
from clientbase.importers.orders_columns import (
    _ANY_CANCELLATION_ID,
    _ANY_RETURN_DOCUMENT,
    _ANY_TOTALS,
    ColumnRows,
    _lines,
)
from clientbase.importers.orders_rows import OrderRows

DOC = "Реализация товаров и услуг 00БП-0000{n} от 1{n}.01.2025 12:00:00"
SALE = "1{n}.01.2025;" + DOC + ';K{n};ООО "Альфа";Товар;1;1 000,00\n'
HEADER = "Дата;Документ;Код клиента;Контрагент;Номенклатура;Количество;Сумма\n"


@pytest.mark.parametrize(
    ("header", "total"),
    [
        (HEADER, "Итого;;;;;2;2 000,00\n"),  # in the date column
        (HEADER, ";Итого;;;;2;2 000,00\n"),  # in the document column
        (HEADER, ";;;Итого:;;2;2 000,00\n"),  # under the counterparties
        (HEADER.replace("Дата;", ""), "Итого;;;;2;2 000,00\n"),  # dates from the documents
        (HEADER, "  ВСЕГО ;;;;;2;2 000,00\n"),
    ],
)
def test_a_1c_totals_line_is_rejected_as_one(cli, tmp_path, header, total):
    no_dates = not header.startswith("Дата")
    lines = [SALE.format(n=n) for n in (1, 2)]
    if no_dates:
        lines = [line.split(";", 1)[1] for line in lines]
    s = cli.json("import", write(tmp_path / "s.csv", header + "".join(lines) + total), expect=3)
    assert (s["created"], s["rejected"]) == (2, 1)
    (reject,) = s["files"][0]["rejects"]
    label = next(c for c in total.split(";") if c).strip()
    assert (reject["row"], reject["reason"]) == (4, f"a totals line ({label!r}), not an order")


def test_both_roads_read_totals_lines_alike():
    header = HEADER.strip().split(";")
    rows = [[*SALE.format(n=n).strip().replace('"', "").split(";")] for n in (1, 2)]
    rows += [["Итого", "", "", "", "", "2", "2000"], ["", "Итого", "", "", "", "2", "2000"],
             ["", "", "", "Итого", "", "2", "2000"]]  # fmt: skip
    numbered = [(i + 2, r) for i, r in enumerate(rows)]
    mapping = build_order_mapping(header, {})
    by_rows = OrderRows("RU", "import").parse(mapping, numbered, None)
    by_columns = ColumnRows("RU", "import").parse_rows(mapping, numbered, None)
    reasons = [(i[1], i[3]) for i in by_rows.items if i[0] is None]
    assert reasons == [(n, "a totals line ('Итого'), not an order") for n in (4, 5, 6)]
    assert [(i[1], i[3]) for i in by_columns.items if i[0] is None] == reasons


def test_an_order_number_wins_over_a_name_that_looks_like_a_total():
    assert totals_label("1001", "Итого", "") is None  # a customer called so, with an order
    assert totals_label(None, "Итоговая Анна", "") is None
    assert totals_label(None, "", "Total") == "Total"
    assert totals_label("Итого", "", "") == "Итого"


def test_the_column_checks_find_what_the_cell_checks_find():
    """ColumnRows._all_accepted checks a column's cells joined, each after a line break, with
    a pattern that starts with that line break (a literal the regex engine looks for fast):
    it must say yes wherever a cell matches the pattern of orders.py, and say what the same
    pattern at every line start (``re.M``) says."""
    rnd = random.Random(3)
    parts = ("итого", "ИТОГО", "Всего", "total", "Grand Total", "totally", "C", "C12", "c12",
             "12", "Возврат", "возврат товара", " ", "\t", "\n", "\u00a0", "\u2028", "x", "")  # fmt: skip
    for pattern, gate in ((_TOTALS_ROW, _ANY_TOTALS), (_CANCELLATION_ID, _ANY_CANCELLATION_ID),
                          (_RETURN_DOCUMENT, _ANY_RETURN_DOCUMENT)):  # fmt: skip
        text = pattern.pattern
        if text.startswith(r"^\s*"):
            text = r"^[^\S\n]*" + text[len(r"^\s*") :]
        every_line = re.compile(text, pattern.flags | re.M)
        hits = 0
        for _ in range(3000):
            col = [
                "".join(rnd.choices(parts, k=rnd.randrange(4))) for _ in range(rnd.randrange(1, 4))
            ]
            found = gate.search(_lines(col)) is not None
            assert found == (every_line.search("\n".join(col)) is not None), col
            if any(pattern.match(c) for c in col):
                assert found, col
                hits += 1
        assert hits > 30
