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

from clientbase.errors import InputFileError, UsageError
from clientbase.i18n import _
from clientbase.importers.mapping import (
    IGNORE,
    ColumnMap,
    Mapping,
    guess_column,
    normalize_header,
)

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


def totals_label(order_id: str | None, label: str, raw_date: str) -> str | None:
    """The "Итого" that makes a row a report's totals line, or None. It stands where the report
    puts it: under the customers' names, in the first column (a 1C report's date or document
    column) or as the order number; a row with a real order number is an order whatever its
    customer is called."""
    if order_id:
        return order_id if _TOTALS_ROW.match(order_id) else None
    for text in (label, raw_date):
        if text and _TOTALS_ROW.match(text):
            return text
    return None


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
