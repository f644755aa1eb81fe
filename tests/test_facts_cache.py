"""The per-day stored facts (segments.cache): a filter on a class reads them back, and every change
of the base that moves a class makes the next filter compute them again, with the same members
as a computation from scratch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from clientbase.db.facts_cache import fact_days, fact_rows
from clientbase.segments import cache
from clientbase.segments.facts import materialised
from clientbase.segments.filter import parse
from clientbase.segments.tree import fields_used
from clientbase.services.segments import condition, load_settings, matching_ids

TODAY = date.today()
HEADER = "Дата;Номер заказа;Код клиента;Клиент;Телефон;Товар;Категория;Кол-во;Сумма;Статус\n"
# code, name, phone, [(days ago, amount)]
FIRST = [
    ("К-1", "Иванов Иван", "89160000001", [(10 + 30 * i, 20000) for i in range(8)]),
    ("К-2", "Петрова Мария", "89160000002", [(120, 3000), (150, 3000), (200, 3000)]),
    ("К-3", "Сидоров Пётр", "89160000003", [(400, 500)]),
    ("К-4", "Смирнова Ольга", "89160000004", [(20, 8000), (200, 8000)]),
    ("К-5", "Кузнецов Алексей", "89160000005", [(5, 1500)]),
    ("К-6", "Козлова Анна", "89160000006", [(100, 2000), (130, 2000), (160, 2000), (190, 2000)]),
]
SECOND = [
    ("К-7", "Новиков Олег", "89160000007", [(3 + 20 * i, 50000) for i in range(10)]),
    ("К-2", "Петрова Мария", "89160000002", [(3, 3000)]),
]
EXPRESSIONS = (
    "abc = 'A'",
    "abc in ('b', 'c')",
    "abc != 'A'",
    "xyz = null",
    "rfm_segment = 'Champions'",
    "rfm_segment != 'champions' and orders >= 2",
    "lifecycle = 'sleeping'",
    "lifecycle in ('new', 'active') or vip",
    "lifecycle = 'lead'",
    "warmth = 'hot' and has_phone",
    "orders >= 2 and revenue > 5000",
    "last_order < 30d",
    "ltv > 10000 and not loyal",
)


def orders_file(tmp_path, name: str, people) -> str:
    lines, n = [HEADER], 0
    for code, person, phone, buys in people:
        for ago, amount in buys:
            n += 1
            day = (TODAY - timedelta(days=ago)).strftime("%d.%m.%Y")
            lines.append(
                f"{day};{name}-{n};{code};{person};{phone};Товар;Обувь;1;{amount};Выполнен\n"
            )
    path = tmp_path / f"{name}.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


def from_scratch(engine, expr: str, as_of: date = TODAY) -> list[int]:
    """The members as computed without any stored day (the facts' temp table)."""
    node = parse(expr)
    with engine.connect() as conn:
        lc = load_settings(conn)
        fields = fields_used(node) | {"status"}
        with materialised(conn, fields=fields, as_of=as_of, settings=lc) as f:
            q = select(f.c.id).where(condition(node, f, as_of)).order_by(f.c.id)
            return list(conn.execute(q).scalars())


def days(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(fact_days)).scalar_one()


def ids_of(cli, expr: str, *extra: str) -> list[int]:
    return [c["id"] for c in cli.json("contacts", "list", "--where", expr, *extra)]


def check_all(cli, as_of: date = TODAY) -> None:
    engine = cli.engine()
    for expr in EXPRESSIONS:
        assert matching_ids(engine, where=expr, as_of=as_of) == from_scratch(engine, expr, as_of), (
            expr
        )


@pytest.fixture
def shop(cli, tmp_path):
    cli("import", orders_file(tmp_path, "first", FIRST), expect=None)
    return {c["name"]: c["id"] for c in cli.json("contacts", "list")}


def test_a_class_filter_is_computed_once_a_day_then_read_back(cli, shop, monkeypatch):
    engine = cli.engine()
    assert days(engine) == 0
    first = ids_of(cli, "abc = 'A'")
    assert shop["Иванов Иван"] in first and shop["Кузнецов Алексей"] not in first
    assert first == from_scratch(engine, "abc = 'A'")
    assert days(engine) == 1
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(fact_rows)).scalar_one()
    assert stored == len(shop)  # one row per customer of the base

    def no_computing(*args, **kwargs):
        raise AssertionError("the facts were computed again")

    monkeypatch.setattr(cache, "materialised", no_computing)
    assert ids_of(cli, "abc = 'A'") == first
    for expr in EXPRESSIONS:
        assert matching_ids(engine, where=expr) == from_scratch(engine, expr), expr
    csv = cli("contacts", "list", "--where", "lifecycle = 'sleeping'", "--format", "csv").stdout
    names = sorted(line.split(",")[1] for line in csv.splitlines()[1:])
    assert names == ["Козлова Анна", "Петрова Мария"]
    assert days(engine) == 1


def test_a_filter_on_activity_alone_stores_no_classes_and_classes_are_added(cli, shop):
    engine = cli.engine()
    assert ids_of(cli, "lifecycle = 'lost'") == [shop["Сидоров Пётр"]]
    with engine.connect() as conn:
        assert conn.execute(select(fact_days.c.classes)).scalars().all() == [False]
    assert ids_of(cli, "abc = 'A'") == from_scratch(engine, "abc = 'A'")
    with engine.connect() as conn:
        assert conn.execute(select(fact_days.c.classes)).scalars().all() == [True]


def test_an_import_makes_the_stored_day_stale(cli, shop, tmp_path):
    check_all(cli)
    assert shop["Петрова Мария"] in ids_of(cli, "lifecycle = 'sleeping'")
    cli("import", orders_file(tmp_path, "second", SECOND), expect=None)
    newcomer = cli.json("contacts", "list", "--search", "Новиков")[0]["id"]
    assert newcomer in ids_of(cli, "abc = 'A'")
    assert shop["Петрова Мария"] not in ids_of(cli, "lifecycle = 'sleeping'")
    check_all(cli)
    batch = cli.json("imports", "list")[0]["id"]
    cli("imports", "undo", str(batch))
    assert newcomer not in ids_of(cli, "abc = 'A'")
    assert shop["Петрова Мария"] in ids_of(cli, "lifecycle = 'sleeping'")
    check_all(cli)


def test_a_merge_and_its_undo_make_the_stored_day_stale(cli, shop):
    check_all(cli)
    petrova, kozlova = shop["Петрова Мария"], shop["Козлова Анна"]
    assert ids_of(cli, "orders = 7") == []
    merge = cli.json("dedupe", "merge", str(kozlova), str(petrova))["merge_id"]
    assert ids_of(cli, "orders = 7") == [petrova]  # the lower id survives, with all 7 orders
    assert kozlova not in ids_of(cli, "lifecycle = 'sleeping'")
    check_all(cli)
    cli("dedupe", "undo", str(merge))
    assert ids_of(cli, "orders = 7") == []
    assert kozlova in ids_of(cli, "lifecycle = 'sleeping'")
    check_all(cli)


def test_forget_archive_add_and_a_note_make_the_stored_day_stale(cli, shop):
    ivanov = shop["Иванов Иван"]
    assert ivanov in ids_of(cli, "abc = 'A'")
    cli("contacts", "forget", str(ivanov), "--yes")
    assert ivanov not in ids_of(cli, "abc = 'A'")
    check_all(cli)
    kozlova = shop["Козлова Анна"]
    cli("contacts", "archive", str(kozlova))
    assert kozlova not in ids_of(cli, "lifecycle = 'sleeping'")
    assert kozlova in ids_of(cli, "status = 'archived' and lifecycle = 'sleeping'")
    check_all(cli)
    cli("contacts", "add", "--name", "Лидов Лид", "--phone", "89160000099")
    lead = cli.json("contacts", "list", "--search", "Лидов")[0]["id"]
    assert lead in ids_of(cli, "lifecycle = 'lead'")
    petrova = shop["Петрова Мария"]
    cli("note", str(petrova), "договорились о встрече", "--as", "call")
    assert petrova not in ids_of(cli, "lifecycle = 'sleeping'")  # a contact today wakes her
    check_all(cli)


def test_each_as_of_day_has_its_own_facts(cli, shop):
    engine = cli.engine()
    earlier = TODAY - timedelta(days=60)
    now = ids_of(cli, "lifecycle = 'sleeping'")
    then = ids_of(cli, "lifecycle = 'sleeping'", "--as-of", earlier.isoformat())
    assert shop["Петрова Мария"] in now and shop["Петрова Мария"] not in then
    assert then == from_scratch(engine, "lifecycle = 'sleeping'", earlier)
    # the customer who first bought 5 days ago is not a customer 60 days back
    assert shop["Кузнецов Алексей"] in ids_of(cli, "lifecycle = 'lead'", "--as-of", str(earlier))
    assert days(engine) == 2
    check_all(cli, earlier)
    check_all(cli)
    assert days(engine) == 2


def test_changed_settings_are_another_stored_day(cli, shop):
    engine = cli.engine()
    assert shop["Смирнова Ольга"] not in ids_of(cli, "lifecycle = 'sleeping'")
    cli("settings", "set", "sleeping_days", "15")
    assert shop["Смирнова Ольга"] in ids_of(cli, "lifecycle = 'sleeping'")
    check_all(cli)
    cli("settings", "unset", "sleeping_days")
    assert shop["Смирнова Ольга"] not in ids_of(cli, "lifecycle = 'sleeping'")
    assert days(engine) == 2


def test_the_listing_reads_the_stage_from_the_stored_day(cli, shop):
    listed = {c["id"]: c["lifecycle"] for c in cli.json("contacts", "list")}
    ids_of(cli, "lifecycle = 'new'")  # stores the day
    again = {c["id"]: c["lifecycle"] for c in cli.json("contacts", "list")}
    assert again == listed
    assert listed[shop["Кузнецов Алексей"]] == "new" and listed[shop["Сидоров Пётр"]] == "lost"


def test_the_exact_comparison_uses_the_values_the_day_holds():
    from sqlalchemy import column, table

    from clientbase.segments.filter_sql import to_sql

    t = table("t", column("id"), column("abc"), column("status"))
    spellings = {"abc": ["A", "B", "C"]}
    sql = str(to_sql(parse("abc in ('a', 'c')"), t, spellings=spellings).compile(
        compile_kwargs={"literal_binds": True}))  # fmt: skip
    assert "lower" not in sql and "'A'" in sql and "'C'" in sql and "'B'" not in sql
    neg = str(to_sql(parse("abc != 'b'"), t, spellings=spellings).compile(
        compile_kwargs={"literal_binds": True}))  # fmt: skip
    assert "IS NULL" in neg and "NOT IN" in neg
