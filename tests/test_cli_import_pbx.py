"""Call logs as PBXs and phones abroad write them: the company's own numbers, headerless CDRs,
positional --map, the country of the numbers and the phone's own time zone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from clientbase.db.models import contact_points, customers, interactions

CALLS = Path(__file__).parent / "fixtures" / "calls"


@pytest.fixture(autouse=True)
def moscow_time(monkeypatch):
    monkeypatch.setenv("TZ", "MSK-3")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def people(cli) -> dict[str, list[str]]:
    """display name -> phones, straight from the database."""
    with cli.engine().connect() as conn:
        rows = conn.execute(
            select(customers.c.display_name, contact_points.c.value)
            .join(contact_points, contact_points.c.customer_id == customers.c.id)
            .order_by(customers.c.id, contact_points.c.id)
        ).all()
    out: dict[str, list[str]] = {}
    for name, phone in rows:
        out.setdefault(name, []).append(phone)
    return out


def calls(cli) -> list[tuple]:
    with cli.engine().connect() as conn:
        return [
            (str(at), phone, d, outcome)
            for at, phone, d, outcome in conn.execute(
                select(
                    interactions.c.occurred_at,
                    interactions.c.phone,
                    interactions.c.direction,
                    interactions.c.outcome,
                ).order_by(interactions.c.occurred_at)
            )
        ]


def test_freepbx_cdr_with_did_keeps_the_company_line_out(cli):
    s = cli.json("import", CALLS / "freepbx_cdr_did.csv")
    f = s["files"][0]
    assert (f["kind"], f["format"]) == ("calls", "calls-csv")
    assert (s["rows_read"], s["calls"], s["skipped_rows"], s["rejected"]) == (7, 6, 1, 0)
    assert any("74951234567 (did column)" in n for n in f["notes"])
    # The main line and the second line are nobody's phone; the callers are customers.
    found = people(cli)
    assert sorted(p for ps in found.values() for p in ps) == [
        "+79031112233", "+79035551234", "+79161234567", "+79169876543", "+79261234567",
    ]  # fmt: skip
    assert found["Кузнецов"] == ["+79031112233"]  # the caller id's name, an incoming call
    assert calls(cli) == [
        ("2024-03-05 14:03:22", "+79161234567", "in", "answered"),
        ("2024-03-05 14:20:00", "+79031112233", "in", "missed"),
        ("2024-03-05 15:10:00", "+79035551234", "out", "answered"),
        ("2024-03-05 16:00:00", "+79035551234", "in", "answered"),
        ("2024-03-05 16:30:00", "+79261234567", "out", "failed"),
        ("2024-03-06 09:00:05", "+79169876543", "in", "answered"),
    ]


def test_headerless_asterisk_learns_the_main_line_from_the_log(cli):
    s = cli.json("import", CALLS / "asterisk_plain_Master.csv")
    assert s["files"][0]["format"] == "asterisk"
    assert (s["calls"], s["rejected"]) == (5, 0)
    assert "+74951234567" not in {p for ps in people(cli).values() for p in ps}
    assert [(phone, d, o) for _, phone, d, o in calls(cli)] == [
        ("+79161234567", "in", "answered"),
        ("+79035551234", "out", "answered"),
        ("+79031112233", "in", "missed"),
        ("+79261234567", "out", "failed"),
        ("+79035551234", "in", "answered"),
    ]


def test_own_number_option_and_setting(cli, tmp_path):
    # Two external numbers and no direction column: only the user knows which one is theirs.
    log = tmp_path / "calls.csv"
    log.write_text(
        "Дата;Откуда;Куда;Длительность;Статус\n"
        "05.03.2024 10:00;+7 495 123-45-67;+7 916 123-45-67;60;отвечен\n"
        "05.03.2024 11:00;+7 903 555-12-34;+7 495 123-45-67;30;отвечен\n",
        encoding="utf-8",
    )
    r = cli("import", log, expect=3)
    assert "--own-number" in r.stdout + r.stderr
    cli("imports", "undo", "1")
    cli.json("import", log, "--own-number", "+7 (495) 123-45-67", "--force")
    assert [(phone, d) for _, phone, d, _ in calls(cli)] == [
        ("+79161234567", "out"),
        ("+79035551234", "in"),
    ]
    cli("imports", "undo", "2")
    cli("settings", "set", "own_numbers", "84951234567, +78001234567")
    listed = {row["key"]: row["value"] for row in cli.json("settings", "list")}
    assert listed["own_numbers"] == "84951234567, +78001234567"
    s = cli.json("import", log, "--force")
    assert (s["calls"], s["rejected"]) == (2, 0)
    cli("settings", "set", "own_numbers", "not a number", expect=2)


def test_headerless_freeswitch(cli):
    s = cli.json("import", CALLS / "freeswitch_Master.csv")
    assert s["files"][0]["format"] == "freeswitch"
    assert (s["calls"], s["skipped_rows"], s["rejected"]) == (4, 1, 0)
    assert calls(cli) == [
        ("2024-03-05 14:03:22", "+79161234567", "in", "answered"),
        ("2024-03-05 15:10:00", "+79035551234", "out", "answered"),
        ("2024-03-05 16:00:00", "+79031112233", "in", "missed"),
        ("2024-03-05 16:30:00", "+79261234567", "out", "busy"),
    ]
    assert people(cli)["Ирина"] == ["+79161234567"]


def test_positional_map_reads_a_cdr_without_header(cli):
    args = ("--map", "2=time", "--map", "3=from", "--map", "4=to", "--map", "5=duration")
    s = cli.json(
        "import", "--as", "calls", CALLS / "cdr_positional.txt", *args, "--map", "6=status"
    )
    assert (s["calls"], s["rejected"]) == (3, 0)
    assert calls(cli) == [
        ("2024-03-05 14:03:22", "+79161234567", "in", "answered"),
        ("2024-03-05 15:10:00", "+79035551234", "out", "answered"),
        ("2024-03-05 16:00:00", "+79031112233", "in", "missed"),
    ]
    # names and positions together are refused with a clear line
    r = cli("import", "--as", "calls", CALLS / "cdr_positional.txt", "--map", "2=time",
            "--map", "Куда=to", "--force", expect=2)  # fmt: skip
    assert "by header or by position" in r.stderr


def test_phone_abroad_one_person_per_number_and_local_times(cli):
    # A backup from a US phone read on a machine in Moscow: "+1 901 …", "1901…" and "901…"
    # are one person each, and the times are those the phone showed.
    s = cli.json("import", CALLS / "android_abroad.xml")
    f = s["files"][0]
    assert f["region"] == "US"
    assert any("read as US (+1)" in n for n in f["notes"])
    assert people(cli) == {
        "Jenny Tutone": ["+19018675309"],
        "Dr. Patel": ["+19015550142"],  # as the phone saved it: no word is dropped
        "Mike": ["+19015550199"],
    }
    assert calls(cli) == [
        ("2024-03-05 13:14:05", "+19018675309", "in", "answered"),
        ("2024-03-05 14:14:05", "+19018675309", "out", "failed"),
        ("2024-03-05 15:14:05", "+19015550142", "in", "answered"),
        ("2024-03-05 16:14:05", "+19015550199", "out", "answered"),
        ("2024-03-05 17:14:05", "+19015550142", "in", "missed"),
    ]


def test_region_given_is_kept_and_a_better_fit_is_named(cli):
    s = cli.json("import", CALLS / "android_abroad.xml", "--region", "RU")
    f = s["files"][0]
    assert f["region"] == "RU"
    # 9018675309 is a valid Russian mobile, so the explicit --region RU reads it that way.
    assert "+79018675309" in {p for ps in people(cli).values() for p in ps}
