"""The column-wise level matrix equals the pair-by-pair one, whatever the records hold."""

from __future__ import annotations

import random

import numpy as np
import pytest

from clientbase.dedupe.columns import Columns
from clientbase.dedupe.keys import features
from clientbase.dedupe.levels import FIELDS
from clientbase.dedupe.model import level_matrix
from clientbase.dedupe.person import Person

LAST = ["Смирнова", "Smirnowa", "Смирнов", "Иванов", "Ivanov", "Иванова", "И.", "Ильина",
        "Ильиан", "Щукина", "Shchukina", "Петрова-Сидорова", "Петрова", "Анна", None]  # fmt: skip
FIRST = ["Анна", "Аня", "Anna", "А.", "Иван", "Ваня", "Ivan", "И.", "Мария", "Марина", "Сеорва",
         "Smirnova", "Алиа", "Сашаа", "Александр", "Alexander", "J", None]  # fmt: skip
MIDDLE = ["Ивановна", "Ивановна", "Иванович", "Ив.", "И.", "Петрович", "Петровна", "Ivanovna",
          "Иваонвна", None]  # fmt: skip
PHONES = ["+79161234567", "+79161234568", "+77161234567", "+375291234567", "+14155550123",
          "+74952345678", "+78122345678"]  # fmt: skip
LOOSE = ["2345678", "4952345678", "123456", "1234567"]
EMAILS = ["ivan.petrov85@mail.ru", "ivan_petrov85@gmail.com", "ivanpetrov@gmail.com",
          "ivanpetrov@yandex.ru", "ivan.petrov85@mail.rv", "info@romashka.ru", "a.smirnova@bk.ru",
          "asmirnova@bk.ru", "smirnova.anna1985@list.ru"]  # fmt: skip
CITIES = ["Москва", "москва", "Масква", "Казань", "Kazan", "Санкт-Петербург", "Питер", None]
ADDRESSES = ["ул. Ленина, д. 5", "Ленина улица 5", "ул. Ленина, д. 5, офис 3", "ул. Ленна, д. 5",
             "ул. Мира, д. 5", "12 W. Main St", "12 West Main Street", None]  # fmt: skip
COMPANIES = ["ООО «Ромашка»", "Ромашка (Ленина)", "ООО «Ромашка» — филиал на Ленина",
             "Ромашкa", "АО Лютик", "ИП Петров Иван Иванович", "Ромашка Плюс", None]  # fmt: skip
BIRTHDAYS = [(1985, 3, 12), (1985, 3, 21), (1985, 12, 3), (1985, 3, 13), (1958, 3, 12),
             (1985, None, None), (1986, None, None), (1895, None, None), (None, 3, 12),
             (None, 12, 3), (None, 3, 13), (None, None, None), (985, 3, 12), (985, None, None)]  # fmt: skip


def _some(rng: random.Random, pool: list, most: int = 2) -> tuple:
    return tuple(dict.fromkeys(rng.choice(pool) for _ in range(rng.randrange(most + 1))))


def _people(n: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    out = []
    for pid in range(1, n + 1):
        y, m, d = rng.choice(BIRTHDAYS)
        kind = "company" if rng.random() < 0.15 else "person"
        company = rng.choice(COMPANIES)
        out.append(
            Person(
                pid,
                display_name=company if kind == "company" and company else "",
                last_name=None if kind == "company" else rng.choice(LAST),
                first_name=None if kind == "company" else rng.choice(FIRST),
                middle_name=None if kind == "company" else rng.choice(MIDDLE),
                gender=rng.choice(("m", "f", None)),
                birth_year=y,
                birth_month=m,
                birth_day=d,
                phones=_some(rng, PHONES),
                emails=_some(rng, EMAILS),
                loose_phones=_some(rng, LOOSE, 1) if rng.random() < 0.2 else (),
                city=rng.choice(CITIES),
                company=company,
                address=rng.choice(ADDRESSES),
                postcode=rng.choice(("420111", "420112", "421110", None)),
                external_id=rng.choice(("6804612", "6804613", "A1", "A2", None, None)),
                kind=kind,
            )
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_columns_give_the_levels_of_compare_for_every_pair(seed):
    feats = [features(p) for p in _people(90, seed)]
    i, j = np.triu_indices(len(feats), k=1)
    expected = level_matrix(feats, zip(i.tolist(), j.tolist(), strict=True))
    got = Columns(feats).levels(i, j)
    assert got.dtype == np.int8 and got.shape == expected.shape
    diff = np.flatnonzero((got != expected).any(axis=1))
    assert not len(diff), [
        (feats[i[r]].name, feats[j[r]].name, dict(zip(FIELDS, expected[r].tolist(), strict=True)),
         got[r].tolist())
        for r in diff[:3]
    ]  # fmt: skip
    # Every field is exercised beyond "missing" and "same".
    for k in range(len(FIELDS)):
        assert (expected[:, k] > 1).any(), FIELDS[k]


def test_no_pairs_give_an_empty_matrix():
    feats = [features(p) for p in _people(3, 1)]
    empty = np.zeros(0, dtype=np.int64)
    assert Columns(feats).levels(empty, empty).shape == (0, len(FIELDS))
