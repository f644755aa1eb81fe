"""Orders of one file written inside the caller's transaction: the lines are staged in a
temporary table, their customers found or created once per distinct identity, and the lines
summed into orders with SQL at the end (a first load into SQLite stages an order's adjacent
lines as one row, see ``_stage``).

Reading the rows (``orders_rows``) needs no database, so a large CSV is read by a worker
process from the file itself (``orders_reading``), and the customers' identities it meets are
cleaned by a second one, while this one finds the customers and writes.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import datetime
from itertools import repeat
from types import SimpleNamespace

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import Label

from clientbase.db.bulk import insert_rows, select_where_in, timestamp
from clientbase.db.models import import_changes, import_rows, orders
from clientbase.db.rules import ORDER_RETURN
from clientbase.i18n import _, language
from clientbase.importers.contacts import ContactWriter, Counts, Reject
from clientbase.importers.orders import OrderMapping
from clientbase.importers.orders_columns import (
    ColumnRows,
    Folding,
    as_columns,
    as_orders,
    fold_orders,
)
from clientbase.importers.orders_reading import (
    FileReading,
    clean_identities,
    file_read,
    next_chunk,
    start_cleaner,
    start_worker,
)
from clientbase.importers.orders_rows import LOOSE, RowsChunk
from clientbase.importers.rawrow import object_text, read_raw
from clientbase.importers.tabular import Table as FileTable
from clientbase.workers import worker_pool

_meta = MetaData()
# One row per order line, for this import only (a temporary table dies with the connection).
_LINES = Table(
    "_clientbase_order_lines", _meta,
    Column("line", Integer, primary_key=True),
    Column("order_key", String(250)), Column("has_id", Integer),
    Column("customer_id", Integer), Column("ordered_at", String(30)),
    Column("amount", Float), Column("quantity", Float), Column("cost", Float),
    Column("margin", Float), Column("discount", Float), Column("product", String(500)),
    Column("category", String(200)), Column("manager", String(200)),
    Column("channel", String(200)), Column("status", String(50)), Column("currency", String(3)),
    Column("ret", Integer), Column("sheet", String(200)), Column("row_number", Integer), Column("raw", Text),
    # How many lines of the file the row stands for: a first import on SQLite stages an
    # order's lines that follow each other as one row of their sums (orders_columns.as_orders).
    Column("lines", Integer, nullable=False, server_default="1"),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_LINE_COLUMNS = tuple(c.name for c in _LINES.columns if c.name not in ("line", "lines"))
# What summing the lines into orders reads: all a first import stages (its batch records are in).
_SUM_COLUMNS = _LINE_COLUMNS[: _LINE_COLUMNS.index("sheet")]
_ORDER_COLUMNS = (*_SUM_COLUMNS, "lines")  # a first import on SQLite: see as_orders
_OUTCOMES = Table(
    "_clientbase_order_outcomes", _meta,
    Column("order_key", String(250), primary_key=True), Column("outcome", String(12)),
    prefixes=["TEMPORARY"],
)  # fmt: skip
PAGE = 5000
# Indexes a first load into SQLite fills in the order of their keys (see indexes_to_defer).
_GROWN_IN_ORDER = frozenset(
    ("ix_import_rows_import_id_row", "ix_orders_import_id", "ix_orders_external_id",
     "ix_orders_ordered_at")
)  # fmt: skip
# Indexes every chunk of an orders load asks of: the customers a chunk's names may belong to
# (candidates.namesakes) are looked up by name. Without the index each look-up scans every
# customer written so far (a fifth of the writing process at 1M lines); the customers of an
# orders file are few next to its lines, so growing it row by row costs next to nothing.
_ASKED_WHILE_LOADING = frozenset(("ix_customers_display_name",))
PROTOCOL = pickle.HIGHEST_PROTOCOL
_IN_FLIGHT = 3  # chunks handed to the worker ahead of the writer: enough to keep it busy
_COMPARE = (
    "customer_id",
    "ordered_at",
    "amount",
    "cost",
    "margin",
    "discount",
    "status",
    "manager",
)
_ORDER_INSERT = (
    "customer_id", "ordered_at", "amount", "cost", "margin", "discount", "quantity", "product",
    "category", "manager", "channel", "status", "currency", "external_id", "import_id", "created_at",
)  # fmt: skip
_REJECT_COLUMNS = ("import_id", "sheet", "row_number", "raw", "outcome", "reason", "customer_id")
_CREATED_SQL = (
    "INSERT INTO import_rows (import_id, sheet, row_number, raw, outcome, reason, customer_id) "
    "VALUES ({batch}, {sheet}, ?, ?, 'created', ?, ?)"
)


class OrderWriter:
    """Orders of one file, inside the caller's transaction."""

    def __init__(self, conn: Connection, batch_id: int, *, create_missing: bool, region: str,
                 source: str | None):  # fmt: skip
        self.conn, self.batch_id, self.region, self.source = conn, batch_id, region, source
        self.customers = ContactWriter(conn, batch_id, write_rows=False, create=create_missing)
        self.customers.load_existing_keys()
        self.counts = Counts()  # created / updated / unchanged count orders here
        self.rejects: list[Reject] = []
        self.warnings: list[str] = []  # orders moved to another customer, one line each
        _LINES.drop(conn, checkfirst=True)
        _LINES.create(conn)
        self._n = 0
        self._started = datetime.now()  # the new orders' created_at
        # A base without orders has nothing to compare with: every order of the file is new,
        # so each line's batch record is known as it is read and goes straight in.
        self._first = conn.execute(select(orders.c.id).limit(1)).first() is None
        # Into an empty SQLite base an order's lines that follow each other are staged as one
        # row (summed as SQLite's SUM adds, so the orders are the same to the bit); while the
        # order keys come in rising, each staged row is an order already and the final INSERT
        # needs no sort. The last row staged waits for the next chunk, which may go on with it.
        self._grouped = self._first and conn.dialect.name == "sqlite"
        self._held: tuple | None = None
        self._rising = True
        # While the keys rise, the orders staged so far are whole and go into ``orders`` a
        # chunk at a time (_flush_orders) instead of all at the end, while the reading worker
        # still reads: the lines staged and the orders written, by line number.
        self._staged = 0
        self._flushed = 0
        self._flush_sql = None
        self._folding = Folding()  # the reading side's (orders_columns.as_orders)
        self._rows = ColumnRows(region, source)
        # Identity number (see orders_rows) -> (customer id or None, the reason when None).
        self._who: dict[int, tuple[int | None, str | None]] = {}
        self._cid: dict[int, int | None] = {}  # the same numbers -> their customer id alone
        # The LOOSE fields (orders_rows; the manager, the city: the newest row wins). Per
        # combination its values; per customer the values its identities were matched with, the
        # last non-empty ones of its rows, the combination of its last row, and (compact) the
        # first identity it was matched with, to apply the newest values with (see _newest).
        self._loose: dict[int, tuple] = {}
        self._matched: dict[int, list] = {}
        self._newest_values: dict[int, list] = {}
        self._last_loose: dict[int, int] = {}
        self._kept: dict[int, bytes] = {}
        # Each table's column names, by sheet: a line read a column at a time keeps its raw
        # record in the cells form (rawrow), named again when the line is rejected here.
        self._headers: dict[str, list[str]] = {}

    def indexes_to_defer(self, indexes: list) -> list:
        """Of the indexes a big first load would build at the end, those it should: a first
        load into SQLite writes the orders while it reads (_flush_orders) and the lines' batch
        records in file order, so an index whose keys come in rising (the batch, the order
        number, the day of a file sorted by date) grows at its end as cheaply as it is built
        at the end, and is built while the reading worker still reads."""
        kept = _ASKED_WHILE_LOADING | (_GROWN_IN_ORDER if self._grouped else frozenset())
        return [ix for ix in indexes if ix.name not in kept]

    @property
    def base_was_empty(self) -> bool:
        """No customers and no orders before this import."""
        return self._first and self.customers.base_was_empty

    def write_rows(
        self, mapping: OrderMapping, rows: list[tuple[int, list]], sheet: str | None
    ) -> None:
        self._headers[sheet or ""] = mapping.header
        chunk = self._rows.parse_rows(mapping, rows, sheet)
        self._write(as_orders(chunk, self._folding) if self._grouped else as_columns(chunk))

    def write_table(
        self, mapping: OrderMapping, chunks: Iterable[list[tuple[int, list]]], sheet: str | None
    ) -> None:
        """All the rows of a table, read in this process."""
        for rows in chunks:
            self.write_rows(mapping, rows, sheet)

    def write_file(self, mapping: OrderMapping, table: FileTable, reading: FileReading) -> str:
        """A CSV read by a worker process from the file itself, while this one writes: the
        rows never cross between the processes, only what they became. The worker's reader
        starts afresh on the first table of the file. Returns the file's SHA-256 over the
        bytes the worker read; ``table.text`` gets the reader's notes and counts."""
        self._headers[""] = mapping.header
        lang = language()
        args = (self.region, self.source, mapping, lang, reading, self._grouped, True)
        cleaning_args = (self.region, self.source, mapping, lang)
        with (
            worker_pool(1, initializer=start_worker, initargs=args) as pool,
            worker_pool(1, initializer=start_cleaner, initargs=cleaning_args) as cleaner,
        ):
            # One worker takes the tasks in order, each the next chunk of the file, so what
            # carries from row to row (a Shopify order's further lines, the day-first choice)
            # holds. A few are asked for ahead, to keep the worker busy while this one writes.
            # The second worker cleans each chunk's new identities, left uncleaned by the first:
            # a chunk is written once they are, while the next one is being cleaned.
            pending = deque(pool.submit(next_chunk) for _ in range(_IN_FLIGHT))
            cleaning: deque = deque()
            while pending:
                chunk = pending.popleft().result()
                if chunk is None:  # the end of the file
                    continue
                pending.append(pool.submit(next_chunk))
                ids = chunk.identities
                cleaning.append((chunk, cleaner.submit(clean_identities, ids) if ids else None))
                if len(cleaning) > 1:
                    self._write_cleaned(*cleaning.popleft())
            while cleaning:
                self._write_cleaned(*cleaning.popleft())
            summary, digest = pool.submit(file_read).result()
        table.text = summary
        return digest

    def _write_cleaned(self, chunk: RowsChunk, identities: Future | None) -> None:
        """A chunk read by the reading worker, with its identities from the cleaning one."""
        if identities is not None:
            cleaned, packed = identities.result()
            chunk = chunk._replace(identities=cleaned, packed=packed)
        self._write(chunk)

    def _write(self, chunk: RowsChunk) -> None:
        who, cid_of = self._who, self._cid
        if chunk.identities:
            results = self.customers.write_chunk([cl for _, cl in chunk.identities])
            packed = chunk.packed
            for i, ((number, _), (cl, outcome, reason, cid)) in enumerate(
                zip(chunk.identities, results, strict=True)
            ):
                if outcome == "rejected":
                    who[number] = (None, reason)
                    cid_of[number] = None
                    continue
                who[number] = (cid, None)
                cid_of[number] = cid
                values = self._matched.get(cid)
                if values is None:
                    self._matched[cid] = values = [None] * len(LOOSE)
                    # An identity's raw record is "{}" (orders_rows._identity): kept as it is.
                    self._kept[cid] = packed[i] if packed else pickle.dumps(cl, PROTOCOL)
                _merge(values, map(cl.fields.get, LOOSE))
        self._loose.update(chunk.loose)
        self.counts.rows_read += chunk.rows_read
        if chunk.orders is not None:
            self._write_orders(chunk.columns, chunk.orders)
            return
        if chunk.columns is not None and self._write_columns(chunk.columns):
            return
        items = chunk.items
        if chunk.columns is not None:  # a customer was rejected: row by row after all
            items = list(zip(*chunk.columns[:-1], strict=True))
        # records: batch-record rows (the rejects; on a first import every line, in file order)
        lines, records, batch, first = [], [], self.batch_id, self._first
        loose, last_loose, newest = self._loose, self._last_loose, self._newest_values
        for item in items:
            number = item[0]
            if number is None:
                _, row, sheet, reason, raw_json = item
            else:
                cid, reason = who[number]
                if cid is not None:
                    lid = item[19]
                    if last_loose.get(cid) != lid:  # the same values again change nothing
                        last_loose[cid] = lid
                        if cid not in newest:
                            newest[cid] = [None] * len(LOOSE)
                        _merge(newest[cid], loose[lid])
                    if first:
                        key, has_id, sheet, row, raw_json = item[1], item[2], *item[16:19]
                        lines.append((key, has_id, cid, *item[3:16], 1))
                        records.append((batch, sheet, row, raw_json, "created",
                                        "order " + key if has_id else None, cid))  # fmt: skip
                    else:
                        lines.append((item[1], item[2], cid, *item[3:19]))
                    continue
                sheet, row, raw_json = item[16:19]
            self._reject(records, row, sheet, reason, raw_json)
        self._n += len(lines)
        if first:
            self._stage(lines)
        else:
            insert_rows(self.conn, _LINES, _LINE_COLUMNS, lines)
        insert_rows(self.conn, import_rows, _REJECT_COLUMNS, records)

    def _reject(self, records: list, row: int, sheet: str | None, reason: str, raw: str) -> None:
        """A rejected row: counted, listed, and its batch record in the named form (a line
        read a column at a time comes in the cells form)."""
        named = read_raw(raw, self._headers.get(sheet or ""))
        if raw.startswith("["):
            raw = object_text(named)  # type: ignore[arg-type]  # a row's cells: a dict
        self.counts.rejected += 1
        self.rejects.append(Reject(row, sheet, reason, named))
        records.append((self.batch_id, sheet, row, raw, "rejected", reason[:500], None))

    def _write_columns(self, cols: tuple) -> bool:
        """Lines of a chunk given as columns (``as_columns``): staged with tuples zipped from
        the columns. False, having written nothing, when some customer was rejected."""
        who = self._who
        found = [who[n] for n in cols[0]]
        cids = [w[0] for w in found]
        if None in cids:
            return False
        self._newest_loose(cids, cols[19])
        key, has_id = cols[1], cols[2]
        if self._first:
            lines = list(zip(key, has_id, cids, *cols[3:16], repeat(1), strict=False))  # repeat
            batch = repeat(self.batch_id)
            records = list(zip(batch, cols[16], cols[17], cols[18], repeat("created"), cols[20],
                               cids))  # fmt: skip
            insert_rows(self.conn, import_rows, _REJECT_COLUMNS, records)
            self._stage(lines)
        else:
            lines = list(zip(key, has_id, cids, *cols[3:19], strict=True))
            insert_rows(self.conn, _LINES, _LINE_COLUMNS, lines)
        self._n += len(lines)
        return True

    def _write_orders(self, lines: tuple, groups: tuple) -> None:
        """A chunk given as orders (``as_orders``) for a first import: the lines' batch
        records, and the orders staged; a line whose customer was rejected is rejected."""
        num, sheet, row, raw, lids, reasons = lines
        who, batch = self._who, self.batch_id
        cids = list(map(self._cid.__getitem__, num))
        accepted = cids
        if None in cids:
            accepted = [c for c in cids if c is not None]
            records = []
            for n, cid, s, r, j, why in zip(num, cids, sheet, row, raw, reasons, strict=True):
                if cid is not None:
                    records.append((batch, s, r, j, "created", why, cid))
                    continue
                reason = who[n][1]
                assert reason is not None
                self._reject(records, r, s, reason, j)
            insert_rows(self.conn, import_rows, _REJECT_COLUMNS, records)
        elif cids:
            # Every line created (the usual chunk): the batch and the outcome are the same on
            # all, so they are written into the statement and only the rest is bound per line
            # (a first load is on SQLite: see _grouped), and so is the sheet of a CSV: less
            # than half the binding for the biggest table of the import.
            if sheet.count(None) == len(sheet):  # a CSV: no sheets
                params = list(zip(row, raw, reasons, cids, strict=True))
                sql = _CREATED_SQL.format(batch=int(batch), sheet="NULL")
            else:
                params = list(zip(sheet, row, raw, reasons, cids, strict=True))
                sql = _CREATED_SQL.format(batch=int(batch), sheet="?")
            self.conn.exec_driver_sql(sql, params)
        self._newest_loose(cids, lids)
        gcids = list(map(self._cid.__getitem__, groups[2]))
        staged = list(zip(groups[0], groups[1], gcids, *groups[3:], strict=True))
        if None in gcids:
            staged = [g for g in staged if g[2] is not None]
        self._stage(staged)
        self._n += len(accepted)

    def _newest_loose(self, cids: list, lids: list) -> None:
        """The LOOSE values of a chunk's lines: only the last line of each (customer,
        combination) pair can change a customer's newest values, so the pairs are applied in
        the order of their last lines (a rejected line, customer None, changes nothing)."""
        pairs = list(dict.fromkeys(zip(reversed(cids), reversed(lids), strict=True)))
        loose, last_loose, newest = self._loose, self._last_loose, self._newest_values
        for cid, lid in reversed(pairs):
            if cid is not None and last_loose.get(cid) != lid:
                last_loose[cid] = lid
                if cid not in newest:
                    newest[cid] = [None] * len(LOOSE)
                _merge(newest[cid], loose[lid])

    def _stage(self, rows: list[tuple]) -> None:
        """Rows of ``_ORDER_COLUMNS`` into the staging table of a first import, in file order.
        On SQLite the rows of one order (key and customer) that follow each other are folded
        into one as they come (the last row waits for the next chunk), and whether the keys
        keep rising is noted: then every staged row is a whole order, in key order."""
        if not self._grouped:
            insert_rows(self.conn, _LINES, _ORDER_COLUMNS, rows)
            return
        page, held = [], self._held
        for row in rows:
            if held is None:
                held = row
            elif self._rising and row[0] == held[0] and row[2] == held[2]:
                held = fold_orders(held, row)  # the order goes on: its lines added in order
            else:
                if self._rising and not held[0] < row[0]:
                    self._rising = False  # a key seen before, maybe: from now on GROUP BY
                page.append(held)
                held = row
        self._held = held  # it may go on in the next chunk
        insert_rows(self.conn, _LINES, _ORDER_COLUMNS, page)
        self._staged += len(page)
        if self._rising:
            self._flush_orders()

    def finish(self) -> None:
        """Sum the staged lines into orders; a known order id is updated, not added twice.

        Works through the aggregate a page at a time, so a million orders never sit in memory;
        the lines' batch record is then written with one INSERT … SELECT."""
        if self._held is not None:
            insert_rows(self.conn, _LINES, _ORDER_COLUMNS, [self._held])
            self._staged += 1
            self._held = None
        self._newest()
        conn, L = self.conn, _LINES
        agg = (
            select(
                L.c.order_key, func.max(L.c.has_id).label("has_id"),
                func.min(L.c.customer_id).label("customer_id"),
                func.min(L.c.ordered_at).label("ordered_at"), func.sum(L.c.amount).label("amount"),
                func.sum(L.c.quantity).label("quantity"), func.sum(L.c.cost).label("cost"),
                func.sum(L.c.margin).label("margin"), func.sum(L.c.discount).label("discount"),
                func.min(L.c.product).label("product"), func.min(L.c.category).label("category"),
                func.max(L.c.manager).label("manager"), func.max(L.c.channel).label("channel"),
                func.max(L.c.status).label("status"), func.max(L.c.currency).label("currency"),
                func.max(L.c.ret).label("ret"), func.sum(L.c.lines).label("lines"),
            ).group_by(L.c.order_key)
            # New orders are numbered in the order of the keys, whatever the backend's GROUP BY
            # happens to return.
            .order_by(L.c.order_key)
        )  # fmt: skip
        if self._first:
            self._insert_orders(agg)
        else:
            self._compare_orders(agg)
        self.counts.duplicates = self._n - (
            self.counts.created + self.counts.updated + self.counts.unchanged
        )  # lines folded into their order
        _LINES.drop(conn)

    def _newest(self) -> None:
        """A customer's identity is matched once per file, with the values of the ``LOOSE``
        fields its first row had; where later rows say otherwise (a deal passed to another
        manager), the identity is applied again with the newest non-empty value of each, so
        the newest row has the last word, as when every row is applied in turn."""
        again = []
        for cid, want in self._newest_values.items():
            have = self._matched[cid]
            if all(w is None or w == h for w, h in zip(want, have, strict=True)):
                continue
            cl = pickle.loads(self._kept[cid])
            fields = {**cl.fields, **{k: v for k, v in zip(LOOSE, want, strict=True) if v}}
            again.append(cl._replace(fields=fields))
        for i in range(0, len(again), PAGE):
            self.customers.write_chunk(again[i : i + PAGE])
        self._kept.clear()

    def _compare_orders(self, agg) -> None:
        """Orders for a base that has some: each is looked up by its order id (or, without one,
        by customer, time and amount) and added, updated or left as it is, a page at a time."""
        conn, L, oc = self.conn, _LINES, _OUTCOMES
        _OUTCOMES.drop(conn, checkfirst=True)
        _OUTCOMES.create(conn)
        result = conn.execute(agg)
        while page := result.fetchmany(PAGE):
            self._orders_page(page)
        reason = case((L.c.has_id == 1, literal("order ") + L.c.order_key), else_=None)
        conn.execute(
            insert(import_rows).from_select(
                list(_REJECT_COLUMNS),
                select(literal(self.batch_id), L.c.sheet, L.c.row_number, L.c.raw, oc.c.outcome,
                       reason, L.c.customer_id)
                .join(oc, oc.c.order_key == L.c.order_key)
                .order_by(L.c.line),
            )
        )  # fmt: skip
        _OUTCOMES.drop(conn)

    def _insert_orders(self, agg) -> None:
        """The first orders of a base: nothing to compare with, so every order is new and the
        whole aggregate goes in with one INSERT … SELECT (the lines' batch records are in).
        The same values as ``_orders_page`` gives a new order, computed in SQL. While the keys
        rose to the end, most are in already (``_flush_orders``): only the last ones are left."""
        conn = self.conn
        if self._grouped and self._rising:
            self._flush_orders()
        else:
            if self._flushed:
                # A key came again after its orders were written as whole ones: they are
                # summed anew from all the lines, numbered from where they began.
                conn.execute(delete(orders).where(orders.c.import_id == self.batch_id))
                self._flushed = 0
            conn.execute(self._orders_from(agg, whole=False))
        o = orders
        created, returns = conn.execute(
            select(func.count(), func.count(case((o.c.status == ORDER_RETURN, 1))))
            .where(o.c.import_id == self.batch_id)
        ).one()  # fmt: skip
        self.counts.created += created
        self.counts.returns += returns

    def _flush_orders(self) -> None:
        """The orders staged since the last call into ``orders``, in line order: while the keys
        rise each staged row is a whole order (see _stage), and new orders are numbered in key
        order, so writing them a chunk at a time numbers them as one INSERT at the end would."""
        if self._staged == self._flushed:
            return
        if self._flush_sql is None:
            self._flush_sql = self._orders_from(None, whole=True)
        self.conn.execute(self._flush_sql, {"after": self._flushed, "upto": self._staged})
        self._flushed = self._staged

    def _orders_from(self, agg, *, whole: bool):
        """INSERT … SELECT of new orders: from the aggregate of the staged lines by key, or
        (``whole``) from the staged rows between the lines ``after`` and ``upto`` (bound when
        run), each a whole order already."""
        conn, L = self.conn, _LINES
        if whole:
            # Each staged row is a whole order, in key order (see _stage): no sort, no groups.
            # A sum of one value is that value added to 0.0, as SQLite's SUM begins.
            a = SimpleNamespace(**{c.name: L.c[c.name] for c in L.columns})
            for k in ("amount", "quantity", "cost", "margin", "discount"):
                setattr(a, k, L.c[k] + literal(0.0, Float))
        else:
            # The aggregates themselves, not a subquery of them: one sort of the lines (by key)
            # gives both the groups and the order of the new orders.
            a = SimpleNamespace(**{c.name: c.element if isinstance(c, Label) else c
                                   for c in agg.selected_columns})  # fmt: skip
        returned = and_(
            or_(a.ret == 1, a.amount < 0),
            or_(a.status.is_(None), a.status.not_in(("cancelled", "open"))),
        )
        label = (
            func.coalesce(func.nullif(a.product, ""), literal("товары"))
            + literal(" и др. (") + cast(a.lines, String) + literal(" поз.)")
        )  # fmt: skip
        ordered_at = a.ordered_at
        if conn.dialect.name != "sqlite":  # SQLite keeps times as this very text
            ordered_at = cast(ordered_at, DateTime)
        now = timestamp(conn, self._started)
        values = select(
            a.customer_id,
            ordered_at,
            a.amount,
            a.cost,
            a.margin,
            a.discount,
            a.quantity,
            case((a.lines == 1, a.product), else_=label),
            a.category,
            a.manager,
            a.channel,
            case((returned, literal(ORDER_RETURN)), else_=a.status),
            a.currency,
            case((a.has_id == 1, a.order_key), else_=None),
            literal(self.batch_id),
            literal(now, DateTime if not isinstance(now, str) else String),
        )
        # New orders are numbered in key order.
        if whole:
            values = values.where(
                L.c.line > bindparam("after"), L.c.line <= bindparam("upto")
            ).order_by(L.c.line)
        else:
            values = values.group_by(a.order_key).order_by(a.order_key)
        return insert(orders).from_select(list(_ORDER_INSERT), values)

    def _orders_page(self, page) -> None:
        conn, o = self.conn, orders
        existing: dict = {}
        keys = [r.order_key for r in page if r.has_id]
        cols = [c.name for c in o.columns]
        for row in select_where_in(conn, o, cols, "external_id", keys) if keys else ():
            existing[row[cols.index("external_id")]] = dict(zip(cols, row, strict=True))
        cids = sorted({r.customer_id for r in page if not r.has_id})
        for row in select_where_in(conn, o, cols, "customer_id", cids) if cids else ():
            d = dict(zip(cols, row, strict=True))
            if d["external_id"] is None:
                existing[(d["customer_id"], _text(d["ordered_at"]), d["amount"])] = d
        now = timestamp(conn, datetime.now())
        new_rows, updates, changes, outcomes = [], [], [], []
        for r in page:
            values = {"customer_id": r.customer_id, "ordered_at": r.ordered_at,
                      "amount": r.amount, "cost": r.cost, "margin": r.margin,
                      "discount": r.discount, "quantity": r.quantity,
                      "product": r.product if r.lines == 1 else _lines_label(r),
                      "category": r.category, "manager": r.manager, "channel": r.channel,
                      "status": r.status, "currency": r.currency}  # fmt: skip
            if (r.ret or r.amount < 0) and r.status not in ("cancelled", "open"):
                values["status"] = (
                    ORDER_RETURN  # a return: its negative amount comes off the revenue
                )
                self.counts.returns += 1
            key = r.order_key if r.has_id else (r.customer_id, _text(r.ordered_at), r.amount)
            old = existing.get(key)
            if old is None:
                new_rows.append((*values.values(), r.order_key if r.has_id else None,
                                 self.batch_id, now))  # fmt: skip
                outcomes.append((r.order_key, "created"))
                self.counts.created += 1
                continue
            if old["customer_id"] != r.customer_id:
                # The same order number for another customer: a corrected export, or another
                # file numbering its own orders alike. Done, but never silently.
                self.counts.orders_moved += 1
                text = _(
                    "order {order}: moved from customer #{before} to #{after} (the file gives "
                    "it to another customer; `clientbase imports undo {batch}` puts it back)"
                )
                self.warnings.append(
                    text.format(order=r.order_key, before=old["customer_id"],
                                after=r.customer_id, batch=self.batch_id)
                )  # fmt: skip
            if any(_text(old[k]) != _text(values[k]) for k in _COMPARE):
                updates.append({"_id": old["id"], **values,
                                "ordered_at": datetime.fromisoformat(r.ordered_at)})  # fmt: skip
                before = {k: _text(old[k]) for k in values}
                changes.append({"import_id": self.batch_id, "customer_id": old["customer_id"],
                                "before": {"order": old["id"], **before},
                                "after": {"order": old["id"]}})  # fmt: skip
                outcomes.append((r.order_key, "updated"))
                self.counts.updated += 1
            else:
                outcomes.append((r.order_key, "unchanged"))
                self.counts.unchanged += 1
        insert_rows(conn, o, _ORDER_INSERT, new_rows)
        if updates:
            stmt = update(o).where(o.c.id == bindparam("_id")).values(
                {k: bindparam(k) for k in updates[0] if k != "_id"})  # fmt: skip
            conn.execute(stmt, updates)
        if changes:
            conn.execute(insert(import_changes), changes)
        insert_rows(conn, _OUTCOMES, ("order_key", "outcome"), outcomes)


def _lines_label(r) -> str:
    return f"{r.product or 'товары'} и др. ({r.lines} поз.)"


def _text(v):
    """Times compared and stored as text: SQLite's own form, whatever the driver returned."""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    return v


def _merge(values: list, new) -> None:
    """Each non-empty value of ``new`` replaces the one at its place."""
    for i, v in enumerate(new):
        if v:
            values[i] = v
