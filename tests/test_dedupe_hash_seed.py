"""A dedupe run gives the same result whatever Python's string hash seed is.

Python hashes strings with a seed chosen at start-up (``PYTHONHASHSEED``), so anything that
walks a set or keys on ``hash`` of a string can change from one run to the next: which block a
rare hash collision joins, which of two equal links clustering takes first, how EM starts.
The base here is big enough for the learned model (over 500 customers) and full of ties:
records repeated word for word, relatives of one first name on one phone, namesakes.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

from conftest import write

SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
            "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев")  # fmt: skip
MEN = ("Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Иван", "Михаил", "Евгений")
WOMEN = ("Елена", "Ольга", "Наталья", "Анна", "Мария", "Ирина", "Татьяна", "Светлана")
SHORT = {"Александр": "Саша", "Сергей": "Серёжа", "Дмитрий": "Дима", "Иван": "Ваня",
         "Елена": "Лена", "Ольга": "Оля", "Анна": "Аня", "Мария": "Маша"}  # fmt: skip
FATHERS = ("Иванов", "Петров", "Сергеев", "Андреев", "Николаев", "Алексеев")
CITIES = ("Москва", "Казань", "Тверь", "Самара", "г. Москва", "Санкт-Петербург")


def _person(rng: random.Random, phone: str | None = None, first: str | None = None) -> dict:
    male = rng.random() < 0.5 if first is None else first in MEN
    last = rng.choice(SURNAMES) + ("" if male else "а")
    first = first or rng.choice(MEN if male else WOMEN)
    father = rng.choice(FATHERS)
    middle = father + ("ич" if male else "на")
    return {
        "last": last, "first": first, "middle": middle, "city": rng.choice(CITIES),
        "phone": phone or f"+7 9{rng.randrange(10, 99)} {rng.randrange(100, 999)}-"
                          f"{rng.randrange(10, 99)}-{rng.randrange(10, 99)}",
        "email": f"{first[:3]}{rng.randrange(100, 999)}@mail.ru" if rng.random() < 0.4 else "",
        "bday": f"{rng.randrange(1, 28):02d}.{rng.randrange(1, 12):02d}.{rng.randrange(1950, 2005)}",
    }  # fmt: skip


def _row(rng: random.Random, p: dict, repeat: bool) -> str:
    first = p["first"]
    if repeat and first in SHORT and rng.random() < 0.3:
        first = SHORT[first]
    name = rng.choice(
        (f"{p['last']} {first} {p['middle']}", f"{p['last']} {first}", f"{first} {p['last']}")
    )
    phone = p["phone"] if not repeat or rng.random() < 0.7 else ""
    if phone and rng.random() < 0.5:
        phone = "8" + phone[2:].replace(" ", "").replace("-", "")
    bday = p["bday"] if rng.random() < 0.5 else ""
    city = p["city"] if rng.random() < 0.7 else ""
    return f"{name};{phone};{p['email'] if rng.random() < 0.7 else ''};{bday};{city}\n"


def _list(n_people: int, seed: int) -> str:
    rng = random.Random(seed)
    rows = []
    for _ in range(n_people):
        p = _person(rng)
        rows.append(_row(rng, p, False))
        for _ in range(rng.choice((0, 0, 1, 2))):
            rows.append(_row(rng, p, True))
        if rng.random() < 0.1:  # a relative of the same first name on the same phone
            rel = _person(rng, phone=p["phone"], first=p["first"])
            rel["last"] = p["last"]
            rows += [_row(rng, rel, False), _row(rng, rel, True)]
        if rng.random() < 0.05:  # the same record again, word for word
            rows.append(rows[-1])
    rng.shuffle(rows)
    return "ФИО;Телефон;E-mail;Дата рождения;Город\n" + "".join(rows)


def _dedupe(db: str, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    r = subprocess.run(
        [sys.executable, "-m", "clientbase", "--db", db, "-q", "dedupe", "--dry-run",
         "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_two_hash_seeds_find_the_same_groups_with_the_same_reasons(cli, tmp_path):
    cli("import", write(tmp_path / "list.csv", _list(700, seed=5)), "--no-dedupe", expect=None)
    assert len(cli.contacts()) > 500  # the learned model, not the hand-set weights
    one, two = _dedupe(str(cli.db), "1"), _dedupe(str(cli.db), "2")
    assert '"auto": [{' in one.replace("\n", "").replace("  ", "")  # something to compare
    assert one == two
