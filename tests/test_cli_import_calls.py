"""Call logs through `clientbase import`: calls land on the customers they were with."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import write

CALLS = Path(__file__).parent / "fixtures" / "calls"


@pytest.fixture(autouse=True)
def moscow_time(monkeypatch):
    # Android and Mango times are epoch values, shown in the machine's zone: pin it.
    monkeypatch.setenv("TZ", "MSK-3")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def known_customers(cli, tmp_path):
    write(tmp_path / "base.csv", "ФИО;Телефон\nСоколова Ирина Павловна;+7 916 123-45-67\n")
    cli("import", tmp_path / "base.csv")


def test_android_backup(cli, tmp_path):
    known_customers(cli, tmp_path)
    s = cli.json("import", CALLS / "android_calls.xml", expect=3)
    f = s["files"][0]
    assert (f["kind"], f["format"]) == ("calls", "android")
    # 11 records, one an archive repeat: 10 read; 7 calls; the hidden callers are skipped.
    assert (s["rows_read"], s["calls"], s["skipped_rows"], s["rejected"]) == (10, 7, 2, 1)
    assert "вчера" in f["rejects"][0]["reason"]

    people = {c["name"]: c for c in cli.contacts()}
    # The known customer got the call and kept her full name ("Ирина Соколова" on the phone).
    sokolova = cli.json("contacts", "show", str(people["Соколова Ирина Павловна"]["id"]))
    assert [
        (c["at"], c["direction"], c["outcome"], c["duration_s"]) for c in sokolova["calls"]
    ] == [("2024-03-05 14:03:22", "in", "answered", 65)]
    # An unknown number with no name is a lead known by the number; its two calls are on it.
    lead = people["+79035551234"]
    assert lead["source"] == "phone call"
    calls = cli.json("contacts", "show", str(lead["id"]))["calls"]
    assert [(c["outcome"], c["duration_s"]) for c in calls] == [("answered", 125), ("failed", 0)]
    # A number the phone had a name for becomes a named customer (the emoji dropped).
    assert people["Маша"]["phones"] == ["+77011234567"]
    assert people["Пётр"]["first_name"] == "Пётр"


def test_overlapping_export_adds_each_call_once_and_undo_removes_calls(cli, tmp_path):
    known_customers(cli, tmp_path)
    cli("import", CALLS / "android_calls.xml", expect=3)
    copy = tmp_path / "calls-later.xml"
    shutil.copy(CALLS / "android_calls.xml", copy)
    with copy.open("a") as f:
        f.write("\n")  # another file (another hash), the same calls
    s = cli.json("import", copy, expect=3)
    assert (s["calls"], s["known_calls"], s["created"]) == (0, 7, 0)

    undo = cli.json("imports", "undo", "3")
    assert undo["interactions_removed"] == 0
    undo = cli.json("imports", "undo", "2")
    assert undo["interactions_removed"] == 7 and undo["customers_removed"] >= 3
    [c] = cli.contacts()
    assert c["name"] == "Соколова Ирина Павловна"
    assert cli.json("contacts", "show", str(c["id"]))["calls"] == []


def test_asterisk_internal_calls_are_skipped(cli):
    s = cli.json("import", CALLS / "asterisk_Master.csv", expect=3)
    assert s["files"][0]["format"] == "asterisk"
    reasons = [
        r["reason"] for r in cli.json("imports", "show", "1")["rows"] if r["outcome"] == "skipped"
    ]
    assert reasons and all("internal extension" in r or "hidden" in r for r in reasons)


def test_generic_calls_csv_and_forcing_the_kind(cli, tmp_path):
    s = cli.json("import", CALLS / "calls_ru.csv", expect=3)
    assert s["files"][0]["format"] == "calls-csv"
    assert s["calls"] == 4 and s["rejected"] == 2
    write(tmp_path / "contacts.csv", "ФИО;Телефон\nИванов;89161234567\n")
    r = cli("import", tmp_path / "contacts.csv", "--as", "calls", expect=1)
    assert "clientbase: error:" in r.stderr and "Traceback" not in r.stderr


def test_missed_calls_waiting_for_a_call_back(cli, tmp_path):
    write(
        tmp_path / "calls.csv",
        "Время;Направление;Номер;Длительность;Статус\n"
        "01.11.2026 10:00;входящий;+7 916 000-00-01;0;пропущен\n"  # A: missed ...
        "01.11.2026 12:00;исходящий;+7 916 000-00-01;0;не отвечен\n"  # ... we tried, no answer
        "02.11.2026 09:00;входящий;+7 916 000-00-01;0;пропущен\n"
        "01.11.2026 11:00;входящий;+7 916 000-00-02;0;пропущен\n"  # B: missed ...
        "01.11.2026 11:30;исходящий;+7 916 000-00-02;95;отвечен\n"  # ... and called back
        "01.10.2026 11:00;входящий;+7 916 000-00-03;0;пропущен\n",  # C: long ago
    )
    cli("import", tmp_path / "calls.csv", "--as", "calls")
    waiting = cli.json("calls", "missed")
    assert [(m["phone"], m["missed"], m["called_back"]) for m in waiting] == [
        ("+79160000001", 2, True),
        ("+79160000003", 1, False),
    ]
    recent = cli.json("calls", "missed", "--since", "2026-10-15")
    assert [m["phone"] for m in recent] == ["+79160000001"]
    assert cli("calls", "missed", "--since", "someday", expect=2).stderr.startswith(
        "clientbase: error"
    )
    a = cli.json("contacts", "list", "--search", "+79160000001")[0]
    assert (a["calls"], a["last_contact"]) == (3, "2026-11-02 09:00:00")


def test_parse_since():
    from datetime import datetime

    from clientbase.cli.calls import parse_since

    now = datetime(2026, 11, 22, 12, 0)
    assert parse_since("7d", now) == datetime(2026, 11, 15, 12, 0)
    assert parse_since("24h", now) == datetime(2026, 11, 21, 12, 0)
    assert parse_since("2w", now) == datetime(2026, 11, 8, 12, 0)
    assert parse_since("01.11.2026", now) == datetime(2026, 11, 1)
    assert parse_since(None, now) is None
