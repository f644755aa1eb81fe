"""Rendering: data to stdout (table, JSON or CSV), messages and progress to stderr.

Rich consoles are created per call so they write to whatever sys.stdout/sys.stderr are at that
moment (the test runner swaps them). Rich itself is imported inside the functions that draw
(~0.1 s): JSON and CSV output, what scripts and cron read, do without it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from enum import Enum


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class SummaryFormat(str, Enum):
    table = "table"
    json = "json"


def stdout_console():
    from rich.console import Console

    # Piped tables (`| less`, cron mail) get a generous width instead of rich's default 80.
    width = None if sys.stdout.isatty() else 160
    return Console(file=sys.stdout, soft_wrap=True, width=width)


def stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def emit_json_stream(items: Iterable) -> None:
    """A JSON array written item by item (the same text emit_json would write for a list)."""
    out = sys.stdout
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2, default=str)
        out.write(("[\n" if first else ",\n") + "  " + text.replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def emit_csv(rows: Iterable[dict], columns: Sequence[str]) -> None:
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])


def emit_table(rows: Sequence[dict], columns: Sequence[str], *, title: str | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, show_lines=False, header_style="bold")
    for h in columns:
        t.add_column(h, overflow="fold")
    for r in rows:
        # Text(), not str: a "[/x]" typed in a customer's name is data, not rich markup.
        t.add_row(*(Text(_cell(r.get(c))) for c in columns))
    stdout_console().print(t)


def emit(
    rows: Sequence[dict], columns: Sequence[str], fmt: Format, *, title: str | None = None
) -> None:
    if fmt == Format.json:
        emit_json(list(rows))
    elif fmt == Format.csv:
        emit_csv(rows, columns)
    else:
        emit_table(rows, columns, title=title)


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

            def update(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(f"{description} {name}", total=total)
                bar.update(tasks[name], completed=done, total=total)

            yield update
