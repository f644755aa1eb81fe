"""A parsed filter (``segments.filter``) as a SQLAlchemy condition on the facts table.

Every value becomes a bound parameter; field names were looked up in ``FIELDS`` by the parser,
so no text of the expression reaches the SQL string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, FromClause, and_, exists, func, not_, or_, select

from clientbase.db.models import customer_tags, orders, tags
from clientbase.db.rules import UNCOUNTED_ORDER_STATUSES
from clientbase.segments.fields import FIELDS, Field
from clientbase.segments.own_sql import term_cost
from clientbase.segments.tree import NULL, And, Duration, Node, Not, Or


def to_sql(
    node: Node,
    facts_table: FromClause,
    *,
    as_of: date | None = None,
    spellings: Mapping[str, Iterable[str]] | None = None,
) -> ColumnElement[bool]:
    """The condition on the facts table (see segments.facts). Values are bound parameters only;
    ``as_of`` (default today) is the day relative dates count back from. ``spellings``: every
    value some text columns hold (segments.cache knows them for a stored day); an equality or an
    in-list on such a column becomes an exact test of the stored values the case-blind one would
    match, which an index can answer."""
    day = as_of or date.today()
    return _sql(node, facts_table, day, spellings or {})


def _sql(node: Node, facts: FromClause, as_of: date, spellings: Mapping):
    if isinstance(node, And):
        # The cheap tests first: SQLite tests the terms of an "and" in the order given and stops
        # at the first false, so `name contains 'Иван' and source = 'Авито'` calls lower() only
        # for the customers of that source. (The terms have no side effects: the same answer.)
        items = sorted(node.items, key=lambda i: term_cost(i, spellings))
        return and_(*(_sql(i, facts, as_of, spellings) for i in items))
    if isinstance(node, Or):
        return or_(*(_sql(i, facts, as_of, spellings) for i in node.items))
    if isinstance(node, Not):
        return not_(_sql(node.item, facts, as_of, spellings))
    field = FIELDS[node.field]
    if field.type == "set":
        return _set_sql(field, node.op, node.value, facts)
    col = facts.c[field.col]
    op, value = node.op, node.value
    if value is NULL:
        return col.is_(None) if op == "=" else col.is_not(None)
    if field.type == "text":
        if field.col in spellings and op in ("=", "!=", "in", "not in"):
            wanted = set(value) if op.endswith("in") else {value}
            # lower() as the SQL one does it on these values (ASCII names, stage words)
            exact = sorted(s for s in spellings[field.col] if s.lower() in wanted)
            cond = col.not_in(exact) if op in ("!=", "not in") else col.in_(exact)
            return _guard(op, col, cond)
        return _guard(op, col, _text_sql(func.lower(col), op, value))
    if field.type == "bool":
        return col == (1 if value == (op == "=") else 0)
    if field.type == "number":
        if isinstance(value, Duration):  # birthday_in_days <= 1w
            value = value.days_back(as_of)
        return _guard(op, col, _cmp(col, op, value))
    if field.type == "date" and not isinstance(value, Duration):
        return _guard(op, col, _day_cmp(col, op, value))
    # An age (a "days" field, or a date compared with 30d): older = earlier, so the comparison
    # of the age flips into one of the date. "less than 30 days ago" = "after the day 30 back".
    days = value.days_back(as_of) if isinstance(value, Duration) else value
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}[op]
    return _guard(op, col, _day_cmp(col, flipped, as_of - timedelta(days=days)))


_NEGATIVE = ("!=", "not in", "not contains")


def _guard(op: str, col, cond):
    # Two-valued logic: an empty value fails every positive test and passes every negative one,
    # so `not x` is exactly the complement of x (SQL's NULL would drop it from both).
    return or_(col.is_(None), cond) if op in _NEGATIVE else and_(col.is_not(None), cond)


def _cmp(col, op: str, value):
    if op == "in":
        return col.in_(list(value))
    if op == "not in":
        return col.not_in(list(value))
    return {
        "=": col.__eq__, "!=": col.__ne__, "<": col.__lt__, "<=": col.__le__,
        ">": col.__gt__, ">=": col.__ge__,
    }[op](value)  # fmt: skip


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text_sql(col, op: str, value):
    if op == "contains":
        return col.like(_like(value), escape="\\")
    if op == "not contains":
        return col.not_like(_like(value), escape="\\")
    return _cmp(col, op, value)


def _day_cmp(col, op: str, day: date):
    start = datetime.combine(day, time())
    nxt = start + timedelta(days=1)
    if op == "=":
        return and_(col >= start, col < nxt)
    if op == "!=":
        return or_(col < start, col >= nxt)
    return {"<": col < start, "<=": col < nxt, ">": col >= nxt, ">=": col >= start}[op]


def _set_sql(field: Field, op: str, value, facts: FromClause):
    if field.name == "tags":
        name = func.lower(tags.c.name)
        base = (
            select(customer_tags.c.customer_id)
            .join(tags, tags.c.id == customer_tags.c.tag_id)
            .where(customer_tags.c.customer_id == facts.c.id)
        )
    else:
        name = func.lower(orders.c.category)
        base = select(orders.c.customer_id).where(
            orders.c.customer_id == facts.c.id,
            orders.c.status.is_(None) | orders.c.status.not_in(UNCOUNTED_ORDER_STATUSES),
            orders.c.category.is_not(None),
        )
    if value is NULL:  # "tags = null": has none at all
        has_any = exists(base)
        return not_(has_any) if op == "=" else has_any
    values = list(value) if isinstance(value, tuple) else [value]
    cond = name.in_(values) if len(values) > 1 else name == values[0]
    found = exists(base.where(cond))
    return not_(found) if op.startswith("not") else found
