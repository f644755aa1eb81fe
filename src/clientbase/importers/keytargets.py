"""Which customer met on a phone or e-mail a row of a chunk folds into.

``sameperson.fold_target`` weighs a row against every customer of the key. An office or hotline
number can have thousands of customers, each a different person, and every row on it would be
weighed against all of them: a 60,000-row CRM export with its switchboard number on half the
rows spent most of its import there. For a key held by many, a row weighs only the customers
it may be by first name, birthday and patronymic (``fitgroups.FitGroups``), which gives the same
answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clientbase.importers.candidates import Cust
from clientbase.importers.fitgroups import FILED_BY, FitGroups
from clientbase.importers.sameperson import fold_target, fold_target_among

# From how many customers on one key a row weighs only those it may be: below it, filing them
# costs more than weighing them all.
GROUPED_FROM = 64


class KeyTargets:
    """The fold targets of one chunk's rows; the key index (key -> its customers, growing as
    the chunk goes) is the chunk's own, and so are the groups kept here."""

    __slots__ = ("_changed", "_groups")

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], FitGroups] = {}
        self._changed: list[dict] = []  # the fields of customers changed by folds, in order

    def new_chunk(self) -> None:
        self._groups.clear()
        self._changed.clear()

    def changed(self, fields: dict, names: Iterable[str]) -> None:
        """A fold changed these fields of a customer (``fields``, changed in place): if they
        tell people apart, the customer may now be rows it could not be."""
        if not FILED_BY.isdisjoint(names):
            self._changed.append(fields)

    def target(self, key: tuple[str, str], custs: list[Cust], row: dict) -> int | None:
        """The index in ``custs`` (the customers of ``key``) of the one ``row`` folds into."""
        if len(custs) < GROUPED_FROM:
            return fold_target([c.fields for c in custs], row)
        groups = self._groups.get(key)
        if groups is None:
            groups = self._groups[key] = FitGroups()
        return fold_target_among(groups.places(_FieldsOf(custs), row, self._changed), row)


class _FieldsOf(Sequence):
    """The fields of a list of customers, read as they are needed."""

    __slots__ = ("_custs",)

    def __init__(self, custs: list[Cust]) -> None:
        self._custs = custs

    def __len__(self) -> int:
        return len(self._custs)

    def __getitem__(self, k):
        return self._custs[k].fields
