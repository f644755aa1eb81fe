"""`clientbase calls missed`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, state
from clientbase.cli.output import Format, emit
from clientbase.errors import UsageError
from clientbase.i18n import _, ngettext
from clientbase.normalize.dates import parse_datetime

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(help="Calls imported from phones and PBXs.", no_args_is_help=True)

_RELATIVE = re.compile(r"^\s*(\d+)\s*(h|d|w|m|y)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    """ "7d", "24h", "2w", "3m", "1y" back from now, or a date ("2026-11-01", "01.11.2026")."""
    if not text:
        return None
    now = now or datetime.now()
    m = _RELATIVE.match(text)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        return now - (timedelta(hours=n) if unit == "h" else timedelta(days=n * _UNIT_DAYS[unit]))

    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise UsageError(
            f"--since {text!r}: {exc}", hint=_("e.g. 7d, 24h, 2w or 2026-11-01")
        ) from exc


COLUMNS = ("customer_id", "name", "phone", "missed", "first_missed", "last_missed", "called_back")


@app.command("missed")
def missed_cmd(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Only calls missed since: 7d, 24h, 2w, or a date.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Missed calls that no conversation followed: the leads that are slipping away."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.calls import missed_calls

    rows = [m.to_dict() for m in missed_calls(state(ctx).engine(), parse_since(since))]
    title = ngettext(
        "{n} number waiting for a call back", "{n} numbers waiting for a call back", len(rows)
    )
    emit(rows, COLUMNS, fmt, title=title.format(n=len(rows)))
