"""Every command that changes data has a dry run: the same answer, and the base unchanged."""

from __future__ import annotations

import hashlib

import pytest
from conftest import ON_PG, write


@pytest.fixture
def base(cli, tmp_path):
    write(tmp_path / "c.csv", "ФИО;Телефон;Город;Email\n"
          "Иванов Иван;89161234567;Москва;ivanov@mail.ru\nПетров Пётр;89031234567;Тула;\n"
          "Ёлкина Анна;89051234567;Казань;elkina@mail.ru\n")  # fmt: skip
    cli("import", tmp_path / "c.csv")
    return cli


def snapshot(cli) -> str:
    """Everything a listing, a card and the settings show, as one fingerprint."""
    parts = [cli("contacts", "list", "--format", "json").stdout]
    parts += [cli("contacts", "show", str(i), "--format", "json").stdout for i in (1, 2, 3)]
    parts += [cli("settings", "list", "--format", "json").stdout]
    parts += [cli("dedupe", "history", "--format", "json").stdout]
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def test_contacts_edit_dry_run(base):
    before = snapshot(base)
    r = base("contacts", "edit", "1", "--city", "Казань", "--phone", "89990001122", "--dry-run")
    assert r.stdout.startswith("customer 1 (dry run, nothing changed), would be: city, added +7999")
    assert snapshot(base) == before
    d = base.json("contacts", "edit", "1", "--city", "Казань", "-n")
    assert d["changed"] == ["city"] and snapshot(base) == before


def test_contacts_forget_dry_run_needs_no_yes(base):
    before = snapshot(base)
    r = base("contacts", "forget", "1", "--dry-run")
    assert r.stdout.startswith("customer 1 would be erased (") and "contact points" in r.stdout
    assert "dry run: nothing erased" in r.stdout
    assert snapshot(base) == before
    assert base.json("contacts", "forget", "1", "-n")["erased"]["contact_points"] == 2


def test_consent_dry_runs(base, tmp_path):
    before = snapshot(base)
    r = base("consent", "set", "1", "granted", "--channel", "all", "--dry-run")
    assert r.stdout == "customer 1: all consent granted (5 records) (dry run: nothing recorded)\n"
    write(tmp_path / "stop.csv", "телефон\n89031234567\n89998887766\n")
    d = base.json("consent", "import", tmp_path / "stop.csv", "--dry-run")
    assert (d["in_base"], d["suppressed_only"], d["dry_run"]) == (1, 1, True)
    assert snapshot(base) == before
    assert "would be withdrawn" in base("consent", "import", tmp_path / "stop.csv", "-n").stdout
    assert snapshot(base) == before


def test_dedupe_merge_dry_run(base):
    before = snapshot(base)
    r = base("dedupe", "merge", "1", "2", "--dry-run")
    assert r.stdout == "would merge 2 into 1 (dry run: nothing changed)\n"
    assert snapshot(base) == before
    # The real run still gets id 1; on PostgreSQL a rolled-back transaction uses up sequence
    # numbers all the same (by design), so there it gets the next one.
    assert base.json("dedupe", "merge", "1", "2")["merge_id"] == (2 if ON_PG else 1)


def test_settings_set_dry_run(base):
    before = snapshot(base)
    r = base("settings", "set", "sleeping_days", "30", "--dry-run")
    assert r.stderr == "sleeping_days = 30 (dry run: nothing changed)\n"
    assert snapshot(base) == before
    assert (
        "less than lost_days"
        in base("settings", "set", "sleeping_days", "400", "-n", expect=2).stderr
    )


def test_list_sort_and_columns(base):
    rows = base.json("contacts", "list", "--sort", "name", "--columns", "id,name")
    assert rows == [{"id": 3, "name": "Ёлкина Анна"}, {"id": 1, "name": "Иванов Иван"},
                    {"id": 2, "name": "Петров Пётр"}]  # fmt: skip
    rows = base.json("contacts", "list", "--sort", "-city", "--columns", "city", "--limit", "2")
    assert rows == [{"city": "Тула"}, {"city": "Москва"}]
    out = base("contacts", "list", "--sort", "emails", "--columns", "id,emails", "-f", "csv").stdout
    assert out == "id,emails\n3,elkina@mail.ru\n1,ivanov@mail.ru\n2,\n"  # empty last
    table = base("contacts", "list", "--columns", "name,city").stdout
    assert "Тула" in table and "phones" not in table
    r = base("contacts", "list", "--sort", "town", expect=2)
    assert r.stderr.startswith("clientbase: error: --sort: no field 'town' (one of: id, name")
    assert (
        "--columns: no field 'nm'"
        in base("contacts", "list", "--columns", "id,nm", expect=2).stderr
    )
