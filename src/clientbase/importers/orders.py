"""Orders, sales and receipts: one row per order or per order line, with the customer's identity.

Each row is read with the same machinery as a contact list: the identity columns (client code,
name, phone, email, company) find the customer, or create one (``create_missing``); the order
columns become an order. Rows that share an order id are lines of one order: they are staged
in a temporary table and summed into one order at the end, with SQL. An order id seen before
(a re-read of an export) updates that order instead of adding it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

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
from clientbase.db.rules import ORDER_RETURN
from clientbase.errors import InputFileError, UsageError
from clientbase.i18n import _
from clientbase.importers.clean import NOTHING_TO_IDENTIFY, Clean, Rejected, clean_record, to_json
from clientbase.importers.contacts import ContactWriter, Counts, Reject
from clientbase.importers.mapping import (
    IGNORE,
    ColumnMap,
    Mapping,
    guess_column,
    normalize_header,
    to_record,
)
from clientbase.importers.records import MULTI_FIELDS, ContactRecord, UnreadableRow
from clientbase.normalize.dates import parse_datetime
from clientbase.normalize.money import parse_amount

ORDER_FIELDS = (
    "order_id", "date", "date2", "date3", "amount", "quantity", "price", "cost", "margin",
    "discount", "product", "sku", "category", "manager", "channel", "status", "currency",
    "company_code", "inn", "cancelled_at",
)  # fmt: skip
# date2 and date3 are later choices for the order's date: used only when the columns before them
# are empty (a deal's creation day when it has no closing day, Shopify's "Paid at" last of all).
# sku names the product when there is no product name; inn (1C's ИНН) and company_code (a
# Bitrix24 deal's COMPANY_ID) identify the customer when there is no client code.
IDENTITY_FIELDS = ("external_id", "full_name", "last_name", "first_name", "middle_name",
                   "company", "phone", "email", "city")  # fmt: skip
NUMBERS = ("amount", "quantity", "price", "cost", "margin", "discount")
# An amount beyond this is a broken cell or an overflowed export (1e308, -9.2e18), not a sale.
MAX_AMOUNT = 1e12

_ORDER_SYNONYMS: dict[str, str] = {}


def _add(field: str, *headers: str) -> None:
    for h in headers:
        _ORDER_SYNONYMS[normalize_header(h)] = field


# Shops, CRMs and accounting systems as they name their export columns. Grouped by the field;
# the comments say whose names they are where that is not obvious.
_add("order_id", "Номер заказа", "№ заказа", "Заказ", "Номер", "ID", "ID заказа", "ID сделки",
     "Сделка", "Номер документа", "Документ", "Регистратор", "Чек", "Номер чека", "Order ID",
     "OrderID", "Order", "Order number", "OrderNumber", "Order No", "Order #", "Invoice",
     "InvoiceNo", "Invoice No", "Invoice number", "Номер счета")  # fmt: skip
_add("date", "Дата", "Дата заказа", "Дата продажи", "Дата документа", "Дата и время",
     "Дата оплаты", "Дата сделки", "Дата закрытия", "Дата реализации", "Период", "Date",
     "Order date", "OrderDate", "Order Date", "InvoiceDate", "Invoice date", "Created",
     "Created at", "Date created", "Sale date",
     "CLOSEDATE")  # fmt: skip
_add("date2", "Дата создания", "DATE_CREATE", "BEGINDATE")  # a deal's start: when it has no close
_add("date3", "Paid at", "Fulfilled at")  # Shopify: empty on unpaid orders, so the last choice
_add("amount", "Сумма", "Сумма заказа", "Итого", "Итог", "Выручка", "Сумма продажи",
     "Стоимость", "Бюджет", "Сумма с НДС", "Сумма, руб", "Сумма руб", "Amount", "Total",
     "Revenue", "Sum", "Order total", "Order Total Amount", "Grand total", "Line total",
     "OPPORTUNITY")  # fmt: skip
_add("quantity", "Количество", "Кол-во", "Кол.", "Qty", "Quantity", "Lineitem quantity",
     "Item quantity")  # fmt: skip
_add("price", "Цена", "Price", "Unit price", "UnitPrice", "Lineitem price", "Item cost")
_add("cost", "Себестоимость", "Cost", "COGS")
_add("margin", "Маржа", "Прибыль", "Валовая прибыль", "Наценка, руб", "Margin", "Profit",
     "Gross profit")  # fmt: skip
_add("discount", "Скидка", "Сумма скидки", "Discount", "Discount Amount")
_add("product", "Товар", "Номенклатура", "Наименование", "Услуга", "Позиция", "Название сделки",
     "Product", "Item", "Item name", "Product name", "SKU name", "Description", "Lineitem name",
     "TITLE")  # fmt: skip
_add("sku", "Артикул", "StockCode", "Stock code", "SKU", "Lineitem sku")
_add("category", "Категория", "Группа товаров", "Группа", "Category", "Product category")
_add("manager", "Менеджер", "Ответственный", "Продавец", "Кассир", "Manager", "Sales manager",
     "Salesperson", "Responsible", "Employee", "ASSIGNED_BY_ID")  # fmt: skip
_add("channel", "Канал", "Канал продаж", "Источник", "Источник сделки", "Channel", "Source",
     "utm source", "SOURCE_ID")  # fmt: skip
_add("status", "Статус", "Статус заказа", "Этап сделки", "Этап", "Status", "State", "Stage",
     "Order Status", "Financial Status", "STAGE_ID")  # fmt: skip
_add("currency", "Валюта", "Currency", "CURRENCY_ID")
_add("cancelled_at", "Cancelled at")
_add(IGNORE, "Shipping Phone", "Shipping Name")  # the recipient, not always the buyer
_add("external_id", "Код клиента", "ID клиента", "Клиент ID", "Код покупателя",
     "Код контрагента", "ID контакта", "Customer ID", "CustomerID", "Customer Id", "Client ID",
     "ClientID", "Customer code", "Customer number", "Customer User ID", "CONTACT_ID")  # fmt: skip
_add("company_code", "COMPANY_ID")
_add("inn", "ИНН", "ИНН контрагента", "ИНН покупателя")
_add("full_name", "Клиент", "Покупатель", "Контрагент", "Заказчик", "Контакт", "Customer",
     "Client", "Buyer", "Основной контакт", "Имя клиента", "Billing Name")  # fmt: skip
_add("first_name", "Billing First Name")
_add("last_name", "Billing Last Name")
_add("company", "Billing Company")
_add("phone", "Billing Phone")
_add("email", "Billing Email", "Billing Email Address", "Customer Email")
_add("city", "Billing City")

# Shopify calls the order number "Name" (#1001); elsewhere "Name" is the customer's.
_SHOPIFY_MARKERS = {normalize_header(h) for h in ("Billing Name", "Lineitem name",
                                                   "Financial Status")}  # fmt: skip
# Bitrix24's deal export by field name: a deal with no contact and no company has no customer.
_DEAL_MARKERS = {normalize_header(h) for h in ("STAGE_ID", "OPPORTUNITY")}
_STAGE_HEADERS = {normalize_header(h) for h in ("Этап сделки", "Этап", "Stage", "STAGE_ID")}

_CANCELLED = re.compile(r"отмен|аннулир|cancel|void|закрыто и не реализовано|не реализован|"
                        r"провал|^(?:c\d+:)?(?:lose|apology)$", re.I)  # fmt: skip
_RETURNED = re.compile(r"возврат|return|refund", re.I)
_WON = re.compile(r"^(?:c\d+:)?won$|успешно реализован|сделка успешна|выиграна", re.I)
# Online-Retail style cancellations: the invoice number with a C in front (C536379).
_CANCELLATION_ID = re.compile(r"^C\d+$")
# A 1C document: "Реализация товаров и услуг 00БП-000123 от 12.03.2025 12:00:00".
_DOCUMENT_DATE = re.compile(r"\bот\s+(\d{1,2}\.\d{1,2}\.\d{2,4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)")
_TOTALS_ROW = re.compile(r"^\s*(итого|всего|итог|total|grand total)\b", re.I)
_DOCUMENT_HEADERS = {normalize_header(h) for h in ("Документ", "Регистратор")}
_RETURN_DOCUMENT = re.compile(r"^\s*возврат", re.I)
_EMPTY_CODES = {"", "0"}  # Bitrix24 writes 0 for "no contact"
COMPANY_CODE_PREFIX = "company:"  # a deal's COMPANY_ID, kept apart from its contacts' ids


def order_column(header: str, context: frozenset[str] = frozenset()) -> str | None:
    """The field of an orders column; ``context`` is the file's whole normalised header, which
    decides what a bare "Name" is (Shopify's order number, or elsewhere the customer)."""
    h = normalize_header(header)
    if h == "name" and context & _SHOPIFY_MARKERS:
        return "order_id"
    if h in _ORDER_SYNONYMS:
        return _ORDER_SYNONYMS[h]
    guess = guess_column(header)
    if guess and guess[0] in IDENTITY_FIELDS:
        return guess[0]
    return None


def _context(header: list[str]) -> frozenset[str]:
    return frozenset(normalize_header(h) for h in header if h)


def _has_date_and_amount(found: set) -> bool:
    has_date = bool(found & {"date", "date2", "date3"})
    has_amount = "amount" in found or {"price", "quantity"} <= found
    return has_date and has_amount


def looks_like_orders(header: list[str]) -> bool:
    """What makes a table a list of sales: a date and an amount (or a price and a quantity),
    or, as 1C writes its sales reports, a document (its date is in its name), goods and sums."""
    ctx = _context(header)
    found = {order_column(h, ctx) for h in header if h}
    if _has_date_and_amount(found):
        return True
    documents = any(normalize_header(h) in _DOCUMENT_HEADERS for h in header if h)
    return documents and "amount" in found and bool(found & {"product", "quantity"})


def order_header_score(cells: list[str]) -> int:
    ctx = _context(cells)
    return sum(1 for c in cells if c and order_column(c, ctx) is not None)


@dataclass
class OrderMapping(Mapping):
    """A mapped orders header, with what the header says about the whole file."""

    deals: bool = False  # a CRM's deals: a row with no contact or company has no customer
    stages: bool = False  # the status column holds deal stages (open deals are not sales yet)
    russian: bool = False  # Cyrillic headers: customers known only by a code are "Клиент N"
    document_dates: bool = False  # 1C: the date is in the document's name ("… от 12.03.2025")
    amount_column: bool = False  # an amount column (else price x quantity makes the amount)


def build_order_mapping(header: list[str], overrides: dict[str, str]) -> OrderMapping:
    m = OrderMapping(header=header)
    allowed = (*ORDER_FIELDS, *IDENTITY_FIELDS, IGNORE)
    norm = {}
    for column, target in overrides.items():
        if target not in allowed:
            raise UsageError(
                _("unknown field {field} for column {column} in an orders file").format(
                    field=repr(target), column=repr(column)
                ),
                hint=_("fields: {fields}").format(fields=", ".join(allowed)),
            )
        norm[normalize_header(column)] = target
    ctx = _context(header)
    for i, h in enumerate(header):
        nh = normalize_header(h)
        target = norm.get(nh) or order_column(h, ctx)
        if target is None:
            if nh:
                m.unmapped.append(h)
            continue
        taken = target in [c.field for c in m.columns.values()]
        if taken and target not in ("phone", "email", IGNORE):
            m.unmapped.append(h)  # a second "Сумма" column: kept raw, not summed twice
            continue
        m.columns[i] = ColumnMap(target)
        if target == "status" and nh in _STAGE_HEADERS:
            m.stages = True
        if target == "order_id" and nh in _DOCUMENT_HEADERS:
            m.document_dates = True
    fields = {c.field for c in m.columns.values()}
    # A report without a date column: its documents carry the dates, and a line without one is
    # a group or subtotal line. With a date column, the document is just the order number.
    m.document_dates = m.document_dates and not fields & {"date", "date2", "date3"}
    m.deals = bool(ctx & _DEAL_MARKERS)
    m.amount_column = "amount" in fields
    m.russian = any("\u0400" <= ch <= "\u04ff" for h in header if h for ch in h)
    missing = []
    if not fields & {"date", "date2", "date3"} and not m.document_dates:
        missing.append("date")
    if "amount" not in fields and not {"price", "quantity"} <= fields:
        missing.append("amount")
    if missing:
        raise InputFileError(
            _("no {columns} column for orders (header: {header})").format(
                columns=(" " + _("and no") + " ").join(missing),
                header=", ".join(h for h in header if h)[:200],
            ),
            hint=_("name them with --map 'COLUMN=date' / 'COLUMN=amount'"),
        )
    who = {"external_id", "full_name", "last_name", "company", "phone", "email", "company_code",
           "inn"}  # fmt: skip
    if not fields & who:
        raise InputFileError(
            _("no column says who the customer is (client code, name, phone or email)"),
            hint=_("map one with --map 'COLUMN=external_id' (or full_name, phone, email)"),
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
    Column("ret", Integer), Column("sheet", String(200)), Column("row_number", Integer), Column("raw", Text),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_LINE_COLUMNS = tuple(c.name for c in _LINES.columns if c.name != "line")
_OUTCOMES = Table(
    "_clientbase_order_outcomes", _meta,
    Column("order_key", String(250), primary_key=True), Column("outcome", String(12)),
    prefixes=["TEMPORARY"],
)  # fmt: skip
PAGE = 5000
_CACHE_SIZE = 50_000
_ORDER_FIELD_SET = frozenset(ORDER_FIELDS)
_LINE_VALUES = itemgetter("amount", "quantity", "cost", "margin", "discount", "product",
                          "category", "manager", "channel", "status", "currency")  # fmt: skip
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
        self._head: tuple | None = None  # (order id, date, identity) of the last order begun
        self._dayfirst: bool | None = None  # 1/2/2025: decided once per file (_day_first)
        self._plan: tuple | None = None  # the mapping's columns, laid out for _record
        # The lines of an invoice repeat its date, and prices repeat across a file: each text is
        # parsed once (bounded, so a file of all-different values does not grow them forever).
        self._dates: dict[str, tuple] = {}
        self._amounts: dict[str, float] = {}

    def _date(self, text) -> datetime:
        hit = self._dates.get(text) if isinstance(text, str) else None
        if hit is None:
            value = parse_datetime(text, dayfirst=bool(self._dayfirst))
            hit = (value, timestamp(self.conn, value))
            if isinstance(text, str) and len(self._dates) < _CACHE_SIZE:
                self._dates[text] = hit
        self._stamp = hit[1]
        return hit[0]

    def write_rows(
        self, mapping: OrderMapping, rows: list[tuple[int, list]], sheet: str | None
    ) -> None:
        cleans: list[Clean | Rejected] = []
        parsed = []
        # Rows of one customer say the same about them (an invoice has dozens of lines): each
        # distinct identity is cleaned and matched once per chunk, its lines share the result.
        seen: dict[tuple, int] = {}
        first_of: list[int] = []
        if self._dayfirst is None:
            self._dayfirst = _day_first(mapping, rows)
        for n, cells in rows:
            if isinstance(cells, UnreadableRow):  # counted and rejected with the reader's reason
                rec = to_record(mapping, n, [], sheet)
                rec.raw = {"line": cells[0] if cells else ""}
                first_of.append(len(cleans))
                cleans.append(Rejected(n, sheet, to_json(rec.raw), cells.reason))
                parsed.append((rec, None))
                continue
            rec, order = self._record(mapping, n, cells, sheet)
            order, problem = self._order_part(rec, order, mapping)
            if problem:
                first_of.append(len(cleans))
                cleans.append(Rejected(n, sheet, to_json(rec.raw), problem))
            else:
                sig = (tuple(rec.fields.items()), tuple(rec.phones), tuple(rec.emails),
                       tuple(rec.messengers))  # fmt: skip
                at = seen.get(sig)
                if at is None:
                    seen[sig] = at = len(cleans)
                    cleans.append(self._clean(rec, mapping))
                first_of.append(at)
            parsed.append((rec, order))
        self.counts.rows_read += len(rows)
        rejected = []  # batch-record rows of the chunk's rejects, written in one go
        results = self.customers.write_chunk(cleans)
        lines = []
        for (rec, order), at in zip(parsed, first_of, strict=True):
            cl, outcome, reason, cid = results[at]
            if order is None or outcome == "rejected":
                if order is None:
                    reason = cl.reason
                self.counts.rejected += 1
                self.rejects.append(Reject(rec.row, rec.sheet, reason, rec.raw))
                rejected.append((self.batch_id, rec.sheet, rec.row, to_json(rec.raw), "rejected",
                                 reason[:500], None))  # fmt: skip
                continue
            self._n += 1
            key = order["order_id"] or f"row:{sheet or ''}:{rec.row}"
            lines.append((key, int(bool(order["order_id"])), cid,
                          _text(order["stamp"]),
                          *_LINE_VALUES(order),
                          int(order["is_return"]), rec.sheet, rec.row,
                          to_json(rec.raw)))  # fmt: skip
        insert_rows(self.conn, _LINES, _LINE_COLUMNS, lines)
        insert_rows(self.conn, import_rows, ("import_id", "sheet", "row_number", "raw", "outcome",
                                             "reason", "customer_id"), rejected)  # fmt: skip

    def _record(
        self, m: OrderMapping, n: int, cells: list, sheet: str | None
    ) -> tuple[ContactRecord, dict]:
        """The row as a record of the customer's identity and a dict of its order columns.
        A CSV row of plain cells takes a road of its own, in a third of the time of
        ``mapping.to_record``: invoice files have hundreds of thousands of lines."""
        plan = self._plan
        if plan is None or plan[0] is not m:
            keys = m.raw_keys(len(m.header))
            mine = [(i, c.field) for i, c in m.columns.items() if c.field in _ORDER_FIELD_SET]
            ident = [(i, c.field) for i, c in m.columns.items()
                     if c.field not in ("phone", "email", IGNORE, *ORDER_FIELDS)]  # fmt: skip
            points = [(i, c.field, c.label) for i, c in m.columns.items()
                      if c.field in ("phone", "email")]  # fmt: skip
            simple = all(
                c.label_column is None and c.field not in ("note", "tags", *MULTI_FIELDS[2:])
                for c in m.columns.values()
            )
            self._plan = plan = (m, keys, mine, ident, points, simple)
        _, keys, mine, ident, points, simple = plan
        texts = None
        if simple and len(cells) <= len(keys):
            try:
                texts = [c.strip() for c in cells]
            except AttributeError:  # a typed spreadsheet cell (a number, a date)
                texts = None
        if texts is None:  # the general road
            rec = to_record(m, n, cells, sheet)
            f = rec.fields
            return rec, {k: f.pop(k) for k in [k for k in f if k in _ORDER_FIELD_SET]}
        raw = dict(zip(keys, texts, strict=False))  # a short row: fewer cells than keys
        if "" in texts:
            raw = {k: t for k, t in raw.items() if t}
        rec = ContactRecord(n, raw, {}, [], [], [], sheet)
        f, width, order = rec.fields, len(texts), {}
        for i, name in mine:
            if i < width and texts[i]:
                order[name] = texts[i]
        for i, name in ident:
            if i < width and texts[i]:
                f[name] = texts[i]
        for i, kind, label in points:
            if i < width and texts[i]:
                (rec.phones if kind == "phone" else rec.emails).append((texts[i], label))
        return rec, order

    def _clean(self, rec: ContactRecord, mapping: OrderMapping) -> Clean | Rejected:
        """The customer part of a row; a client code alone is enough to know them by."""
        code = rec.fields.get("external_id")
        cl = clean_record(rec, self.region, self.source)
        if not isinstance(cl, Rejected) or cl.reason != _(NOTHING_TO_IDENTIFY):
            return cl
        if not code:
            reason = _("no customer: the row has no client code, name, phone or email")
            if mapping.deals:
                reason = _("a deal with no customer: CONTACT_ID and COMPANY_ID are empty")
            return cl._replace(reason=reason)
        # Known by the code alone (a retail dataset, a shop's export, a 1C report): the card is
        # named after it, so that a person sees where it came from, and the code finds it again.
        company = code.startswith(COMPANY_CODE_PREFIX)
        number = code.removeprefix(COMPANY_CODE_PREFIX)
        if company:
            label = f"Компания {number}" if mapping.russian else f"Company {number}"
        else:
            label = f"Клиент {number}" if mapping.russian else f"Customer {number}"
        fields = {"kind": "company" if company else "person", "display_name": label,
                  "external_id": code}  # fmt: skip
        for k in ("manager", "city"):
            if rec.fields.get(k):
                fields[k] = rec.fields[k]
        source = rec.fields.get("source") or self.source
        if source:
            fields["source"] = source
        return Clean(rec.row, rec.sheet, cl.raw_json, fields, (), None, (), (), False)

    def _order_part(
        self, rec: ContactRecord, cells: dict, m: OrderMapping
    ) -> tuple[dict | None, str | None]:
        """The order of a row from its order columns (``cells``); the record keeps the
        customer's identity, completed from the order above for its further lines."""
        f = rec.fields
        order = dict.fromkeys(ORDER_FIELDS)
        order.update(cells)
        oid = (order["order_id"] or "").strip() or None
        order["order_id"] = oid
        label = f.get("full_name") or f.get("company") or ""
        if oid is None and _TOTALS_ROW.match(label):
            return None, _("a totals line ({label}), not an order").format(label=repr(label))
        if oid is None and m.document_dates:
            return (
                None,
                _("a group line of the report ({label}: no document), not an order").format(
                    label=label or _("no name")
                ),
            )
        head = self._head if oid is not None and self._head and self._head[0] == oid else None
        if head is not None:
            # A further line of the order above (Shopify leaves the order's columns empty on
            # them): it belongs to that order's customer and day.
            head_identity = head[2]
            f.clear()
            f.update(head_identity[0])
            rec.phones[:], rec.emails[:] = head_identity[1], head_identity[2]
        else:
            code = (f.get("external_id") or "").strip()
            if m.deals and code in _EMPTY_CODES:
                code = ""
            if not code and (order["company_code"] or "").strip() not in _EMPTY_CODES:
                code = COMPANY_CODE_PREFIX + order["company_code"].strip()
            if not code and (order["inn"] or "").strip():
                code = order["inn"].strip()
            if code:
                f["external_id"] = code
            else:
                f.pop("external_id", None)
        raw_date = order["date"] or order["date2"] or order["date3"]
        if not raw_date and m.document_dates and oid and (d := _DOCUMENT_DATE.search(oid)):
            raw_date = d.group(1)
        try:
            order["date"] = self._date(raw_date) if raw_date else None
        except ValueError as exc:
            return None, _("date {value}: {reason}").format(value=repr(raw_date), reason=exc)
        if order["date"] is None and head is not None:
            order["date"] = head[1]
            self._stamp = timestamp(self.conn, head[1])
        if order["date"] is None:
            return None, _("no date")
        order["stamp"] = self._stamp
        amounts = self._amounts
        for k in NUMBERS:
            v = order[k]
            if v is None or v == "":
                order[k] = None
                continue
            number = amounts.get(v)
            if number is None:
                try:
                    number = parse_amount(v)
                except ValueError as exc:
                    return None, _("{field} {value}: {reason}").format(
                        field=k, value=repr(v), reason=exc
                    )
                if len(amounts) < _CACHE_SIZE:
                    amounts[v] = number
            if abs(number) > MAX_AMOUNT:
                return None, _out_of_range(k, number)
            order[k] = number
        if order["amount"] is None:
            if head is not None and m.amount_column:
                order["amount"] = 0.0  # the order's total is on its first line
            elif order["price"] is not None and order["quantity"] is not None:
                order["amount"] = order["price"] * order["quantity"]
                if abs(order["amount"]) > MAX_AMOUNT:
                    return None, _out_of_range("amount", order["amount"])
            else:
                return None, _("no amount")
        # A return or a cancellation as shops and retail datasets write them: a negative
        # quantity or amount, an invoice number with a C in front, a 1C "Возврат …" document.
        amount = order["amount"]
        is_return = amount < 0 or (order["quantity"] is not None and order["quantity"] < 0)
        if oid and (
            head[3]
            if head is not None
            else bool(_CANCELLATION_ID.match(oid) or _RETURN_DOCUMENT.match(oid))
        ):
            is_return = True
        if is_return:
            order["amount"] = -abs(amount)
            for k in ("quantity", "cost", "margin"):
                if order[k] is not None:
                    order[k] = -abs(order[k])
        order["is_return"] = is_return
        if order["margin"] is None and order["cost"] is not None:
            order["margin"] = order["amount"] - order["cost"]
        order["product"] = order["product"] or order["sku"]
        order["status"] = _status(order["status"], order["cancelled_at"], m.stages)
        order["currency"] = (order["currency"] or "").strip().upper()[:3] or None
        if order["manager"]:
            f.setdefault("manager", order["manager"])
        if order["channel"]:
            f.setdefault("source", order["channel"])  # the channel of a first order
        if oid is not None and head is None:
            returned = bool(_CANCELLATION_ID.match(oid) or _RETURN_DOCUMENT.match(oid))
            identity = (dict(f), list(rec.phones), list(rec.emails))
            self._head = (oid, order["date"], identity, returned)
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
                func.max(L.c.ret).label("ret"), func.count().label("lines"),
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


_SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/\d{2,4}\b")


def _day_first(m: OrderMapping, rows: list[tuple[int, list]]) -> bool:
    """Whether 1/2/2025 is the 1st of February, decided from the file's first rows: a first
    number above 12 says day first, a second one above 12 says month first. With no such
    evidence, Russian files write the day first and English ones (US software, Shopify,
    retail datasets: 12/1/2010 8:26) the month; dotted dates are always day first."""
    cols = [i for i, c in m.columns.items() if c.field in ("date", "date2", "date3")]
    slashes = month_first = False
    for _row, cells in rows:
        for i in cols:
            v = cells[i] if i < len(cells) else None
            if isinstance(v, str) and (d := _SLASH_DATE.match(v)):
                a, b = int(d.group(1)), int(d.group(2))
                if a > 12:
                    return True
                slashes, month_first = True, month_first or b > 12
    if month_first:
        return False
    return m.russian or not slashes


def _status(text: str | None, cancelled_at: str | None, stages: bool) -> str | None:
    """The order's status as the analytics read it: cancelled and returned orders are left
    out, and so are open deals of a CRM (a stage neither won nor lost: not a sale yet)."""
    if cancelled_at:
        return "cancelled"
    if not text:
        return "open" if stages else None
    if "partial" in text.lower():
        return text  # partially refunded: still a sale, the refund comes as its own line
    if _RETURNED.search(text):
        return "returned"
    if _CANCELLED.search(text):
        return "cancelled"
    if stages:
        return "won" if _WON.search(text) else "open"
    return text


def _out_of_range(what: str, value: float) -> str:
    return _(
        "{field} {value} is out of range (more than 10^12 in absolute value): "
        "a broken cell, fix it or remove the row"
    ).format(field=what, value=f"{value:g}")


def _lines_label(r) -> str:
    return f"{r.product or 'товары'} и др. ({r.lines} поз.)"


def _text(v):
    """Times compared and stored as text: SQLite's own form, whatever the driver returned."""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    return v
