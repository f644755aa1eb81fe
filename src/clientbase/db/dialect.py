"""SQL that SQLite and PostgreSQL spell differently: calendar numbers of a stored time, the day
after it, and a column's values joined into one text.

SQLite keeps a time as ISO text, always ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLAlchemy's storage
format, and the importers' own), so the year, month and day are read by position: a third
faster than ``strftime`` over a million rows. PostgreSQL has a ``timestamp`` with ``extract``
and date arithmetic. The numbers
match ``analytics.periods``: days and months counted from 1970-01-01, so a period code made in
SQL equals the one numpy makes of the same time.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Integer,
    String,
    Text,
    case,
    cast,
    func,
    literal,
    type_coerce,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

_JULIAN_1970 = 2440587.5  # julianday('1970-01-01'): midnight, so a day's number is whole
_MONTHS_1970 = 1970 * 12 + 1  # year * 12 + month of 1970-01, which is month 0


def day_number(column, dialect: str):
    """Days from 1970-01-01 to the calendar day of a stored time (negative before it)."""
    if dialect == "sqlite":
        return cast(func.julianday(func.substr(column, 1, 10)) - _JULIAN_1970, Integer)
    return type_coerce(cast(column, Date) - literal(date(1970, 1, 1), Date), Integer)


def month_number(column, dialect: str):
    """Calendar months from 1970-01 to the month of a stored time (negative before it)."""
    if dialect == "sqlite":
        year, month = func.substr(column, 1, 4), func.substr(column, 6, 2)
    else:  # date_part gives a double; EXTRACT a numeric since PostgreSQL 14, a third slower
        year, month = func.date_part("year", column), func.date_part("month", column)
    return cast(year, Integer) * 12 + cast(month, Integer) - _MONTHS_1970


def floor_div(number, by: int):
    """``number // by`` rounded down for negative numbers too (SQL's integer division rounds
    towards zero): the remainder taken away first, so the division is exact."""
    rest = (number % by + by) % by
    return (number - rest) // by


def next_day(column, dialect: str):
    """The start of the day after a stored time's day, comparable with the stored times: on
    SQLite the text ``YYYY-MM-DD``, which sorts before every time of that day and after every
    time of the days before."""
    if dialect == "sqlite":
        return func.date(column, "+1 day")
    return cast(column, Date) + 1


def joined_ints(column, dialect: str):
    """An aggregate: the integer values of ``column`` joined by commas (NULLs are skipped)."""
    if dialect == "sqlite":
        return func.group_concat(column)
    return func.string_agg(cast(column, Text), ",")


def _sqlite_float_text(column):
    """A float of SQLite as the text ``db.joined.floats_read`` reads back to the very double.

    Money is mostly whole kopecks (cents): such a value is written as the whole number of
    hundredths, which numpy reads and divides by 100 at once, and which SQLite writes in a
    third of the time its 18 digits take (0.2 s less per million amounts). A value that is
    not exactly its hundredths divided by 100 (the same IEEE division numpy makes: the check
    is exact) is written as before, after a ``~``. SQLite's own text of a float keeps 15
    digits and its ``%g`` at most 16; the ``!`` flag lifts that limit, and 18 digits of its
    extended-precision conversion read back to the same double (17 did not, for one value in
    200,000)."""
    cents = cast(func.round(column * 100), Integer)
    exact = cents / literal(100.0, Float) == column
    return case((exact, cents), else_=literal("~", String) + func.printf("%!.18g", column))


def joined_floats(column, dialect: str):
    """An aggregate: the float values of ``column`` joined by commas, each written so that it
    reads back exactly (``db.joined.floats_read``)."""
    if dialect == "sqlite":
        return func.group_concat(_sqlite_float_text(column))
    # PostgreSQL writes the shortest text that reads back exactly (extra_float_digits >= 1).
    return func.string_agg(cast(cast(column, Float(53)), String), ",")


def joined_floats_or_nan(column, dialect: str):
    """``joined_floats`` of a column that may be NULL: a NULL is written ``nan``, so the
    values keep their places beside the other joined columns of the same rows."""
    if dialect == "sqlite":
        text = case((column.is_(None), "~nan"), else_=_sqlite_float_text(column))
        return func.group_concat(text)
    text = func.coalesce(cast(cast(column, Float(53)), String), "NaN")
    return func.string_agg(text, ",")


def joined_micros(column, dialect: str):
    """An aggregate: a time column (NOT NULL) as microseconds from 1970-01-01 00:00, joined
    by commas: numbers numpy reads at once, where a million ISO texts would first be split
    into a million strings."""
    if dialect == "sqlite":

        def part(start: int, length: int):
            return cast(func.substr(column, start, length), BigInteger)

        if sqlite3.sqlite_version_info >= (3, 38):
            # unixepoch (SQLite 3.38) reads the time at once, three times faster than the
            # parts below; given whole seconds, it has no fraction to round towards zero
            # (before 1970 that would be a second off)
            seconds = func.unixepoch(func.substr(column, 1, 19))
        else:
            days = cast(day_number(column, dialect), BigInteger)
            seconds = days * 86400 + part(12, 2) * 3600 + part(15, 2) * 60 + part(18, 2)
        return func.group_concat(seconds * 1_000_000 + part(21, 6))
    micros = cast(func.extract("epoch", column) * 1_000_000, BigInteger)
    return func.string_agg(cast(micros, Text), ",")


def without_own_index(column, dialect: str):
    """``column`` for a condition SQLite is not to answer through the column's own index (its
    unary ``+``), when another index serves the query better (one that holds every column the
    query reads); PostgreSQL's planner weighs that itself."""
    if dialect == "sqlite":
        return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)
    return column


# Between joined texts: the unit separator, not in what people type (a reader checks the count).
TEXT_SEPARATOR = "\x1f"


def joined_texts(column, dialect: str):
    """An aggregate: the texts of ``column`` joined by ``TEXT_SEPARATOR``, each written after
    a ``=`` and a NULL as nothing, so that a NULL and an empty text stay apart."""
    text = case((column.is_(None), ""), else_=literal("=", String) + cast(column, String))
    if dialect == "sqlite":
        return func.group_concat(text, TEXT_SEPARATOR)
    return func.string_agg(text, TEXT_SEPARATOR)
