"""A chunk cleaned at once (what a worker process runs) gives row for row what cleaning each
record on its own gives: the shared work of the chunk (phones split and normalised once, the
named raw form built only for rejected rows, one day for the birthdays) changes nothing."""

from __future__ import annotations

import random
from datetime import date

from clientbase.importers.clean import (
    Clean,
    Rejected,
    clean_record,
    clean_rows,
    clean_rows_packed,
    unpack,
)
from clientbase.importers.mapping import build_mapping, to_record
from clientbase.importers.rawrow import to_json
from clientbase.importers.records import UnreadableRow

HEADER = ["ФИО", "Имя", "Телефон", "Рабочий телефон", "E-mail", "Дата рождения", "Компания",
          "Telegram", "Согласие на SMS", "Теги", "Регион", "Комментарий"]  # fmt: skip
CELLS = {
    0: ["", "Иванов Иван Иванович", "ИВАНОВА М.П.", "Итого", "ООО «Ромашка»", "+7 916 123-45-67",
        "Мама", "Гость 12", "ivan@mail.ru", "John A. Smith", "иванов, иван"],
    1: ["", "Пётр", "Анна"],
    2: ["", "89161234567", "+7 (916) 123-45-67; 8 495 123 45 67", "123", "нет", "8-800-555-35-35",
        "+375 29 123 45 67", "9161234567 доб. 12"],
    3: ["", "84951234567", "89161234567"],
    4: ["", "ivan@mail.ru", "Ivan@Mail.RU", "<petr@x.ru>, sidor@y.ru", "не указан", "a@b"],
    5: ["", "01.02.1985", "1 февраля", "31.02.1990", "2999-01-01", "85", "1985-02-01"],
    6: ["", "ИП Петров", "Acme LLC"],
    7: ["", "@ivan", "Ivan_P"],
    8: ["", "да", "нет", "01.03.2024", "может быть"],
    9: ["", "VIP, опт", "* starred ::: Клиенты"],
    10: ["", "Москва", "Казахстан"],
    11: ["", "повторно", "скидка 5%"],
}  # fmt: skip


def _rows(count: int, seed: int) -> list[tuple[int, list]]:
    rnd = random.Random(seed)
    rows: list[tuple[int, list]] = []
    for n in range(2, count + 2):
        if rnd.random() < 0.02:
            rows.append((n, [""] * rnd.randint(0, 3)))  # blank: neither imported nor rejected
            continue
        if rnd.random() < 0.01:
            rows.append((n, UnreadableRow(["x" * 40], "a line too long to read")))
            continue
        width = rnd.choice([len(HEADER), len(HEADER), 4, len(HEADER) + 2])
        cells = [rnd.choice(CELLS.get(i, ["", "лишнее"])) for i in range(width)]
        rows.append((n, cells))
    return rows


def _one_by_one(mapping, rows, sheet, region, source="сайт"):
    out = []
    for n, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if isinstance(cells, UnreadableRow):
            out.append(Rejected(n, sheet, to_json({"line": cells[0]}), cells.reason))
        else:
            out.append(clean_record(to_record(mapping, n, cells, sheet), region, source))
    return out


def test_a_chunk_equals_its_records_cleaned_one_by_one():
    mapping = build_mapping(HEADER, {})
    rows = _rows(3000, seed=1)
    whole = clean_rows((mapping, rows, "Лист1", "RU", "сайт"))
    assert whole == _one_by_one(mapping, rows, "Лист1", "RU")
    # Not vacuous: customers, rejected rows and the read ones all there.
    kinds = {type(r) for r in whole}
    assert kinds == {Clean, Rejected}
    assert sum(isinstance(r, Rejected) for r in whole) > 30
    assert any(r.notes for r in whole if isinstance(r, Clean))


def test_the_packed_form_restores_the_same_rows():
    mapping = build_mapping(HEADER, {})
    job = (mapping, _rows(1000, seed=2), None, "RU", None)
    packed = clean_rows_packed(job)
    assert all(type(t) is tuple for t in packed)
    assert all(type(p) is tuple for t in packed if len(t) > 4 for p in t[4])
    assert unpack(packed) == clean_rows(job)


def test_birthdays_are_read_as_of_the_given_day():
    mapping = build_mapping(["ФИО", "Дата рождения"], {})
    rec = to_record(mapping, 2, ["Иванов Иван", "01.02.85"], None)
    now = clean_record(rec, "RU", None)
    # On New Year's Day 1984 "85" is 1985, a year still to come: kept as text. The answer
    # cached for today does not leak into another day's, nor that one back into today's.
    then = clean_record(rec, "RU", None, today=date(1984, 1, 1))
    again = clean_record(rec, "RU", None)
    assert now.fields["birth_year"] == again.fields["birth_year"] == 1985
    assert "birth_year" not in then.fields
    assert then.fields["birthday_raw"] == "01.02.85"
    assert then.notes == ("birthday '01.02.85' kept as text: year in the future",)


def test_the_one_step_name_shortcut_changes_no_row(monkeypatch):
    # Name cells of every shape, with and without a company column or separate name parts: a
    # chunk cleaned with the shortcut equals the chunk cleaned by the three general questions.
    from clientbase.importers import clean as clean_module

    header = ["ФИО", "Компания", "Фамилия", "Имя", "Телефон"]
    full = ["Иванов Иван", "Иван Петрович Сидоров", "Анна", "HR", "гость", "ИП Петров",
            "Петров И.И.", "Mama k", "John Smith", "Итого", "Покупатель 001", "Иванов  Иван",
            "Магазин Лиса", "ООО Ромашка", "Иванов Иван Иванович Лишний", ""]  # fmt: skip
    rnd = random.Random(4)
    rows = []
    for n in range(2, 3002):
        cells = [rnd.choice(full), rnd.choice(["", "", "ООО Ромашка"]),
                 rnd.choice(["", "", "", "Петров"]), rnd.choice(["", "", "", "Пётр"]),
                 rnd.choice(["", "89161234567"])]  # fmt: skip
        rows.append((n, cells))
    job = (build_mapping(header, {}), rows, None, "RU", None)
    fast = clean_rows_packed(job)
    monkeypatch.setattr(clean_module, "plain_person", lambda text: None)
    assert repr(fast) == repr(clean_rows_packed(job))


# The usual contact list, every column one the column-at-a-time path reads (see
# clean_table.table_plan), with cells of every shape: plain names and initials (that path), names to
# parse, companies, placeholders and a summary row (the general path), phones and e-mails valid,
# invalid, several in a cell, birthdays good and bad.
TABLE_HEADER = ["ФИО", "Мобильный телефон", "Личный e-mail", "Дата рождения", "Город",
                "Источник", "Комментарий", "Должность", "Адрес", "Индекс", "Ответственный",
                "ID клиента", "Пол"]  # fmt: skip
TABLE_CELLS = [
    ["", "", "Иванов Иван Иванович", "ИВАНОВА М.П.", "Петров И. И.", "Серов Семён", "анна",
     "Итого", "Итого за год", "ООО «Ромашка»", "Мама", "Гость 12", "John A. Smith",
     "иванов, иван", "HR", "  Сидоров  Пётр ", "ИП Петров", "Иванов И", "Ли Д.И."],
    ["", "", "89161234567", "+7 916 123-45-67", "8 (495) 123-45-67; 8 916 123 45 67", "123",
     "нет", "+375 29 123 45 67", "9161234567 доб. 12", "7 916 1234567", "+7 999 000 00 00"],
    ["", "", "ivan@mail.ru", "Ivan@Mail.RU", "<petr@x.ru>, sidor@y.ru", "не указан", "a@b",
     "ivan@mail.ru; ivan@mail.ru"],
    ["", "", "", "01.02.1985", "1 февраля", "31.02.1990", "2999-01-01", "85", "1985-02-01"],
    ["", "Москва", "Санкт-Петербург", " г. Москва "],
    ["", "", "Авито", "сарафанное радио"],
    ["", "", "повторно", "скидка 5%", 'звонить "после" 18:00', "a\\b"],
    ["", "", "", "директор"],
    ["", "ул. Ленина, 1"],
    ["", "123456"],
    ["", "Петрова"],
    ["", "A-17"],
    ["", "", "м", "Ж.", "female", "?"],
]  # fmt: skip


def _table_rows(count: int, seed: int) -> list[tuple[int, list]]:
    rnd = random.Random(seed)
    rows: list[tuple[int, list]] = []
    for n in range(2, count + 2):
        if rnd.random() < 0.01:
            rows.append((n, [" "] * rnd.randint(0, 14)))  # blank
            continue
        if rnd.random() < 0.005:
            rows.append((n, UnreadableRow(["x" * 40], "a line too long to read")))
            continue
        cells = [rnd.choice(values) for values in TABLE_CELLS]
        if rnd.random() < 0.5:  # the usual name, plain or with initials
            cells[0] = rnd.choice(TABLE_CELLS[0][2:7])
        if rnd.random() < 0.03:
            cells = cells[: rnd.randint(1, len(cells) - 1)]  # a short row
        elif rnd.random() < 0.03:
            cells.append("лишнее")  # a wide one
        rows.append((n, cells))
    return rows


def test_the_table_path_changes_no_row(monkeypatch):
    from clientbase.importers import clean as clean_module

    mapping = build_mapping(TABLE_HEADER, {})
    assert clean_module.table_plan(mapping) is not None
    rows = _table_rows(6000, seed=3)
    for region, source in (("RU", None), ("RU", "сайт"), ("KZ", None), ("BY", "сайт")):
        job = (mapping, rows, "Лист1", region, source)
        general: list = []
        chunk = clean_module._clean_chunk

        def counted(*args, _chunk=chunk, _seen=general):
            _seen.extend(args[1])
            return _chunk(*args)

        monkeypatch.setattr(clean_module, "_clean_chunk", counted)
        fast = clean_rows_packed(job)
        monkeypatch.undo()
        # Not vacuous: most rows took the table path, hundreds the general one.
        assert 500 < len(general) < len(rows) // 2
        monkeypatch.setattr(clean_module, "table_plan", lambda m: None)
        slow = clean_rows_packed(job)
        monkeypatch.undo()
        assert repr(fast) == repr(slow)
        assert unpack(fast) == _one_by_one(mapping, rows, "Лист1", region, source)


def test_a_birthday_is_read_once_per_day_however_written():
    # Days good and bad (no 31st of February, month 13, before 1900, in the future, Apple's
    # 1604 and 0000 for "no year"), each written the ways the fast path reads and a few it
    # does not: the cached answer is the parser's own, text for text.
    from clientbase.importers import clean_fields
    from clientbase.normalize.dates import birthday_ymd, parse_birthday

    rnd = random.Random(8)
    today = date(2025, 6, 15)
    texts = []
    for _ in range(20_000):
        y = rnd.choice(
            [1604, 0, 1850, 1899, 1900, 1985, 2000, 2024, 2025, 2026, rnd.randint(1930, 2025)]
        )
        m, d = rnd.randint(0, 14), rnd.randint(0, 32)
        texts += [f"{d:02d}.{m:02d}.{y:04d}", f"{d}.{m}.{y:04d}", f"{y:04d}-{m:02d}-{d:02d}",
                  f" {d}.{m:02d}.{y:04d} ", f"{y:04d}-{m:02d}-{d:02d} 00:00:00",
                  f"{d:02d}/{m:02d}/{y:04d}", f"{d:02d}.{m:02d}"]  # fmt: skip
    rnd.shuffle(texts)
    clean_fields.read_birthday("01.01.2000", date(2000, 1, 2))  # a cache of another day, emptied
    read_once = 0
    for text in texts:
        try:
            expected = (parse_birthday(text, today=today), None)
        except ValueError as exc:
            expected = (None, str(exc))
        assert clean_fields.read_birthday(text, today) == expected, text
        read_once += birthday_ymd(text) is not None
    assert len(texts) // 2 < read_once < len(texts)
    assert 1000 < len(clean_fields.BIRTHDAY_DAYS)
