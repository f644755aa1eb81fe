"""Spreadsheets: every sheet, typed cells, real row numbers, --sheet."""

from __future__ import annotations

from datetime import datetime

import openpyxl


def make_book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Клиенты"
    ws.append(["Список клиентов на 01.10.2026"])  # a title line above the header
    ws.append([])
    ws.append(["Фамилия", "Имя", "Отчество", "Телефон", "Почта", "ДР", "Компания"])
    ws.append(
        ["Иванов", "Иван", "Иванович", 79161234567, "ivan@mail.ru", datetime(1985, 2, 1), None]
    )
    ws.append(["петрова", "мария", None, "8 926 765-43-21", None, "12.07", None])
    ws.append([None, None, None, None, None, None, None])
    ws.append([None, None, None, None, None, None, "ООО «Вектор»"])
    opt = wb.create_sheet("Опт")
    opt.append(["Название компании", "Контактное лицо", "Тел.", "Email"])
    opt.append(["ИП Сидоров", "Сидоров Сергей Степанович", 89031234567, None])
    opt.append([None, "Иван Иванов", "+7 916 123-45-67", None])
    wb.save(path)
    return path


def test_workbook_all_sheets(cli, tmp_path):
    book = make_book(tmp_path / "контакты.xlsx")
    s = cli.json("import", book)
    f = s["files"][0]
    assert f["format"] == "xlsx" and f["sheets"] == ["Клиенты", "Опт"]
    assert (s["rows_read"], s["created"], s["duplicates"], s["rejected"]) == (5, 4, 1, 0)
    people = {c["name"]: c for c in cli.contacts()}
    ivan = people["Иванов Иван Иванович"]
    # A phone stored as a number must not become +791612345670.
    assert ivan["phones"] == ["+79161234567"]
    assert ivan["birthday"] == "1985-02-01"
    assert [(p["sheet"], p["row"]) for p in ivan["provenance"]] == [("Клиенты", 4), ("Опт", 3)]
    assert people["Петрова Мария"]["birthday_month_day"] == "07-12"
    vector = people["ООО «Вектор»"]
    assert vector["kind"] == "company" and vector["company"] == "ООО «Вектор»"
    sidorov = people["Сидоров Сергей Степанович"]
    assert sidorov["company"] == "ИП Сидоров" and sidorov["phones"] == ["+79031234567"]


def test_one_sheet_and_missing_sheet(cli, tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    s = cli.json("import", book, "--sheet", "Опт")
    assert s["files"][0]["sheets"] == ["Опт"] and s["created"] == 2
    r = cli("import", book, "--sheet", "Нет", "--force", expect=1)
    assert "there is no sheet 'Нет'" in r.stderr and "Клиенты, Опт" in r.stderr


def test_broken_workbook(cli, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    r = cli("import", bad, expect=1)
    assert "cannot read the spreadsheet" in r.stderr and "Traceback" not in r.stderr
