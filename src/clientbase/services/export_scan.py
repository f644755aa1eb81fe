"""The scan behind an audience export: who of a range of customers goes into the file, with
which rows, and who is left out and why (the rules are in :mod:`clientbase.services.export`).

One narrow query per range of customers computes each contact point's effective consent in SQL;
the rows come straight from the driver and are decided, rendered and hashed in a tight loop. A
big base is scanned range by range in worker processes.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Engine, and_, case, func, null, select

from clientbase.db.engine import make_engine
from clientbase.db.models import (
    consents,
    contact_points,
    customers,
    suppressions,
)
from clientbase.db.rules import NOT_LIVE_CUSTOMER_STATUSES
from clientbase.exporters.presets import Preset
from clientbase.exporters.render import (
    email_renderer,
    phone_facts,
)
from clientbase.exporters.rows import RowRenderer
from clientbase.exporters.writer import encode_rows, split_bom
from clientbase.workers import worker_pool

# Strongest first: the reason a customer is counted under when none of their identifiers is used.
REASONS = (
    "withdrawn", "suppressed", "unknown_consent", "non_mobile", "invalid", "no_identifier",
)  # fmt: skip
REASON_TEXT = {
    "withdrawn": "consent withdrawn or unsubscribed",
    "suppressed": "on the suppression (opt-out) list",
    "unknown_consent": "consent unknown (add --include-unknown-consent to include them)",
    "non_mobile": "only non-mobile phones (the platform matches mobiles)",
    "invalid": "only invalid values, or values the platform does not accept",
    "no_identifier": "no phone or email the file uses",
}
_RANK = {r: i for i, r in enumerate(REASONS)}
CHANNELS = ("ads", "email", "sms", "calls")  # the order of the status columns
_OWN_CHANNELS = {"email": ("email",), "phone": ("sms", "calls")}
KINDS = ("phone", "email")
EXTRA = 5 + len(CHANNELS)  # where the customer fields start in a point row
_FETCH = 10_000


# --------------------------------------------------------------------------------------------
# Loading: one narrow query, effective consent computed in SQL
# --------------------------------------------------------------------------------------------


def _consent_state(which):
    """Per contact point of the customers ``which`` selects: the latest status of each channel
    (ads, email, sms, calls), or NULL where the channel has no event."""
    c = consents.c
    points = select(contact_points.c.id).where(which(contact_points.c.customer_id))
    ranked = (
        select(
            c.contact_point_id.label("pid"), c.channel, c.status,
            func.row_number().over(
                partition_by=(c.contact_point_id, c.channel), order_by=(c.at.desc(), c.id.desc())
            ).label("rn"),
        )
        .where(c.contact_point_id.in_(points))
        .subquery()
    )  # fmt: skip
    r = ranked.c
    return (
        select(r.pid, *(func.max(case((r.channel == ch, r.status))).label(ch) for ch in CHANNELS))
        .where(r.rn == 1)
        .group_by(r.pid)
        .subquery()
    )


_CUSTOMER_FIELDS = {
    "first_name": customers.c.first_name,
    "last_name": customers.c.last_name,
    "name": customers.c.display_name,
    "zip": customers.c.postcode,
    "city": customers.c.city,
    "external_id": customers.c.external_id,
}


def customer_columns(preset: Preset) -> list[str]:
    return [f for f in _CUSTOMER_FIELDS if f in preset.fields]


def points_query(
    cust_fields: list[str], lo: int, hi: int, ids: tuple[int, ...] | None = None, *,
    removal: bool = False,
):  # fmt: skip
    """The contact points of the live customers ``lo..hi`` (only ``ids`` of them when given), in
    customer order: (customer id, kind, value, valid, general consent, latest ads, email, sms
    and calls status, *customer fields). For a ``removal`` file: any customer of ``ids``, live or
    not, and no consent."""

    def which(col):
        return col.in_(ids) if ids is not None else col.between(lo, hi)

    cp, cu = contact_points.c, customers.c
    base = contact_points.join(customers, cu.id == cp.customer_id)
    if not removal:
        st = _consent_state(which)
        states = tuple(st.c[ch] for ch in CHANNELS)
        base = base.outerjoin(st, st.c.pid == cp.id)
    else:
        states = tuple(null() for _ in CHANNELS)
    # No filter on kind: SQLite would then read the points through the (kind, value) index, in
    # random order, and sort 1.6 million rows afterwards (measured: 5x slower). Walking the
    # customers in id order and their points through the customer index needs no sort at all;
    # the few messenger handles are skipped in Python.
    q = (
        select(
            cp.customer_id, cp.kind, cp.value, cp.valid, cp.consent, *states,
            *(_CUSTOMER_FIELDS[f] for f in cust_fields),
        )
        .select_from(base)
        .order_by(cu.id, cp.id)
    )  # fmt: skip
    return q.where(which(cu.id)) if removal else q.where(which(cu.id), live_filter())


def iter_rows(conn, query) -> Iterator[tuple]:
    """Plain tuples straight from the driver: a million SQLAlchemy Row objects cost seconds."""
    sql = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cur = conn.connection.cursor()
    try:
        cur.execute(str(sql))
        while True:
            chunk = cur.fetchmany(_FETCH)
            if not chunk:
                break
            yield from chunk
    finally:
        cur.close()


def live_filter():
    return and_(
        customers.c.merged_into_id.is_(None), customers.c.status.not_in(NOT_LIVE_CUSTOMER_STATUSES)
    )


def suppressed(conn) -> tuple[set[str], dict[str, set[str]]]:
    """Suppressed values: (values opted out of ads, {kind: values opted out of its own
    channels}). Phones (E.164) and emails never look alike, so one set holds both for ads."""
    ads: set[str] = set()
    own: dict[str, set[str]] = {"phone": set(), "email": set()}
    for kind, value, channel in conn.execute(
        select(suppressions.c.kind, suppressions.c.value, suppressions.c.channel)
    ):
        if kind not in own:
            continue
        if channel == "ads":
            ads.add(value)
        elif channel in _OWN_CHANNELS[kind]:
            own[kind].add(value)
    return ads, own


# --------------------------------------------------------------------------------------------
# The scan, range by range
# --------------------------------------------------------------------------------------------


@dataclass
class ScanJob:
    """Everything a scan of one range of customers needs; sent once to each worker process."""

    preset: Preset
    algo: str
    include_unknown: bool
    chosen: set[int] | None  # the segment's / filter's customers, None = all
    supp_ads: set[str]
    supp_own: dict[str, set[str]]
    prev_ids: set[int]  # customers of the export a diff compares with
    diff: bool
    keep_rows: bool  # False for a dry run: count only


def _scan(conn, job: ScanJob, task: tuple) -> dict:
    """Decide, render and hash the customers of a task (``lo..hi``, or only ``ids`` of them):
    the rows for the file (or per identifier kind), who is in, and who is not and why."""
    preset = job.preset
    render = RowRenderer(preset, job.algo, customer_columns(preset))
    kinds = preset.identifiers
    per_file = preset.one_identifier_per_file
    use_phone, use_email = "phone" in kinds, "email" in kinds
    need_country = render.need_country
    mobile_only = preset.mobile_only
    # Whose consent says yes: the ads channel for an ad audience; for a mailing or SMS list the
    # identifier's own channel (email for an address, SMS for a phone).
    ads_gate = preset.consent_channel == "ads"
    unknown_ok = job.include_unknown
    digits = preset.phone_format == "digits"
    email_r = email_renderer(preset.email_rules)
    facts = phone_facts
    rank = _RANK
    h = render.h
    chosen, prev_ids, diff, keep = job.chosen, job.prev_ids, job.diff, job.keep_rows
    supp_ads = job.supp_ads
    supp_phone, supp_email = job.supp_own["phone"], job.supp_own["email"]
    n_extra = len(render.cust_fields)
    has_fields = bool(render._fields)

    left = dict.fromkeys(REASONS, 0)
    dropped = dict.fromkeys(REASONS[:-1], 0)
    rows: list[list[str]] = []
    by_kind: dict[str, list[list[str]]] = {k: [] for k in kinds} if per_file else {}
    counts = dict.fromkeys(kinds if per_file else ("",), 0)
    members: list[int] = []
    current: list[str] = []
    with_mobile = with_email = seen = 0

    # The hot loop: a million customers, so plain tuple indexing and locals throughout. A point
    # row: 0 customer, 1 kind, 2 value, 3 valid, 4 general consent, 5 ads, 6 email, 7 sms,
    # 8 calls (the latest status of each channel), then the customer fields.
    live = 0
    if chosen is None:  # how many live customers the range holds, for "selected"
        lo, hi, _ids = task
        live = conn.execute(
            select(func.count())
            .select_from(customers)
            .where(customers.c.id.between(lo, hi), live_filter())
        ).scalar()
    query = points_query(render.cust_fields, *task)
    for cid, group in groupby(iter_rows(conn, query), key=itemgetter(0)):
        if chosen is not None and cid not in chosen:
            continue
        seen += 1
        pts = list(group)
        # A withdrawn ads consent anywhere takes the whole customer out.
        verdict = None
        for p in pts:
            if (p[5] or p[4]) == "withdrawn":
                verdict = "withdrawn"
                break
            if p[2] in supp_ads:
                verdict = "suppressed"
        if verdict is not None:
            left[verdict] += 1
            dropped[verdict] += sum(1 for p in pts if p[1] in kinds)
            continue
        phones: list[str] = []
        emails: list[str] = []
        worst = None
        country = ""
        has_mobile = False
        for p in pts:
            kind = p[1]
            value = p[2]
            if kind == "phone":
                if not p[3] or not value:
                    if not use_phone:
                        continue
                    why = "invalid"
                else:
                    region, mobile = facts(value)
                    if need_country and not country and region:
                        country = region
                    if not use_phone:
                        continue
                    # A channel without events of its own falls back to the general consent:
                    # "no mailings" on the card is a withdrawal of SMS and calls too.
                    if (p[7] or p[4]) == "withdrawn" or (p[8] or p[4]) == "withdrawn":
                        why = "withdrawn"
                    elif value in supp_phone:
                        why = "suppressed"
                    elif ((p[5] if ads_gate else p[7]) or p[4]) != "granted" and not unknown_ok:
                        why = "unknown_consent"
                    elif mobile_only and not mobile:
                        why = "non_mobile"
                    else:
                        phones.append(value.lstrip("+") if digits else value)
                        has_mobile = has_mobile or mobile
                        continue
            elif kind == "email":
                if not use_email:
                    continue
                if not p[3] or not value:
                    why = "invalid"
                elif (p[6] or p[4]) == "withdrawn":
                    why = "withdrawn"
                elif value in supp_email:
                    why = "suppressed"
                elif ((p[5] if ads_gate else p[6]) or p[4]) != "granted" and not unknown_ok:
                    why = "unknown_consent"
                else:
                    e = email_r(value)
                    if e is None:
                        why = "invalid"
                    else:
                        emails.append(e)
                        continue
            else:
                continue  # a messenger handle: no platform matches on it
            dropped[why] += 1
            if worst is None or rank[why] < rank[worst]:
                worst = why
        if not phones and not emails:
            left[worst or "no_identifier"] += 1
            continue
        if len(phones) > 1:
            phones = list(dict.fromkeys(phones))
        if len(emails) > 1:
            emails = list(dict.fromkeys(emails))
        members.append(cid)
        with_mobile += has_mobile
        with_email += bool(emails)
        if diff:
            current += phones
            current += emails
            if cid in prev_ids:
                continue  # in the audience already: not an addition
        hp = [h(v) for v in phones]
        he = [h(v) for v in emails]
        if per_file:
            for k, vals in (("phone", hp), ("email", he)):
                if k in counts:
                    counts[k] += len(vals)
                    if keep:
                        by_kind[k] += [render.single(v) for v in vals]
            continue
        fields = render.fields(p[EXTRA : EXTRA + n_extra], country) if has_fields else []
        out_rows = render.rows(hp, he, fields)
        counts[""] += len(out_rows)
        if keep:
            rows += out_rows
    out = by_kind if per_file else {"": rows}
    if keep and preset.file_type != "xlsx":
        # Encoded here, in the worker: bytes cross to the writing process for nothing, a million
        # lists of strings do not.
        codec = split_bom(preset.encoding)[0]
        out = {k: encode_rows(v, preset.delimiter, codec) for k, v in out.items() if v}
    return {
        "left": left, "dropped": dropped, "seen": seen, "live": live, "members": members,
        "current": current,
        "with_mobile": with_mobile, "with_email": with_email, "counts": counts,
        "rows": out, "escaped": render.escaped,
        "cyrillic_names": render.cyrillic_names, "names_out": render.names_out,
    }  # fmt: skip


# Customers per scan: small enough that a range's rows sit in memory for a moment, big enough
# that the per-query overhead does not matter.
_RANGE = 50_000


# From this many customers on, ranges are scanned in worker processes: below it, starting them
# costs more than it saves.
_PARALLEL_FROM = 200_000


_IDS = 2_000  # customers of a small segment per scan


_worker: dict = {}


def _worker_init(url: str, job: ScanJob) -> None:

    gc.disable()  # millions of short-lived tuples, no cycles: the collector only costs time
    _worker["engine"] = make_engine(url)
    _worker["job"] = job


def _worker_scan(task: tuple) -> dict:
    with _worker["engine"].connect() as conn:
        return _scan(conn, _worker["job"], task)


def scan_tasks(lo: int | None, hi: int | None, chosen: set[int] | None) -> list[tuple]:
    """The scans to run, in customer order: id ranges of the base, or, for a segment that is a
    small part of the base, its own ids (so the rest of the base is never read)."""
    if lo is None or hi is None:
        return []
    if chosen is not None and len(chosen) * 5 < hi - lo + 1:
        ids = sorted(chosen)
        return [
            (part[0], part[-1], tuple(part))
            for part in (ids[i : i + _IDS] for i in range(0, len(ids), _IDS))
        ]
    return [(a, min(a + _RANGE - 1, hi), None) for a in range(lo, hi + 1, _RANGE)]


def scans(engine: Engine, conn, job: ScanJob, tasks: list[tuple], size: int) -> Iterator[dict]:
    """Scan results in customer order: in worker processes (one per core) for a big base
    (``size`` customers), else here. Only a few scans are in flight at a time, so memory stays
    flat. (A script that exports a big base needs the usual ``if __name__ == "__main__":``
    guard, as for any use of worker processes.)"""
    url = engine.url
    workers = min(os.cpu_count() or 1, 4)
    file_db = url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")
    if workers < 2 or size < _PARALLEL_FROM or len(tasks) < 2 or not file_db:
        enabled = gc.isenabled()
        gc.disable()
        try:
            for task in tasks:
                yield _scan(conn, job, task)
        finally:
            if enabled:
                gc.enable()
        return
    init = (url.render_as_string(hide_password=False), job)
    # This module is imported once in the fork server, not once per worker.
    with worker_pool(workers, _worker_init, init, preload=[__name__]) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(_worker_scan, task))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
