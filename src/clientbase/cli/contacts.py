"""`clientbase contacts list|show`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from clientbase.cli.common import (
    SegmentOpt,
    SummaryFormatOpt,
    WhereOpt,
    format_option,
    parse_day,
    state,
)
from clientbase.cli.output import (
    Format,
    SummaryFormat,
    and_list,
    count,
    emit_csv,
    emit_csv_rows,
    emit_json,
    emit_json_stream,
    emit_table,
    money,
    stdout_console,
    use_currency_of,
)
from clientbase.errors import UsageError

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(help="Customers: list, search, look one up.", no_args_is_help=True)

LIST_COLUMNS = ("id", "name", "phones", "emails", "birthday", "company", "city", "source",
                "lifecycle")  # fmt: skip
CSV_COLUMNS = (
    "id", "name", "last_name", "first_name", "middle_name", "gender", "birthday",
    "birthday_month_day", "company", "position", "city", "address", "source", "manager",
    "external_id", "phones", "emails", "tags", "lifecycle",
)  # fmt: skip


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[Format, format_option("table, json or csv")] = Format.table,
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, help="At most N customers.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in the name, company, city, phone or email."),
    ] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Lifecycle and --where count to this day (default: today).",
        ),
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            metavar="FIELD",
            help="Order by a field: name, city, birthday, last_contact, calls ... (-FIELD: descending).",
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="A,B,C",
            help="Only these fields, in this order (table, csv and json), e.g. id,name,phones.",
        ),
    ] = None,
) -> None:
    """List customers (JSON keys are stable for scripts: id, name, phones, emails, lifecycle,
    provenance...)."""
    from clientbase.services.contacts import check_search, iter_contacts

    check_search(search)  # before the output starts
    engine = state(ctx).engine()
    day = parse_day(as_of, "--as-of")
    ids = None
    if where is not None or segment is not None:
        from clientbase.services.segments import matching_ids

        ids = matching_ids(engine, where=where, segment=segment, as_of=day)
    from clientbase.services.config import value

    area = value("area_code")
    from clientbase.services.contacts import check_fields, sort_contacts

    chosen = None
    if columns is not None:
        chosen = check_fields([c.strip() for c in columns.split(",") if c.strip()], "--columns")
    if sort is not None:
        check_fields([sort.lstrip("-+")], "--sort")  # before any work: a typo fails at once
    if fmt == Format.csv and sort is None:
        from clientbase.services.contacts import iter_contact_rows

        # Streamed as tuples, one query per part and page: no dict per customer.
        emit_csv_rows(
            iter_contact_rows(engine, chosen or CSV_COLUMNS, search=search, limit=limit,
                              ids=ids, area_code=area, as_of=day),
            chosen or CSV_COLUMNS,
        )  # fmt: skip
        return
    # Only what is shown is read: a table skips the customers' provenance, consent events and
    # calls (JSON without --columns shows everything).
    shown = chosen or {Format.csv: CSV_COLUMNS, Format.table: LIST_COLUMNS}.get(fmt)
    fields = None if shown is None else {*shown, *([sort.lstrip("-+")] if sort else [])}
    rows = iter_contacts(
        engine, search=search, limit=None if sort else limit, ids=ids, area_code=area, as_of=day,
        fields=fields,
    )  # fmt: skip
    if sort is not None:
        # Sorting needs every row first; --limit then takes the first N of the order.
        rows = sort_contacts(list(rows), sort)[:limit]
    if chosen is not None and fmt == Format.json:
        rows = ({c: r.get(c) for c in chosen} for r in rows)
    if fmt == Format.json:
        emit_json_stream(rows)  # streamed: a million customers do not have to fit in memory
    elif fmt == Format.csv:
        emit_csv(rows, chosen or CSV_COLUMNS)
    else:
        rows = list(rows)
        emit_table(rows, chosen or LIST_COLUMNS, title=count(len(rows), "customer"))


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    fmt: SummaryFormatOpt = SummaryFormat.table,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Orders, classes and lifecycle count to this day (default: today).",
        ),
    ] = None,
) -> None:
    """Show one customer: identity, every phone and email, where the data came from."""
    from clientbase.services.contacts import get_contact

    engine = state(ctx).engine()
    card = get_contact(engine, customer_id, parse_day(as_of, "--as-of"))
    use_currency_of(engine)
    if fmt == SummaryFormat.json:
        emit_json(card)
        return
    con = stdout_console()
    con.print(f"{card['name']}  (#{card['id']}, {card['kind']})", style="bold", markup=False)
    if card.get("merged_into"):
        con.print(f"merged into customer #{card['merged_into']}", markup=False)
    if card.get("birthday_month_day"):
        card["birthday"] = birthday_text(card.get("birthday"), card["birthday_month_day"])
    for label, key in (("Birthday", "birthday"), ("Gender", "gender"), ("Company", "company"),
                       ("Position", "position"), ("City", "city"), ("Address", "address"),
                       ("Source", "source"), ("Manager", "manager"), ("External id", "external_id")):  # fmt: skip
        if card.get(key):
            con.print(f"{label + ':':<13}{card[key]}", markup=False)
    for p in card["contact_points"]:
        shown = p["value"] or p["raw"]
        extra = [x for x in (p["label"], f"ext. {p['extension']}" if p["extension"] else None,
                             None if p["valid"] else "INVALID, kept as typed",
                             _consent_text(p["consent"], p.get("channels", {}))) if x]  # fmt: skip
        con.print(
            f"{p['kind'] + ':':<13}{shown}" + (f"  ({', '.join(extra)})" if extra else ""),
            markup=False,
        )
    if card["tags"]:
        con.print(f"{'Tags:':<13}{', '.join(card['tags'])}", markup=False)
    if card.get("note"):
        # Every line of a multi-line note under the first, not back at the left edge.
        note = "\n".join(line.rstrip() for line in card["note"].strip().splitlines())
        con.print(f"{'Note:':<13}{note.replace(chr(10), chr(10) + ' ' * 13)}", markup=False)
    for inv in card["invalid"]:
        if inv["kind"] == "birthday":
            con.print(f"{'Birthday?':<13}{inv['value']} (not a date, kept as typed)", markup=False)
    o = card.get("orders")
    if o and o["count"]:
        con.print(
            f"{'Orders:':<13}{o['count']}, {money(o['revenue'])} in all, last {o['last'][:10]}",
            markup=False,
        )
    cls = card.get("classes") or {}
    if cls.get("abc"):
        con.print(f"{'ABC/XYZ:':<13}{cls['abc']}{cls['xyz']} ({cls['window']})", markup=False)
    if rfm := cls.get("rfm"):
        con.print(
            f"{'RFM:':<13}{rfm['r']}{rfm['f']}{rfm['m']} {rfm['segment']} (as of {rfm['as_of']})",
            markup=False,
        )
    if (life := card.get("lifecycle")) and life.get("stage"):
        warmth = f" ({life['warmth']})" if life.get("warmth") else ""
        con.print(f"{'Stage:':<13}{life['stage']}{warmth}", markup=False)
    if card.get("calls"):
        con.print("Calls (latest first):", markup=False)
        for c in card["calls"]:
            arrow = "<-" if c["direction"] == "in" else "->"
            took = f", {c['duration_s']} s" if c["duration_s"] else ""
            con.print(f"  {c['at']} {arrow} {c['phone']}  {c['outcome']}{took}", markup=False)
    if card.get("log"):
        con.print("Log (latest first):", markup=False)
        for e in card["log"]:
            how = e["kind"] + (f", {e['outcome']}" if e["outcome"] else "")
            text = (e["text"] or "").strip().replace("\n", "\n" + " " * 4)
            con.print(f"  {e['at']} [{how}] {text}", markup=False)
    for r in card.get("reminders", []):
        con.print(f"Reminder {r['id']}: {r['due']} {r['text']}", markup=False)
    if card.get("status") in ("archived", "erased"):
        con.print(f"Status:      {card['status']}", markup=False)
    if card["provenance"]:
        con.print("From:", markup=False)
        for p in card["provenance"]:
            sheet = f", sheet {p['sheet']}" if p.get("sheet") else ""
            con.print(f"  import {p['import']}: {p['file']}{sheet}, row {p['row']}", markup=False)


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
}  # fmt: skip
_YEAR_UNKNOWN = {"en": "year unknown", "ru": "год неизвестен"}


def birthday_text(iso: str | None, month_day: str, lang: str | None = None) -> str:
    """ "12 July 1985", or "12 July (year unknown)" when only the day was given ("12.07")."""
    from clientbase.cli.output import table_lang

    lang = lang or table_lang()
    month, day = (int(x) for x in month_day.split("-"))
    text = f"{day} {_MONTHS[lang][month - 1]}"
    return f"{text} {iso[:4]}" if iso else f"{text} ({_YEAR_UNKNOWN[lang]})"


def _consent_text(general: str, channels: dict[str, str]) -> str | None:
    """ "consent granted", "consent granted (sms, calls), withdrawn (ads)": each status once."""
    by_status: dict[str, list[str]] = {}
    for channel, status in channels.items():
        by_status.setdefault(status, []).append(channel)
    if not by_status:
        return None if general == "unknown" else f"consent {general}"
    if general != "unknown":
        by_status.setdefault(general, [])
    parts = [
        f"{status} ({', '.join(chans)})" if chans else status for status, chans in by_status.items()
    ]
    return "consent " + ", ".join(parts)


def _card_input(name, phones, emails, birthday, company, city, manager, fields):
    # phonenumbers and email-validator come with these (~0.1 s): not for `contacts list`
    from clientbase.importers.mapping import parse_map_options
    from clientbase.normalize.phones import complete_local_number
    from clientbase.services.card import CardInput
    from clientbase.services.config import value

    area = value("area_code")  # a 7-digit number typed by hand is one of the shop's own town
    return CardInput(
        name=name, phones=[complete_local_number(p, area) for p in phones or []], emails=emails or [], birthday=birthday, company=company,
        city=city, manager=manager, fields=parse_map_options(fields or [], option="--field"),
    )  # fmt: skip


NameOpt = Annotated[str | None, typer.Option("--name", help="ФИО or a company name, any order.")]
PhoneOpt = Annotated[list[str] | None, typer.Option("--phone", help="A phone (repeatable).")]
EmailOpt = Annotated[list[str] | None, typer.Option("--email", help="An email (repeatable).")]
BirthdayOpt = Annotated[
    str | None, typer.Option("--birthday", help="01.02.1985, 1985-02-01, 12.07 ...")
]
CompanyOpt = Annotated[str | None, typer.Option("--company", help="The company they work for.")]
CityOpt = Annotated[str | None, typer.Option("--city", help="Their city.")]
ManagerOpt = Annotated[str | None, typer.Option("--manager", help="Who looks after them.")]
FieldOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--field", metavar="KEY=VALUE", help="Another field: position, address, source, note ..."
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="CC",
        help="Country for phones without a code (default: RU, or the config's region).",
    ),
]


def _region(flag: str | None) -> str:
    from clientbase.services.config import value

    return str(value("region", flag.upper() if flag else None, "RU"))


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: NameOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    birthday: BirthdayOpt = None,
    company: CompanyOpt = None,
    city: CityOpt = None,
    manager: ManagerOpt = None,
    field: FieldOpt = None,
    region: RegionOpt = None,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Add a customer by hand (normalised and checked for duplicates like an import)."""
    from clientbase.services.card import add_contact

    card = _card_input(name, phone, email, birthday, company, city, manager, field)
    r = add_contact(state(ctx).engine(), card, region=_region(region))
    if fmt == SummaryFormat.json:
        emit_json(r)
    elif r["created"]:
        stdout_console().print(f"added customer {r['id']}", markup=False)
    else:
        stdout_console().print(
            f"already in the base as customer {r['id']} ({r['outcome']})", markup=False
        )


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    name: NameOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    birthday: BirthdayOpt = None,
    company: CompanyOpt = None,
    city: CityOpt = None,
    manager: ManagerOpt = None,
    field: FieldOpt = None,
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", help="Take this phone or email away (repeatable)."),
    ] = None,
    region: RegionOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would change; change nothing.")
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Change a customer: name, birthday and fields are replaced, phones and emails added."""
    from clientbase.services.card import edit_contact

    st = state(ctx)
    card = _card_input(name, phone, email, birthday, company, city, manager, field)
    r = edit_contact(
        st.engine(), customer_id, card, remove=remove, region=_region(region), dry_run=dry_run
    )
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    what = [*r["changed"], *(f"added {v}" for v in r["added"])]
    if r["removed"]:
        what.append(f"removed {count(r['removed'], 'phone or email', 'phones and emails')}")
    stdout_console().print(
        f"customer {customer_id}"
        + (" (dry run, nothing changed), would be" if dry_run and what else "")
        + ": "
        + (", ".join(what) or "nothing changed"),
        markup=False,
    )
    if r["shared_with"]:
        others = r["shared_with"]
        who = (
            f"customer {others[0]} has"
            if len(others) == 1
            else f"customers {and_list(others)} have"
        )
        st.messages.info(f"note: {who} the same phone or email")


@app.command("archive")
def archive_cmd(
    ctx: typer.Context, customer_id: Annotated[int, typer.Argument(metavar="ID")]
) -> None:
    """Keep the history of someone who asked not to be contacted; consent becomes withdrawn."""
    from clientbase.services.card import archive

    archive(state(ctx).engine(), customer_id)
    stdout_console().print(f"customer {customer_id} archived", markup=False)


@app.command("forget")
def forget_cmd(
    ctx: typer.Context,
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask (for scripts).")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", "-n", help="Count what would be erased; erase nothing (no --yes needed)."
        ),
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Erase a person's personal data everywhere in the base (152-FZ, GDPR right to erasure)."""
    from clientbase.services.card import forget, scrub_failed_error

    st = state(ctx)
    if not yes and not dry_run:
        if not sys.stdin.isatty():
            raise UsageError("erasing cannot be undone: add --yes to confirm")
        if not typer.confirm(f"Erase customer {customer_id} for good?", err=True):
            raise typer.Exit(1)
    r = forget(st.engine(), customer_id, st.location().path, dry_run=dry_run)
    try:
        _print_forget(st, r, fmt)
    finally:
        if not r.get("scrubbed", True):
            raise scrub_failed_error(
                st.location().path, f"customer {customer_id} is erased from the base"
            )


def _print_forget(st, r: dict, fmt: SummaryFormat) -> None:
    customer_id = r["id"]
    dry_run = r.get("dry_run", False)
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    n = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in r["erased"].items() if v)
    if dry_run:
        stdout_console().print(
            f"customer {customer_id} would be erased ({n or 'nothing else held'}); "
            "dry run: nothing erased",
            markup=False,
        )
        return
    stdout_console().print(
        f"customer {customer_id} erased ({n or 'nothing else held'})", markup=False
    )
    for c in r["copies_still_holding_data"]:
        what = {"export": "the export", "rejects": "the rejected-rows file"}.get(
            c["kind"], "the backup"
        )
        todo = f"refresh it: {c['refresh']}; or delete it: {c['delete']}" if c["refresh"] else (
            f"delete it: {c['delete']}")  # fmt: skip
        st.messages.info(
            f"warning: {what} {c['path']} ({c['written_at']}) may still hold the person; {todo}"
        )
