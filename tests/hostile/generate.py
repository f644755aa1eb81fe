"""A corpus of hostile input files, generated (nothing big is committed).

    python tests/hostile/generate.py OUT_DIR     # write the corpus to look at or try by hand

Each case is a file (or a folder) a user could really hand to `clientbase import`: broken quotes,
mixed encodings, NUL bytes, binary data under a .csv name, decompression bombs, truncated
workbooks, 2,000 columns, a field of megabytes, broken vCards, absurd dates and amounts, a folder
of 1,000 files. With each comes what an import must do with it, known from how it was written:
the number of rows it holds (every one must be read, then imported or rejected), or that it is
refused as a whole with a message naming it. All people and numbers are invented.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

FIRST = ["Анна", "Вера", "Иван", "Пётр", "Мария", "Олег", "Ирина", "Сергей", "Ольга", "Дмитрий"]
LAST = ["Белова", "Галкина", "Иванов", "Петров", "Смирнова", "Кузнецов", "Соколова", "Попов"]
CITIES = ["Москва", "Тула", "Казань", "Тверь", "Самара", "Пермь"]


@dataclass
class Case:
    name: str
    path: Path
    rows: int | None  # data rows the file holds (not blank, not the header); None if refused
    refused: str | None = None  # a fragment the one-line error must contain
    args: list[str] = field(default_factory=list)  # extra import options


def person(rng: random.Random, i: int) -> tuple[str, str, str]:
    name = f"{rng.choice(LAST)} {rng.choice(FIRST)}"
    return name, f"+7916{i:07d}", rng.choice(CITIES)


def rows_text(n: int, *, seed: int = 1, delim: str = ";", start: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [delim.join(person(rng, start + i)) for i in range(n)]


HEADER = "ФИО;Телефон;Город"


def csv_bytes(lines: list[str], encoding: str = "utf-8", eol: str = "\n") -> bytes:
    return (eol.join(lines) + eol).encode(encoding)


# --- zips -----------------------------------------------------------------------------------


def small_xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ФИО", "Телефон", "Город"])
    for line in rows_text(20, seed=7):
        ws.append(line.split(";"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bytes(entries: dict[str, bytes | tuple[int, bytes]]) -> bytes:
    """A zip; an entry given as (n, chunk) is chunk repeated n times, streamed (no big string)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            if isinstance(data, tuple):
                n, chunk = data
                with z.open(name, "w") as f:
                    for _ in range(n):
                        f.write(chunk)
            else:
                z.writestr(name, data)
    return buf.getvalue()


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with entry ``name`` claiming ``size`` unpacked bytes (local and central headers)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    out[info.header_offset + 22 : info.header_offset + 26] = struct.pack("<I", size)
    pos = 0
    encoded = name.encode()
    while (pos := bytes(out).find(b"PK\x01\x02", pos)) != -1:
        name_len = struct.unpack("<H", out[pos + 28 : pos + 30])[0]
        if bytes(out[pos + 46 : pos + 46 + name_len]) == encoded:
            out[pos + 24 : pos + 28] = struct.pack("<I", size)
            break
        pos += 4
    return bytes(out)


def xlsx_parts(extra: dict[str, bytes | tuple[int, bytes]]) -> bytes:
    """The parts of a minimal real workbook plus ``extra`` (which may replace the sheet)."""
    with zipfile.ZipFile(io.BytesIO(small_xlsx())) as z:
        parts: dict[str, bytes | tuple[int, bytes]] = {n: z.read(n) for n in z.namelist()}
    parts.update(extra)
    return zip_bytes(parts)


# --- the corpus -----------------------------------------------------------------------------


def build(out: Path) -> list[Case]:
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, data: bytes, rows: int | None, refused: str | None = None, **kw) -> None:
        path = out / name
        path.write_bytes(data)
        cases.append(Case(name, path, rows, refused, **kw))

    body = rows_text(30)
    # Broken and legitimate quotes.
    add("stray-quote.csv", "ФИО;Телефон;Город\nАнна Белова;+79163330001;\"Москва\n"
        "Вера Галкина;+79163330002;Тула\n".encode(), 2)  # fmt: skip
    many = rows_text(2000, seed=2)
    many[4] = many[4].rsplit(";", 1)[0] + ';"' + many[4].rsplit(";", 1)[1]
    add("stray-quote-2000.csv", csv_bytes([HEADER, *many]), 2000)
    closed = rows_text(1000, seed=3)
    closed[9] = closed[9].rsplit(";", 1)[0] + ';"Тула'  # opened here...
    closed[600] = closed[600].rsplit(";", 1)[0] + ';ООО "Рога"'  # ...closed 590 lines later
    add("stray-quote-closed-later.csv", csv_bytes([HEADER, *closed]), 1000)
    addresses = [
        "ФИО,Телефон,Адрес,Заметка",
        'Белова Анна,+79160000001,"г. Москва,\nул. Ленина, д. 5","звонить после 18:00"',
        'Галкина Вера,+79160000002,"Тула","перезвонить\nв пятницу, спросить про скидку"',
        'Иванов Иван,+79160000003,"Казань, ул. Баумана, 1\r\nкв. 12",',
        "Петров Пётр,+79160000004,Тверь,",
    ]
    add("multiline-addresses.csv", csv_bytes(addresses, eol="\r\n"), 4)
    add("quote-never-closed-last.csv", csv_bytes([HEADER, *body[:-1], '"' + body[-1]]), 30)
    add("quotes-everywhere.csv", csv_bytes([HEADER, *('"' + r.replace(";", '";"') + '"'
        for r in body)]), 30)  # fmt: skip
    add("doubled-quotes.csv", csv_bytes([HEADER, *(r + ' ""VIP""' for r in body)]), 30)

    # Encodings.
    mixed = [line.encode("utf-8") for line in [HEADER, *body]]
    for i in range(5, 31, 4):
        mixed[i] = body[i - 1].encode("cp1251")
    add("mixed-utf8-cp1251.csv", b"\n".join(mixed) + b"\n", 30)
    legacy = [line.encode("cp1251") for line in [HEADER, *body]]
    legacy[7] = body[6].encode("utf-8")
    add("cp1251-with-utf8-line.csv", b"\n".join(legacy) + b"\n", 30)
    add("cp1252-latin.csv", csv_bytes(["Name;Phone;City", "José Müller;+4930123456;Köln",
        "Françoise Dupré;+33612345678;Besançon"], "cp1252"), 2)  # fmt: skip
    add("utf16-bom.tsv", b"\xff\xfe" + "\n".join(line.replace(";", "\t")
        for line in [HEADER, *body]).encode("utf-16-le") + b"\n\x00", 30)  # fmt: skip
    add("utf16-no-bom.csv", csv_bytes(["Name;Phone", *(f"Client {i};+7916555{i:04d}"
        for i in range(25))], "utf-16-le"), 25)  # fmt: skip
    add("cp1251-short-names.csv", csv_bytes([HEADER, "Я;+79160000001;Ош", "Ян;+79160000002;Уфа"],
        "cp1251"), 2)  # fmt: skip

    # NUL bytes and binary data.
    nul = csv_bytes([HEADER, *body])
    add("nul-bytes.csv", nul.replace(b"\n", b"\x00\n", 7), 30)
    add("nul-padding.csv", nul + b"\x00" * 20000, 30)
    rng = random.Random(9)
    add("binary.csv", bytes(rng.randrange(256) for _ in range(50000)), None, "binary data")
    add("pdf-as.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + bytes(3000), None, "PDF")
    add("png-as.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(2000), None, "PNG")
    add("gzip-as.csv", b"\x1f\x8b\x08\x00" + zlib.compress(nul), None, "gzip")

    # Wrong names, web pages, spreadsheets in disguise.
    add("csv-named.xls", csv_bytes([HEADER, *body]), 30)
    add("csv-named.xlsx", csv_bytes([HEADER, *body], "cp1251"), 30)
    add("html-named.xls", b"<html><body><table><tr><td>\xd0\xa4\xd0\x98\xd0\x9e</td></tr>"
        b"</table></body></html>", None, "web page")  # fmt: skip
    add("spreadsheetml-2003.xls", b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-'
        b'microsoft-com:office:spreadsheet"><Worksheet/></Workbook>', None, "Excel 2003 XML")  # fmt: skip
    add("ole-garbage.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256)
        for _ in range(4000)), None, "cannot read the spreadsheet")  # fmt: skip

    # Sizes and shapes.
    huge_note = "x" * (3 << 20)
    add("huge-field.csv", csv_bytes(["ФИО;Телефон;Заметка", f'Белова Анна;+79160000001;"{huge_note}"',
        *(r for r in rows_text(5))]), 6)  # fmt: skip
    long_line = "А" * (5 << 20)  # 10 MB of UTF-8 without a line break
    add("overlong-line.csv", csv_bytes([HEADER, *body[:10], long_line, *body[10:]]), 31)
    wide_header = ";".join(["ФИО", "Телефон", *(f"Поле {i}" for i in range(1998))])
    wide_rows = [";".join([f"Клиент {i}", f"+7916444{i:04d}", *(str(j) for j in range(1998))])
                 for i in range(40)]  # fmt: skip
    add("columns-2000.csv", csv_bytes([wide_header, *wide_rows]), 40)
    add("header-only.csv", csv_bytes([HEADER]), 0)
    add("empty.csv", b"", None, "empty")
    add("blank-lines-only.csv", b"\n\n \n\r\n", None, "only 4 blank lines")
    add("bom-only.csv", b"\xef\xbb\xbf", None, "empty")
    add("delimiters-only.csv", csv_bytes([HEADER, *([";;"] * 500)]), 0)
    add("ragged-rows.csv", csv_bytes([HEADER, *(r + ";" * (i % 5) + ";лишнее" * (i % 3)
        for i, r in enumerate(body))]), 30)  # fmt: skip
    add("crlf-lf-cr-mixed.csv", (HEADER + "\r\n" + "\n".join(body[:10]) + "\r\n" +
        "\r\n".join(body[10:20]) + "\n" + "\n".join(body[20:]) + "\n").encode(), 30)  # fmt: skip
    add("lone-cr.csv", csv_bytes([HEADER, *body], eol="\r"), 30)
    add("no-final-newline.csv", ("\n".join([HEADER, *body])).encode(), 30)
    add("formulas.csv", csv_bytes([HEADER, *(f"=HYPERLINK(\"http://x\";\"{r.split(';')[0]}\");"
        f"+7916777{i:04d};@SUM(A1)" for i, r in enumerate(body))]), 30)  # fmt: skip
    add("zero-width-emoji.csv", csv_bytes([HEADER, *(f"\u200b{r.split(';')[0]}\u202e 🙂;"
        f"+7\u00a0916\u2011222\u2011{i:02d}\u2011{i:02d};\ufeff{r.split(';')[2]}"
        for i, r in enumerate(body))]), 30)  # fmt: skip
    add("title-and-totals.csv", csv_bytes(["Клиенты на 01.10.2026", "", HEADER, *body,
        "Итого;30;"]), 31)  # fmt: skip
    add("absurd-dates.csv", csv_bytes(["ФИО;Телефон;Дата рождения", *(f"{r.split(';')[0]};"
        f"+7916888{i:04d};{d}" for i, (r, d) in enumerate(zip(body, ["31.02.1850",
        "9999-99-99", "00.00.0000", "32/13/2020", "1.1.1", "вчера", "1e10", "-5",
        "2026-02-30T25:61", "18.07.2999"] * 3, strict=False)))]), 30)  # fmt: skip
    amounts = ["1e308", "-5", "12 345,67 руб", "NaN", "∞", "99999999999999999999", "1.2.3",
               "", "0", "-0,00", "1 000 000 000 000", "€12"]  # fmt: skip
    add("orders-absurd.csv", csv_bytes(["Дата;Номер заказа;Клиент;Телефон;Сумма", *(
        f"{d};{i};{r.split(';')[0]};+7916999{i:04d};{amounts[i % len(amounts)]}"
        for i, (r, d) in enumerate(zip(body, ["05.01.2026", "31.02.2026", "01.01.0001",
        "2026-13-01", "9999-12-31"] * 6, strict=False)))]), 30)  # fmt: skip

    # Workbooks: real, cut short, bombs, other documents.
    xlsx = small_xlsx()
    add("small.xlsx", xlsx, 20)
    add("truncated.xlsx", xlsx[: len(xlsx) // 2], None, "cut short")
    add("ratio-bomb.xlsx", xlsx_parts({"xl/worksheets/sheet1.xml": (64, bytes(1 << 20))}),
        None, "decompression bomb")  # fmt: skip
    declared = xlsx_parts({"xl/worksheets/sheet1.xml": (2, bytes(1 << 20))})
    add("declared-4gb.xlsx", with_declared_size(declared, "xl/worksheets/sheet1.xml",
        0xFFFF0000), None, "unpacked")  # fmt: skip
    lying = xlsx_parts({"xl/worksheets/sheet1.xml": (32, b"<row/>" * 50000)})
    add("lying-sizes.xlsx", with_declared_size(lying, "xl/worksheets/sheet1.xml", 1000), None,
        "damaged")  # fmt: skip
    add("docx-named.xlsx", zip_bytes({"[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>"}), None, "Word document")  # fmt: skip
    add("zip-of-csv.xlsx", zip_bytes({"clients.csv": csv_bytes([HEADER, *body])}), None,
        "zip archive")  # fmt: skip
    add("truncated.ods", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument."
        b"spreadsheet", "content.xml": b"<office:document-content>" * 200})[:300], None,
        "cut short")  # fmt: skip

    # vCards.
    cards = []
    for line in body[:12]:
        name, phone, city = line.split(";")
        cards.append(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nTEL:{phone}\r\n"
                     f"ADR:;;;{city};;;\r\nEND:VCARD\r\n")  # fmt: skip
    cards[3] = cards[3].replace("END:VCARD\r\n", "")  # a card without its end
    cards[6] = cards[6].replace("TEL:", "TEL;ENCODING=QUOTED-PRINTABLE:=D0=9F=")  # broken QP
    cards[8] = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:\xff\xfe\r\nEND:VCARD\r\n"
    add("broken.vcf", "".join(cards).encode("utf-8", errors="surrogateescape"), 12)
    photo = "A" * (2 << 20)
    add("huge-photo.vcf", ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Белова Анна\r\nTEL:+79160000001\r\n"
        f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}\r\nEND:VCARD\r\n").encode(), 1)  # fmt: skip
    add("vcard-cp1251.vcf", "".join(cards[:3]).encode("cp1251"), 3)
    # Two cards, then lines outside any card: one more row, reported rejected, not dropped.
    add("vcard-garbage-after.vcf", ("".join(cards[:2]) + "END:VCARD\r\nTEL:1\r\n" * 50 +
        "\x00" * 100).encode(), 3)  # fmt: skip

    # A folder of 1,000 files, one row each.
    folder = out / "folder-1000"
    folder.mkdir(exist_ok=True)
    for i in range(1000):
        (folder / f"part-{i:04d}.csv").write_bytes(csv_bytes([HEADER, *rows_text(1, seed=i,
            start=i)]))  # fmt: skip
    cases.append(Case("folder-1000", folder, 1000))

    # Links.
    loop = out / "loop.csv"
    if not loop.is_symlink():
        loop.symlink_to("loop.csv")
    cases.append(Case("loop.csv", loop, None, "loop of symbolic links"))
    return cases


if __name__ == "__main__":
    corpus = build(Path(sys.argv[1]))
    for c in corpus:
        print(f"{c.name}: {c.rows if c.refused is None else 'refused: ' + c.refused}")
