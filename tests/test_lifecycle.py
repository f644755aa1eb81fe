"""Lifecycle stages and tags: each rule on a small base with answers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from clientbase.config import resolve_db
from clientbase.db.engine import open_database, write_transaction
from clientbase.db.models import customers, interactions, orders
from clientbase.errors import UsageError
from clientbase.segments.facts import materialised
from clientbase.segments.lifecycle import (
    DEFAULTS,
    LifecycleSettings,
    cutoffs,
    parse_setting,
    settings_from,
    stage,
    tags,
    vip_cutoff,
)
from clientbase.services.contacts import iter_contacts
from clientbase.services.segments import (
    list_settings,
    matching_ids,
    set_setting,
    unset_setting,
)

AS_OF = date(2026, 3, 10)
T0 = datetime(2024, 1, 1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def ago(days: int) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=days), datetime.min.time()) + timedelta(hours=12)


def add(conn, name, *, orders_=(), calls=(), status="active") -> int:
    """A customer with orders (day, amount[, discount[, status]]) and interactions
    (day, kind, direction, outcome)."""
    cid = conn.execute(
        insert(customers).values(display_name=name, status=status, created_at=T0, updated_at=T0)
    ).inserted_primary_key[0]
    for o in orders_:
        day, amount, disc, st = (*o, None, None)[:4]
        conn.execute(insert(orders).values(customer_id=cid, ordered_at=day, amount=amount,
                                           discount=disc, status=st, created_at=T0))  # fmt: skip
    for day, kind, direction, outcome in calls:
        conn.execute(insert(interactions).values(customer_id=cid, kind=kind, direction=direction,
                                                 outcome=outcome, occurred_at=day,
                                                 created_at=T0))  # fmt: skip
    return cid


@pytest.fixture
def engine(new_db):
    return open_database(resolve_db(new_db("l")))


# --- stages --------------------------------------------------------------------------------------


@pytest.fixture
def stages(engine):
    """name -> id of a base where every stage (and every way of reaching it) occurs once."""
    old = at("2024-06-01")
    people = {
        "lead": dict(),
        "lead, a call does not make a buyer": dict(calls=[(ago(2), "call", "in", "answered")]),
        "lead, only a cancelled order": dict(orders_=[(ago(5), 100.0, None, "cancelled")]),
        "lead, the order comes after as_of": dict(orders_=[(ago(-20), 100.0)]),
        "new": dict(orders_=[(ago(54), 100.0)]),
        "new, first order 90 days ago": dict(orders_=[(ago(90), 100.0), (ago(3), 50.0)]),
        "active, first order 91 days ago": dict(orders_=[(ago(91), 100.0), (ago(3), 50.0)]),
        "active": dict(orders_=[(old, 100.0), (ago(37), 100.0)]),
        "active, 90 days": dict(orders_=[(old, 100.0), (ago(90), 100.0)]),
        "sleeping hot, 91 days": dict(orders_=[(old, 100.0), (ago(91), 100.0)]),
        "sleeping hot": dict(orders_=[(old, 100.0), (ago(182), 100.0)]),
        "sleeping warm": dict(orders_=[(old, 100.0), (ago(183), 100.0)]),
        "sleeping warm, 273 days": dict(orders_=[(old, 100.0), (ago(273), 100.0)]),
        "sleeping cold": dict(orders_=[(old, 100.0), (ago(274), 100.0)]),
        "sleeping cold, 365 days": dict(orders_=[(old, 100.0), (ago(365), 100.0)]),
        "lost, 366 days": dict(orders_=[(old, 100.0), (ago(366), 100.0)]),
        "lost": dict(orders_=[(old, 100.0)]),
        "active, a recent call": dict(orders_=[(old, 100.0)],
                                      calls=[(ago(10), "call", "out", "answered")]),
        "active, a missed call from them": dict(orders_=[(old, 100.0)],
                                                calls=[(ago(10), "call", "in", "missed")]),
        "active, a note": dict(orders_=[(old, 100.0)], calls=[(ago(10), "note", None, None)]),
        "sleeping hot, a meeting 100 days ago": dict(orders_=[(old, 100.0)],
                                                 calls=[(ago(100), "meeting", None, None)]),
        "lost, our unanswered call": dict(orders_=[(old, 100.0)],
                                          calls=[(ago(10), "call", "out", "failed")]),
        "lost, a reminder is no contact": dict(orders_=[(old, 100.0)],
                                               calls=[(ago(10), "reminder", None, None)]),
    }  # fmt: skip
    with write_transaction(engine) as conn:
        return {name: add(conn, name, **spec) for name, spec in people.items()}


def test_every_stage_on_a_known_base(engine, stages):
    listed = {c["name"]: (c["lifecycle"], c["warmth"]) for c in iter_contacts(engine, as_of=AS_OF)}
    for name, got in listed.items():
        want = name.split(",")[0].split()
        assert got == (want[0], want[1] if len(want) > 1 else None), name
    # The filter language sees the same stages.
    for st in ("lead", "new", "active", "sleeping", "lost"):
        ids = matching_ids(engine, where=f"lifecycle = '{st}'", as_of=AS_OF)
        assert ids == sorted(i for n, i in stages.items() if n.startswith(st)), st
    hot = matching_ids(engine, where="lifecycle = 'sleeping' and warmth = 'hot'", as_of=AS_OF)
    assert hot == sorted(
        stages[n]
        for n in ("sleeping hot, 91 days", "sleeping hot", "sleeping hot, a meeting 100 days ago")
    )
    assert matching_ids(engine, where="warmth = 'cold'", as_of=AS_OF) == sorted(
        stages[n] for n in ("sleeping cold", "sleeping cold, 365 days")
    )


def test_settings_change_the_stages(engine, stages):
    set_setting(engine, "sleeping_days", "30")
    set_setting(engine, "new_days", "30")
    sleeping = set(matching_ids(engine, where="lifecycle = 'sleeping'", as_of=AS_OF))
    assert stages["active"] in sleeping  # 37 days without an order
    assert stages["active, a recent call"] not in sleeping  # 10 days since the call
    assert stages["new"] in sleeping  # first and only order 54 days ago: no longer new either
    # thirds of 30..365: hot up to 142 days, warm up to 253, cold up to 365
    assert matching_ids(engine, where="warmth = 'hot'", as_of=AS_OF) == sorted(
        stages[n] for n in ("active", "active, 90 days", "sleeping hot, 91 days", "new",
                            "sleeping hot, a meeting 100 days ago")
    )  # fmt: skip
    set_setting(engine, "lost_days", "100")
    lost = set(matching_ids(engine, where="lifecycle = 'lost'", as_of=AS_OF))
    assert (
        stages["sleeping hot"] in lost
        and stages["sleeping hot, a meeting 100 days ago"] not in lost
    )
    unset_setting(engine, "lost_days")
    unset_setting(engine, "sleeping_days")
    unset_setting(engine, "new_days")
    assert matching_ids(engine, where="lifecycle = 'new'", as_of=AS_OF) == sorted(
        stages[n] for n in ("new", "new, first order 90 days ago")
    )


def test_sql_and_python_rules_agree(engine, stages):
    s = LifecycleSettings(sleeping_days=45, lost_days=200, new_days=60)
    fields = {"lifecycle", "warmth", "orders", "first_order", "last_order", "last_contact"}
    with engine.connect() as conn, materialised(conn, fields=fields, as_of=AS_OF, settings=s) as f:
        rows = conn.execute(select(f)).all()
    assert len(rows) == len(stages)
    for r in rows:
        want = stage(orders=r.orders, first_order=r.first_order, last_order=r.last_order,
                     last_contact=r.last_contact, as_of=AS_OF, settings=s)  # fmt: skip
        assert (r.lifecycle, r.warmth) == want, r.name


def test_stage_boundaries_in_python():
    def st(first_days, last_days, contact_days=None, n=2, **kw):
        return stage(orders=n, first_order=ago(first_days), last_order=ago(last_days),
                     last_contact=None if contact_days is None else ago(contact_days),
                     as_of=AS_OF, settings=LifecycleSettings(**kw))  # fmt: skip

    assert stage(orders=0, first_order=None, last_order=None, last_contact=ago(1), as_of=AS_OF) == (
        "lead",
        None,
    )
    assert st(90, 10) == ("new", None)
    assert st(91, 10) == ("active", None)
    assert st(400, 90) == ("active", None)
    assert st(400, 91) == ("sleeping", "hot")
    assert st(400, 182) == ("sleeping", "hot")
    assert st(400, 183) == ("sleeping", "warm")
    assert st(400, 273) == ("sleeping", "warm")
    assert st(400, 274) == ("sleeping", "cold")
    assert st(400, 365) == ("sleeping", "cold")
    assert st(400, 366) == ("lost", None)
    assert st(400, 366, contact_days=5) == ("active", None)
    assert st(400, 366, contact_days=100) == ("sleeping", "hot")
    assert st(400, 31, sleeping_days=30) == ("sleeping", "hot")
    c = cutoffs(AS_OF, DEFAULTS)
    assert (c.hot_days, c.warm_days) == (182, 273)
    assert c.loyal_since == datetime(2025, 3, 11)
    assert c.end == datetime(2026, 3, 11)


# --- tags ----------------------------------------------------------------------------------------


@pytest.fixture
def tagged(engine):
    d = at
    people = {
        "Кит": [(d("2026-01-10"), 1_000_000.0), (d("2026-02-10"), 10_000.0)],
        "Старый богач": [(d("2024-05-01"), 500_000.0)],
        "Разовый": [(d("2025-06-01"), 1000.0)],
        "Новичок": [(d("2026-02-20"), 2000.0)],
        "Скидочник": [(d("2025-09-01"), 1000.0, 100.0), (d("2025-10-01"), 1000.0, 50.0),
                      (d("2025-11-01"), 1000.0)],
        "Половинка": [(d("2025-10-01"), 1000.0, 10.0), (d("2025-11-01"), 1000.0, 0.0)],
        "Лояльный": [(d("2025-03-11"), 1000.0), (d("2025-08-01"), 1000.0),
                     (d("2026-01-01"), 1000.0)],
        "Почти лояльный": [(d("2025-03-10"), 1000.0), (d("2025-08-01"), 1000.0),
                           (d("2026-01-01"), 1000.0)],
        "Лид": [],
    }  # fmt: skip
    with write_transaction(engine) as conn:
        ids = {name: add(conn, name, orders_=o) for name, o in people.items()}

    def who(expr: str) -> set[str]:
        got = set(matching_ids(engine, where=expr, as_of=AS_OF))
        return {n for n, i in ids.items() if i in got}

    return who


def test_every_tag_on_a_known_base(tagged):
    # ABC of 2025-03-01 .. 2026-02-20 (the card's window): Кит alone has 98.6 % of the revenue.
    assert tagged("abc = 'A'") == {"Кит"}
    assert tagged("abc = null") == {"Старый богач", "Лид"}  # no order in the window
    # top 5 % of 8 buyers = 1 buyer: Кит again
    assert tagged("vip") == {"Кит"}
    assert tagged("one_time_buyer") == {"Старый богач", "Разовый"}  # Новичок is still new
    assert tagged("discount_seeker") == {"Скидочник"}  # Половинка: half is not most
    assert tagged("loyal") == {"Скидочник", "Лояльный"}  # 2025-03-10 is outside the 12 months
    assert tagged("orders_12m >= 3") == {"Скидочник", "Лояльный"}
    assert tagged("not vip and not one_time_buyer and not loyal and not discount_seeker") == {
        "Новичок", "Половинка", "Почти лояльный", "Лид"
    }  # fmt: skip


def test_settings_change_the_tags(engine, tagged):
    set_setting(engine, "vip_top_percent", "25")  # 2 of 8 buyers
    assert tagged("vip") == {"Кит", "Старый богач"}
    set_setting(engine, "new_days", "10")
    assert tagged("one_time_buyer") == {"Старый богач", "Разовый", "Новичок"}
    set_setting(engine, "discount_seeker_share", "40%")
    assert tagged("discount_seeker") == {"Скидочник", "Половинка"}
    set_setting(engine, "loyal_orders", "2")
    assert tagged("loyal") == {"Кит", "Скидочник", "Половинка", "Лояльный", "Почти лояльный"}
    set_setting(engine, "loyal_months", "6")  # since 2025-09-11
    assert tagged("loyal") == {"Кит", "Скидочник", "Половинка"}
    rows = {r.key: r.to_dict() for r in list_settings(engine)}
    assert rows["loyal_months"]["value"] == 6 and rows["loyal_months"]["set"] is True
    assert rows["lost_days"] == {"key": "lost_days", "value": 365, "default": 365, "set": False,
                                 "meaning": rows["lost_days"]["meaning"]}  # fmt: skip


def test_tags_in_python():
    def t(**kw):
        base = dict(orders=2, revenue=100.0, abc="C", discount_orders=0, recent_orders=0,
                    first_order=ago(400), vip_revenue=1000.0, as_of=AS_OF)  # fmt: skip
        return tags(**(base | kw))

    assert t() == []
    assert t(abc="A") == ["vip"]
    assert t(revenue=1000.0) == ["vip"]
    assert t(revenue=1000.0, vip_revenue=None) == []
    assert t(orders=1) == ["one_time_buyer"]
    assert t(orders=1, first_order=ago(90)) == []
    assert t(discount_orders=2) == ["discount_seeker"]
    assert t(discount_orders=1) == []
    assert t(orders=1, discount_orders=1) == ["one_time_buyer"]  # one order is not a habit
    assert t(recent_orders=3) == ["loyal"]
    assert vip_cutoff([10.0, 50.0, 0.0, 30.0, 20.0]) == 50.0
    assert vip_cutoff([10.0, 50.0, 30.0], LifecycleSettings(vip_top_percent=50)) == 30.0
    assert vip_cutoff([0.0, -5.0]) is None


# --- settings ------------------------------------------------------------------------------------


def test_setting_values_are_checked():
    assert parse_setting("sleeping_days", " 60 ") == 60
    assert parse_setting("vip_top_percent", "2,5%") == 2.5
    for key, value, words in [
        ("sleeping_dayz", "60", "unknown setting 'sleeping_dayz'"),
        ("sleeping_days", "abc", "is not a whole number"),
        ("sleeping_days", "1.5", "is not a whole number"),
        ("sleeping_days", "0", "between 1 and 3650"),
        ("vip_top_percent", "120", "between 0 and 100"),
        ("reactivation_factor", "nan", "is not a number"),
    ]:
        with pytest.raises(UsageError) as info:
            parse_setting(key, value)
        assert words in str(info.value)
        assert info.value.exit_code == 2
    with pytest.raises(UsageError) as info:
        parse_setting("x", "1")
    assert "sleeping_days" in str(info.value)  # the allowed keys are listed
    with pytest.raises(UsageError, match="must be less than lost_days"):
        settings_from({"sleeping_days": "400"})
    assert settings_from({"lost_days": "500", "other feature": "x"}).lost_days == 500


def test_a_bad_combination_is_not_stored(engine):
    with pytest.raises(UsageError, match="must be less than lost_days"):
        set_setting(engine, "sleeping_days", "365")
    assert {r.key: r.value for r in list_settings(engine)}["sleeping_days"] == 90
    set_setting(engine, "lost_days", "1000")
    set_setting(engine, "sleeping_days", "365")
    with pytest.raises(UsageError, match="must be less than lost_days"):
        unset_setting(engine, "lost_days")  # back to 365 would break sleeping_days 365
