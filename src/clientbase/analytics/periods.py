"""Calendar periods as consecutive integer codes: ISO weeks (Monday to Sunday), months and
quarters. Codes make a period arithmetic (next, how many between) and vectorise over datetime64
columns; labels ("2026-W03", "2026-01", "2026-Q1") are made only for what is shown."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

EPOCH_MONDAY = date(1969, 12, 29)  # the Monday before 1970-01-01: week code 0 starts here


def period_codes(ts: np.ndarray, period: str) -> np.ndarray:
    """Consecutive integer codes of the periods of datetime64 values (vectorised, no labels)."""
    if period == "week":
        # Days since 1970-01-01 shifted to the epoch Monday, so floor division by 7 starts each
        # week on a Monday; floor (not truncation) keeps dates before 1970 right too.
        return (ts.astype("datetime64[D]").astype(np.int64) + 3) // 7
    months = ts.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return months if period == "month" else months // 3  # 1970-01 starts a quarter


def code_of(day: date, period: str) -> int:
    return int(period_codes(np.array([np.datetime64(day, "D")]), period)[0])


def period_start(code: int, period: str) -> date:
    if period == "week":
        return EPOCH_MONDAY + timedelta(weeks=code)
    months = code if period == "month" else code * 3
    return date(1970 + months // 12, months % 12 + 1, 1)


def period_label(code: int, period: str) -> str:
    first_day = period_start(code, period)
    if period == "week":
        iso = first_day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return f"{first_day.year}-{first_day.month:02d}"
    return f"{first_day.year}-Q{(first_day.month - 1) // 3 + 1}"


def full_codes(start: date, end: date, period: str) -> tuple[int, int]:
    """First and last codes of the full periods in [start, end]; first > last when there are none."""
    first = code_of(start, period)
    if period_start(first, period) < start:
        first += 1
    last = code_of(end, period)
    if period_start(last + 1, period) - timedelta(days=1) > end:
        last -= 1
    return first, last
