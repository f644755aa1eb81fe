"""`clientbase segment|settings|tag …`, `clientbase birthdays` and `clientbase reactivation`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer

from clientbase.cli.common import (
    WHERE_HELP,
    FormatOpt,
    SegmentOpt,
    SummaryFormatOpt,
    WhereOpt,
    parse_day,
    state,
)
from clientbase.cli.completion import complete_segment
from clientbase.cli.contacts import CSV_COLUMNS, LIST_COLUMNS
from clientbase.cli.output import (
    Format,
    SummaryFormat,
    customers,
    emit_csv,
    emit_json,
    emit_json_stream,
    emit_table,
    stdout_console,
    use_currency_of,
)
from clientbase.i18n import _, ngettext

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

segment_app = typer.Typer(
    help="Saved filters (segments): create, list with their sizes, show who is in, delete.",
    no_args_is_help=True,
)
settings_app = typer.Typer(
    help="Thresholds of the lifecycle stages, tags and reactivation.", no_args_is_help=True
)
tag_app = typer.Typer(
    help="Give a tag to customers, or take it away, in bulk.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(segment_app, name="segment")
    app.add_typer(settings_app, name="settings")
    app.add_typer(tag_app, name="tag")
    app.command("birthdays")(birthdays_cmd)
    app.command("reactivation")(reactivation_cmd)


def _change(n: int | None) -> str:
    if n is None:
        return _("new")
    return f"+{n}" if n > 0 else str(n) if n < 0 else "0"


# --- segment -------------------------------------------------------------------------------------


@segment_app.command("create")
def create_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    where: Annotated[str, typer.Option("--where", "-w", metavar="EXPR", help=WHERE_HELP)],
    description: Annotated[
        str | None, typer.Option("--description", "-d", help="What the segment is for.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Change the segment if the name is taken.")
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Save a filter under a name (it is checked and counted now)."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import create_segment

    r = create_segment(state(ctx).engine(), name, where, description=description, replace=replace)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    text = _("segment {name} changed: {customers}") if r.replaced else (
        _("segment {name} saved: {customers}"))  # fmt: skip
    stdout_console().print(
        text.format(name=r.name, customers=customers(r.size), n=r.size), markup=False
    )


@segment_app.command("list")
def list_cmd(
    ctx: typer.Context,
    no_record: Annotated[
        bool,
        typer.Option(
            "--no-record", help="Do not store these sizes as the new point of comparison."
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Saved segments with their size now and the change since the last run."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import list_segments

    st = state(ctx)
    rows = [s.to_dict() for s in list_segments(st.engine(), record=not no_record)]
    if fmt == Format.json:
        emit_json(rows)
        return
    for r in rows:
        r["change_text"] = _change(r["change"]) if r["size"] is not None else _("error")
        if "error" in r:
            st.messages.info(_("segment {name}: {error}").format(name=r["name"], error=r["error"]))
    if fmt == Format.csv:
        emit_csv(rows, ("name", "size", "change", "previous_size", "expression", "description"))
        return
    if not rows:
        st.messages.info(_("no segments yet: clientbase segment create NAME --where EXPR"))
        return
    shown = [dict(r, change=r["change_text"]) for r in rows]
    emit_table(shown, ("name", "size", "change", "expression", "description"), title=_("Segments"))


@segment_app.command("show")
def show_cmd(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="A saved segment.", autocompletion=complete_segment),
    ],
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, help="At most N customers.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Who is in a segment now: the customers, with the same keys as `contacts list`."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.contacts import iter_contacts
    from clientbase.services.segments import get_segment, matching_ids

    st = state(ctx)
    engine = st.engine()
    seg = get_segment(engine, name)
    ids = matching_ids(engine, segment=seg.name)
    rows = iter_contacts(engine, ids=ids, limit=limit)
    about = f"{seg.name}: {customers(len(ids))} ({seg.expression})"
    if fmt == Format.json:
        emit_json_stream(rows)
    elif fmt == Format.csv:
        emit_csv(rows, CSV_COLUMNS)
    else:
        if seg.description:
            st.messages.info(seg.description)
        emit_table(list(rows), LIST_COLUMNS, title=about)
        return
    st.messages.info(about)


@segment_app.command("delete")
def delete_cmd(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="A saved segment.", autocompletion=complete_segment),
    ],
) -> None:
    """Delete a saved segment (the customers stay, of course)."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import delete_segment

    delete_segment(state(ctx).engine(), name)
    state(ctx).messages.info(_("segment {name} deleted").format(name=name))


@segment_app.command("fields")
def fields_cmd(fmt: FormatOpt = Format.table) -> None:
    """The fields, types and operators of the filter language."""
    # the field catalogue builds its tables on import: not needed for --help
    from clientbase.segments.fields import describe_fields

    rows = describe_fields()
    cols = ("field", "type", "aliases", "meaning")
    if fmt == Format.json:
        emit_json(rows)
    elif fmt == Format.csv:
        emit_csv(rows, (*cols, "operators"))
    else:
        emit_table(rows, cols, title=_("Filter fields"))
        con = stdout_console()
        con.print(
            _(
                "Operators: = != < <= > >= in (…) contains, not in, not contains, and / or / not, "
                "( ). Text in quotes; ages 30d 2w 6m 1y; dates 2025-01-31; 50% = 0.5."
            ),
            markup=False,
        )
        con.print(
            _("Example: {command}").format(
                command='clientbase contacts list --where "orders >= 3 and '
                "days_since_last_order > 60 and city = 'Казань'\""
            ),
            markup=False,
        )


# --- settings ------------------------------------------------------------------------------------


@settings_app.command("list")
def settings_list_cmd(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Every setting with its value, default and meaning."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import list_settings

    rows = [s.to_dict() for s in list_settings(state(ctx).engine())]
    cols = ("key", "value", "default", "meaning")
    if fmt == Format.json:
        emit_json(rows)
    elif fmt == Format.csv:
        emit_csv(rows, cols)
    else:
        emit_table(rows, cols, title=_("Settings"))


DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="Only count, change nothing.")]


@settings_app.command("set")
def settings_set_cmd(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY")],
    value: Annotated[str, typer.Argument(metavar="VALUE")],
    dry_run: DryRunOpt = False,
) -> None:
    """Change a setting, e.g. clientbase settings set sleeping_days 60."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import set_setting

    r = set_setting(state(ctx).engine(), key, value, dry_run=dry_run)
    text = _("{key} = {value} (dry run: nothing changed)") if dry_run else "{key} = {value}"
    state(ctx).messages.info(text.format(key=r.key, value=r.value))


@settings_app.command("unset")
def settings_unset_cmd(
    ctx: typer.Context, key: Annotated[str, typer.Argument(metavar="KEY")]
) -> None:
    """Back to the default value."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import unset_setting

    r = unset_setting(state(ctx).engine(), key)
    state(ctx).messages.info(_("{key} = {value} (default)").format(key=r.key, value=r.value))


# --- tag -----------------------------------------------------------------------------------------


def _tag(ctx, tag, ids, where, segment, dry_run, fmt, remove: bool) -> None:
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.segments import change_tag

    st = state(ctx)
    r = change_tag(
        st.engine(), tag, remove=remove, where=where, segment=segment, ids=ids or None,
        dry_run=dry_run,
    )  # fmt: skip
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    done = r.removed if remove else r.added
    if remove:
        text = (
            ngettext(
                "{tag}: {customers} would be untagged, {unchanged} unchanged ({matched} matched)",
                "{tag}: {customers} would be untagged, {unchanged} unchanged ({matched} matched)",
                done,
            )
            if dry_run
            else ngettext(
                "{tag}: {customers} untagged, {unchanged} unchanged ({matched} matched)",
                "{tag}: {customers} untagged, {unchanged} unchanged ({matched} matched)",
                done,
            )
        )
    else:
        text = (
            ngettext(
                "{tag}: {customers} would be tagged, {unchanged} unchanged ({matched} matched)",
                "{tag}: {customers} would be tagged, {unchanged} unchanged ({matched} matched)",
                done,
            )
            if dry_run
            else ngettext(
                "{tag}: {customers} tagged, {unchanged} unchanged ({matched} matched)",
                "{tag}: {customers} tagged, {unchanged} unchanged ({matched} matched)",
                done,
            )
        )
    stdout_console().print(
        text.format(tag=r.tag, customers=customers(done), unchanged=r.unchanged, matched=r.matched),
        markup=False,
    )


IdsArg = Annotated[list[int] | None, typer.Argument(metavar="[ID]...", help="Customer ids.")]


@tag_app.command("add")
def tag_add_cmd(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(metavar="TAG")],
    ids: IdsArg = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    dry_run: DryRunOpt = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Tag customers: by ids, --where EXPR or --segment NAME (the tag is created if new)."""
    _tag(ctx, tag, ids, where, segment, dry_run, fmt, remove=False)


@tag_app.command("remove")
def tag_remove_cmd(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(metavar="TAG")],
    ids: IdsArg = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    dry_run: DryRunOpt = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Take a tag away: by ids, --where EXPR or --segment NAME."""
    _tag(ctx, tag, ids, where, segment, dry_run, fmt, remove=True)


# --- birthdays and reactivation ------------------------------------------------------------------


def _day(text: str | None, option: str):
    """A date option that also takes today and tomorrow (birthdays --from, reactivation --as-of)."""
    t = (text or "").strip().lower()
    if t in ("today", "сегодня"):
        return date.today()
    if t in ("tomorrow", "завтра"):
        return date.today() + timedelta(days=1)
    return parse_day(text, option, hint=_("today, tomorrow or a date"))


BIRTHDAY_COLUMNS = ("date", "in_days", "name", "age", "phones", "emails", "id")


def birthdays_cmd(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=366, help="How many days, the first one included."),
    ] = 7,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DAY", help="today (default), tomorrow or a date."),
    ] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Upcoming birthdays, nearest first (29 Feb falls on 28 Feb in other years).

    For cron, tomorrow's greetings: clientbase -q birthdays --from tomorrow --days 1"""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.outreach import birthdays

    st = state(ctx)
    found = birthdays(st.engine(), days, _day(start, "--from"), where=where, segment=segment)
    rows = [b.to_dict() for b in found]
    if fmt == Format.json:
        emit_json(rows)
    elif fmt == Format.csv:
        emit_csv(rows, BIRTHDAY_COLUMNS)
    elif rows:
        emit_table(rows, BIRTHDAY_COLUMNS, title=_("Birthdays: {n}").format(n=len(rows)))
    else:
        st.messages.info(_("no birthdays in these days"))  # stdout stays empty: cron sends no mail


REACTIVATION_COLUMNS = (
    "id", "name", "orders", "revenue", "last_order", "days_since_last_order",
    "usual_interval_days", "value_at_stake", "phones",
)  # fmt: skip


def reactivation_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DAY", help="Count to this day (default today)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, help="Only the N most valuable.")
    ] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Regular customers who stopped buying, the most valuable first.

    Regular: bought on 3+ days (reactivation_min_orders); stopped: silent more than 2x their
    usual interval (reactivation_factor) and 30+ days; value at stake: their yearly revenue."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.outreach import reactivation

    st = state(ctx)
    found = reactivation(st.engine(), _day(as_of, "--as-of"), where=where, segment=segment)
    rows = [w.to_dict() for w in found]
    use_currency_of(st.engine())
    if limit is not None:
        rows = rows[:limit]
    if fmt == Format.json:
        emit_json(rows)
    elif fmt == Format.csv:
        emit_csv(rows, (*REACTIVATION_COLUMNS, "emails", "first_order", "overdue_times"))
    elif rows:
        emit_table(rows, REACTIVATION_COLUMNS, title=_("To win back: {n}").format(n=len(rows)))
    else:
        st.messages.info(_("nobody to win back: no regular customer has stopped buying"))
