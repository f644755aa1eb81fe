"""The keys of a listed customer, and the ones that are columns of their own: what `contacts
list` takes in --columns and --sort. Apart from services.contacts so the quick listing
(services.quick_list) can check them without loading the database toolkit."""

from __future__ import annotations

from collections.abc import Sequence

from clientbase.errors import UsageError
from clientbase.i18n import _


def birthday_iso(year: int | None, month: int | None, day: int | None) -> str | None:
    """An ISO date, or None when the year (or the date) is unknown: scripts parse this key."""
    if not (year and month and day):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def birthday_month_day(month: int | None, day: int | None) -> str | None:
    """ "MM-DD", known also when the year is not: what birthday greetings need."""
    return f"{month:02d}-{day:02d}" if month and day else None


# The listed keys read straight from a customers column.
_OWN = {
    "id": "id", "name": "display_name", "kind": "kind", "last_name": "last_name",
    "first_name": "first_name", "middle_name": "middle_name", "gender": "gender",
    "company": "company", "position": "position", "city": "city", "address": "address",
    "source": "source", "manager": "manager", "external_id": "external_id", "note": "note",
}  # fmt: skip
# What iter_contact_rows can give: every key of a listed customer but the nested ones.
ROW_FIELDS = frozenset({*_OWN, "birthday", "birthday_month_day", "phones", "emails", "tags",
                        "calls", "last_contact", "lifecycle", "warmth", "created_at",
                        "updated_at"})  # fmt: skip


# What `contacts list --sort` and `--columns` take: the keys of a listed customer.
LIST_FIELDS = (
    "id", "name", "kind", "last_name", "first_name", "middle_name", "gender", "birthday",
    "birthday_month_day", "company", "position", "city", "address", "source", "manager",
    "external_id", "note", "phones", "emails", "tags", "calls", "last_contact", "created_at",
    "updated_at", "lifecycle", "warmth",
)  # fmt: skip


def check_fields(names: Sequence[str], option: str) -> list[str]:
    unknown = [n for n in names if n not in LIST_FIELDS]
    if unknown:
        raise UsageError(
            _("{option}: no field {unknown}").format(
                option=option, unknown=", ".join(map(repr, unknown))
            ),
            hint=_("one of: {fields}").format(fields=", ".join(LIST_FIELDS)),
        )
    return list(names)
