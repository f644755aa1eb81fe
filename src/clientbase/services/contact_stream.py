"""A whole listing of customers as tuples, one query per part, merged in id order as it streams.

`contacts list --format csv` of a filter that matches a few hundred thousand customers used to
read them a page at a time: for each page of ids a query for the customers, one for their
phones and emails, one for their tags and one computing their lifecycle stage, each binding the
page's ids. Here every part is one query over all the listed customers (the ids, when given,
kept in a temporary table the queries join), each sorted by customer id, and the parts are
merged like sorted files: each row is written out as soon as its parts have arrived, and no
part is held in memory. The values are the ones ``services.contacts.iter_contact_rows`` gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import Column, Engine, Integer, MetaData, Table, case, func, select
from sqlalchemy.schema import DropTable

from clientbase.db.bulk import insert_rows
from clientbase.db.facts_cache import fact_rows
from clientbase.db.models import contact_points, customer_tags, customers, interactions, tags
from clientbase.segments.cache import stored_day
from clientbase.segments.facts import lifecycle_select
from clientbase.services.contacts import _OWN, _iso, birthday_iso, birthday_month_day, own_columns
from clientbase.services.segments import load_settings

_MD = MetaData()
LISTED = Table(
    "listed_customers", _MD, Column("customer_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_FETCH = 20_000  # rows a part fetches at a time


def stream_contact_rows(
    engine: Engine,
    columns: Sequence[str],
    *,
    ids: Sequence[int] | None = None,
    as_of: date | None = None,
) -> Iterator[tuple]:
    """The customers (``ids`` only, when given; merged-away and erased ones never) in id order,
    as tuples of the values of ``columns`` (all in ``services.contacts.ROW_FIELDS``)."""
    cols = list(columns)
    need = set(cols)
    with engine.connect() as conn:
        listed = None
        if ids is not None:
            # Created in the reading transaction, which ends in a rollback: it goes with it.
            conn.execute(DropTable(LISTED, if_exists=True))
            LISTED.create(conn)
            insert_rows(conn, LISTED, ("customer_id",), [(i,) for i in ids])
            listed = LISTED
        yield from _merged(conn, cols, need, listed, as_of or date.today())


def _merged(conn, cols: list[str], need: set[str], listed, day: date) -> Iterator[tuple]:
    c = customers
    own = own_columns(cols, need)
    q = select(*own).where(c.c.merged_into_id.is_(None), c.c.status != "erased")
    main = _rows(conn, _only(q, c.c.id, listed).order_by(c.c.id))
    parts: dict[str, _Part] = {}
    if need & {"phones", "emails"}:
        cp = contact_points
        q = select(cp.c.customer_id, cp.c.kind, cp.c.value, cp.c.valid)
        q = _only(q, cp.c.customer_id, listed).order_by(cp.c.customer_id, cp.c.id)
        parts["points"] = _Part(_rows(conn, q))
    if "tags" in need:
        ct = customer_tags
        q = select(ct.c.customer_id, tags.c.name).join(tags, tags.c.id == ct.c.tag_id)
        q = _only(q, ct.c.customer_id, listed).order_by(ct.c.customer_id, tags.c.name)
        parts["tags"] = _Part(_rows(conn, q))
    if need & {"calls", "last_contact"}:
        it = interactions
        q = select(
            it.c.customer_id, func.sum(case((it.c.kind == "call", 1), else_=0)),
            func.max(it.c.occurred_at),
        )  # fmt: skip
        q = _only(q, it.c.customer_id, listed).group_by(it.c.customer_id)
        parts["calls"] = _Part(_rows(conn, q.order_by(it.c.customer_id)))
    if need & {"lifecycle", "warmth"}:
        parts["stages"] = _Part(_rows(conn, _stages_query(conn, day, listed)))
    at = {col.key: i for i, col in enumerate(own)}
    getters = [_getter(name, at) for name in cols]
    for r in main:
        cid = r[0]
        got = {name: part.of(cid) for name, part in parts.items()}
        yield tuple([g(r, got) for g in getters])


def _only(query, column, listed):
    """``query`` for the listed customers only: driven by the temporary table, so each part
    seeks its rows by customer id instead of reading every row of the base and sorting."""
    if listed is None:
        return query
    return query.join(LISTED, LISTED.c.customer_id == column)


def _stages_query(conn, day: date, listed):
    """Stage and warmth of the listed customers on ``day``: from the day's stored facts when
    they are kept (segments.cache), else computed in the same query as the filters do."""
    lc = load_settings(conn)
    stored = stored_day(conn, day, lc, classes=False)
    if stored is None:
        ids = None if listed is None else select(LISTED.c.customer_id)
        return lifecycle_select(day, lc, ids=ids)
    r = fact_rows
    q = select(r.c.customer_id, r.c.lifecycle, r.c.warmth).where(r.c.day_id == stored[0])
    return _only(q, r.c.customer_id, listed).order_by(r.c.customer_id)


def _rows(conn, query) -> Iterator[tuple]:
    """The rows of ``query`` as the driver gives them (plain tuples), a block at a time."""
    result = conn.execute(query)
    cursor = result.cursor
    try:
        while block := cursor.fetchmany(_FETCH):
            yield from block
    finally:
        result.close()


class _Part:
    """One part's rows (sorted by customer id, the id first), taken customer by customer."""

    __slots__ = ("head", "rows")

    def __init__(self, rows: Iterator[tuple]):
        self.rows = rows
        self.head = next(rows, None)

    def of(self, cid: int) -> list[tuple]:
        """The rows of customer ``cid`` (the ones of lower ids, not listed, are passed over)."""
        out = []
        head, rows = self.head, self.rows
        while head is not None and head[0] <= cid:
            if head[0] == cid:
                out.append(head)
            head = next(rows, None)
        self.head = head
        return out


def _datetime(value) -> datetime:
    # The driver's own value: a datetime (PostgreSQL) or the stored ISO text (SQLite).
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _getter(column: str, at: dict[str, int]):
    """The function that takes a column's value from a customer row and its parts' rows."""
    if column in _OWN:
        i = at[_OWN[column]]
        return lambda r, got: r[i]
    if column in ("birthday", "birthday_month_day"):
        y, m, d = at["birth_year"], at["birth_month"], at["birth_day"]
        if column == "birthday":
            return lambda r, got: birthday_iso(r[y], r[m], r[d])
        return lambda r, got: birthday_month_day(r[m], r[d])
    if column in ("created_at", "updated_at"):
        i = at[column]
        return lambda r, got: _datetime(r[i]).isoformat(timespec="seconds")
    if column in ("phones", "emails"):
        kind = "phone" if column == "phones" else "email"
        return lambda r, got: [v for _c, k, v, ok in got["points"] if ok and v and k == kind]
    if column == "tags":
        return lambda r, got: [name for _c, name in got["tags"]]
    if column == "calls":
        return lambda r, got: got["calls"][0][1] if got["calls"] else 0
    if column == "last_contact":
        return lambda r, got: _iso(_datetime(got["calls"][0][2])) if got["calls"] else None
    i = 1 if column == "lifecycle" else 2  # warmth
    return lambda r, got: got["stages"][0][i] if got["stages"] else None
