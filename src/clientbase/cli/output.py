"""Rendering: data to stdout (table, JSON or CSV), messages and progress to stderr.

Rich consoles are created per call so they write to whatever sys.stdout/sys.stderr are at that
moment (the test runner swaps them). Rich itself is imported inside the functions that draw
(~0.1 s): JSON and CSV output, what scripts and cron read, do without it.
"""

from __future__ import annotations

import codecs
import csv
import math
import os
import re
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from enum import Enum

from clientbase import i18n
from clientbase.cli import json_text
from clientbase.cli.labels import VALUE_CONTEXTS
from clientbase.i18n import _, ngettext, pgettext
from clientbase.reports.i18n import fmt_int


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class SummaryFormat(str, Enum):
    table = "table"
    json = "json"


def stdout_console():
    from rich.console import Console  # rich: not for --help, nor for JSON and CSV output

    # Piped tables (`| less`, cron mail) get a generous width instead of rich's default 80.
    width = None if sys.stdout.isatty() else 160
    return Console(file=sys.stdout, soft_wrap=True, width=width)


def stderr_console():
    from rich.console import Console  # rich: not for --help, nor for JSON and CSV output

    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def emit_json(data) -> None:
    # json_text: json.dumps(data, ensure_ascii=False, indent=2, default=str), faster, and
    # written as it is made rather than held whole
    json_text.write(data, sys.stdout)
    sys.stdout.write("\n")


def emit_json_stream(items: Iterable) -> None:
    """A JSON array written item by item (the same text emit_json would write for a list)."""
    out = sys.stdout
    first = True
    for item in items:
        text = json_text.dumps(item)
        out.write(("[\n" if first else ",\n") + "  " + text.replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


def _cell(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:  # most cells: no isinstance chain for them
        return value
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def n(value: int) -> str:
    """A count inside a message, grouped the language's way ("1,200", "1 200")."""
    return fmt_int(value, i18n.language())


def decimal(value: float, digits: int = 1) -> str:
    """A fraction inside a message, with the language's decimal mark ("0.5", "0,5"); no grouping."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if i18n.language() == "ru" else text


def customers(count: int) -> str:
    """ "1 customer", "2 customers", "1,200 customers" (1 клиент, 2 клиента, 5 клиентов)."""
    return ngettext("{n} customer", "{n} customers", count).format(n=n(count))


def and_list(items) -> str:
    """ "4", "4 and 99", "4, 7 and 99"."""
    items = [str(i) for i in items]
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def emit_csv(rows: Iterable[dict], columns: Sequence[str]) -> None:
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    if isinstance(rows, list) and len(rows) > _CSV_BLOCK // 8:
        # Many rows (the customers of an analysis): the cells a column and a block at a time,
        # the same text as the loop below, several times faster.
        for start in range(0, len(rows), _CSV_BLOCK):
            block = rows[start : start + _CSV_BLOCK]
            w.writerows(
                zip(*(_column_cells([r.get(c) for r in block]) for c in columns), strict=True)
            )
        return
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])


_CSV_BLOCK = 8192


def _column_cells(values: list) -> list:
    """``_cell`` of each value; one C-level pass for a column of plain texts or numbers."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    if kinds <= {int, float}:
        return list(map(str, values))
    return [_cell(v) for v in values]


def emit_csv_rows(rows: Iterable[Sequence], columns: Sequence[str]) -> None:
    """CSV of rows that already hold the columns' values in order (what emit_csv writes)."""
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    w.writerows([_cell(v) for v in r] for r in rows)


def emit_csv_blocks(blocks: Iterable[str] | Iterable[bytes], columns: Sequence[str]) -> None:
    """CSV whose lines after the header come already written (services.contact_text), in
    blocks of whole lines: text, or bytes when ``stdout_takes_utf8()`` said they may be."""
    csv.writer(sys.stdout, lineterminator="\n").writerow(columns)
    for block in blocks:
        if isinstance(block, bytes):
            sys.stdout.flush()  # what was written as text goes first
            sys.stdout.buffer.write(block)
        else:
            sys.stdout.write(block)


def stdout_takes_utf8() -> bool:
    """Whether UTF-8 bytes may go straight to stdout's buffer, byte for byte what writing the
    text would give: stdout encodes UTF-8 and, on POSIX, writes a line break as it is."""
    encoding = getattr(sys.stdout, "encoding", None)
    if os.name != "posix" or not encoding or getattr(sys.stdout, "buffer", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


# Table columns read as money or as shares (JSON and CSV keep the raw numbers for scripts).
MONEY_COLUMNS = frozenset({
    "revenue", "monetary", "ltv", "avg_ltv", "clv", "avg_clv", "total_clv", "avg_order_value",
    "value_at_stake", "total", "median", "amount", "expected_spend", "margin",
})  # fmt: skip


def is_money(column: str) -> bool:
    return column in MONEY_COLUMNS or (
        column.endswith("_revenue") and not column.startswith("share")
    )


def is_share(column: str) -> bool:
    """Columns holding per cents (0-100): shares, rates, the coefficient of variation."""
    return column.startswith("share_") or column.endswith(("_pct", "_percent")) or column == "cv"


_currency: dict = {"sign": "₽", "of": None}


def use_currency_of(engine) -> None:
    """Money in this command's tables is in the base's currency (services.money): asked of
    the base when a figure is first shown with its sign. JSON and CSV show none, and the
    question reads every order (a tenth of a second on a million)."""
    _currency["of"] = engine


def reset_currency() -> None:
    _currency.update(sign="₽", of=None)


def _currency_sign() -> str:
    engine = _currency["of"]
    if engine is not None:
        # services load SQLAlchemy and the tables: imported when the command runs, not for --help
        from clientbase.services.money import currency_sign

        _currency.update(sign=currency_sign(engine), of=None)
    return _currency["sign"]


def table_lang() -> str:
    """The language of this command (--lang, CLIENTBASE_LANG, the config, the locale)."""
    return i18n.language()


def money(value, currency: str | None = None, lang: str | None = None, digits: int = 2) -> str:
    from clientbase.reports.i18n import fmt_money  # only when a figure is shown: not for --help

    return fmt_money(value, lang or table_lang(), currency or _currency_sign(), digits)


def percent(value, lang: str | None = None, digits: int = 1) -> str:
    """``value`` already in per cent (12.5 -> 12.5 %)."""
    from clientbase.reports.i18n import fmt_pct  # only when a figure is shown: not for --help

    return fmt_pct(value, lang or table_lang(), digits)


def number(value, lang: str | None = None) -> str:
    from clientbase.reports.i18n import fmt_int, fmt_num  # only when a figure is shown

    lang = lang or table_lang()
    if isinstance(value, int) or float(value).is_integer():
        return fmt_int(value, lang)
    return fmt_num(value, lang, 2 if abs(value) < 1 else 1)


def value_label(column: str, value: str) -> str:
    """A class value (a lifecycle stage, a warmth) in the command's language (cli.labels)."""
    context = VALUE_CONTEXTS.get(column)
    return pgettext(context, value) if context and value else value


def _table_cell(value, column: str, currency: str, lang: str) -> str:
    if isinstance(value, str) and column in VALUE_CONTEXTS:
        return value_label(column, value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _cell(value)
    if isinstance(value, float) and math.isnan(value):
        return ""
    if is_money(column):
        return money(value, currency, lang)
    if is_share(column):
        return percent(value, lang)
    if isinstance(value, int):
        return str(value)  # ids, counts, years: as they are
    return number(value, lang)


# A cell already written as a figure: "1,150,300.00 ₽", "85%", "12,5 %", "–".
_FIGURE = re.compile(r"^[-−–]?(\d[\d\s,.]*)?(\s?(%|₽|\$|€|₸|£|¥|₴|Br))?$")


def header_label(column: str) -> str:
    """The column's label for people: its words in the command's language (cli.labels)."""
    return _(column.replace("_", " "))


def _header(column: str):
    from rich.text import Text  # rich: only when a table is drawn

    # Words, not identifiers, for people; a header wraps between words, never inside one.
    return Text(header_label(column), overflow="fold")


def emit_table(
    rows: Sequence[dict],
    columns: Sequence[str],
    *,
    title: str | None = None,
    currency: str | None = None,
) -> None:
    """A table for people: money grouped with two decimals and the currency sign, shares in
    per cent, numbers and column labels in the command's language (clientbase.i18n)."""
    # rich (~0.1 s): only when a table is drawn, not for CSV, JSON or --help
    from rich.table import Table
    from rich.text import Text

    lang = table_lang()
    currency = currency or _currency_sign()
    cells = [[_table_cell(r.get(c), c, currency, lang) for c in columns] for r in rows]
    t = Table(title=title, show_lines=False, header_style="bold")
    for i, h in enumerate(columns):
        width = max((len(w) for w in header_label(h).split()), default=1)
        numeric = any(isinstance(r.get(h), int | float) for r in rows) or (
            any(row[i] for row in cells) and all(_FIGURE.match(row[i]) for row in cells)
        )
        if numeric:  # a figure is never broken over two lines: "1,150,300." / "00 ₽"
            width = max([width, *(len(row[i]) for row in cells)])
        t.add_column(
            _header(h), overflow="fold", min_width=width, justify="right" if numeric else "left"
        )
    for row in cells:
        # Text(), not str: a "[/x]" typed in a customer's name is data, not rich markup.
        t.add_row(*(Text(text) for text in row))
    stdout_console().print(t)


def emit(
    rows: Sequence[dict],
    columns: Sequence[str],
    fmt: Format,
    *,
    title: str | None = None,
    currency: str | None = None,
) -> None:
    if fmt == Format.json:
        emit_json(list(rows))
    elif fmt == Format.csv:
        emit_csv(rows, columns)
    else:
        emit_table(rows, columns, title=title, currency=currency)


class Messages:
    """What a command tells the person (stderr); silent under -q except for errors."""

    def __init__(self, quiet: bool = False, verbose: bool = False):
        self.quiet = quiet
        self.verbose = verbose

    def info(self, text: str) -> None:
        if not self.quiet:
            stderr_console().print(text, markup=False)

    @contextmanager
    def progress(self, description: str):
        """A progress callback (done, total) drawn on stderr, only when stderr is a terminal."""
        if self.quiet or not sys.stderr.isatty():
            yield None
            return
        # rich: only for a progress bar on a terminal
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        with Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            console=stderr_console(), transient=True,
        ) as bar:  # fmt: skip
            tasks: dict[str, int] = {}

            def update(name: str, done: int, total: int | None) -> None:
                # total None: a step whose length is unknown (indexes, the duplicate search)
                # gets a moving bar, so a full bar never stands for work still running.
                if name not in tasks:
                    tasks[name] = bar.add_task(f"{description} {name}", total=total)
                bar.update(tasks[name], completed=done, total=total)

            yield update
