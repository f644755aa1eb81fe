"""`clientbase db copy`: a whole base into an empty database and back, ids and rows exact."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, ON_PG, Cli
from sqlalchemy import select

from clientbase.db.copy import check_table, tables
from clientbase.db.models import customers


def checks(cli: Cli) -> dict:
    engine = cli.engine()
    with engine.connect() as conn:
        return {t.name: check_table(conn, t) for t in tables()}


def test_the_examples_base_round_trips_exactly(new_db, tmp_path):
    """The base in the backend under test goes to a SQLite file (on PostgreSQL) or to a second
    file, and from there into a fresh database of the first kind: every table, every id."""
    first = Cli(new_db("first"))
    first("import", EXAMPLES, expect=3)
    ids = [c["id"] for c in first.contacts()]
    first("dedupe", "merge", str(ids[0]), str(ids[1]))  # a card merged into another
    first("note", str(ids[2]), "Обсудили скидку 5% на опт")
    before = checks(first)
    middle = Cli(tmp_path / "middle.sqlite3")
    r = first.json("db", "copy", "--to", middle.db)
    assert {t["table"]: t["rows"] for t in r["tables"]}["customers"] == before["customers"].rows
    assert checks(middle) == before
    last = Cli(new_db("last", migrated=False))  # not even a schema yet
    middle("db", "copy", "--to", last.db)
    assert checks(last) == before
    assert last.contacts() == first.contacts()
    assert last.json("imports", "list") == first.json("imports", "list")


def test_ids_continue_after_the_copied_ones(new_db, tmp_path):
    src = Cli(tmp_path / "src.sqlite3")
    src("contacts", "add", "--name", "Петрова Анна", "--phone", "8 916 555-44-33")
    src("contacts", "add", "--name", "Иванов Иван", "--phone", "8 916 555-44-34")
    src("contacts", "add", "--name", "Козлов Пётр", "--phone", "8 916 555-44-36")
    with src.engine().begin() as conn:  # a gap: ids are kept as they are, not renumbered
        conn.execute(customers.delete().where(customers.c.id == 2))
    dst = Cli(new_db("dst"))
    src("db", "copy", "--to", dst.db)
    dst("contacts", "add", "--name", "Сидоров Олег", "--phone", "8 916 555-44-35")
    with dst.engine().connect() as conn:
        got = conn.execute(select(customers.c.id, customers.c.display_name).order_by("id")).all()
    assert got == [(1, "Петрова Анна"), (3, "Козлов Пётр"), (4, "Сидоров Олег")]


def test_a_target_with_data_is_refused_and_left_alone(new_db, tmp_path):
    src = Cli(new_db("src"))
    src("contacts", "add", "--name", "Петрова Анна")
    dst = Cli(tmp_path / "dst.sqlite3")
    dst("contacts", "add", "--name", "Иванов Иван")
    r = src("db", "copy", "--to", dst.db, expect=2)
    assert r.stderr.startswith("clientbase: error: the target database is not empty (rows in ")
    assert len(r.stderr.strip().splitlines()) == 1
    assert [c["name"] for c in dst.contacts()] == ["Иванов Иван"]
    r = src("db", "copy", "--to", src.db, expect=2)
    assert "--to names the base being copied" in r.stderr


def test_backup_of_any_backend_is_a_sqlite_file_that_copies_back(new_db, tmp_path):
    cli = Cli(new_db())
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("db", "backup", tmp_path / "b.sqlite3")
    copy = Cli(tmp_path / "b.sqlite3")
    assert copy.contacts() == cli.contacts()
    # The base notes the backup once it is written, so the backup itself cannot hold that note.
    mine, theirs = checks(cli), checks(copy)
    assert mine.pop("written_copies").rows == theirs.pop("written_copies").rows + 1
    assert theirs == mine


@pytest.mark.skipif(not ON_PG, reason="needs a PostgreSQL server: set CLIENTBASE_TEST_PG")
def test_sqlite_to_postgresql_when_a_server_is_there(new_db, tmp_path):
    src = Cli(tmp_path / "shop.sqlite3")
    src("import", EXAMPLES, expect=3)
    dst = Cli(new_db("pg", migrated=False))
    src("db", "copy", "--to", dst.db)
    assert checks(dst) == checks(src)
    assert dst.json("analyze", "abc-xyz") == src.json("analyze", "abc-xyz")
