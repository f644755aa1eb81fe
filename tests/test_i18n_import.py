"""An import speaks the command's language: reasons, notes and errors, in and out of workers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import write

ROWS = [
    "ФИО;Телефон;E-mail;Комментарий",
    "Петров Иван;8 916 100-00-01;ivan@mail;",  # the email has no dot after the @
    ";;;перезвонить",  # nothing to know a customer by
    "Петров Иван;+7 916 100 00 01;;",  # the same person again
]


def _reasons(cli) -> list[tuple[int, str, str]]:
    with cli.engine().connect() as conn:
        rows = conn.execute(
            text("SELECT row_number, outcome, reason FROM import_rows ORDER BY row_number")
        )
        return [(n, outcome, reason or "") for n, outcome, reason in rows]


@pytest.mark.parametrize("in_workers", [False, True], ids=["in-process", "workers"])
def test_reasons_stored_and_shown_in_russian(cli, tmp_path, monkeypatch, in_workers):
    if in_workers:
        # Workers start from a fork server, not from the command: the language is handed over.
        from clientbase.importers import pipeline

        monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
        monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    path = write(tmp_path / "list.csv", "\n".join(ROWS) + "\n", "cp1251")
    r = cli("--lang", "ru", "import", path, expect=None)
    reasons = dict((n, reason) for n, _outcome, reason in _reasons(cli))
    assert reasons[3] == (
        "не по чему опознать клиента: нет ни имени, ни компании, ни телефона, ни email"
    )
    assert reasons[4].startswith("дубликат строки 2 (совпадает телефон: +79161000001)")
    assert "неверный email 'ivan@mail' сохранён: в части после @ нет точки" in reasons[2]
    assert "nothing to identify" not in r.stdout + r.stderr


def test_the_same_file_in_english_keeps_the_english_reasons(cli, tmp_path):
    path = write(tmp_path / "list.csv", "\n".join(ROWS) + "\n", "cp1251")
    cli("--lang", "en", "import", path, expect=None)
    reasons = dict((n, reason) for n, _outcome, reason in _reasons(cli))
    assert reasons[3] == "nothing to identify a customer by: no name, company, phone or email"
    assert reasons[4].startswith("duplicate of row 2 (same phone +79161000001)")
    assert (
        "invalid email 'ivan@mail' kept: The part after the @-sign is not valid. "
        "It should have a period." in reasons[2]
    )


def test_an_unreadable_file_is_one_russian_line(cli, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet")
    r = cli("--lang", "ru", "import", path, expect=1)
    assert r.stderr.strip() == (
        "clientbase: ошибка: report.xlsx — это документ PDF, а не таблица, vCard или журнал "
        "звонков (CSV/TSV, .xlsx, .xls, .ods, .vcf или журнал звонков)"
    )


def test_plural_forms_of_a_note(cli, tmp_path):
    # 1 NUL byte, 3 NUL bytes, 5 NUL bytes: Russian has three forms.
    for n, word in (
        (1, "нулевой байт удалён"),
        (3, "нулевых байта удалено"),
        (5, "нулевых байтов удалено"),
    ):
        path = tmp_path / f"nul{n}.csv"
        lines = "".join(f"Анна {i};+7916000{i:04d}\n" for i in range(20))
        path.write_bytes(("Имя;Телефон\n" + lines + "Анна;+79160000001" + "\x00" * n).encode())
        r = cli("--lang", "ru", "import", path, "--dry-run", expect=None)
        assert f"{n} {word} (первый — в строке 22)" in r.stdout + r.stderr


def test_progress_names_the_steps_after_reading(new_db, tmp_path, monkeypatch):
    # A full bar must not stand for work still running: once the file is read, the index
    # rebuild and the duplicate search are shown as steps of their own, of unknown length.
    from clientbase.config import resolve_db
    from clientbase.db.engine import open_database
    from clientbase.importers import pipeline
    from clientbase.importers.results import ImportOptions
    from clientbase.services.imports import run_import

    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)  # a first big load: indexes deferred
    path = write(tmp_path / "list.csv", "\n".join(ROWS) + "\n", "cp1251")
    calls = []
    engine = open_database(resolve_db(new_db()))
    run_import(engine, [path], ImportOptions(), lambda *a: calls.append(a))
    steps = [name for name, _done, total in calls if total is None]
    assert steps == ["list.csv: building indexes", "looking for duplicates"]


@pytest.mark.parametrize(("multiline", "lines", "rows"), [(2, 24, 22), (4, 31, 21), (1, 23, 22)])
def test_russian_counts_agree_with_their_numbers(cli, tmp_path, multiline, lines, rows):
    """A note with three counts: the counted one takes its plural form, the others are given
    as "noun: N", which reads right for any number (no "22 записей", "31 строк")."""
    extra = lines - rows  # the line breaks inside cells (the header counts as a record)
    body = []
    for n in range(rows - 1):
        breaks = extra // multiline + (n < extra % multiline) if n < multiline else 0
        note = '"' + "\n".join(["заметка"] * (breaks + 1)) + '"' if breaks else ""
        body.append(f"Клиентов{n} Иван,+7916555{n:04d},{note}")
    path = write(tmp_path / "list.csv", "ФИО,Телефон,Комментарий\n" + "\n".join(body) + "\n")
    s = cli.json("--lang", "ru", "import", path)
    forms = {1: "запись содержит", 2: "записи содержат", 4: "записи содержат"}
    assert s["files"][0]["notes"] == [
        f"{multiline} {forms[multiline]} переносы строк внутри ячеек в кавычках (адреса, "
        f"заметки): строк в файле — {lines}, записей — {rows}"
    ]
