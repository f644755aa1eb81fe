"""The shape of the source tree: small modules, and imports inside functions only with a reason.

The layers and the absence of import loops are checked by import-linter (pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "clientbase"
MAX_LINES = 720  # "about 700": a module longer than this mixes concerns or needs to say why
ONE_PIECE = "one piece"  # the words a long module's docstring uses to say why it is not split


def _modules():
    return sorted(p for p in SRC.rglob("*.py") if "locale" not in p.parts)


def test_modules_stay_small_or_say_why():
    long = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > MAX_LINES and ONE_PIECE not in doc:
            long.append(f"{path.relative_to(SRC)}: {n} lines")
    assert long == []


def test_imports_inside_functions_say_why():
    # A module-level import is the rule; one inside a function (to keep start-up fast, to load a
    # heavy library only when it is used, to break an unavoidable load order) carries a comment
    # on its line or on the line above it (or above the group of imports it belongs to).
    silent = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").split("\n")
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in fn.body:
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                i = node.lineno - 1
                while i > 0 and lines[i - 1].strip().startswith(("import ", "from ")):
                    i -= 1  # the top of a group of imports
                above = lines[i - 1].strip() if i > 0 else ""
                if "#" not in lines[node.lineno - 1] and not above.startswith("#"):
                    silent.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert silent == []
