"""Cases found by reviewing the first slice: each was a bug once."""

from __future__ import annotations

import threading
import time

import openpyxl
from conftest import write

from clientbase.db.engine import write_transaction


def test_search_is_case_insensitive_for_cyrillic(cli, tmp_path):
    write(
        tmp_path / "c.csv",
        "ФИО;Телефон;Город\nИванов Иван;89161234567;Москва\nПетров Пётр;89031234567;Тула\n",
    )
    cli("import", tmp_path / "c.csv")
    for text in ("иванов", "ИВАНОВ", "Иванов", "москва", "+7916123"):
        assert [c["name"] for c in cli.json("contacts", "list", "--search", text)] == [
            "Иванов Иван"
        ]
    assert cli.json("contacts", "list", "--search", "%") == []  # a wildcard is just a character


def test_markup_like_text_in_data_is_shown_as_typed(cli, tmp_path):
    write(tmp_path / "c.csv", "Компания;Телефон\nООО [/x] Ромашка;89161234567\n")
    cli("import", tmp_path / "c.csv")
    assert "ООО [/x] Ромашка" in cli("contacts", "list").stdout
    assert "ООО [/x] Ромашка" in cli("contacts", "show", "1").stdout


def test_a_second_writer_waits_instead_of_failing(cli, tmp_path):
    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    cli("db", "upgrade")
    engine = cli.engine()
    release = threading.Event()

    def hold_the_lock():
        with write_transaction(engine) as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS _lock_probe (x integer)")
            release.wait(5)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    time.sleep(0.2)
    threading.Timer(1.0, release.set).start()
    started = time.monotonic()
    cli("import", tmp_path / "c.csv")  # waits for the lock (busy_timeout), then imports
    holder.join()
    assert time.monotonic() - started >= 0.7
    assert len(cli.contacts()) == 1


def test_files_are_checked_before_any_is_written(cli, tmp_path):
    write(tmp_path / "a.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    r = cli("import", tmp_path / "a.csv", tmp_path / "broken.xlsx", expect=1)
    assert "broken.xlsx" in r.stderr
    assert cli.json("imports", "list") == []


def test_a_folder_passes_over_files_that_are_not_lists(cli, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write(d / "a.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    write(d / "readme.txt", "Здесь лежат выгрузки клиентов.\nНе удалять!\n")
    write(d / "settings.xml", '<?xml version="1.0"?><settings theme="dark"/>\n')
    s = cli.json("import", d)
    by_name = {f["file"].rsplit("/", 1)[-1]: f for f in s["files"]}
    assert by_name["a.csv"]["created"] == 1
    assert by_name["readme.txt"]["skipped"].startswith("not imported: readme.txt: no column")
    assert by_name["settings.xml"]["skipped"].startswith(
        "not imported: settings.xml: an XML file clientbase does not know"
    )
    # Named on the command line, the same file is an error.
    assert cli("import", d / "settings.xml", expect=1).stderr.startswith(
        "clientbase: error: settings.xml"
    )


def test_unwritable_rejects_path_fails_before_importing(cli, tmp_path):
    write(tmp_path / "a.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    r = cli("import", tmp_path / "a.csv", "--rejects", tmp_path / "no" / "such" / "r.csv", expect=2)
    assert "--rejects" in r.stderr and "cannot write there" in r.stderr
    assert cli.json("imports", "list") == []


def test_workbook_sheets_that_are_not_lists_are_skipped_and_map_spans_sheets(cli, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Клиенты"
    ws.append(["ФИО", "Тел мамы"])
    ws.append(["Иванов Иван", "89161234567"])
    notes = wb.create_sheet("Итоги")
    notes.append(["Всего клиентов", 1])
    other = wb.create_sheet("Опт")
    other.append(["Компания", "Телефон"])
    other.append(["ООО Вектор", "84951234567"])
    wb.save(tmp_path / "book.xlsx")
    s = cli.json("import", tmp_path / "book.xlsx", "--map", "Тел мамы=phone:home")
    f = s["files"][0]
    assert f["sheets"] == ["Клиенты", "Опт"] and f["skipped_sheets"] == ["Итоги"]
    assert s["created"] == 2
    ivan = cli.json("contacts", "list", "--search", "Иванов")[0]
    assert ivan["contact_points"][0]["label"] == "home"


def test_provenance_forgets_undone_batches(cli, tmp_path):
    write(tmp_path / "a.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    write(tmp_path / "b.csv", "ФИО;Телефон;Город\nИванов Иван;89161234567;Тула\n")
    cli("import", tmp_path / "a.csv")
    cli("import", tmp_path / "b.csv")
    cli("imports", "undo", "2")
    [c] = cli.contacts()
    assert [p["file"] for p in c["provenance"]] == ["a.csv"]


def test_namesakes_with_junk_phones_and_different_birthdays_stay_apart(cli, tmp_path):
    write(
        tmp_path / "a.csv",
        "ФИО;Телефон;ДР\nИванов Иван;нет;01.02.1980\nИванов Иван;нет;03.04.1990\nИванов Иван;нет;01.02.1980\n",
    )
    s = cli.json("import", tmp_path / "a.csv")
    assert (s["created"], s["duplicates"]) == (2, 1)


def test_utf16_without_bom(cli, tmp_path):
    write(tmp_path / "u.csv", "ФИО;Телефон\r\nИванов Иван;89161234567\r\n", "utf-16-le")
    s = cli.json("import", tmp_path / "u.csv")
    assert s["files"][0]["encoding"].startswith("utf") and s["created"] == 1


def test_option_values_are_usage_errors(cli, tmp_path):
    write(tmp_path / "a.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    for args in (("--delimiter", "ab"), ("--region", "XX"), ("--encoding", "nope")):
        r = cli("import", tmp_path / "a.csv", *args, expect=2)
        assert r.stderr.startswith("clientbase: error:") and len(r.stderr.splitlines()) == 1


def test_a_file_that_is_not_a_database(tmp_path):
    from typer.testing import CliRunner

    from clientbase.cli.main import app

    bad = tmp_path / "notes.sqlite3"
    bad.write_text("just some text, not a database\n" * 100)
    r = CliRunner().invoke(app, ["--db", str(bad), "contacts", "list"])
    assert r.exit_code == 1
    assert "is --db pointing at a clientbase database?" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
