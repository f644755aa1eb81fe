"""The two plain records the matcher works with: a person as dedupe sees them, and a match.

Dedupe never reads the database itself: the store loads customers into :class:`Person` objects
(already normalised by the import: E.164 phones, lower-case e-mails, parsed name parts), the
matcher compares them and returns :class:`Match` objects whose reasons a person can read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from clientbase.normalize.dates import birthday_digits

__all__ = ["Match", "Person", "person_from_fields"]


@dataclass(slots=True)
class Person:
    id: int
    display_name: str = ""
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    gender: str | None = None  # "m" / "f" / None
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    phones: tuple[str, ...] = ()  # normalised, valid, E.164 ("+79161234567")
    emails: tuple[str, ...] = ()  # normalised, lower-case
    city: str | None = None
    company: str | None = None
    address: str | None = None
    postcode: str | None = None
    external_id: str | None = None
    kind: str = "person"  # or "company"
    # Phones that did not validate (a local number without its area code), as their digits:
    # still evidence when two records carry the same digits.
    loose_phones: tuple[str, ...] = ()


class Match:
    """Evidence that two customers are one: ``a`` < ``b``, a score in 0..1 and the reasons.

    Reasons are short phrases in the order they were weighed, negative evidence included
    ("different first names Иван / Мария"), so a dry run can show why a pair was or was not
    proposed.

    A matching run over a big base keeps hundreds of thousands of pairs; written out at once
    their reasons would take a few hundred megabytes. So a pair may carry a way to write its
    reasons instead (:meth:`deferred`): they are written each time they are read (when the
    pair is stored or shown), and not kept.
    """

    __slots__ = ("_explain", "_k", "_reasons", "a", "b", "score")

    def __init__(self, a: int, b: int, score: float, reasons: list[str] | None = None) -> None:
        self.a = a
        self.b = b
        self.score = score
        self._reasons = reasons if reasons is not None else []
        self._explain: Callable[[int], list[str]] | None = None
        self._k = 0

    @classmethod
    def deferred(
        cls, a: int, b: int, score: float, explain: Callable[[int], list[str]], k: int
    ) -> Match:
        """A pair whose reasons are ``explain(k)``, written when read."""
        m = cls(a, b, score)
        m._explain = explain
        m._k = k
        return m

    @property
    def reasons(self) -> list[str]:
        if self._explain is not None:
            return self._explain(self._k)
        return self._reasons

    @reasons.setter
    def reasons(self, value: list[str]) -> None:
        self._reasons = value
        self._explain = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return (self.a, self.b, self.score, self.reasons) == (
            other.a, other.b, other.score, other.reasons
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return f"Match(a={self.a!r}, b={self.b!r}, score={self.score!r}, reasons={self.reasons!r})"


_PERSON_FIELDS = frozenset(Person.__slots__) - {"id", "phones", "emails", "loose_phones"}


def person_from_fields(
    id: int,
    fields: Mapping[str, object],
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> Person:
    """A Person from a customer row (a mapping with the customers columns) and its contacts.

    Unknown keys are ignored and empty strings become None, so a row read straight from the
    ``customers`` table, or the ``fields`` dict of a cleaned import row, can be passed as is.
    Phones and e-mails keep their order; repeats are dropped.
    """
    kw: dict[str, object] = {}
    for k, v in fields.items():
        if k in _PERSON_FIELDS and v is not None and v != "":
            kw[k] = v
    if kw.get("kind") not in ("person", "company"):
        kw.pop("kind", None)
    if "birth_month" not in kw:
        written = birthday_digits(fields.get("birthday_raw"))  # type: ignore[arg-type]
        if written:
            kw["birth_year"], kw["birth_month"], kw["birth_day"] = written
    if "display_name" in kw and not isinstance(kw["display_name"], str):
        kw["display_name"] = str(kw["display_name"])
    return Person(
        id=id,
        phones=tuple(dict.fromkeys(p for p in phones if p)),
        emails=tuple(dict.fromkeys(e.lower() for e in emails if e)),
        **kw,  # type: ignore[arg-type]
    )
