"""Database location, schema, info and backup."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import ON_PG, write
from sqlalchemy import inspect
from typer.testing import CliRunner

from clientbase.cli.main import app
from clientbase.config import resolve_db


def test_db_location_flag_env_default(tmp_path, monkeypatch):
    assert resolve_db(str(tmp_path / "a.db"), env={}).origin == "--db"
    loc = resolve_db(None, env={"CLIENTBASE_DB": str(tmp_path / "b.db")})
    assert (loc.origin, loc.path) == ("CLIENTBASE_DB", tmp_path / "b.db")
    assert resolve_db(None, env={}).origin == "default"
    assert resolve_db("sqlite:////tmp/x.db", env={}).url == "sqlite:////tmp/x.db"
    assert resolve_db("postgresql://u@h/db", env={}).path is None


def test_env_var_is_used_by_commands(tmp_path, monkeypatch):
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("CLIENTBASE_DB", str(db))
    r = CliRunner().invoke(app, ["db", "info", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    assert '"exists": false' in r.stdout
    r = CliRunner().invoke(app, ["contacts", "list", "--format", "json"])
    assert r.exit_code == 0 and r.stdout.strip() == "[]"
    assert db.exists()


def test_created_on_first_use_with_info(cli, tmp_path):
    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    cli("import", tmp_path / "c.csv")
    info = cli.json("db", "info")
    assert info["path" if not ON_PG else "url"] == str(cli.db)
    assert info["revision"] == info["head"] and info["up_to_date"] is True
    assert info["counts"]["customers"] == 1
    assert info["counts"]["contact_points"] == 1
    assert info["counts"]["import_rows"] == 1
    names = set(inspect(cli.engine()).get_table_names())
    if not ON_PG:
        with sqlite3.connect(cli.db) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for table in ("customers", "contact_points", "imports", "import_rows", "orders", "interactions",
                  "tags", "customer_tags", "segments", "merges", "exports", "settings"):  # fmt: skip
        assert table in names


def test_backup_is_a_consistent_copy(cli, tmp_path):
    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    cli("import", tmp_path / "c.csv")
    dest = tmp_path / "copies" / "b.sqlite3"
    r = cli("db", "backup", dest)
    assert "backup written" in r.stderr
    with sqlite3.connect(dest) as conn:
        assert conn.execute("SELECT display_name FROM customers").fetchall() == [("Иванов Иван",)]


def test_upgrade_backs_up_a_file_behind_head(cli):
    from alembic import command

    from clientbase.db.migrate import _alembic_config

    cli("db", "upgrade")
    with cli.engine().begin() as conn:  # an old file: the schema before the first revision
        command.downgrade(_alembic_config(conn), "base")
    r = cli("db", "upgrade")
    assert "(new database) -> 000" in r.stderr
    if not ON_PG:  # a server database is backed up with the server's tools (pg_dump)
        backups = list(Path(cli.db).parent.glob("*.bak"))
        assert len(backups) == 1 and f"backup of the previous file: {backups[0]}" in r.stderr
    assert cli.json("db", "info")["up_to_date"] is True
    r = cli("db", "upgrade")
    assert "already up to date" in r.stderr


def test_a_newer_schema_is_refused(cli):
    cli("db", "upgrade")
    with cli.engine().begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    r = cli("contacts", "list", expect=1)
    assert r.stderr.strip().startswith("clientbase: error: the database schema (ffff) is newer")


def test_quiet_and_errors(cli):
    r = cli("-q", "contacts", "show", "42", expect=1)
    assert (
        r.stderr.strip()
        == "clientbase: error: there is no customer 42 (see: clientbase contacts list)"
    )
    assert r.stdout == ""
    r = cli("contacts", "list", "--format", "xml", expect=2)
    assert "xml" in r.stderr


def test_version_and_help():
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("clientbase ")
    r = CliRunner().invoke(app, ["import", "--help"])
    assert r.exit_code == 0 and "--rejects" in r.stdout


def test_global_options_are_accepted_after_the_command(tmp_path):
    from typer.testing import CliRunner

    from clientbase.cli.main import app
    from clientbase.cli.main import hoist_global_options as hoist

    db = tmp_path / "late.sqlite3"
    result = CliRunner().invoke(app, ["db", "info", "--format", "json", "--db", str(db), "-q"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["path"] == str(db)
    # Nothing after "--" moves: it is data, not an option.
    assert hoist(["note", "5", "-v", "--", "-q"]) == ["-v", "note", "5", "--", "-q"]
    assert hoist(["import", "x.csv", "--db=a.db"]) == ["--db=a.db", "import", "x.csv"]


def test_a_reader_that_stops_early_ends_the_command_quietly(cli):
    import subprocess
    import sys

    from conftest import EXAMPLES

    cli("import", EXAMPLES, expect=3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "clientbase", "--db", str(cli.db), "contacts", "list",
         "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout.read(10).startswith(b"[")
    proc.stdout.close()  # like `| head -c 10`: the rest can no longer be written
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_postgresql_without_its_driver_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )
    r = CliRunner().invoke(app, ["--db", "postgresql://shop@localhost/clientbase", "db", "info"])
    assert r.exit_code == 1
    assert r.stderr == (
        "clientbase: error: PostgreSQL needs the psycopg driver: "
        "pip install 'clientbase[postgres]'\n"
    )


def test_a_server_that_is_not_there_is_one_line_without_the_password(tmp_path):
    url = f"postgresql://shop:s3cret@/clientbase?host={tmp_path}&port=5999"
    r = CliRunner().invoke(app, ["--db", url, "contacts", "list"])
    assert r.exit_code == 1
    assert r.stderr.startswith("clientbase: error: cannot connect to postgresql://shop:***@/")
    assert "s3cret" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
