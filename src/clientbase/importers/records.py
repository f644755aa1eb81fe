"""The shape every reader hands to the import pipeline.

A reader (CSV, Excel, vCard, call log) turns whatever it parsed into ``ContactRecord`` objects;
the pipeline normalises, matches and stores them. Keeping this one small dataclass between the
two means a new format only has to produce records, never to touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Canonical single-valued contact fields a column (or a vCard property) can map to.
CONTACT_FIELDS = (
    "full_name",  # "Иванов Иван Иванович" in any order; split by normalize.names
    "last_name",
    "first_name",
    "middle_name",
    "gender",
    "birthday",
    "company",
    "position",
    "city",
    "address",
    "postcode",
    "source",  # acquisition source / channel ("Откуда узнал", "Источник")
    "manager",
    "note",
    "consent",  # marketing consent, every channel: да/нет/yes/no/1/0 or the date it was given
    "consent_email",  # consent for one channel only
    "consent_sms",
    "consent_calls",
    "consent_ads",
    "external_id",  # id in the system the file came from
    "tags",
)
# Multi-valued fields: a row may carry several columns and several values per cell.
MULTI_FIELDS = ("phone", "email", "telegram", "whatsapp", "vk")


@dataclass(slots=True)
class ContactRecord:
    row: int  # as a person finds it: spreadsheet row (header is row 1) or the card's first line
    raw: dict[str, str]  # the input exactly as read, kept with the batch
    fields: dict[str, str] = field(default_factory=dict)  # canonical field -> value
    phones: list[tuple[str, str | None]] = field(default_factory=list)  # (raw value, label)
    emails: list[tuple[str, str | None]] = field(default_factory=list)
    messengers: list[tuple[str, str]] = field(default_factory=list)  # (kind, raw value)
    sheet: str | None = None
    region: str | None = None  # the file's own idea of the phone region, if it has one
    # Long-format lists: rows with the same group (organisation + name) are one customer.
    group: str | None = None
    # A table's row: its cells as text, in column order (the raw record's cells form).
    cells: list[str] | None = None


class UnreadableRow(list):
    """A row the reader could not turn into cells (a line of 50 MB, say): it travels with the
    others so it is counted and reported rejected with ``reason``, never dropped."""

    def __init__(self, cells: list, reason: str):
        super().__init__(cells)
        self.reason = reason

    def __reduce__(self):  # crosses to worker processes with its reason
        return (UnreadableRow, (list(self), self.reason))
