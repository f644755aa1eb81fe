"""What the services say, in Russian with --lang ru: errors with their place, counted forms,
the filter language's fields, where config values come from. The English of
the same commands is checked byte for byte next to it."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES


def test_a_filter_error_says_where_in_russian(cli):
    ru = cli("--lang", "ru", "contacts", "list", "--where", "ordrs >= 3", expect=2)
    assert ru.stderr == (
        "clientbase: ошибка: фильтр «ordrs >= 3», позиция 1: неизвестное поле 'ordrs' "
        "(может быть, orders?) (см.: clientbase segment fields)\n"
    )
    en = cli("contacts", "list", "--where", "ordrs >= 3", expect=2)
    assert en.stderr == (
        "clientbase: error: filter \"ordrs >= 3\", at position 1: unknown field 'ordrs' "
        "(did you mean orders?) (see: clientbase segment fields)\n"
    )


def test_a_filter_value_of_the_wrong_kind_in_russian(cli):
    r = cli("--lang", "ru", "contacts", "list", "--where", "has_email = 'да'", expect=2)
    assert r.stderr == (
        "clientbase: ошибка: фильтр «has_email = 'да'», позиция 13: has_email: ожидается "
        "true или false, а не текст 'да' (например, has_email)\n"
    )


def test_a_missing_customer_in_russian(cli):
    r = cli("--lang", "ru", "contacts", "show", "999", expect=1)
    assert r.stderr == "clientbase: ошибка: клиента 999 нет (см.: clientbase contacts list)\n"


def test_a_database_in_a_missing_folder_in_russian(tmp_path):
    from conftest import Cli

    where = tmp_path / "нет-такой-папки" / "база.sqlite3"
    r = Cli(where)("--lang", "ru", "contacts", "list", expect=1)
    assert r.stderr == (
        f"clientbase: ошибка: --db {where}: папки {where.parent} нет "
        "(проверьте путь или сначала создайте папку)\n"
    )


def test_a_bad_config_value_in_russian(cli):
    r = cli("--lang", "ru", "config", "set", "region", "Russia", expect=2)
    assert r.stderr == (
        "clientbase: ошибка: region: 'Russia' — это не двухбуквенный код страны "
        "(например, RU, KZ, BY)\n"
    )


def test_config_show_says_in_russian_where_values_come_from(cli, monkeypatch):
    monkeypatch.setenv("CLIENTBASE_REGION", "KZ")
    out = cli("--lang", "ru", "config", "show").stdout
    assert "переменная CLIENTBASE_REGION" in out and "по умолчанию" in out
    assert "страна телефонов, записанных без кода" in out
    # JSON keeps the identifiers a script reads.
    rows = {r["key"]: r for r in cli.json("--lang", "ru", "config", "show")["keys"]}
    assert rows["region"]["from"] == "env CLIENTBASE_REGION"
    assert rows["abc"]["from"] == "default"


def test_segment_fields_in_russian_keep_the_field_names(cli):
    rows = {r["field"]: r for r in cli.json("--lang", "ru", "segment", "fields")}
    assert rows["orders"]["meaning"] == "число заказов"
    assert rows["has_email"]["type"] == "да/нет"
    assert rows["consent_sms"]["meaning"] == "есть согласие на SMS"
    assert rows["orders"]["operators"] == "= != < <= > >= in not in"


def test_report_metrics_in_russian(cli):
    out = cli("--lang", "ru", "report", "--metrics").stdout
    assert "birthdays_upcoming" in out and "дни рождения в ближайшие 7 дн." in out
    assert "номера с пропущенным звонком, после которого разговора не было" in out


@pytest.fixture
def shop(cli):
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("import", EXAMPLES / "продажи_2025.csv", expect=3)
    return cli


def _abc_xyz(shop, lang: str, *args: str) -> dict:
    return shop.json("--lang", lang, "analyze", "abc-xyz", "--as-of", "2025-12-31", *args)["params"]


def test_abc_xyz_rules_and_notes_count_in_russian(shop):
    one = _abc_xyz(shop, "ru", "--from", "2025-01-01", "--to", "2025-01-31")
    assert (
        "выручки по месяцам за 1 полный месяц, месяцы без покупок считаются как 0" in one["rules"]
    )
    assert one["rules"].endswith("меньше 3 активных месяцев: без класса (-)")
    assert (
        "окно охватывает 1 полный месяц, а нужно не меньше 3 активных месяцев: класс XYZ "
        "никто не получит" in one["notes"]
    )

    two = _abc_xyz(shop, "ru", "--period", "quarter", "--from", "2025-01-01", "--to", "2025-06-30",
                   "--min-periods", "5")  # fmt: skip
    assert "за 2 полных квартала" in two["rules"] and "меньше 5 активных кварталов" in two["rules"]

    weeks = _abc_xyz(shop, "ru", "--period", "week", "--metric", "orders")
    assert weeks["rules"].startswith("ABC по числу заказов: A ≤ 80 % < B ≤ 95 % < C")
    assert "числа заказов по неделям за 50 полных недель" in weeks["rules"]

    en = _abc_xyz(shop, "en", "--from", "2025-01-01", "--to", "2025-01-31")
    assert en["rules"] == (
        "ABC by revenue, A ≤ 80 % < B ≤ 95 % < C of the cumulative total, the customer who "
        "crosses a cut-off stays in the upper class, revenue ≤ 0: C; XYZ by the coefficient of "
        "variation (population std / mean) of monthly revenue over 1 full month, months without "
        "purchases count as 0, X ≤ 10 % < Y ≤ 25 % < Z, fewer than 3 active months: not "
        "classified (-)"
    )
    assert (
        "the window holds 1 full month, fewer than the 3 active months needed: no customer "
        "gets an XYZ class" in en["notes"]
    )


def test_every_sentence_of_the_builtin_presets_is_in_the_catalog():
    from clientbase.exporters.presets import PRESET_TEXTS, builtin_presets

    texts = {
        v[k]
        for v in builtin_presets().values()
        for k in ("title", "min_size_note", "match_note")
        if v[k]
    }
    assert texts == set(PRESET_TEXTS)


def test_export_dry_run_notes_and_warnings_in_russian(shop, tmp_path):
    args = ("export", "audience", "--platform", "vk", "--out", tmp_path / "vk.csv", "--dry-run",
            "--where", "orders >= 6")  # fmt: skip
    ru = shop("--lang", "ru", *args)
    said = ru.stdout + ru.stderr
    assert (
        "5 строк с телефонами — меньше минимума 2000 для VK Ads (в списке должно быть не меньше "
        "2000 уникальных значений); настоящий запуск всё равно запишет файл" in said
    )
    assert "4 строки с email — меньше минимума 2000 для VK Ads" in said
    assert "VK сопоставляет телефоны и email своих аккаунтов" in said
    assert not (tmp_path / "vk.csv").exists()
    en = shop(*args)
    said = en.stdout + en.stderr
    assert (
        "5 phone rows are below the minimum of 2,000 for VK Ads (a list needs at least 2,000 "
        "unique values); a real run writes the file anyway" in said
    )
    assert "4 email rows are below the minimum of 2,000 for VK Ads" in said


def test_lifecycle_stages_speak_russian_in_tables_only(cli, tmp_path):
    sales = tmp_path / "s.csv"
    sales.write_text(
        "Дата;Номер;Клиент;Телефон;Сумма\n"
        "10.01.2025;1;Иванов Иван;+79161112233;1000\n"  # two years before the as-of day: lost
        "01.11.2026;2;Петров Олег;+79035556677;500\n",  # a month before: new
        encoding="utf-8",
    )
    cli("import", sales)
    cli("contacts", "add", "--name", "Сидорова Анна", "--phone", "+79264445566")  # no orders
    cols = ("--columns", "id,lifecycle,warmth", "--as-of", "2026-12-01")
    table = cli("--lang", "ru", "contacts", "list", *cols).stdout
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in table.splitlines()
            if line.startswith("│")]  # fmt: skip
    assert rows == [["1", "потерянный", ""], ["2", "новый", ""], ["3", "лид", ""]]
    assert "теплота" in table
    # Scripts get the values --where compares, whatever the language.
    csv_out = cli("--lang", "ru", "contacts", "list", *cols, "--format", "csv").stdout
    assert csv_out.splitlines() == ["id,lifecycle,warmth", "1,lost,", "2,new,", "3,lead,"]
    assert cli("contacts", "list", *cols).stdout.count("lost") == 1
    card = cli("--lang", "ru", "contacts", "show", "1", "--as-of", "2025-08-01").stdout
    assert "Стадия:        спящий (тёплый)" in card
