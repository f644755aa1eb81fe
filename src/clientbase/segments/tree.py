"""The tree a filter expression parses into: plain frozen dataclasses, nothing executable.
segments.filter builds it, segments.filter_sql turns it into SQL, segments.facts reads which
fields it uses."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Duration:
    """A relative date as typed: 30d, 2w, 6m, 1y."""

    count: int
    unit: str  # d, w, m, y

    def days_back(self, as_of: date) -> int:
        return (as_of - self.before(as_of)).days

    def before(self, as_of: date) -> date:
        """The day this long before ``as_of``; calendar months and years (31 Aug - 6m = 28/29
        Feb, 29 Feb - 1y = 28 Feb)."""
        if self.unit == "d":
            return as_of - timedelta(days=self.count)
        if self.unit == "w":
            return as_of - timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        y, m = divmod(as_of.year * 12 + as_of.month - 1 - months, 12)
        return date(y, m + 1, min(as_of.day, calendar.monthrange(y, m + 1)[1]))

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


class Null:
    """The empty value (``null``)."""

    def __repr__(self) -> str:
        return "null"


NULL = Null()


@dataclass(frozen=True)
class Compare:
    field: str  # a key of FIELDS
    op: str  # = != < <= > >= in "not in" contains "not contains"
    value: object  # str, int, float, bool, date, Duration, NULL, or a tuple of these for in
    pos: int


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


Node = Compare | And | Or | Not


def fields_used(node: Node) -> set[str]:
    if isinstance(node, Compare):
        return {node.field}
    if isinstance(node, Not):
        return fields_used(node.item)
    return set().union(*(fields_used(i) for i in node.items))
