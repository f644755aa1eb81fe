"""The Fellegi–Sunter model: comparison levels, learning from the base and from decisions."""

from __future__ import annotations

import random

import numpy as np

from clientbase.dedupe.cluster import MODEL_MIN_PEOPLE, match
from clientbase.dedupe.keys import features
from clientbase.dedupe.levels import FIELDS, compare
from clientbase.dedupe.model import fit, level_matrix, mismatched
from clientbase.dedupe.person import Person

SURNAMES = ["Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков",
            "Морозов", "Волков", "Алексеев", "Зайцев", "Павлов", "Семёнов", "Голубев"]  # fmt: skip
FIRST = ["Иван", "Пётр", "Олег", "Денис", "Артём", "Максим", "Сергей", "Андрей", "Павел"]
CITIES = ["Москва", "Казань", "Самара", "Тверь", "Пермь"]


def _levels(a: Person, b: Person) -> dict[str, int]:
    return dict(zip(FIELDS, compare(features(a), features(b)), strict=True))


def test_birthday_levels_read_typos_and_swaps():
    base = Person(1, last_name="Смирнова", first_name="Анна", birth_year=1985, birth_month=3,
                  birth_day=12)  # fmt: skip
    same = Person(2, last_name="Smirnowa", first_name="Anna", birth_year=1985, birth_month=3,
                  birth_day=12)  # fmt: skip
    digit = Person(3, last_name="Смирнова", first_name="Аня", birth_year=1985, birth_month=3,
                   birth_day=13)  # fmt: skip
    swapped = Person(4, last_name="Смирнова", first_name="Анна", birth_year=1985, birth_month=12,
                     birth_day=3)  # fmt: skip
    assert _levels(base, same)["birthday"] == 1
    assert _levels(base, digit)["birthday"] == 4
    assert _levels(base, swapped)["birthday"] == 3
    assert _levels(base, same)["surname"] == 1  # Smirnowa is Смирнова in the common form
    assert _levels(base, digit)["first name"] == 2  # Аня is a diminutive of Анна


def test_email_levels_and_missing_fields_weigh_nothing():
    a = Person(1, last_name="Петров", emails=("ivan.petrov85@mail.ru",))
    b = Person(2, last_name="Петров", emails=("ivan_petrov85@gmail.com",))
    c = Person(3, last_name="Петров", emails=("ivanpetrov@gmail.com",))
    d = Person(4, last_name="Петров", emails=("ivanpetrov@yandex.ru",))
    assert _levels(a, b)["email"] == 2  # the same name part with digits
    assert _levels(c, d)["email"] == 3  # letters only: mostly the name again
    assert _levels(a, Person(5, last_name="Петров"))["email"] == 0


def _base(n: int, seed: int = 3) -> tuple[list[Person], set[tuple[int, int]]]:
    """People, a third of them typed twice (a typo'd birthday digit, a diminutive), and the
    true pairs."""
    rng = random.Random(seed)
    people, pairs = [], set()
    pid = 0
    while len(people) < n:
        pid += 1
        y, m, d = rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29)
        p = Person(pid, last_name=rng.choice(SURNAMES), first_name=rng.choice(FIRST),
                   birth_year=y, birth_month=m, birth_day=d, city=rng.choice(CITIES),
                   phones=(f"+7916{rng.randrange(10**7):07d}",))  # fmt: skip
        people.append(p)
        if rng.random() < 0.33:
            pid += 1
            q = Person(pid, last_name=p.last_name, first_name=p.first_name, birth_year=y,
                       birth_month=m, birth_day=d % 9 + 1 if d < 10 else d,
                       city=p.city if rng.random() < 0.5 else None,
                       phones=(f"+7926{rng.randrange(10**7):07d}",))  # fmt: skip
            people.append(q)
            pairs.add((p.id, q.id))
    return people, pairs


def test_the_model_learns_from_the_base_and_explains_each_pair_with_weights():
    people, truth = _base(MODEL_MIN_PEOPLE + 200)
    found = match(people, min_score=0.5)
    assert found.model is not None and found.model.pairs > 0
    kept = {(m.a, m.b) for m in found.matches if m.score >= 0.9}
    assert len(kept & truth) >= 0.8 * len(truth)
    m = next(x for x in found.matches if (x.a, x.b) in truth)
    assert any(r.startswith("surname same: ") and r[-4:-3] in "+-" for r in m.reasons)
    assert all(r.rsplit(" ", 1)[1][0] in "+-" for r in m.reasons)  # each with its weight


def test_decisions_teach_m():
    people, _ = _base(MODEL_MIN_PEOPLE + 200)
    feats = [features(p) for p in people]
    X = level_matrix(feats, [(i, i + 1) for i in range(len(feats) - 1)])
    k = FIELDS.index("birthday")
    plain = fit(feats, X)
    # People confirmed as one although their birthdays are a digit apart.
    row = [0] * len(FIELDS)
    row[FIELDS.index("surname")] = 1
    row[k] = 4
    taught = fit(feats, X, labels=[(row, True)] * 20)
    assert taught.m[k][4] > plain.m[k][4]
    assert taught.labels == 20 and np.isclose(sum(taught.m[k][1:]), 1.0)


def test_a_surname_with_a_typo_before_initials_is_read_as_the_surname():
    # The name parser cannot know "Сеорва" and reads it as a first name with the surname "А.".
    typo = features(Person(1, last_name="А.", first_name="Сеорва", middle_name="Ю."))
    assert (typo.last, typo.first.key, typo.first.initial) == ("seorva", "a", True)
    full = Person(2, last_name="Серова", first_name="Анна", middle_name="Юрьевна")
    levels = _levels(Person(1, last_name="А.", first_name="Сеорва", middle_name="Ю."), full)
    assert (levels["surname"], levels["first name"], levels["patronymic"]) == (2, 5, 3)
    # A known first name with an initial after it stays as it was typed ("Анна К.").
    anna = features(Person(3, last_name="К.", first_name="Анна"))
    assert (anna.last, anna.first.raw) == ("k", "Анна")


def test_the_same_client_code_outranks_a_name_clash():
    a = Person(1, last_name="Brookhouse", first_name="Matthew", external_id="6804612",
               birth_year=1910, birth_month=11, birth_day=15)  # fmt: skip
    b = Person(2, last_name="Brookouse", first_name="Elizabeth", external_id="6804612",
               birth_year=1910, birth_month=11, birth_day=15)  # fmt: skip
    c = Person(3, last_name="Brookouse", first_name="Elizabeth", external_id="6804613",
               birth_year=1910, birth_month=11, birth_day=15)  # fmt: skip
    X = level_matrix([features(p) for p in (a, b, c)], [(0, 1), (0, 2)])
    assert X[0, FIELDS.index("first name")] == X[1, FIELDS.index("first name")] == 7  # a clash
    assert mismatched(X).tolist() == [False, True]
