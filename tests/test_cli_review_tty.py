"""The interactive `dedupe review` on a real pseudo-terminal: keys in, decisions in the base."""

from __future__ import annotations

import sys

import pexpect
import pytest
from conftest import write
from sqlalchemy import select

from clientbase.db.models import customers, merges, not_duplicates

HEADER = "ФИО;Телефон;E-mail;Дата рождения;Город;Источник\n"
SHOP = HEADER + (
    "Саша Иванова;+7 916 123-45-67;sasha.ivanova@gmail.com;02.03.1985;Москва;Авито\n"
    "Петров Пётр;8 (495) 123-45-67;;;;\n"
    "Ольга Кузнецова;8 915 000-11-22;olga.k@mail.ru;12.07.1990;;\n"
)
CRM = HEADER + (
    "Иванова Александра Петровна;8 (917) 765-43-21;SashaIvanova@gmail.com;1985-03-02;Тверь;CRM\n"
    "Кузнецова Ольга;8 915 999-88-77;;12.07.1990;;CRM\n"
    "Петров Петр;8 (499) 123-45-67;;;;CRM\n"
)
SASHA, PETR, OLGA, ALEX, OLGA2, PETR2 = range(1, 7)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def _spawn(cli) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable, ["-m", "clientbase", "--db", str(cli.db), "dedupe", "review"],
        encoding="utf-8", timeout=60, dimensions=(50, 200),
        use_poll=True,  # select() fails once a long test run holds over 1,024 descriptors
    )  # fmt: skip
    return child


def _merged_into(cli) -> dict[int, int | None]:
    with cli.engine().connect() as conn:
        return dict(conn.execute(select(customers.c.id, customers.c.merged_into_id)).all())


def test_review_on_a_terminal_takes_keys_and_resumes(cli, tmp_path):
    cli("import", write(tmp_path / "shop.csv", SHOP))
    cli("import", write(tmp_path / "crm.csv", CRM))
    assert [g["ids"] for g in cli.json("dedupe", "review")] == [
        [SASHA, ALEX], [OLGA, OLGA2], [PETR, PETR2]
    ]  # fmt: skip

    child = _spawn(cli)
    child.expect(r"group 1 of 3")
    child.expect("Иванова Александра Петровна")  # side by side with Саша
    child.expect(r"\[m\] merge")
    child.send("m")
    child.expect(f"merged into {SASHA}")
    child.expect(r"group 2 of 3 \(1 decided")
    child.send("s")  # Ольга: skipped, stays pending
    child.expect(r"group 3 of 3")
    child.send("n")  # the two Petrovs are different people
    child.expect("marked: not the same")
    child.send("u")  # ... taken back
    child.expect("mark taken back")
    child.expect(r"group 3 of 3")
    child.send("n")
    child.expect("marked: not the same")
    child.expect("end of the list")
    child.send("x")
    child.expect(r"2 decided \(1 merged\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    assert _merged_into(cli)[ALEX] == SASHA
    with cli.engine().connect() as conn:
        assert conn.execute(select(not_duplicates.c.a_id, not_duplicates.c.b_id)).all() == [
            (PETR, PETR2)
        ]
    # Resumable: the next session starts with what is still pending (the skipped Ольга).
    child = _spawn(cli)
    child.expect(r"group 1 of 1")
    child.expect("Кузнецова Ольга")
    child.send("m")
    child.expect("end of the list")
    child.send("\r")
    child.expect(r"1 decided \(1 merged\)")
    child.expect(pexpect.EOF)
    child.close()
    assert _merged_into(cli)[OLGA2] == OLGA

    # Undo last reverts a merge exactly; q leaves the rest.
    cli("dedupe", "undo", 2)
    child = _spawn(cli)
    child.expect(r"group 1 of 1")
    child.send("m")
    child.expect("merged into")
    child.send("u")
    child.expect(r"merge \d+ undone")
    child.expect(r"group 1 of 1")
    child.send("q")
    child.expect(r"0 decided")
    child.expect(pexpect.EOF)
    child.close()
    assert _merged_into(cli)[OLGA2] is None
    with cli.engine().connect() as conn:
        assert conn.execute(select(merges.c.id).where(merges.c.undone_at.is_(None))).all() == [(1,)]


def test_review_without_a_terminal_prints_the_groups(cli, tmp_path):
    cli("import", write(tmp_path / "shop.csv", SHOP))
    cli("import", write(tmp_path / "crm.csv", CRM))
    r = cli("dedupe", "review")
    assert r.stdout.startswith("3 to review:")
    assert f"clientbase dedupe not-duplicate {PETR} {PETR2}" in r.stdout
