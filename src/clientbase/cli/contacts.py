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
    state,
)
from clientbase.cli.output import (
    Format,
    SummaryFormat,
    emit_csv,
    emit_json,
    emit_json_stream,
    emit_table,
    stdout_console,
)
from clientbase.errors import UsageError
from clientbase.importers.mapping import parse_map_options

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
        int | None, typer.Option("--limit", "-n", min=1, help="At most N customers.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in the name, company, city, phone or email."),
    ] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
) -> None:
    """List customers (JSON keys are stable for scripts: id, name, phones, emails, lifecycle,
    provenance...)."""
    from clientbase.services.contacts import iter_contacts

    engine = state(ctx).engine()
    ids = None
    if where is not None or segment is not None:
        from clientbase.services.segments import matching_ids

        ids = matching_ids(engine, where=where, segment=segment)
    rows = iter_contacts(engine, search=search, limit=limit, ids=ids)
    if fmt == Format.json:
        emit_json_stream(rows)  # streamed: a million customers do not have to fit in memory
    elif fmt == Format.csv:
        emit_csv(rows, CSV_COLUMNS)
    else:
        rows = list(rows)
        emit_table(rows, LIST_COLUMNS, title=f"{len(rows)} customers")


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Show one customer: identity, every phone and email, where the data came from."""
    from clientbase.services.contacts import get_contact

    card = get_contact(state(ctx).engine(), customer_id)
    if fmt == SummaryFormat.json:
        emit_json(card)
        return
    con = stdout_console()
    con.print(f"{card['name']}  (#{card['id']}, {card['kind']})", style="bold", markup=False)
    if card.get("merged_into"):
        con.print(f"merged into customer #{card['merged_into']}", markup=False)
    if card.get("birthday_month_day") and not card.get("birthday"):
        card["birthday"] = f"{card['birthday_month_day']} (year unknown)"
    for label, key in (("Birthday", "birthday"), ("Gender", "gender"), ("Company", "company"),
                       ("Position", "position"), ("City", "city"), ("Address", "address"),
                       ("Source", "source"), ("Manager", "manager"), ("External id", "external_id")):  # fmt: skip
        if card.get(key):
            con.print(f"{label + ':':<13}{card[key]}", markup=False)
    for p in card["contact_points"]:
        shown = p["value"] or p["raw"]
        extra = [x for x in (p["label"], f"ext. {p['extension']}" if p["extension"] else None,
                             None if p["valid"] else "INVALID, kept as typed",
                             f"consent {p['consent']}" if p["consent"] != "unknown" else None,
                             *(f"{ch} {st}" for ch, st in p.get("channels", {}).items())) if x]  # fmt: skip
        con.print(
            f"{p['kind'] + ':':<13}{shown}" + (f"  ({', '.join(extra)})" if extra else ""),
            markup=False,
        )
    if card["tags"]:
        con.print(f"{'Tags:':<13}{', '.join(card['tags'])}", markup=False)
    if card.get("note"):
        con.print(f"{'Note:':<13}{card['note']}", markup=False)
    for inv in card["invalid"]:
        if inv["kind"] == "birthday":
            con.print(f"{'Birthday?':<13}{inv['value']} (not a date, kept as typed)", markup=False)
    o = card.get("orders")
    if o and o["count"]:
        con.print(
            f"{'Orders:':<13}{o['count']}, {o['revenue']:,.2f} in all, last {o['last'][:10]}",
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
            con.print(f"  {e['at']} [{how}] {e['text']}", markup=False)
    for r in card.get("reminders", []):
        con.print(f"Reminder {r['id']}: {r['due']} {r['text']}", markup=False)
    if card.get("status") in ("archived", "erased"):
        con.print(f"Status:      {card['status']}", markup=False)
    if card["provenance"]:
        con.print("From:", markup=False)
        for p in card["provenance"]:
            sheet = f", sheet {p['sheet']}" if p.get("sheet") else ""
            con.print(f"  import {p['import']}: {p['file']}{sheet}, row {p['row']}", markup=False)


def _card_input(name, phones, emails, birthday, company, city, manager, fields):
    from clientbase.services.card import CardInput

    return CardInput(
        name=name, phones=phones or [], emails=emails or [], birthday=birthday, company=company,
        city=city, manager=manager, fields=parse_map_options(fields or [], option="--field"),
    )  # fmt: skip


NameOpt = Annotated[str | None, typer.Option("--name", help="ФИО or a company name, any order.")]
PhoneOpt = Annotated[list[str] | None, typer.Option("--phone", help="A phone (repeatable).")]
EmailOpt = Annotated[list[str] | None, typer.Option("--email", help="An email (repeatable).")]
BirthdayOpt = Annotated[
    str | None, typer.Option("--birthday", help="01.02.1985, 1985-02-01, 12.07 ...")
]
CompanyOpt = Annotated[str | None, typer.Option("--company")]
CityOpt = Annotated[str | None, typer.Option("--city")]
ManagerOpt = Annotated[str | None, typer.Option("--manager")]
FieldOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--field", metavar="KEY=VALUE", help="Another field: position, address, source, note ..."
    ),
]
RegionOpt = Annotated[str, typer.Option("--region", help="Country for phones without a code.")]


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
    region: RegionOpt = "RU",
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Add a customer by hand (normalised and checked for duplicates like an import)."""
    from clientbase.services.card import add_contact

    card = _card_input(name, phone, email, birthday, company, city, manager, field)
    r = add_contact(state(ctx).engine(), card, region=region.upper())
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
    region: RegionOpt = "RU",
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Change a customer: name, birthday and fields are replaced, phones and emails added."""
    from clientbase.services.card import edit_contact

    st = state(ctx)
    card = _card_input(name, phone, email, birthday, company, city, manager, field)
    r = edit_contact(st.engine(), customer_id, card, remove=remove, region=region.upper())
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    what = [*r["changed"], *(f"added {v}" for v in r["added"])]
    if r["removed"]:
        what.append(f"removed {r['removed']} phone(s)/email(s)")
    stdout_console().print(
        f"customer {customer_id}: " + (", ".join(what) or "nothing changed"), markup=False
    )
    if r["shared_with"]:
        st.messages.info(
            f"note: customer {', '.join(map(str, r['shared_with']))} has the same phone or email"
        )


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
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Erase a person's personal data everywhere in the base (152-FZ, GDPR right to erasure)."""
    from clientbase.services.card import forget

    st = state(ctx)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("erasing cannot be undone: add --yes to confirm")
        if not typer.confirm(f"Erase customer {customer_id} for good?", err=True):
            raise typer.Exit(1)
    r = forget(st.engine(), customer_id, st.location().path)
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    n = ", ".join(f"{v} {k}" for k, v in r["erased"].items() if v)
    stdout_console().print(
        f"customer {customer_id} erased ({n or 'nothing else held'})", markup=False
    )
    for b in r["backups_still_holding_data"]:
        st.messages.info(f"warning: the backup {b} still holds the old data; delete it if you can")
