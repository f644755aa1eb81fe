"""Orders, sales and receipts: one row per order or per order line, with the customer's identity.

Each row is read with the same machinery as a contact list: the identity columns (client code,
name, phone, email, company) find the customer, or create one (``create_missing``); the order
columns become an order. Rows that share an order id are lines of one order: they are staged
in a temporary table and summed into one order at the end, with SQL. An order id seen before
(a re-read of an export) updates that order instead of adding it again.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)

from clientbase.db.bulk import insert_rows, select_where_in, timestamp
from clientbase.db.models import import_changes, import_rows, orders
from clientbase.errors import InputFileError, UsageError
from clientbase.importers.clean import Clean, Rejected, clean_record, to_json
from clientbase.importers.contacts import ContactWriter, Counts, Reject
from clientbase.importers.mapping import (
    IGNORE,
    ColumnMap,
    Mapping,
    guess_column,
    normalize_header,
    to_record,
)
from clientbase.importers.records import ContactRecord, UnreadableRow
from clientbase.normalize.dates import parse_datetime
from clientbase.normalize.money import parse_amount

ORDER_FIELDS = (
    "order_id", "date", "amount", "quantity", "price", "cost", "margin", "discount", "product",
    "category", "manager", "channel", "status", "currency",
)  # fmt: skip
IDENTITY_FIELDS = ("external_id", "full_name", "last_name", "first_name", "middle_name",
                   "company", "phone", "email", "city")  # fmt: skip
NUMBERS = ("amount", "quantity", "price", "cost", "margin", "discount")

_ORDER_SYNONYMS: dict[str, str] = {}


def _add(field: str, *headers: str) -> None:
    for h in headers:
        _ORDER_SYNONYMS[normalize_header(h)] = field


_add("order_id", "Номер заказа", "№ заказа", "Заказ", "Номер", "ID", "ID заказа", "ID сделки",
     "Сделка", "Номер документа", "Документ", "Чек", "Номер чека", "Order ID", "Order",
     "Order number", "Order No", "Invoice", "Номер счета")  # fmt: skip
_add("date", "Дата", "Дата заказа", "Дата продажи", "Дата документа", "Дата и время",
     "Дата оплаты", "Дата сделки", "Дата создания", "Дата закрытия", "Период", "Date",
     "Order date", "Created", "Created at", "Paid at")  # fmt: skip
_add("amount", "Сумма", "Сумма заказа", "Итого", "Итог", "Выручка", "Сумма продажи",
     "Стоимость", "Бюджет", "Сумма с НДС", "Сумма, руб", "Сумма руб", "Amount", "Total",
     "Revenue", "Sum", "Order total", "Grand total")  # fmt: skip
_add("quantity", "Количество", "Кол-во", "Кол.", "Qty", "Quantity")
_add("price", "Цена", "Price", "Unit price")
_add("cost", "Себестоимость", "Cost", "COGS")
_add("margin", "Маржа", "Прибыль", "Валовая прибыль", "Наценка, руб", "Margin", "Profit",
     "Gross profit")  # fmt: skip
_add("discount", "Скидка", "Сумма скидки", "Discount")
_add("product", "Товар", "Номенклатура", "Наименование", "Услуга", "Позиция", "Product",
     "Item", "SKU name")  # fmt: skip
_add("category", "Категория", "Группа товаров", "Группа", "Category", "Product category")
_add("manager", "Менеджер", "Ответственный", "Продавец", "Кассир", "Manager", "Sales manager",
     "Salesperson", "Responsible")  # fmt: skip
_add("channel", "Канал", "Канал продаж", "Источник", "Источник сделки", "Channel", "Source",
     "utm source")  # fmt: skip
_add("status", "Статус", "Статус заказа", "Этап сделки", "Этап", "Status", "State", "Stage")
_add("currency", "Валюта", "Currency")
_add("external_id", "Код клиента", "ID клиента", "Клиент ID", "Код покупателя",
     "Код контрагента", "ID контакта", "Customer ID", "Client ID", "Customer code")  # fmt: skip
_add("full_name", "Клиент", "Покупатель", "Контрагент", "Заказчик", "Контакт", "Customer",
     "Client", "Buyer", "Основной контакт", "Имя клиента")  # fmt: skip

_CANCELLED = re.compile(r"отмен|аннулир|cancel|void|закрыто и не реализовано|не реализован", re.I)
_RETURNED = re.compile(r"возврат|return|refund", re.I)


def order_column(header: str) -> str | None:
    h = normalize_header(header)
    if h in _ORDER_SYNONYMS:
        return _ORDER_SYNONYMS[h]
    guess = guess_column(header)
    if guess and guess[0] in IDENTITY_FIELDS:
        return guess[0]
    return None


def looks_like_orders(header: list[str]) -> bool:
    """A date column and an amount column: what makes a table a list of sales."""
    found = {order_column(h) for h in header if h}
    return {"date", "amount"} <= found


def order_header_score(cells: list[str]) -> int:
    return sum(1 for c in cells if c and order_column(c) is not None)


def build_order_mapping(header: list[str], overrides: dict[str, str]) -> Mapping:
    m = Mapping(header=header)
    allowed = (*ORDER_FIELDS, *IDENTITY_FIELDS, IGNORE)
    norm = {}
    for column, target in overrides.items():
        if target not in allowed:
            raise UsageError(
                f"unknown field {target!r} for column {column!r} in an orders file",
                hint=f"fields: {', '.join(allowed)}",
            )
        norm[normalize_header(column)] = target
    for i, h in enumerate(header):
        nh = normalize_header(h)
        target = norm.get(nh) or order_column(h)
        if target is None:
            if nh:
                m.unmapped.append(h)
            continue
        if target in [c.field for c in m.columns.values()] and target not in ("phone", "email"):
            m.unmapped.append(h)  # a second "Сумма" column: kept raw, not summed twice
            continue
        m.columns[i] = ColumnMap(target)
    fields = {c.field for c in m.columns.values()}
    missing = [f for f in ("date", "amount") if f not in fields]
    if missing:
        raise InputFileError(
            f"no {' and no '.join(missing)} column for orders "
            f"(header: {', '.join(h for h in header if h)[:200]})",
            hint="name them with --map 'COLUMN=date' / 'COLUMN=amount'",
        )
    if not fields & {"external_id", "full_name", "last_name", "company", "phone", "email"}:
        raise InputFileError(
            "no column says who the customer is (client code, name, phone or email)",
            hint="map one with --map 'COLUMN=external_id' (or full_name, phone, email)",
        )
    return m


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
    Column("sheet", String(200)), Column("row_number", Integer), Column("raw", Text),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_LINE_COLUMNS = tuple(c.name for c in _LINES.columns if c.name != "line")
_OUTCOMES = Table(
    "_clientbase_order_outcomes", _meta,
    Column("order_key", String(250), primary_key=True), Column("outcome", String(12)),
    prefixes=["TEMPORARY"],
)  # fmt: skip
PAGE = 5000
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


class OrderWriter:
    """Orders of one file, inside the caller's transaction."""

    def __init__(self, conn: Connection, batch_id: int, *, create_missing: bool, region: str,
                 source: str | None):  # fmt: skip
        self.conn, self.batch_id, self.region, self.source = conn, batch_id, region, source
        self.customers = ContactWriter(conn, batch_id, write_rows=False, create=create_missing)
        self.customers.load_existing_keys()
        self.counts = Counts()  # created / updated / unchanged count orders here
        self.rejects: list[Reject] = []
        _LINES.drop(conn, checkfirst=True)
        _LINES.create(conn)
        self._n = 0

    def write_rows(self, mapping: Mapping, rows: list[tuple[int, list]], sheet: str | None) -> None:
        cleans: list[Clean | Rejected] = []
        parsed = []
        for n, cells in rows:
            if isinstance(cells, UnreadableRow):  # counted and rejected with the reader's reason
                rec = to_record(mapping, n, [], sheet)
                rec.raw = {"line": cells[0] if cells else ""}
                cleans.append(Rejected(n, sheet, to_json(rec.raw), cells.reason))
                parsed.append((rec, None))
                continue
            rec = to_record(mapping, n, cells, sheet)
            order, problem = self._order_part(rec)
            if problem:
                cleans.append(Rejected(n, sheet, to_json(rec.raw), problem))
            else:
                cleans.append(clean_record(rec, self.region, self.source))
            parsed.append((rec, order))
        self.counts.rows_read += len(rows)
        rejected = []  # batch-record rows of the chunk's rejects, written in one go
        results = self.customers.write_chunk(cleans)
        lines = []
        for (rec, order), (cl, outcome, reason, cid) in zip(parsed, results, strict=True):
            if outcome == "rejected":
                if isinstance(cl, Rejected) and cl.reason.startswith("nothing to identify"):
                    reason = "no customer: the row has no client code, name, phone or email"
                self.counts.rejected += 1
                self.rejects.append(Reject(rec.row, rec.sheet, reason, rec.raw))
                rejected.append((self.batch_id, rec.sheet, rec.row, cl.raw_json, "rejected",
                                 reason[:500], None))  # fmt: skip
                continue
            self._n += 1
            key = order["order_id"] or f"row:{sheet or ''}:{rec.row}"
            lines.append((key, int(bool(order["order_id"])), cid, _text(order["date"]),
                          *(order[k] for k in ("amount", "quantity", "cost", "margin", "discount",
                                               "product", "category", "manager", "channel",
                                               "status", "currency")),
                          rec.sheet, rec.row, cl.raw_json))  # fmt: skip
        insert_rows(self.conn, _LINES, _LINE_COLUMNS, lines)
        insert_rows(self.conn, import_rows, ("import_id", "sheet", "row_number", "raw", "outcome",
                                             "reason", "customer_id"), rejected)  # fmt: skip

    def _order_part(self, rec: ContactRecord) -> tuple[dict, str | None]:
        """Take the order columns out of the record (what stays is the customer's identity)."""
        f = rec.fields
        order = {k: f.pop(k, None) for k in ORDER_FIELDS}
        try:
            order["date"] = parse_datetime(order["date"]) if order["date"] else None
        except ValueError as exc:
            return order, f"date {order['date']!r}: {exc}"
        if order["date"] is None:
            return order, "no date"
        for k in NUMBERS:
            if order[k] not in (None, ""):
                try:
                    order[k] = parse_amount(order[k])
                except ValueError as exc:
                    return order, f"{k} {order[k]!r}: {exc}"
            else:
                order[k] = None
        if order["amount"] is None:
            if order["price"] is not None and order["quantity"] is not None:
                order["amount"] = order["price"] * order["quantity"]
            else:
                return order, "no amount"
        if order["margin"] is None and order["cost"] is not None:
            order["margin"] = order["amount"] - order["cost"]
        status = order["status"]
        if status and _RETURNED.search(status):
            order["status"] = "returned"
        elif status and _CANCELLED.search(status):
            order["status"] = "cancelled"
        order["order_id"] = (order["order_id"] or "").strip() or None
        order["currency"] = (order["currency"] or "").strip().upper()[:3] or None
        if order["manager"]:
            f.setdefault("manager", order["manager"])
        if order["channel"]:
            f.setdefault("source", order["channel"])  # the channel of a first order
        return order, None

    def finish(self) -> None:
        """Sum the staged lines into orders; a known order id is updated, not added twice.

        Works through the aggregate a page at a time, so a million orders never sit in memory;
        the lines' batch record is then written with one INSERT … SELECT."""
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
                func.count().label("lines"),
            ).group_by(L.c.order_key)
            # New orders are numbered in the order of the keys, whatever the backend's GROUP BY
            # happens to return.
            .order_by(L.c.order_key)
        )  # fmt: skip
        _OUTCOMES.drop(conn, checkfirst=True)
        _OUTCOMES.create(conn)
        had_orders = conn.execute(select(orders.c.id).limit(1)).first() is not None
        result = conn.execute(agg)
        while page := result.fetchmany(PAGE):
            self._orders_page(page, had_orders)
        oc = _OUTCOMES
        reason = case((L.c.has_id == 1, literal("order ") + L.c.order_key), else_=None)
        conn.execute(
            insert(import_rows).from_select(
                ["import_id", "sheet", "row_number", "raw", "outcome", "reason", "customer_id"],
                select(literal(self.batch_id), L.c.sheet, L.c.row_number, L.c.raw, oc.c.outcome,
                       reason, L.c.customer_id)
                .join(oc, oc.c.order_key == L.c.order_key)
                .order_by(L.c.line),
            )
        )  # fmt: skip
        self.counts.duplicates = self._n - (
            self.counts.created + self.counts.updated + self.counts.unchanged
        )  # lines folded into their order
        _LINES.drop(conn)
        _OUTCOMES.drop(conn)

    def _orders_page(self, page, had_orders: bool) -> None:
        conn, o = self.conn, orders
        existing: dict = {}
        if had_orders:  # a first import of orders has nothing to compare with
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
            key = r.order_key if r.has_id else (r.customer_id, _text(r.ordered_at), r.amount)
            old = existing.get(key)
            if old is None:
                new_rows.append((*values.values(), r.order_key if r.has_id else None,
                                 self.batch_id, now))  # fmt: skip
                outcomes.append((r.order_key, "created"))
                self.counts.created += 1
                continue
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
