"""The shape of the source tree: small modules.

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
