"""The sections of the report, each a function of the shared ``ReportSource`` returning a dict
of numbers (see :mod:`clientbase.services.report_data` for the periods and who counts)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Engine, String, func, select, type_coerce

from clientbase.db.models import contact_points, customers, dedupe_candidates, interactions
from clientbase.reports.metrics import BIRTHDAY_DAYS
from clientbase.reports.periods import Window, months
from clientbase.services.calls import missed_calls
from clientbase.services.outreach import birthdays
from clientbase.services.reminders import due_reminders
from clientbase.services.report_source import ReportSource, change_pct, rounded
from clientbase.services.segments import SNAPSHOT_KIND, count_matching, list_segments
from clientbase.services.value import metric_history

COHORT_MONTHS = 12  # cohorts shown, and months since acquisition (0..11)
NO_GROUP = "—"


# --- the base and its quality ------------------------------------------------------------------


def _first_seen(engine: Engine, orders_frame):
    """Live customers (not merged away, not erased): status, source and the day each first
    appeared: the earliest of their first live order, first call or log entry, and their entry
    into the base (an imported history is older than the import). The first orders come from
    the orders already loaded: a per-customer MIN over the orders table walks its index row by
    row, seconds on a million orders."""
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    c = customers
    first_contact = (
        select(interactions.c.customer_id, func.min(interactions.c.occurred_at).label("t"))
        .where(interactions.c.kind != "reminder")
        .group_by(interactions.c.customer_id)
        .subquery()
    )
    q = (
        select(
            c.c.id,
            c.c.status,
            c.c.source,
            type_coerce(c.c.created_at, String).label("created_at"),
            type_coerce(first_contact.c.t, String).label("first_contact"),
        )
        .outerjoin(first_contact, first_contact.c.customer_id == c.c.id)
        .where(c.c.merged_into_id.is_(None), c.c.status != "erased")
    )
    # these import pandas (~0.4 s): only when this runs
    from clientbase.db.columns import INT, TEXT
    from clientbase.db.joined import read_typed

    # Each column as one long text (db.joined), not a Python tuple per customer; the times
    # come as the texts they are stored as, parsed below as before.
    kinds = {"id": INT, "status": TEXT, "source": TEXT, "created_at": TEXT, "first_contact": TEXT}
    with engine.connect() as conn:
        frame = read_typed(conn, q, kinds)
    for col in ("created_at", "first_contact"):
        frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    first_order = orders_frame.groupby("customer_id")["ordered_at"].min().rename("first_order")
    frame = frame.merge(first_order, left_on="id", right_index=True, how="left")
    frame["first_seen"] = frame[["created_at", "first_order", "first_contact"]].min(axis=1)
    return frame


def _base(src: ReportSource) -> dict:
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    frame = _first_seen(src.engine, src.orders)
    # Who counts, and since when: a live customer, from the day they first appeared (first
    # order, call or entry into the base); the base is counted at the end of the report day,
    # which the growth chart's last point describes too.
    frame = frame[frame["first_seen"] < pd.Timestamp(src.as_of + timedelta(days=1))]
    seen = frame["first_seen"].dt.normalize()

    def new_in(w: Window):
        return frame[(seen >= pd.Timestamp(w.start)) & (seen <= pd.Timestamp(w.end))]

    by_month = []
    month_code = (seen.dt.year * 12 + seen.dt.month - 1).to_numpy()
    for label in months(src.as_of, len(src.history_months)):
        y, m = (int(x) for x in label.split("-"))
        code = y * 12 + m - 1
        by_month.append(
            {
                "month": label,
                "new": int((month_code == code).sum()),
                "total": int((month_code <= code).sum()),
            }
        )
    now, before = new_in(src.cur), new_in(src.prev)
    sources = pd.DataFrame(
        {
            "current": now["source"].fillna(NO_GROUP).value_counts(),
            "previous": before["source"].fillna(NO_GROUP).value_counts(),
        }
    ).fillna(0)
    sources = sources.assign(_name=sources.index.astype(str)).sort_values(
        ["current", "previous", "_name"], ascending=[False, False, True]
    )
    return {
        "customers": len(frame),
        "active": int((frame["status"] == "active").sum()),
        "archived": int((frame["status"] == "archived").sum()),
        "new_current": len(now),
        "new_previous": len(before),
        "new_change_pct": change_pct(len(now), len(before)),
        "by_month": by_month,
        "new_by_source": [
            {"source": s, "current": int(r.current), "previous": int(r.previous)}
            for s, r in zip(sources.index, sources.itertuples(), strict=True)
        ],
        **({"empty": "no_customers"} if not len(frame) else {}),
    }


def _quality(src: ReportSource) -> dict:
    c, cp = customers, contact_points
    live = (c.c.merged_into_id.is_(None)) & (c.c.status != "erased")
    with src.engine.connect() as conn:
        invalid = dict(
            conn.execute(
                select(cp.c.kind, func.count())
                .join(c, c.c.id == cp.c.customer_id)
                .where(live, cp.c.valid.is_(False), cp.c.kind.in_(("phone", "email")))
                .group_by(cp.c.kind)
            ).all()
        )
        # A pair waits for review while both of its customers are still separate.
        a, b = customers.alias("a"), customers.alias("b")
        d = dedupe_candidates
        pending = conn.execute(
            select(func.count())
            .select_from(d)
            .join(a, a.c.id == d.c.a_id)
            .join(b, b.c.id == d.c.b_id)
            .where(
                d.c.status == "pending",
                a.c.merged_into_id.is_(None),
                b.c.merged_into_id.is_(None),
                a.c.status != "erased",
                b.c.status != "erased",
            )
        ).scalar_one()
    # Consent as the segment filter reads it (`consent`: granted on some channel by the latest
    # event of a valid phone or email, else by its general consent; archived customers left
    # out), so the figure equals `segment create ... --where "consent = no ..."`.
    reachable = "(has_phone = yes or has_email = yes)"
    n_reachable, n_without = count_matching(
        src.engine, [reachable, f"{reachable} and consent = no"], as_of=src.as_of
    )
    return {
        "invalid_phones": int(invalid.get("phone", 0)),
        "invalid_emails": int(invalid.get("email", 0)),
        "pending_duplicates": int(pending),
        "reachable": n_reachable,
        "with_consent": n_reachable - n_without,
        "without_consent": n_without,
    }


# --- sales -------------------------------------------------------------------------------------


def _totals(frame) -> dict:
    revenue = float(frame["amount"].fillna(0).sum())
    n = int(frame["order_key"].nunique())
    return {
        "revenue": rounded(revenue),
        "orders": n,
        "buyers": int(frame["customer_id"].nunique()),
        "average_check": rounded(revenue / n) if n else None,
    }


def _split(now, before, column: str, key: str) -> list[dict]:
    # pandas takes ~0.4 s to import: only when this runs
    import pandas as pd

    def agg(frame):
        g = frame.assign(_g=frame[column].fillna(NO_GROUP).astype(object)).groupby("_g")
        return g["amount"].sum(), g["order_key"].nunique()

    rev_now, n_now = agg(now)
    rev_before, n_before = agg(before)
    table = pd.DataFrame(
        {
            "revenue": rev_now,
            "orders": n_now,
            "previous_revenue": rev_before,
            "previous_orders": n_before,
        }
    ).fillna(0)
    table = table.assign(_name=table.index.astype(str)).sort_values(
        ["revenue", "previous_revenue", "_name"], ascending=[False, False, True]
    )
    return [
        {
            key: g,
            "revenue": rounded(r.revenue),
            "orders": int(r.orders),
            "previous_revenue": rounded(r.previous_revenue),
            "previous_orders": int(r.previous_orders),
            "change_pct": change_pct(r.revenue, r.previous_revenue),
        }
        for g, r in zip(table.index, table.itertuples(), strict=True)
    ]


def _sales(src: ReportSource) -> dict:
    if src.orders.empty:
        return {"empty": "no_orders"}
    now, before = src.within(src.cur), src.within(src.prev)
    now = now.assign(
        order_channel=now["order_key"].map(src.channels).astype(object),
        order_manager=src.order_managers(now),
    )
    before = before.assign(
        order_channel=before["order_key"].map(src.channels).astype(object),
        order_manager=src.order_managers(before),
    )
    cur, prev = _totals(now), _totals(before)
    frame = src.orders
    codes = (frame["ordered_at"].dt.year * 12 + frame["ordered_at"].dt.month - 1).to_numpy()
    by_month = []
    for label in src.history_months:
        y, m = (int(x) for x in label.split("-"))
        part = frame[codes == y * 12 + m - 1]
        t = _totals(part)
        by_month.append(
            {
                "month": label,
                "revenue": t["revenue"],
                "orders": t["orders"],
                "average_check": t["average_check"],
            }
        )
    out = {
        "current": cur,
        "previous": prev,
        "change_pct": {
            k: change_pct(cur[k], prev[k]) for k in ("revenue", "orders", "average_check")
        },
        "by_month": by_month,
        "by_channel": _split(now, before, "order_channel", "channel"),
        "by_manager": _split(now, before, "order_manager", "manager"),
    }
    if now.empty:
        out["empty"] = "no_orders_in_window"
    return out


# --- ABC/XYZ and its migrations ----------------------------------------------------------------


def _abcxyz(src: ReportSource) -> dict:
    if src.orders.empty:
        return {"empty": "no_orders"}
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.abc_moves import portfolio

    result = src.classes["current"]
    matrix = {
        cell: {
            "customers": int(v["customers"]),
            "revenue": rounded(v["revenue"]),
            "share_customers": rounded(v["share_customers"], 1),
            "share_revenue": rounded(v["share_revenue"], 1),
        }
        for cell, v in result.matrix.items()
    }
    out = {
        "window": result.params["window"],
        "params": {
            k: result.params[k]
            for k in ("metric", "period", "abc", "xyz", "zero_periods", "min_periods")
        },
        "rules": result.params["rules"],
        "notes": result.params["notes"],
        "customers": len(result.customers),
        "revenue": rounded(result.customers["revenue"].sum()),
        "matrix": matrix,
        "by_manager": [],
    }
    if result.customers.empty:
        out["empty"] = "no_orders_in_window"
        return out
    port = portfolio(result, src.managers, src.orders, "month")
    out["by_manager"] = [
        {
            "manager": r["group"],
            "A": int(r["A_customers"]),
            "B": int(r["B_customers"]),
            "C": int(r["C_customers"]),
            "customers": int(r["customers"]),
            "revenue": rounded(r["revenue"]),
            "A_revenue": rounded(r["A_revenue"]),
        }
        for r in port.to_dict("records")
    ]
    return out


def _migrations(src: ReportSource) -> dict:
    if src.orders.empty:
        return {"empty": "no_orders"}
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.abc_moves import migration

    before = src.classes["previous"].customers
    after = src.classes["current"].customers
    table = migration(before, after)
    matrix = {i: {c: int(v) for c, v in row.items()} for i, row in table.iterrows()}
    out = {
        "from": src.prev.as_dict(),
        "to": src.cur.as_dict(),
        "matrix": matrix,
        **_moves_summary(matrix),
        "by_manager": [],
    }
    if before.empty and after.empty:
        out["empty"] = "no_orders_in_window"
        return out
    long = migration(before, after, by=src.managers)
    per: dict = {}
    for r in long.to_dict("records"):
        per.setdefault(r["group"], {}).setdefault(r["from"], {})[r["to"]] = int(r["customers"])
    out["by_manager"] = [
        {
            "manager": g,
            **_moves_summary(m),
            "moves": [
                {"from": f, "to": t, "customers": n} for f, row in m.items() for t, n in row.items()
            ],
        }
        for g, m in per.items()
    ]
    return out


def _moves_summary(matrix: dict) -> dict:
    """A customers kept, won and lost: the figures a manager is asked about."""

    def cell(f, t):
        return matrix.get(f, {}).get(t, 0)

    return {
        "a_stayed": cell("A", "A"),
        "a_gained": sum(cell(f, "A") for f in ("B", "C", "new")),
        "a_lost": sum(cell("A", t) for t in ("B", "C", "gone")),
        "moved_up": cell("B", "A") + cell("C", "A") + cell("C", "B"),
        "moved_down": cell("A", "B") + cell("A", "C") + cell("B", "C"),
        "new": sum(matrix.get("new", {}).values()),
        "gone": sum(cell(f, "gone") for f in ("A", "B", "C")),
    }


# --- RFM, LTV, churn ---------------------------------------------------------------------------


def _rfm(src: ReportSource) -> dict:
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.rfm import SEGMENTS, score_rfm, summarise_segments

    if src.orders.empty:
        return {"empty": "no_orders"}
    # the window before first: the orders up to the current window's end are then the ones
    # prepared last, which LTV and churn read next (analytics.ltv.sharing_prepared)
    before = score_rfm(src.orders, as_of=src.prev.end)
    now = score_rfm(src.orders, as_of=src.cur.end)
    seg_now, seg_before = summarise_segments(now), summarise_segments(before)
    out = {
        "as_of": src.cur.end.isoformat(),
        "previous_as_of": src.prev.end.isoformat(),
        "customers": len(now),
        "previous_customers": len(before),
        "segments": [
            {
                "segment": name,
                "customers": seg_now[name]["customers"],
                "revenue": seg_now[name]["revenue"],
                "previous_customers": seg_before[name]["customers"],
            }
            for name in SEGMENTS
        ],
        "small_base": bool(now.attrs.get("notes")),
    }
    if now.empty:
        out["empty"] = "no_orders_yet"
    return out


def _ltv(src: ReportSource) -> dict:
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.churn import retention
    from clientbase.analytics.ltv import by_group, cohort_table, historical

    if src.orders.empty:
        return {"empty": "no_orders"}
    if not src.any_until(src.cur.end):
        return {"empty": "no_orders_yet"}
    hist = historical(src.orders, as_of=src.cur.end)
    table = by_group(hist, src.people["channel"])
    ltv = hist["ltv"]

    def cohorts(matrix, key):
        sizes = matrix.attrs.get("customers", {})
        shown = matrix.iloc[-COHORT_MONTHS:, :COHORT_MONTHS]
        return [
            {"cohort": c, "customers": int(sizes.get(c, 0)), key: [rounded(v, 4) for v in row]}
            for c, row in zip(shown.index, shown.to_numpy(float), strict=True)
        ]

    return {
        "as_of": src.cur.end.isoformat(),
        "customers": len(hist),
        "avg_ltv": rounded(ltv.mean()),
        "median_ltv": rounded(ltv.median()),
        "total": rounded(ltv.sum()),
        "by_channel": [
            {
                "channel": g,
                "customers": int(n),
                "avg_ltv": rounded(a),
                "total": rounded(t),
                "median": rounded(m),
            }
            for g, n, a, t, m in zip(
                table["group"],
                table["customers"],
                table["avg_ltv"],
                table["total"],
                table["median"],
                strict=True,
            )
        ],
        # The months up to the window's end have happened, orders or not: they read as 0,
        # not as blanks still to come (as `analyze churn --as-of` shows them).
        # retention leaves out what is after its end itself; the cohort table takes the
        # orders up to the day (made when needed: a copy of most of the orders)
        "retention": cohorts(retention(src.orders, end=src.cur.end), "shares"),
        "cohort_revenue": cohorts(cohort_table(src.until(src.cur.end), end=src.cur.end), "values"),
    }


def _churn(src: ReportSource) -> dict:
    # the analyses import pandas (~0.4 s): only when this runs
    from clientbase.analytics.churn import base_loss, first_full_year

    if src.orders.empty:
        return {"empty": "no_orders"}
    table = base_loss(src.orders, as_of=src.cur.end)
    rows = [
        {
            "year": int(r.year),
            "active_at_start": int(r.active_at_start),
            "lost": int(r.lost),
            "loss_rate": rounded(r.loss_rate * 100, 1) if r.active_at_start else None,
            "partial": bool(r.partial),
            "through": r.through.isoformat(),
        }
        for r in table.itertuples(index=False)
    ]
    complete = [r for r in rows if not r["partial"] and r["loss_rate"] is not None]
    out = {
        "inactive_days": 365,
        "years": rows,
        "last_full_year": complete[-1]["year"] if complete else None,
        "base_loss_rate": complete[-1]["loss_rate"] if complete else None,
        "first_order": src.orders["ordered_at"].min().date().isoformat(),
    }
    if not rows:
        out["empty"] = "not_enough_history"
        out["first_year"] = first_full_year(src.orders)
    return out


# --- segments, follow-ups, calls ---------------------------------------------------------------


def _segments(src: ReportSource) -> dict:
    """Saved segments with their size as of the report's day, against the size they had at the
    start of the period: the latest recorded sizes (``segment list`` keeps each run in
    ``metric_snapshots``) from before the window, else the size of the last run. Reading them
    records nothing: a report does not move the point ``segment list`` compares with."""
    rows = list_segments(src.engine, as_of=src.as_of, record=False)
    start = datetime.combine(src.cur.start, time.min).isoformat(sep=" ")
    before = [h for h in metric_history(src.engine, SNAPSHOT_KIND) if h.taken_at < start]
    past = before[-1].to_dict() if before else None
    out = []
    for r in rows:
        if past is not None and r.name in past["data"]:
            prev, prev_at = past["data"][r.name], past["taken_at"]
        else:
            prev, prev_at = r.previous_size, r.previous_run_at
        size = r.size
        out.append(
            {
                "name": r.name,
                "expression": r.expression,
                "size": size,
                "previous_size": prev,
                "previous_at": prev_at,
                "change": None if size is None or prev is None else size - prev,
                **({"error": r.error} if r.error is not None else {}),
            }
        )
    result = {"segments": out}
    if not out:
        result["empty"] = "no_segments"
    return result


def _followups(src: ReportSource) -> dict:
    due = due_reminders(src.engine, datetime.combine(src.as_of, time.max))
    people = birthdays(src.engine, BIRTHDAY_DAYS, src.as_of)
    return {
        "birthday_days": BIRTHDAY_DAYS,
        "birthdays": [
            {
                "id": b.id,
                "name": b.name,
                "date": b.date,
                "in_days": b.in_days,
                "age": b.age,
                "phone": (b.phones or [None])[0],
                "email": (b.emails or [None])[0],
            }
            for b in people
        ],
        "due": [
            {
                "id": r.id,
                "customer_id": r.customer_id,
                "name": r.name,
                "phone": r.phone,
                "due": r.due,
                "overdue": r.overdue,
                "what": r.what,
            }
            for r in due
        ],
    }


def _calls(src: ReportSource) -> dict:
    since = datetime.combine(src.cur.start, time.min)
    until = datetime.combine(src.as_of, time.max)
    rows = [m.to_dict() for m in missed_calls(src.engine, since) if m.first_missed <= until]
    return {
        "since": since.date().isoformat(),
        "waiting": len(rows),
        "not_called_back": sum(1 for r in rows if not r["called_back"]),
        "missed_calls": sum(r["missed"] for r in rows),
        "numbers": rows,
    }


# Sections that read neither the orders nor the windows (only the base as it is, and as_of).
WITHOUT_WINDOWS = frozenset({"quality", "followups"})

SECTION_FUNCS = {
    "base": _base,
    "quality": _quality,
    "sales": _sales,
    "abcxyz": _abcxyz,
    "migrations": _migrations,
    "rfm": _rfm,
    "ltv": _ltv,
    "churn": _churn,
    "segments": _segments,
    "followups": _followups,
    "calls": _calls,
}
