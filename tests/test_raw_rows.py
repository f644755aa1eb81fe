"""The raw record kept with every imported row (``import_rows.raw``): the cells form of a
table's rows reads back exactly as the named form held it, for every reader of the rows."""

from __future__ import annotations

import csv
import io
import json
import random
from json.encoder import encode_basestring

import openpyxl
from sqlalchemy import insert, select, text

from clientbase.db.models import import_rows
from clientbase.importers.rawrow import (
    cells_text,
    cells_texts,
    header_keys,
    needs_escape,
    object_text,
    read_raw,
)
from tests.conftest import Cli, write

ODD = ['"', "\\", "\n", "\t", "ё", "😀", " ", ";", "\u2028", "'", "{", "[", ":", ","]


def _named(header: list[str], cells: list[str]) -> dict:
    """What the named form keeps of a row: its non-empty cells under the header's names."""
    return {k: c for k, c in zip(header_keys(header, len(cells)), cells, strict=True) if c}


def test_the_cells_form_reads_back_as_the_named_form_for_any_text():
    rnd = random.Random(5)
    headers = [
        ["ФИО", "Телефон", "Email"],
        ["Имя", "", "Имя", "Телефон"],  # an empty and a repeated column name
        [],  # no header at all: "column N"
    ]
    for _ in range(3000):
        header = rnd.choice(headers)
        width = rnd.randint(0, len(header) + 3)  # narrower and wider rows than the header
        cells = [
            "".join(rnd.choice([*ODD, "a", "Б", "7"]) for _ in range(rnd.randint(0, 6)))
            if rnd.random() < 0.7
            else ""
            for _ in range(width)
        ]
        stored = cells_text(cells)
        assert json.loads(stored)[: len(cells)] == cells[: len(json.loads(stored))]
        assert read_raw(stored, header) == _named(header, cells)
        # the named form of the same row: the form rejected rows and older bases keep
        assert read_raw(object_text(_named(header, cells)), header) == _named(header, cells)


def test_trailing_empty_cells_are_not_stored():
    assert cells_text(["Иван", "", "+79161234567", "", ""]) == '["Иван","","+79161234567"]'
    assert cells_text(["", ""]) == "[]"


def test_a_manual_entry_list_reads_as_it_was_stored():
    stored = json.dumps([{"Имя": "Иван"}, {"Телефон": "+79161234567"}], ensure_ascii=False)
    assert read_raw(stored, ["Имя"]) == [{"Имя": "Иван"}, {"Телефон": "+79161234567"}]


CSV_ROWS = [
    ["ФИО", "Телефон", "Email", "Телефон", "", "Заметка"],
    ["Иванов Иван", "+79161234567", "", "8 (916) 765-43-21", "", ""],
    ["Петрова Анна", "", "anna@mail.ru", "", "без заголовка", 'цитата "в кавычках"\nи строка'],
    ["Сидоров Пётр", "+79031112233", "", "", "", "", "лишняя", "ещё"],  # wider than the header
    ["", "", "", "", "", "только заметка"],  # rejected: nothing to identify
]


def _csv(path):
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(CSV_ROWS)
    return write(path, buf.getvalue())


def test_imports_show_gives_every_row_as_read(cli, tmp_path):
    cli("import", _csv(tmp_path / "c.csv"), expect=3)
    shown = cli.json("imports", "show", "1")["rows"]
    header = CSV_ROWS[0]
    assert [r["raw"] for r in shown] == [_named(header, c) for c in CSV_ROWS[1:]]
    assert shown[2]["raw"]["column 8"] == "ещё" and shown[0]["raw"]["Телефон (4)"]
    assert [r["outcome"] for r in shown] == ["created", "created", "created", "rejected"]
    rejected = cli.json("imports", "show", "1", "--rejected")["rows"]
    assert [r["raw"] for r in rejected] == [{"Заметка": "только заметка"}]
    with cli.engine().connect() as conn:
        stored = conn.scalars(select(import_rows.c.raw).order_by(import_rows.c.id)).all()
    # the column names are stored once with the batch, not on every row that became a customer
    assert all("ФИО" not in s for s in stored[:3]) and "Заметка" in stored[3]


def test_each_sheet_names_its_own_cells(cli, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Розница"
    ws.append(["ФИО", "Телефон"])
    ws.append(["Иванов Иван", "+79161234567"])
    opt = wb.create_sheet("Опт")
    opt.append(["Телефон", "Компания", "Email"])
    opt.append(["+79031112233", "ООО Ромашка", "info@romashka.ru"])
    wb.save(tmp_path / "book.xlsx")
    cli("import", str(tmp_path / "book.xlsx"))
    shown = {r["sheet"]: r["raw"] for r in cli.json("imports", "show", "1")["rows"]}
    assert shown == {
        "Розница": {"ФИО": "Иванов Иван", "Телефон": "+79161234567"},
        "Опт": {"Телефон": "+79031112233", "Компания": "ООО Ромашка", "Email": "info@romashka.ru"},
    }


def test_rows_in_the_named_form_still_read(cli, tmp_path):
    """A base written before the cells form: its rows (and its batch without raw_header)."""
    cli("import", _csv(tmp_path / "c.csv"), expect=3)
    with cli.engine().begin() as conn:
        conn.execute(text("UPDATE imports SET options = '{}'"))
        conn.execute(
            insert(import_rows).values(
                import_id=1, row_number=9, outcome="created",
                raw=object_text({"ФИО": "Старая Строка", "Телефон": "+79990001122"}),
            )
        )  # fmt: skip
    shown = cli.json("imports", "show", "1")["rows"]
    assert shown[-1]["raw"] == {"ФИО": "Старая Строка", "Телефон": "+79990001122"}
    # without the batch's header the cells are still all there, named by position
    assert shown[0]["raw"] == {"column 1": "Иванов Иван", "column 2": "+79161234567",
                               "column 4": "8 (916) 765-43-21"}  # fmt: skip


def test_a_chunk_of_columns_gives_each_row_its_cells_form():
    rnd = random.Random(11)
    for _ in range(300):
        width, rows = rnd.randint(1, 6), rnd.randint(0, 12)
        texts = [*ODD, "a", "Б", ',""', '""', ",", "]", ""]
        cols = [
            [rnd.choice(texts) if rnd.random() < 0.6 else "" for _ in range(rows)]
            for _ in range(width)
        ]
        expected = [cells_text([c[i] for c in cols]) for i in range(rows)]
        assert cells_texts(cols) == expected
    assert cells_texts([]) == []
    # Columns with nothing to escape next to columns with something: each row as cells_text.
    cols = [["Плед", "Подушка", ""], ['позвонить "вечером"', "", "a\\b"], ["x\ty", "", ""]]
    assert cells_texts(cols) == [cells_text(list(r)) for r in zip(*cols, strict=True)]
    assert cells_texts([["a", ""], ["", ""], ['x,""', ""]]) == ['["a","","x,\\"\\""]', "[]"]


ORDERS = (
    "Дата;Номер заказа;Код клиента;Клиент;Телефон;Товар;Сумма;Комментарий\n"
    "01.02.2025;101;К-1;Иванов Иван;8 916 123-45-67;Плед;1 500,00 руб.;\n"
    '01.02.2025;101;К-1;Иванов Иван;;Подушка;700;позвонить "вечером"\n'
    "02.02.2025;102;;;;Плед;1500;\n"  # nobody to sell to: rejected
    "вчера;103;К-2;Петрова Анна;;Плед;1500;\n"  # not a date: rejected
    "03.02.2025;104;К-2;Петрова Анна;+7 903 111-22-33;;900;\n"
)


def test_order_lines_keep_their_cells_and_read_back_named(cli, tmp_path):
    cli("import", write(tmp_path / "orders.csv", ORDERS), expect=3)
    lines = [line.split(";") for line in ORDERS.splitlines()]
    header = lines[0]
    named = [_named(header, [c.replace('"', "") for c in cells]) for cells in lines[1:]]
    named[1]["Комментарий"] = 'позвонить "вечером"'
    shown = cli.json("imports", "show", "1")["rows"]
    assert [r["raw"] for r in shown] == named
    assert [r["outcome"] for r in shown] == [
        "created",
        "created",
        "rejected",
        "rejected",
        "created",
    ]
    with cli.engine().connect() as conn:
        stored = conn.scalars(select(import_rows.c.raw).order_by(import_rows.c.id)).all()
    # the lines in the cells form; the rejected rows named, as rejected rows are kept
    assert [s[0] for s in stored] == ["[", "[", "{", "{", "["]
    assert "Товар" not in stored[0] and '"Товар": "Плед"' in stored[2]
    # the rejects file and the import's summary name the cells too
    rejects = cli.json("imports", "show", "1", "--rejected")["rows"]
    assert [r["raw"] for r in rejects] == [named[2], named[3]]
    copy = tmp_path / "copy.sqlite3"
    cli("db", "copy", "--to", f"sqlite:///{copy}")
    assert Cli(copy).json("imports", "show", "1")["rows"] == shown
    cli("contacts", "forget", "1", "--yes")
    left = cli.json("imports", "show", "1")["rows"]
    assert [r["raw"] for r in left] == named[2:]  # the forgotten customer's lines are gone
    cli("imports", "undo", "1")
    assert cli.json("imports", "list")[0]["status"] == "undone"


def test_needs_escape_says_what_the_json_encoder_does_for_every_character():
    """The fast check of a column's text (rawrow.needs_escape) against the encoder itself: each
    code point alone, amid other text, and random texts of the characters that matter."""
    for code in range(0x110000):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue  # a lone surrogate: no text a file gives
        for s in (c, f"ab{c}вг"):
            assert needs_escape(s) == (encode_basestring(s) != f'"{s}"'), hex(code)
    rnd = random.Random(1)
    pieces = ("a", "Иван", " ", '"', "\\", "\x00", "\n", "\t", "\x1f", "\x7f", "\u00a0",
              "\u2028", "\u00ad", "😀", "")  # fmt: skip
    for _ in range(5000):
        s = "".join(rnd.choices(pieces, k=rnd.randrange(6)))
        assert needs_escape(s) == (encode_basestring(s) != f'"{s}"'), repr(s)
