"""The JSON the commands print: the same text as json.dumps(indent=2, ensure_ascii=False,
default=str), written faster (cli.json_text)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import IntEnum

import numpy as np
import pytest

from clientbase.cli.json_text import dumps


class Level(IntEnum):
    LOW = 1


AWKWARD = [
    {},
    [],
    "",
    None,
    {"a": [], "b": {}, "c": [{}], "d": [[]]},
    {"текст": 'кавычки " и \\ обратная косая, \n перевод строки, \t табуляция, \x01, \u2028'},
    [0.1 + 0.2, 1e308 * 10, -1e308 * 10, float("nan"), -0.0, 1e-7, 123456789012345678.0],
    [True, False, None, 0, -5, 10**30, Level.LOW],
    {3: "int key", 2.5: "float key", True: "bool key", None: "null key"},
    [np.float64(1.5), np.float32(0.25), np.int64(7), np.bool_(True), np.nan],
    [date(2025, 1, 31), Decimal("1.10"), ("a", "tuple"), {"nested": {"deep": [1, [2, [3]]]}}],
    {
        "customers": [
            {"id": i, "name": f"Клиент {i}", "revenue": i * 1.1, "cv": None} for i in range(50)
        ]
    },
]


@pytest.mark.parametrize("value", AWKWARD)
def test_same_text_as_json_dumps(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2, default=str)


def test_unsupported_key_fails_like_json_dumps():
    with pytest.raises(TypeError):
        json.dumps({(1, 2): 1}, indent=2)
    with pytest.raises(TypeError):
        dumps({(1, 2): 1})
