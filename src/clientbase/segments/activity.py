"""What a customer's lifecycle counts, as SQL text: which orders and contacts count, and the
aggregates taken over them (orders, first and last order, last contact).

One definition read two ways: segments.facts builds its facts queries from these (through
SQLAlchemy, on every backend), and services.quick_list pastes them into the plain sqlite3
listing that starts without SQLAlchemy. So the stage a short listing shows and the one a filter
tests come from the same aggregates. The text names the tables (``orders``, ``interactions``)
unaliased, as both queries read them; every value in it is one of our own constants.
"""

from __future__ import annotations

from clientbase.db.rules import ORDER_RETURN, UNCOUNTED_ORDER_STATUSES


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# An order that counts: no status, or one that is not left out of every figure.
LIVE_ORDER = (
    "(orders.status IS NULL OR orders.status NOT IN"
    f" ({', '.join(_literal(s) for s in UNCOUNTED_ORDER_STATUSES)}))"
)
# A return (see analytics.returns) comes off the revenue; it is not a purchase.
IS_RETURN = f"orders.status = {_literal(ORDER_RETURN)}"
# Per customer, over the live orders dated up to the day (the caller adds that condition):
PURCHASES = {
    "n": f"sum(CASE WHEN {IS_RETURN} THEN 0 ELSE 1 END)",  # purchases
    "first": f"min(CASE WHEN {IS_RETURN} THEN NULL ELSE orders.ordered_at END)",
    "last": f"max(CASE WHEN {IS_RETURN} THEN NULL ELSE orders.ordered_at END)",
}

# A contact that counts: a call, message, meeting or note; not a reminder, not an outgoing call
# nobody answered.
COUNTED_CONTACT = (
    "(interactions.kind != 'reminder' AND (interactions.kind != 'call'"
    " OR interactions.direction IS NULL OR interactions.direction != 'out'"
    " OR interactions.outcome IS NULL OR interactions.outcome = 'answered'))"
)
# Per customer, over the counted contacts up to the day:
LAST_CONTACT = "max(interactions.occurred_at)"
