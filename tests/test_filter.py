"""The filter language: parsing, what each operator selects, and hostile input."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.dialects import sqlite

from clientbase.config import resolve_db
from clientbase.db.engine import open_database
from clientbase.db.models import customer_tags, customers, orders, tags
from clientbase.segments.facts import FACTS
from clientbase.segments.fields import FIELDS, describe_fields
from clientbase.segments.filter import FilterError, parse
from clientbase.segments.filter_sql import to_sql
from clientbase.segments.tree import NULL, And, Compare, Duration, Not, Or, fields_used

AS_OF = date(2026, 3, 10)


def c(field, op, value, pos=0):
    return Compare(field, op, value, pos)


# --- parsing -------------------------------------------------------------------------------------


def test_every_comparison_operator_parses():
    ops = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "≠": "!=", "<": "<", "<=": "<=",
           "≤": "<=", ">": ">", ">=": ">=", "≥": ">="}  # fmt: skip
    for typed, op in ops.items():
        assert parse(f"orders {typed} 3") == c("orders", op, 3)
    assert parse("city in ('Москва', \"Казань\")") == c("city", "in", ("москва", "казань"))
    assert parse("city not in ['Москва',]") == c("city", "not in", ("москва",))
    assert parse("name contains 'ов'") == c("name", "contains", "ов")
    assert parse("name not contains 'ов'") == c("name", "not contains", "ов")
    assert parse("tags contains 'vip'") == c("tags", "contains", "vip")
    assert parse("city is null") == c("city", "=", NULL)
    assert parse("city is not null") == c("city", "!=", NULL)
    assert parse("city = null") == c("city", "=", NULL)


def test_precedence_parentheses_and_bare_booleans():
    a, b, d = c("has_email", "=", True, 0), c("has_phone", "=", True, 13), c("vip", "=", True, 27)
    # not > and > or
    assert parse("has_email or has_phone and vip") == Or((a, And((b, d))))
    assert parse("(has_email or has_phone) and vip") == And(
        (Or((c("has_email", "=", True, 1), c("has_phone", "=", True, 14))), c("vip", "=", True, 29))
    )
    assert parse("not has_email and vip") == And(
        (Not(c("has_email", "=", True, 4)), c("vip", "=", True, 18))
    )
    assert parse("not (has_email and vip)") == Not(
        And((c("has_email", "=", True, 5), c("vip", "=", True, 19)))
    )
    assert parse("not not loyal") == Not(Not(c("loyal", "=", True, 8)))
    assert parse("has_email = false") == c("has_email", "=", False)
    assert parse("has_email != yes") == c("has_email", "!=", True)
    assert parse("has_email = 1") == c("has_email", "=", True)


def test_values_relative_dates_dates_and_percent():
    assert parse("last_order < 30d").value == Duration(30, "d")
    assert parse("last_order < 2w").value == Duration(2, "w")
    assert parse("created > 6m").value == Duration(6, "m")
    assert parse("created > 1y").value == Duration(1, "y")
    assert parse("created > 2 years").value == Duration(2, "y")
    assert parse("created > 3мес").value == Duration(3, "m")
    assert parse("days_since_last_order > 60").value == 60
    assert parse("last_order < 2025-01-31").value == date(2025, 1, 31)
    assert parse("last_order < 31.01.2025").value == date(2025, 1, 31)
    assert parse("last_order < '31.01.2025'").value == date(2025, 1, 31)  # text: parsed as a date
    assert parse("discount_share > 50%").value == 0.5
    assert parse("revenue > 1500.5").value == 1500.5
    assert parse("revenue > -1").value == -1
    # calendar months: six months before 31 August is the last day of February
    assert Duration(6, "m").before(date(2025, 8, 31)) == date(2025, 2, 28)
    assert Duration(1, "y").before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert Duration(2, "w").days_back(AS_OF) == 14


def test_russian_fields_keywords_values_and_quotes():
    node = parse("город = «Казань» и заказы >= 3 или не есть_email")
    assert node == Or(
        (
            And((c("city", "=", "казань", 0), c("orders", ">=", 3, 19))),
            Not(c("has_email", "=", True, 38)),
        )
    )
    assert parse("CITY = 'X' AND Orders > 1") == And((c("city", "=", "x"), c("orders", ">", 1, 15)))
    assert parse("пол = 'Ж'") == c("gender", "=", "f")
    assert parse("категории содержит 'Обувь'") == c("categories", "contains", "обувь")
    assert parse("город в ('Москва', 'Тула')") == c("city", "in", ("москва", "тула"))
    assert parse("name = 'O''Brien'").value == "o'brien"
    assert parse(r"name = 'O\'Brien'").value == "o'brien"
    assert parse("channel = 'Авито'").field == "source"  # an alias of the same field
    assert fields_used(parse("orders > 1 and (city = 'x' or not vip)")) == {"orders", "city", "vip"}


def test_typographic_single_and_low_quotes_delimit_text():
    # ‘…’ (a Mac or Word autocorrect) and „…“ (Russian typography) were "unexpected character".
    assert parse("город = ‘Москва’") == c("city", "=", "москва")
    assert parse("город = „Москва“") == c("city", "=", "москва")


def test_a_closed_set_field_refuses_a_value_it_never_holds():
    # A typo in a stage used to match nobody, silently (and != matched everybody).
    for text in ("lifecycle = 'slepping'", "stage != 'VIP'", "abc in ('A', 'D')", "xyz = 'W'"):
        with pytest.raises(FilterError, match="is one of"):
            parse(text)
    assert parse("lifecycle = 'Sleeping'") == c("lifecycle", "=", "sleeping")
    assert parse("стадия = 'спящий'") == c("lifecycle", "=", "sleeping")
    assert parse("стадия в ('новый', 'потерян')") == c("lifecycle", "in", ("new", "lost"))
    assert parse("warmth = 'тёплый'") == c("warmth", "=", "warm")
    assert parse("abc in ('a', 'B')") == c("abc", "in", ("a", "b"))
    assert parse("xyz = '-'") == c("xyz", "=", "-")
    assert parse("lifecycle contains 'e'").value == "e"  # a substring is not a stage
    assert parse("lifecycle = null").value is NULL


def test_every_field_is_described():
    rows = describe_fields()
    assert [r["field"] for r in rows] == list(FIELDS)
    for f in ("orders", "revenue", "avg_check", "first_order", "last_order", "discount_share",
              "days_since_last_order", "categories", "abc", "xyz", "rfm_segment", "lifecycle",
              "ltv", "birthday_in_days", "created", "has_phone", "has_email", "consent", "tags",
              "manager", "gender", "company", "source", "name", "city"):  # fmt: skip
        assert f in FIELDS


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("orders >= 3 and ordrs > 2", 17, "unknown field 'ordrs' (did you mean orders?)"),
        ("orders >", 9, "expected a value after >, found the end"),
        ("orders > 1 and", 15, "the expression ends too early"),
        ("(orders > 1", 12, "expected ) to close the ( at position 1"),
        ("orders > 1)", 11, "this ) closes nothing"),
        ("1 < orders < 5", 1, "expected a field name"),
        ("orders > 1 < 5", 12, "one comparison at a time"),
        ("orders", 1, "orders needs a comparison"),
        ("orders > 'x'", 10, "orders compares with a number, not the text 'x'"),
        ("city = Казань", 8, "expected a value"),
        ("city > 30d", 8, "city compares with text, not the age 30d"),
        ("last_order > 5", 14, "a date ('2025-01-31') or an age"),
        ("last_order > '32.13.2025'", 14, "is not a date"),
        ("tags = 'vip'", 6, "'=' does not apply to tags"),
        ("has_email > 1", 11, "'>' does not apply to has_email"),
        ("has_email = null", 11, "has_email is never empty"),
        ("orders < null", 8, "only = null and != null"),
        ("orders in 3", 11, "expected a list in parentheses"),
        ("orders in (1 2)", 14, "expected , or )"),
        ("city in ('a', null)", 15, "null cannot be in a list"),
        ("last_order < 30x", 16, "unknown unit 'x'"),
        ("last_order < 1.5m", 14, "a whole number"),
        ("last_order < 999999y", 14, "too far back"),
        ("days_since_last_order > 1.5", 25, "a whole number of days"),
        ("city = 'Казань", 8, "has no closing '"),
        ("", 1, "empty"),
        ("has_email has_phone", 11, "expected and / or"),
        ("city = 'a' and", 15, "ends too early"),
        ("orders is 3", 11, "expected null after is"),
    ],
)
def test_bad_expressions_point_at_the_place(text, position, words):
    with pytest.raises(FilterError) as info:
        parse(text)
    err = info.value
    assert err.exit_code == 2
    assert err.position == position, str(err)
    assert words in err.message, err.message
    assert err.message.startswith(f'filter "{text}", at position {position}: ')
    assert "\n" not in str(err)
    assert err.caret.splitlines()[1] == " " * (position - 1) + "^"


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch /tmp/clientbase-pwned')",
        "name = '' or 1=1 --",
        "name = 'x'; drop table customers",
        "name = 'x' -- comment",
        "name.lower() = 'x'",
        "city.__class__ = 'x'",
        "len(name) > 3",
        "city('x')",
        "lambda: 1",
        "(lambda x: x)(1)",
        "name = f'{1}'",
        "(x := 1)",
        "[x for x in orders]",
        "orders > 1 if True else 0",
        "orders[0] = 1",
        "orders > 1 /* */",
        "name = `x`",
        "name = 'a' || 'b'",
        "orders > 0x10",
        "orders > 1e400",
        "orders > 99999999999999999999",
        "name = 'x' union select * from customers",
        "city = 'x'\x00",
        "eval('1')",
        "__builtins__",
        "name = " + "'" + "x" * 600 + "'",
        "orders > 1 and " * 150 + "orders > 1",
        "(" * 60 + "vip" + ")" * 60,
        "not " * 60 + "vip",
        "id = 1 or " * 210 + "id = 1",
        "city in (" + ", ".join(["'a'"] * 1200) + ")",
    ],
)
def test_hostile_input_is_refused(text, tmp_path):
    with pytest.raises(FilterError):
        parse(text)
    assert not (tmp_path / "pwned").exists()


def test_long_input_is_refused_before_parsing():
    with pytest.raises(FilterError) as info:
        parse("vip or " * 400 + "vip")
    assert "longer than 2000 characters" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "name = 'x''; drop table customers; --'",
        "city in ('Москва''); DELETE FROM customers; --', 'x')",
        "name contains '%'' OR 1=1 --'",
        "tags contains 'vip'') OR 1=1 --'",
        "categories in ('a''; update orders set amount=0; --')",
        'manager = \'__import__("os").system("true")\'',
    ],
)
def test_text_never_reaches_the_sql(text):
    node = parse(text)
    sql = str(
        select(FACTS.c.id).where(to_sql(node, FACTS, as_of=AS_OF)).compile(dialect=sqlite.dialect())
    ).lower()
    for word in ("drop", "delete", "update orders", "1=1", "__import__", "москва", "union"):
        assert word not in sql
    assert "?" in sql or "postcompile" in sql  # the values are parameters


# --- what the operators select -------------------------------------------------------------------


@pytest.fixture
def facts(new_db):
    """A database with four customers and their hand-written facts in the FACTS temp table."""
    engine = open_database(resolve_db(new_db("f")))
    now = datetime(2025, 1, 1)
    people = [
        dict(id=1, name="Иванов Иван", city="Казань", gender="m", orders=5, revenue=50000.0,
             avg_check=10000.0, last_order=datetime(2026, 3, 1, 15, 30), has_email=1, abc="A",
             discount_share=0.8, created=datetime(2025, 1, 1)),
        dict(id=2, name="Петрова Мария", city="Москва", gender="f", orders=1, revenue=1000.0,
             avg_check=1000.0, last_order=datetime(2025, 12, 1), has_email=0, abc="C",
             discount_share=0.0, created=datetime(2025, 11, 20)),
        dict(id=3, name="ООО Ромашка", city=None, gender=None, orders=0, revenue=0.0,
             avg_check=None, last_order=None, has_email=1, abc=None, discount_share=None,
             created=datetime(2026, 3, 9)),
        dict(id=4, name="Сидоров 100%_off", city="казань", gender="m", orders=3,
             revenue=9000.5, avg_check=3000.17, last_order=datetime(2026, 2, 8), has_email=0,
             abc="B", discount_share=0.5, created=datetime(2024, 3, 10)),
    ]  # fmt: skip
    with engine.connect() as conn:
        for p in people:
            conn.execute(insert(customers).values(id=p["id"], display_name=p["name"],
                                                  created_at=now, updated_at=now))  # fmt: skip
        conn.execute(insert(tags).values(id=1, name="VIP"))
        conn.execute(insert(tags).values(id=2, name="опт"))
        conn.execute(insert(customer_tags), [{"customer_id": 1, "tag_id": 1},
                                             {"customer_id": 2, "tag_id": 2},
                                             {"customer_id": 4, "tag_id": 1}])  # fmt: skip
        conn.execute(insert(orders), [
            {"customer_id": 1, "ordered_at": now, "amount": 1.0, "category": "Обувь", "status": None,
             "created_at": now},
            {"customer_id": 2, "ordered_at": now, "amount": 1.0, "category": "Сумки", "status": None,
             "created_at": now},
            {"customer_id": 4, "ordered_at": now, "amount": 1.0, "category": "обувь",
             "status": "cancelled", "created_at": now},
        ])  # fmt: skip
        FACTS.create(conn)
        conn.execute(insert(FACTS), people)

        def run(text: str) -> list[int]:
            q = select(FACTS.c.id).where(to_sql(parse(text), FACTS, as_of=AS_OF))
            return sorted(conn.execute(q.order_by(FACTS.c.id)).scalars())

        yield run
        conn.rollback()


def test_text_operators(facts):
    assert facts("city = 'Казань'") == [1, 4]  # without regard to case
    assert facts("city == 'КАЗАНЬ'") == [1, 4]
    assert facts("city != 'Казань'") == [2, 3]  # the customer without a city is "not Казань"
    assert facts("not city = 'Казань'") == [2, 3]
    assert facts("city in ('Москва', 'Тула')") == [2]
    assert facts("city not in ('Москва', 'Тула')") == [1, 3, 4]
    assert facts("name contains 'РОВ'") == [2, 4]
    assert facts("name not contains 'ров'") == [1, 3]
    assert facts("name contains '%'") == [4]  # % and _ are characters, not wildcards
    assert facts("name contains '_'") == [4]
    assert facts("city < 'л'") == [1, 4]
    assert facts("city >= 'л'") == [2]
    assert facts("city = null") == [3]
    assert facts("city != null") == [1, 2, 4]
    assert facts("gender = 'ж'") == [2]


def test_number_operators(facts):
    assert facts("orders = 3") == [4]
    assert facts("orders != 3") == [1, 2, 3]
    assert facts("orders > 3") == [1]
    assert facts("orders >= 3") == [1, 4]
    assert facts("orders < 3") == [2, 3]
    assert facts("orders <= 1") == [2, 3]
    assert facts("orders in (0, 1)") == [2, 3]
    assert facts("orders not in (0, 1)") == [1, 4]
    assert facts("revenue > 9000.4") == [1, 4]
    assert facts("avg_check < 5000") == [2, 4]  # no orders: no average, not "less than"
    assert facts("not avg_check >= 5000") == [2, 3, 4]  # … but not outside "not" either
    assert facts("discount_share >= 50%") == [1, 4]
    assert facts("id in (2, 4, 99)") == [2, 4]


def test_bool_and_logic(facts):
    assert facts("has_email") == [1, 3]
    assert facts("not has_email") == [2, 4]
    assert facts("has_email = false") == [2, 4]
    assert facts("has_email != true") == [2, 4]
    assert facts("city = 'Москва' or city = 'Казань' and orders > 3") == [1, 2]
    assert facts("(city = 'Москва' or city = 'Казань') and orders > 3") == [1]
    assert facts("not (has_email or orders > 3)") == [2, 4]


def test_dates_and_relative_dates(facts):
    # AS_OF 2026-03-10: customer 1 bought 9 days before, 4 exactly 30, 2 on 2025-12-01 (99 days)
    assert facts("last_order < 30d") == [1]
    assert facts("last_order <= 30d") == [1, 4]
    assert facts("last_order > 30d") == [2]
    assert facts("last_order >= 30d") == [2, 4]
    assert facts("last_order = 30d") == [4]
    assert facts("last_order != 30d") == [1, 2, 3]
    assert facts("last_order > 3m") == [2]  # more than three months ago: before 2025-12-10
    assert facts("last_order < 1w") == []
    assert facts("last_order < 2w") == [1]
    assert facts("days_since_last_order > 60") == [2]
    assert facts("days_since_last_order = 30") == [4]
    assert facts("days_since_last_order <= 9") == [1]
    assert facts("days_since_last_order < 9") == []
    assert facts("days_since_last_order > 2m") == [2]
    assert facts("not days_since_last_order > 60") == [1, 3, 4]
    assert facts("last_order < '2026-01-01'") == [2]
    assert facts("last_order = 2026-03-01") == [1]  # the whole day, whatever the hour
    assert facts("last_order <= 2026-03-01") == [1, 2, 4]
    assert facts("last_order > 2026-03-01") == []
    assert facts("last_order >= 01.03.2026") == [1]
    assert facts("last_order != 2026-03-01") == [2, 3, 4]
    assert facts("last_order = null") == [3]
    assert facts("created > 1y") == [1, 4]  # added more than a year ago
    assert facts("created >= 2y") == [4]  # 2024-03-10 is exactly two years back
    assert facts("created > 2y") == []
    assert facts("created < 1d") == []
    assert facts("created <= 1d") == [3]


def test_sets(facts):
    assert facts("tags contains 'vip'") == [1, 4]  # the tag is VIP: case does not matter
    assert facts("tags not contains 'vip'") == [2, 3]
    assert facts("tags in ('опт', 'нет такого')") == [2]
    assert facts("tags not in ('опт', 'vip')") == [3]
    assert facts("tags = null") == [3]
    assert facts("tags != null") == [1, 2, 4]
    # categories of live orders only: customer 4's shoes were cancelled
    assert facts("categories contains 'обувь'") == [1]
    assert facts("categories in ('Сумки', 'Обувь')") == [1, 2]


def test_abc_and_classes_fields(facts):
    assert facts("abc = 'A'") == [1]
    assert facts("abc in ('a', 'b')") == [1, 4]
    assert facts("abc <= 'B'") == [1, 4]
    assert facts("abc = null") == [3]


def test_a_hostile_value_is_just_a_value(facts, tmp_path):
    assert facts("name = 'x''; drop table customers; --'") == []
    assert facts('name contains \'__import__("os").system("touch x")\'') == []
    assert facts("name = '' or name != ''") == [1, 2, 3, 4]
    # the tables are still there
    assert facts("tags contains 'vip'") == [1, 4]


def test_the_temp_table_is_not_in_the_schema(new_db):
    engine = open_database(resolve_db(new_db("g")))
    assert "customer_facts" not in inspect(engine).get_table_names()


def test_own_text_columns_compare_the_same_by_their_spellings(cli, tmp_path, monkeypatch):
    """On SQLite an exact comparison of a customer's own text column reads the column's
    spellings first (segments.cache.with_own_spellings): the same customers as the case-blind
    comparison, which a column with too many values keeps."""
    from clientbase.segments import cache
    from clientbase.services.segments import matching_ids

    path = tmp_path / "cities.csv"
    path.write_text(
        "ФИО;Телефон;Город;Источник\n"
        "Иванов Иван;+7 916 123-45-67;Москва;Авито\n"
        "Петров Пётр;+7 916 123-45-68;москва;авито\n"
        "Сидоров Сидор;+7 916 123-45-69;МОСКВА;\n"
        "Орлова Ольга;+7 916 123-45-70;Казань;2ГИС\n"
        "Зайцев Олег;+7 916 123-45-71;;Авито\n",
        encoding="utf-8",
    )
    cli("import", str(path), expect=None)
    engine = cli.engine()
    exprs = ("city = 'Москва'", "city != 'москва'", "city in ('казань', 'москва')",
             "not city in ('Казань')", "source = 'АВИТО' and city = 'москва'", "city = 'Тула'",
             "name = 'орлова ольга'", "city not in ('москва')")  # fmt: skip
    found = {e: matching_ids(engine, where=e) for e in exprs}
    monkeypatch.setattr(cache, "SPELLINGS_MAX", 0)  # every column "too many": lower()
    assert {e: matching_ids(engine, where=e) for e in exprs} == found
    assert [len(found[e]) for e in exprs] == [3, 2, 4, 4, 2, 0, 1, 2]
