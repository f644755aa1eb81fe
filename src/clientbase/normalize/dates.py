"""Dates as they appear in contact lists, CRM exports, vCards and spreadsheets.

Three entry points with different rules:

* :func:`parse_birthday` returns a :class:`Birthday` whose year may be unknown (vCard ``--0322``,
  Apple's ``1604-03-22``, a Russian "1 февраля"), rejects the future and years before 1900, and
  reads a two-digit year as the most recent such year not in the future (85 → 1985, 05 → 2005).
* :func:`parse_date` / :func:`parse_datetime` read general dates (orders, calls). They need a
  year; a two-digit one follows the POSIX ``%y`` rule (00–68 → 20xx, 69–99 → 19xx), which needs
  no "today" and so keeps them pure.

Day-first is the default because the data is Russian ("01.02.1985" is 1 February); a date that is
impossible day-first but fine month-first ("02/13/1985") is read month-first.

Errors are ``ValueError`` with a short reason meant for the import report: "empty",
"not a date", "unknown month name", "month out of range", "day out of range", "day missing",
"year out of range", "year missing", "year only", "year before 1900", "year in the future",
"date in the future", "time out of range", "Excel serial out of range",
"Excel serial 60 is the nonexistent 1900-02-29".
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from clientbase.i18n import _

__all__ = [
    "Birthday",
    "excel_serial_to_date",
    "parse_birthday",
    "parse_date",
    "parse_datetime",
]

_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _check_day(year: int | None, month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(_("month out of range"))
    # With the year unknown 29 February is a perfectly good birthday.
    limit = 28 if month == 2 and year is not None and not _is_leap(year) else _DAYS_IN_MONTH[month]
    if not 1 <= day <= limit:
        raise ValueError(_("day out of range"))


@dataclass(frozen=True, slots=True)
class Birthday:
    year: int | None
    month: int
    day: int

    def __post_init__(self) -> None:
        _check_day(self.year, self.month, self.day)

    def iso(self) -> str:
        """ISO 8601 / vCard 4 text: "1985-02-01", or "--02-01" when the year is unknown."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


# --- month names ------------------------------------------------------------------------------


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    # Russian stems with every case ending (январь, января, январе, январю, январём); ё is folded
    # to е before lookup, so only the е spelling is listed.
    soft = ("ь", "я", "е", "ю", "ем")
    hard = ("", "а", "е", "у", "ом")
    stems = (
        ("январ", 1, soft),
        ("феврал", 2, soft),
        ("март", 3, hard),
        ("апрел", 4, soft),
        ("ма", 5, ("й", "я", "е", "ю", "ем")),
        ("июн", 6, soft),
        ("июл", 7, soft),
        ("август", 8, hard),
        ("сентябр", 9, soft),
        ("октябр", 10, soft),
        ("ноябр", 11, soft),
        ("декабр", 12, soft),
    )
    for stem, month, endings in stems:
        for ending in endings:
            names[stem + ending] = month
    abbreviations = (
        "янв фев мар апр май июн июл авг сен окт ноя дек".split(),
        "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    )
    for row in abbreviations:
        for month, abbr in enumerate(row, 1):
            names[abbr] = month
    for abbr, month in (("февр", 2), ("сент", 9), ("нояб", 11), ("sept", 9)):
        names[abbr] = month
    english = (
        "january february march april may june july august september october november december"
    )
    for month, name in enumerate(english.split(), 1):
        names[name] = month
    return names


_MONTHS = _month_names()

# --- patterns (applied to a lower-cased, ё-folded, space-normalised string) -------------------

_TIME_RE = re.compile(
    r"(?:\s*,\s*|\s+в\s+|\s+|(?<=\d)t)"
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(am|pm|a\.m\.|p\.m\.)?"
    # A zone or offset is accepted and dropped: see parse_datetime.
    r"\s*(?:z|utc|gmt|msk|мск|(?:utc|gmt)?[+-]\d{1,2}(?::?\d{2})?)?$"
)
_WEEKDAY_RE = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+")
# "г.", "года", "г.р." (год рождения) after the year.
_YEAR_WORD_RE = re.compile(r"(?:(?<=\d)|\s+)г(?:ода|\.?\s*р)?\.?$")
_YMD_RE = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
_DMY_RE = re.compile(r"^(\d{1,2})[-./](\d{1,2})(?:[-./](\d{4}|\d{2}))?\.?$")
_NO_YEAR_VCARD_RE = re.compile(r"^--(\d{2})-?(\d{2})$")
_NUMBER_RE = re.compile(r"^(\d+)(?:[.,]\d+)?$")
_TEXT_DMY_RE = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th|-?го|-?е)?[\s./-]*([^\W\d_]+)\.?(?:[\s.,/-]+(\d{4}|\d{2}))?$"
)
_TEXT_MDY_RE = re.compile(
    r"^([^\W\d_]+)\.?[\s./-]*(\d{1,2})(?:st|nd|rd|th)?(?:[\s.,/-]+(\d{4}|\d{2}))?$"
)
_NO_DAY_RE = re.compile(r"^(?:[^\W\d_]+\.?\s*,?\s*\d{4}|\d{4}[-./]\d{1,2})$")

# (year or None, digits the year was written with, month, day, (h, m, s, µs) or None)
_Parts = tuple[int | None, int, int, int, tuple[int, int, int, int] | None]


def _time(groups: tuple[str | None, ...]) -> tuple[int, int, int, int]:
    hh, mm, ss, frac, ampm = groups
    h, m, s = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError(_("time out of range"))
        h = h % 12 + (12 if ampm[0] == "p" else 0)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(_("time out of range"))
    micro = int(frac[:6].ljust(6, "0")) if frac else 0
    return h, m, s, micro


def _month(word: str) -> int:
    month = _MONTHS.get(word)
    if month is None:
        raise ValueError(_("unknown month name"))
    return month


def _day_month(a: int, b: int, dayfirst: bool) -> tuple[int, int]:
    day, month = (a, b) if dayfirst else (b, a)
    if month > 12 and day <= 12:  # impossible this way round, fine the other: swap
        day, month = month, day
    return day, month


def _eight_digits(s: str) -> tuple[int, int, int]:
    """YYYYMMDD (vCard basic form), or DDMMYYYY when only that reading is a valid date."""
    y, m, d = int(s[:4]), int(s[4:6]), int(s[6:])
    try:
        _check_day(y, m, d)
    except ValueError:
        d2, m2, y2 = int(s[:2]), int(s[2:4]), int(s[4:])
        if 1900 <= y2 <= 2100:
            try:
                _check_day(y2, m2, d2)
            except ValueError:
                pass
            else:
                return y2, m2, d2
        raise  # the vCard reading's reason: "19723101" → month out of range
    return y, m, d


@lru_cache(maxsize=1 << 14)
def _split(raw: str, dayfirst: bool) -> _Parts:
    """Syntax only: pull year/month/day/time out of a string; range checks are the caller's."""
    s = " ".join(raw.lower().replace("ё", "е").split())
    s = _WEEKDAY_RE.sub("", s)
    clock = None
    m = _TIME_RE.search(s)
    if m and m.start() > 0:
        clock = _time(m.groups())
        s = s[: m.start()]
    s = _YEAR_WORD_RE.sub("", s).rstrip(" ,")
    if not s:
        raise ValueError(_("not a date"))

    if m := _YMD_RE.match(s):
        y, mo, d = m.groups()
        return int(y), 4, int(mo), int(d), clock
    if m := _DMY_RE.match(s):
        a, b, y = m.groups()
        d, mo = _day_month(int(a), int(b), dayfirst)
        return (int(y) if y else None), len(y or ""), mo, d, clock
    if m := _NO_YEAR_VCARD_RE.match(s):
        return None, 0, int(m.group(1)), int(m.group(2)), clock
    if m := _TEXT_DMY_RE.match(s):
        d, word, y = m.groups()
        return (int(y) if y else None), len(y or ""), _month(word), int(d), clock
    if m := _TEXT_MDY_RE.match(s):
        word, d, y = m.groups()
        return (int(y) if y else None), len(y or ""), _month(word), int(d), clock
    if len(s) == 8 and s.isdigit():
        y8, mo8, d8 = _eight_digits(s)
        return y8, 4, mo8, d8, clock
    if _NO_DAY_RE.match(s):
        raise ValueError(_("day missing"))
    if len(s) == 4 and s.isdigit() and 1800 <= int(s) <= 2100:
        raise ValueError(_("year only"))
    raise ValueError(_("not a date"))


# --- Excel ------------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 0 for everything from 1900-03-01 on
_EXCEL_MAX = 2958465  # 9999-12-31


def excel_serial_to_date(n: float) -> date:
    """A date from an Excel/LibreOffice serial number in the 1900 date system (1 = 1900-01-01).

    Excel counts a nonexistent 1900-02-29 as serial 60 (Lotus 1-2-3 compatibility), so serials
    1–59 are one day off the plain epoch and 60 itself is rejected. LibreOffice agrees from
    serial 61 (1900-03-01) on, which covers any real data. Any fraction (the time of day) is
    ignored here. The 1904 system of old Mac Excel files is not handled.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise ValueError(_("not a date"))
    f = float(n)
    if not math.isfinite(f):
        raise ValueError(_("not a date"))
    whole = math.floor(f)
    if whole < 1 or whole > _EXCEL_MAX:
        raise ValueError(_("Excel serial out of range"))
    if whole == 60:
        raise ValueError(_("Excel serial 60 is the nonexistent 1900-02-29"))
    if whole < 60:
        return _EXCEL_EPOCH + timedelta(days=whole + 1)
    return _EXCEL_EPOCH + timedelta(days=whole)


def _excel_datetime(f: float) -> datetime:
    d = excel_serial_to_date(f)
    # Round to the second: the fraction is a binary float (0.6 of a day is not exact).
    seconds = round((f - math.floor(f)) * 86400)
    return datetime(d.year, d.month, d.day) + timedelta(seconds=seconds)


# --- shared input handling --------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas NaT
    except TypeError:  # pandas NA refuses to be a bool: it is the missing value itself
        return True
    except Exception:  # anything else exotic is not "missing"; it fails later as "not a date"
        return False


def _number(value: object) -> float | None:
    """The value as a float when it is a real number (int, float, numpy, Decimal) but not bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def _yyyymmdd(f: float) -> tuple[int, int, int] | None:
    """An integer like 19850201 (a vCard date that a spreadsheet turned into a number)."""
    if f.is_integer() and 10000101 <= f <= 99991231:
        return _eight_digits(str(int(f)))
    return None


def _general_year(year: int | None, digits: int) -> int:
    if year is None:
        raise ValueError(_("year missing"))
    if digits == 2:
        year += 2000 if year <= 68 else 1900
    if not 1900 <= year < 2200:
        raise ValueError(_("year out of range"))
    return year


def _general(value: object, dayfirst: bool) -> datetime:
    if _is_missing(value):
        raise ValueError(_("empty"))
    if isinstance(value, datetime):
        # A plain naive datetime, also from a pandas Timestamp (its nanoseconds are dropped).
        v = value
        return datetime(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    f = _number(value)
    if f is not None:
        if not math.isfinite(f):
            raise ValueError(_("not a date"))
        ymd = _yyyymmdd(f)
        if ymd is not None:
            return datetime(*ymd)
        return _excel_datetime(f)
    s = value.strip() if isinstance(value, str) else str(value).strip()
    if not s:
        raise ValueError(_("empty"))
    if (m := _NUMBER_RE.match(s)) and len(m.group(1)) == 5:
        return _excel_datetime(float(s.replace(",", ".")))
    year, ydigits, month, day, clock = _split(s, dayfirst)
    _check_day(None, month, day)
    year = _general_year(year, ydigits)
    _check_day(year, month, day)
    if clock is None:
        return datetime(year, month, day)
    h, mi, sec, micro = clock
    return datetime(year, month, day, h, mi, sec, micro)


def parse_date(value: object, *, dayfirst: bool = True) -> date:
    """A general date (order, call, visit) from a string, number or date object.

    Accepts what :func:`parse_birthday` does, except that the year is required; a time part is
    read and dropped. Raises ValueError with a reason.
    """
    return _general(value, dayfirst).date()


def parse_datetime(value: object, *, dayfirst: bool = True) -> datetime:
    """A naive datetime; a date alone gives midnight, an Excel serial's fraction gives the time.

    A zone or offset ("Z", "+03:00", "UTC", "MSK") is accepted and *dropped*: the wall-clock time
    is kept as written. Small-business exports mix zoned and unzoned stamps of the same local
    clock, and converting some of them to UTC would shift those by hours against the rest.
    Aware datetime objects lose their tzinfo the same way.
    """
    return _general(value, dayfirst)


# --- birthdays --------------------------------------------------------------------------------

_FAST_RE = re.compile(r"(\d\d?)\.(\d\d?)\.(\d{4})|(\d{4})-(\d\d)-(\d\d)(?:[ T]00:00:00)?")

# Apple Contacts writes 1604 for "year not given" (X-APPLE-OMIT-YEAR=1604); some exporters
# write 0000 for the same thing.
_NO_YEAR = (1604, 0)


def _birthday(year: int | None, month: int, day: int, today: date, digits: int = 4) -> Birthday:
    if year is not None:
        if digits == 2:
            # The most recent year ending in these two digits that is not in the future.
            year += 2000
            if (year, month, day) > (today.year, today.month, today.day):
                year -= 100
        elif year in _NO_YEAR:
            year = None
    if year is not None:
        _check_day(year, month, day)  # month and day reasons come before the year's
        if year < 1900:
            raise ValueError(_("year before 1900"))
        if year > today.year:
            raise ValueError(_("year in the future"))
        if year == today.year and (month, day) > (today.month, today.day):
            raise ValueError(_("date in the future"))
    return Birthday(year, month, day)  # validates month and day


def _birthday_number(f: float, today: date) -> Birthday:
    if not math.isfinite(f):
        raise ValueError(_("not a date"))
    ymd = _yyyymmdd(f)
    if ymd is not None:
        return _birthday(*ymd, today)
    if f.is_integer() and 1800 <= f <= 2100:
        raise ValueError(_("year only"))
    # Below 1000 a "serial" would be a 1900–1902 birthday: far likelier an age, a count or junk.
    if f < 1000:
        raise ValueError(_("not a date"))
    d = excel_serial_to_date(f)
    return _birthday(d.year, d.month, d.day, today)


def parse_birthday(
    value: object, *, today: date | None = None, dayfirst: bool = True
) -> Birthday | None:
    """A birthday from whatever a contact list holds; None for an empty cell.

    Accepts date/datetime objects, "01.02.1985", "1.2.85", "1985-02-01", "1985-02-01 00:00:00",
    "01/02/1985", "1 февраля 1985 г.", "01 фев 1985", "Feb 1, 1985", "01.02" and "1 февраля"
    (no year), vCard "19800322", "--0322", "--03-22", Apple "1604-03-22" (year unknown), and Excel
    serials as numbers or 5-digit strings ("31079" → 1985-02-01). A bare 4-digit year raises
    "year only". ``today`` (default: the system date) bounds the future and resolves 2-digit years.
    """
    if _is_missing(value):
        return None
    if today is None:
        today = date.today()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _birthday(value.year, value.month, value.day, today)
    f = _number(value)
    if f is not None:
        return _birthday_number(f, today)
    s = value.strip() if isinstance(value, str) else str(value).strip()
    if not s:
        return None
    # The two forms that make up most real columns skip the general parser.
    if (ymd := _fast_ymd(s, dayfirst)) is not None:
        return _birthday(*ymd, today)
    if (m := _NUMBER_RE.match(s)) and len(m.group(1)) == 5:
        return _birthday_number(float(s.replace(",", ".")), today)
    year, digits, month, day, _clock = _split(s, dayfirst)
    return _birthday(year, month, day, today, digits)


def _fast_ymd(s: str, dayfirst: bool) -> tuple[int, int, int] | None:
    """(year, month, day) as written in ``s`` (stripped) when it is one of the two forms
    ``parse_birthday`` reads without the general parser."""
    if m := _FAST_RE.fullmatch(s):
        d, mo, y, iy, imo, id_ = m.groups()
        if iy:
            return int(iy), int(imo), int(id_)
        if dayfirst and int(mo) <= 12:  # otherwise the general parser may swap day and month
            return int(y), int(mo), int(d)
    return None


def birthday_ymd(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written in a text ``parse_birthday`` reads by its fast path (day
    first: "01.02.1985", "1.2.1985", "1985-02-01"), else None. Two texts with the same answer
    have the same birthday or the same reason it is none (both are read from these three
    numbers alone), so a caller can parse each day once however it is written."""
    return _fast_ymd(text.strip(), True)


# A date whose digits are all there but that is no date: "1964-11-71", "31.13.1985".
_YMD = re.compile(r"\s*(\d{4})[-./ ](\d{1,2})[-./ ](\d{1,2})\s*")
_DMY = re.compile(r"\s*(\d{1,2})[./ ](\d{1,2})[./ ](\d{4})\s*")
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})\s*")


def birthday_digits(raw: str | None) -> tuple[int, int, int] | None:
    """Year, month and day as written in a birthday the import kept because it is not a date.

    A typo'd digit often makes a date impossible (day 71, month 13); its digits are still
    evidence: "1964-11-71" is one digit off "1964-11-21" and far from "1962-11-26". Only whole
    dates with a four-digit year are read (year first, or day first with dots); anything else
    stays unknown.
    """
    if not raw:
        return None
    m = _YMD.fullmatch(raw) or _COMPACT.fullmatch(raw)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = _DMY.fullmatch(raw)
        if not m:
            return None
        d, mo, y = (int(x) for x in m.groups())
    if not (y and mo and d):
        return None
    return y, mo, d
