"""Calls as a to-do list: missed calls nobody answered since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import Engine, select

from clientbase.db.models import customers, interactions
from clientbase.services.results import Result

# Incoming calls that did not reach anyone. A voicemail is a missed call with a message.
MISSED = ("missed", "voicemail", "rejected", "busy")


@dataclass(frozen=True, slots=True)
class MissedCall(Result):
    """A number whose missed calls no conversation followed."""

    customer_id: int
    name: str
    phone: str
    missed: int  # missed calls since the last conversation
    first_missed: datetime
    last_missed: datetime
    called_back: bool  # we tried to call back, but nobody answered

    def to_dict(self) -> dict:
        d = Result.to_dict(self)
        d["first_missed"] = self.first_missed.isoformat(sep=" ")
        d["last_missed"] = self.last_missed.isoformat(sep=" ")
        return d


def missed_calls(engine: Engine, since: datetime | None = None) -> list[MissedCall]:
    """Numbers whose last missed call (after ``since``) was followed by no conversation.

    A conversation is any answered call later on, in either direction: the customer called
    again and got through, or we called back and they picked up. An outgoing attempt that
    nobody answered does not count, but is shown (``called_back``).
    """
    it = interactions
    missed_q = select(it.c.phone).where(
        it.c.kind == "call", it.c.direction == "in", it.c.outcome.in_(MISSED)
    )
    if since is not None:
        missed_q = missed_q.where(it.c.occurred_at >= since)
    q = (
        select(it.c.phone, it.c.customer_id, customers.c.display_name, it.c.occurred_at,
               it.c.direction, it.c.outcome)
        .join(customers, customers.c.id == it.c.customer_id)
        .where(it.c.kind == "call", it.c.phone.in_(missed_q.distinct()))
        .order_by(it.c.phone, it.c.occurred_at)
    )  # fmt: skip
    out = []
    with engine.connect() as conn:
        for phone, calls in groupby(conn.execute(q), key=lambda r: r.phone):
            pending: list = []  # missed calls since the last conversation
            tried = False
            for r in calls:
                if r.outcome == "answered":
                    pending, tried = [], False
                elif r.direction == "in" and r.outcome in MISSED:
                    pending.append(r)
                elif r.direction == "out" and pending:
                    tried = True
            recent = [r for r in pending if since is None or r.occurred_at >= since]
            if recent:
                last = pending[-1]
                out.append(
                    MissedCall(last.customer_id, last.display_name, phone, len(pending),
                               pending[0].occurred_at, last.occurred_at, tried)
                )  # fmt: skip
    out.sort(key=lambda m: m.last_missed, reverse=True)
    return out
