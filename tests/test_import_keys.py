"""The base's keys are read once per run of many files, and topped up with what changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from clientbase.db.models import contact_points, customers
from clientbase.importers import basekeys as basekeys_module
from clientbase.importers.basekeys import BaseKeys
from clientbase.importers.keyindex import key_hash
from tests.conftest import write


def _owners(known: BaseKeys, kind: str, value: str) -> set[int]:
    return known.index.owners([key_hash(kind, value)])


def test_a_folder_reads_the_whole_base_once(cli, tmp_path, monkeypatch):
    seed = write(
        tmp_path / "seed.csv",
        "ФИО;Телефон\n" + "".join(f"Клиент {i};+7916{i:07d}\n" for i in range(300)),
    )
    cli("import", seed, expect=0)
    # Stamped an hour ago: a top-up re-reads what changed since the last read, to the second,
    # and this run must not look as if it had changed the base itself.
    engine = cli.engine()
    with engine.begin() as conn:
        conn.execute(update(customers).values(updated_at=datetime.now() - timedelta(hours=1)))
    engine.dispose()
    folder = tmp_path / "lists"
    folder.mkdir()
    for n in range(4):
        # each file brings one new person and one repeat of a person already in the base
        write(
            folder / f"{n}.csv",
            f"ФИО;Телефон\nНовый {n};+7903{n:07d}\nКлиент {n};8 916 000-00-0{n}\n",
        )
    calls = []
    real_stream = basekeys_module.stream

    def counting_stream(conn, query, size=20_000):
        rows = list(real_stream(conn, query, size))
        calls.append(len(rows))
        return rows

    monkeypatch.setattr(basekeys_module, "stream", counting_stream)
    out = cli.json("import", folder, "--no-dedupe")
    assert [f["created"] for f in out["files"]] == [1, 1, 1, 1]
    # "8 916 000-00-0N" is +7916000000N: the repeats fold into the people already in the base
    assert out["created"] == 4 and out["unchanged"] + out["updated"] == 4
    # The 300 phones of the base are read for the first file only; later files read only what
    # the files before them added (they know it already: at most a few rows).
    assert sum(calls) < 300 + 3 * 10, calls


def test_a_top_up_finds_new_rows_and_moved_contacts(cli, tmp_path):
    cli("import", write(tmp_path / "a.csv", "ФИО;Телефон\nИван Петров;+79161112233\n"))
    engine = cli.engine()
    known = BaseKeys()
    with engine.begin() as conn:
        known.refresh(conn)
        known.written(conn)
    (ivan,) = _owners(known, "phone", "+79161112233")

    # Another command adds a customer, and a merge moves Ivan's phone to someone else.
    cli("import", write(tmp_path / "b.csv", "ФИО;Телефон\nМария Сидорова;+79035556677\n"))
    with engine.begin() as conn:
        maria = conn.execute(
            customers.select().where(customers.c.display_name.like("%Мария%"))
        ).one()
        later = datetime.now() + timedelta(seconds=2)
        conn.execute(
            update(contact_points)
            .where(contact_points.c.customer_id == ivan)
            .values(customer_id=maria.id)
        )
        conn.execute(update(customers).where(customers.c.id == maria.id).values(updated_at=later))
    with engine.begin() as conn:
        known.refresh(conn)
    assert _owners(known, "phone", "+79035556677") == {maria.id}
    assert maria.id in _owners(known, "phone", "+79161112233")
    engine.dispose()
