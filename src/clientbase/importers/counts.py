"""What an import did, counted, and the rows it could not take."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Counts:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # rows folded into a customer an earlier row of the same file created
    rejected: int = 0
    invalid_phones: int = 0
    invalid_emails: int = 0
    invalid_birthdays: int = 0
    skipped_rows: int = 0  # not customers by nature: internal extensions, hidden callers
    calls: int = 0  # calls added to customers
    known_calls: int = 0  # calls the base had already (an overlapping export)
    customers_created: int = 0  # orders: customers created from the identity columns
    code_conflicts: int = 0  # rows whose client code belongs to another customer than theirs
    orders_moved: int = 0  # orders: known orders the file gives to another customer
    returns: int = 0  # orders: returns and cancellation lines (negative amounts), kept as such


@dataclass
class Reject:
    row: int
    sheet: str | None
    reason: str
    raw: dict
