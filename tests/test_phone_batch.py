"""The column-at-a-time phone path gives exactly the answers of the scalar one (and so of
phonenumbers) for a million values of the shapes people type, odd ones included."""

from __future__ import annotations

import random

import pytest

from clientbase.normalize import phone_batch
from clientbase.normalize.phone_batch import normalize_phones, valid_numbers
from clientbase.normalize.phones import _normalize_uncached

# What precedes the ten national digits, and how the digits are grouped.
PREFIXES = ["+7", "8", "7", "", "+7 ", "8 ", "+8", "810", "007", "+77", "+", "7 ", "+ 7", "(+7)"]
GROUPINGS = [
    "{a}{b}{c}{d}{e}",
    "{a} {b} {c} {d} {e}",
    "{a}-{b}-{c}-{d}-{e}",
    "({a}) {b}-{c}-{d}{e}",
    "({a}){b}{c}{d}{e}",
    " {a} {b}{c}{d}{e} ",
    "{a}.{b}.{c}.{d}.{e}",
    "{a}\u00a0{b}\u00a0{c}{d}{e}",
    "({a}) {b} {c} {d}{e}",
]
# Odd shapes: extensions, letters, a second plus, digits of another script, cut or extra digits.
ODD = [
    "{p}{n} доб. 12",
    "{p}{n}x5",
    "{p}{n}#7",
    "+{p}{n}",
    "{p}{n}+",
    "{p}{n}1",
    "{p}{n9}",
    "тел. {p}{n}",
    "{p}{fw}",
    "{p}{n}/45",
    "00{n}",
    "{n5}",
    "",
    "   ",
    "нет",
    "{p}{n}!",
    "!{p}{n}",
    "{p}{n}\n",
    "{p}{n5}\n{n}",
    "{p}\u0669{n9}",
    "{p}{n}\u2009",
]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _values(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    # National numbers: mostly mobile (9…) and city (3…, 4…, 8…) numbers, Kazakh (7…), and
    # prefixes no region owns (0…, 1…, 2…, 5…, 6…).
    firsts = "9999999444388877012563"
    out = []
    for _ in range(count):
        n = rnd.choice(firsts) + f"{rnd.randrange(10**9):09d}"
        if rnd.random() < 0.07:
            template = rnd.choice(ODD)
            out.append(
                template.format(
                    p=rnd.choice(PREFIXES), n=n, n9=n[:-1], n5=n[:5], fw=n.translate(FULLWIDTH)
                )
            )
            continue
        body = rnd.choice(GROUPINGS).format(a=n[:3], b=n[3:6], c=n[6:8], d=n[8:], e="")
        out.append(rnd.choice(PREFIXES) + body)
    return out


def test_the_batch_path_is_switched_on():
    # If phonenumbers' metadata for +7 changed, the batch path turns itself off (and the rest of
    # this file would then compare the scalar path with itself): fail loudly instead.
    assert phone_batch._ENABLED


@pytest.mark.parametrize("region", ["RU", "KZ"])
def test_a_million_values_match_the_scalar_path(region):
    values = _values(1_000_000 if region == "RU" else 200_000, seed=7)
    answered = 0
    for i in range(0, len(values), 5000):
        part = values[i : i + 5000]
        fast: list = [None] * len(part)
        phone_batch._fast(part, region, fast)
        for value, got in zip(part, fast, strict=True):
            if got is not None:  # the rest goes through normalize_phone itself
                answered += 1
                assert got == _normalize_uncached(value, region), value
    # Half the prefixes above and a quarter of the first digits are odd on purpose, and random
    # city numbers are mostly invalid (left to the scalar path for their reason), so about a
    # quarter of the Russian values are the batch path's (in a Kazakh list fewer: "7 916…" is
    # not a Kazakh number written without its "+"). In a real list it is nearly all of them.
    assert answered > len(values) // (5 if region == "RU" else 20)


def test_a_sample_matches_phonenumbers_itself():
    values = _values(20_000, seed=11)
    got = normalize_phones(values, "RU")
    for value, phone in zip(values, got, strict=True):
        assert phone == _normalize_uncached(value, "RU", fast=False), value


def test_other_regions_and_odd_input_take_the_scalar_path():
    values = ["+7 916 123-45-67", "8 (017) 222-33-44", "", "x", "+375 29 123 45 67"]
    for region in ("BY", "RU+495", "UA"):
        assert normalize_phones(values, region) == [_normalize_uncached(v, region) for v in values]
    assert normalize_phones([], "RU") == []


@pytest.mark.parametrize("region", ["RU", "KZ", "BY"])
def test_the_numbers_alone_are_those_of_the_phones(region):
    values = _values(200_000, seed=5)
    found = 0
    for i in range(0, len(values), 5000):
        part = values[i : i + 5000]
        for value, number in zip(part, valid_numbers(part, region), strict=True):
            if number is not None:
                found += 1
                p = _normalize_uncached(value, region)
                assert (p.e164, p.valid, p.extension, p.reason) == (number, True, None, None)
    assert found > len(values) // 20 if region != "BY" else found == 0
