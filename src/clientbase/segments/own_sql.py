"""A filter on the customer's own columns as SQL text for a plain SQLite connection.

`contacts list --where "city = 'Москва'" --format csv` on a SQLite base is read through the
standard library's driver (services.quick_list), without loading SQLAlchemy: that start-up is a
sixth of the whole listing of 200,000 customers. It needs the filter as SQL text. This gives it
for expressions whose every field is one of the customer's own columns (name, city, source,
created …: the "base" group of segments.fields), with the meaning segments.filter_sql gives
them on the facts (a test holds the two to the same customers over varied expressions); any
other expression (tags, orders, classes, consent) is None here and goes the usual way.

Values are parameters; field names come from ``FIELDS``, so no text of the expression reaches
the SQL string. The cost of a term (what an "and" tests first) lives here for both builders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from clientbase.db.quick import stored_time
from clientbase.segments.fields import FIELDS
from clientbase.segments.tree import NULL, And, Compare, Duration, Node, Not, Or, fields_used

# The customer's own text columns (facts name -> customers column) whose spellings are worth
# reading before a filter compares them (segments.cache), and how many values that may be at most.
OWN_TEXT = {"name": "display_name", "kind": "kind", "city": "city", "company": "company",
            "source": "source", "manager": "manager", "gender": "gender"}  # fmt: skip
SPELLINGS_MAX = 2000
# Every field of the "base" group: its column in customers.
_OWN = {**OWN_TEXT, "id": "id", "status": "status", "created": "created_at"}
# The customers a filter ever sees (segments.facts: merged-away and erased ones never).
LIVE = "merged_into_id IS NULL AND status NOT IN ('erased', 'merged')"
_NEGATIVE = ("!=", "not in", "not contains")
_CMP = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def term_cost(node: Node, spellings: Mapping) -> int:
    """How dear a term is per customer: 0 a plain comparison (numbers, dates, flags, text
    compared with its known spellings), 1 text through lower(), 2 a subquery (tags, categories).
    SQLite tests the terms of an "and" in the order given and stops at the first false."""
    if isinstance(node, And | Or):
        return max(term_cost(i, spellings) for i in node.items)
    if isinstance(node, Not):
        return term_cost(node.item, spellings)
    field = FIELDS[node.field]
    if field.type == "set":
        return 2
    if field.type != "text" or node.value is NULL:
        return 0
    exact = field.col in spellings and node.op in ("=", "!=", "in", "not in")
    return 0 if exact else 1


def compared(node: Node) -> set[str]:
    """The own text columns of the expression's exact comparisons (= != in "not in")."""
    if isinstance(node, Compare):
        field = FIELDS[node.field]
        exact = node.op in ("=", "!=", "in", "not in") and field.type == "text"
        return {field.col} if exact and field.col in OWN_TEXT else set()
    if isinstance(node, Not):
        return compared(node.item)
    return set().union(*(compared(i) for i in node.items))


def is_own(node: Node) -> bool:
    """Whether every field of the expression is one of the customer's own columns."""
    return all(FIELDS[f].group == "base" and FIELDS[f].col in _OWN for f in fields_used(node))


def own_where(node: Node, as_of: date, spellings: Mapping[str, Iterable[str]]) -> tuple[str, list]:
    """The condition (on ``customers``, unaliased) and its parameters that pick the live
    customers the expression matches on ``as_of``; archived ones left out unless the expression
    mentions ``status`` (as services.segments.condition). ``is_own(node)`` must hold.
    ``spellings``: every value some own text columns hold (see segments.filter_sql.to_sql)."""
    params: list = []
    cond = _sql(node, as_of, spellings, params)
    archived = "" if "status" in fields_used(node) else " AND status != 'archived'"
    return f"{LIVE}{archived} AND ({cond})", params


def _sql(node: Node, as_of: date, spellings: Mapping, params: list) -> str:
    if isinstance(node, And):
        items = sorted(node.items, key=lambda i: term_cost(i, spellings))
        return " AND ".join(f"({_sql(i, as_of, spellings, params)})" for i in items)
    if isinstance(node, Or):
        return " OR ".join(f"({_sql(i, as_of, spellings, params)})" for i in node.items)
    if isinstance(node, Not):
        return f"NOT ({_sql(node.item, as_of, spellings, params)})"
    field = FIELDS[node.field]
    col = _OWN[field.col]
    op, value = node.op, node.value
    if value is NULL:
        return f"{col} IS NULL" if op == "=" else f"{col} IS NOT NULL"
    if field.type == "text":
        if field.col in spellings and op in ("=", "!=", "in", "not in"):
            wanted = set(value) if op.endswith("in") else {value}
            # lower() as the SQL one does it on these values
            exact = sorted(s for s in spellings[field.col] if s.lower() in wanted)
            negative = op in ("!=", "not in")
            return _guard(op, col, _in(col, exact, params, negative))
        return _guard(op, col, _text(f"lower({col})", op, value, params))
    if field.type == "number":
        if isinstance(value, Duration):
            value = value.days_back(as_of)
        return _guard(op, col, _cmp(col, op, value, params))
    if field.type == "date" and not isinstance(value, Duration):
        return _guard(op, col, _day_cmp(col, op, value, params))
    days = value.days_back(as_of) if isinstance(value, Duration) else value
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}[op]
    return _guard(op, col, _day_cmp(col, flipped, as_of - timedelta(days=days), params))


def _guard(op: str, col: str, cond: str) -> str:
    # Two-valued logic, as segments.filter_sql: an empty value fails every positive test and
    # passes every negative one.
    if op in _NEGATIVE:
        return f"{col} IS NULL OR ({cond})"
    return f"{col} IS NOT NULL AND ({cond})"


def _in(col: str, values: list, params: list, negative: bool) -> str:
    if not values:  # as SQLAlchemy's empty IN: matches nothing (NOT IN: everything)
        return "1 = 1" if negative else "1 != 1"
    params.extend(values)
    return f"{col} {'NOT IN' if negative else 'IN'} ({', '.join('?' * len(values))})"


def _cmp(col: str, op: str, value, params: list) -> str:
    if op in ("in", "not in"):
        return _in(col, list(value), params, op == "not in")
    params.append(value)
    return f"{col} {_CMP[op]} ?"


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text(col: str, op: str, value, params: list) -> str:
    if op in ("contains", "not contains"):
        params.append(_like(value))
        return f"{col} {'NOT LIKE' if op == 'not contains' else 'LIKE'} ? ESCAPE '\\'"
    return _cmp(col, op, value, params)


def _day_cmp(col: str, op: str, day: date, params: list) -> str:
    start = stored_time(datetime.combine(day, time()))
    nxt = stored_time(datetime.combine(day, time()) + timedelta(days=1))
    if op == "=":
        params.extend((start, nxt))
        return f"{col} >= ? AND {col} < ?"
    if op == "!=":
        params.extend((start, nxt))
        return f"{col} < ? OR {col} >= ?"
    sql, value = {"<": ("<", start), "<=": ("<", nxt), ">": (">=", nxt), ">=": (">=", start)}[op]
    params.append(value)
    return f"{col} {sql} ?"
