"""Russian and English: the catalog is complete, counts take the right Russian form, the language
is chosen the documented way, and a walk through the README in Russian meets no English sentence.

The walk-through runs the main commands on a copy of examples/ with ``--lang ru`` and fails on any
run of two or more English words left in stdout or stderr, once what legitimately stays Latin is
taken out: command and option names, file names and paths, URLs, emails, identifiers in quotes or
backticks, ``--where`` field names, platform and format names, the analyses' abbreviations, and
the customers' own data. With ``--lang en`` it checks the opposite: no Cyrillic outside data.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
import typer
from conftest import EXAMPLES, Cli
from typer.testing import CliRunner

from clientbase.cli.help_style import tidy_tree
from clientbase.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
CLI_SOURCE = ROOT / "src" / "clientbase" / "cli"


def _catalog_script():
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "scripts" / "catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the catalog -------------------------------------------------------------------------------


def test_every_message_has_a_russian_translation_and_the_mo_is_fresh(capsys):
    catalog = _catalog_script()
    assert catalog.check() == 0, capsys.readouterr().err


# --- plural forms and the choice of language ---------------------------------------------------


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "клиент"), (2, "клиента"), (4, "клиента"), (5, "клиентов"), (11, "клиентов"),
     (21, "клиент"), (22, "клиента"), (112, "клиентов")],
)  # fmt: skip
def test_russian_counts_take_the_form_the_number_needs(n, word):
    from clientbase import i18n
    from clientbase.cli.output import customers

    i18n.set_language("ru")
    assert customers(n) == f"{n} {word}"


def test_russian_plural_forms_through_the_cli(cli, tmp_path):
    path = tmp_path / "list.csv"
    lines = ["Имя;Телефон"] + [f"Клиент {i};+7916555{i:04d}" for i in range(1, 6)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli("import", path)
    out = cli("--lang", "ru", "contacts", "list", "--limit", "1").stdout
    assert "1 клиент\n" in out or re.search(r"\b1 клиент\b", out)
    assert re.search(r"\b2 клиента\b", cli("--lang", "ru", "contacts", "list", "-l", "2").stdout)
    assert re.search(r"\b5 клиентов\b", cli("--lang", "ru", "contacts", "list").stdout)
    created = cli("--lang", "ru", "segment", "create", "все", "--where", "has_phone").stdout
    assert "5 клиентов" in created
    english = cli("contacts", "list", "--limit", "1").stdout
    assert "1 customer\n" in english or re.search(r"\b1 customer\b", english)


def _lang_of(cli, *args, env=None) -> str:
    """The language a command speaks: its `db info` first line in Russian or English."""
    result = cli.runner.invoke(app, [*args, "--db", str(cli.db), "db", "info"], env=env or {})
    assert result.exit_code == 0, result.output
    return "ru" if result.stdout.startswith("база:") else "en"


def test_the_language_comes_from_the_flag_then_env_then_config_then_locale(cli, monkeypatch):
    cli("db", "info")
    ru_locale = {"LANG": "ru_RU.UTF-8"}
    assert _lang_of(cli) == "en"
    assert _lang_of(cli, env=ru_locale) == "ru"  # the locale
    cli("config", "set", "lang", "en")
    assert _lang_of(cli, env=ru_locale) == "en"  # the config beats the locale
    assert _lang_of(cli, env={**ru_locale, "CLIENTBASE_LANG": "ru"}) == "ru"  # env beats config
    cli("config", "set", "lang", "ru")
    assert _lang_of(cli) == "ru"
    assert _lang_of(cli, env={"CLIENTBASE_LANG": "en"}) == "en"
    assert _lang_of(cli, "--lang", "en", env={"CLIENTBASE_LANG": "ru"}) == "en"  # flag beats env
    # --lang goes anywhere, like the other global options.
    result = cli.runner.invoke(app, ["--db", str(cli.db), "db", "info", "--lang", "ru"])
    assert result.stdout.startswith("база:")
    shown = cli.json("--lang", "en", "config", "show")["keys"]
    assert {"key": "lang", "value": "en", "from": "flag"}.items() <= next(
        k for k in shown if k["key"] == "lang"
    ).items()


def test_numbers_in_tables_follow_the_language_of_the_command(cli):
    cli("import", EXAMPLES / "продажи_2025.csv", expect=None)
    ru = cli("--lang", "ru", "analyze", "ltv").stdout
    en = cli("--lang", "en", "analyze", "ltv").stdout
    assert re.search(r"\d\u00a0\d{3},\d\d\u00a0₽", ru), ru
    assert re.search(r"\d,\d{3}\.\d\d\s₽", en), en


# --- the walk-through --------------------------------------------------------------------------

# Words that stay Latin in a Russian sentence: platforms, formats, the analyses' abbreviations.
KEEP_LATIN = {
    "csv", "tsv", "json", "html", "md", "markdown", "xlsx", "xls", "ods", "vcard", "vcf", "toml",
    "txt", "excel", "yandex", "vk", "mytarget", "google", "meta", "tiktok", "facebook", "ads",
    "abc", "xyz", "rfm", "ltv", "bg", "nbd", "gamma", "clv", "sha", "sha256", "md5", "utf",
    "sqlite", "postgresql", "sqlalchemy", "url", "id", "ids", "sms", "email", "cron", "gdpr",
    "fz", "amocrm", "bitrix24", "outlook", "android", "oppo", "asterisk", "sipuni", "mango",
    "office", "pbx", "crm", "clientbase", "ru", "en", "kz", "by", "cc", "mb", "no", "yes",
    "bash", "zsh", "fish", "powershell", "pwsh", "master", "audiences", "custom", "audience",
    "match", "customer", "ab",
}  # fmt: skip

_URL = re.compile(r"\b(?:https?|postgresql\+psycopg|sqlite)://\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED = re.compile(r"`[^`\n]*`|'[^'\n]*'|\"[^\"\n]*\"|«[^»\n]*»")
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:=\S*)?")
_PATH = re.compile(r"\S*[/\\]\S*|\S+\.(?:csv|xlsx|xls|ods|vcf|xml|json|html|md|txt|toml|sqlite3)\b")
_IDENT = re.compile(r"\b\w+(?:[_.=]\w+)+\b|\b[a-z]+(?:\|[\w-]+)+\b|\b\w+,\w+(?:,\w+)*\b")
_COMMAND = re.compile(r"\bclientbase(?: [a-z][a-z-]*)*")
_RUN = re.compile(r"\b[A-Za-z][A-Za-z'’-]*[A-Za-z](?: [A-Za-z][A-Za-z'’-]*[A-Za-z]\b)+")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]+")


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    tidy_tree(root)

    def walk(command, path):
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(root, []))


def _command_paths() -> re.Pattern:
    """Command lines written without "clientbase" in front (`export presets`, `dedupe review`)."""
    paths = sorted((" ".join(p) for p in _commands() if len(p) > 1), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, paths)) + r")\b")


def _strip(line: str, data_words: set[str]) -> str:
    for pattern in (_URL, _EMAIL, _QUOTED, _PATH, _OPTION, _COMMAND, _COMMAND_PATHS, _IDENT):
        line = pattern.sub(" ", line)
    words = re.split(r"(\W+)", line)
    return "".join(" " if w.lower() in data_words or w.lower() in KEEP_LATIN else w for w in words)


_COMMAND_PATHS = _command_paths()


def english_runs(text: str, data_words: set[str]) -> list[tuple[str, str]]:
    """(line, run) for every run of two or more English words in ``text``."""
    found = []
    for line in text.splitlines():
        for m in _RUN.finditer(_strip(line, data_words)):
            found.append((line.strip(), m.group(0)))
    return found


def cyrillic_words(text: str, data_words: set[str]) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        stripped = _QUOTED.sub(" ", _PATH.sub(" ", line))
        for word in _CYRILLIC.findall(stripped):
            if word.lower() not in data_words:
                found.append((line.strip(), word))
    return found


def _literals(paths) -> str:
    parts = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts.append(node.value)
    return "\n".join(parts).lower()


def _foreign_literals() -> str:
    """Every string literal (and preset file) of the packages below the cli, lower case: an
    English run found there comes from them; any other is a message of the cli layer."""
    package = CLI_SOURCE.parent
    paths = [p for p in package.rglob("*.py") if CLI_SOURCE not in p.parents]
    toml = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.toml"))
    return _literals(paths) + "\n" + toml.lower()


def _words(value, into: set[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _words(k, into)
            _words(v, into)
    elif isinstance(value, list | tuple):
        for v in value:
            _words(v, into)
    elif isinstance(value, str):
        into.update(w.lower() for w in re.findall(r"\w+", value))
        into.update(w.lower() for w in _CYRILLIC.findall(value))


def _walk(cli: Cli, tmp: Path, lang: str, typed: set[str]) -> list[tuple[str, str]]:
    """Run the README's main commands in ``lang``; (command line, stdout + stderr) of each.
    The words typed on the command lines are data: they go into ``typed``."""
    outputs = []
    tmp.mkdir(parents=True, exist_ok=True)

    def run(*args, expect=0):
        _words([str(a) for a in args], typed)
        result = cli.runner.invoke(
            app,
            ["--lang", lang, "--db", str(cli.db), *map(str, args)],
            env={"COLUMNS": "200"},
            prog_name="clientbase",
        )
        if expect is not None:
            assert result.exit_code == expect, (args, result.output, result.exception)
        outputs.append((" ".join(map(str, args)), result.stdout + "\n" + result.stderr))
        return result

    people = {c["name"]: c["id"] for c in cli.contacts()}
    ivanov, volkov = people["Иванов Иван Иванович"], people["Волков Павел"]
    a, b = sorted(people.values())[-2:]
    run("contacts", "list")
    run("contacts", "list", "--search", "петров")
    run("contacts", "show", ivanov)
    run("contacts", "show", volkov)
    run("contacts", "add", "--name", "Петрова Анна", "--phone", "8 916 555-44-33",
        "--birthday", "12.07")  # fmt: skip
    run("contacts", "edit", ivanov, "--city", "Казань", "--dry-run")
    run("note", ivanov, "Обсудили скидку", "--as", "call", "--outcome", "agreed")
    run("remind", ivanov, "--in", "2w", "позвонить")
    run("remind", "due")
    run("calls", "missed", "--since", "3650d")
    run("dedupe", "--dry-run")
    run("dedupe", "review", "--list")
    merged = run("dedupe", "merge", a, b)
    merge_id = re.search(r"\d+", merged.stdout.split("(")[1]).group(0)
    run("dedupe", "history")
    run("dedupe", "undo", merge_id)
    run("analyze", "abc-xyz", "--from", "2025-01-01", "--to", "2025-12-31", "--xyz", "50,100")
    run("analyze", "rfm", "--as-of", "2026-01-05")
    run("analyze", "ltv", "--by", "channel", "--as-of", "2026-01-05")
    run("analyze", "ltv", "--method", "cohort", "--as-of", "2026-01-05")
    run("analyze", "churn", "--as-of", "2026-01-05")
    run("segment", "fields")
    run("segment", "create", "москва", "--where", "city = 'Москва'", "--replace")
    run("segment", "list")
    run("segment", "show", "москва")
    run("tag", "add", "обзвон", "--segment", "москва", "--dry-run")
    run("settings", "list")
    run("birthdays", "--days", "366")
    run("reactivation", "--as-of", "2026-01-05")
    run("consent", "set", ivanov, "withdrawn", "--channel", "sms", "--source", "звонок")
    run("consent", "set", ivanov, "maybe", "--channel", "sms", expect=2)
    run("export", "presets")
    run("export", "presets", "yandex")
    run("export", "audience", "--platform", "yandex", "--out", tmp / "y.csv", "--dry-run")
    run("export", "audience", "--platform", "csv", "--out", tmp / "sms.csv")
    run("exports", "list")
    run("report", "--as-of", "2026-01-05", "--format", "text")
    run("db", "info")
    run("config", "show")
    run("imports", "list")
    run("imports", "show", "1", "--rejected")
    run("contacts", "show", "999999", expect=1)
    for path in _commands():
        run(*path, "--help")
    return outputs


def _walk_base(module_db, tmp_path_factory, name: str):
    """A base with examples/ imported (from a copy), and the data words of its customers."""
    tmp = tmp_path_factory.mktemp(name)
    examples = tmp / "examples"
    shutil.copytree(EXAMPLES, examples)
    cli = Cli(module_db(name))
    cli("import", examples, expect=3)
    data: set[str] = set()
    _words(cli.contacts(), data)
    for batch in cli.json("imports", "list"):
        _words(cli.json("imports", "show", batch["id"]), data)
    _words(cli.json("segment", "fields"), data)  # field names and their Russian aliases
    return cli, tmp, data


# A base per language: what a command stores (a merge's reasons) is data to the next one.
@pytest.fixture(scope="module")
def walkthrough(module_db, tmp_path_factory):
    return _walk_base(module_db, tmp_path_factory, "walk_ru")


@pytest.fixture(scope="module")
def walkthrough_en(module_db, tmp_path_factory):
    return _walk_base(module_db, tmp_path_factory, "walk_en")


def _offenders(outputs, check, data) -> list[tuple[str, str, str]]:
    return [(cmd, line, what) for cmd, text in outputs for line, what in check(text, data)]


def _report(offenders) -> str:
    return "\n".join(f"{cmd}: {what!r} in: {line}" for cmd, line, what in offenders)


@pytest.fixture(scope="module")
def russian(walkthrough):
    cli, tmp, data = walkthrough
    typed: set[str] = set()
    outputs = _walk(cli, tmp / "ru", "ru", typed)
    return _offenders(outputs, english_runs, data | typed)


def test_the_cli_layer_speaks_russian_in_the_walkthrough(russian):
    """No English sentence the cli layer composes (messages, help, labels, headers); the
    English the packages below still send up is listed by the next test."""
    foreign = _foreign_literals()
    ours = [o for o in russian if o[2].lower() not in foreign]
    assert not ours, "English left in Russian output:\n" + _report(ours)


def test_the_whole_walkthrough_speaks_russian(russian):
    assert not russian, "English left in Russian output:\n" + _report(russian)


def test_english_output_has_no_russian_outside_data(walkthrough_en):
    cli, tmp, data = walkthrough_en
    # Russian words the English help quotes as examples (a column header, a note's text).
    data = data | {w.lower() for w in ("ФИО", "позвонить", "Казань", "Откуда", "узнал")}
    typed: set[str] = set()
    outputs = _walk(cli, tmp / "en", "en", typed)
    offenders = _offenders(outputs, cyrillic_words, data | typed)
    assert not offenders, "Russian in English output:\n" + _report(offenders)


def test_the_checker_flags_english_and_lets_names_through():
    data = {"иванов", "name", "prefix"}
    assert english_runs("3 rows were rejected", data)
    assert not english_runs("отклонено строк: 3 (см. --rejects OUT.csv)", data)
    assert not english_runs("выгрузка для Yandex Audiences в `clientbase exports list`", data)
    assert not english_runs("не сопоставлены: Name Prefix", data)
    assert not english_runs("файл /tmp/some dir/x.csv и a.b@example.com", data)
    assert english_runs("│ --db  PATH|URL  Database file or SQLAlchemy URL │", data)
    assert cyrillic_words("3 клиента", data) and not cyrillic_words("Иванов: 3", data)


def test_json_keys_and_csv_headers_stay_english(walkthrough):
    cli = walkthrough[0]
    data = json.loads(cli("--lang", "ru", "contacts", "list", "--format", "json").stdout)
    assert {"id", "name", "phones", "emails"} <= set(data[0])
    header = cli("--lang", "ru", "contacts", "list", "--format", "csv").stdout.splitlines()[0]
    assert header.startswith("id,name,last_name,first_name")


def test_the_russian_readme_has_the_two_commands_and_the_choice_of_language():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    russian = (ROOT / "README.ru.md").read_text(encoding="utf-8")
    assert "README.ru.md" in readme
    assert "pip install -q '.[test]' && .venv/bin/python -m pytest" in russian
    assert "clientbase --lang ru --db demo.sqlite3 import examples/" in russian
    for way in ("--lang ru", "CLIENTBASE_LANG=ru", "config set lang ru", "LANG=ru_RU.UTF-8"):
        assert way in russian


def test_installing_completion_says_so_in_russian(tmp_path, monkeypatch):
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    runner = CliRunner()
    r = runner.invoke(app, ["--lang", "ru", "--install-completion", "bash"], prog_name="clientbase")
    assert r.exit_code == 0, (r.output, r.exception)
    assert "bash: автодополнение установлено в" in r.stdout
    assert "Автодополнение заработает после перезапуска терминала" in r.stdout
    assert (tmp_path / ".bashrc").read_text().count("clientbase") >= 1


def test_a_russian_import_summary_and_error_line(cli, tmp_path):
    shop = shutil.copy(EXAMPLES / "клиенты_магазин.csv", tmp_path / "клиенты_магазин.csv")
    r = cli("--lang", "ru", "import", shop, expect=3)
    assert "клиенты_магазин.csv -> импорт 1" in r.stdout
    assert "прочитано строк: 40; создано: 32" in r.stdout
    assert "отклонена строка 17:" in r.stdout
    assert r.stderr.startswith("отклонены 2 строки: посмотреть")
    bad = cli("--lang", "ru", "consent", "set", "1", "maybe", "--channel", "sms", expect=2)
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("clientbase: ошибка: ")
    assert "maybe" in bad.stderr and "(справка: clientbase consent set -h)" in bad.stderr
    typo = cli("--lang", "ru", "contacts", "lst", expect=2).stderr
    assert "нет такой команды" in typo and "Возможно, имелось в виду 'list'?" in typo
