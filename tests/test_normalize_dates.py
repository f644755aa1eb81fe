"""Birthdays and general dates from contact lists, vCards, spreadsheets and CRM exports."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from clientbase.normalize.dates import (
    Birthday,
    excel_serial_to_date,
    parse_birthday,
    parse_date,
    parse_datetime,
)

TODAY = date(2024, 6, 15)

# --- parse_birthday -----------------------------------------------------------------------------

BIRTHDAYS = [
    # objects from spreadsheet readers
    (date(1985, 2, 1), "1985-02-01"),
    (datetime(1985, 2, 1, 0, 0), "1985-02-01"),
    (datetime(1985, 2, 1, 10, 30, tzinfo=UTC), "1985-02-01"),
    # Russian numeric forms
    ("01.02.1985", "1985-02-01"),
    ("1.2.1985", "1985-02-01"),
    ("01.02.1985.", "1985-02-01"),
    ("01-02-1985", "1985-02-01"),
    ("01.02.1985 г.", "1985-02-01"),
    ("01.02.1985г", "1985-02-01"),
    ("01.02.1985 г.р.", "1985-02-01"),
    ("  01.02.1985  ", "1985-02-01"),
    ("01021985", "1985-02-01"),  # DDMMYYYY without separators
    # two-digit years: the most recent such year not after today
    ("01.02.85", "1985-02-01"),
    ("01.02.05", "2005-02-01"),
    ("15.06.24", "2024-06-15"),  # today
    ("16.06.24", "1924-06-16"),  # tomorrow in 2024 → 1924
    ("01-Feb-85", "1985-02-01"),
    # slashes: day first unless that is impossible
    ("01/02/1985", "1985-02-01"),
    ("13/02/1985", "1985-02-13"),
    ("02/13/1985", "1985-02-13"),
    ("02.13.1985", "1985-02-13"),
    # ISO and what pandas prints
    ("1985-02-01", "1985-02-01"),
    ("1985-02-01 00:00:00", "1985-02-01"),
    ("1985-02-01T10:00:00", "1985-02-01"),
    ("1985-02-01T10:00:00Z", "1985-02-01"),
    ("1985-02-01T00:00:00.000000000", "1985-02-01"),  # numpy datetime64
    ("1985/02/01", "1985-02-01"),
    # month names, Russian in any case and abbreviated, English
    ("1 февраля 1985", "1985-02-01"),
    ("1 февраля 1985 г.", "1985-02-01"),
    ("1 февраля 1985 года", "1985-02-01"),
    ("1-го февраля 1985 года", "1985-02-01"),
    ("01 фев 1985", "1985-02-01"),
    ("01 фев. 1985", "1985-02-01"),
    ("1 февр. 1985", "1985-02-01"),
    ("1 ФЕВРАЛЯ 1985", "1985-02-01"),
    ("1 февраль 1985", "1985-02-01"),
    ("15 мая 1990", "1990-05-15"),
    ("15 май 1990", "1990-05-15"),
    ("3 авг 1990", "1990-08-03"),
    ("3 августа 1990", "1990-08-03"),
    ("7 сент. 1990", "1990-09-07"),
    ("7 ноября 1990", "1990-11-07"),
    ("31 декабря 1999", "1999-12-31"),
    ("1 февраля 85", "1985-02-01"),
    ("1 February 1985", "1985-02-01"),
    ("1st February 1985", "1985-02-01"),
    ("Feb 1, 1985", "1985-02-01"),
    ("February 1 1985", "1985-02-01"),
    ("Sept 7, 1990", "1990-09-07"),
    # no year
    ("01.02", "--02-01"),
    ("1.2", "--02-01"),
    ("29.02", "--02-29"),
    ("1 февраля", "--02-01"),
    ("29 февраля", "--02-29"),
    ("Feb 1", "--02-01"),
    # vCard and Apple
    ("19800322", "1980-03-22"),
    ("--0322", "--03-22"),
    ("--03-22", "--03-22"),
    ("1604-03-22", "--03-22"),
    ("0000-03-22", "--03-22"),
    (date(1604, 3, 22), "--03-22"),
    # Excel serials: numbers and 5-digit strings
    (31079, "1985-02-01"),
    (31079.0, "1985-02-01"),
    (31079.75, "1985-02-01"),
    (Decimal("31079"), "1985-02-01"),
    ("31079", "1985-02-01"),
    ("31079.0", "1985-02-01"),
    ("31079,0", "1985-02-01"),
    (19850201, "1985-02-01"),  # a vCard date a spreadsheet turned into a number
    # leap years
    ("29.02.2000", "2000-02-29"),
    ("29.02.1996", "1996-02-29"),
]


@pytest.mark.parametrize(("value", "iso"), BIRTHDAYS)
def test_parse_birthday(value, iso: str) -> None:
    b = parse_birthday(value, today=TODAY)
    assert b is not None
    assert b.iso() == iso


class MissingLikePandasNA:
    """Behaves like pandas.NA: compares to NA and refuses to be a bool."""

    def __ne__(self, other: object) -> MissingLikePandasNA:  # type: ignore[override]
        return self

    def __bool__(self) -> bool:
        raise TypeError("boolean value of NA is ambiguous")


class MissingLikePandasNaT(datetime):
    """A datetime that is not equal to itself, like pandas.NaT."""

    def __ne__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        math.nan,
        float("nan"),
        MissingLikePandasNA(),
        MissingLikePandasNaT(2000, 1, 1),
    ],
)
def test_parse_birthday_empty(value) -> None:
    assert parse_birthday(value, today=TODAY) is None


BAD_BIRTHDAYS = [
    ("abc", "not a date"),
    ("не помню", "not a date"),
    ("12,5", "not a date"),
    ("123", "not a date"),
    ("123456", "not a date"),
    ("0322", "not a date"),
    (True, "not a date"),
    (12, "not a date"),
    (float("inf"), "not a date"),
    ("1 брюмера 1985", "unknown month name"),
    ("31.02.1985", "day out of range"),
    ("32.01.1985", "day out of range"),
    ("29.02.2001", "day out of range"),
    ("29.02.1900", "day out of range"),
    ("30 февраля", "day out of range"),
    ("1985-02-30", "day out of range"),
    ("00.01.1985", "day out of range"),
    ("19723101", "month out of range"),
    ("13.13.1985", "month out of range"),
    ("00.00.0000", "month out of range"),
    ("0000-00-00", "month out of range"),
    ("--1322", "month out of range"),
    ("1899-12-31", "year before 1900"),
    ("01.02.1812", "year before 1900"),
    (date(1800, 1, 1), "year before 1900"),
    ("2030-01-01", "year in the future"),
    ("01.01.2025", "year in the future"),
    ("2024-06-16", "date in the future"),
    (date(2024, 12, 31), "date in the future"),
    ("1985", "year only"),
    ("1985 г.", "year only"),
    (1985, "year only"),
    ("February 1985", "day missing"),
    ("февраль 1985", "day missing"),
    ("1985-02", "day missing"),
    ("Smith 60", "unknown month name"),
    (60, "not a date"),  # below 1000 a number is an age or a count, not a 1900 birthday
    ("99999999", "month out of range"),
]


@pytest.mark.parametrize(("value", "reason"), BAD_BIRTHDAYS)
def test_parse_birthday_rejects(value, reason: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_birthday(value, today=TODAY)
    assert str(exc.value) == reason


def test_parse_birthday_dayfirst_false() -> None:
    assert parse_birthday("02/01/1985", today=TODAY, dayfirst=False) == Birthday(1985, 2, 1)
    assert parse_birthday("02.01.1985", today=TODAY, dayfirst=False) == Birthday(1985, 2, 1)
    # impossible month-first: swapped back
    assert parse_birthday("13/02/1985", today=TODAY, dayfirst=False) == Birthday(1985, 2, 13)


def test_parse_birthday_today_defaults_to_system_date() -> None:
    assert parse_birthday("01.02.1985") == Birthday(1985, 2, 1)
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValueError, match="in the future"):
        parse_birthday(tomorrow)


def test_birthday_today_is_allowed() -> None:
    assert parse_birthday(TODAY, today=TODAY) == Birthday(2024, 6, 15)


# --- Birthday -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birthday", "iso"),
    [
        (Birthday(1985, 2, 1), "1985-02-01"),
        (Birthday(None, 2, 1), "--02-01"),
        (Birthday(None, 2, 29), "--02-29"),
        (Birthday(1905, 12, 31), "1905-12-31"),
    ],
)
def test_birthday_iso(birthday: Birthday, iso: str) -> None:
    assert birthday.iso() == iso


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((1985, 2, 30), "day out of range"),
        ((2001, 2, 29), "day out of range"),
        ((None, 13, 1), "month out of range"),
        ((None, 4, 31), "day out of range"),
    ],
)
def test_birthday_validates(args: tuple, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        Birthday(*args)


# --- parse_date / parse_datetime ----------------------------------------------------------------

DATES = [
    ("01.02.2024", date(2024, 2, 1)),
    ("1.2.2024", date(2024, 2, 1)),
    ("01.02.24", date(2024, 2, 1)),
    ("01.02.68", date(2068, 2, 1)),  # POSIX %y: 00–68 → 20xx
    ("01.02.69", date(1969, 2, 1)),  # 69–99 → 19xx
    ("2024-02-01", date(2024, 2, 1)),
    ("2024-02-01 14:05:33", date(2024, 2, 1)),
    ("01/02/2024", date(2024, 2, 1)),
    ("02/13/2024", date(2024, 2, 13)),
    ("1 февраля 2024 г.", date(2024, 2, 1)),
    ("Feb 1, 2024", date(2024, 2, 1)),
    ("20240201", date(2024, 2, 1)),
    ("45323", date(2024, 2, 1)),
    (45323, date(2024, 2, 1)),
    (45323.99, date(2024, 2, 1)),
    (date(2024, 2, 1), date(2024, 2, 1)),
    (datetime(2024, 2, 1, 23, 59), date(2024, 2, 1)),
]


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_parse_date(value, expected: date) -> None:
    assert parse_date(value) == expected


DATETIMES = [
    ("01.02.2024 14:05", datetime(2024, 2, 1, 14, 5)),
    ("01.02.2024 14:05:33", datetime(2024, 2, 1, 14, 5, 33)),
    ("01.02.2024, 14:05", datetime(2024, 2, 1, 14, 5)),
    ("01.02.2024 в 14:05", datetime(2024, 2, 1, 14, 5)),
    ("1.2.2024 9:05", datetime(2024, 2, 1, 9, 5)),
    ("2024-02-01 14:05:33", datetime(2024, 2, 1, 14, 5, 33)),
    ("2024-02-01T14:05:33", datetime(2024, 2, 1, 14, 5, 33)),
    ("2024-02-01T14:05:33.250", datetime(2024, 2, 1, 14, 5, 33, 250000)),
    ("2024-02-01T14:05:33.123456789", datetime(2024, 2, 1, 14, 5, 33, 123456)),
    # zone or offset dropped: the wall-clock time is kept as written
    ("2024-02-01T14:05:33Z", datetime(2024, 2, 1, 14, 5, 33)),
    ("2024-02-01T14:05:33+03:00", datetime(2024, 2, 1, 14, 5, 33)),
    ("2024-02-01T14:05:33-0500", datetime(2024, 2, 1, 14, 5, 33)),
    ("2024-02-01 14:05 UTC", datetime(2024, 2, 1, 14, 5)),
    ("01.02.2024 14:05 МСК", datetime(2024, 2, 1, 14, 5)),
    ("Thu, 01 Feb 2024 14:05:33 +0000", datetime(2024, 2, 1, 14, 5, 33)),
    ("Feb 1, 2024 2:05 PM", datetime(2024, 2, 1, 14, 5)),
    ("Feb 1, 2024 12:05 AM", datetime(2024, 2, 1, 0, 5)),
    ("Feb 1, 2024 12:05 PM", datetime(2024, 2, 1, 12, 5)),
    # date only → midnight
    ("01.02.2024", datetime(2024, 2, 1)),
    (date(2024, 2, 1), datetime(2024, 2, 1)),
    (datetime(2024, 2, 1, 14, 5, tzinfo=timezone(timedelta(hours=3))), datetime(2024, 2, 1, 14, 5)),
    # Excel serial with a time fraction
    (45323.5, datetime(2024, 2, 1, 12, 0)),
    ("45323.25", datetime(2024, 2, 1, 6, 0)),
    (45323.6, datetime(2024, 2, 1, 14, 24)),
]


@pytest.mark.parametrize(("value", "expected"), DATETIMES)
def test_parse_datetime(value, expected: datetime) -> None:
    result = parse_datetime(value)
    assert result == expected
    assert result.tzinfo is None


def test_parse_date_dayfirst_false() -> None:
    assert parse_date("02/01/2024", dayfirst=False) == date(2024, 2, 1)
    assert parse_datetime("2/1/2024 2:05 PM", dayfirst=False) == datetime(2024, 2, 1, 14, 5)
    assert parse_date("13/02/2024", dayfirst=False) == date(2024, 2, 13)


BAD_DATES = [
    (None, "empty"),
    ("", "empty"),
    ("  ", "empty"),
    (math.nan, "empty"),
    (MissingLikePandasNA(), "empty"),
    ("abc", "not a date"),
    (True, "not a date"),
    ("01.02", "year missing"),
    ("1 февраля", "year missing"),
    ("--0322", "year missing"),
    ("31.02.2024", "day out of range"),
    ("00.00.0000", "month out of range"),
    ("1604-03-22", "year out of range"),
    ("01.02.1812", "year out of range"),
    ("01.02.2024 25:00", "time out of range"),
    ("01.02.2024 14:60", "time out of range"),
    ("Feb 1, 2024 13:05 PM", "time out of range"),
    (0, "Excel serial out of range"),
    (-5, "Excel serial out of range"),
    (60, "Excel serial 60 is the nonexistent 1900-02-29"),
    ("2024", "year only"),
]


@pytest.mark.parametrize(("value", "reason"), BAD_DATES)
def test_parse_date_rejects(value, reason: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_date(value)
    assert str(exc.value) == reason
    with pytest.raises(ValueError):
        parse_datetime(value)


# --- Excel --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (2, date(1900, 1, 2)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (31079, date(1985, 2, 1)),
        (45323, date(2024, 2, 1)),
        (45323.75, date(2024, 2, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_excel_serial_to_date(serial: float, expected: date) -> None:
    assert excel_serial_to_date(serial) == expected


@pytest.mark.parametrize(
    ("serial", "reason"),
    [
        (60, "Excel serial 60 is the nonexistent 1900-02-29"),
        (0, "Excel serial out of range"),
        (0.5, "Excel serial out of range"),
        (-1, "Excel serial out of range"),
        (2958466, "Excel serial out of range"),
        (math.nan, "not a date"),
        (math.inf, "not a date"),
        (True, "not a date"),
        ("31079", "not a date"),
    ],
)
def test_excel_serial_to_date_rejects(serial, reason: str) -> None:
    with pytest.raises(ValueError) as exc:
        excel_serial_to_date(serial)
    assert str(exc.value) == reason
