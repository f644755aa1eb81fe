"""A chunk of order lines as columns: how it crosses to the worker process, and the parts of
reading it that go a column at a time.

A CSV of a shop's or an accounting system's sales has the same cells on every row, so a chunk
is read a column at a time: each distinct date, amount or status text is parsed once, and the
lines go back to the writing process as columns. Any chunk that is not that plain (rows of
different widths, typed spreadsheet cells, a row the reader could not read) goes the row road.
"""

from __future__ import annotations

import operator
import re
from collections import deque
from functools import partial
from itertools import repeat

from clientbase.i18n import _
from clientbase.importers.clean import Clean, Rejected
from clientbase.importers.orders import (
    _CANCELLATION_ID,
    _RETURN_DOCUMENT,
    _TOTALS_ROW,
    MAX_AMOUNT,
    NUMBERS,
    OrderMapping,
    totals_label,
)
from clientbase.importers.orders_rows import (
    _CACHE_SIZE,
    _PLAIN_NUMBER,
    LOOSE,
    STAMP,
    OrderRows,
    RowsChunk,
    _day_first,
    _out_of_range,
    _status,
)
from clientbase.importers.rawrow import cells_texts, object_text
from clientbase.importers.records import ContactRecord, UnreadableRow
from clientbase.normalize.money import parse_amount


def plain_columns(rows: list[tuple[int, list]]) -> list[list[str]] | None:
    """The stripped cells of a plain chunk a column at a time (every row as wide as the first,
    every cell a text, as a CSV reader gives them), or None: a chunk of rows of different
    widths, typed spreadsheet cells or a row the reader could not read goes the row road."""
    if not rows:
        return None
    width = len(rows[0][1])
    cells = [c for _n, c in rows]
    if width == 0 or set(map(len, cells)) != {width} or UnreadableRow in set(map(type, cells)):
        return None
    try:
        return [list(map(str.strip, col)) for col in zip(*cells, strict=True)]
    except TypeError:  # a typed spreadsheet cell (a number, a date) is not a text
        return None


def drop_blank(numbers: list[int], cols: list[list[str]]) -> tuple[list[int], list[list[str]]]:
    """Without the rows whose cells are all empty (``clean.is_blank`` on stripped cells)."""
    if any("" not in col for col in cols):
        return numbers, cols  # a column filled on every row: no row is blank
    keep = [i for i, cells in enumerate(zip(*cols, strict=True)) if any(cells)]
    if len(keep) == len(numbers):
        return numbers, cols
    return [numbers[i] for i in keep], [[col[i] for i in keep] for col in cols]


def first_filled(*cols: list[str] | None) -> list[str] | None:
    """Per row, the first non-empty cell of these columns (a date, else a later choice)."""
    given = [c for c in cols if c is not None]
    if not given:
        return None
    if len(given) == 1:
        return given[0]
    return [next((t for t in cells if t), "") for cells in zip(*given, strict=True)]


def as_columns(chunk: RowsChunk) -> RowsChunk:
    """The chunk with its lines as columns when none was rejected (the usual case): they cross
    to the writing process and go into the database with a fraction of the per-row work there.
    Repeated texts (products, managers, times) are made one object each, so they pickle once.
    Ends with the batch record's reason of each line ("order N" for a line with an id)."""
    items = chunk.items
    if not items or any(i[0] is None for i in items):
        return chunk
    cols = [list(c) for c in zip(*items, strict=True)]
    for k in (3, 9, 10, 11, 12, 13, 14, 16):  # time, product … currency, sheet
        col = cols[k]
        one = {v: v for v in set(col)}  # a set keeps the first of equal values
        cols[k] = list(map(one.__getitem__, col))
    reasons = ["order " + k if h else None for k, h in zip(cols[1], cols[2], strict=True)]
    return chunk._replace(items=[], columns=(*cols, reasons))


# A line of the distinct cells of a number column joined by newlines that is not a plain number
# (_PLAIN_NUMBER): such a cell is read by parse_amount.
_NOT_PLAIN = re.compile(r"^(?!-?[0-9]+(?:,[0-9]+)?$).*$", re.M)


def _plain_numbers(cells: set[str], parsed: dict) -> list[str]:
    """The plain numbers among these distinct non-empty cells ("1560", "4770,00": most cells
    of a file) read into ``parsed`` at once, as the row road reads each
    (``float(cell.replace(",", "."))``); returns those whose value is out of range."""
    joined = "\n".join(cells)
    if joined.count("\n") != len(cells) - 1:  # a cell with a line break in it: not plain
        cells = {c for c in cells if "\n" not in c}
        joined = "\n".join(cells)
    plain = list(cells.difference(_NOT_PLAIN.findall(joined))) if cells else []
    numbers = list(map(float, "\n".join(plain).replace(",", ".").split("\n"))) if plain else []
    parsed.update(zip(plain, numbers, strict=True))
    if numbers and max(map(abs, numbers)) > MAX_AMOUNT:
        return [c for c, n in zip(plain, numbers, strict=True) if abs(n) > MAX_AMOUNT]
    return []


def _at_line_starts(pattern: re.Pattern) -> re.Pattern:
    """A pattern of orders.py that a cell matches from its start (``^``, maybe up to its end:
    ``$``), over the cells of a column each after a line break (``_lines``; see
    ColumnRows._all_accepted): it matches there wherever a cell does. The line break it starts
    with is a literal the regex engine finds at C speed; a ``^`` in multi-line mode is tried at
    every character. Leading blanks stop at a line break (a line of its own starts after it):
    ``\\s*`` would run across all the empty cells that follow and back, at every line."""
    text = pattern.pattern
    assert text.startswith("^") and "^" not in text[1:] and "$" not in text[:-1], text
    if text.startswith(r"^\s*"):
        text = r"^[^\S\n]*" + text[len(r"^\s*") :]
    text = "\n" + text[1:]
    if text.endswith("$"):
        text = text[:-1] + r"(?=\n|\Z)"
    return re.compile(text, pattern.flags)


def _lines(cells: list[str]) -> str:
    """The cells each after a line break, for ``_at_line_starts``."""
    return "\n" + "\n".join(cells)


_ANY_TOTALS = _at_line_starts(_TOTALS_ROW)
_ANY_CANCELLATION_ID = _at_line_starts(_CANCELLATION_ID)
_ANY_RETURN_DOCUMENT = _at_line_starts(_RETURN_DOCUMENT)


_EMPTY = {"": None}


def _or_none(col: list[str]) -> list[str | None]:
    """The texts, None for an empty one (``t or None`` of each, in one C-speed map)."""
    return list(map(_EMPTY.get, col, col))


def _one_each(values_of: dict) -> dict:
    """The dict with equal values made one object ("rub" and "RUB" both give "RUB"): the few
    distinct texts of a chunk, so that every line's is one of them (see ``_interned``)."""
    one: dict = {}
    return {k: one.setdefault(v, v) for k, v in values_of.items()}


def _interned(cols: tuple) -> tuple:
    """The lines' columns as ``as_columns`` gives them: the texts taken from the cells (the
    product, category, manager and channel, given as cells) with an empty one None and equal
    ones one object (they pickle once), in one pass of ``dict.setdefault`` each; and the batch
    record's reason of each line last. The times, statuses and currencies are one object per
    distinct text already (each is looked up in a dict of the chunk's distinct texts), and so
    is the sheet."""
    out = list(cols)
    for k in (9, 10, 11, 12):  # product, category, manager, channel
        one: dict = {"": None}
        out[k] = list(map(one.setdefault, out[k], out[k]))
    reasons = ["order " + k if h else None for k, h in zip(out[1], out[2], strict=True)]
    return (*out, reasons)


def _accepted_lines(sheet, numbers, oids, raw_dates, dates, values, size) -> tuple:
    """The columns of lines that are all accepted (``ColumnRows._all_accepted``) from the
    order key to the discount, then "is return", sheet and row: what the loop of
    ``_parse_columns`` makes of each, a column at a time."""
    if "" not in oids:
        keys, has_id = oids, [1] * size
    else:
        keys = [o or f"row:{sheet or ''}:{n}" for o, n in zip(oids, numbers, strict=True)]
        has_id = [int(bool(o)) for o in oids]
    stamp_of = _one_each({t: d[1] for t, d in dates.items()})
    stamps = list(map(stamp_of.__getitem__, raw_dates))
    none = [None] * size
    amount, quantity, cost, margin, discount = (
        values.get(k, none) for k in ("amount", "quantity", "cost", "margin", "discount")
    )
    returns = [
        i for i, (a, q) in enumerate(zip(amount, quantity, strict=True))
        if a < 0 or (q is not None and q < 0)
    ]  # fmt: skip
    is_return = [0] * size
    if returns:
        amount, quantity, cost, margin = list(amount), list(quantity), list(cost), list(margin)
        for i in returns:
            is_return[i] = 1
            amount[i] = -abs(amount[i])
            if quantity[i] is not None:
                quantity[i] = -abs(quantity[i])
            if cost[i] is not None:
                cost[i] = -abs(cost[i])
            if margin[i] is not None:
                margin[i] = -abs(margin[i])
    if "cost" in values:
        margin = [
            a - c if g is None and c is not None else g
            for a, c, g in zip(amount, cost, margin, strict=True)
        ]
    return (keys, has_id, stamps, amount, quantity, cost, margin, discount, is_return,
            [sheet] * size, numbers)  # fmt: skip


_sum = partial(sum, start=0.0)  # as SQLite's SUM adds them up: from 0.0, in order


# How each column of an order line folds into the order (the order key, its "has an id" and the
# identity are the same on all of its lines): what the SQL that sums the staged lines does.
_FOLDS = (None, None, None, min, _sum, _sum, _sum, _sum, _sum, min, min, max, max, max, max, max)


class Folding:
    """Whether an order's lines may still be added up where they are read: only while the
    order keys have never gone down in the file, so that every order's lines come together
    and a sum of some of them is the start of the sum SQL makes of them all, in file order."""

    def __init__(self) -> None:
        self.last: str | None = None
        self.rising = True

    def keys_rise(self, keys: list[str]) -> bool:
        if self.rising and keys:
            if (self.last is not None and keys[0] < self.last) or not all(
                map(operator.le, keys, keys[1:])
            ):
                self.rising = False
            self.last = keys[-1]
        return self.rising


def as_orders(chunk: RowsChunk, folding: Folding) -> RowsChunk:
    """``as_columns``, and the lines that follow each other with the same order key and the
    same identity (an order's lines, as every sales export writes them) folded into one row
    of the order, with the number of its lines: a first import stages orders, not lines.
    ``columns`` then holds only what each line's batch record needs: (identity number, sheet,
    row, raw JSON, loose number, reason); ``orders`` the orders' columns (key, has id,
    identity number, the columns from the time to "is return"), and the number of lines."""
    chunk = as_columns(chunk)
    if chunk.columns is None:
        folding.keys_rise([i[1] for i in chunk.items if i[0] is not None])
        return chunk
    cols = chunk.columns
    num, key = cols[0], cols[1]
    n = len(key)
    if folding.keys_rise(key):
        after = zip(range(1, n), key, key[1:], num, num[1:], strict=False)  # a line, the one before
        breaks = [i for i, k0, k1, n0, n1 in after if k0 != k1 or n0 != n1]
        # Lines stay apart where the writer adds them up itself, one by one in file order as
        # the SQL would: the chunk's first order (it may go on from the chunk before), and
        # lines of an order under another identity than the lines before them.
        starts = [*range(breaks[0] if breaks else n), *breaks]
        apart = [i for i in breaks if key[i] == key[i - 1]]
        if apart:
            ends = dict(zip(breaks, [*breaks[1:], n], strict=True))
            starts = sorted({*starts, *(i for s in apart for i in range(s, ends[s]))})
    else:
        starts = list(range(n))
    lines = (num, cols[16], cols[17], cols[18], cols[19], cols[20])
    if len(starts) == n:
        return chunk._replace(columns=lines, orders=(*cols[1:3], num, *cols[3:16], [1] * n))
    ends = [*starts[1:], n]
    multi = [(g, s, e) for g, (s, e) in enumerate(zip(starts, ends, strict=True)) if e - s > 1]
    pick = operator.itemgetter(*starts)  # each order's first line, taken at C speed
    take = (lambda col: [pick(col)]) if len(starts) == 1 else (lambda col: list(pick(col)))
    groups = [g for g, _s, _e in multi]
    spans = [slice(s, e) for _g, s, e in multi]
    orders = []
    for j in range(1, 16):
        col, fold = cols[j], _FOLDS[j]
        out = take(col)
        if fold is not None and multi:
            if None not in col:  # the usual column
                fold_whole(col, fold, groups, spans, out)
            elif col.count(None) < n:
                fold_each(col, fold, multi, out)
            # else a column empty on every line (no discounts in the file): each order's None,
            # as taken from its first line
        orders.append(out)
    counts = [e - s for s, e in zip(starts, ends, strict=True)]
    return chunk._replace(columns=lines, orders=(*orders[:2], take(num), *orders[2:],
                                                 counts))  # fmt: skip


def fold_each(col: list, fold, multi: list[tuple[int, int, int]], out: list) -> None:
    """Into ``out``, each order of several lines (its number, its first and its end line):
    the fold of its lines' values, leaving out the empty ones (None when all are)."""
    for g, s, e in multi:
        values = [v for v in col[s:e] if v is not None]
        out[g] = fold(values) if values else None


def fold_whole(col: list, fold, groups: list[int], spans: list[slice], out: list) -> None:
    """``fold_each`` of a column with a value on every line, at C speed: no loop step in
    Python per order."""
    deque(map(out.__setitem__, groups, map(fold, map(col.__getitem__, spans))), maxlen=0)


def fold_orders(a: tuple, b: tuple) -> tuple:
    """Two staged rows of one order (key, has id, customer, the columns ``_FOLDS`` names from
    the time on, lines), ``a`` first in the file: one row, as ``as_orders`` folds lines."""
    out = [*a[:3]]
    for j in range(3, 16):
        x, y, fold = a[j], b[j], _FOLDS[j]
        if fold is _sum:
            out.append(y if x is None else x if y is None else x + y)
        else:
            out.append(y if x is None else x if y is None else fold(x, y))
    out.append(a[16] + b[16])
    return tuple(out)


class _Later:
    """The identity of an order's first line, written out only when a further line of it
    needs it (most orders have one line, or further lines that change nothing)."""

    __slots__ = ("args",)

    def __init__(self, *args):
        self.args = args

    def identity(self, rows: ColumnRows) -> tuple[dict, list, list]:
        rec = rows._record_at(*self.args)
        return (rec.fields, rec.phones, rec.emails)


class ColumnRows(OrderRows):
    """``OrderRows`` that reads a plain chunk a column at a time: dates, amounts, statuses and
    currencies are parsed once per distinct text of the chunk, the raw records are written a
    column at a time, and a row's customer is looked up by its identity cells, so a row costs
    one short loop step. The rows depend on each other only through the order they continue
    (a further line of an order takes its customer and day); that stays a loop in file order.
    Whatever this road does not take (1C reports, CRM deals, typed or uneven rows) goes the
    row road of ``OrderRows``, with the same state, so the answers are the same either way."""

    _keys_of: OrderMapping | None = None  # the mapping the row keys were made with

    def parse_rows(
        self, mapping: OrderMapping, rows: list[tuple[int, list]], sheet: str | None
    ) -> RowsChunk:
        cols = plain_columns(rows)
        if cols is not None and self._columns_fit(mapping, len(cols)):
            return self._parse_columns(mapping, [n for n, _c in rows], cols, sheet)
        return self.parse(mapping, rows, sheet)

    def _columns_fit(self, m: OrderMapping, width: int) -> bool:
        _m, keys, _mine, _ident, _points, simple, _names = self._layout(m)
        fields = {c.field for c in m.columns.values()}
        return (
            simple
            and width == len(keys)
            and not m.document_dates
            and not m.deals
            and not fields & {"company_code", "inn"}
        )

    def _parse_columns(
        self, m: OrderMapping, numbers: list[int], cols: list[list[str]], sheet: str | None
    ) -> RowsChunk:
        _m, raw_keys, mine, ident, points, _simple, _names = self._layout(m)
        numbers, cols = drop_blank(numbers, cols)
        size = len(numbers)
        if self._dayfirst is None:
            self._dayfirst = _day_first(m, list(zip(numbers, zip(*cols, strict=True), strict=True)))
        col = {name: cols[i] for i, name in mine}
        empty = [""] * size
        oids = col.get("order_id", empty)
        raw_dates = first_filled(col.get("date"), col.get("date2"), col.get("date3")) or empty
        dates = self._dates_of(raw_dates)
        values, bad = self._numbers_of(col)
        statuses = self._statuses_of(col, m.stages, size)
        currencies = _one_each({t: t.upper()[:3] or None for t in set(col.get("currency", ("",)))})
        currency = col.get("currency", empty)
        products = [p or s or None for p, s in zip(col.get("product", empty),
                                                   col.get("sku", empty), strict=True)]  # fmt: skip
        category, manager = col.get("category", empty), col.get("manager", empty)
        channel = col.get("channel", empty)
        # The lines' raw records in the cells form (rawrow); a rejected row's named, as
        # rejected rows are kept.
        raws = cells_texts(cols)

        def named(i: int) -> str:
            return object_text({k: c[i] for k, c in zip(raw_keys, cols, strict=True) if c[i]})

        by_field = dict((name, cols[i]) for i, name in ident)
        names_col, companies = by_field.get("full_name", empty), by_field.get("company", empty)
        # A row's identity cells: what its customer depends on (of the manager and the channel,
        # only whether there is one: see _signature). And its LOOSE values.
        who = [cols[i] for i, _f in ident] + [cols[i] for i, _k, _l in points]
        said = [list(map(bool, manager)), list(map(bool, channel))]
        keys = list(zip(*who, *said, strict=True))
        loose_cols = [_or_none(by_field[k]) if k in by_field else repeat(None)
                      for k in LOOSE[1:]]  # fmt: skip
        loose_keys = list(zip(_or_none(manager), *loose_cols, strict=False))  # repeat()
        amount_c, quantity_c, cost_c, margin_c, discount_c, price_c = (
            values.get(k, [None] * size) for k in ("amount", "quantity", "cost", "margin",
                                                    "discount", "price")
        )  # fmt: skip
        identities: list[tuple[int, Clean | Rejected | tuple]] = []
        new_loose: list[tuple[int, tuple]] = []
        items: list[tuple] = []
        if self._keys_of is not m:  # another table: its cells mean other fields
            self._row_keys.clear()
            self._keys_of = m
        row_keys, loose_ids = self._row_keys, self._loose
        whole = self._all_accepted(oids, raw_dates, dates, values, bad, names_col, companies)
        if whole is not None:
            further, need_head = whole
            nums, lids = [], []
            for i in range(size):  # only what carries from row to row: the customers
                if further[i]:
                    number, lid = self._continued(self._head, numbers[i], cols, i, manager[i],
                                                  channel[i], m, sheet, identities, new_loose)  # fmt: skip
                else:
                    number = row_keys.get(keys[i])
                    if number is None:
                        rec = self._record_at(numbers[i], cols, i, ident, points, manager[i],
                                              channel[i], sheet)  # fmt: skip
                        number, lid = self._identity(rec, m, identities, new_loose)
                        row_keys[keys[i]] = number
                    else:
                        lid = loose_ids.get(loose_keys[i])
                        if lid is None:
                            lid = self._new_loose(loose_keys[i], new_loose)
                    if need_head[i]:
                        later = _Later(numbers[i], cols, i, ident, points, manager[i], channel[i],
                                       sheet)  # fmt: skip
                        self._head = (oids[i], dates[raw_dates[i]][0], later, False,
                                      (number, lid, self._generation))  # fmt: skip
                nums.append(number)
                lids.append(lid)
            if self._head is not None and type(self._head[2]) is _Later:
                self._head = (*self._head[:2], self._head[2].identity(self), *self._head[3:])
            lines = _accepted_lines(sheet, numbers, oids, raw_dates, dates, values, size)
            cols_out = (nums, *lines[:8], products, category, manager, channel, statuses,
                        list(map(currencies.__getitem__, currency)), *lines[8:], raws,
                        lids)  # fmt: skip
            return RowsChunk(identities, new_loose, [], size, _interned(cols_out))
        for i in range(size):
            n = numbers[i]
            oid = oids[i] or None
            total = totals_label(oid, names_col[i] or companies[i], raw_dates[i])
            if total is not None:
                reason = _("a totals line ({label}), not an order").format(label=repr(total))
                items.append((None, n, sheet, reason, named(i)))
                continue
            head = self._head if oid is not None and self._head and self._head[0] == oid else None
            text = raw_dates[i]
            if text:
                when = dates[text]
                if type(when) is str:  # why the date could not be read
                    items.append((None, n, sheet, when, named(i)))
                    continue
                date, stamp = when
            elif head is not None:
                date = head[1]
                stamp = date.strftime(STAMP)
            else:
                items.append((None, n, sheet, _("no date"), named(i)))
                continue
            problem = next((b[c[i]] for c, b in bad if c[i] in b), None) if bad else None
            if problem is not None:
                items.append((None, n, sheet, problem, named(i)))
                continue
            amount, quantity, cost, margin = amount_c[i], quantity_c[i], cost_c[i], margin_c[i]
            if amount is None:
                if head is not None and m.amount_column:
                    amount = 0.0  # the order's total is on its first line
                elif price_c[i] is not None and quantity is not None:
                    amount = price_c[i] * quantity
                    if abs(amount) > MAX_AMOUNT:
                        items.append((None, n, sheet, _out_of_range("amount", amount), named(i)))
                        continue
                else:
                    items.append((None, n, sheet, _("no amount"), named(i)))
                    continue
            is_return = amount < 0 or (quantity is not None and quantity < 0)
            returned = False
            if oid and head is None:
                returned = bool(_CANCELLATION_ID.match(oid) or _RETURN_DOCUMENT.match(oid))
            if returned or (head is not None and head[3]):
                is_return = True
            if is_return:
                amount = -abs(amount)
                quantity = None if quantity is None else -abs(quantity)
                cost = None if cost is None else -abs(cost)
                margin = None if margin is None else -abs(margin)
            if margin is None and cost is not None:
                margin = amount - cost
            if head is not None:
                number, lid = self._continued(head, n, cols, i, manager[i], channel[i], m,
                                              sheet, identities, new_loose)  # fmt: skip
            else:
                number = row_keys.get(keys[i])
                if number is None:
                    rec = self._record_at(n, cols, i, ident, points, manager[i], channel[i], sheet)
                    number, lid = self._identity(rec, m, identities, new_loose)
                    row_keys[keys[i]] = number
                else:
                    lid = loose_ids.get(loose_keys[i])
                    if lid is None:
                        lid = self._new_loose(loose_keys[i], new_loose)
                if oid is not None:
                    # The identity is written out only if a further line needs it.
                    later = _Later(n, cols, i, ident, points, manager[i], channel[i], sheet)
                    self._head = (oid, date, later, returned, (number, lid, self._generation))
            items.append((
                number, oid or f"row:{sheet or ''}:{n}", int(oid is not None), stamp, amount,
                quantity, cost, margin, discount_c[i], products[i], category[i] or None,
                manager[i] or None, channel[i] or None, statuses[i], currencies[currency[i]],
                int(is_return), sheet, n, raws[i], lid,
            ))  # fmt: skip
        if self._head is not None and type(self._head[2]) is _Later:
            self._head = (*self._head[:2], self._head[2].identity(self), *self._head[3:])
        return RowsChunk(identities, new_loose, items, size)

    def _all_accepted(self, oids, raw_dates, dates, values, bad, names_col, companies):
        """Whether every row of the chunk is an order line as it is (the usual chunk): no
        totals line, every date and number read, an amount on every line, no order number
        that says it is a return. Then (each row a further line of the order above?, each
        order's first line the one a further line may need?), else None: the loop decides
        row by row. Only the customers then need a loop in file order."""
        if bad or "" in raw_dates or "amount" not in values or None in values["amount"]:
            return None
        if any(type(v) is str for v in dates.values()):  # a date that could not be read
            return None
        if self._head is not None and self._head[3]:  # the order going on is a return
            return None
        # Texts joined by line breaks: a cell that matches matches there at a line start (a
        # match that is not a cell's own only sends the chunk to the loop).
        if any(_ANY_TOTALS.search(_lines(c)) for c in (oids, names_col, companies, raw_dates)):
            return None
        joined = _lines(oids)
        if _ANY_CANCELLATION_ID.search(joined) or _ANY_RETURN_DOCUMENT.search(joined):
            return None
        last = self._head[0] if self._head is not None else None
        if "" not in oids:  # every line has an order number (most files)
            further = list(map(operator.eq, oids, [last, *oids[:-1]]))
            # A first line is needed as the order going on only by the line after it, or by
            # the next chunk.
            need_head = [*further[1:], True]
            return further, need_head
        further = []
        for oid in oids:  # lines without a number neither go on nor begin an order
            further.append(bool(oid) and oid == last)
            last = oid or last
        return further, [bool(oid) for oid in oids]

    def _continued(self, head, n, cols, i, manager, channel, m, sheet, identities, new_loose):
        """The identity of a further line of an order: its first line's, plus a manager or a
        channel that one did not say."""
        if type(head[2]) is _Later:
            self._head = head = (*head[:2], head[2].identity(self), *head[3:])
        fields, phones, emails = head[2]
        ids = head[4]
        same = (not manager or "manager" in fields) and (not channel or "source" in fields)
        if same and ids is not None and ids[2] == self._generation:
            return ids[0], ids[1]
        rec = ContactRecord(n, None, dict(fields), list(phones), list(emails), [], sheet)  # type: ignore[arg-type]
        if manager:
            rec.fields.setdefault("manager", manager)
        if channel:
            rec.fields.setdefault("source", channel)
        return self._identity(rec, m, identities, new_loose)

    @staticmethod
    def _record_at(n, cols, i, ident, points, manager, channel, sheet) -> ContactRecord:
        """The customer part of row ``i`` as the row road makes it (``_record`` and
        ``_order_part``)."""
        rec = ContactRecord(n, None, {}, [], [], [], sheet)  # type: ignore[arg-type]
        f = rec.fields
        for j, name in ident:
            if cols[j][i]:
                f[name] = cols[j][i]
        for j, kind, label in points:
            if cols[j][i]:
                (rec.phones if kind == "phone" else rec.emails).append((cols[j][i], label))
        if manager:
            f.setdefault("manager", manager)
        if channel:
            f.setdefault("source", channel)
        return rec

    def _dates_of(self, texts: list[str]) -> dict:
        """Each distinct date text: (time, its stamp), or why it is not a date."""
        out: dict = {}
        for text in set(texts):
            if not text:
                continue
            try:
                value = self._date(text)
            except ValueError as exc:
                out[text] = _("date {value}: {reason}").format(value=repr(text), reason=exc)
                continue
            out[text] = (value, self._stamp)
        return out

    def _numbers_of(self, col: dict) -> tuple[dict, list]:
        """The number columns as numbers (None where empty), and per column with unreadable or
        out-of-range cells, {cell: why}, in the order the row road checks them."""
        values, bad = {}, []
        for k in NUMBERS:
            if k not in col:
                continue
            parsed, wrong = {"": None}, {}
            distinct = set(col[k])
            distinct.discard("")
            for v in _plain_numbers(distinct, parsed):  # out of range
                wrong[v] = _out_of_range(k, parsed.pop(v))
            for v in distinct.difference(parsed, wrong):  # the cells not plain: each by itself
                number = self._amounts.get(v)
                if number is None and _PLAIN_NUMBER.match(v):
                    number = float(v.replace(",", "."))
                if number is None:
                    try:
                        number = parse_amount(v)
                    except ValueError as exc:
                        wrong[v] = _("{field} {value}: {reason}").format(
                            field=k, value=repr(v), reason=exc
                        )
                        continue
                    if len(self._amounts) < _CACHE_SIZE:
                        self._amounts[v] = number
                if abs(number) > MAX_AMOUNT:
                    wrong[v] = _out_of_range(k, number)
                    continue
                parsed[v] = number
            values[k] = list(map(parsed.get, col[k]))
            if wrong:
                bad.append((col[k], wrong))
        return values, bad

    def _statuses_of(self, col: dict, stages: bool, size: int) -> list:
        said = list(zip(col.get("status", [""] * size), col.get("cancelled_at", [""] * size),
                        strict=True))  # fmt: skip
        known = {}
        for s, c in set(said):
            key = (s or None, c or None)
            status = self._statuses.get(key, self)
            if status is self:
                status = _status(key[0], key[1], stages)
                if len(self._statuses) < _CACHE_SIZE:
                    self._statuses[key] = status
            known[(s, c)] = status
        return [known[k] for k in said]
