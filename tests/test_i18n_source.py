"""The source keeps the promises the message catalog relies on."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "clientbase"


def _rebinds_underscore(func: ast.AST) -> bool:
    """True when ``func`` assigns the name ``_`` in its own scope (comprehensions have theirs)."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _calls_underscore(func: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
        for n in ast.walk(func)
    )


def test_no_function_both_translates_and_uses_underscore_as_a_throwaway_name():
    # `for _, x in pairs:` makes `_` a local variable of the whole function, so a `_("...")`
    # in the same function would call a string (or fail as unbound) instead of translating.
    offenders = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _calls_underscore(node) and _rebinds_underscore(node):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}")
    assert offenders == []


def test_messages_are_literals():
    # The catalog is keyed by the literal text: _(f"...") or _("a" + b) can never be found.
    # _(name) is how a constant marked with N_() is shown, so a plain name or lookup passes.
    offenders = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name = node.func.id
            if name == "_" and node.args:
                bad = isinstance(node.args[0], ast.JoinedStr | ast.BinOp)
            elif name in ("N_", "ngettext") and node.args:
                bad = not all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str)
                    for a in node.args[: 2 if name == "ngettext" else 1]
                )
            else:
                continue
            if bad:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []
