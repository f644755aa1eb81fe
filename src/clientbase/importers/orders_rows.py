"""The order lines of a file, read row by row without the database: each row becomes an order
line and the identity of its customer, or a reason to reject it.

This side holds what carries from one row to the next (the order a further line belongs to, the
day-first choice, the parsed dates and amounts), so one ``OrderRows`` reads one table in file
order, in this process or in a worker process while the main one writes. The customers'
identities are cleaned once per file: an invoice repeats its customer on every line and a good
customer comes back hundreds of times, so each distinct identity is cleaned and sent on once,
numbered, and its lines carry the number.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from json.encoder import encode_basestring  # what to_json (ensure_ascii=False) writes a text with
from typing import NamedTuple

from clientbase.i18n import _
from clientbase.importers.clean import (
    NOTHING_TO_IDENTIFY,
    Clean,
    Rejected,
    clean_record,
    is_blank,
    to_json,
)
from clientbase.importers.mapping import IGNORE, to_record
from clientbase.importers.orders import (
    _CANCELLATION_ID,
    _CANCELLED,
    _DOCUMENT_DATE,
    _EMPTY_CODES,
    _RETURN_DOCUMENT,
    _RETURNED,
    _WON,
    COMPANY_CODE_PREFIX,
    MAX_AMOUNT,
    NUMBERS,
    ORDER_FIELDS,
    OrderMapping,
    totals_label,
)
from clientbase.importers.records import MULTI_FIELDS, ContactRecord, UnreadableRow
from clientbase.normalize.dates import parse_datetime
from clientbase.normalize.money import parse_amount

STAMP = "%Y-%m-%d %H:%M:%S.%f"  # an order's time as the staging table keeps it (SQLite's form)
_CACHE_SIZE = 50_000
# Identities remembered per file; past this the memory is given back and they are cleaned anew
# (the answer is the same, a repeat costs one more clean).
_IDENTITY_CACHE = 400_000
_ORDER_FIELD_SET = frozenset(ORDER_FIELDS)
# What a customer's rows may say differently without being another customer: the newest row's
# value wins (NEWER_WINS: the deal passed to another manager, the customer moved) and no match
# looks at them; the cleaned card holds them as written. They stay out of an identity, and come
# per row as a number for the combination (see orders_writer._newest).
LOOSE = ("manager", "position", "city", "address", "postcode")
_AS_PRESENT = frozenset(("source", *LOOSE))  # in an identity only as there or not
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:,[0-9]+)?\Z")  # 1560, 4770,00: most cells of a file


class RowsChunk(NamedTuple):
    """What a chunk of rows became, in file order.

    ``identities``: (number, cleaned identity) for each identity not seen before in the file
    (with ``OrderRows.clean_later``: its record as ``record_parts``, not yet cleaned).
    ``loose``: (number, values of ``LOOSE``) for each such combination not seen before.
    ``items``: per row, an order line ``(identity number, order key, has id, ordered at,
    amount, quantity, cost, margin, discount, product, category, manager, channel, status,
    currency, is return, sheet, row, raw JSON, loose number)`` or a rejected row ``(None, row,
    sheet, reason, raw JSON)``. ``columns``: instead of ``items`` when no row was rejected,
    the same lines a column at a time (see ``orders_columns.as_columns``)."""

    identities: list[tuple[int, Clean | Rejected | tuple]]
    loose: list[tuple[int, tuple]]
    items: list[tuple]
    rows_read: int
    columns: tuple | None = None
    orders: tuple | None = None  # see orders_columns.as_orders
    # Per identity, its cleaned form pickled where it was cleaned (orders_reading.clean_identities):
    # what the writer keeps of a new customer, made off the writing process.
    packed: list[bytes] | None = None


class OrderRows:
    """Reads the rows of a file's tables, in file order, into order lines (see the module
    docstring)."""

    def __init__(self, region: str, source: str | None):
        self.region, self.source = region, source
        self._head: tuple | None = None  # (order id, date, identity) of the last order begun
        self._dayfirst: bool | None = None  # 1/2/2025: decided once per file (_day_first)
        self._plan: tuple | None = None  # the mapping's columns, laid out for _record
        self._stamp = ""
        # The lines of an invoice repeat its date, and prices repeat across a file: each text is
        # parsed once (bounded, so a file of all-different values does not grow them forever).
        self._dates: dict[str, tuple] = {}
        self._amounts: dict[str, float] = {}
        self._statuses: dict[tuple, str | None] = {}
        self._identities: dict[str, int] = {}
        self._next_identity = 0
        self._loose: dict[tuple, int] = {}
        self._next_loose = 0
        # Columnar reading (orders_columns): a row's identity cells -> the number of its
        # identity, emptied with the two memories above (a new generation).
        self._row_keys: dict[tuple, int] = {}
        self._generation = 0
        # Leave the new identities uncleaned (their records in RowsChunk.identities) for
        # another process to clean (``clean_identities``): cleaning needs nothing from the rows
        # around them, so a second worker can take it off the one that reads in file order.
        self.clean_later = False

    def parse(
        self, mapping: OrderMapping, rows: list[tuple[int, list]], sheet: str | None
    ) -> RowsChunk:
        rows = [(n, cells) for n, cells in rows if not is_blank(cells)]
        if self._dayfirst is None:
            self._dayfirst = _day_first(mapping, rows)
        identities: list[tuple[int, Clean | Rejected | tuple]] = []
        new_loose: list[tuple[int, tuple]] = []
        items: list[tuple] = []
        for n, cells in rows:
            if isinstance(cells, UnreadableRow):  # counted and rejected with the reader's reason
                raw = {"line": cells[0] if cells else ""}
                items.append((None, n, sheet, cells.reason, to_json(raw)))
                continue
            rec, order, raw_json = self._record(mapping, n, cells, sheet)
            order, problem = self._order_part(rec, order, mapping)
            if problem:
                items.append((None, n, sheet, problem, raw_json))
                continue
            number, lid = self._identity(rec, mapping, identities, new_loose)
            if self._head is not None and self._head[4] is None:
                self._head = (*self._head[:4], (number, lid, self._generation))
            key = order["order_id"] or f"row:{sheet or ''}:{n}"
            items.append((
                number, key, int(bool(order["order_id"])), order["stamp"], order["amount"],
                order["quantity"], order["cost"], order["margin"], order["discount"],
                order["product"], order["category"], order["manager"], order["channel"],
                order["status"], order["currency"], int(order["is_return"]), rec.sheet, n,
                raw_json, lid,
            ))  # fmt: skip
        return RowsChunk(identities, new_loose, items, len(rows))

    def _identity(
        self, rec: ContactRecord, mapping: OrderMapping, identities: list, new_loose: list
    ) -> tuple[int, int]:
        """The numbers of a row's identity and of its ``LOOSE`` values; a new identity is
        cleaned and added to ``identities``, new values to ``new_loose``."""
        known = self._identities
        sig = _signature(rec)
        number = known.get(sig)
        if number is None:
            if len(known) >= _IDENTITY_CACHE:
                known.clear()
                self._row_keys.clear()
                self._generation += 1
            number = known[sig] = self._next_identity
            self._next_identity += 1
            # A customer's identity keeps no raw record of its own: every line keeps its row's
            # (the batch records), and the orders import stores no row per identity.
            rec.raw = {}
            identities.append(
                (number, record_parts(rec) if self.clean_later else self._clean(rec, mapping))
            )
        loose = tuple(map(rec.fields.get, LOOSE))
        lid = self._loose.get(loose)
        if lid is None:
            lid = self._new_loose(loose, new_loose)
        return number, lid

    def _new_loose(self, loose: tuple, new_loose: list) -> int:
        """The number of a combination of ``LOOSE`` values not seen before."""
        if len(self._loose) >= _IDENTITY_CACHE:
            self._loose.clear()
            self._row_keys.clear()
            self._generation += 1
        lid = self._loose[loose] = self._next_loose
        self._next_loose += 1
        new_loose.append((lid, loose))
        return lid

    def _date(self, text) -> datetime:
        hit = self._dates.get(text) if isinstance(text, str) else None
        if hit is None:
            value = parse_datetime(text, dayfirst=bool(self._dayfirst))
            hit = (value, value.strftime(STAMP))
            if isinstance(text, str) and len(self._dates) < _CACHE_SIZE:
                self._dates[text] = hit
        self._stamp = hit[1]
        return hit[0]

    def _record(
        self, m: OrderMapping, n: int, cells: list, sheet: str | None
    ) -> tuple[ContactRecord, dict, str]:
        """The row as a record of the customer's identity and a dict of its order columns.
        A CSV row of plain cells takes a road of its own, in a third of the time of
        ``mapping.to_record``: invoice files have hundreds of thousands of lines. The third
        part is the raw record as JSON (written from the cells on that road: twice as fast)."""
        _, keys, mine, ident, points, simple, names = self._layout(m)
        texts = None
        if simple and len(cells) <= len(keys):
            try:
                texts = [c.strip() for c in cells]
            except AttributeError:  # a typed spreadsheet cell (a number, a date)
                texts = None
        if texts is None:  # the general road
            rec = to_record(m, n, cells, sheet)
            f = rec.fields
            order = {k: f.pop(k) for k in [k for k in f if k in _ORDER_FIELD_SET]}
            return rec, order, to_json(rec.raw)
        # No raw record as a dict: an identity keeps none (see _identity).
        rec = ContactRecord(n, None, {}, [], [], [], sheet)  # type: ignore[arg-type]
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
        # A short row has fewer cells than keys: zip stops at the last cell, as the dict does.
        cells_json = [k + encode_basestring(t) for k, t in zip(names, texts, strict=False) if t]
        raw_json = "{" + ", ".join(cells_json) + "}"
        return rec, order, raw_json

    def _layout(self, m: OrderMapping) -> tuple:
        """The mapping's columns laid out for reading a row: (mapping, raw keys, order columns,
        identity columns, phone and email columns, whether every cell is plain text to take
        as it is, the raw keys as JSON)."""
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
            names = [encode_basestring(k) + ": " for k in keys]  # as to_json writes the keys
            self._plan = plan = (m, keys, mine, ident, points, simple, names)
        return plan

    def clean_identities(
        self, identities: list[tuple[int, tuple]], mapping: OrderMapping
    ) -> list[tuple[int, Clean | Rejected]]:
        """The identities a reader left uncleaned (``clean_later``), cleaned as it would have."""
        return [(number, self._clean(record_of(parts), mapping)) for number, parts in identities]

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
        raw_date = order["date"] or order["date2"] or order["date3"]
        if (total := totals_label(oid, label, raw_date or "")) is not None:
            return None, _("a totals line ({label}), not an order").format(label=repr(total))
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
        if not raw_date and m.document_dates and oid and (d := _DOCUMENT_DATE.search(oid)):
            raw_date = d.group(1)
        try:
            order["date"] = self._date(raw_date) if raw_date else None
        except ValueError as exc:
            return None, _("date {value}: {reason}").format(value=repr(raw_date), reason=exc)
        if order["date"] is None and head is not None:
            order["date"] = head[1]
            self._stamp = head[1].strftime(STAMP)
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
            if number is None and isinstance(v, str) and _PLAIN_NUMBER.match(v):
                number = float(
                    v.replace(",", ".")
                )  # what parse_amount says, in a tenth of the time
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
        returned = False  # the order's number says it is a return (a head line only)
        if oid and head is None:
            returned = bool(_CANCELLATION_ID.match(oid) or _RETURN_DOCUMENT.match(oid))
        if returned or (head is not None and head[3]):
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
        said = (order["status"], order["cancelled_at"])
        status = self._statuses.get(said, self)
        if status is self:
            status = _status(said[0], said[1], m.stages)
            if len(self._statuses) < _CACHE_SIZE:
                self._statuses[said] = status
        order["status"] = status
        order["currency"] = (order["currency"] or "").strip().upper()[:3] or None
        if order["manager"]:
            f.setdefault("manager", order["manager"])
        if order["channel"]:
            f.setdefault("source", order["channel"])  # the channel of a first order
        if oid is not None and head is None:
            identity = (dict(f), list(rec.phones), list(rec.emails))
            # The last part: the numbers of its identity, once known (see _identity).
            self._head = (oid, order["date"], identity, returned, None)
        return order, None


def record_parts(rec: ContactRecord) -> tuple:
    """An identity's record as a plain tuple, the form it crosses processes in (``clean_later``:
    reader -> writer -> cleaner): a dataclass pickles and loads through Python-level state
    methods, several times slower than a tuple, at each of the three hops. Its raw record is
    always empty by then (see ``_identity``), so it is left out."""
    return (rec.row, rec.fields, rec.phones, rec.emails, rec.messengers, rec.sheet, rec.region,
            rec.group, rec.cells)  # fmt: skip


def record_of(parts: tuple) -> ContactRecord:
    """The record ``record_parts`` made the tuple of."""
    return ContactRecord(parts[0], {}, *parts[1:])


# record_of rebuilds a record by position: a field added to ContactRecord must be added here.
_RECORD_FIELDS = ("row", "raw", "fields", "phones", "emails", "messengers", "sheet", "region",
                  "group", "cells")  # fmt: skip
if tuple(f.name for f in dataclasses.fields(ContactRecord)) != _RECORD_FIELDS:
    raise ImportError("orders_rows.record_parts follows the order of ContactRecord's fields")


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


def _signature(rec: ContactRecord) -> str:
    """A row's identity as one string (what the cleaned customer depends on): rows that share
    it share their customer. A string keeps the per-file memory of identities small.

    Only whether there is a source counts, not which: the source (the channel of an order)
    is kept from a customer's first row and never overwritten, so rows that differ only in it
    come to the same customer, and the identity is cleaned and matched once instead of once
    per channel. The ``LOOSE`` fields are left out the same way (they come with each row)."""
    f = rec.fields
    values = list(f.values())
    for k in _AS_PRESENT.intersection(f):
        values[list(f).index(k)] = ""
    extra = (rec.phones, rec.emails, rec.messengers)
    try:
        text = "\x1f".join(f) + "\x1d" + "\x1f".join(values)
    except TypeError:  # a typed spreadsheet cell
        text = repr(tuple(f)) + "\x1d" + repr(values)
    return text + "\x1d" + repr(extra) if any(extra) else text
