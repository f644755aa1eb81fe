"""Merging customers: each survivorship rule, what moves, consent, undo, history, import undo."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import Cli
from sqlalchemy import insert, select

from clientbase.db.engine import make_engine, write_transaction
from clientbase.db.migrate import ensure_schema
from clientbase.db.models import (
    Base,
    consents,
    contact_points,
    customer_tags,
    customers,
    dedupe_candidates,
    import_rows,
    imports,
    interactions,
    merges,
    orders,
    tags,
)
from clientbase.dedupe.merge import MergeRequest, history, merge, merge_many, undo
from clientbase.errors import ClientbaseError, NotFoundError, UsageError

T0 = datetime(2024, 1, 10, 9, 30)


@pytest.fixture
def engine(new_db):
    e = make_engine(Cli(new_db("merge")).url)
    ensure_schema(e, None)
    return e


def add(conn, cid, name, *, days=0, **fields):
    """A customer created (and last updated) ``days`` after T0."""
    at = T0 + timedelta(days=days)
    values = {"id": cid, "display_name": name, "created_at": at, "updated_at": at, **fields}
    conn.execute(insert(customers).values(**values))


def point(conn, pid, cid, kind, value, **fields):
    values = {"id": pid, "customer_id": cid, "kind": kind, "value_raw": value, "value": value,
              "created_at": T0, **fields}  # fmt: skip
    conn.execute(insert(contact_points).values(**values))


def row(engine, cid):
    with engine.connect() as conn:
        return conn.execute(select(customers).where(customers.c.id == cid)).one()


def dump(engine) -> dict:
    """Every row of every table but ``merges`` (which records the merge and its undo)."""
    out = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name != "merges":
                out[t.name] = conn.execute(select(t).order_by(*t.primary_key.columns)).all()
    return out


def do_merge(engine, ids, **kw):
    with write_transaction(engine) as conn:
        return merge(conn, ids, **kw)


def do_undo(engine, merge_id):
    with write_transaction(engine) as conn:
        return undo(conn, merge_id)


# -- survivorship -----------------------------------------------------------------------------
def test_the_oldest_survives_and_the_fullest_name_wins(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Саша Иванова", first_name="Саша", last_name="Иванова", gender="f")
        add(conn, 2, "Иванова Александра Петровна", days=5, last_name="Иванова",
            first_name="Александра", middle_name="Петровна", gender="f")  # fmt: skip
        add(conn, 3, "Иванова А.", days=9, last_name="Иванова", first_name="А.")
    mid = do_merge(engine, [3, 2, 1])
    s = row(engine, 1)
    assert (s.display_name, s.first_name, s.middle_name, s.status) == (
        "Иванова Александра Петровна", "Александра", "Петровна", "active")  # fmt: skip
    for cid in (2, 3):
        assert (row(engine, cid).merged_into_id, row(engine, cid).status) == (1, "merged")
    with engine.connect() as conn:
        [h] = history(conn)
    assert (h["id"], h["survivor"], h["merged"], h["name"]) == (
        mid, 1, [2, 3], "Иванова Александра Петровна")  # fmt: skip


def test_a_full_first_name_beats_a_diminutive_of_the_same_fullness(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Саша Иванова", first_name="Саша", last_name="Иванова", gender="f")
        add(conn, 2, "Александра Иванова", days=1, first_name="Александра", last_name="Иванова")
    do_merge(engine, [1, 2])
    assert row(engine, 1).first_name == "Александра"
    assert row(engine, 1).gender == "f"  # the value beats the empty one


def test_a_value_beats_an_empty_one_and_the_newer_value_wins(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Иван Петров", city="Москва", position="менеджер", postcode="101000",
            updated_at=T0 + timedelta(days=30))  # fmt: skip
        add(conn, 2, "Иван Петров", days=1, city="Казань", company="ООО Ромашка",
            updated_at=T0 + timedelta(days=60))  # fmt: skip
        add(conn, 3, "Иван Петров", days=2, city=None, manager="Оля",
            updated_at=T0 + timedelta(days=90))  # fmt: skip
    do_merge(engine, [1, 2, 3])
    s = row(engine, 1)
    # City: the newest record that has one (3 has none). Company, manager: the only values.
    # Position and postcode: nobody newer knows better, the survivor's stay.
    assert (s.city, s.company, s.manager, s.position, s.postcode) == (
        "Казань", "ООО Ромашка", "Оля", "менеджер", "101000")  # fmt: skip


def test_the_complete_birthday_wins_and_raw_text_only_without_a_date(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Анна", birth_month=7, birth_day=12)
        add(conn, 2, "Анна", days=1, birth_year=1985, birth_month=7, birth_day=12)
        add(conn, 3, "Мария", birthday_raw="весной")
        add(conn, 4, "Мария", days=1)
        add(conn, 5, "Ольга", birthday_raw="не помню")
        add(conn, 6, "Ольга", days=1, birth_month=3, birth_day=2)
    do_merge(engine, [1, 2])
    do_merge(engine, [3, 4])
    do_merge(engine, [5, 6])
    s = row(engine, 1)
    assert (s.birth_year, s.birth_month, s.birth_day) == (1985, 7, 12)
    assert row(engine, 3).birthday_raw == "весной"
    s = row(engine, 5)
    assert (s.birth_month, s.birth_day, s.birthday_raw) == (3, 2, None)


def test_the_earliest_source_client_code_and_creation_date_stay(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Пётр", source="Авито", note="любит синий")
        add(conn, 2, "Пётр", days=3, source="Instagram", external_id="К-7", note="VIP")
    do_merge(engine, [1, 2], survivor=2)  # the newer record chosen as survivor by hand
    s = row(engine, 2)
    assert (s.source, s.external_id, s.created_at) == ("Авито", "К-7", T0)
    assert s.note == "VIP\nлюбит синий"
    assert row(engine, 1).merged_into_id == 2


def test_someone_archived_stays_archived(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Пётр")
        add(conn, 2, "Пётр", days=1, status="archived")
    do_merge(engine, [1, 2])
    assert row(engine, 1).status == "archived"


# -- what moves -------------------------------------------------------------------------------
def test_points_orders_interactions_tags_and_provenance_move_to_the_survivor(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Анна")
        add(conn, 2, "Анна", days=1)
        point(conn, 10, 1, "phone", "+79161234567")
        point(conn, 20, 2, "phone", "+79031234567")
        point(conn, 21, 2, "email", "anna@mail.ru")
        conn.execute(insert(imports).values(id=1, file_name="a.csv", sha256="x", format="csv",
                                            kind="contacts", started_at=T0))  # fmt: skip
        conn.execute(insert(import_rows), [
            {"id": 1, "import_id": 1, "row_number": 2, "raw": "{}", "outcome": "created",
             "customer_id": 1},
            {"id": 2, "import_id": 1, "row_number": 3, "raw": "{}", "outcome": "created",
             "customer_id": 2},
        ])  # fmt: skip
        conn.execute(insert(orders).values(id=5, customer_id=2, ordered_at=T0, amount=100.0,
                                           created_at=T0))  # fmt: skip
        conn.execute(insert(interactions).values(id=7, customer_id=2, kind="note",
                                                 occurred_at=T0, created_at=T0, note="звонила"))  # fmt: skip
        conn.execute(insert(tags), [{"id": 1, "name": "vip"}, {"id": 2, "name": "опт"}])
        conn.execute(insert(customer_tags), [
            {"customer_id": 1, "tag_id": 1}, {"customer_id": 2, "tag_id": 1},
            {"customer_id": 2, "tag_id": 2, "import_id": 1},
        ])  # fmt: skip
    do_merge(engine, [1, 2])
    with engine.connect() as conn:
        owners = dict(conn.execute(select(contact_points.c.id, contact_points.c.customer_id)).all())
        assert owners == {10: 1, 20: 1, 21: 1}
        assert conn.execute(select(orders.c.customer_id)).scalar_one() == 1
        assert conn.execute(select(interactions.c.customer_id)).scalar_one() == 1
        assert conn.execute(select(import_rows.c.customer_id)).scalars().all() == [1, 1]
        assert sorted(conn.execute(select(customer_tags.c.customer_id, customer_tags.c.tag_id))) == [
            (1, 1), (1, 2)]  # fmt: skip


def test_the_same_phone_twice_keeps_one_point_and_both_consent_histories(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "Анна")
        add(conn, 2, "Анна", days=1)
        point(conn, 10, 1, "phone", "+79161234567", value_raw="8 916 123-45-67",
              consent="granted", consent_at=T0)  # fmt: skip
        point(conn, 20, 2, "phone", "+79161234567", value_raw="+7 916 1234567",
              consent="withdrawn", consent_at=T0 + timedelta(days=5))  # fmt: skip
        point(conn, 30, 2, "email", "anna@mail.ru", consent="granted")
        conn.execute(insert(consents), [
            {"id": 1, "contact_point_id": 10, "channel": "sms", "status": "granted", "at": T0},
            {"id": 2, "contact_point_id": 20, "channel": "sms", "status": "withdrawn",
             "at": T0 + timedelta(days=5)},
            {"id": 3, "contact_point_id": 20, "channel": "calls", "status": "withdrawn",
             "at": T0 + timedelta(days=1)},
        ])  # fmt: skip
    do_merge(engine, [1, 2])
    with engine.connect() as conn:
        pts = conn.execute(
            select(contact_points.c.id, contact_points.c.customer_id, contact_points.c.consent)
            .order_by(contact_points.c.id)
        ).all()  # fmt: skip
        assert pts == [(10, 1, "withdrawn"), (30, 1, "granted")]  # every value kept, once
        from clientbase.services.consent import channel_states

        states = channel_states(conn, [10])[10]
    assert (states["sms"]["status"], states["calls"]["status"]) == ("withdrawn", "withdrawn")


@pytest.mark.parametrize(
    ("kept", "dropped", "expected"),
    [
        (("granted", None), ("withdrawn", None), "withdrawn"),  # undated: withdrawal wins
        (("withdrawn", None), ("granted", None), "withdrawn"),
        (("withdrawn", 1), ("granted", 9), "granted"),  # a later grant is the later decision
        (("granted", 9), ("withdrawn", 1), "granted"),
        (("unknown", None), ("withdrawn", 1), "withdrawn"),
        (("withdrawn", 1), ("unknown", None), "withdrawn"),
    ],
)
def test_general_consent_of_a_folded_point(engine, kept, dropped, expected):
    def at(day):
        return None if day is None else T0 + timedelta(days=day)

    with write_transaction(engine) as conn:
        add(conn, 1, "Анна")
        add(conn, 2, "Анна", days=1)
        point(conn, 10, 1, "email", "a@x.ru", consent=kept[0], consent_at=at(kept[1]))
        point(conn, 20, 2, "email", "a@x.ru", consent=dropped[0], consent_at=at(dropped[1]))
    do_merge(engine, [1, 2])
    with engine.connect() as conn:
        assert conn.execute(select(contact_points.c.consent)).scalars().all() == [expected]


def test_merge_many_merges_groups_each_undoable_alone(engine):
    with write_transaction(engine) as conn:
        for cid in range(1, 7):
            add(conn, cid, f"Клиент {cid}", days=cid)
            point(conn, cid, cid, "phone", f"+7916000000{cid}")
    before = dump(engine)
    with write_transaction(engine) as conn:
        ids = merge_many(conn, [MergeRequest([1, 2], 0.95, ["a"]), MergeRequest([3, 4, 5])])
    assert [row(engine, i).merged_into_id for i in range(1, 7)] == [None, 1, None, 3, 3, None]
    do_undo(engine, ids[1])
    assert [row(engine, i).merged_into_id for i in range(1, 7)] == [None, 1, None, None, None, None]
    do_undo(engine, ids[0])
    assert dump(engine) == before


# -- undo -------------------------------------------------------------------------------------
def _rich_base(engine):
    """Two records of one person touching every table a merge changes."""
    with write_transaction(engine) as conn:
        conn.execute(insert(imports).values(id=1, file_name="a.csv", sha256="x", format="csv",
                                            kind="contacts", started_at=T0))  # fmt: skip
        add(conn, 1, "Саша Иванова", first_name="Саша", last_name="Иванова", city="Москва",
            birth_month=3, birth_day=2, created_import_id=1, note="первая")  # fmt: skip
        add(conn, 2, "Иванова Александра Петровна", days=3, last_name="Иванова",
            first_name="Александра", middle_name="Петровна", city="Тверь", birth_year=1985,
            birth_month=3, birth_day=2, source="Авито", updated_at=T0 + timedelta(days=40))  # fmt: skip
        add(conn, 3, "Другой человек", days=4)
        point(conn, 10, 1, "phone", "+79161234567", import_id=1)
        point(conn, 11, 1, "email", "sasha@mail.ru", consent="granted", consent_at=T0)
        point(conn, 20, 2, "email", "sasha@mail.ru", value_raw="Sasha@Mail.ru",
              consent="withdrawn", consent_at=T0 + timedelta(days=2))  # fmt: skip
        point(conn, 21, 2, "phone", "+79031112233", label="work")
        point(conn, 22, 2, "phone", None, value_raw="123", valid=False, invalid_reason="short")
        conn.execute(insert(consents), [
            {"id": 1, "contact_point_id": 20, "channel": "email", "status": "withdrawn",
             "at": T0 + timedelta(days=2), "source": "отписка"},
            {"id": 2, "contact_point_id": 11, "channel": "email", "status": "granted", "at": T0,
             "source": None},
        ])  # fmt: skip
        conn.execute(insert(import_rows), [
            {"id": 1, "import_id": 1, "row_number": 2, "raw": "{}", "outcome": "created",
             "customer_id": 1},
            {"id": 2, "import_id": 1, "row_number": 3, "raw": "{}", "outcome": "created",
             "customer_id": 2},
        ])  # fmt: skip
        conn.execute(insert(orders), [
            {"id": 1, "customer_id": 2, "ordered_at": T0, "amount": 990.0, "created_at": T0},
            {"id": 2, "customer_id": 1, "ordered_at": T0, "amount": 10.0, "created_at": T0},
        ])  # fmt: skip
        conn.execute(insert(interactions).values(id=1, customer_id=2, kind="call",
                                                 occurred_at=T0, created_at=T0))  # fmt: skip
        conn.execute(insert(tags), [{"id": 1, "name": "vip"}, {"id": 2, "name": "опт"}])
        conn.execute(insert(customer_tags), [
            {"customer_id": 1, "tag_id": 1, "import_id": 1},
            {"customer_id": 2, "tag_id": 1, "import_id": None},
            {"customer_id": 2, "tag_id": 2, "import_id": None},
        ])  # fmt: skip
        conn.execute(insert(dedupe_candidates), [
            {"id": 1, "a_id": 1, "b_id": 2, "score": 0.95, "reasons": ["x"], "status": "pending",
             "found_at": T0},
            {"id": 2, "a_id": 2, "b_id": 3, "score": 0.7, "reasons": ["y"], "status": "pending",
             "found_at": T0},
        ])  # fmt: skip


def test_undo_restores_every_row_exactly(engine):
    _rich_base(engine)
    before = dump(engine)
    mid = do_merge(engine, [1, 2], score=0.95, reasons=["same email sasha@mail.ru"])
    after = dump(engine)
    assert after != before
    with engine.connect() as conn:
        cand = dict(conn.execute(select(dedupe_candidates.c.id, dedupe_candidates.c.status)).all())
    assert cand == {1: "merged", 2: "pending"}  # only the pair inside the merge
    r = do_undo(engine, mid)
    assert (r.survivor_id, r.restored_ids, r.kept_fields) == (1, [2], [])
    assert dump(engine) == before
    with engine.connect() as conn:
        [h] = history(conn)
    assert h["undone_at"] is not None and h["score"] == 0.95
    with pytest.raises(ClientbaseError, match="undone already"):
        do_undo(engine, mid)


def test_undo_keeps_a_field_changed_after_the_merge(engine):
    _rich_base(engine)
    mid = do_merge(engine, [1, 2])
    assert row(engine, 1).city == "Тверь"  # the newer record's city
    with write_transaction(engine) as conn:
        conn.execute(customers.update().where(customers.c.id == 1).values(city="Сочи"))
    r = do_undo(engine, mid)
    assert r.kept_fields == ["city"]
    s = row(engine, 1)
    assert (s.city, s.first_name) == ("Сочи", "Саша")


def test_undo_is_refused_while_a_later_merge_builds_on_it(engine):
    _rich_base(engine)
    first = do_merge(engine, [1, 2])
    second = do_merge(engine, [1, 3])
    with pytest.raises(ClientbaseError) as exc:
        do_undo(engine, first)
    assert f"undo merge {second} first" in str(exc.value)
    # The survivor merged away in its turn also blocks it.
    do_undo(engine, second)
    with write_transaction(engine) as conn:
        add(conn, 4, "Самый старый", days=-5)
    third = do_merge(engine, [1, 4])
    assert row(engine, 1).merged_into_id == 4
    with pytest.raises(ClientbaseError, match=f"undo merge {third} first"):
        do_undo(engine, first)
    do_undo(engine, third)
    do_undo(engine, first)
    assert row(engine, 2).merged_into_id is None


def test_merge_refuses_what_cannot_be_merged(engine):
    with write_transaction(engine) as conn:
        add(conn, 1, "А")
        add(conn, 2, "Б")
        add(conn, 3, "В", status="erased")
    with pytest.raises(NotFoundError, match="no customer 9"):
        do_merge(engine, [1, 9])
    with pytest.raises(UsageError, match="at least two"):
        do_merge(engine, [1, 1])
    with pytest.raises(UsageError, match="survivor 3 is not one of 1, 2"):
        do_merge(engine, [1, 2], survivor=3)
    with pytest.raises(ClientbaseError, match="customer 3 was erased"):
        do_merge(engine, [1, 3])
    do_merge(engine, [1, 2])
    with pytest.raises(ClientbaseError, match="customer 2 was merged into customer 1 already"):
        do_merge(engine, [2, 3])
    with pytest.raises(NotFoundError, match="no merge 42"):
        do_undo(engine, 42)
    with engine.connect() as conn:
        assert conn.execute(select(merges.c.id)).scalars().all() == [1]
