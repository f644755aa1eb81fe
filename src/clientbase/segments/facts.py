"""Per-customer facts for the filter language, computed in one place.

``materialised(conn, fields=…)`` fills a TEMP table ``customer_facts`` on the connection with one
row per customer in the base (not merged away, not erased; archived ones included, the caller
decides) and only the columns the fields need:

- identity straight from ``customers``; has_phone / has_email from the valid contact points;
  consent per channel from the latest ``consents`` event of each point and channel, else the
  point's general consent (archived customers have none);
- purchases as SQL aggregates over the live orders (cancelled and returned left out) dated up to
  ``as_of``: orders, revenue, avg_check, first/last order, discount_share, orders in
  loyal_months; last_contact from the interactions (services.contacts counts the same way);
- classes from pandas only when asked for: ABC/XYZ of the 12 months up to the latest order
  (the card's window), the RFM segment (quintile scores), historical LTV;
- lifecycle stage, warmth and tags as SQL CASE expressions over those columns (rules in
  segments.lifecycle); birthday_in_days by joining a 366-row table of day offsets, so no date
  arithmetic is needed in SQL.

The whole fill is one ``INSERT … SELECT`` (plus a bulk insert of the pandas classes), so a million
customers never pass through Python one by one. Sets (tags, categories) are not columns: the
filter asks ``EXISTS`` of the real tables.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.schema import DropTable

from clientbase.db.bulk import insert_rows, select_where_in
from clientbase.db.facts_cache import fact_rows
from clientbase.db.models import (
    consents,
    contact_points,
    customers,
    interactions,
    orders,
)
from clientbase.segments.activity import (
    COUNTED_CONTACT,
    IS_RETURN,
    LAST_CONTACT,
    LIVE_ORDER,
    PURCHASES,
)
from clientbase.segments.fields import FIELDS
from clientbase.segments.filter_sql import to_sql
from clientbase.segments.lifecycle import (
    Cutoffs,
    LifecycleSettings,
    cutoffs,
    stage_sql,
    tags_sql,
    vip_place,
)
from clientbase.segments.tree import NULL, And, Compare, Node

GONE = ("erased", "merged")  # never in a segment; archived ones only when asked for

_MD = MetaData()
FACTS = Table(
    "customer_facts", _MD,
    Column("id", Integer, primary_key=True),
    *(Column(n, String) for n in ("name", "kind", "city", "company", "source", "manager",
                                  "gender", "status")),
    Column("created", DateTime),
    Column("birthday_in_days", Integer),
    *(Column(n, Integer) for n in ("has_phone", "has_email", "consent", "consent_email",
                                   "consent_sms", "consent_calls", "consent_ads")),
    Column("last_contact", DateTime),
    Column("orders", Integer),
    Column("revenue", Float),
    Column("avg_check", Float),
    Column("first_order", DateTime),
    Column("last_order", DateTime),
    Column("discount_share", Float),
    Column("discount_orders", Integer),
    Column("orders_12m", Integer),
    *(Column(n, String) for n in ("abc", "xyz", "rfm_segment")),
    Column("ltv", Float),
    Column("lifecycle", String),
    Column("warmth", String),
    *(Column(n, Integer) for n in ("vip", "one_time_buyer", "discount_seeker", "loyal")),
    prefixes=["TEMPORARY"],
)  # fmt: skip
CLASSES = Table(
    "customer_classes", _MD,
    Column("id", Integer, primary_key=True),
    Column("abc", String), Column("xyz", String), Column("rfm_segment", String),
    Column("ltv", Float),
    prefixes=["TEMPORARY"],
)  # fmt: skip
NARROW = Table(
    "customer_narrow", _MD, Column("id", Integer, primary_key=True), prefixes=["TEMPORARY"]
)
BIRTHDAY_DAYS = Table(
    "birthday_days", _MD,
    Column("month", Integer, primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("days", Integer),
    prefixes=["TEMPORARY"],
)  # fmt: skip

# The groups whose figures depend on the as-of day and on the orders or interactions: computed
# once per day for the whole base and kept in fact_rows (segments.cache); their columns by group.
CACHED_COLUMNS = {
    "contact": ("last_contact",),
    "purchases": ("orders", "revenue", "avg_check", "first_order", "last_order",
                  "discount_share", "discount_orders", "orders_12m"),
    "lifecycle": ("lifecycle", "warmth"),
    "abc": ("abc", "xyz"),
    "rfm": ("rfm_segment",),
    "ltv": ("ltv",),
    "lifecycle_tags": ("vip", "one_time_buyer", "discount_seeker", "loyal"),
}  # fmt: skip
CLASS_GROUPS = frozenset({"abc", "rfm", "ltv", "lifecycle_tags"})  # pandas, or built on it

# What each group of fields needs computed first.
_NEEDS = {
    "lifecycle": {"purchases", "contact"},
    "lifecycle_tags": {"purchases", "abc"},
}
_PANDAS = {"abc", "rfm", "ltv"}
CHANNELS = ("email", "sms", "calls", "ads")
CHANNEL_KINDS = {
    "email": ("email",),
    "sms": ("phone",),
    "calls": ("phone",),
    "ads": ("phone", "email"),
}  # fmt: skip  (as importers.clean)


def groups_for(field_names: Iterable[str]) -> set[str]:
    """The fact groups the fields need (their own and what those are computed from)."""
    groups = {FIELDS[f].group for f in field_names}
    for g in list(groups):
        groups |= _NEEDS.get(g, set())
    return groups


# --- birthdays -----------------------------------------------------------------------------------


def celebration(month: int, day: int, year: int) -> date:
    """The day a birthday is celebrated in a year: 29 February is 28 February in other years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def days_to_birthday(month: int, day: int, today: date) -> int:
    """0 = today, 1 = tomorrow … up to 365."""
    this = celebration(month, day, today.year)
    if this < today:
        this = celebration(month, day, today.year + 1)
    return (this - today).days


def _month_days() -> Iterator[tuple[int, int]]:
    for m in range(1, 13):
        for d in range(1, calendar.monthrange(2000, m)[1] + 1):  # 2000: a leap year
            yield m, d


def birthday_offsets(today: date) -> dict[tuple[int, int], int]:
    """(month, day) -> days to the next such birthday, for all 366 days of a leap year."""
    return {(m, d): days_to_birthday(m, d, today) for m, d in _month_days()}


# --- the facts query -----------------------------------------------------------------------------


def _sql(text_: str, type_):
    """An expression of segments.activity (SQL text over the unaliased tables), typed."""
    return literal_column(text_, type_)


def _is_return():
    return case((text(IS_RETURN), 1), else_=0)


def _live_orders():
    return text(LIVE_ORDER)


def facts_select(
    groups: set[str],
    cut: Cutoffs,
    settings: LifecycleSettings,
    *,
    ids=None,
    classes: bool = False,
    birthdays: bool = False,
    cached_day: int | None = None,
) -> Select:
    """SELECT of the facts columns of ``groups`` (labels = FACTS column names). ``ids`` (a list or
    an expanding bind parameter) limits it to those customers (inside every aggregate, so a page
    of a listing stays cheap); ``classes`` and ``birthdays`` join the temp tables filled by
    ``materialised``. ``cached_day``: a stored day of fact_rows (segments.cache) the cached
    groups are read from instead of computed."""
    c, cp, o, it = customers, contact_points, orders, interactions
    if cached_day is not None:
        r = fact_rows
        cached_cols = [r.c[n] for g in groups for n in CACHED_COLUMNS.get(g, ())]
        groups = groups - set(CACHED_COLUMNS)

    def only(col) -> list:
        return [col.in_(ids)] if ids is not None else []

    cols = [c.c.id.label("id"), c.c.display_name.label("name"), c.c.kind, c.c.city, c.c.company,
            c.c.source, c.c.manager, c.c.gender, c.c.status, c.c.created_at.label("created")]  # fmt: skip
    frm = c
    if birthdays:
        b = BIRTHDAY_DAYS
        frm = frm.outerjoin(b, and_(b.c.month == c.c.birth_month, b.c.day == c.c.birth_day))
        cols.append(b.c.days.label("birthday_in_days"))
    if "points" in groups:
        reachable = and_(cp.c.valid.is_(True), cp.c.value.is_not(None))
        pts = (
            select(
                cp.c.customer_id.label("cid"),
                func.max(case((and_(reachable, cp.c.kind == "phone"), 1), else_=0)).label("p"),
                func.max(case((and_(reachable, cp.c.kind == "email"), 1), else_=0)).label("e"),
            )
            .where(*only(cp.c.customer_id))
            .group_by(cp.c.customer_id)
            .subquery("pts")
        )
        frm = frm.outerjoin(pts, pts.c.cid == c.c.id)
        cols += [func.coalesce(pts.c.p, 0).label("has_phone"),
                 func.coalesce(pts.c.e, 0).label("has_email")]  # fmt: skip
    if "consent" in groups:
        per = _consent_subquery(only)
        frm = frm.outerjoin(per, per.c.cid == c.c.id)
        archived = c.c.status == "archived"  # archiving withdrew every channel
        for ch in CHANNELS:
            cols.append(
                case((archived, 0), else_=func.coalesce(per.c[ch], 0)).label(f"consent_{ch}")
            )
        any_ = case(*((per.c[ch] == 1, 1) for ch in CHANNELS), else_=0)
        cols.append(case((archived, 0), else_=any_).label("consent"))
    if "contact" in groups or "lifecycle" in groups:
        ctc = (
            select(it.c.customer_id.label("cid"), _sql(LAST_CONTACT, DateTime).label("at"))
            .where(text(COUNTED_CONTACT), it.c.occurred_at < cut.end, *only(it.c.customer_id))
            .group_by(it.c.customer_id)
            .subquery("ctc")
        )
        frm = frm.outerjoin(ctc, ctc.c.cid == c.c.id)
        contact = ctc.c.at
        cols.append(contact.label("last_contact"))
    if "purchases" in groups:
        pur = (
            select(
                o.c.customer_id.label("cid"),
                _sql(PURCHASES["n"], Integer).label("n"),
                func.sum(o.c.amount).label("revenue"),
                _sql(PURCHASES["first"], DateTime).label("first"),
                _sql(PURCHASES["last"], DateTime).label("last"),
                func.sum(case((o.c.discount > 0, 1), else_=0)).label("disc"),
                func.sum(
                    case(
                        (text(IS_RETURN), 0),
                        (o.c.ordered_at >= cut.loyal_since, 1),
                        else_=0,
                    )
                ).label("recent"),
            )
            .where(_live_orders(), o.c.ordered_at < cut.end, *only(o.c.customer_id))
            .group_by(o.c.customer_id)
            .subquery("pur")
        )
        frm = frm.outerjoin(pur, pur.c.cid == c.c.id)
        n = func.coalesce(pur.c.n, 0)
        revenue = func.coalesce(pur.c.revenue, 0.0)
        disc = func.coalesce(pur.c.disc, 0)
        recent = func.coalesce(pur.c.recent, 0)
        cols += [
            n.label("orders"),
            revenue.label("revenue"),
            (cast(pur.c.revenue, Float) / pur.c.n).label("avg_check"),
            pur.c.first.label("first_order"),
            pur.c.last.label("last_order"),
            (cast(pur.c.disc, Float) / pur.c.n).label("discount_share"),
            disc.label("discount_orders"),
            recent.label("orders_12m"),
        ]
    if classes:
        k = CLASSES
        frm = frm.outerjoin(k, k.c.id == c.c.id)
        cols += [k.c.abc, k.c.xyz, k.c.rfm_segment, k.c.ltv]
    if "lifecycle" in groups:
        st, warmth = stage_sql(n, pur.c.first, pur.c.last, contact, cut)
        cols += [st.label("lifecycle"), warmth.label("warmth")]
    if "lifecycle_tags" in groups:
        # The top-revenue half of "vip" is added after the fill (it needs the ranking).
        abc = CLASSES.c.abc if classes else None
        flags = tags_sql(n, revenue, abc, disc, recent, pur.c.first, None, cut, settings)
        cols += [flags[t].label(t) for t in ("vip", "one_time_buyer", "discount_seeker", "loyal")]
    if cached_day is not None:
        # Every customer of the base has a row of the day (inner join: the index can lead).
        frm = frm.join(r, and_(r.c.day_id == cached_day, r.c.customer_id == c.c.id))
        cols += cached_cols
    return (
        select(*cols)
        .select_from(frm)
        .where(c.c.merged_into_id.is_(None), c.c.status.not_in(GONE), *only(c.c.id))
    )


def _consent_subquery(only):
    """Per customer, consent_<channel> as 0/1: 1 when a valid point the channel reaches has
    "granted" as its latest event for that channel (else as its general consent)."""
    cp, ev = contact_points, consents
    ranked = select(
        ev.c.contact_point_id.label("pid"),
        ev.c.channel.label("ch"),
        ev.c.status.label("st"),
        func.row_number()
        .over(partition_by=(ev.c.contact_point_id, ev.c.channel),
              order_by=(ev.c.at.desc(), ev.c.id.desc()))
        .label("rn"),
    )  # fmt: skip
    cond = only(cp.c.customer_id)
    if cond:
        ranked = ranked.where(ev.c.contact_point_id.in_(select(cp.c.id).where(*cond)))
    ranked = ranked.subquery("ranked")
    latest = (
        select(ranked.c.pid,
               *(func.max(case((ranked.c.ch == ch, ranked.c.st))).label(ch) for ch in CHANNELS))
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.pid)
        .subquery("latest")
    )  # fmt: skip
    reachable = and_(cp.c.valid.is_(True), cp.c.value.is_not(None))

    def granted(ch):
        return and_(reachable, cp.c.kind.in_(CHANNEL_KINDS[ch]),
                    func.coalesce(latest.c[ch], cp.c.consent) == "granted")  # fmt: skip

    return (
        select(cp.c.customer_id.label("cid"),
               *(func.max(case((granted(ch), 1), else_=0)).label(ch) for ch in CHANNELS))
        .select_from(cp.outerjoin(latest, latest.c.pid == cp.c.id))
        .where(*cond)
        .group_by(cp.c.customer_id)
        .subquery("cons")
    )  # fmt: skip


# --- materialising -------------------------------------------------------------------------------


def _drop(conn: Connection) -> None:
    for t in (FACTS, CLASSES, BIRTHDAY_DAYS, NARROW):
        conn.execute(DropTable(t, if_exists=True))


@contextmanager
def materialised(
    conn: Connection,
    *,
    fields: Iterable[str],
    as_of: date,
    settings: LifecycleSettings,
    narrow: Node | None = None,
) -> Iterator[Table]:
    """The facts of every customer in the base, as the TEMP table FACTS on ``conn``, with the
    columns ``fields`` need (the others NULL); dropped again on leaving.

    ``narrow``: an expression every customer the caller will select satisfies (see
    ``narrowing``); only those customers get a row, and the order aggregates read only their
    orders, so ``city = 'Казань' and orders >= 3`` does not sum the orders of all Moscow."""
    names = set(fields)
    groups = groups_for(names)
    cut = cutoffs(as_of, settings)
    _drop(conn)
    try:
        ids = None
        if narrow is not None and "lifecycle_tags" not in groups:  # VIP ranks everyone
            view = _customers_view()
            NARROW.create(conn)
            conn.execute(
                insert(NARROW).from_select(
                    ["id"], select(view.c.id).where(to_sql(narrow, view, as_of=as_of))
                )
            )
            ids = select(NARROW.c.id)
        FACTS.create(conn)
        classes = bool(groups & _PANDAS)
        if classes:
            CLASSES.create(conn)
            _fill_classes(conn, groups, cut)
        birthdays = "birthday" in groups
        if birthdays:
            _fill_birthdays(conn, as_of)
        q = facts_select(groups, cut, settings, ids=ids, classes=classes, birthdays=birthdays)
        conn.execute(insert(FACTS).from_select([col.name for col in q.selected_columns], q))
        if "lifecycle_tags" in groups:
            _top_revenue_vip(conn, settings)
        yield FACTS
    finally:
        _drop(conn)


@contextmanager
def cached_view(
    conn: Connection,
    groups: set[str],
    *,
    as_of: date,
    settings: LifecycleSettings,
    day_id: int | None,
) -> Iterator:
    """The facts of ``groups`` as a subquery (FACTS column names): the cached groups from the
    stored day ``day_id`` of fact_rows (None: there are none among ``groups``), the others
    computed live as ``materialised`` does."""
    cut = cutoffs(as_of, settings)
    birthdays = "birthday" in groups
    _drop(conn)
    try:
        if birthdays:
            _fill_birthdays(conn, as_of)
        q = facts_select(groups, cut, settings, birthdays=birthdays, cached_day=day_id)
        yield q.subquery("facts")
    finally:
        _drop(conn)


def _fill_birthdays(conn: Connection, as_of: date) -> None:
    BIRTHDAY_DAYS.create(conn)
    rows = [(m, d, n) for (m, d), n in birthday_offsets(as_of).items()]
    insert_rows(conn, BIRTHDAY_DAYS, ("month", "day", "days"), rows)


_NARROWING = {"base", "tags", "categories"}  # groups the filter can test on the real tables
_POSITIVE = ("=", "<", "<=", ">", ">=", "in", "contains")


def narrowing(node: Node) -> Node | None:
    """The top-level "and" terms of an expression that use only the customer's own columns,
    tags and categories and ask for something rather than its absence (None if there are none):
    a cheap first cut, as every match of the whole expression also matches these. Negative
    terms (!=, not in, not …) are left out: they keep most of the base, and computing who they
    keep would cost more than it saves."""
    items = node.items if isinstance(node, And) else (node,)
    keep = [i for i in items if isinstance(i, Compare) and i.op in _POSITIVE
            and i.value is not NULL and FIELDS[i.field].group in _NARROWING]  # fmt: skip
    if not keep:
        return None
    return keep[0] if len(keep) == 1 else And(tuple(keep))


def _customers_view():
    """The customers' own columns under their FACTS names (what to_sql expects)."""
    c = customers
    return select(
        c.c.id, c.c.display_name.label("name"), c.c.kind, c.c.city, c.c.company, c.c.source,
        c.c.manager, c.c.gender, c.c.status, c.c.created_at.label("created"),
    ).subquery("cv")  # fmt: skip


def _top_revenue_vip(conn: Connection, settings: LifecycleSettings) -> None:
    """vip = 1 for the top vip_top_percent of the buyers by revenue (see lifecycle)."""
    f = FACTS
    buyers = conn.execute(select(func.count()).where(f.c.revenue > 0)).scalar_one()
    k = vip_place(buyers, settings)
    if not k:
        return
    cutoff = conn.execute(
        select(f.c.revenue).where(f.c.revenue > 0).order_by(f.c.revenue.desc())
        .offset(k - 1).limit(1)
    ).scalar_one()  # fmt: skip
    conn.execute(update(f).where(f.c.revenue > 0, f.c.revenue >= cutoff).values(vip=1))


def orders_frame(conn: Connection, cut: Cutoffs):
    """The orders as services.analytics.load_orders gives them (live, of customers not erased;
    narrow), dated up to ``as_of``, read on this connection."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    o, c = orders, customers
    q = (
        select(o.c.customer_id, type_coerce(o.c.ordered_at, String).label("ordered_at"),
               o.c.amount, o.c.margin, o.c.id.label("order_key"), _is_return().label("is_return"))
        .join(c, c.c.id == o.c.customer_id)
        .where(_live_orders(), c.c.status != "erased", o.c.ordered_at < cut.end)
    )  # fmt: skip
    frame = pd.read_sql(q, conn)
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], format="ISO8601")
    from clientbase.analytics.returns import fold_returns  # pandas: only when LTV is asked for

    return fold_returns(frame.drop(columns="is_return"), frame["is_return"].to_numpy() == 1)


def card_window(end: date) -> tuple[date, date]:
    """The 12 calendar months up to ``end`` the card's class uses: from the first day of the
    month eleven months before ``end``'s month."""
    months = end.year * 12 + end.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), end


def _fill_classes(conn: Connection, groups: set[str], cut: Cutoffs) -> None:
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    frame = orders_frame(conn, cut)
    if frame.empty:
        return
    out = pd.DataFrame({"customer_id": frame["customer_id"].unique()})
    if "abc" in groups or "lifecycle_tags" in groups:
        # the analyses import pandas (~0.4 s): only when this runs
        from clientbase.analytics.abcxyz import AbcXyzParams, classify

        start, end = card_window(cut.as_of)  # the card's window: 12 months up to the day
        res = classify(frame, AbcXyzParams(start=start, end=end)).customers
        out = out.merge(res[["customer_id", "abc", "xyz"]], on="customer_id", how="left")
    if "rfm" in groups:
        # the analyses import pandas (~0.4 s): only when this runs
        from clientbase.analytics.rfm import score_rfm

        rfm = score_rfm(frame, as_of=cut.as_of, scores="quintile")
        out = out.merge(
            rfm[["customer_id", "segment"]].rename(columns={"segment": "rfm_segment"}),
            on="customer_id", how="left",
        )  # fmt: skip
    if "ltv" in groups:
        # the analyses import pandas (~0.4 s): only when this runs
        from clientbase.analytics.ltv import historical

        ltv = historical(frame, as_of=cut.as_of)
        out = out.merge(ltv[["customer_id", "ltv"]], on="customer_id", how="left")
    for col in ("abc", "xyz", "rfm_segment", "ltv"):
        if col not in out:
            out[col] = None
    out = out.astype(object).where(out.notna(), None)
    rows = list(
        zip(
            out["customer_id"].astype(int).tolist(), out["abc"].tolist(), out["xyz"].tolist(),
            out["rfm_segment"].tolist(),
            [None if v is None else float(v) for v in out["ltv"].tolist()],
            strict=True,
        )
    )  # fmt: skip
    insert_rows(conn, CLASSES, ("id", "abc", "xyz", "rfm_segment", "ltv"), rows)


def lifecycle_query(as_of: date, settings: LifecycleSettings) -> Select:
    """SELECT id, lifecycle, warmth of the customers in the expanding parameter ``ids``: built
    once for a whole listing, executed per page (see lifecycle_of)."""
    cut = cutoffs(as_of, settings)
    ids = bindparam("ids", expanding=True)
    sub = facts_select({"purchases", "contact", "lifecycle"}, cut, settings, ids=ids).subquery()
    return select(sub.c.id, sub.c.lifecycle, sub.c.warmth)


def lifecycle_select(as_of: date, settings: LifecycleSettings, ids=None) -> Select:
    """SELECT id, lifecycle, warmth in id order: of every customer of the base, or of those
    ``ids`` (a SELECT of ids) names; one query for a whole listing."""
    cut = cutoffs(as_of, settings)
    sub = facts_select({"purchases", "contact", "lifecycle"}, cut, settings, ids=ids).subquery()
    return select(sub.c.id, sub.c.lifecycle, sub.c.warmth).order_by(sub.c.id)


def stored_stages(
    conn: Connection, day_id: int, ids: list[int]
) -> dict[int, tuple[str, str | None]]:
    """{id: (stage, warmth)} of these customers from a stored day of fact_rows (the rows of
    every customer in the base, so those of lifecycle_query with ``cached_day``)."""
    rows = select_where_in(conn, fact_rows, ("customer_id", "lifecycle", "warmth"),
                           "customer_id", ids, equal={"day_id": day_id})  # fmt: skip
    return {cid: (st, warmth) for cid, st, warmth in rows}


def lifecycle_of(
    conn: Connection, ids: list[int], query: Select
) -> dict[int, tuple[str, str | None]]:
    """{id: (stage, warmth)} of these customers (a page of a listing), without a temp table."""
    out: dict[int, tuple[str, str | None]] = {}
    for i in range(0, len(ids), 500):
        for cid, st, warmth in conn.execute(query, {"ids": ids[i : i + 500]}):
            out[cid] = (st, warmth)
    return out
