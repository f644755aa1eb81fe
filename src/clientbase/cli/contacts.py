"""`clientbase contacts list|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from clientbase.cli.main import state
from clientbase.cli.output import (
    Format,
    SummaryFormat,
    emit_csv,
    emit_json,
    emit_json_stream,
    emit_table,
    stdout_console,
)

app = typer.Typer(help="Customers: list, search, look one up.", no_args_is_help=True)

LIST_COLUMNS = ("id", "name", "phones", "emails", "birthday", "company", "city", "source")
CSV_COLUMNS = (
    "id", "name", "last_name", "first_name", "middle_name", "gender", "birthday",
    "birthday_month_day", "company", "position", "city", "address", "source", "manager",
    "external_id", "phones", "emails", "tags",
)  # fmt: skip


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, json or csv")
    ] = Format.table,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most N customers.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in the name, company, city, phone or email."),
    ] = None,
) -> None:
    """List customers (JSON keys are stable for scripts: id, name, phones, emails, provenance...)."""
    from clientbase.services.contacts import iter_contacts

    rows = iter_contacts(state(ctx).engine(), search=search, limit=limit)
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
    fmt: Annotated[SummaryFormat, typer.Option("--format", "-f")] = SummaryFormat.table,
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
                             f"consent {p['consent']}" if p["consent"] != "unknown" else None) if x]  # fmt: skip
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
    if card.get("calls"):
        con.print("Calls (latest first):", markup=False)
        for c in card["calls"]:
            arrow = "<-" if c["direction"] == "in" else "->"
            took = f", {c['duration_s']} s" if c["duration_s"] else ""
            con.print(f"  {c['at']} {arrow} {c['phone']}  {c['outcome']}{took}", markup=False)
    if card["provenance"]:
        con.print("From:", markup=False)
        for p in card["provenance"]:
            sheet = f", sheet {p['sheet']}" if p.get("sheet") else ""
            con.print(f"  import {p['import']}: {p['file']}{sheet}, row {p['row']}", markup=False)
