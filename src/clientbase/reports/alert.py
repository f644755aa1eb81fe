"""`--fail-if EXPR`: a condition over the report's figures that turns a cron run into an alert.

The expression is Python syntax read with ``ast`` and walked by hand, never ``eval``ed: only
comparisons (< <= > >= == !=, chained too), ``and`` / ``or`` / ``not``, parentheses, numbers
(a leading minus allowed) and the names of the report's flat metrics are accepted. Anything
else (calls, attributes, arithmetic, strings) is refused with the position of the offending
part, so a typo in a crontab fails loudly on the first run instead of never firing.
"""

from __future__ import annotations

import ast
import operator
import re

from clientbase.errors import UsageError
from clientbase.i18n import N_, _

_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_HINT = N_('e.g. --fail-if "missed_calls_without_callback > 0 or pending_duplicates >= 10"')


MAX_LENGTH = 2000  # characters: a condition for cron, not a program

# A lone "=" (as the filter language and most people write it) means "==": the condition has
# no strings and no assignments, so no other reading is possible.
_LONE_EQ = re.compile(r"(?<![<>=!])=(?!=)")


def parse(expr: str, known: set[str] | dict) -> ast.Expression:
    """The checked tree of ``expr``; UsageError if it is not a plain condition over ``known``."""
    if not expr.strip():
        raise UsageError(_("--fail-if: the condition is empty"), hint=_(_HINT))
    if len(expr) > MAX_LENGTH:
        raise UsageError(
            _("--fail-if: the condition is longer than {max_length} characters").format(
                max_length=MAX_LENGTH
            )
        )
    text = _LONE_EQ.sub("==", expr.strip())
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = _(", at column {offset}").format(offset=exc.offset) if exc.offset else ""
        raise UsageError(
            _("--fail-if {expr!r}: not a condition ({msg}{where})").format(
                expr=expr, msg=exc.msg, where=where
            ),
            hint=_(_HINT),
        ) from None
    except (RecursionError, MemoryError):  # "not not not …" thousands deep
        raise UsageError(
            _("--fail-if: the condition is nested too deeply"), hint=_(_HINT)
        ) from None
    unknown: list[str] = []
    _check(tree.body, text, known, unknown)
    if unknown:
        raise UsageError(
            _("--fail-if: unknown metric(s) {metrics}").format(
                metrics=", ".join(dict.fromkeys(unknown))
            ),
            hint=_("known: {known}").format(known=", ".join(sorted(known))),
        )
    return tree


def names(tree: ast.Expression) -> list[str]:
    """The metric names the condition reads, in the order they appear."""
    return list(dict.fromkeys(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)))


def evaluate(tree: ast.Expression, metrics: dict[str, float]) -> bool:
    return bool(_value(tree.body, metrics))


def _check(node: ast.AST, expr: str, known, unknown: list[str]) -> None:
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, expr, known, unknown)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, expr, known, unknown)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        if not _is_number(node.operand):
            _refuse(node, expr, _("a minus sign goes only before a number"))
    elif isinstance(node, ast.Compare):
        if not all(type(op) in _COMPARE for op in node.ops):
            _refuse(node, expr, _("only < <= > >= == != compare"))
        for v in (node.left, *node.comparators):
            _check(v, expr, known, unknown)
    elif isinstance(node, ast.Name):
        if node.id not in known:
            unknown.append(node.id)
    elif not _is_number(node):
        _refuse(node, expr, _("only metric names, numbers, comparisons, and, or, not"))


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def _refuse(node: ast.AST, expr: str, why: str) -> None:
    part = ast.get_source_segment(expr, node) or type(node).__name__
    raise UsageError(
        _("--fail-if: {part!r} is not allowed: {why}").format(part=part, why=why), hint=_(_HINT)
    )


def _value(node: ast.AST, metrics: dict[str, float]):
    if isinstance(node, ast.BoolOp):
        values = (_value(v, metrics) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, metrics)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.Compare):
        left = _value(node.left, metrics)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, metrics)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        value = metrics.get(node.id)
        # A figure that could not be computed (no orders: no average check) makes no
        # comparison true, as NaN does.
        return float("nan") if value is None else value
    return node.value  # a number (checked by parse)
