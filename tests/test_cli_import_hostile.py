"""Files that fight back: stray quotes, mixed encodings, NUL bytes, bombs, wrong names, links.

Each test reproduces what a user would see through the CLI: the rows that land in the base, the
note that says what was repaired, or the one-line refusal.
"""

from __future__ import annotations

import io
import json
import random

import pytest
from conftest import write
from hostile.generate import (
    HEADER,
    rows_text,
    small_xlsx,
    with_declared_size,
    xlsx_parts,
    zip_bytes,
)

from clientbase.importers.source import HEAD_BYTES


def people(cli) -> dict[str, dict]:
    return {c["name"]: c for c in cli.contacts()}


def one_line_error(r, *fragments: str) -> None:
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("clientbase: error: "), r.stderr
    for f in fragments:
        assert f in r.stderr, r.stderr


def notes(summary: dict) -> list[str]:
    return [n for f in summary["files"] for n in f["notes"]]


# --- stray quotes ---------------------------------------------------------------------------


def test_a_stray_quote_does_not_swallow_the_next_rows(cli, tmp_path):
    f = write(tmp_path / "q.csv", 'ФИО;Телефон;Город\nАнна Белова;+79163330001;"Москва\n'
              "Вера Галкина;+79163330002;Тула\n")  # fmt: skip
    s = cli.json("import", f)
    assert (s["rows_read"], s["created"], s["rejected"]) == (2, 2, 0)
    assert {n: c["city"] for n, c in people(cli).items()} == {
        "Белова Анна": "Москва",
        "Галкина Вера": "Тула",
    }
    assert notes(s) == [
        "a quote opened on line 2 swallows the lines after it: lines 2–3 read one row per line "
        "(2 lines), their stray quotes as text"
    ]
    text = cli("import", f, "--force").stdout
    assert "note: a quote opened on line 2 swallows the lines after it" in text


def test_one_stray_quote_in_2000_rows_loses_none(cli, tmp_path):
    rows = rows_text(2000, seed=5)
    rows[4] = rows[4].rsplit(";", 1)[0] + ';"' + rows[4].rsplit(";", 1)[1]
    f = write(tmp_path / "big.csv", "\n".join([HEADER, *rows]) + "\n")
    s = cli.json("import", f)
    assert s["rows_read"] == 2000 and s["created"] + s["duplicates"] + s["rejected"] == 2000
    assert "lines 6–2001 read one row per line" in notes(s)[0]


def test_a_quote_closed_hundreds_of_lines_later_is_still_taken_apart(cli, tmp_path):
    rows = rows_text(700, seed=6)
    rows[9] = rows[9].rsplit(";", 1)[0] + ';"Тула'
    rows[600] = rows[600].rsplit(";", 1)[0] + ';ООО "Рога"'
    s = cli.json("import", write(tmp_path / "q.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert s["rows_read"] == 700
    assert "lines 11–602 read one row per line" in notes(s)[0]


def test_quoted_cells_spanning_lines_stay_one_row(cli, tmp_path):
    f = write(
        tmp_path / "addr.csv",
        "ФИО,Телефон,Адрес,Заметка\r\n"
        'Белова Анна,+79160000001,"г. Москва,\nул. Ленина, д. 5","звонить после 18:00"\r\n'
        'Галкина Вера,+79160000002,Тула,"перезвонить\r\nв пятницу, спросить про скидку"\r\n'
        "Петров Пётр,+79160000004,Тверь,\r\n",
    )
    s = cli.json("import", f)
    assert (s["rows_read"], s["created"]) == (3, 3)
    assert people(cli)["Белова Анна"]["address"] == "г. Москва,\nул. Ленина, д. 5"
    assert notes(s) == [
        "2 rows hold line breaks inside quoted cells (addresses, notes): the file's 6 lines are "
        "4 rows"
    ]


def test_a_quote_left_open_on_the_last_line(cli, tmp_path):
    f = write(tmp_path / "q.csv", 'ФИО;Телефон;Город\nАнна Белова;+79163330001;Москва\n'
              '"Вера Галкина;+79163330002;Тула')  # fmt: skip
    s = cli.json("import", f)
    assert (s["rows_read"], s["created"]) == (2, 2)
    assert people(cli)["Галкина Вера"]["phones"] == ["+79163330002"]
    assert notes(s) == ["a quote opened on line 3 is never closed: its quotes read as text"]


def test_a_line_of_megabytes_is_rejected_with_its_number(cli, tmp_path):
    rows = rows_text(3)
    f = tmp_path / "long.csv"
    f.write_bytes("\n".join([HEADER, rows[0], "Ж" * (5 << 20), *rows[1:]]).encode() + b"\n")
    s = cli.json("import", f, expect=3)
    assert (s["rows_read"], s["created"], s["rejected"]) == (4, 3, 1)
    assert s["files"][0]["rejects"][0]["reason"] == (
        "line 3 is 10 MB long with no line break: not a record (the file is damaged or not a table)"
    )


# --- decompression limits -------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_before_unpacking(cli, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(xlsx_parts({"xl/worksheets/sheet1.xml": (40, bytes(1 << 20))}))
    r = cli("import", bomb, expect=1)
    one_line_error(
        r, "bomb.xlsx: refused: part xl/worksheets/sheet1.xml unpacks", "decompression bomb"
    )
    declared = tmp_path / "declared.xlsx"
    parts = xlsx_parts({"xl/worksheets/sheet1.xml": (2, bytes(1 << 20))})
    declared.write_bytes(with_declared_size(parts, "xl/worksheets/sheet1.xml", 3 << 30))
    r = cli("import", declared, expect=1)
    one_line_error(r, "declared.xlsx: refused: it declares 3,072 MB unpacked from")
    assert cli.json("imports", "list") == []


def test_damaged_and_disguised_zips(cli, tmp_path):
    lying = xlsx_parts({"xl/worksheets/sheet1.xml": (16, b"<row/>" * 50000)})
    f = tmp_path / "lying.xlsx"
    f.write_bytes(with_declared_size(lying, "xl/worksheets/sheet1.xml", 1000))
    one_line_error(cli("import", f, expect=1), "lying.xlsx: cannot read the spreadsheet", "CRC")
    f = tmp_path / "cut.xlsx"
    f.write_bytes(small_xlsx()[:3000])
    one_line_error(cli("import", f, expect=1), "cut.xlsx: cannot read the spreadsheet: the "
                   "archive is damaged or cut short")  # fmt: skip
    f = tmp_path / "letter.xlsx"
    f.write_bytes(zip_bytes({"word/document.xml": b"<w:document/>"}))
    one_line_error(cli("import", f, expect=1), "letter.xlsx is a Word document, not a spreadsheet")


# --- encodings and bytes --------------------------------------------------------------------


def test_utf8_file_with_cp1251_lines_is_read_line_by_line(cli, tmp_path):
    f = tmp_path / "mixed.csv"
    f.write_bytes(
        "ФИО;Телефон;Город\nАнна Белова;+79163330001;Москва\n".encode()
        + "Вера Галкина;+79163330002;Тула\n".encode("cp1251")
        + "Ирина Смирнова;+79163330003;Тверь\n".encode()
    )
    s = cli.json("import", f)
    assert sorted(people(cli)) == ["Белова Анна", "Галкина Вера", "Смирнова Ирина"]
    assert people(cli)["Галкина Вера"]["city"] == "Тула"
    assert notes(s) == [
        "line 3 is not utf-8: read as cp1251 (each line is read in the encoding it is valid in)"
    ]
    r = cli("import", f, "--encoding", "utf-8", "--force", expect=1)
    assert r.stderr == (
        "clientbase: error: mixed.csv, line 3: not valid utf-8 (byte 0xc2 at position 1) "
        "(leave out --encoding to read each line in the encoding it is valid in)\n"
    )


def test_cp1251_file_with_a_utf8_line(cli, tmp_path):
    rows = rows_text(20, seed=4)
    data = [line.encode("cp1251") for line in [HEADER, *rows]]
    data[5] = rows[4].encode("utf-8")
    f = tmp_path / "old.csv"
    f.write_bytes(b"\r\n".join(data) + b"\r\n")
    s = cli.json("import", f)
    assert s["files"][0]["encoding"] == "cp1251" and s["rows_read"] == 20
    assert notes(s) == [
        "line 6 is not cp1251: read as utf-8 (each line is read in the encoding it is valid in)"
    ]
    assert rows[4].split(";")[1] in {p for c in cli.contacts() for p in c["phones"]}
    assert all(n.replace(" ", "").isalpha() for n in people(cli))  # no mojibake


def test_nul_bytes_in_a_csv_are_dropped_and_counted(cli, tmp_path):
    f = tmp_path / "nul.csv"
    f.write_bytes("ФИО;Телефон\nАнна Белова;+7916\x003330001\n".encode() + b"\x00" * 5000)
    s = cli.json("import", f)
    assert s["created"] == 1 and people(cli)["Белова Анна"]["phones"] == ["+79163330001"]
    assert notes(s) == ["5,001 NUL bytes dropped (the first on line 2)"]


def test_binary_under_a_csv_name_says_what_it_is(cli, tmp_path):
    f = tmp_path / "report.csv"
    f.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    one_line_error(cli("import", f, expect=1), "report.csv is a PDF document, not a table")
    f = tmp_path / "dump.csv"
    f.write_bytes(bytes(range(32)) * 200)
    one_line_error(cli("import", f, expect=1), "dump.csv is binary data")


@pytest.mark.parametrize("size", [300, 2000, 20000])
def test_random_bytes_are_binary_data(cli, tmp_path, size):
    """Random bytes have about 10 % control bytes, some samples fewer: still not text."""
    rng = random.Random(size)
    for n in range(8):
        f = tmp_path / f"blob{n}.bin"
        f.write_bytes(bytes(rng.randrange(256) for _ in range(size)))
        r = cli("import", f, expect=1)
        assert r.stderr == (
            f"clientbase: error: blob{n}.bin is binary data, not a table, vCard or call log "
            "(CSV/TSV, .xlsx, .xls, .ods, .vcf, or a call log)\n"
        )
    assert cli.json("imports", "list") == []


def test_text_with_a_control_byte_in_every_row_is_still_text(cli, tmp_path):
    # Some exporters write a vertical tab for a line break inside a cell.
    rows = "".join(f"Клиент{n} Иван;+7916555{n:04d};строка\x0bвторая\n" for n in range(40))
    f = write(tmp_path / "vt.csv", "ФИО;Телефон;Комментарий\n" + rows)
    assert cli.json("import", f)["created"] == 40


# --- names that lie, links that loop --------------------------------------------------------


def test_csv_text_named_xls_is_read_as_csv(cli, tmp_path):
    f = write(tmp_path / "выгрузка.xls", "ФИО;Телефон\nАнна Белова;+79163330001\n", "cp1251")
    s = cli.json("import", f)
    assert s["files"][0]["format"] == "csv" and s["created"] == 1
    assert notes(s) == [
        "выгрузка.xls holds text, not an Excel or LibreOffice workbook: read as CSV (the content "
        "decides the format, not the name)"
    ]
    html = write(tmp_path / "web.xls", "<html><table><tr><td>ФИО</td></tr></table></html>")
    one_line_error(cli("import", html, expect=1), "web.xls is a web page (HTML)", "save it as")


def test_symlink_loop_and_broken_link(cli, tmp_path):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    r = cli("import", loop, expect=1)
    assert r.stderr == (
        f"clientbase: error: {loop}: a loop of symbolic links (the link points back to itself)\n"
    )
    gone = tmp_path / "gone.csv"
    gone.symlink_to(tmp_path / "deleted.csv")
    r = cli("import", gone, expect=1)
    one_line_error(r, f"{gone}: a broken symbolic link (to {tmp_path / 'deleted.csv'}")


# --- the filter language --------------------------------------------------------------------


def test_nul_in_a_contains_value_is_refused_not_matching_everyone(cli, tmp_path):
    cli("import", write(tmp_path / "c.csv", "ФИО;Телефон;Город\nАнна Белова;+79163330001;Москва\n"
        "Вера Галкина;+79163330002;Тула\n"))  # fmt: skip
    r = cli("contacts", "list", "--where", "city contains 'Мос\x00x'", expect=2)
    assert r.stdout == ""
    one_line_error(r, "a NUL character inside a text value", "\\x00")
    found = cli.json("contacts", "list", "--where", "city contains 'Мос'")
    assert [c["name"] for c in found] == ["Белова Анна"]


# --- one pass over the file -----------------------------------------------------------------


class _Counted(io.RawIOBase):
    """A file opened for reading whose bytes read are counted."""

    def __init__(self, f, counter: dict):
        self.f, self.counter = f, counter

    def readable(self):
        return True

    def readinto(self, b):
        n = self.f.readinto(b)
        self.counter["bytes"] += n or 0
        return n

    def read(self, size=-1):
        data = self.f.read(size)
        self.counter["bytes"] += len(data)
        return data

    def seek(self, *a):
        return self.f.seek(*a)

    def tell(self):
        return self.f.tell()

    def seekable(self):
        return True

    def fileno(self):
        return self.f.fileno()

    def close(self):
        self.f.close()
        super().close()


@pytest.fixture
def count_reads(monkeypatch):
    real_open = io.open

    def watch(path):
        counter = {"opens": 0, "bytes": 0}

        def counting_open(file, mode="r", *args, **kwargs):
            f = real_open(file, mode, *args, **kwargs)
            if str(file) == str(path) and "r" in mode:
                counter["opens"] += 1
                if "b" in mode:
                    return _Counted(f, counter)
            return f

        monkeypatch.setattr(io, "open", counting_open)
        return counter

    return watch


def test_a_file_is_read_from_disk_once_per_import(cli, tmp_path, count_reads):
    rows = rows_text(6000, seed=8)
    f = write(tmp_path / "clients.csv", "\n".join([HEADER, *rows]) + "\n")
    size = f.stat().st_size
    assert size > 4 * HEAD_BYTES
    counter = count_reads(f)
    s = cli.json("import", f)
    assert s["rows_read"] == 6000
    assert counter == {"opens": 2, "bytes": size}  # the head when planning, the rest after
    counter.update(opens=0, bytes=0)
    again = cli.json("import", f)  # the same file: hashed once to know it, nothing imported
    assert again["files"][0]["skipped"].startswith("already imported as batch")
    assert counter["bytes"] == size
    with cli.engine().connect() as conn:
        import hashlib

        from sqlalchemy import select

        from clientbase.db.models import imports

        stored = conn.execute(select(imports.c.sha256)).scalars().all()
    assert stored == [hashlib.sha256(f.read_bytes()).hexdigest()]


def test_a_workbook_is_read_once(cli, tmp_path, count_reads):
    book = tmp_path / "book.xlsx"
    book.write_bytes(small_xlsx())
    counter = count_reads(book)
    s = cli.json("import", book)
    assert s["rows_read"] == 20 and counter["bytes"] == book.stat().st_size


def test_json_summary_carries_the_notes(cli, tmp_path):
    f = write(tmp_path / "q.csv", 'ФИО;Телефон\n"Анна Белова;+79163330001\n')
    s = json.loads(cli("import", f, "--format", "json").stdout)
    assert s["files"][0]["notes"] == [
        "a quote opened on line 2 is never closed: its quotes read as text"
    ]


def test_one_home_for_the_cp1251_or_cp1252_guess():
    from clientbase.importers import codepage, csvtext, sniff
    from clientbase.importers.vcard import decode as vcard

    assert vcard.legacy_codepage is csvtext.legacy_codepage is codepage.legacy_codepage
    assert codepage.legacy_codepage("Ян Ош".encode("cp1251")) == "cp1251"
    assert codepage.legacy_codepage("José Müller, Köln".encode("cp1252")) == "cp1252"
    # A UTF-8 list with one Windows-1251 row is UTF-8; its other rows do not vote.
    head = "Анна;Москва\nВера;Тула\n".encode() + "Ира;Тверь\n".encode("cp1251")
    assert sniff.head_encoding(head) == "utf-8"


def test_a_folder_names_every_entry_it_passes_over(cli, tmp_path):
    d = tmp_path / "inbox"
    d.mkdir()
    write(d / "клиенты.csv", "ФИО;Телефон\nАнна Белова;+79163330001\n")
    (d / "договор.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    (d / "dump.bin").write_bytes(bytes(range(256)) * 4)
    (d / "README").write_text("ФИО;Телефон\nне импортировать;89161112233\n")
    (d / "~$клиенты.xlsx").write_bytes(b"lock")
    (d / ".DS_Store").write_bytes(b"\x00\x01")
    (d / "архив").mkdir()
    r = cli("import", d)
    skipped = [line for line in r.stdout.splitlines() if ": skipped, " in line]
    assert skipped == [
        ".DS_Store: skipped, not imported: .DS_Store: a hidden file",
        "README: skipped, not imported: README: files without an extension in a folder are "
        "passed over (name the file itself to have its content read)",
        "dump.bin: skipped, not imported: dump.bin: .bin files in a folder are passed over "
        "(name the file itself to have its content read)",
        "~$клиенты.xlsx: skipped, not imported: ~$клиенты.xlsx: an Office lock file (the "
        "document is open in Excel or Word), not data",
        "архив: skipped, not imported: архив: a folder (folders inside one are not read) "
        "(name it to import it too)",
        "договор.pdf: skipped, not imported: договор.pdf: .pdf files in a folder are passed "
        "over (name the file itself to have its content read)",
    ]
    assert [c["name"] for c in people(cli).values()] == ["Белова Анна"]
    # Named on the command line, a file is read whatever its name.
    assert cli.json("import", d / "README")["created"] == 1
    one_line_error(cli("import", d / "dump.bin", expect=1), "dump.bin is binary data")
    # A folder with nothing to import is an error, as before.
    empty = tmp_path / "scans"
    empty.mkdir()
    (empty / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    one_line_error(cli("import", empty, expect=1), "no files to import here")
