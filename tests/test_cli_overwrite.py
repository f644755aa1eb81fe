"""Nothing the tool writes clobbers a user's file: exports, backups, rejects files, reports; a
mistyped --db folder is not created; an absurd --search is a usage error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ON_PG, write

PEOPLE = "ФИО;Телефон;Согласие на рассылку\n" + "".join(
    f"Клиентов{n} Иван;+7916555{n:04d};да\n" for n in range(1, 6)
)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_an_export_does_not_overwrite_without_force(cli, tmp_path):
    cli("import", write(tmp_path / "p.csv", PEOPLE))
    out = tmp_path / "a.csv"
    out.write_text("my own notes\n")
    r = cli("export", "audience", "-p", "csv", "-o", out, expect=2)
    assert one_line(r.stderr) == (
        f"clientbase: error: --out {out}: the file exists already "
        "(add --force to replace it, or choose another name)"
    )
    assert out.read_text() == "my own notes\n"
    cli("export", "audience", "-p", "csv", "-o", out, "--force")
    assert out.read_text().count("\n") == 6  # header and five people


def test_stale_parts_of_a_bigger_export_go_with_force(cli, tmp_path):
    cli("import", write(tmp_path / "p.csv", PEOPLE))
    out = tmp_path / "a.csv"
    cli("export", "audience", "-p", "csv", "-o", out, "--split-size", "2")
    parts = sorted(p.name for p in tmp_path.glob("a*.csv"))
    assert parts == ["a-part1.csv", "a-part2.csv", "a-part3.csv"]
    r = cli("export", "audience", "-p", "csv", "-o", out, "--split-size", "3", expect=2)
    assert "a-part1.csv exists already (and 2 more files of an earlier export)" in r.stderr
    r = cli.json("export", "audience", "-p", "csv", "-o", out, "--split-size", "3", "--force")
    assert sorted(p.name for p in tmp_path.glob("a*.csv")) == ["a-part1.csv", "a-part2.csv"]
    assert any("removed 1 file of an earlier export of the same name: a-part3.csv" in n
               for n in r["notes"])  # fmt: skip
    # Unsplit now: the numbered parts would look like a newer, bigger list beside it.
    cli("export", "audience", "-p", "csv", "-o", out, "--force")
    assert sorted(p.name for p in tmp_path.glob("a*.csv")) == ["a.csv"]
    assert [c["path"] for c in cli.json("db", "copies")] == [str(out)]


def test_a_part_the_tool_did_not_write_is_refused_even_with_force(cli, tmp_path):
    cli("import", write(tmp_path / "p.csv", PEOPLE))
    out = tmp_path / "a.csv"
    cli("export", "audience", "-p", "csv", "-o", out)
    mine = tmp_path / "a-part7.csv"
    mine.write_text("a user's file\n")
    r = cli("export", "audience", "-p", "csv", "-o", out, "--force", expect=2)
    assert "a-part7.csv looks like a part of this export but was not written by clientbase" in (
        one_line(r.stderr)
    )
    assert mine.read_text() == "a user's file\n"


def test_db_backup_does_not_overwrite_without_force(cli, tmp_path):
    cli("contacts", "add", "--name", "Иванов Иван")
    dest = tmp_path / "b.sqlite3"
    dest.write_bytes(b"precious")
    r = cli("db", "backup", dest, expect=2)
    assert one_line(r.stderr) == (
        f"clientbase: error: {dest} exists already "
        "(add --force to replace it, or choose another name)"
    )
    assert dest.read_bytes() == b"precious"
    cli("db", "backup", dest, "--force")
    assert dest.read_bytes().startswith(b"SQLite format 3")


def test_a_mistyped_db_folder_is_not_created(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from clientbase.cli.main import app

    db = tmp_path / "nonexist_dir" / "x.sqlite3"
    r = CliRunner().invoke(app, ["--db", str(db), "contacts", "list"])
    assert r.exit_code == 1
    assert one_line(r.stderr) == (
        f"clientbase: error: --db {db}: the folder {db.parent} does not exist "
        "(check the path, or create the folder first)"
    )
    assert not db.parent.exists()
    monkeypatch.setenv("CLIENTBASE_DB", str(db))
    r = CliRunner().invoke(app, ["contacts", "list"])
    assert r.exit_code == 1 and "CLIENTBASE_DB" in r.stderr and not db.parent.exists()


def test_the_default_data_folder_is_created(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from clientbase.cli.main import app

    monkeypatch.delenv("CLIENTBASE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    r = CliRunner().invoke(app, ["contacts", "list", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    assert list((tmp_path).rglob("clientbase.sqlite3"))


def test_rejects_never_clobber_a_users_file(cli, tmp_path):
    good = write(tmp_path / "good.csv", PEOPLE)
    bad = write(
        tmp_path / "bad.csv", "ФИО;Телефон;Комментарий\nИванов Иван;89161112233;\n;;привет\n"
    )
    mine = tmp_path / "rejected.csv"
    mine.write_text("my list\n")
    r = cli("import", bad, "--rejects", mine, expect=2)
    assert one_line(r.stderr).startswith(
        f"clientbase: error: --rejects {mine}: the file exists and was not written by clientbase"
    )
    assert mine.read_text() == "my list\n"
    assert cli.json("imports", "list") == []  # refused before anything was imported

    ours = tmp_path / "r.csv"
    cli("import", bad, "--rejects", ours, expect=3)
    assert "привет" in ours.read_text(encoding="utf-8-sig")
    # Nothing rejected: no header-only file, and our earlier file (another run's rows) goes.
    r = cli("import", good, "--rejects", ours)
    assert f"no rows rejected: {ours} not written (the earlier one there was removed)" in r.stderr
    assert not ours.exists()
    r = cli("import", good, "--rejects", ours, "--force")
    assert not ours.exists() and f"no rows rejected: {ours} not written\n" in r.stderr
    # Ours and unchanged: replaced by the next run; changed by hand: refused.
    cli("import", bad, "--rejects", ours, "--force", expect=3)
    cli("import", bad, "--rejects", ours, "--force", expect=3)
    ours.write_text(ours.read_text(encoding="utf-8-sig") + "edited\n", encoding="utf-8")
    r = cli("import", bad, "--rejects", ours, "--force", expect=2)
    assert "was not written by clientbase (or was changed since)" in r.stderr


@pytest.mark.parametrize("name", ["keep.txt", "notes.json", "page.html", "mail.md"])
def test_a_report_does_not_overwrite_a_users_file(cli, tmp_path, name):
    cli("import", write(tmp_path / "p.csv", PEOPLE))
    out = tmp_path / name
    out.write_text("important\n")
    for short in ("--out", "-o"):
        r = cli("report", short, out, expect=2)
        assert one_line(r.stderr) == (
            f"clientbase: error: --out {out}: the file exists and was not written by clientbase "
            "(or was changed since) (add --force to replace it, or choose another name)"
        )
        assert r.stdout == ""
        assert out.read_text() == "important\n"
    assert cli.json("db", "copies") == []
    r = cli("report", "-o", out, "--force")
    assert r.stderr == f"report written to {out}\n"
    assert out.read_text() != "important\n"
    assert [(c["path"], c["kind"]) for c in cli.json("db", "copies")] == [(str(out), "report")]


def test_a_scheduled_report_replaces_its_own_file(cli, tmp_path):
    """The cron lines write the same name every day without --force: yesterday's report is the
    tool's own file. Once someone edits it, it is theirs."""
    cli("import", write(tmp_path / "p.csv", PEOPLE))
    out = tmp_path / "week.html"
    cli("-q", "report", "--out", out, "--as-of", "2026-01-05")
    first = out.read_text()
    r = cli("-q", "report", "--out", out, "--as-of", "2026-01-06")
    assert r.stdout == r.stderr == ""
    assert out.read_text() != first  # the new day's report
    assert [c["kind"] for c in cli.json("db", "copies")] == ["report"]  # one entry per file
    out.write_text(out.read_text() + "<!-- my note -->")
    edited = out.read_text()
    r = cli("-q", "report", "--out", out, expect=2)
    assert "was not written by clientbase (or was changed since)" in one_line(r.stderr)
    assert out.read_text() == edited
    # A folder at that name is not a file to replace, --force or not.
    folder = tmp_path / "dir.json"
    folder.mkdir()
    r = cli("report", "--out", folder, "--force", expect=2)
    assert one_line(r.stderr) == f"clientbase: error: --out {folder}: not a regular file"


def test_forget_names_a_report_written_while_the_person_was_known(cli, tmp_path):
    cli("import", write(tmp_path / "p.csv", PEOPLE))
    out = tmp_path / "r.json"
    cli("report", "--out", out)
    r = cli("contacts", "forget", "1", "--yes")
    warned = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and f"the report {out}" in warned[0], r.stderr
    assert f"delete it: rm {out}" in warned[0]


def test_a_huge_search_is_a_usage_error(cli):
    cli("contacts", "add", "--name", "Иванов Иван")
    r = cli("contacts", "list", "--search", "а" * 60_000, "--format", "json", expect=2)
    assert one_line(r.stderr) == (
        "clientbase: error: --search: at most 500 characters (got 60,000) "
        "(search for a part of the name, phone or email)"
    )
    assert r.stdout == ""
    assert [c["name"] for c in cli.json("contacts", "list", "--search", "иванов")] == [
        "Иванов Иван"
    ]


def test_db_copies_lists_nothing_for_a_new_base(cli):
    assert cli.json("db", "copies") == []
    if not ON_PG:  # a file base is created on first use
        assert Path(cli.db).exists()
