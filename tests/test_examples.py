"""The example files a new user starts with: what the README promises about them holds."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES

ORDER = ("клиенты_магазин.csv", "контакты.xlsx", "amocrm_export.csv", "google_contacts.csv")


def by_row(contacts, file, row):
    return next(
        c for c in contacts if any(p["file"] == file and p["row"] == row for p in c["provenance"])
    )


def test_examples_one_by_one(cli):
    customers_after = []
    for name in ORDER:
        s = cli.json("import", EXAMPLES / name, expect=None)
        customers_after.append(cli.json("db", "info")["counts"]["customers"])
        if name == "клиенты_магазин.csv":
            assert [r["row"] for r in s["files"][0]["rejects"]] == [17, 41]
            assert (s["created"], s["duplicates"]) == (32, 6)
        if name == "контакты.xlsx":
            assert s["files"][0]["sheets"] == ["Клиенты", "Опт"]
            assert (s["created"], s["updated"] + s["unchanged"]) == (36, 11)
    assert customers_after == [32, 68, 82, 90]

    people = cli.contacts()
    ivanov = by_row(people, "клиенты_магазин.csv", 2)
    assert ivanov["name"] == "Иванов Иван Иванович" and ivanov["phones"] == ["+79161234567"]
    assert [(p["file"], p["row"]) for p in ivanov["provenance"]][:3] == [
        ("клиенты_магазин.csv", 2),
        ("клиенты_магазин.csv", 15),
        ("клиенты_магазин.csv", 40),
    ]
    morozova = by_row(people, "клиенты_магазин.csv", 10)
    ext = [(p["value"], p["extension"]) for p in morozova["contact_points"] if p["extension"]]
    assert ext == [("+74959876543", "12")]
    novikov = by_row(people, "клиенты_магазин.csv", 9)  # 8 029 … is Belarusian
    assert novikov["phones"] == ["+375291234567"]
    assert novikov["birthday"] == "1988-09-17"  # Google's year-less --09-17 did not wipe the year
    lebedev = by_row(people, "клиенты_магазин.csv", 13)
    assert lebedev["phones"] == [] and lebedev["invalid"][0]["value"] == "123"


def test_whole_folder_in_one_command(cli):
    s = cli.json("import", EXAMPLES, expect=3)
    # Four contact lists, the phone's address book and its call log, a year of sales; the
    # folder's notes are named as passed over.
    read = [f for f in s["files"] if not f["skipped"]]
    assert len(read) == 7 and s["rejected"] == 3
    assert {f["kind"] for f in read} == {"contacts", "calls", "orders"}
    assert sorted(f["file"].rsplit("/", 1)[-1] for f in s["files"] if f["skipped"]) == [
        "README.md",
        "cron.md",
    ]
    assert s["calls"] == 13 and s["skipped_rows"] == 2
    sales = next(f for f in s["files"] if f["kind"] == "orders")
    assert (sales["created"], sales["duplicates"], sales["customers_created"]) == (156, 38, 3)
    assert len(cli.contacts()) == 106
    again = cli.json("import", EXAMPLES)
    assert all(f["skipped"] for f in again["files"])


def test_chunk_size_does_not_change_the_result(new_db, monkeypatch):
    """Rows are matched and written chunk by chunk, with the database writes of one chunk
    overlapping the matching of the next; tiny chunks must give exactly the same base."""
    from conftest import Cli

    from clientbase.importers import pipeline

    def run(db_name):
        cli = Cli(new_db(db_name))
        for name in ORDER:
            cli("import", EXAMPLES / name, expect=None)
        cli("import", Path(__file__).parent / "fixtures" / "calls" / "calls_ru.csv", expect=None)
        people = cli.contacts()
        for c in people:
            c.pop("created_at"), c.pop("updated_at")
        return people

    whole = run("whole")
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)
    assert run("chunked") == whole
