"""A record that fits two different people of one phone is not merged into either without a
person: the choice would be a coin toss."""

from __future__ import annotations

from clientbase.dedupe.cluster import clusters, match
from clientbase.dedupe.model import AUTO_PROBABILITY
from clientbase.dedupe.person import Person

PHONE = "+79161234567"


def _family(**row) -> list[Person]:
    father = Person(1, "Иванов Иван Петрович", "Иванов", "Иван", "Петрович", "m", 1960, 1, 1,
                    phones=(PHONE,), city="Москва")  # fmt: skip
    son = Person(2, "Иванов Иван Иванович", "Иванов", "Иван", "Иванович", "m", 1990, 5, 5,
                 phones=(PHONE,), city="Москва")  # fmt: skip
    row = {"id": 3, "display_name": "Иванов Иван", "last_name": "Иванов", "first_name": "Иван",
           "phones": (PHONE,), "city": "Москва", **row}  # fmt: skip
    return [father, son, Person(**row)]


def _auto(people: list[Person], hold: bool) -> list[list[int]]:
    found = match(people, min_score=0.5)
    by_id = {p.id: p for p in people}
    groups = clusters(found.matches, by_id, min_score=AUTO_PROBABILITY, conflict=found.conflict,
                      features_by_id=found.features, hold_ambiguous=hold)  # fmt: skip
    return [c.ids for c in groups]


def test_a_record_that_fits_father_and_son_alike_joins_neither():
    people = _family()
    found = match(people, min_score=0.5)
    assert {(m.a, m.b) for m in found.matches if m.score >= AUTO_PROBABILITY} == {(1, 3), (2, 3)}
    assert _auto(people, hold=True) == []
    # Without the hold the stronger (here: the first) link wins.
    assert _auto(people, hold=False) == [[1, 3]]


def test_a_clear_winner_still_merges():
    # The son's e-mail on the record: far likelier him than his father.
    people = _family(emails=("ivan.ivanov.1990@mail.ru",))
    people[1].emails = ("ivan.ivanov.1990@mail.ru",)
    assert _auto(people, hold=True) == [[2, 3]]


def test_records_that_differ_by_a_typo_without_a_shared_contact_are_not_held():
    # One person typed three times, two of the records with birthdays a typo apart and no
    # phone or e-mail in common: the record in between joins the stronger link as before.
    a = Person(1, "", "Smith", "John", None, "m", 1980, 3, 4, city="Sydney", external_id="77",
               address="5 Main St")  # fmt: skip
    b = Person(2, "", "Smith", "John", None, "m", 1980, 3, 14, city="Sydney", external_id="77",
               address="5 Main St")  # fmt: skip
    c = Person(3, "", "Smith", "John", None, "m", None, None, None, city="Sydney",
               external_id="77", address="5 Main St")  # fmt: skip
    assert _auto([a, b, c], hold=True) == _auto([a, b, c], hold=False) == [[1, 3]]
