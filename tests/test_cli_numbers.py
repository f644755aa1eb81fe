"""Figures for people in tables (money, shares, language), raw numbers for scripts; plurals."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES, write

from clientbase.cli.output import and_list, customers


@pytest.fixture
def shop(cli):
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("import", EXAMPLES / "продажи_2025.csv", expect=3)
    return cli


def test_abc_xyz_table_money_and_shares(shop):
    out = shop("analyze", "abc-xyz", "--by", "manager").stdout
    assert "288,600.00\u00a0₽" in out and "288600.0" not in out
    assert re.search(r"│\s+77\.5%\s+│", out)  # the coefficient of variation, in per cent
    assert "83.3%" in out and "2,126,400.00\u00a0₽" in out
    # Headers are words, wrapped between words, never inside one ("A_customer" / "s").
    assert "A_customer" not in out and not re.search(r"┃\s+s\s+┃", out)
    assert re.search(r"┃\s+customers\s+┃", out)
    raw = shop.json("analyze", "abc-xyz")["customers"][0]
    assert raw["revenue"] == 288600.0 and isinstance(raw["cv"], float)
    csv_line = shop("analyze", "abc-xyz", "--format", "csv").stdout.splitlines()[1]
    assert ",288600.0," in csv_line


def test_reactivation_table_in_russian_number_style(shop, monkeypatch):
    monkeypatch.setenv("CLIENTBASE_LANG", "ru")
    out = shop("reactivation", "--as-of", "2026-06-01").stdout
    assert "288\u00a0600,00\u00a0₽" in out
    assert "241\u00a0669,89\u00a0₽" in out and "241669.89" not in out
    monkeypatch.setenv("CLIENTBASE_LANG", "en")
    out = shop("reactivation", "--as-of", "2026-06-01").stdout
    assert "241,669.89\u00a0₽" in out and "35.5" in out


def test_a_figure_is_never_broken_over_two_lines(shop):
    out = shop("analyze", "abc-xyz", "--by", "manager").stdout
    # Олег Петров's customers: a customer whose later sales rows name another manager belongs to
    # that one (the manager is a field where the newer value wins, db.rules.NEWER_WINS).
    assert "1,227,790.00\u00a0₽" in out and "1,227,790." + "\n" not in out


def test_money_in_the_orders_currency(cli, tmp_path):
    write(tmp_path / "o.csv", "Дата;Клиент;Телефон;Сумма;Валюта\n"
          "01.03.2025;Иванов Иван;89161234567;1500.5;USD\n")  # fmt: skip
    cli("import", tmp_path / "o.csv", expect=None)
    out = cli("analyze", "ltv").stdout
    assert "1,500.50\u00a0$" in out and "₽" not in out


def test_json_and_csv_do_not_ask_the_base_for_its_currency(cli, tmp_path, monkeypatch):
    # The question reads every order; only a table shows the sign.
    import clientbase.services.money as money

    write(tmp_path / "o.csv", "Дата;Клиент;Телефон;Сумма;Валюта\n"
          "01.03.2025;Иванов Иван;89161234567;1500.5;USD\n")  # fmt: skip
    cli("import", tmp_path / "o.csv", expect=None)
    asked = []
    sign = money.currency_sign
    monkeypatch.setattr(money, "currency_sign", lambda engine: asked.append(1) or sign(engine))
    for fmt in ("json", "csv"):
        cli("analyze", "abc-xyz", "--format", fmt)
        cli("analyze", "ltv", "--format", fmt)
    assert asked == []
    assert "1,500.50\u00a0$" in cli("analyze", "ltv").stdout and asked == [1]


def test_plurals_and_lists():
    assert customers(1) == "1 customer"
    assert customers(2) == "2 customers"
    assert customers(1200) == "1,200 customers"
    assert and_list([4]) == "4" and and_list([4, 99]) == "4 and 99"
    assert and_list([4, 7, 99]) == "4, 7 and 99"


def test_one_customer_is_singular(cli, tmp_path):
    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов Иван;89161234567\n")
    cli("import", tmp_path / "c.csv")
    assert "1 customer\n" in cli("contacts", "list").stdout
    assert "1 customers" not in cli("contacts", "list").stdout


def test_shared_contact_wording_and_consent_once(cli, tmp_path):
    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов Иван;89161234567\nПетров Пётр;89031234567\n"
          "Сидоров Олег;89051234567\n")  # fmt: skip
    cli("import", tmp_path / "c.csv")
    r = cli("contacts", "edit", "3", "--phone", "89161234567", "--phone", "89031234567")
    assert "note: customers 1 and 2 have the same phone or email" in r.stderr
    r = cli("contacts", "edit", "1", "--phone", "89051234567")
    assert "note: customer 3 has the same phone or email" in r.stderr
    cli("consent", "set", "2", "granted", "--channel", "all")
    line = next(x for x in cli("contacts", "show", "2").stdout.splitlines() if "+79031234567" in x)
    assert line.count("granted") == 1 and "consent granted (sms, calls, ads)" in line
    cli("consent", "set", "2", "withdrawn", "--channel", "ads")
    line = next(x for x in cli("contacts", "show", "2").stdout.splitlines() if "+79031234567" in x)
    assert "consent granted (sms, calls), withdrawn (ads)" in line


def test_card_birthday_note_and_orders(cli, tmp_path, monkeypatch):
    cli("contacts", "add", "--name", "Петрова Анна", "--phone", "89165554433", "--birthday",
        "12.07", "--field", "note=Любит синий.\nЗвонить после 18:00")  # fmt: skip
    cli("contacts", "add", "--name", "Иванов Иван", "--phone", "89031112233", "--birthday",
        "01.02.1985")  # fmt: skip
    out = cli("contacts", "show", "1").stdout
    assert "Birthday:    12 July (year unknown)\n" in out
    assert "Note:        Любит синий.\n             Звонить после 18:00\n" in out
    assert "Birthday:    1 February 1985\n" in cli("contacts", "show", "2").stdout
    monkeypatch.setenv("CLIENTBASE_LANG", "ru")
    assert "День рождения: 12 июля (год неизвестен)\n" in cli("contacts", "show", "1").stdout
    assert cli.json("contacts", "show", "1")["birthday_month_day"] == "07-12"


def test_presets_read_as_words(cli):
    out = cli("export", "presets", "yandex").stdout
    assert "True" not in out and "None" not in out and "[" not in out and "{" not in out
    assert re.search(r"mobile_only:\s+yes\n", out)
    assert re.search(r"columns:\s+phone \(hashed\), email \(hashed\)\n", out)
    assert re.search(r"email_rules:\s+trim, lowercase, ascii only\n", out)
