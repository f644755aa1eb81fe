"""The config file: `config show|set`, and flag > environment > config > built-in default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, write
from typer.testing import CliRunner

from clientbase.cli.main import app


def config_file() -> Path:
    return Path(os.environ["CLIENTBASE_CONFIG"])


def origins(cli) -> dict[str, tuple]:
    return {r["key"]: (r["value"], r["from"]) for r in cli.json("config", "show")["keys"]}


def test_show_says_where_each_value_comes_from(cli, monkeypatch):
    got = origins(cli)
    assert got["region"] == ("RU", "default")
    assert got["db"] == (str(cli.db), "flag")
    assert got["lifecycle.lost_days"] == (365, "default")
    cli("config", "set", "region", "kz")
    cli("config", "set", "lifecycle.lost_days", "400")
    monkeypatch.setenv("CLIENTBASE_LANG", "ru")
    got = origins(cli)
    assert got["region"] == ("KZ", "config")
    assert got["lifecycle.lost_days"] == (400, "config")
    assert got["lang"] == ("ru", "env CLIENTBASE_LANG")
    text = config_file().read_text(encoding="utf-8")
    assert 'region = "KZ"' in text and "[lifecycle]\nlost_days = 400" in text


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("region", "Russia", "not a two-letter country code"), ("lang", "de", "not ru or en"),
     ("abc", "95,80", "below the second"), ("export_platform", "myspace", "not a platform"),
     ("lifecycle.lost_days", "год", "not a whole number"), ("colour", "red", "unknown config key"),
     ("area_code", "49", "not 3-5 digits")],
)  # fmt: skip
def test_set_checks_the_value_and_writes_nothing_bad(cli, key, value, message):
    r = cli("config", "set", key, value, expect=2)
    assert r.stderr.startswith("clientbase: error: ") and message in r.stderr
    assert r.stderr.count("\n") == 1
    assert not config_file().exists()


def test_set_dry_run_checks_only(cli):
    assert "dry run" in cli("config", "set", "region", "by", "--dry-run").stdout
    assert not config_file().exists()


def test_a_broken_config_file_is_one_line(cli):
    config_file().write_text("region = 'KZ\n", encoding="utf-8")
    r = cli("config", "show", expect=2)
    assert "not valid TOML" in r.stderr and str(config_file()) in r.stderr


def test_the_database_comes_from_the_config(tmp_path, monkeypatch):
    import json

    base = tmp_path / "from-config.sqlite3"
    write(config_file(), f'db = "{base}"\n')
    monkeypatch.delenv("CLIENTBASE_DB", raising=False)

    def info(*args):
        r = CliRunner().invoke(app, [*args, "db", "info", "--format", "json"])
        assert r.exit_code == 0, r.output
        d = json.loads(r.stdout)
        return d["path"], d["origin"]

    assert info() == (str(base), "config")
    monkeypatch.setenv("CLIENTBASE_DB", str(tmp_path / "env.sqlite3"))
    assert info() == (str(tmp_path / "env.sqlite3"), "CLIENTBASE_DB")
    assert info("--db", str(tmp_path / "flag.sqlite3")) == (str(tmp_path / "flag.sqlite3"), "--db")


def test_region_flag_beats_env_beats_config(tmp_path, monkeypatch):
    from conftest import Cli

    write(tmp_path / "c.csv", "ФИО;Телефон\nИванов Иван;29 123 45 67\n")
    bases = iter(range(10))

    def phones(*args):
        cli = Cli(tmp_path / f"{next(bases)}.sqlite3")
        cli("import", tmp_path / "c.csv", *args, expect=None)
        return cli.contacts()[0]["phones"]

    Cli(tmp_path / "x.sqlite3")("config", "set", "region", "BY")
    assert phones() == ["+375291234567"]
    monkeypatch.setenv("CLIENTBASE_REGION", "RU")
    assert phones() == []  # 29 123 45 67 is no Russian number
    assert phones("--region", "BY") == ["+375291234567"]


def test_lifecycle_thresholds_from_the_config_give_way_to_the_base(cli):
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("config", "set", "lifecycle.sleeping_days", "5")
    rows = {r["key"]: r for r in cli.json("settings", "list")}
    assert rows["sleeping_days"]["value"] == 5
    cli("settings", "set", "sleeping_days", "7")
    rows = {r["key"]: r for r in cli.json("settings", "list")}
    assert rows["sleeping_days"]["value"] == 7


def test_abc_xyz_cutoffs_from_the_config(cli):
    cli("import", EXAMPLES / "продажи_2025.csv", expect=3)
    cli("config", "set", "xyz", "50,100")
    cli("config", "set", "abc", "70,90")
    p = cli.json("analyze", "abc-xyz")["params"]
    assert (p["abc"], p["xyz"]) == ([70.0, 90.0], [50.0, 100.0])
    p = cli.json("analyze", "abc-xyz", "--xyz", "10,25")["params"]
    assert p["xyz"] == [10.0, 25.0]


def test_default_export_platform(cli, tmp_path):
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    r = cli("export", "audience", "--out", tmp_path / "a.csv", "--dry-run", expect=2)
    assert "give --platform" in r.stderr and "config set export_platform" in r.stderr
    cli("config", "set", "export_platform", "vk")
    d = cli.json("export", "audience", "--out", tmp_path / "a.csv", "--dry-run")
    assert d["platform"] == "vk"


def test_report_language_from_the_config(cli, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    cli("config", "set", "lang", "ru")
    assert cli("report", "--format", "md").stdout.startswith("# Отчёт по клиентской базе")
    assert cli("report", "--format", "md", "--lang", "en").stdout.startswith("# Customer base")


def test_area_code_completes_local_numbers(cli):
    cli("config", "set", "area_code", "495")
    cli("contacts", "add", "--name", "Петрова Анна", "--phone", "123-45-67")
    assert cli.contacts()[0]["phones"] == ["+74951234567"]
    assert [c["name"] for c in cli.json("contacts", "list", "--search", "123 45 67")] == [
        "Петрова Анна"
    ]
