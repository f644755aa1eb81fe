"""The three ways a listing of customers is read give the same values: page by page
(services.contacts.iter_contact_rows), one query per part merged (services.contact_stream) and,
on SQLite, the CSV text the database writes (services.contact_text)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, ON_PG

from clientbase.cli.contacts import CSV_COLUMNS
from clientbase.cli.output import _cell
from clientbase.services.contact_stream import stream_contact_rows
from clientbase.services.contact_text import TEXT_FIELDS, text_csv
from clientbase.services.contacts import ROW_FIELDS, iter_contact_rows
from clientbase.services.segments import matching_ids

ALL = sorted(ROW_FIELDS)


@pytest.fixture
def varied(cli):
    """A base with a bit of everything: orders (returns, cancellations), calls, several sources
    of contacts, tags, an archived, a merged-away and an erased customer, birthdays without a
    year and invalid phones."""
    for name in ("клиенты_магазин.csv", "продажи_2025.csv", "телефон_звонки.xml",
                 "google_contacts.csv", "amocrm_export.csv", "телефон_контакты.vcf"):  # fmt: skip
        cli("import", EXAMPLES / name, expect=None)
    ids = [c["id"] for c in cli.json("contacts", "list")]
    assert len(ids) > 30
    cli("tag", "add", "опт", *map(str, ids[::3]))
    cli("tag", "add", "Ёлка", *map(str, ids[::4]))
    cli("tag", "add", "vip-клуб", *map(str, ids[1::5]))
    cli("contacts", "archive", str(ids[2]))
    cli("dedupe", "merge", str(ids[5]), str(ids[6]))
    cli("contacts", "forget", str(ids[7]), "--yes", expect=None)
    return cli


def _csv(rows) -> str:
    """Rows as the CSV shows them (without the header)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([_cell(v) for v in r] for r in rows)
    return out.getvalue()


@pytest.mark.parametrize("as_of", [date(2025, 12, 31), date(2025, 6, 1), None])
def test_the_ways_of_reading_a_listing_agree(varied, as_of):
    engine = varied.engine()
    everyone = [c["id"] for c in varied.json("contacts", "list")]
    some = matching_ids(engine, where="orders >= 1 or has_phone", as_of=as_of)
    assert 0 < len(some) < len(everyone)
    for ids in (None, some, everyone[::2], []):
        paged = list(iter_contact_rows(engine, ALL, ids=ids, as_of=as_of, page=7))
        assert list(stream_contact_rows(engine, ALL, ids=ids, as_of=as_of)) == paged
        for cols in (list(CSV_COLUMNS), sorted(TEXT_FIELDS), ["lifecycle", "id", "tags"]):
            paged = list(iter_contact_rows(engine, cols, ids=ids, as_of=as_of, page=7))
            text = text_csv(engine, cols, ids=ids, as_of=as_of)
            if ON_PG:
                assert text is None  # PostgreSQL: the stream
                continue
            assert "".join(text) == _csv(paged), cols
    if not ON_PG:
        # The filter's ids never leave the database: the same text as from the ids.
        where = "orders >= 1 or has_phone"
        for cols in (list(CSV_COLUMNS), ["phones"], ["tags", "emails", "warmth"]):
            by_ids = "".join(text_csv(engine, cols, ids=some, as_of=as_of))
            assert "".join(text_csv(engine, cols, where=where, as_of=as_of)) == by_ids
    assert {"lifecycle", "phones", "tags"} <= TEXT_FIELDS
    assert text_csv(engine, ["id", "created_at"]) is None  # not a column it writes


def test_a_filtered_csv_is_the_same_with_kept_facts(varied):
    """A stored day of facts (segments.cache) gives the listing's stages as computing does."""
    args = ("contacts", "list", "--where", "has_phone", "--format", "csv", "--as-of", "2025-12-31")
    before = varied(*args).stdout
    varied("contacts", "list", "--where", "lifecycle = 'active'", "--as-of", "2025-12-31")
    assert varied(*args).stdout == before
    assert before.count("\n") > 10 and "lifecycle" in before.splitlines()[0]


@pytest.mark.skipif(ON_PG, reason="the quick listing reads SQLite files only")
@pytest.mark.parametrize("as_of", [date(2025, 12, 31), date(2025, 3, 1), None])
def test_the_quick_listing_gives_the_values_of_the_usual_one(varied, as_of):
    from clientbase.db.quick import open_quick
    from clientbase.services.quick_list import QUICK_FIELDS, quick_rows

    engine = varied.engine()
    conn = open_quick(Path(varied.db))
    assert conn is not None
    try:
        for cols in (sorted(QUICK_FIELDS), list(CSV_COLUMNS), ["lifecycle", "warmth", "id"]):
            for limit in (None, 1, 7, 1000):
                usual = list(iter_contact_rows(engine, cols, limit=limit, as_of=as_of))
                assert list(quick_rows(conn, cols, limit=limit, as_of=as_of, page=5)) == usual
        stages = {r[0] for r in quick_rows(conn, ["lifecycle"], as_of=as_of)}
        assert len(stages) >= 2
    finally:
        conn.close()


@pytest.mark.skipif(ON_PG, reason="the quick listing reads SQLite files only")
def test_contacts_list_prints_the_same_either_way(varied):
    # --search "" matches everyone and takes the usual way.
    for args in (("--limit", "12"), ("--limit", "4", "--format", "csv"), ("--as-of", "2025-06-01"),
                 ("--limit", "3", "--format", "json", "--columns", "id,name,tags,lifecycle"),
                 ("--limit", "5", "--columns", "name,warmth,birthday_month_day")):  # fmt: skip
        quick = varied("contacts", "list", *args).stdout
        assert quick == varied("contacts", "list", *args, "--search", "").stdout
        assert quick.strip()


def test_an_old_or_missing_base_is_not_read_quickly(tmp_path):
    from clientbase.db.quick import open_quick

    assert open_quick(tmp_path / "none.sqlite3") is None
    (tmp_path / "text.sqlite3").write_text("not a database")
    assert open_quick(tmp_path / "text.sqlite3") is None


def test_cells_the_csv_writer_quotes_are_written_as_it_writes_them(cli, tmp_path):
    """Commas, quotes and line breaks in a cell, two phones (a list joined by ", "), an empty
    lone cell: the text the database writes equals csv.writer's, to the byte."""
    rows = [
        ["ФИО", "Телефон", "E-mail", "Город", "Компания", "Адрес", "Источник"],
        ["Иванов Иван", "+7 916 123-45-67, 8 926 234-56-78", "ivan@mail.ru", "Москва",
         'ООО "Ромашка"', "ул. Ленина, 5", "Авито"],
        ["Петрова Мария", "+7 903 111-22-33", "", "москва", "", "дом 1\nкв. 2", ""],
        ["Сидоров Пётр", "+7 903 111-22-44", "p@x.ru; s@y.ru", "Казань", "ИП Сидоров",
         "корпус\r3", 'сарафанное "радио"'],
        ["Кузнецова Анна", "+7 903 111-22-55", "anna@x.ru", "", "", "", ""],
    ]  # fmt: skip
    path = tmp_path / "tricky.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    cli("import", str(path), expect=None)
    for args in ((), ("--where", "city = 'москва'"), ("--columns", "city"),
                 ("--columns", "address,phones"), ("--where", "city != 'Казань'", "--columns",
                 "company,emails,lifecycle")):  # fmt: skip
        text = cli("contacts", "list", "--format", "csv", *args).stdout
        # --search "" matches everyone and takes the usual way: a tuple per customer
        usual = cli("contacts", "list", "--format", "csv", "--search", "", *args).stdout
        assert text == usual, args
    if not ON_PG:
        # The UTF-8 bytes SQLite holds, for an output that writes UTF-8: the same text.
        for cols in (list(CSV_COLUMNS), ["city"], ["address"]):
            text = "".join(text_csv(cli.engine(), cols))
            assert b"".join(text_csv(cli.engine(), cols, utf8=True)) == text.encode()
    lone = cli("contacts", "list", "--format", "csv", "--columns", "city").stdout
    assert '\n""\n' in lone  # a lone empty cell, quoted as csv.writer does
    both = cli("contacts", "list", "--format", "csv", "--columns", "phones").stdout
    assert '"+79161234567, +79262345678"' in both  # in the order they were given
    assert '"ул. Ленина, 5"' in cli("contacts", "list", "--format", "csv").stdout


@pytest.mark.skipif(ON_PG, reason="the quick listing reads SQLite files only")
@pytest.mark.parametrize(
    "args",
    [
        ["--limit", "3", "--columns", "id,lifecycle,phones,tags"],
        ["--format", "csv", "--where", "city = 'Москва' or name contains 'ов'"],
        ["--format", "csv", "--columns", "id,warmth,emails"],
    ],
)
def test_the_quick_listing_starts_without_sqlalchemy(varied, args):
    """`contacts list --limit N`, and a whole or own-column-filtered CSV listing, on a SQLite
    base at the head revision: the stage's aggregates (segments.activity) and the filter
    (segments.own_sql) come as SQL text, so the database toolkit is never loaded."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from clientbase.cli.main import run\n"
        "sys.argv = ['clientbase', '--db', sys.argv[1], 'contacts', 'list', *sys.argv[2:]]\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(varied.db), *args],
                          capture_output=True, text=True, check=True)  # fmt: skip
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "False", done.stdout + done.stderr
    assert len(lines) > 3  # the table or the lines were printed


# Expressions on the customer's own columns: the quick listing builds their SQL text itself
# (segments.own_sql); every other expression takes the usual way.
OWN_EXPRESSIONS = (
    "city = 'Москва'", "city != 'москва'", "city in ('казань', 'москва', 'Тула')",
    "not city in ('Казань')", "city = null", "city != null", "city contains 'ос'",
    "city not contains 'мос'", "name contains 'ива' or source = 'Авито'",
    "(source = 'сарафанное радио' or city = 'Казань') and not name contains 'а'",
    "name = 'Иванов Иван'", "kind = 'company'", "gender = 'ж'", "status = 'archived'",
    "status != 'active'", "id > 10 and id <= 30", "id in (1, 3, 5, 40)", "id not in (2, 4)",
    "created < 30d", "created >= 2020-01-01", "created = 2026-01-01", "created != 2020-01-01",
    "manager = null and company != null", "company contains '_%'", "city = 'Тула'",
)  # fmt: skip


@pytest.mark.skipif(ON_PG, reason="the quick listing reads SQLite files only")
@pytest.mark.parametrize("few_spellings", [False, True])
def test_the_quick_filter_finds_the_customers_of_the_usual_one(varied, monkeypatch, few_spellings):
    """The own-column expressions as plain SQL (segments.own_sql) pick the customers the facts'
    condition picks (services.segments), with the columns' spellings read or without them
    (too many values: lower() per customer), and the quick listing writes the same text."""
    from clientbase.db.quick import open_quick
    from clientbase.segments import cache, own_sql
    from clientbase.segments.filter import parse
    from clientbase.services import quick_list

    if few_spellings:
        monkeypatch.setattr(cache, "SPELLINGS_MAX", 0)
        monkeypatch.setattr(own_sql, "SPELLINGS_MAX", 0)
    engine = varied.engine()
    conn = open_quick(Path(varied.db))
    assert conn is not None
    sizes = []
    try:
        for as_of in (date(2025, 12, 31), None):
            for e in OWN_EXPRESSIONS:
                node = parse(e)
                assert own_sql.is_own(node), e
                usual = matching_ids(engine, where=e, as_of=as_of)
                sql, params = own_sql.own_where(
                    node, as_of or date.today(), quick_list._own_spellings(conn, node)
                )
                found = [i for (i,) in conn.execute(
                    f"SELECT id FROM customers WHERE {sql} ORDER BY id", params)]  # fmt: skip
                assert found == usual, e
                sizes.append(len(usual))
                for cols in (list(CSV_COLUMNS), ["lifecycle", "tags", "phones"]):
                    text = b"".join(quick_list.quick_text(conn, cols, node, as_of=as_of, utf8=True))
                    assert text.decode() == "".join(text_csv(engine, cols, where=e, as_of=as_of)), (
                        e,
                        cols,
                    )
        assert min(sizes) == 0 and max(sizes) > 20 and len(set(sizes)) > 10
        whole = "".join(quick_list.quick_text(conn, list(CSV_COLUMNS)))
        assert whole == "".join(text_csv(engine, list(CSV_COLUMNS)))
        for e in ("tags contains 'опт'", "orders >= 1 and city = 'Москва'", "lifecycle = 'lead'"):
            assert not own_sql.is_own(parse(e))
            assert quick_list.quick_text(conn, list(CSV_COLUMNS), parse(e)) is None
        assert quick_list.quick_text(conn, ["id", "created_at"]) is None
    finally:
        conn.close()


@pytest.mark.skipif(ON_PG, reason="the quick listing reads SQLite files only")
def test_contacts_list_filtered_to_csv_prints_the_same_either_way(varied):
    for args in (("--where", "city = 'Москва'"), ("--where", "name contains 'ов' and city != null"),
                 ("--where", "status = 'archived'", "--columns", "id,name,lifecycle"),
                 ("--where", "tags contains 'опт'"), ("--as-of", "2025-06-01"),
                 ("--where", "source != null", "--as-of", "2025-06-01", "--columns",
                  "warmth,phones,emails,birthday")):  # fmt: skip
        quick = varied("contacts", "list", "--format", "csv", *args).stdout
        assert quick == varied("contacts", "list", "--format", "csv", *args, "--search", "").stdout
        assert quick.count("\n") > 1, args
    bad = varied("contacts", "list", "--format", "csv", "--where", "city = ", expect=2)
    assert "city" in bad.output


@pytest.mark.skipif(ON_PG, reason="the quick listing reads SQLite files only")
def test_the_quick_filter_reads_kept_stages_and_leaves_many_buyers_to_the_usual_way(
    varied, monkeypatch
):
    """Stages come from a kept day of facts when there is one; without it, more listed
    customers with orders than QUICK_STAGES_MAX are left to the usual way (None)."""
    from clientbase.db.quick import open_quick
    from clientbase.segments.filter import parse
    from clientbase.services import quick_list

    engine = varied.engine()
    day = date(2025, 12, 31)
    cols = ["id", "lifecycle", "warmth", "city"]
    node = parse("id > 0")
    conn = open_quick(Path(varied.db))
    assert conn is not None
    try:
        usual = "".join(text_csv(engine, cols, where="id > 0", as_of=day))
        assert len({line.split(",")[1] for line in usual.splitlines()}) >= 3  # several stages
        monkeypatch.setattr(quick_list, "QUICK_STAGES_MAX", 0)
        assert quick_list.quick_text(conn, cols, node, as_of=day) is None
        assert quick_list.quick_text(conn, cols, None, as_of=day) is None
        assert quick_list.quick_text(conn, ["id", "city"], node, as_of=day) is not None
        varied("contacts", "list", "--where", "lifecycle = 'active'", "--as-of", day.isoformat())
        kept = conn.execute("SELECT count(*) FROM fact_days WHERE as_of = ?", (str(day),))
        assert kept.fetchone()[0] == 1
        # the kept day: no stage to compute here, whatever their number
        assert "".join(quick_list.quick_text(conn, cols, node, as_of=day)) == usual
        whole = "".join(quick_list.quick_text(conn, cols, None, as_of=day))
        assert whole == "".join(text_csv(engine, cols, as_of=day))
    finally:
        conn.close()
