"""`clientbase note` and `clientbase remind`: the contact log and follow-ups."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, parse_day, state
from clientbase.cli.output import Format, emit, stdout_console
from clientbase.errors import UsageError
from clientbase.i18n import _, ngettext

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.


class ContactKind(str, Enum):
    note = "note"
    call = "call"
    meeting = "meeting"
    message = "message"


def register(app: typer.Typer) -> None:
    app.command("note")(note_cmd)
    app.command("remind")(remind_cmd)


def note_cmd(
    ctx: typer.Context,
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    text: Annotated[str, typer.Argument(help="What was discussed and agreed.")],
    kind: Annotated[
        ContactKind, typer.Option("--as", help="A plain note, or a contact you had.")
    ] = ContactKind.note,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="e.g. agreed, no answer, thinking")
    ] = None,
) -> None:
    """Write down a note or a contact (call, meeting, message) on the customer's card."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.card import add_note

    note_id = add_note(state(ctx).engine(), customer_id, text, kind=kind.value, outcome=outcome)
    stdout_console().print(
        _("noted ({kind} {id}) on customer {customer}").format(
            kind=kind.value, id=note_id, customer=customer_id
        ),
        markup=False,
    )


def remind_cmd(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="ID|due|done",
            help="A customer id; `due` lists what is due; `done N` closes reminder N.",
        ),
    ],
    text: Annotated[str | None, typer.Argument(metavar="[TEXT|N]")] = None,
    in_: Annotated[str | None, typer.Option("--in", help="In 3d, 2w, 1m ...")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="On a date: 2026-12-01, 01.12.2026")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Follow-ups: `remind ID --in 2w "позвонить"`, `remind due` (cron), `remind done N`."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services import card

    engine = state(ctx).engine()
    if target == "due":
        due = card.due_reminders(engine, datetime.combine(datetime.now().date(), time.max))
        rows = [r.to_dict() for r in due]
        if not rows and fmt == Format.table:
            # Nothing on stdout, so a cron line (`remind due`) mails only when there is work.
            state(ctx).messages.info(_("nothing due"))
            return
        emit(
            rows,
            ("id", "due", "name", "phone", "what", "overdue"),
            fmt,
            title=ngettext("{n} due", "{n} due", len(rows)).format(n=len(rows)),
        )
        return
    if target == "done":
        if not (text and text.isdigit()):
            raise UsageError(_("remind done N: the reminder's number, as `remind due` shows it"))
        card.done_reminder(engine, int(text))
        stdout_console().print(_("reminder {id} done").format(id=text), markup=False)
        return
    if not target.isdigit():
        raise UsageError(_("{value}: a customer id, `due` or `done`").format(value=repr(target)))
    if not text:
        raise UsageError(_('say what to do: remind ID --in 2w "позвонить"'))
    due = _due(in_, on)
    rid = card.add_reminder(engine, int(target), text, due)
    stdout_console().print(
        _("reminder {id}: {due}, customer {customer}").format(
            id=rid, due=f"{due:%Y-%m-%d}", customer=target
        ),
        markup=False,
    )


def _due(in_: str | None, on: str | None) -> datetime:
    if (in_ is None) == (on is None):
        raise UsageError(_("say when: --in 2w or --on DATE (one of them)"))
    today = datetime.combine(datetime.now().date(), time(9, 0))  # a follow-up is for the morning
    if on is not None:
        return datetime.combine(parse_day(on, "--on"), time(9, 0))

    m = re.fullmatch(r"\s*(\d+)\s*(d|w|m|y)\s*", in_ or "", re.IGNORECASE)
    if not m:
        raise UsageError(
            _("--in {value}: a number and d, w, m or y (e.g. 3d, 2w, 1m)").format(value=repr(in_))
        )
    days = int(m.group(1)) * {"d": 1, "w": 7, "m": 30, "y": 365}[m.group(2).lower()]
    return today + timedelta(days=days)
