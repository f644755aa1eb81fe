"""What the command modules share: the run's state, the common options, the date-option parser.

The command modules import this module, and `cli.main` imports the command modules, so nothing
imports `cli.main` back: the root command sets the state up, the commands only read it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Annotated

import typer

from clientbase.cli.completion import complete_segment
from clientbase.cli.output import Format, Messages, SummaryFormat
from clientbase.config import resolve_db
from clientbase.errors import UsageError
from clientbase.normalize.dates import parse_date


class Lang(str, Enum):
    """The languages clientbase speaks (messages, help, reports)."""

    ru = "ru"
    en = "en"


@dataclass
class State:
    db: str | None = None
    quiet: bool = False
    verbose: bool = False
    wait: float | None = None  # --wait: seconds to wait for another writer
    _engine: object = field(default=None, repr=False)

    def location(self):
        return resolve_db(self.db)

    def engine(self, *, migrate: bool = True):
        """The engine, opened on first use; the schema is brought up to date unless told not to."""
        if self._engine is None:
            from clientbase.db.engine import open_database  # SQLAlchemy: not for --help

            def announce(backup) -> None:
                if not self.quiet:
                    print(
                        f"database upgraded; the previous file is saved as {backup}",
                        file=sys.stderr,
                    )

            self._engine = open_database(
                self.location(), migrate=migrate, on_backup=announce, wait=self.wait_policy()
            )
        return self._engine

    def wait_policy(self):
        from clientbase.config import resolve_wait
        from clientbase.db.engine import WaitPolicy

        policy = WaitPolicy(on_wait=self._announce_wait)
        seconds = resolve_wait(self.wait)
        if seconds is not None:
            policy.seconds = seconds
        return policy

    def _announce_wait(self, seconds: float) -> None:
        # On a terminal (or with -v) only: cron mails whatever a job prints.
        if not self.quiet and (sys.stderr.isatty() or self.verbose):
            limit = f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"
            print(
                f"clientbase: waiting for another import or command to finish writing "
                f"(up to {limit})…",
                file=sys.stderr,
                flush=True,
            )

    @property
    def messages(self) -> Messages:
        return Messages(self.quiet, self.verbose)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def format_option(help_text: str | None = None):
    """The `--format/-f` option of every command that prints a result."""
    return typer.Option("--format", "-f", help=help_text)


FormatOpt = Annotated[Format, format_option()]  # table, json or csv
SummaryFormatOpt = Annotated[SummaryFormat, format_option()]  # table or json

WHERE_HELP = (
    "Only the customers this filter matches, e.g. \"orders >= 3 and city = 'Казань'\" "
    "(fields: clientbase segment fields)."
)
WhereOpt = Annotated[str | None, typer.Option("--where", "-w", metavar="EXPR", help=WHERE_HELP)]
SegmentOpt = Annotated[
    str | None,
    typer.Option(
        "--segment",
        metavar="NAME",
        help="Only the customers of a saved segment.",
        autocompletion=complete_segment,
    ),
]


def parse_day(text: str | None, option: str, *, hint: str | None = None) -> date | None:
    """A day given to a date option (`--as-of`, `--from`, `--on` …): ISO, Russian (31.12.2026)
    and the other forms `normalize.dates.parse_date` reads; None when the option was not given.
    A date that is not one fails as a usage error naming the option."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: {exc}", hint=hint) from None
