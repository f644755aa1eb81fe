"""A team on one base: imports from two laptops, a note, an edit and the cron report at the same
moment. Every change lands (no lost update), nobody sees a lock or deadlock error, and each
import is one transaction (its batch is all there)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import Cli, write

PHONE = "+7 916 700-00-01"


def people_file(path, prefix: str, start: int, extra: str):
    rows = [f"{prefix} Клиент {i};+7 9{start + i:09d}" for i in range(1500)]
    # The shared customer, found by phone in both files: each file adds its own field.
    rows.insert(700, f"Общий Покупатель;{PHONE};{extra}")
    header = "ФИО;Телефон;" + ("E-mail" if "@" in extra else "Город")
    return write(path, header + "\n" + "\n".join(r if r.count(";") == 2 else r + ";"
                                                 for r in rows) + "\n")  # fmt: skip


def test_imports_note_edit_and_report_at_once(cli: Cli, tmp_path):
    cli("contacts", "add", "--name", "Общий Покупатель", "--phone", PHONE)
    sales = "Дата;Телефон;Сумма\n" + "".join(
        f"2025-{m:02d}-10;{PHONE};{m}500\n" for m in range(1, 13)
    )
    cli("import", write(tmp_path / "sales.csv", sales))
    a = people_file(tmp_path / "a.csv", "Альфа", 100_000_000, "obshiy@mail.ru")
    b = people_file(tmp_path / "b.csv", "Бета", 300_000_000, "Казань")
    base = [sys.executable, "-m", "clientbase", "--db", str(cli.db)]
    commands = [
        [*base, "import", a, "--format", "json"],
        [*base, "import", b, "--format", "json"],
        [*base, "note", "1", "Просил перезвонить в пятницу"],
        [*base, "contacts", "edit", "1", "--field", "position=Закупщик"],
        [*base, "-q", "report", "--out", tmp_path / "weekly.json"],
        [*base, "analyze", "abc-xyz", "--format", "json"],
    ]
    env = {**os.environ, "COLUMNS": "200"}
    procs = [
        subprocess.Popen(list(map(str, c)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for c in commands
    ]
    outcomes = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read().decode()) for p in procs]
    for command, (code, _out, err) in zip(commands, outcomes, strict=True):
        assert code == 0, (command[4:], err)
        assert "error" not in err and "Traceback" not in err, (command[4:], err)
    assert (tmp_path / "weekly.json").stat().st_size > 0

    batches = cli.json("imports", "list")
    assert sorted((b["file_name"], b["rows_read"], b["status"]) for b in batches) == [
        ("a.csv", 1501, "done"),
        ("b.csv", 1501, "done"),
        ("contacts add", 1, "done"),
        ("sales.csv", 12, "done"),
    ]
    assert len(cli.contacts()) == 1 + 2 * 1500
    card = cli.json("contacts", "show", "1")
    assert card["emails"] == ["obshiy@mail.ru"]
    assert (card["city"], card["position"]) == ("Казань", "Закупщик")
    assert [(n["kind"], n["text"]) for n in card["log"]] == [
        ("note", "Просил перезвонить в пятницу")
    ]
