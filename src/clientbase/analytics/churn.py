"""Base loss per year and cohort retention.

Pure functions over a frame of orders (``services.analytics.load_orders``). Only the order
dates matter; several orders on one day are one buying day.

Base loss (``base_loss``)
    A customer is *active at the start of year Y* when their last buying day before 1 January Y
    lies within the inactivity window before it: at most ``inactive_days`` days before
    (365 by default: bought at some point in the preceding twelve months). With
    ``relative=True`` the window is the customer's own rhythm instead: ``multiple`` (3) times
    the median gap between their distinct buying days before 1 January Y; a customer with
    fewer than two buying days by then has no rhythm yet and keeps ``inactive_days``. A
    customer active at the start of Y who buys nothing during Y is *lost* in Y; the loss rate
    is lost / active (a fraction: 0.2 = 20 %).

    The data must reach back over the whole window, or the customers active then cannot be
    seen: a year is left out when its 1 January minus ``inactive_days`` is before the first
    order in the data (so the first year of data never has a row with the default window). The
    data end at ``as_of`` (default: the last order's date). A year that ends after it is
    reported with ``partial=True`` and counts the losses so far (``through`` is the last day
    looked at): a rate that can only fall as the year goes on, not a year's figure.

Retention (``retention``)
    Customers are grouped by the calendar month of their first order. Cell (cohort, k) = the
    share of the cohort that bought in calendar month k after the acquisition month (month 0 is
    1 by definition). Months after the last order month in the data are NaN. Cohort sizes are
    in ``attrs["customers"]``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from clientbase.analytics.ltv import _cohort_matrix, prepare_orders, to_day
from clientbase.errors import UsageError
from clientbase.i18n import _

BASE_LOSS_COLUMNS = ("year", "active_at_start", "lost", "loss_rate", "partial", "through")


def base_loss(
    frame: pd.DataFrame,
    *,
    inactive_days: int = 365,
    relative: bool = False,
    multiple: float = 3.0,
    as_of=None,
    since=None,
) -> pd.DataFrame:
    """Per calendar year with a full window of data before it: customers active at its start,
    those of them who bought nothing during it, and the share (``BASE_LOSS_COLUMNS``).

    ``since`` is the first day the data cover (default: the first order's); a part of the base
    (one channel) passes the whole base's, since its own first order says nothing about when
    the records begin."""
    if inactive_days < 1:
        raise UsageError(
            _("inactive_days must be at least 1, got {inactive_days}").format(
                inactive_days=inactive_days
            )
        )
    if multiple <= 0:
        raise UsageError(_("multiple must be above 0, got {multiple:g}").format(multiple=multiple))
    orders = prepare_orders(frame, until=as_of)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in BASE_LOSS_COLUMNS})
    if orders.empty:
        return empty
    cust, day = buying_days(
        orders["customer_id"].to_numpy(np.int64),
        orders["ordered_at"].to_numpy().astype("datetime64[D]").astype(np.int64),
    )
    same = np.r_[False, cust[1:] == cust[:-1]]
    gap = np.where(same, day - np.r_[day[0], day[:-1]], -1)  # -1: first buying day, no gap
    first_day = int(day.min())
    if since is not None:
        first_day = min(
            first_day, int(to_day(since).to_datetime64().astype("datetime64[D]").astype(np.int64))
        )
    end = to_day(as_of) if as_of is not None else pd.Timestamp(day.max(), unit="D")
    end_code = int(end.to_datetime64().astype("datetime64[D]").astype(np.int64))

    rows = []
    for year in range(_year_of(first_day), end.year + 1):
        start = _day_code(date(year, 1, 1))
        if start - inactive_days < first_day or start > end_code:
            continue
        year_end = _day_code(date(year, 12, 31))
        through = min(year_end, end_code)
        before = day < start
        last_before = pd.Series(day[before]).groupby(cust[before]).max()
        window = pd.Series(float(inactive_days), index=last_before.index)
        if relative:
            known = before & (gap >= 0)
            median_gap = pd.Series(gap[known]).groupby(cust[known]).median()
            window.loc[median_gap.index] = multiple * median_gap.to_numpy(float)
        active = last_before.index[(start - last_before.to_numpy()) <= window.to_numpy()]
        during = (day >= start) & (day <= through)
        buyers = np.unique(cust[during])
        lost = int((~np.isin(active.to_numpy(), buyers)).sum())
        n = len(active)
        rows.append(
            {
                "year": year,
                "active_at_start": n,
                "lost": lost,
                "loss_rate": lost / n if n else float("nan"),
                "partial": through < year_end,
                "through": _date_of(through),
            }
        )
    if not rows:
        return empty
    out = pd.DataFrame(rows, columns=list(BASE_LOSS_COLUMNS))
    out.attrs["first_order"] = _date_of(first_day)
    return out


def buying_days(cust: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (customer, day number) pairs of the rows, by customer, then day."""
    if not len(cust):
        return cust, day
    low_c, low_d = int(cust.min()), int(day.min())
    span = int(day.max()) - low_d + 1
    if (int(cust.max()) - low_c + 1) * span < 2**62:
        # each pair as one number, sorted, and each kept once: several times faster than a
        # frame's drop_duplicates and sort (and than np.unique, which hashes them first)
        pairs = np.sort((cust - low_c) * span + (day - low_d))
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
        return pairs // span + low_c, pairs % span + low_d
    # ids too far apart for one number per pair
    days = pd.DataFrame({"c": cust, "d": day}).drop_duplicates().sort_values(["c", "d"])
    return days["c"].to_numpy(), days["d"].to_numpy()


def first_full_year(frame: pd.DataFrame, *, inactive_days: int = 365) -> int | None:
    """The first year ``base_loss`` can report on: the first whose window lies in the data."""
    orders = prepare_orders(frame)
    if orders.empty:
        return None
    first = orders["ordered_at"].min().date()
    earliest = pd.Timestamp(first) + pd.Timedelta(days=inactive_days)
    return earliest.year + ((earliest.month, earliest.day) != (1, 1))


def retention(frame: pd.DataFrame, *, max_months: int | None = None, end=None) -> pd.DataFrame:
    """Share of each acquisition month ("YYYY-MM" rows) buying in month k since (columns
    0..k); future cells NaN (after ``end``, default the last order's day); sizes in
    ``attrs["customers"]``."""
    orders = prepare_orders(frame, until=end)
    return _cohort_matrix(orders, max_months, values=None, end=end)


_EPOCH = date(1970, 1, 1)


def _day_code(d: date) -> int:
    return (d - _EPOCH).days


def _date_of(code: int) -> date:
    return date.fromordinal(_EPOCH.toordinal() + int(code))


def _year_of(code: int) -> int:
    return _date_of(code).year
