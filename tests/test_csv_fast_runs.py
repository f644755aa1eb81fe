"""Runs of plain lines are read a run at a time (``CsvText.fast_runs``); every other line goes
through the record-by-record reading. Whatever the file holds (quoted cells spanning lines, a
stray quote swallowing the lines after it, blank lines, CR and CRLF endings, a line in another
encoding, NUL bytes, an overlong line, a line break at a chunk's edge), the rows, their numbers
and the notes are those of reading every record by itself."""

from __future__ import annotations

import io
import random

import pytest

from clientbase.importers import csvtext
from clientbase.importers.csvtext import CsvText

_PLAIN = ["Иванов Иван", "+7 916 123-45-67", "ivan@mail.ru", "Москва", "", "12.03.1985", "опт"]
_QUOTED = ['"Иванов; Иван"', '"ООО ""Ромашка"""', '"улица Ленина,\nдом 5"', 'ООО "Лиса"',
           '"Москва', 'Москва"', '"', '"две\nстроки\nадреса"']  # fmt: skip


def _line(rnd: random.Random, width: int) -> str:
    cells = [rnd.choice(_PLAIN) for _ in range(width)]
    if rnd.random() < 0.15:
        cells[rnd.randrange(width)] = rnd.choice(_QUOTED)
    if rnd.random() < 0.03:
        cells = cells[: rnd.randrange(1, width)]  # a short row
    return ";".join(cells)


def _file(seed: int) -> bytes:
    rnd = random.Random(seed)
    width = rnd.choice([3, 5, 7])
    out = bytearray("ФИО;Телефон;E-mail;Город;Заметка;Дата;Тип"[:60].encode())
    out += b"\n"
    for _ in range(rnd.randrange(50, 400)):
        roll = rnd.random()
        if roll < 0.03:
            text = b""  # a blank line
        elif roll < 0.05:
            text = _line(rnd, width).encode("cp1251")  # pasted from an old export
        elif roll < 0.06:
            text = _line(rnd, width).encode() + b"\x00"
        else:
            text = _line(rnd, width).encode()
        out += text + rnd.choice([b"\n", b"\n", b"\n", b"\r\n", b"\r"])
    if rnd.random() < 0.5:
        del out[-1]  # no line break at the end
    return bytes(out)


def _read(data: bytes, fast: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(CsvText, "fast_runs", fast)
    text = CsvText("t.csv", io.BufferedReader(io.BytesIO(data)), data[:80], None, ";")
    rows = list(text.rows_iter())
    return rows, text.summary()


@pytest.mark.parametrize("seed", range(60))
def test_runs_of_plain_lines_read_as_every_record_by_itself(seed, monkeypatch):
    monkeypatch.setattr(csvtext, "CHUNK_BYTES", random.Random(seed).choice([64, 300, 1 << 20]))
    data = _file(seed)
    fast, slow = _read(data, True, monkeypatch), _read(data, False, monkeypatch)
    assert fast == slow
    assert len(fast[0]) > 50


def test_a_stray_quote_and_an_overlong_line_among_plain_lines(monkeypatch):
    monkeypatch.setattr(csvtext, "CHUNK_BYTES", 128)
    monkeypatch.setattr(csvtext, "MAX_LINE_BYTES", 400)
    plain = [f"Петров {i};8916123456{i % 10};Москва" for i in range(40)]
    lines = ["ФИО;Телефон;Город", *plain[:10], 'Сидоров;"89161234567;Казань', *plain[10:20],
             "x" * 1000, *plain[20:], 'Орлов;8903;"Тула']  # fmt: skip
    data = "\n".join(lines).encode()
    (rows, summary), slow = _read(data, True, monkeypatch), _read(data, False, monkeypatch)
    assert (rows, summary) == slow
    # Every line a row of its own: the stray quotes read as text, the overlong line rejected.
    assert len(rows) == len(lines)
    assert rows[11] == (12, ["Сидоров", "89161234567", "Казань"])
    assert rows[-1] == (len(lines), ["Орлов", "8903", "Тула"])
    assert "line 23 is 0 MB long" in rows[22][1].reason
    assert any("a quote opened on line 12" in note for note in summary.notes())
