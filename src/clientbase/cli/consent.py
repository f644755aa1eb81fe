"""`clientbase consent set|import`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clientbase.cli.common import SummaryFormatOpt, state
from clientbase.cli.output import SummaryFormat, emit_json, stdout_console
from clientbase.i18n import _, ngettext

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(
    help="Marketing consent per channel: email, sms, calls, ads.", no_args_is_help=True
)


class Status(str, Enum):
    granted = "granted"
    withdrawn = "withdrawn"


CHANNEL_HELP = "email, sms, calls, ads, or all of them"


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    status: Annotated[Status, typer.Argument(help="granted or withdrawn")],
    # Required: consent given on the phone for SMS must not quietly become consent for ads.
    channel: Annotated[
        str, typer.Option("--channel", metavar="CHANNEL", help=CHANNEL_HELP + " (say all)")
    ],
    source: Annotated[
        str | None, typer.Option("--source", help="Where it came from: a form, a call ...")
    ] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="Only this phone or email of the customer.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be recorded; change nothing.")
    ] = False,
) -> None:
    """Record a customer's consent (or its withdrawal) for a channel."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.consent import set_consent

    n = set_consent(
        state(ctx).engine(), customer_id, channel, status.value, source=source, value=value,
        dry_run=dry_run,
    )  # fmt: skip
    if status == Status.granted:
        text = ngettext(
            "customer {id}: {channel} consent granted ({n} record)",
            "customer {id}: {channel} consent granted ({n} records)",
            n,
        )
    else:
        text = ngettext(
            "customer {id}: {channel} consent withdrawn ({n} record)",
            "customer {id}: {channel} consent withdrawn ({n} records)",
            n,
        )
    text = text.format(id=customer_id, channel=channel, n=n)
    if dry_run:
        text = _("{summary} (dry run: nothing recorded)").format(summary=text)
    stdout_console().print(text, markup=False)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="CSV or spreadsheet of phones and emails.")
    ],
    channel: Annotated[
        str,
        typer.Option(
            "--channel", metavar="CHANNEL", help=CHANNEL_HELP + "; an opt-out list means all"
        ),
    ] = "all",
    source: Annotated[
        str | None,
        typer.Option("--source", help="Where the list came from (default: its file name)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Count what would be withdrawn; change nothing.")
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Take in an opt-out list: every phone and email in it is withdrawn for the channel."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.consent import import_opt_outs

    r = import_opt_outs(state(ctx).engine(), path, channel=channel, source=source, dry_run=dry_run)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    if dry_run:
        text = _(
            "{values} phones and emails: {in_base} in the base would be withdrawn ({channels}), "
            "{suppressed_only} would be kept on the suppression list (dry run: nothing changed)"
        )
    else:
        text = _(
            "{values} phones and emails: {in_base} in the base now withdrawn ({channels}), "
            "{suppressed_only} kept on the suppression list"
        )
    stdout_console().print(
        text.format(
            values=r.values, in_base=r.in_base, channels=", ".join(r.channels),
            suppressed_only=r.suppressed_only,
        ),
        markup=False,
    )  # fmt: skip
