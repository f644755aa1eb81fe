"""Lifecycle stages and tags of a customer: the rules, with thresholds a user can change.

Everything counts back from a day, ``as_of`` (today unless told), by calendar day; orders are
the live ones (cancelled and returned left out). "Activity" is the later of the last order and
the last contact (a call, message, meeting or note; not a reminder, not an outgoing call nobody
answered). ``d`` below is the number of days from the activity's day to ``as_of``.

Stages, decided in this order (the first that holds wins):
    lead      no order at all
    lost      d > lost_days (365)
    sleeping  d > sleeping_days (90); graded by how long it has lasted, in thirds of the way
              from sleeping_days to lost_days: hot (with the defaults d <= 182), warm (<= 273),
              cold (<= 365)
    new       the first order at most new_days (90) ago
    active    everyone else who bought

Tags (a customer may have several, or none):
    vip              ABC class A of the last 12 months (as on the card), or a revenue among the
                     top vip_top_percent (5 %) of the buyers: the buyers are ranked by revenue,
                     the cut-off is the revenue of the customer at place ceil(5 % x buyers), and
                     everyone with at least that much is in (so equal revenues are not split)
    one_time_buyer   exactly one order, placed more than new_days ago (a new customer has not
                     had the time to come back yet)
    discount_seeker  at least discount_seeker_min_orders (2) orders, and more than
                     discount_seeker_share (50 %) of them with a discount
    loyal            at least loyal_orders (3) orders in the loyal_months (12) months up to
                     ``as_of`` (as_of 2026-03-10: since 2025-03-11)

Reactivation (services.segments.reactivation) uses the last three settings: see there.

The rules exist twice, on purpose: ``stage``/``tags`` in Python for one customer (and as the
readable reference), ``stage_sql``/``tags_sql`` as SQL expressions for a million at once. The
tests hold the two to the same answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta

from clientbase.errors import UsageError
from clientbase.i18n import N_, _
from clientbase.segments.tree import Duration

STAGES = ("lead", "new", "active", "sleeping", "lost")
WARMTH = ("hot", "warm", "cold")
TAGS = ("vip", "one_time_buyer", "discount_seeker", "loyal")


@dataclass(frozen=True)
class LifecycleSettings:
    new_days: int = 90
    sleeping_days: int = 90
    lost_days: int = 365
    vip_top_percent: float = 5.0
    loyal_orders: int = 3
    loyal_months: int = 12
    discount_seeker_share: float = 50.0
    discount_seeker_min_orders: int = 2
    reactivation_factor: float = 2.0
    reactivation_min_orders: int = 3
    reactivation_min_days: int = 30

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_range(f.name, getattr(self, f.name))
        if self.sleeping_days >= self.lost_days:
            raise UsageError(
                _(
                    "sleeping_days ({sleeping_days}) must be less than lost_days ({lost_days}): a customer sleeps before being lost"
                ).format(sleeping_days=self.sleeping_days, lost_days=self.lost_days),
                hint=_("change one of them: clientbase settings set lost_days 365"),
            )


# key -> (type, lowest, highest, meaning)
SETTINGS: dict[str, tuple[type, float, float, str]] = {
    "new_days": (int, 1, 3650, N_("a first order at most this many days ago makes a customer new")),
    "sleeping_days": (int, 1, 3650, N_("days without an order or a contact before sleeping")),
    "lost_days": (int, 2, 36500, N_("days without an order or a contact before lost")),
    "vip_top_percent": (float, 0, 100, N_("VIP: the top % of buyers by revenue (besides class A)")),
    "loyal_orders": (int, 1, 100000, N_("loyal: at least this many orders in loyal_months")),
    "loyal_months": (int, 1, 120, N_("loyal: the months counted back from today")),
    "discount_seeker_share": (float, 0, 100, N_("discount seeker: more than this % of orders "
                              "with a discount")),
    "discount_seeker_min_orders": (int, 1, 100000, N_("discount seeker: at least this many orders")),
    "reactivation_factor": (float, 1, 100, N_("reactivation: silent this many times the customer's "
                            "usual interval")),
    "reactivation_min_orders": (int, 2, 100000, N_("reactivation: bought on at least this many days")),
    "reactivation_min_days": (int, 1, 3650, N_("reactivation: and silent at least this many days")),
}  # fmt: skip


def _allowed() -> str:
    return ", ".join(SETTINGS)


def _check_range(key: str, value) -> None:
    kind, low, high, _meaning = SETTINGS[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(_("{key} must be a number, got {value!r}").format(key=key, value=value))
    if kind is int and value != int(value):
        raise UsageError(
            _("{key} must be a whole number, got {value}").format(key=key, value=value)
        )
    if not low <= value <= high:
        raise UsageError(
            _("{key} must be between {low:g} and {high:g}, got {value:g}").format(
                key=key, low=low, high=high, value=value
            )
        )


DEFAULTS = LifecycleSettings()


def parse_setting(key: str, text: str) -> int | float:
    """The value of ``settings set KEY VALUE``, checked on its own (exit 2 with the allowed keys
    or the allowed range)."""
    if key not in SETTINGS:
        raise UsageError(
            _("unknown setting {key!r}").format(key=key),
            hint=_("one of: {names}").format(names=_allowed()),
        )
    kind = SETTINGS[key][0]
    t = str(text).strip().replace(",", ".").rstrip("%").strip()
    try:
        value = int(t) if kind is int else float(t)
    except ValueError:
        if kind is int:
            raise UsageError(
                _("{key}: {text!r} is not a whole number").format(key=key, text=text)
            ) from None
        raise UsageError(_("{key}: {text!r} is not a number").format(key=key, text=text)) from None
    if kind is float and not math.isfinite(value):
        raise UsageError(_("{key}: {text!r} is not a number").format(key=key, text=text))
    _check_range(key, value)
    return value


def settings_from(stored: dict[str, str]) -> LifecycleSettings:
    """LifecycleSettings from the ``settings`` table's text values; keys of other features are
    ignored, a bad stored value of ours is an error naming the key."""
    values = {k: parse_setting(k, v) for k, v in stored.items() if k in SETTINGS}
    return replace(DEFAULTS, **values)


# --- cut-offs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cutoffs:
    """The day boundaries of the rules for one ``as_of``, as datetimes (midnight starts)."""

    as_of: date
    end: datetime  # the start of the day after as_of: later orders and contacts do not count
    new_since: datetime
    sleeping_before: datetime
    lost_before: datetime
    hot_since: datetime
    warm_since: datetime
    loyal_since: datetime
    hot_days: int
    warm_days: int


def _start(d: date) -> datetime:
    return datetime.combine(d, time())


def cutoffs(as_of: date, s: LifecycleSettings) -> Cutoffs:
    span = s.lost_days - s.sleeping_days
    hot_days = s.sleeping_days + round(span / 3)
    warm_days = s.sleeping_days + round(2 * span / 3)
    return Cutoffs(
        as_of=as_of,
        end=_start(as_of + timedelta(days=1)),
        new_since=_start(as_of - timedelta(days=s.new_days)),
        sleeping_before=_start(as_of - timedelta(days=s.sleeping_days)),
        lost_before=_start(as_of - timedelta(days=s.lost_days)),
        hot_since=_start(as_of - timedelta(days=hot_days)),
        warm_since=_start(as_of - timedelta(days=warm_days)),
        loyal_since=_start(Duration(s.loyal_months, "m").before(as_of) + timedelta(days=1)),
        hot_days=hot_days,
        warm_days=warm_days,
    )


# --- the rules in Python -------------------------------------------------------------------------


def stage(
    *,
    orders: int,
    first_order: datetime | None,
    last_order: datetime | None,
    last_contact: datetime | None,
    as_of: date,
    settings: LifecycleSettings = DEFAULTS,
) -> tuple[str, str | None]:
    """(stage, warmth) of one customer; warmth is None unless sleeping."""
    if not orders:
        return "lead", None
    activity = max(x for x in (last_order, last_contact) if x is not None)
    d = (as_of - activity.date()).days
    if d > settings.lost_days:
        return "lost", None
    if d > settings.sleeping_days:
        cut = cutoffs(as_of, settings)
        return "sleeping", "hot" if d <= cut.hot_days else "warm" if d <= cut.warm_days else "cold"
    if first_order is not None and (as_of - first_order.date()).days <= settings.new_days:
        return "new", None
    return "active", None


def tags(
    *,
    orders: int,
    revenue: float,
    abc: str | None,
    discount_orders: int,
    recent_orders: int,
    first_order: datetime | None,
    vip_revenue: float | None,
    as_of: date,
    settings: LifecycleSettings = DEFAULTS,
) -> list[str]:
    """The lifecycle tags of one customer. ``recent_orders``: orders in loyal_months;
    ``vip_revenue``: the top-percent cut-off (``vip_cutoff``)."""
    out = []
    if abc == "A" or (vip_revenue is not None and revenue > 0 and revenue >= vip_revenue):
        out.append("vip")
    if (
        orders == 1
        and first_order is not None
        and ((as_of - first_order.date()).days > settings.new_days)
    ):
        out.append("one_time_buyer")
    if (
        orders >= settings.discount_seeker_min_orders
        and discount_orders * 100 > settings.discount_seeker_share * orders
    ):
        out.append("discount_seeker")
    if recent_orders >= settings.loyal_orders:
        out.append("loyal")
    return out


def vip_place(buyers: int, settings: LifecycleSettings = DEFAULTS) -> int:
    """How many buyers the top percent is (at least one when there are buyers and a percent)."""
    if buyers <= 0 or settings.vip_top_percent <= 0:
        return 0
    return max(1, math.ceil(buyers * settings.vip_top_percent / 100 - 1e-9))


def vip_cutoff(revenues: list[float], settings: LifecycleSettings = DEFAULTS) -> float | None:
    """The revenue of the buyer at the top-percent place (buyers: revenue > 0)."""
    ranked = sorted((r for r in revenues if r > 0), reverse=True)
    k = vip_place(len(ranked), settings)
    return ranked[k - 1] if k else None


# --- the same rules in SQL -----------------------------------------------------------------------


def stage_sql(n, first, last, contact, cut: Cutoffs):
    """(stage, warmth) as SQL CASE expressions over the columns of a customer's order count,
    first and last order and last contact (the same rules as ``stage``)."""
    # SQLAlchemy here only: the rules in Python above serve the quick listing, which does
    # without it (services.quick_list).
    from sqlalchemy import and_, case, literal, or_

    activity = case(
        (contact.is_(None), last),
        (last.is_(None), contact),
        (last >= contact, last),
        else_=contact,
    )
    no_orders = or_(n.is_(None), n == 0)
    st = case(
        (no_orders, literal("lead")),
        (activity < cut.lost_before, literal("lost")),
        (activity < cut.sleeping_before, literal("sleeping")),
        (first >= cut.new_since, literal("new")),
        else_=literal("active"),
    )
    sleeping = and_(~no_orders, activity >= cut.lost_before, activity < cut.sleeping_before)
    warmth = case(
        (~sleeping, None),
        (activity >= cut.hot_since, literal("hot")),
        (activity >= cut.warm_since, literal("warm")),
        else_=literal("cold"),
    )
    return st, warmth


def tags_sql(n, revenue, abc, discount_orders, recent_orders, first, vip_revenue, cut: Cutoffs,
             s: LifecycleSettings):  # fmt: skip
    """{tag: 0/1 SQL expression}, the same rules as ``tags``; ``vip_revenue`` a number or None."""
    # the rules in Python (``stage``) serve the quick listing, which runs without SQLAlchemy
    from sqlalchemy import and_, case, literal, or_

    def flag(cond):
        return case((cond, 1), else_=0)

    top = and_(revenue > 0, revenue >= vip_revenue) if vip_revenue is not None else literal(False)
    return {
        "vip": flag(or_(abc == "A", top)),
        "one_time_buyer": flag(and_(n == 1, first < cut.new_since)),
        "discount_seeker": flag(
            and_(
                n >= s.discount_seeker_min_orders,
                discount_orders * 100 > n * s.discount_seeker_share,
            )
        ),
        "loyal": flag(recent_orders >= s.loyal_orders),
    }
