"""The card by hand: add, edit, notes, reminders, archive, forget."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ON_PG, write
from sqlalchemy import func, insert, select

from clientbase.db.models import customers, erasures, orders


def test_add_normalises_and_checks_duplicates(cli):
    r = cli.json("contacts", "add", "--name", "иванов иван иванович", "--phone", "8 (916) 123-45-67",
                 "--email", "Ivan@Mail.RU", "--birthday", "01.02.1985", "--field", "position=Директор")  # fmt: skip
    assert r["created"] is True
    [c] = cli.contacts()
    assert (c["name"], c["gender"], c["birthday"]) == ("Иванов Иван Иванович", "m", "1985-02-01")
    assert (c["phones"], c["emails"], c["position"]) == (
        ["+79161234567"],
        ["ivan@mail.ru"],
        "Директор",
    )
    # The same phone written differently: the known customer is updated, not duplicated.
    again = cli.json(
        "contacts", "add", "--name", "Иван Иванов", "--phone", "+7 916 1234567", "--city", "Тула"
    )
    assert (again["created"], again["id"]) == (False, c["id"])
    assert len(cli.contacts()) == 1 and cli.contacts()[0]["city"] == "Тула"
    # Typed by hand, a bad value is an error to fix, not data to keep flagged.
    r = cli("contacts", "add", "--name", "Петров", "--phone", "123", expect=2)
    assert "--phone '123'" in r.stderr
    assert cli("contacts", "add", expect=2).stderr.startswith("clientbase: error: give at least")
    assert cli.json("imports", "list")[0]["file_name"] == "contacts add"  # undoable like an import


def test_edit(cli):
    cli("contacts", "add", "--name", "Иванов Иван", "--phone", "89161234567", "--email", "i@x.ru")
    cli("contacts", "add", "--name", "Петров Пётр", "--phone", "89031234567")
    r = cli.json("contacts", "edit", "1", "--name", "ИВАНОВ Иван Петрович", "--phone", "8 903 123-45-67",
                 "--remove", "i@x.ru", "--birthday", "12.07", "--field", "note=VIP")  # fmt: skip
    assert r["added"] == ["+79031234567"] and r["removed"] == 1
    assert r["shared_with"] == [2]  # Пётр has that number too: a duplicate to look at
    c = cli.json("contacts", "show", "1")
    assert (c["name"], c["middle_name"], c["birthday_month_day"], c["note"]) == (
        "Иванов Иван Петрович", "Петрович", "07-12", "VIP")  # fmt: skip
    assert c["phones"] == ["+79161234567", "+79031234567"] and c["emails"] == []
    assert (
        cli("contacts", "edit", "1", "--birthday", "31.02.1990", expect=2).stderr.count("\n") == 1
    )
    assert (
        "not a field you can set"
        in cli("contacts", "edit", "1", "--field", "id=5", expect=2).stderr
    )
    assert cli("contacts", "edit", "9", "--city", "Тула", expect=1).stderr.startswith(
        "clientbase: error: there is no customer 9"
    )


def test_notes_and_reminders(cli):
    cli("contacts", "add", "--name", "Иванов Иван", "--phone", "89161234567")
    cli("note", "1", "Обсудили скидку 5%", "--as", "call", "--outcome", "agreed")
    cli("remind", "1", "--in", "0d", "позвонить, предложить новую коллекцию")
    cli(
        "remind",
        "1",
        "--on",
        (datetime.now() - timedelta(days=3)).strftime("%d.%m.%Y"),
        "отправить счёт",
    )
    cli("remind", "1", "--in", "2w", "поздравить")
    due = cli.json("remind", "due")
    assert [(d["what"], d["overdue"]) for d in due] == [("отправить счёт", True),
                                                        ("позвонить, предложить новую коллекцию", False)]  # fmt: skip
    assert due[0]["phone"] == "+79161234567"
    cli("remind", "done", str(due[0]["id"]))
    assert [d["what"] for d in cli.json("remind", "due")] == [
        "позвонить, предложить новую коллекцию"
    ]
    cli("remind", "done", str(due[1]["id"]))
    # Nothing due: nothing on stdout, so a cron line mails only when there is work.
    quiet = cli("-q", "remind", "due")
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert cli("remind", "due").stderr == "nothing due\n"
    assert cli.json("remind", "due") == []
    card = cli.json("contacts", "show", "1")
    assert [(e["kind"], e["outcome"], e["text"]) for e in card["log"]] == [
        ("call", "agreed", "Обсудили скидку 5%")
    ]
    assert [r["text"] for r in card["reminders"]] == ["поздравить"]  # the open ones
    assert cli("remind", "1", "--in", "soon", "x", expect=2).stderr.startswith(
        "clientbase: error: --in"
    )
    assert cli("remind", "1", "без срока", expect=2).stderr.startswith(
        "clientbase: error: say when"
    )


def test_archive_keeps_history_and_withdraws_consent(cli):
    cli("contacts", "add", "--name", "Иванов Иван", "--phone", "89161234567")
    cli("consent", "set", "1", "granted", "--channel", "sms")
    cli("contacts", "archive", "1")
    c = cli.json("contacts", "show", "1")
    assert c["status"] == "archived"
    assert {p["consent"] for p in c["contact_points"]} == {"withdrawn"}
    # An earlier SMS grant does not outlive the archiving.
    assert c["contact_points"][0]["channels"] == {
        "sms": "withdrawn",
        "calls": "withdrawn",
        "ads": "withdrawn",
    }


def stored_bytes(cli) -> bytes:
    """Every byte the database keeps on disk for our tables: the SQLite file and its log, or
    on PostgreSQL the files of each table, its TOAST table and its indexes."""
    if not ON_PG:
        db = Path(cli.db)
        return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    with cli.engine().connect() as conn:
        data_dir = Path(conn.exec_driver_sql("SHOW data_directory").scalar())
        files = (
            conn.exec_driver_sql(
                "SELECT pg_relation_filepath(oid) FROM pg_class"
                " WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'i')"
                " UNION SELECT pg_relation_filepath(reltoastrelid) FROM pg_class"
                " WHERE relnamespace = current_schema()::regnamespace AND reltoastrelid <> 0"
            )
            .scalars()
            .all()
        )
    if not os.access(data_dir, os.R_OK):
        pytest.skip(f"PostgreSQL's data directory {data_dir} is not readable here")
    data = b""
    for rel in files:  # a table's file, and its 1 GB segments rel.1, rel.2…
        data += b"".join(
            p.read_bytes()
            for p in (data_dir / rel).parent.glob(Path(rel).name + "*")
            if p.name == Path(rel).name or p.name.startswith(Path(rel).name + ".")
        )
    return data


def test_forget_leaves_no_trace_in_the_files(cli, tmp_path):
    write(
        tmp_path / "c.csv",
        "ФИО;Телефон;E-mail;Комментарий\n"
        "Забываемов Ефим Ильич;8 (916) 765-43-21;efim.zabyvaemov@mail.ru;любит синий\n"
        "Остаётся Ольга;89031234567;;\n",
        "cp1251",
    )
    cli("import", tmp_path / "c.csv")
    cli("note", "1", "Забываемов просил перезвонить")
    with cli.engine().begin() as conn:  # an order stays for the totals, anonymised
        conn.execute(insert(orders).values(customer_id=1, ordered_at=datetime(2026, 1, 5), amount=1500.0,
                                           created_at=datetime.now()))  # fmt: skip
    assert cli("contacts", "forget", "1", expect=2).stderr.startswith(
        "clientbase: error: erasing cannot be undone"
    )
    r = cli.json("contacts", "forget", "1", "--yes")
    assert r["erased"]["contact_points"] == 2 and r["erased"]["interactions"] == 1
    data = stored_bytes(cli)
    for secret in (
        "Забываемов",
        "Ефим",
        "9167654321",
        "765-43-21",
        "efim.zabyvaemov",
        "любит синий",
    ):
        assert secret.encode() not in data, secret
    assert "Остаётся".encode() in data  # the other customer is untouched
    with cli.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar() == 1
        assert (
            conn.execute(select(customers.c.display_name).where(customers.c.id == 1)).scalar()
            == "(erased)"
        )
        assert conn.execute(select(func.count()).select_from(erasures)).scalar() == 1
    assert [c["name"] for c in cli.contacts()] == ["Остаётся Ольга"]  # no longer a contact
    erased = cli.json("contacts", "show", "1")
    assert (erased["name"], erased["phones"], erased["orders"]["count"]) == ("(erased)", [], 1)
    assert erased["orders"]["revenue"] == 1500.0
    assert cli("contacts", "forget", "1", "--yes", expect=1).stderr.startswith(
        "clientbase: error: customer 1 was erased"
    )


@pytest.mark.skipif(not ON_PG, reason="PostgreSQL only: SQLite rewrites its one file whole")
def test_forget_rewrites_only_the_tables_that_held_the_person(cli, tmp_path):
    write(
        tmp_path / "c.csv", "ФИО;Телефон\nЗабываемов Ефим;89167654321\nОстаётся Ольга;89031234567\n"
    )
    cli("import", tmp_path / "c.csv")
    with cli.engine().begin() as conn:
        conn.execute(insert(orders).values(customer_id=2, ordered_at=datetime(2026, 1, 5), amount=10.0,
                                           created_at=datetime.now()))  # fmt: skip

    def files() -> dict[str, str]:
        with cli.engine().connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT relname, pg_relation_filepath(oid) FROM pg_class"
                " WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
            )
            return dict(rows.all())

    before = files()
    cli("contacts", "forget", "1", "--yes")
    after = files()
    rewritten = {name for name in before if before[name] != after[name]}
    # The person's card (blanked), phone and raw row were there; the other customer's order,
    # the import batch and the tag list never held them.
    assert {"customers", "contact_points", "import_rows"} <= rewritten
    assert not rewritten & {"orders", "imports", "tags", "erasures"}
    assert stored_bytes(cli).count("Забываемов".encode()) == 0


def test_forget_erases_the_cards_merged_into_the_person(cli, tmp_path):
    write(
        tmp_path / "c.csv",
        "ФИО;Телефон;E-mail\n"
        "Забываемов Ефим Ильич;8 (916) 765-43-21;\n"
        "Забываемов Ефим;8 (903) 111-22-33;efim.zabyvaemov@mail.ru\n",
    )
    cli("import", tmp_path / "c.csv")
    cli("dedupe", "merge", "1", "2")
    r = cli.json("contacts", "forget", "1", "--yes")
    assert (r["erased"]["merged_cards"], r["erased"]["contact_points"], r["erased"]["merges"]) == (
        1,
        3,
        1,
    )
    data = stored_bytes(cli)
    for secret in ("Забываемов", "9031112233", "efim.zabyvaemov", "9167654321"):
        assert secret.encode() not in data, secret
    with cli.engine().connect() as conn:
        statuses = conn.execute(select(customers.c.status).order_by(customers.c.id)).scalars()
        assert list(statuses) == ["erased", "erased"]
