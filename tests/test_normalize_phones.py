"""Behaviour of clientbase.normalize.phones, and fast path == phonenumbers on generated numbers."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from clientbase.normalize import phones
from clientbase.normalize.phones import (
    Phone,
    is_short_or_internal,
    normalize_phone,
    split_phones,
)

# --------------------------------------------------------------------------------------------
# Valid numbers: (raw, default region, e164, extension, region of the number)
# --------------------------------------------------------------------------------------------

VALID = [
    # Russian habits
    ("8 (916) 123-45-67", "RU", "+79161234567", None, "RU"),
    ("8-916-123-45-67", "RU", "+79161234567", None, "RU"),
    ("+7 916 1234567", "RU", "+79161234567", None, "RU"),
    ("7(916)1234567", "RU", "+79161234567", None, "RU"),
    ("9161234567", "RU", "+79161234567", None, "RU"),
    ("89161234567", "RU", "+79161234567", None, "RU"),
    ("79161234567", "RU", "+79161234567", None, "RU"),
    ("+79161234567", "RU", "+79161234567", None, "RU"),
    ("+7 (495) 123-45-67", "RU", "+74951234567", None, "RU"),
    ("8 (3452) 12-34-56", "RU", "+73452123456", None, "RU"),
    ("8 800 555-35-35", "RU", "+78005553535", None, "RU"),
    ("88005553535", "RU", "+78005553535", None, "RU"),
    ("8005553535", "RU", "+78005553535", None, "RU"),
    ("+7 8 916 123 45 67", "RU", "+79161234567", None, "RU"),  # stray trunk 8 after +7
    ("  8 916 123 45 67\t", "RU", "+79161234567", None, "RU"),
    # labels, junk and odd characters are ignored
    ("тел. 8 916 123 45 67", "RU", "+79161234567", None, "RU"),
    ("моб: +7 916 123–45—67", "RU", "+79161234567", None, "RU"),
    ("Моб.тел.: 8.916.123.45.67", "RU", "+79161234567", None, "RU"),
    ("8 916 123 45 67 (Иван)", "RU", "+79161234567", None, "RU"),
    ("+7 (916) 123‒45‒67", "RU", "+79161234567", None, "RU"),  # figure dash
    ("8\u00a0916\u00a0123\u00a045\u00a067", "RU", "+79161234567", None, "RU"),  # no-break spaces
    ("＋７ （９１６） １２３－４５－６７", "RU", "+79161234567", None, "RU"),  # full-width
    ("tel: 8 916 123 45 67", "RU", "+79161234567", None, "RU"),
    # "+7 7xx" is Kazakhstan, whatever the default region
    ("+7 701 123 45 67", "RU", "+77011234567", None, "KZ"),
    ("8 701 123 45 67", "RU", "+77011234567", None, "KZ"),
    ("+7 747 123 45 67", "RU", "+77471234567", None, "KZ"),
    ("8 727 250 12 34", "RU", "+77272501234", None, "KZ"),
    ("8 (7172) 55-12-34", "RU", "+77172551234", None, "KZ"),
    # default KZ
    ("8 701 123 45 67", "KZ", "+77011234567", None, "KZ"),
    ("701 123 45 67", "KZ", "+77011234567", None, "KZ"),
    ("7 701 123 45 67", "KZ", "+77011234567", None, "KZ"),
    ("8 916 123 45 67", "KZ", "+79161234567", None, "RU"),
    ("7 916 123 45 67", "KZ", "+79161234567", None, "RU"),  # KZ rules reject it; retried as +7
    # Belarus: international, and the national "8 0xx" format falls back from RU/KZ to BY
    ("+375 29 123-45-67", "RU", "+375291234567", None, "BY"),
    ("+375 (44) 123-45-67", "RU", "+375441234567", None, "BY"),
    ("375291234567", "RU", "+375291234567", None, "BY"),
    ("8 029 123-45-67", "RU", "+375291234567", None, "BY"),
    ("80291234567", "RU", "+375291234567", None, "BY"),
    ("8 (017) 123-45-67", "RU", "+375171234567", None, "BY"),
    ("8 033 123 45 67", "RU", "+375331234567", None, "BY"),
    ("8 029 123 45 67", "KZ", "+375291234567", None, "BY"),
    ("8 10 375 29 1234567", "RU", "+375291234567", None, "BY"),  # Soviet 8~10 prefix
    ("8 029 123 45 67", "BY", "+375291234567", None, "BY"),
    ("029 123 45 67", "BY", "+375291234567", None, "BY"),
    ("+7 916 123 45 67", "BY", "+79161234567", None, "RU"),
    # Ukraine
    ("00380441234567", "RU", "+380441234567", None, "UA"),
    ("+380 44 123 4567", "RU", "+380441234567", None, "UA"),
    ("380501234567", "RU", "+380501234567", None, "UA"),
    ("050 123 45 67", "UA", "+380501234567", None, "UA"),
    ("044 123 45 67", "UA", "+380441234567", None, "UA"),
    # Germany
    ("+49 30 123456", "RU", "+4930123456", None, "DE"),
    ("+49 (0)30 123456", "RU", "+4930123456", None, "DE"),
    ("0049 30 123456", "RU", "+4930123456", None, "DE"),
    ("8 10 49 30 123456", "RU", "+4930123456", None, "DE"),
    ("+49 151 23456789", "RU", "+4915123456789", None, "DE"),
    ("030 123456", "DE", "+4930123456", None, "DE"),
    ("0151 23456789", "DE", "+4915123456789", None, "DE"),
    # elsewhere
    ("998901234567", "RU", "+998901234567", None, "UZ"),
    ("+44 20 7946 0958", "RU", "+442079460958", None, "GB"),
    ("+1 (212) 555-0123", "RU", "+12125550123", None, "US"),
    # the region argument is case-insensitive; an unknown one still reads "+" numbers
    ("8 916 123 45 67", "ru", "+79161234567", None, "RU"),
    ("+7 916 123 45 67", "XX", "+79161234567", None, "RU"),
    # extensions
    ("8 495 123-45-67 доб. 123", "RU", "+74951234567", "123", "RU"),
    ("8 495 123-45-67 доб.123", "RU", "+74951234567", "123", "RU"),
    ("+7 (916) 123-45-67 (доб. 123)", "RU", "+79161234567", "123", "RU"),
    ("8 495 123 45 67 добавочный 777", "RU", "+74951234567", "777", "RU"),
    ("+7 916 123 45 67 доп. 45", "RU", "+79161234567", "45", "RU"),
    ("8 495 123 45 67 вн. 2231", "RU", "+74951234567", "2231", "RU"),
    ("8 (916) 123-45-67, доб. 12", "RU", "+79161234567", "12", "RU"),
    ("+7 916 123 45 67 ext 5", "RU", "+79161234567", "5", "RU"),
    ("8 495 123 45 67 ext.12", "RU", "+74951234567", "12", "RU"),
    ("8 495 123 45 67 Ext: 12", "RU", "+74951234567", "12", "RU"),
    ("+7 916 123 45 67 x5", "RU", "+79161234567", "5", "RU"),
    ("8 495 123 45 67 X 12", "RU", "+74951234567", "12", "RU"),
    ("+7 916 123 45 67 #5", "RU", "+79161234567", "5", "RU"),
    ("8 (800) 555 35 35 #3", "RU", "+78005553535", "3", "RU"),
    ("8 495 123 45 67 № 5", "RU", "+74951234567", "5", "RU"),
    ("8 495 123-45-67 доб. 123 (Ольга)", "RU", "+74951234567", "123", "RU"),
    ("+49 30 123456 ext. 89", "RU", "+4930123456", "89", "DE"),
]


@pytest.mark.parametrize(("raw", "region", "e164", "extension", "num_region"), VALID)
def test_valid_numbers(raw, region, e164, extension, num_region):
    assert normalize_phone(raw, region) == Phone(
        raw=raw.strip(),
        e164=e164,
        extension=extension,
        valid=True,
        reason=None,
        region=num_region,
    )


def test_default_region_is_ru():
    assert normalize_phone("8 916 123 45 67") == normalize_phone("8 916 123 45 67", "RU")
    assert normalize_phone("8 916 123 45 67").e164 == "+79161234567"


# --------------------------------------------------------------------------------------------
# Invalid values: (raw, default region, reason, extension)
# --------------------------------------------------------------------------------------------

INVALID = [
    ("", "RU", "empty", None),
    ("   ", "RU", "empty", None),
    ("нет", "RU", "no digits", None),
    ("-", "RU", "no digits", None),
    ("abc", "RU", "no digits", None),
    ("0", "RU", "too few digits", None),
    ("+7", "RU", "too few digits", None),
    ("+7 123", "RU", "too few digits", None),
    ("12345", "RU", "internal extension or short service number", None),
    ("112", "RU", "internal extension or short service number", None),
    ("0611", "RU", "internal extension or short service number", None),
    ("доб. 123", "RU", "internal extension or short service number", None),
    ("123-45-67", "RU", "too few digits", None),  # local number without area code
    ("+7 000 123 45 67", "RU", "not a valid number for RU", None),
    ("+7 (000) 123-45-67 доб. 5", "RU", "not a valid number for RU", "5"),
    ("8 916 123 45 6", "RU", "not a valid number for RU", None),
    ("8 916 123 45 678", "RU", "wrong number of digits", None),
    ("+7 916 123 45 67 8", "RU", "wrong number of digits", None),
    ("8 916 123-45-67 8 926 765-43-21", "RU", "too many digits", None),  # two numbers, unsplit
    ("+7 601 123 45 67", "RU", "not a valid number for RU", None),  # neither RU nor KZ range
    ("8 601 123 45 67", "KZ", "not a valid number for KZ", None),
    ("+8 916 123 45 67", "RU", "unknown country code", None),  # not silently turned into +7
    ("+999 123456789", "RU", "unknown country code", None),
    ("0000000000", "RU", "not a valid number for RU", None),
    ("8 044 123 45 67", "UA", "too many digits", None),
    ("916 123 45 67", "XX", "unknown default region", None),
]


@pytest.mark.parametrize(("raw", "region", "reason", "extension"), INVALID)
def test_invalid_values(raw, region, reason, extension):
    assert normalize_phone(raw, region) == Phone(
        raw=raw.strip(),
        e164=None,
        extension=extension,
        valid=False,
        reason=reason,
        region=None,
    )


def test_real_validation_not_just_digit_count():
    # 11 digits in the right shape is not enough: the range must exist.
    assert normalize_phone("+7 916 123 45 67").valid
    assert not normalize_phone("+7 000 123 45 67").valid
    assert not normalize_phone("+7 (200) 123-45-67").valid


@pytest.mark.parametrize(
    "raw",
    ["\x00", "☎", "+", "++7", "((()))", "8" * 300, "+" + "9" * 40, "тел.: —", "#", "x5", "\u200b"],
)
def test_garbage_never_raises(raw):
    phone = normalize_phone(raw)
    assert phone.valid is False
    assert phone.e164 is None
    assert phone.reason


def test_fuzz_never_raises():
    rnd = random.Random(20240601)
    alphabet = "0123456789+-() .,;#xXдоб№＋７٣\u00a0"
    for _ in range(2000):
        raw = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        phone = phones._normalize_uncached(raw, "RU")
        assert phone.valid == (phone.e164 is not None)
        assert phone.valid == (phone.reason is None)


def test_results_are_cached_per_raw_and_region():
    raw = "8 (916) 765-43-21 cache-test"
    first = normalize_phone(raw)
    assert normalize_phone(raw) is first
    assert normalize_phone(raw, "KZ") is not first
    assert normalize_phone.cache_info().maxsize >= 1 << 12


# --------------------------------------------------------------------------------------------
# is_short_or_internal
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("104", True),
        ("112", True),
        ("900", True),
        ("0611", True),
        ("12", True),
        ("12345", True),
        ("*100#", True),
        ("вн. 2231", True),
        ("1", False),
        ("123456", False),
        ("123-45-67", False),
        ("+7", False),
        ("+112", False),
        ("8 916 123 45 67", False),
        ("", False),
        ("   ", False),
        ("нет", False),
    ],
)
def test_is_short_or_internal(raw, expected):
    assert is_short_or_internal(raw) is expected


# --------------------------------------------------------------------------------------------
# split_phones
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("8 916 123 45 67", ["8 916 123 45 67"]),
        ("8-916-123-45-67, 8-926-765-43-21", ["8-916-123-45-67", "8-926-765-43-21"]),
        ("8 916 1234567; 8 926 7654321", ["8 916 1234567", "8 926 7654321"]),
        ("8 916 1234567\n8 926 7654321\r\n", ["8 916 1234567", "8 926 7654321"]),
        ("8 916 1234567 | 8 926 7654321", ["8 916 1234567", "8 926 7654321"]),
        (
            "+7 916 123-45-67 / +7 926 765-43-21",
            ["+7 916 123-45-67", "+7 926 765-43-21"],
        ),
        (
            "* +7 916 123-45-67 ::: +7 926 765-43-21",
            ["+7 916 123-45-67", "+7 926 765-43-21"],
        ),
        ("+79161234567 ::: * +79267654321", ["+79161234567", "+79267654321"]),
        ("* 8 916 123 45 67", ["8 916 123 45 67"]),
        # one number with an extension after a comma
        ("8 (916) 123-45-67, доб. 12", ["8 (916) 123-45-67, доб. 12"]),
        ("8 (916) 123-45-67, ext 5", ["8 (916) 123-45-67, ext 5"]),
        (
            "8 495 123-45-67 доб. 123, 8 916 123 45 67",
            ["8 495 123-45-67 доб. 123", "8 916 123 45 67"],
        ),
        # a short tail belongs to the number before it
        ("8 495 123-45-67/68", ["8 495 123-45-67/68"]),
        ("8 916 123,45,67", ["8 916 123,45,67"]),
        ("8 (495) 123-45-67/123-45-68", ["8 (495) 123-45-67", "123-45-68"]),
        # a leading label stays with its number
        ("моб., 8 916 123 45 67", ["моб., 8 916 123 45 67"]),
        (
            "8 916 123 45 67 (Иван), 8 926 765 43 21 (Оля)",
            ["8 916 123 45 67 (Иван)", "8 926 765 43 21 (Оля)"],
        ),
        ("8 916 123 45 67,", ["8 916 123 45 67"]),
        ("нет; 8 916 123 45 67", ["нет", "8 916 123 45 67"]),
        ("", []),
        ("   ", []),
        ("  ,  ; ", []),
    ],
)
def test_split_phones(cell, expected):
    assert split_phones(cell) == expected


def test_split_then_normalize_keeps_extension():
    parts = split_phones("8 (916) 123-45-67, доб. 12; +7 926 765-43-21")
    assert [(p.e164, p.extension) for p in map(normalize_phone, parts)] == [
        ("+79161234567", "12"),
        ("+79267654321", None),
    ]


# --------------------------------------------------------------------------------------------
# Fast path == full phonenumbers path
# --------------------------------------------------------------------------------------------


def _digits(rnd: random.Random, k: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(k))


def _generated_numbers(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    ru_mobile = ["900", "901", "916", "926", "930", "931", "939", "958", "977", "999"]
    ru_fixed = ["495", "499", "812", "343", "383", "843", "3452", "4012", "8152"]
    kz = ["700", "701", "705", "707", "747", "771", "775", "778", "727", "7172", "7212", "751"]
    shapes = [
        "8 ({a}) {b}",
        "+7 {a} {b}",
        "7{a}{b}",
        "8{a}{b}",
        "{a}{b}",
        "+7 8 {a} {b}",
        "тел. 8-{a}-{b}",
    ]
    out = []
    for _ in range(count):
        kind = rnd.random()
        if kind < 0.25:
            area = rnd.choice(ru_mobile)
        elif kind < 0.4:
            area = rnd.choice(ru_fixed)
        elif kind < 0.5:
            area = rnd.choice(["800", "804", "809", "803", "808"])  # toll-free, premium, personal
        elif kind < 0.65:
            area = rnd.choice(kz)
        else:
            area = None
        if area is None:
            # garbage: 9-12 arbitrary digits, often with a plausible prefix
            prefix = rnd.choice(["", "", "7", "8", "+7", "+", "80", "810", "00"])
            out.append(prefix + _digits(rnd, rnd.randint(9, 12)))
        else:
            rest = _digits(rnd, 10 - len(area))
            out.append(rnd.choice(shapes).format(a=area, b=rest))
    return out


GENERATED = _generated_numbers(seed=7, count=3000)


@pytest.mark.parametrize("region", ["RU", "KZ"])
def test_fast_path_matches_phonenumbers_path(region):
    mismatches = []
    for raw in GENERATED:
        fast = phones._normalize_uncached(raw, region, fast=True)
        slow = phones._normalize_uncached(raw, region, fast=False)
        if fast != slow:
            mismatches.append((raw, fast, slow))
    assert mismatches == []


def test_fast_path_actually_answers_the_common_shapes():
    # Guards the test above from passing vacuously (fast path silently disabled or declining).
    answered = valid = 0
    for raw in GENERATED:
        digits, plus = phones._digits_and_plus(phones._split_extension(raw.strip())[0])
        result = phones._parse_fast(digits, plus, "RU")
        if result is not None:
            answered += 1
            valid += result[0] is not None
    assert answered > len(GENERATED) * 0.6
    assert valid > len(GENERATED) * 0.3


def test_agrees_with_plain_phonenumbers_whenever_it_says_valid():
    checked = 0
    for raw in GENERATED:
        try:
            num = phonenumbers.parse(raw, "RU")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            checked += 1
            got = normalize_phone(raw)
            assert got.e164 == phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
            assert got.region == phonenumbers.region_code_for_number(num)
    assert checked > 1000


@pytest.mark.parametrize(
    "e164",
    ["+79161234567", "+74951234567", "+78005553535", "+77011234567", "+77272501234"],
)
def test_every_written_form_gives_the_same_number(e164):
    national = e164[2:]
    forms = [e164, "8" + national, "7" + national, national, f"8 ({national[:3]}) {national[3:]}"]
    assert {normalize_phone(f).e164 for f in forms} == {e164}
