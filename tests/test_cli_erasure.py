"""`contacts forget`: only the person's rows go, others keep their provenance; the copies the
tool wrote (backups, exports, rejects files) that may still hold the person are named."""

from __future__ import annotations

from sqlalchemy import select, text

from clientbase.db.models import import_rows, imports
from clientbase.importers.rawrow import batch_headers, read_raw
from tests.conftest import write

COLLEAGUES = (
    "ФИО;Телефон;Компания;Email;Комментарий\n"
    'Иванов Сергей Петрович;+79161234567;ООО "СтройДом";ivanov@stroydom.ru;\n'
    'Петренко Ольга Ивановна;+79167654321;ООО "СтройДом";petrenko@stroydom.ru;'
    "замещает Иванов Сергей Петрович\n"
    ";;;;звонил ivanov@stroydom.ru\n"
)


ir = import_rows.c


def raw_rows(cli) -> list[tuple[int | None, str, dict]]:
    """The rows kept with the batch, as `imports show` reads them back (the cells form is
    named with the batch's header)."""
    with cli.engine().connect() as conn:
        rows = conn.execute(
            select(ir.customer_id, ir.outcome, ir.raw, ir.sheet, imports.c.options)
            .join(imports, imports.c.id == ir.import_id)
            .order_by(ir.row_number)
        ).all()
    return [
        (c, o, read_raw(r, batch_headers(opt).get(sheet or ""))) for c, o, r, sheet, opt in rows
    ]


def test_forget_keeps_a_colleagues_row_and_blanks_the_person_in_it(cli, tmp_path):
    cli("import", write(tmp_path / "c.csv", COLLEAGUES), expect=3)
    r = cli.json("contacts", "forget", "1", "--yes")
    assert r["erased"]["import_rows"] == 1  # the person's own row only
    assert r["erased"]["import_rows_blanked"] == 2  # the colleague's note, the rejected row
    rows = raw_rows(cli)
    assert rows == [
        (2, "created", {"ФИО": "Петренко Ольга Ивановна", "Телефон": "+79167654321",
                        "Компания": 'ООО "СтройДом"', "Email": "petrenko@stroydom.ru",
                        "Комментарий": "замещает"}),
        (None, "rejected", {"Комментарий": "звонил"}),
    ]  # fmt: skip
    # The colleague's card and provenance are whole; the shared company name stays with her.
    card = cli.json("contacts", "show", "2")
    assert card["company"] == 'ООО "СтройДом"' and card["phones"] == ["+79167654321"]
    data = b"".join(p.read_bytes() for p in tmp_path.glob("test.sqlite3*"))
    for secret in ("Иванов Сергей", "ivanov@stroydom", "9161234567"):
        assert secret.encode() not in data, secret


def test_forget_names_the_copies_that_may_hold_the_person(cli, tmp_path):
    cli("import", write(tmp_path / "c.csv", COLLEAGUES), "--rejects", tmp_path / "r.csv", expect=3)
    cli("consent", "set", "1", "granted", "--channel", "ads")
    only_her = tmp_path / "her.csv"
    cli("export", "audience", "-p", "csv", "-o", only_her, "--where", "id = 2",
        "--include-unknown-consent")  # fmt: skip
    everyone = tmp_path / "all.csv"
    cli("export", "audience", "-p", "yandex", "-o", everyone, "--include-unknown-consent")
    cli("db", "backup", tmp_path / "b.sqlite3")
    moved = tmp_path / "gone.sqlite3"
    cli("db", "backup", moved)
    moved.unlink()  # a copy deleted by hand is no longer named

    listed = {c["path"]: c["kind"] for c in cli.json("db", "copies")}
    assert listed == {
        str(tmp_path / "r.csv"): "rejects",
        str(only_her): "export",
        str(everyone): "export",
        str(tmp_path / "b.sqlite3"): "backup",
    }
    r = cli("contacts", "forget", "1", "--yes")
    warned = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 3, r.stderr
    assert any(
        str(everyone) in w
        and "refresh it: clientbase export audience --platform yandex "
        f"--out {everyone} --hash sha256 --include-unknown-consent --force; or delete it: rm {everyone}"
        in w
        for w in warned
    )
    assert any(f"the backup {tmp_path / 'b.sqlite3'}" in w and "rm " in w for w in warned)
    assert any(f"the rejected-rows file {tmp_path / 'r.csv'}" in w for w in warned)
    assert not any(str(only_her) in w for w in warned)  # she alone was in it

    # The refresh command it gives writes the export again, without the person.
    cli("export", "audience", "--platform", "yandex", "--out", everyone,
        "--include-unknown-consent", "--force")  # fmt: skip
    r = cli.json("contacts", "forget", "2", "--yes")
    paths = {c["path"] for c in r["copies_still_holding_data"]}
    assert paths == {str(everyone), str(only_her), str(tmp_path / "b.sqlite3")}


def test_forget_names_backups_only_of_a_time_the_person_was_known(cli, tmp_path):
    cli("contacts", "add", "--name", "Ранний Пётр", "--phone", "89031112233")
    cli("db", "backup", tmp_path / "before.sqlite3")
    cli("contacts", "add", "--name", "Поздний Павел", "--phone", "89032223344")
    with cli.engine().begin() as conn:  # card times are kept to the second: set them apart
        conn.execute(text("UPDATE customers SET created_at = '2020-01-01 10:00:00' WHERE id = 1"))
        conn.execute(text("UPDATE customers SET created_at = '2999-01-01 10:00:00' WHERE id = 2"))
    r = cli.json("contacts", "forget", "2", "--yes")
    assert r["copies_still_holding_data"] == []
    r = cli.json("contacts", "forget", "1", "--yes")
    assert [c["path"] for c in r["copies_still_holding_data"]] == [str(tmp_path / "before.sqlite3")]


def test_forget_names_the_removals_file_of_a_diff(cli, tmp_path):
    cli("import", write(tmp_path / "c.csv", COLLEAGUES), expect=3)
    out = tmp_path / "y.csv"
    cli("export", "audience", "-p", "yandex", "-o", out, "--include-unknown-consent")
    out.unlink()  # uploaded and deleted
    cli("consent", "set", "1", "withdrawn", "--channel", "ads")
    cli("export", "audience", "-p", "yandex", "-o", out, "--include-unknown-consent",
        "--diff-since", "last")  # fmt: skip
    removed = tmp_path / "y-removed.csv"
    assert removed.read_text().count("\n") == 2  # the header and the person who left
    r = cli.json("contacts", "forget", "1", "--yes")
    named = {c["path"]: c["refresh"] for c in r["copies_still_holding_data"]}
    assert named == {str(removed): None, str(tmp_path / "y-added.csv"): None}
