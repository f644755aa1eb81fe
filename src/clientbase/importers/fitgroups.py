"""The customers of one phone or e-mail filed by what tells people apart, so that a row weighs
only those it may be (``sameperson.fold_target_among``).

An office or hotline number can have thousands of customers, each a different person, and every
row on it is weighed against them in the order the index gives them. A row can only be a
customer of a first name that may fit its own, of no birthday or the row's day and month, and of
no patronymic or one with the row's first letter: the rules of ``sameperson.same_person_possible``,
which still decides for each customer visited. Passing over the others changes nothing, so the
answer is the one weighing them all gives.

The list of a key's customers only grows at its end (the import appends the customers it creates
or finds), but their fields change in place as rows are folded into them: a birthday filled in,
"И." written out as "Иван". A customer is filed again under its new values when that happens
(``changed``: the fields the chunk has changed, in order), and stays under the old ones too, so
each file holds everyone who may belong to it, and a customer filed twice is visited once.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Iterator, Sequence
from operator import itemgetter

from clientbase.importers.sameperson import birthday_parts, plain_patronymic
from clientbase.normalize.names import first_names_compatible

# The fields whose change files a customer again.
FILED_BY = frozenset({"first_name", "middle_name", "birth_month", "birth_day", "birthday_raw"})
_TYPED = "typed"  # the digits of a date that cannot be: they may fit any day (birthdays_differ)
_index = itemgetter(0)

Place = tuple[int, dict]  # a customer's index in the key's list, and its fields


class _Group:
    """The customers of one first name: all of them, by birthday, by patronymic and by both."""

    __slots__ = ("all", "by_birthday", "by_both", "by_patronymic")

    def __init__(self) -> None:
        self.all: list[Place] = []
        self.by_birthday: dict[object, list[Place]] = {}
        self.by_patronymic: dict[str | None, list[Place]] = {}
        self.by_both: dict[tuple[object, str | None], list[Place]] = {}


def _birthday_file(fields: dict) -> object:
    (_year, month, day), typed = birthday_parts(fields)
    if not month:
        return None  # no birthday: fits every row
    return _TYPED if typed else (month, day)


def _patronymic_file(fields: dict) -> str | None:
    """The patronymic's first letter; None for none, or for dots alone, which fit any."""
    written = fields.get("middle_name")
    return (plain_patronymic(written)[:1] or None) if written else None


class FitGroups:
    """The customers of one key, filed by first name, then by birthday and by patronymic."""

    __slots__ = ("_filed", "_fits", "_groups", "_names", "_seen", "_where")

    def __init__(self) -> None:
        self._groups: dict[str | None, _Group] = {}
        self._names: list[str | None] = []  # the first names in the order they were filed
        self._fits: dict[str | None, tuple[int, list[_Group]]] = {}  # a row's name -> groups
        self._seen = 0  # how much of the key's list is filed
        self._filed = 0  # how much of the chunk's changed fields
        self._where: dict[int, list[int]] = {}  # id of a customer's fields -> its indexes

    def places(
        self, candidates: Sequence[dict], row: dict, changed: Sequence[dict]
    ) -> Iterator[Place]:
        """(index, fields) of the ``candidates`` (the key's customers' fields, in the index's
        order) that ``row`` may be, in increasing index; ``changed``: see the module."""
        for k in range(self._seen, len(candidates)):
            fields = candidates[k]
            self._where.setdefault(id(fields), []).append(k)
            self._file((k, fields), late=False)
        self._seen = len(candidates)
        for fields in changed[self._filed :]:
            for k in self._where.get(id(fields), ()):
                self._file((k, fields), late=True)
        self._filed = len(changed)
        groups = self._fitting(row.get("first_name"))
        (_year, month, day), typed = birthday_parts(row)
        patronymic = _patronymic_file(row)
        if month and not typed and patronymic is not None:
            # Both must fit: most customers of an office number have no birthday, and the
            # patronymic still tells those apart.
            both = [(b, p) for b in (None, _TYPED, (month, day)) for p in (None, patronymic)]
            lists = [got for g in groups for w in both if (got := g.by_both.get(w))]
        elif month and not typed:
            wanted = (None, _TYPED, (month, day))
            lists = [got for g in groups for b in wanted if (got := g.by_birthday.get(b))]
        elif patronymic is not None:
            wanted = (None, patronymic)
            lists = [got for g in groups for p in wanted if (got := g.by_patronymic.get(p))]
        else:
            lists = [g.all for g in groups]
        return _once_each(lists[0] if len(lists) == 1 else heapq.merge(*lists, key=_index))

    def _file(self, place: Place, *, late: bool) -> None:
        fields = place[1]
        name = fields.get("first_name")
        group = self._groups.get(name)
        if group is None:
            group = self._groups[name] = _Group()
            self._names.append(name)
        add = _insert if late else list.append
        born, patronymic = _birthday_file(fields), _patronymic_file(fields)
        add(group.all, place)
        add(group.by_birthday.setdefault(born, []), place)
        add(group.by_patronymic.setdefault(patronymic, []), place)
        add(group.by_both.setdefault((born, patronymic), []), place)

    def _fitting(self, name: str | None) -> list[_Group]:
        """The groups of the first names that may fit ``name``, worked out once per name and
        then only for the first names filed since."""
        checked, fitting = self._fits.get(name, (0, []))
        for other in self._names[checked:]:
            if first_names_compatible(other, name):
                fitting.append(self._groups[other])
        self._fits[name] = (len(self._names), fitting)
        return fitting


def _insert(places: list[Place], place: Place) -> None:
    insort(places, place, key=_index)  # by index alone: fields are not comparable


def _once_each(places) -> Iterator[Place]:
    last = -1
    for place in places:
        if place[0] != last:
            last = place[0]
            yield place
