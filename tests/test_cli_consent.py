"""Consent per channel: from import columns, by command, from an opt-out list."""

from __future__ import annotations

from conftest import write
from sqlalchemy import func, select

from clientbase.db.models import suppressions

LIST = (
    "ФИО;Телефон;E-mail;Согласие на SMS;Согласие на email;Согласие на рекламу\n"
    "Иванов Иван;89161234567;ivan@mail.ru;да;нет;01.03.2025\n"
    "Петрова Мария;89031234567;maria@mail.ru;;1;\n"
)


def channels(card, value):
    return next(p["channels"] for p in card["contact_points"] if p["value"] == value)


def test_consent_columns_per_channel_on_import_and_undo(cli, tmp_path):
    write(tmp_path / "c.csv", LIST)
    cli("import", tmp_path / "c.csv")
    ivan = cli.json("contacts", "show", "1")
    assert channels(ivan, "+79161234567") == {"sms": "granted", "ads": "granted"}
    assert channels(ivan, "ivan@mail.ru") == {"email": "withdrawn", "ads": "granted"}
    assert channels(cli.json("contacts", "show", "2"), "maria@mail.ru") == {"email": "granted"}
    # The same statements again change nothing; a new one is recorded and can be undone.
    write(tmp_path / "c2.csv", LIST.replace(";да;нет;", ";нет;нет;"))
    s = cli.json("import", tmp_path / "c2.csv")
    assert (s["updated"], s["unchanged"]) == (1, 1)
    assert channels(cli.json("contacts", "show", "1"), "+79161234567")["sms"] == "withdrawn"
    cli("imports", "undo", "2")
    assert channels(cli.json("contacts", "show", "1"), "+79161234567")["sms"] == "granted"


def test_consent_set_by_command(cli, tmp_path):
    write(tmp_path / "c.csv", LIST)
    cli("import", tmp_path / "c.csv")
    cli("consent", "set", "2", "withdrawn", "--channel", "calls", "--source", "звонок 12.11")
    assert channels(cli.json("contacts", "show", "2"), "+79031234567") == {"calls": "withdrawn"}
    cli("consent", "set", "2", "granted", "--channel", "all", "--value", "maria@mail.ru")
    assert channels(cli.json("contacts", "show", "2"), "maria@mail.ru") == {
        "email": "granted",
        "ads": "granted",
    }
    assert cli("consent", "set", "2", "granted", "--channel", "fax", expect=2).stderr.startswith(
        "clientbase: error: --channel"
    )
    assert cli("consent", "set", "9", "granted", "--channel", "all", expect=1).stderr.startswith(
        "clientbase: error: there is no customer 9"
    )


def test_opt_out_list(cli, tmp_path):
    write(tmp_path / "c.csv", LIST)
    cli("import", tmp_path / "c.csv")
    write(
        tmp_path / "stop.csv",
        "Номер\n+7 (916) 123-45-67\nstranger@yandex.ru\n8 999 000-11-22\nне звонить\n",
    )
    r = cli.json("consent", "import", tmp_path / "stop.csv", "--channel", "sms")
    assert (r["values"], r["in_base"], r["suppressed_only"]) == (2, 1, 1)  # the email has no SMS
    assert channels(cli.json("contacts", "show", "1"), "+79161234567")["sms"] == "withdrawn"
    with cli.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(suppressions)).scalar() == 1
    write(tmp_path / "empty.csv", "a\nb\n")
    assert "no phone or email" in cli("consent", "import", tmp_path / "empty.csv", expect=2).stderr


def test_a_suppressed_value_imported_later_arrives_withdrawn(cli, tmp_path):
    # Opted out before they were ever in the base: "all" channels of the phone, ads of the email.
    write(tmp_path / "stop.csv", "Телефон\n8 999 000-11-22\n")
    cli("consent", "import", tmp_path / "stop.csv", "--channel", "all")
    write(tmp_path / "stop2.csv", "Email\nlate@mail.ru\n")
    cli("consent", "import", tmp_path / "stop2.csv", "--channel", "ads")
    # A later list even says "да" to SMS: the explicit opt-out still wins.
    write(
        tmp_path / "new.csv",
        "ФИО;Телефон;E-mail;Согласие на SMS\n"
        "Сидоров Пётр;+7 999 000 11 22;late@mail.ru;да\n"
        "Орлова Анна;89161112233;;да\n",
    )
    cli("import", tmp_path / "new.csv")
    petr = cli.json("contacts", "show", "1")
    assert channels(petr, "+79990001122") == {"sms": "withdrawn", "calls": "withdrawn",
                                             "ads": "withdrawn"}  # fmt: skip
    assert channels(petr, "late@mail.ru") == {"ads": "withdrawn"}
    assert channels(cli.json("contacts", "show", "2"), "+79161112233") == {"sms": "granted"}
    # Importing the same people again adds no second set of events.
    write(tmp_path / "again.csv", "ФИО;Телефон\nСидоров Пётр;+7 999 000 11 22\n")
    cli("import", tmp_path / "again.csv")
    with cli.engine().connect() as conn:
        from clientbase.db.models import consents

        assert conn.execute(select(func.count()).select_from(consents)).scalar() == 6  # 4 + 1 + 1
