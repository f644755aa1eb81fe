"""Contact import from CSV through the CLI, checked in the database and in `contacts list`."""

from __future__ import annotations

import csv

from conftest import write
from sqlalchemy import func, inspect, select

from clientbase.db.models import contact_points, customers, import_rows, imports

SHOP_CSV = (
    "ФИО;Телефон;E-mail;Дата рождения;Город;Откуда узнал;Согласие на рассылку;Любимый цвет\r\n"
    "Иванов Иван Иванович;8 (916) 123-45-67;Ivan.Ivanov@Mail.RU;01.02.1985;Москва;Авито;да;синий\r\n"
    "петрова мария;+7 926 765 43 21, 8 495 123-45-67 доб. 12;;5 марта 1990;Казань;;нет;\r\n"
    "СИДОРОВ С.С.;123;;;;;;\r\n"
    ";;;;;;;только комментарий\r\n"
    "Алёна Ёлкина;;alena@yandex.ru;12.07;;;;\r\n"
    "Иванов Иван;8-916-123-45-67;;;;;;\r\n"
)


def shop_file(tmp_path, text=SHOP_CSV, name="клиенты.csv"):
    return write(tmp_path / name, text, "cp1251")


def test_cp1251_semicolon_csv_is_normalised(cli, tmp_path):
    path = shop_file(tmp_path)
    summary = cli.json("import", path, expect=3)
    assert summary["rows_read"] == 6
    assert (summary["created"], summary["duplicates"], summary["rejected"]) == (4, 1, 1)
    f = summary["files"][0]
    assert f["encoding"] == "cp1251" and f["delimiter"] == ";"
    assert f["not_mapped"] == ["Любимый цвет"]
    assert f["rejects"][0]["row"] == 5
    assert "nothing to identify" in f["rejects"][0]["reason"]

    people = {c["name"]: c for c in cli.contacts()}
    ivan = people["Иванов Иван Иванович"]
    assert (ivan["last_name"], ivan["first_name"], ivan["middle_name"]) == (
        "Иванов",
        "Иван",
        "Иванович",
    )
    assert ivan["gender"] == "m"
    assert ivan["phones"] == ["+79161234567"]
    assert ivan["emails"] == ["ivan.ivanov@mail.ru"]
    assert ivan["birthday"] == "1985-02-01"
    assert ivan["city"] == "Москва" and ivan["source"] == "Авито"
    # Row 7 is the same person (same phone, written differently): folded, both rows recorded.
    assert [(p["file"], p["row"]) for p in ivan["provenance"]] == [
        ("клиенты.csv", 2),
        ("клиенты.csv", 7),
    ]

    maria = people["Петрова Мария"]
    assert maria["phones"] == ["+79267654321", "+74951234567"]
    assert maria["birthday"] == "1990-03-05"
    assert maria["gender"] == "f"
    ext = next(p for p in maria["contact_points"] if p["value"] == "+74951234567")
    assert ext["extension"] == "12"
    assert {p["consent"] for p in maria["contact_points"]} == {"withdrawn"}
    assert {p["consent"] for p in ivan["contact_points"]} == {"granted"}

    alena = people["Ёлкина Алёна"]
    # No year: "birthday" stays an ISO date or null; the day is in birthday_month_day.
    assert (alena["birthday"], alena["birthday_month_day"]) == (None, "07-12")

    # The malformed phone is kept as typed and flagged, never dropped.
    sidorov = next(c for c in people.values() if c["last_name"] == "Сидоров")
    assert sidorov["phones"] == []
    assert sidorov["invalid"][0]["value"] == "123"


def test_raw_rows_and_unmapped_columns_are_kept(cli, tmp_path):
    cli("import", shop_file(tmp_path), expect=3)
    with cli.engine().connect() as conn:
        rows = conn.execute(
            select(import_rows.c.row_number, import_rows.c.outcome, import_rows.c.raw).order_by(
                import_rows.c.row_number
            )
        ).all()
    assert [r.row_number for r in rows] == [2, 3, 4, 5, 6, 7]
    assert rows[3].outcome == "rejected"
    # Read back as `imports show` gives them: every cell the file has, named by its header.
    shown = cli.json("imports", "show", "1")["rows"]
    assert shown[0]["raw"]["Любимый цвет"] == "синий"
    assert "Комментарий" not in shown[0]["raw"]  # only what the file has
    assert [r["row"] for r in shown] == [2, 3, 4, 5, 6, 7]


def test_same_file_twice_changes_nothing(cli, tmp_path):
    path = shop_file(tmp_path)
    cli("import", path, expect=3)
    again = cli.json("import", path)
    assert again["files"][0]["skipped"].startswith("already imported as batch 1")
    forced = cli.json("import", path, "--force", expect=3)
    assert forced["created"] == 0 and forced["updated"] == 0
    assert forced["unchanged"] == 5
    with cli.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(customers)).scalar() == 4
        assert conn.execute(select(func.count()).select_from(contact_points)).scalar() == 6


def test_updated_list_updates_and_undo_restores(cli, tmp_path):
    cli("import", shop_file(tmp_path), expect=3)
    newer = (
        "ФИО;Телефон;E-mail;Город\r\n"
        "Иванов Иван Иванович;+7 916 123 45 67;;Санкт-Петербург\r\n"
        "Новый Клиент;+7 903 000 11 22;;Тверь\r\n"
        "Мария Петрова;;maria@mail.ru;\r\n"
    )
    # Мария has no phone here and an email nobody has: a new customer, as far as import can tell.
    s = cli.json("import", shop_file(tmp_path, newer, "клиенты_v2.csv"))
    assert (s["created"], s["updated"]) == (2, 1)
    people = {c["name"]: c for c in cli.contacts()}
    assert people["Иванов Иван Иванович"]["city"] == "Санкт-Петербург"

    undo = cli.json("imports", "undo", "2")
    assert undo["customers_removed"] == 2 and undo["changes_restored"] == 1
    people = {c["name"]: c for c in cli.contacts()}
    assert people["Иванов Иван Иванович"]["city"] == "Москва"
    assert "Клиент Новый" not in people and "Новый Клиент" not in people
    assert cli.json("imports", "list")[0]["status"] == "undone"
    # Undone batches don't block a new import of the same file.
    s = cli.json("import", tmp_path / "клиенты_v2.csv")
    assert s["created"] == 2


def test_undo_refuses_when_a_later_batch_built_on_it(cli, tmp_path):
    cli("import", shop_file(tmp_path), expect=3)
    write(tmp_path / "later.csv", "Телефон,Город\n89161234567,Тула\n")
    cli("import", tmp_path / "later.csv")
    r = cli("imports", "undo", "1", expect=1)
    assert "undo batch 2 first" in r.stderr
    assert "Traceback" not in r.stderr
    cli("imports", "undo", "2")
    cli("imports", "undo", "1")
    assert cli.contacts() == []


def test_rejects_file_and_exit_code(cli, tmp_path):
    out = tmp_path / "rejects.csv"
    r = cli("import", shop_file(tmp_path), "--rejects", out, expect=3)
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert rows[0]["row"] == "5" and "только комментарий" in rows[0]["data"]
    assert "rejected row 5: nothing to identify a customer by" in r.stdout


def test_dry_run_writes_nothing(cli, tmp_path):
    s = cli.json("import", shop_file(tmp_path), "--dry-run", expect=3)
    assert s["dry_run"] is True and s["created"] == 4
    assert cli.contacts() == []
    assert cli.json("imports", "list") == []


def test_shared_phone_with_different_first_names_stays_two_people(cli, tmp_path):
    write(
        tmp_path / "family.csv",
        "Имя;Телефон\nИван Петров;+79161112233\nМария Петрова;8 916 111 22 33\nВаня Петров;89161112233\n",
    )
    s = cli.json("import", tmp_path / "family.csv")
    assert s["created"] == 2 and s["duplicates"] == 1
    names = sorted(c["name"] for c in cli.contacts())
    assert names == ["Петров Иван", "Петрова Мария"]


def test_shared_contact_does_not_fold_a_different_birthday_patronymic_or_gender(cli, tmp_path):
    write(
        tmp_path / "family.csv",
        "ФИО;Телефон;Email;Дата рождения\n"
        "Иванов Иван Петрович;+79161112233;;01.02.1960\n"
        "Иванов Иван Иванович;8 916 111 22 33;;\n"  # the son: another patronymic
        "Иванов И. П.;89161112233;;\n"  # initials fit the father
        "Иванов Иван;89161112233;;03.04.1990\n"  # another birthday than the father's
        "Саша Смирнова;;sasha@mail.ru;\n"
        "Смирнов Саша;;sasha@mail.ru;\n",  # one mailbox, a sister and a brother
    )
    s = cli.json("import", tmp_path / "family.csv")
    assert (s["created"], s["duplicates"]) == (4, 2)
    names = sorted(c["name"] for c in cli.contacts())
    assert names == ["Иванов Иван Иванович", "Иванов Иван Петрович", "Смирнов Саша",
                     "Смирнова Саша"]  # fmt: skip


def test_map_overrides_and_unknown_field_is_usage_error(cli, tmp_path):
    write(tmp_path / "odd.csv", "Кто,Куда звонить,Заметка\nИван Иванов,+7 916 000-00-01,вип\n")
    s = cli.json(
        "import",
        tmp_path / "odd.csv",
        "--map",
        "Кто=full_name",
        "--map",
        "Куда звонить=phone",
        "--dry-run",
    )
    assert s["files"][0]["mapping"][""] == {
        "Кто": "full_name",
        "Куда звонить": "phone",
        "Заметка": "note",
    }
    r = cli("import", tmp_path / "odd.csv", "--map", "Кто=фамилия", expect=2)
    assert "unknown field 'фамилия'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = cli("import", tmp_path / "odd.csv", "--map", "Нет такой=phone", expect=2)
    assert "columns the files do not have: Нет такой" in r.stderr


def test_mapping_file_toml(cli, tmp_path):
    write(tmp_path / "odd.csv", "A;B\nИванов Иван;89160000002\n")
    write(tmp_path / "map.toml", '[columns]\nA = "full_name"\nB = "phone:mobile"\n')
    cli("import", tmp_path / "odd.csv", "--mapping", tmp_path / "map.toml")
    [c] = cli.contacts()
    assert c["phones"] == ["+79160000002"] and c["contact_points"][0]["label"] == "mobile"


def test_no_recognisable_columns_is_a_clear_error(cli, tmp_path):
    write(tmp_path / "x.csv", "a,b,c\n1,2,3\n")
    r = cli("import", tmp_path / "x.csv", expect=1)
    assert "no column looks like a name, phone or email" in r.stderr
    assert "--map" in r.stderr
    assert cli.json("imports", "list") == []


def test_utf16_tab_separated_with_multiline_field(cli, tmp_path):
    text = 'Name\tPhone\tNotes\r\nJohn Smith\t+44 20 7946 0958\t"line one\r\nline two"\r\nАнна Кузнецова\t8 903 111-22-33\t\r\n'
    write(tmp_path / "u16.txt", "\ufeff" + text, "utf-16-le")
    s = cli.json("import", tmp_path / "u16.txt")
    assert s["files"][0]["encoding"] in ("utf-16", "utf_16")
    people = {c["name"]: c for c in cli.contacts()}
    assert people["John Smith"]["phones"] == ["+442079460958"]
    assert (
        people["John Smith"]["note"] == "line one\r\nline two"
        or people["John Smith"]["note"] == "line one\nline two"
    )
    # The quoted note spans two lines, but it is one spreadsheet row: Анна is row 3.
    assert people["Кузнецова Анна"]["provenance"][0]["row"] == 3


def test_utf8_bom_google_export(cli, tmp_path):
    text = (
        "\ufeffFirst Name,Middle Name,Last Name,Birthday,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
        "Ольга,,Смирнова,--05-17,* myContacts ::: Опт,* Work,olga@firm.ru,Mobile,+7 912 345-67-89 ::: +7 343 222-33-44\n"
    )
    write(tmp_path / "google.csv", text)
    cli("import", tmp_path / "google.csv")
    [c] = cli.contacts()
    assert c["name"] == "Смирнова Ольга"
    assert c["phones"] == ["+79123456789", "+73432223344"]
    assert c["contact_points"][0]["label"] == "Mobile"
    assert (c["birthday"], c["birthday_month_day"]) == (None, "05-17")
    assert c["tags"] == ["Опт"]


def test_amocrm_suffixes(cli, tmp_path):
    text = (
        "\ufeffID,Полное имя (контакт),Компания,Мобильный телефон (контакт),Рабочий email (контакт),Ответственный за контакт\n"
        '101,Кузьмин Олег,"ООО ""Ромашка""","+7 (999) 111-22-33, +7 (999) 111-22-44",o.kuzmin@romashka.ru,Анна Менеджерова\n'
    )
    write(tmp_path / "amo.csv", text)
    cli("import", tmp_path / "amo.csv")
    [c] = cli.contacts()
    assert c["external_id"] == "101"
    assert c["company"] == 'ООО "Ромашка"'
    assert c["manager"] == "Анна Менеджерова"
    assert c["phones"] == ["+79991112233", "+79991112244"]
    assert c["emails"] == ["o.kuzmin@romashka.ru"]


def test_bad_inputs_give_one_line_errors(cli, tmp_path):
    r = cli("import", tmp_path / "missing.csv", expect=1)
    assert (
        r.stderr.strip()
        == f"clientbase: error: {tmp_path / 'missing.csv'}: no such file or directory"
    )
    write(tmp_path / "blob.bin", "\x00\x01\x02\x03" * 100, "latin-1")
    r = cli("import", tmp_path / "blob.bin", expect=1)
    assert r.stderr == (
        "clientbase: error: blob.bin is binary data, not a table, vCard or call log "
        "(CSV/TSV, .xlsx, .xls, .ods, .vcf, or a call log)\n"
    )
    write(tmp_path / "cyr.csv", "ФИО;Телефон\nИванов;89161234567\n", "cp1251")
    r = cli("import", tmp_path / "cyr.csv", "--encoding", "utf-8", expect=1)
    assert r.stderr == (
        "clientbase: error: cyr.csv, line 1: not valid utf-8 (byte 0xd4 at position 1) "
        "(leave out --encoding to read each line in the encoding it is valid in)\n"
    )
    r = cli("import", tmp_path / "cyr.csv", "--encoding", "klingon", expect=2)
    assert "unknown encoding 'klingon'" in r.stderr
    assert cli.json("imports", "list") == []


def test_directory_import_and_batches(cli, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write(d / "a.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    write(d / "b.csv", "ФИО;Телефон\nИван Иванов;+79161234567\nПётр Петров;89035556677\n")
    write(d / "notes.md", "not imported")
    s = cli.json("import", d)
    assert [f["file"].rsplit("/", 1)[-1] for f in s["files"]] == ["a.csv", "b.csv", "notes.md"]
    assert s["files"][2]["skipped"] == (
        "not imported: notes.md: .md files in a folder are passed over "
        "(name the file itself to have its content read)"
    )
    assert s["created"] == 2 and s["unchanged"] == 1
    with cli.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(imports)).scalar() == 2


def test_summary_row_is_rejected(cli, tmp_path):
    write(tmp_path / "t.csv", "ФИО;Телефон\nИванов Иван;89161234567\nИтого;\n")
    s = cli.json("import", tmp_path / "t.csv", expect=3)
    assert s["rejected"] == 1 and "summary row" in s["files"][0]["rejects"][0]["reason"]


def test_big_file_path_with_workers_gives_the_same_result(cli, tmp_path, monkeypatch):
    """Large files are cleaned in worker processes and load with deferred indexes; the result
    must be the same as the in-process path."""
    from clientbase.importers import pipeline

    rows = ["ФИО;Телефон;E-mail"]
    for i in range(3000):
        rows.append(f"Петров Иван;8 916 {i:03d}-{i % 100:02d}-00;c{i}@mail.ru")
    rows.append(";;")
    rows.append("Иван Петров;+7916007-07-00;")  # a duplicate of row 9
    path = write(tmp_path / "big.csv", "\n".join(rows) + "\n", "cp1251")
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 500)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)  # even on a one-core runner
    used = []
    real_in_workers = pipeline._in_workers
    monkeypatch.setattr(
        pipeline, "_in_workers", lambda jobs: used.append(1) or real_in_workers(jobs)
    )
    s = cli.json("import", path)
    assert used, "the worker path was not taken"
    assert (s["rows_read"], s["created"], s["duplicates"], s["rejected"]) == (3001, 3000, 1, 0)
    found = cli.json("contacts", "list", "--search", "+79160070700")
    assert [(c["name"], [p["row"] for p in c["provenance"]]) for c in found] == [
        ("Петров Иван", [9, 3003])
    ]
    info = cli.json("db", "info")
    assert info["counts"]["contact_points"] == 6000
    inspector = inspect(cli.engine())  # the deferred indexes are back
    names = {ix["name"] for t in ("contact_points", "customers") for ix in inspector.get_indexes(t)}
    assert {"ix_contact_points_kind_value", "ix_customers_display_name"} <= names


def test_consent_change_is_kept_and_undone_exactly(cli, tmp_path):
    # Within one file: the second row withdraws consent for the phone the first row added.
    write(
        tmp_path / "a.csv",
        "ФИО;Телефон;Согласие\nИванов Иван;89161112233;да\nИванов Иван;89161112233;нет\n",
    )
    cli("import", tmp_path / "a.csv")
    [c] = cli.contacts()
    assert c["contact_points"][0]["consent"] == "withdrawn"
    # A later list grants it again; undoing that list restores "withdrawn" with its old time.
    with cli.engine().connect() as conn:
        before = conn.execute(select(contact_points.c.consent_at)).scalar()
    write(tmp_path / "b.csv", "ФИО;Телефон;Согласие\nИванов Иван;+7 916 111-22-33;да\n")
    cli("import", tmp_path / "b.csv")
    assert cli.contacts()[0]["contact_points"][0]["consent"] == "granted"
    cli("imports", "undo", "2")
    with cli.engine().connect() as conn:
        row = conn.execute(select(contact_points.c.consent, contact_points.c.consent_at)).one()
    assert tuple(row) == ("withdrawn", before)
