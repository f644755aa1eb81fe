"""The follow-ups that are due: read by `remind due`, the card and the report.

Its own module so that the report, which only reads them, does not load what the card needs to
add and edit customers (the import's cleaning, phone and e-mail parsers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from clientbase.db.models import contact_points, customers, interactions
from clientbase.services.results import Result


@dataclass(frozen=True, slots=True)
class Reminder(Result):
    """A follow-up that is due, with the customer's first valid phone."""

    id: int
    customer_id: int
    name: str | None
    phone: str | None
    due: str
    overdue: bool
    what: str


def due_reminders(engine: Engine, until: datetime) -> list[Reminder]:
    it = interactions
    q = (
        select(
            it.c.id,
            it.c.customer_id,
            customers.c.display_name,
            it.c.due_at,
            it.c.note,
            func.min(contact_points.c.value).label("phone"),
        )
        .join(customers, customers.c.id == it.c.customer_id)
        .outerjoin(
            contact_points,
            (contact_points.c.customer_id == it.c.customer_id)
            & (contact_points.c.kind == "phone")
            & contact_points.c.valid.is_(True),
        )
        .where(it.c.kind == "reminder", it.c.done_at.is_(None), it.c.due_at <= until)
        .group_by(it.c.id, customers.c.id)
        .order_by(it.c.due_at, it.c.id)
    )
    with engine.connect() as conn:
        return [
            Reminder(id=r.id, customer_id=r.customer_id, name=r.display_name, phone=r.phone,
                     due=r.due_at.isoformat(sep=" ", timespec="minutes"),
                     overdue=r.due_at.date() < until.date(), what=r.note)
            for r in conn.execute(q)
        ]  # fmt: skip
