"""The JSON the commands print: the same text as json.dumps(indent=2, ensure_ascii=False,
default=str), written faster (cli.json_text)."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from enum import IntEnum

import numpy as np
import pytest

from clientbase.cli.json_text import dumps, write


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
    # Long lists of flat records take a column-wise road: every kind of value in them.
    {
        "rows": [
            {
                "id": i,
                "{brace}": [None, "", 'q"uote {0} }{', "\u2028"][i % 4],
                "x": [0.5, float("nan"), 1e308 * 10, None, -0.0, 0.1 + 0.2][i % 6],
                "flag": [True, False, None][i % 3],
                "odd": [Level.LOW, np.int64(3), np.float64(2.5), np.bool_(False), date(2025, 1, 1)][
                    i % 5
                ],
                "n": 10**20 + i,
            }
            for i in range(40)
        ]
    },
    [{"a": i, "b": i * 0.5} for i in range(40)],
    [{"a": i, "b": [i]} for i in range(40)],  # a list inside: the usual road
    [{"a": i} if i % 7 else {"b": i} for i in range(40)],  # keys that differ
    [{"a": i, "b": i} if i % 7 else {"b": i, "a": i} for i in range(40)],  # another key order
    [{"a": 1}] * 39 + [[1, 2]],  # not all dicts
]


@pytest.mark.parametrize("value", AWKWARD)
def test_same_text_as_json_dumps(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2, default=str)


def test_unsupported_key_fails_like_json_dumps():
    with pytest.raises(TypeError):
        json.dumps({(1, 2): 1}, indent=2)
    with pytest.raises(TypeError):
        dumps({(1, 2): 1})


@pytest.mark.parametrize("value", AWKWARD)
def test_written_to_a_stream_the_same_text(value):
    stream = io.StringIO()
    write(value, stream)
    assert stream.getvalue() == json.dumps(value, ensure_ascii=False, indent=2, default=str)


def test_many_records_over_several_blocks():
    rows = [
        {"id": i, "name": None if i % 9 == 0 else f"Имя {i}", "cv": i / 7 if i % 5 else None}
        for i in range(20_000)
    ]
    stream = io.StringIO()
    write({"customers": rows}, stream)
    expected = json.dumps({"customers": rows}, ensure_ascii=False, indent=2, default=str)
    assert stream.getvalue() == expected == dumps({"customers": rows})
