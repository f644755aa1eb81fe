"""Segments through the CLI: --where/--segment on contacts list, saved segments and their sizes,
settings, birthdays, reactivation and tags in bulk."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select

from clientbase.db import facts_cache
from clientbase.db.engine import write_transaction
from clientbase.db.models import (
    contact_points,
    customer_tags,
    customers,
    metric_snapshots,
    orders,
    segments,
    tags,
)

TODAY = date.today()
T0 = datetime(2024, 1, 1)


def ago(days: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), time(12))


def add(conn, name, *, orders_=(), status="active", city=None, phone=None, birthday=None) -> int:
    y, m, d = birthday or (None, None, None)
    cid = conn.execute(
        insert(customers).values(display_name=name, city=city, status=status, birth_year=y,
                                 birth_month=m, birth_day=d, created_at=T0, updated_at=T0)
    ).inserted_primary_key[0]  # fmt: skip
    for day, amount in orders_:
        conn.execute(insert(orders).values(customer_id=cid, ordered_at=day, amount=amount,
                                           created_at=T0))  # fmt: skip
    if phone:
        conn.execute(insert(contact_points).values(customer_id=cid, kind="phone", value_raw=phone,
                                                   value=phone, created_at=T0))  # fmt: skip
    return cid


@pytest.fixture
def shop(cli):
    """Six customers around Казань; ids by a short key."""
    cli("db", "upgrade")
    three_old = [(ago(200), 1000.0), (ago(150), 1000.0), (ago(100), 1000.0)]
    with write_transaction(cli.engine()) as conn:
        return {
            "kazan": add(conn, "Иванов Иван", city="Казань", orders_=three_old,
                         phone="+79161234567"),
            "recent": add(conn, "Петров Пётр", city="Казань",
                          orders_=[(ago(120), 10.0), (ago(30), 10.0), (ago(10), 10.0)]),
            "few": add(conn, "Сидорова Анна", city="казань", orders_=[(ago(100), 500.0)]),
            "moscow": add(conn, "Смирнов Олег", city="Москва", orders_=three_old),
            "lead": add(conn, "Новикова Ольга", city="Казань", phone="+79031234567"),
            "archived": add(conn, "Архипов Архип", city="Казань", orders_=three_old,
                            status="archived"),
        }  # fmt: skip


KAZAN = "orders >= 3 and days_since_last_order > 60 and city = 'Казань'"


def ids(rows) -> list[int]:
    return [r["id"] for r in rows]


def test_contacts_list_where_and_segment(cli, shop):
    rows = cli.json("contacts", "list", "--where", KAZAN)
    assert ids(rows) == [shop["kazan"]]  # the archived one is left out
    assert rows[0]["lifecycle"] == "sleeping" and rows[0]["warmth"] == "hot"
    assert rows[0]["phones"] == ["+79161234567"]
    # archived customers come back when the expression asks about status
    assert ids(cli.json("contacts", "list", "--where", "status = 'archived'")) == [shop["archived"]]
    assert ids(cli.json("contacts", "list", "--where", "city = 'КАЗАНЬ' and not has_phone")) == [
        shop["recent"], shop["few"]
    ]  # fmt: skip
    assert ids(cli.json("contacts", "list", "-w", "lifecycle = 'lead'")) == [shop["lead"]]
    assert ids(cli.json("contacts", "list", "--where", "город = 'Казань'", "--limit", "2")) == [
        shop["kazan"], shop["recent"]
    ]  # fmt: skip
    both = cli.json("contacts", "list", "--where", "orders >= 1", "--search", "Смирнов")
    assert ids(both) == [shop["moscow"]]
    assert cli.json("contacts", "list", "--where", "orders > 100") == []
    # every listed contact has its stage, also without a filter
    stages = {r["id"]: r["lifecycle"] for r in cli.contacts()}
    assert stages == {shop["kazan"]: "sleeping", shop["recent"]: "active", shop["few"]: "sleeping",
                      shop["moscow"]: "sleeping", shop["lead"]: "lead",
                      shop["archived"]: "sleeping"}  # fmt: skip
    out = cli("contacts", "list", "--where", KAZAN, "--format", "csv").stdout.splitlines()
    assert out[0].endswith(",tags,lifecycle") and out[1].endswith(",sleeping")
    cli("segment", "create", "kazan", "--where", KAZAN)
    assert ids(cli.json("contacts", "list", "--segment", "kazan")) == [shop["kazan"]]


def test_bad_filters_are_one_line_usage_errors(cli, shop):
    r = cli("contacts", "list", "--where", "orders >= 3 and ordrs > 2", expect=2)
    assert r.stderr == (
        'clientbase: error: filter "orders >= 3 and ordrs > 2", at position 17: unknown field '
        "'ordrs' (did you mean orders?) (see: clientbase segment fields)\n"
    )
    assert r.stdout == ""
    for bad in ("orders >", "name = 'x'; drop table customers", "__import__('os')", "city = x"):
        r = cli("contacts", "list", "--where", bad, expect=2)
        assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("clientbase: error: filter")
    r = cli("contacts", "list", "--where", "orders > 1", "--segment", "x", expect=2)
    assert "either --where EXPR or --segment NAME" in r.stderr
    r = cli("contacts", "list", "--segment", "nope", expect=1)
    assert r.stderr.startswith("clientbase: error: there is no segment 'nope'")
    r = cli("segment", "create", "bad", "--where", "orders >> 1", expect=2)
    assert "at position 9" in r.stderr
    assert cli.json("segment", "list") == []  # nothing was saved
    assert len(cli.contacts()) == 6  # and the base is intact


def test_segment_create_list_show_delete(cli, shop):
    r = cli("segment", "create", "kazan", "--where", KAZAN, "--description", "позвонить")
    assert r.stdout == "segment kazan saved: 1 customer\n"
    cli("segment", "create", "лиды", "--where", "lifecycle = 'lead'")
    r = cli("segment", "create", "kazan", "--where", "orders > 0", expect=2)
    assert "there is already a segment 'kazan'" in r.stderr
    listed = cli.json("segment", "list")
    assert [(s["name"], s["size"], s["previous_size"], s["change"]) for s in listed] == [
        ("kazan", 1, 1, 0),
        ("лиды", 1, 1, 0),
    ]
    assert listed[0]["description"] == "позвонить" and listed[0]["expression"] == KAZAN
    # Петров stops buying for a while: his orders move 70 days back, into the segment.
    with write_transaction(cli.engine()) as conn:
        conn.execute(
            orders.update().where(orders.c.customer_id == shop["recent"]).values(ordered_at=ago(70))
        )
        add(conn, "Лидов Лид")
        facts_cache.invalidate(conn)  # a change behind clientbase's back says so itself
    listed = cli.json("segment", "list", "--no-record")
    assert [(s["name"], s["size"], s["change"]) for s in listed] == [
        ("kazan", 2, 1),
        ("лиды", 2, 1),
    ]
    table = cli("segment", "list").stdout
    assert "+1" in table and "kazan" in table
    assert [s["change"] for s in cli.json("segment", "list", "--no-record")] == [0, 0]
    with cli.engine().connect() as conn:
        snaps = conn.execute(select(metric_snapshots.c.kind, metric_snapshots.c.data)).all()
        assert [s.data for s in snaps] == [{"kazan": 1, "лиды": 1}, {"kazan": 2, "лиды": 2}]
        assert {s.kind for s in snaps} == {"segments"}
        assert conn.execute(select(segments.c.last_size)).scalars().all() == [2, 2]
    assert ids(cli.json("segment", "show", "kazan")) == [shop["kazan"], shop["recent"]]
    shown = cli("segment", "show", "kazan")
    assert "kazan: 2 customers" in shown.stdout and "Петров Пётр" in shown.stdout
    assert "позвонить" in shown.stderr
    assert cli("segment", "show", "kazan", "--format", "csv").stdout.count("\n") == 3
    r = cli("segment", "create", "kazan", "--where", "orders >= 1", "--replace")
    assert r.stdout == "segment kazan changed: 4 customers\n"
    cli("segment", "delete", "kazan")
    assert [s["name"] for s in cli.json("segment", "list")] == ["лиды"]
    assert "there is no segment 'kazan'" in cli("segment", "show", "kazan", expect=1).stderr
    assert "there is no segment" in cli("segment", "delete", "kazan", expect=1).stderr
    fields = {f["field"]: f for f in cli.json("segment", "fields")}
    assert fields["days_since_last_order"]["type"].startswith("days")
    assert "город" in fields["city"]["aliases"]
    assert "Operators:" in cli("segment", "fields").stdout


def test_settings(cli, shop):
    before = {r["id"]: r["lifecycle"] for r in cli.contacts()}
    assert before[shop["recent"]] == "active"
    r = cli("settings", "set", "sleeping_days", "5")
    assert r.stderr == "sleeping_days = 5\n"
    after = {r["id"]: r["lifecycle"] for r in cli.contacts()}
    assert after[shop["recent"]] == "sleeping"  # ten days without an order
    rows = {r["key"]: r for r in cli.json("settings", "list")}
    assert (rows["sleeping_days"]["value"], rows["sleeping_days"]["default"]) == (5, 90)
    r = cli("settings", "set", "sleep_days", "5", expect=2)
    assert "unknown setting 'sleep_days'" in r.stderr and "sleeping_days" in r.stderr
    assert "is not a whole number" in cli("settings", "set", "lost_days", "год", expect=2).stderr
    assert "less than lost_days" in cli("settings", "set", "sleeping_days", "400", expect=2).stderr
    cli("settings", "unset", "sleeping_days")
    assert {r["id"]: r["lifecycle"] for r in cli.contacts()} == before
    assert "unknown setting" in cli("settings", "unset", "nope", expect=2).stderr


def test_birthdays_29_february_and_no_year(cli):
    cli("db", "upgrade")
    with write_transaction(cli.engine()) as conn:
        leap = add(conn, "Високосная", birthday=(1988, 2, 29), phone="+79160000001")
        feb28 = add(conn, "Февральский", birthday=(1990, 2, 28))
        noyear = add(conn, "Без года", birthday=(None, 3, 1), phone="+79160000002")
        add(conn, "Архивная", birthday=(1970, 2, 28), status="archived")
        add(conn, "Летний", birthday=(1980, 7, 1))
        add(conn, "Без дня рождения")
    got = cli.json("birthdays", "--from", "2027-02-27", "--days", "3")
    assert [(b["id"], b["date"], b["in_days"], b["age"]) for b in got] == [
        (leap, "2027-02-28", 1, 39),  # not a leap year: 29 February is celebrated on the 28th
        (feb28, "2027-02-28", 1, 37),
        (noyear, "2027-03-01", 2, None),  # year unknown: listed, no age
    ]
    assert got[0]["birthday"] == "1988-02-29" and got[2]["birthday"] is None
    assert got[2]["month_day"] == "03-01" and got[2]["phones"] == ["+79160000002"]
    got = cli.json("birthdays", "--from", "2028-02-27", "--days", "3")
    assert [(b["id"], b["date"], b["in_days"]) for b in got] == [
        (feb28, "2028-02-28", 1),
        (leap, "2028-02-29", 2),
    ]
    got = cli.json("birthdays", "--from", "2027-02-27", "--days", "3", "--where", "has_phone")
    assert [b["id"] for b in got] == [leap, noyear]
    r = cli("birthdays", "--from", "2027-08-01", "--days", "1")
    assert r.stdout == "" and "no birthdays" in r.stderr  # nothing for cron to mail
    assert cli("-q", "birthdays", "--from", "2027-08-01", "--days", "1").stderr == ""
    assert "--from 'вчера'" in cli("birthdays", "--from", "вчера", expect=2).stderr
    cli("birthdays", "--days", "0", expect=2)
    table = cli("birthdays", "--from", "2027-02-28", "--days", "1").stdout
    assert "Високосная" in table and "Февральский" in table and "Без года" not in table


def test_reactivation_order_and_rules(cli):
    cli("db", "upgrade")
    d = datetime.fromisoformat
    with write_transaction(cli.engine()) as conn:
        big = add(conn, "Большой", orders_=[(d(f"2025-0{m}-01"), 50000.0) for m in (1, 3, 5)])
        monthly = add(
            conn, "Ежемесячный", orders_=[(d(f"2025-0{m}-05"), 1000.0) for m in range(1, 7)]
        )
        weekly = add(
            conn,
            "Еженедельный",
            orders_=[(d("2025-10-01") + timedelta(days=7 * k), 500.0) for k in range(8)],
        )
        add(
            conn,
            "Постоянный",
            orders_=[(d("2025-12-28") - timedelta(days=7 * k), 900.0) for k in range(10)],
        )  # still buying
        add(conn, "Два заказа", orders_=[(d("2024-01-01"), 9e5), (d("2024-02-01"), 9e5)])
        add(conn, "Всё в один день", orders_=[(d("2024-01-01"), 9e5)] * 3)
        add(
            conn,
            "Редкий",
            orders_=[(d("2024-01-01"), 1e5), (d("2024-07-01"), 1e5), (d("2025-01-01"), 1e5)],
        )  # 365 days silent, not > 2 x 183
        add(
            conn,
            "Архивный",
            status="archived",
            orders_=[(d(f"2025-0{m}-01"), 90000.0) for m in (1, 3, 5)],
        )
    got = cli.json("reactivation", "--as-of", "2026-01-01")
    assert [r["id"] for r in got] == [big, monthly, weekly]
    assert [r["value_at_stake"] for r in got] == [150000.0, 6000.0, 4000.0]
    b = got[0]
    assert (b["orders"], b["revenue"], b["last_order"], b["days_since_last_order"]) == (
        3, 150000.0, "2025-05-01", 245)  # fmt: skip
    assert b["usual_interval_days"] == 60.0 and b["overdue_times"] == 4.1
    assert got[2]["usual_interval_days"] == 7.0 and got[2]["days_since_last_order"] == 43
    # the same day seen from earlier: the weekly buyer was not yet overdue
    assert [r["id"] for r in cli.json("reactivation", "--as-of", "2025-12-01")] == [big, monthly]
    assert [r["id"] for r in cli.json("reactivation", "--as-of", "2026-01-01", "--limit", "1")] == [
        big
    ]
    got = cli.json("reactivation", "--as-of", "2026-01-01", "--where", "revenue < 10000")
    assert [r["id"] for r in got] == [monthly, weekly]
    cli("settings", "set", "reactivation_factor", "5")
    assert [r["id"] for r in cli.json("reactivation", "--as-of", "2026-01-01")] == [monthly, weekly]
    assert "Ежемесячный" in cli("reactivation", "--as-of", "2026-01-01").stdout


def test_tag_add_and_remove(cli, shop):
    r = cli.json("tag", "add", "Опт", "--where", "city = 'Казань'", "--dry-run")
    assert r == {"tag": "Опт", "matched": 4, "added": 4, "unchanged": 0, "dry_run": True}
    assert cli.json("contacts", "list", "--where", "tags contains 'опт'") == []
    r = cli.json("tag", "add", "Опт", "--where", "city = 'Казань'")
    assert (r["added"], r["dry_run"]) == (4, False)
    r = cli.json("tag", "add", "опт", "--where", "orders >= 3")  # the same tag, any case
    assert (r["tag"], r["matched"], r["added"], r["unchanged"]) == ("Опт", 3, 1, 2)
    tagged = cli.json("contacts", "list", "--where", "tags contains 'ОПТ'")
    assert ids(tagged) == sorted(shop[k] for k in ("kazan", "recent", "few", "moscow", "lead"))
    assert tagged[0]["tags"] == ["Опт"]
    cli("segment", "create", "leads", "--where", "lifecycle = 'lead'")
    r = cli("tag", "remove", "опт", "--segment", "leads")
    assert r.stdout == "Опт: 1 customer untagged, 0 unchanged (1 matched)\n"
    r = cli.json(
        "tag", "remove", "опт", str(shop["kazan"]), str(shop["few"]), str(shop["archived"])
    )
    assert (r["matched"], r["removed"], r["unchanged"]) == (3, 2, 1)
    assert ids(cli.json("contacts", "list", "--where", "tags contains 'опт'")) == [
        shop["recent"], shop["moscow"]
    ]  # fmt: skip
    r = cli("tag", "add", "x", "999", expect=1)
    assert "there is no customer 999" in r.stderr and "nothing was changed" in r.stderr
    assert "one way" in cli("tag", "add", "x", expect=2).stderr
    assert "one way" in cli("tag", "add", "x", "1", "--where", "vip", expect=2).stderr
    assert "tag ' '" in cli("tag", "add", " ", "1", expect=2).stderr
    assert "would be tagged" in cli("tag", "add", "new", "1", "--dry-run").stdout
    assert json.loads(cli("tag", "add", "new", "1", "-f", "json").stdout)["added"] == 1


def test_the_first_cut_changes_no_answer(cli, shop):
    """matching_ids first keeps the customers the plain terms allow (city = …); the answer must
    be the one of the whole base."""
    from clientbase.segments.facts import materialised, narrowing
    from clientbase.segments.filter import parse
    from clientbase.segments.lifecycle import DEFAULTS
    from clientbase.segments.tree import fields_used
    from clientbase.services.segments import condition, count_matching, matching_ids

    engine = cli.engine()
    with write_transaction(engine) as conn:
        conn.execute(insert(tags).values(id=1, name="опт"))
        conn.execute(insert(customer_tags).values(customer_id=shop["moscow"], tag_id=1))
    cases = {
        KAZAN: [shop["kazan"]],
        "city in ('Казань', 'Москва') and lifecycle = 'sleeping'": [
            shop["kazan"], shop["few"], shop["moscow"]],
        "name contains 'ов' and orders > 0": [shop[k] for k in ("kazan", "recent", "few",
                                                                 "moscow")],
        "city = 'Казань' and status = 'archived'": [shop["archived"]],
        "tags contains 'опт' and orders >= 3": [shop["moscow"]],
        "city = 'Казань' or tags contains 'опт'": [shop[k] for k in (
            "kazan", "recent", "few", "moscow", "lead")],
        "city != 'Москва' and orders = 0": [shop["lead"]],
    }  # fmt: skip
    for expr, want in cases.items():
        node = parse(expr)
        fields = fields_used(node) | {"status"}
        with (
            engine.connect() as conn,
            materialised(conn, fields=fields, as_of=TODAY, settings=DEFAULTS) as f,
        ):
            whole = sorted(conn.execute(select(f.c.id).where(condition(node, f, TODAY))).scalars())
        assert whole == want, expr
        assert matching_ids(engine, where=expr) == want, expr
    # Several counts over one gathering of the facts: what each expression alone gives.
    more = ["(has_phone = yes or has_email = yes) and consent = no", "consent = yes", "vip"]
    alone = [len(matching_ids(engine, where=e)) for e in [*cases, *more]]
    assert count_matching(engine, [*cases, *more]) == alone
    # Facts no day stores (contact points, consent): counted over a subquery, no table filled.
    own = [*more[:2], "has_email = yes", "city = 'Казань' or has_phone = no", "status = 'archived'"]
    assert count_matching(engine, own) == [len(matching_ids(engine, where=e)) for e in own]
    assert count_matching(engine, []) == []
    assert alone[: len(cases)] == [len(w) for w in cases.values()]
    cut = narrowing(parse("city = 'a' and orders > 1 and not vip and city != 'b' and tags = null"))
    assert cut == parse("city = 'a'")
    assert narrowing(parse("city = 'a' or orders > 1")) is None
