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
    customers,
    emit_csv,
    emit_csv_blocks,
    emit_csv_rows,
    emit_json,
    emit_json_stream,
    emit_table,
    header_label,
    money,
    n,
    stdout_console,
    stdout_takes_utf8,
    table_lang,
    use_currency_of,
    value_label,
)
from clientbase.errors import UsageError
from clientbase.i18n import N_, _, ngettext
from clientbase.services.config import value

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
    if search is None and where is None and segment is None and sort is None:
        if _quick_listing(ctx, fmt, columns, limit, as_of):
            return
    elif fmt == Format.csv and search is None and segment is None and sort is None:
        if limit is None and _quick_text(ctx, where, columns, as_of):
            return
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.contacts import (
        check_fields,
        check_search,
        iter_contacts,
        sort_contacts,
    )

    check_search(search)  # before the output starts
    engine = state(ctx).engine()
    day = parse_day(as_of, "--as-of")
    chosen = None
    if columns is not None:
        chosen = check_fields([c.strip() for c in columns.split(",") if c.strip()], "--columns")
    if sort is not None:
        check_fields([sort.lstrip("-+")], "--sort")  # before any work: a typo fails at once
    whole = fmt == Format.csv and sort is None and search is None and limit is None
    if whole:
        from clientbase.services.contact_text import text_csv

        # A whole listing on SQLite: the filter's ids, the lists and the CSV lines are made by
        # the database (elsewhere: one query per part, merged as it is written, below).
        text = text_csv(engine, chosen or CSV_COLUMNS, where=where, segment=segment, as_of=day,
                        utf8=stdout_takes_utf8())  # fmt: skip
        if text is not None:
            emit_csv_blocks(text, chosen or CSV_COLUMNS)
            return
    ids = None
    if where is not None or segment is not None:
        from clientbase.services.segments import matching_ids

        ids = matching_ids(engine, where=where, segment=segment, as_of=day)

    area = value("area_code")
    if whole:
        from clientbase.services.contact_stream import stream_contact_rows

        cols = chosen or CSV_COLUMNS
        emit_csv_rows(stream_contact_rows(engine, cols, ids=ids, as_of=day), cols)
        return
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
        emit_table(rows, chosen or LIST_COLUMNS, title=customers(len(rows)))


def _quick_listing(ctx, fmt: Format, columns: str | None, limit: int | None, as_of) -> bool:
    """The listing through services.quick_list (a SQLite base read without SQLAlchemy, for a
    quick start) when it can give this one exactly; True when it was written."""
    # the quick path's own modules: loaded only when a listing may take it
    from clientbase.config import resolve_wait
    from clientbase.db.quick import open_quick
    from clientbase.services.contact_fields import check_fields
    from clientbase.services.quick_list import QUICK_FIELDS, quick_rows

    chosen = None
    if columns is not None:
        chosen = check_fields([c.strip() for c in columns.split(",") if c.strip()], "--columns")
    shown = chosen or {Format.csv: CSV_COLUMNS, Format.table: LIST_COLUMNS}.get(fmt)
    if shown is None or not set(shown) <= QUICK_FIELDS:
        return False  # JSON of every key: provenance, consent, calls … the usual way
    if fmt == Format.csv and limit is None:
        return _quick_text(ctx, None, columns, as_of)  # a whole listing: lines by the database
    day = parse_day(as_of, "--as-of")
    st = state(ctx)
    resolve_wait(st.wait)  # a bad --wait or CLIENTBASE_WAIT is an error here too
    conn = open_quick(st.location().path)
    if conn is None:
        return False  # a new base, one to upgrade, PostgreSQL: db.engine sees to it
    try:
        rows = quick_rows(conn, shown, limit=limit, as_of=day)
        if fmt == Format.csv:
            emit_csv_rows(rows, shown)
        elif fmt == Format.json:
            emit_json_stream(dict(zip(shown, r, strict=True)) for r in rows)
        else:
            listed = [dict(zip(shown, r, strict=True)) for r in rows]
            emit_table(listed, shown, title=customers(len(listed)))
    finally:
        conn.close()
    return True


def _quick_text(ctx, where: str | None, columns: str | None, as_of) -> bool:
    """A whole CSV listing, or one filtered on the customer's own columns, through
    services.quick_list.quick_text (a SQLite base read without SQLAlchemy) when it can give it;
    True when it was written."""
    # the quick path's own modules: loaded only when a listing may take it
    from clientbase.config import resolve_wait
    from clientbase.db.quick import open_quick
    from clientbase.segments.filter import parse
    from clientbase.services.contact_fields import check_fields
    from clientbase.services.quick_list import quick_text

    cols = CSV_COLUMNS
    if columns is not None:
        cols = check_fields([c.strip() for c in columns.split(",") if c.strip()], "--columns")
    day = parse_day(as_of, "--as-of")
    node = None if where is None else parse(where)  # a bad expression fails here, as elsewhere
    st = state(ctx)
    resolve_wait(st.wait)
    conn = open_quick(st.location().path)
    if conn is None:
        return False  # a new base, one to upgrade, PostgreSQL: db.engine sees to it
    try:
        text = quick_text(conn, cols, node, as_of=day, utf8=stdout_takes_utf8())
        if text is None:
            return False
        emit_csv_blocks(text, cols)
    finally:
        conn.close()
    return True


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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.contacts import get_contact

    engine = state(ctx).engine()
    card = get_contact(engine, customer_id, parse_day(as_of, "--as-of")).to_dict()
    use_currency_of(engine)
    if fmt == SummaryFormat.json:
        emit_json(card)
        return
    con = stdout_console()
    kind = _(_KINDS.get(card["kind"], card["kind"]))
    con.print(f"{card['name']}  (#{card['id']}, {kind})", style="bold", markup=False)
    if card.get("merged_into"):
        con.print(_("merged into customer #{id}").format(id=card["merged_into"]), markup=False)
    if card.get("birthday_month_day"):
        card["birthday"] = birthday_text(card.get("birthday"), card["birthday_month_day"])
    labels = [_(label) + ":" for label, _key in _CARD_FIELDS]
    labels += [_(label) for label in _CARD_LABELS]
    # One column for the values, as wide as the longest label in this language (13 in English).
    pad = max(13, *(len(x) + 1 for x in labels))

    def row(label: str, value) -> None:
        con.print(f"{label:<{pad}}{value}", markup=False)

    for label, key in _CARD_FIELDS:
        if card.get(key):
            value = (
                _(_GENDERS[card[key]]) if key == "gender" and card[key] in _GENDERS else card[key]
            )
            row(_(label) + ":", value)
    for p in card["contact_points"]:
        shown = p["value"] or p["raw"]
        ext = _("ext. {number}").format(number=p["extension"]) if p["extension"] else None
        invalid = None if p["valid"] else _("INVALID, kept as typed")
        consent = _consent_text(p["consent"], p.get("channels", {}))
        extra = [x for x in (_label(p["label"]), ext, invalid, consent) if x]
        kind = _(_POINT_KINDS.get(p["kind"], p["kind"]))
        row(kind + ":", f"{shown}" + (f"  ({', '.join(extra)})" if extra else ""))
    if card["tags"]:
        row(_("Tags:"), ", ".join(card["tags"]))
    if card.get("note"):
        # Every line of a multi-line note under the first, not back at the left edge.
        note = "\n".join(line.rstrip() for line in card["note"].strip().splitlines())
        row(_("Note:"), note.replace("\n", "\n" + " " * pad))
    for inv in card["invalid"]:
        if inv["kind"] == "birthday":
            row(
                _("Birthday?"),
                _("{value} (not a date, kept as typed)").format(value=inv["value"]),
            )
    o = card.get("orders")
    if o and o["count"]:
        row(
            _("Orders:"),
            _("{count}, {revenue} in all, last {day}").format(
                count=o["count"], revenue=money(o["revenue"]), day=o["last"][:10]
            ),
        )
    cls = card.get("classes") or {}
    if cls.get("abc"):
        row("ABC/XYZ:", f"{cls['abc']}{cls['xyz']} ({cls['window']})")
    if rfm := cls.get("rfm"):
        row(
            "RFM:",
            _("{scores} {segment} (as of {day})").format(
                scores=f"{rfm['r']}{rfm['f']}{rfm['m']}",
                segment=_(rfm["segment"]),
                day=rfm["as_of"],
            ),
        )
    if (life := card.get("lifecycle")) and life.get("stage"):
        warmth = f" ({value_label('warmth', life['warmth'])})" if life.get("warmth") else ""
        row(_("Stage:"), f"{value_label('lifecycle', life['stage'])}{warmth}")
    if card.get("calls"):
        con.print(_("Calls (latest first):"), markup=False)
        for c in card["calls"]:
            arrow = "<-" if c["direction"] == "in" else "->"
            took = ", " + _("{n} s").format(n=c["duration_s"]) if c["duration_s"] else ""
            con.print(f"  {c['at']} {arrow} {c['phone']}  {c['outcome']}{took}", markup=False)
    if card.get("log"):
        con.print(_("Log (latest first):"), markup=False)
        for e in card["log"]:
            how = e["kind"] + (f", {e['outcome']}" if e["outcome"] else "")
            text = (e["text"] or "").strip().replace("\n", "\n" + " " * 4)
            con.print(f"  {e['at']} [{how}] {text}", markup=False)
    for r in card.get("reminders", []):
        con.print(
            _("Reminder {id}: {due} {text}").format(id=r["id"], due=r["due"], text=r["text"]),
            markup=False,
        )
    if card.get("status") in ("archived", "erased"):
        row(_("Status:"), _(_STATUSES[card["status"]]))
    if card["provenance"]:
        con.print(_("From:"), markup=False)
        for p in card["provenance"]:
            if p.get("sheet"):
                text = _("import {id}: {file}, sheet {sheet}, row {row}")
            else:
                text = _("import {id}: {file}, row {row}")
            con.print(
                "  "
                + text.format(id=p["import"], file=p["file"], sheet=p.get("sheet"), row=p["row"]),
                markup=False,
            )


# The card's labels, in English in the code and in the language of the command on screen.
_CARD_FIELDS = (
    (N_("Birthday"), "birthday"), (N_("Gender"), "gender"), (N_("Company"), "company"),
    (N_("Position"), "position"), (N_("City"), "city"), (N_("Address"), "address"),
    (N_("Source"), "source"), (N_("Manager"), "manager"), (N_("External id"), "external_id"),
)  # fmt: skip
_CARD_LABELS = (
    N_("Tags:"), N_("Note:"), N_("Birthday?"), N_("Orders:"), N_("Stage:"), N_("Status:"),
)  # fmt: skip
# TRANSLATORS: a person's gender as the card shows it: m or f.
_GENDERS = {"m": N_("m"), "f": N_("f")}
_KINDS = {"person": N_("person"), "company": N_("company"), "lead": N_("lead")}
_POINT_KINDS = {"phone": N_("phone"), "email": N_("email")}
_STATUSES = {"archived": N_("archived"), "erased": N_("erased")}
# Labels of a phone or email, as the importers and vCard write them.
_POINT_LABELS = {
    "mobile": N_("mobile"), "home": N_("home"), "work": N_("work"), "fax": N_("fax"),
    "other": N_("other"), "main": N_("main"), "pager": N_("pager"),
}  # fmt: skip


def _label(label: str | None) -> str | None:
    key = (label or "").lower()
    return _(_POINT_LABELS[key]) if key in _POINT_LABELS else label


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
}  # fmt: skip
_YEAR_UNKNOWN = {"en": "year unknown", "ru": "год неизвестен"}


def birthday_text(iso: str | None, month_day: str, lang: str | None = None) -> str:
    """ "12 July 1985", or "12 July (year unknown)" when only the day was given ("12.07")."""
    lang = lang or table_lang()
    month, day = (int(x) for x in month_day.split("-"))
    text = f"{day} {_MONTHS[lang][month - 1]}"
    return f"{text} {iso[:4]}" if iso else f"{text} ({_YEAR_UNKNOWN[lang]})"


_CONSENT = {"granted": N_("granted"), "withdrawn": N_("withdrawn"), "unknown": N_("unknown")}


def _consent_text(general: str, channels: dict[str, str]) -> str | None:
    """ "consent granted", "consent granted (sms, calls), withdrawn (ads)": each status once."""
    by_status: dict[str, list[str]] = {}
    for channel, status in channels.items():
        by_status.setdefault(status, []).append(channel)
    if not by_status:
        if general == "unknown":
            return None
        return _("consent {statuses}").format(statuses=_(_CONSENT.get(general, general)))
    if general != "unknown":
        by_status.setdefault(general, [])
    parts = [
        f"{_(_CONSENT.get(status, status))} ({', '.join(chans)})"
        if chans
        else _(_CONSENT.get(status, status))
        for status, chans in by_status.items()
    ]
    return _("consent {statuses}").format(statuses=", ".join(parts))


def _card_input(name, phones, emails, birthday, company, city, manager, fields):
    # phonenumbers and email-validator come with these (~0.1 s): not for `contacts list`
    from clientbase.importers.mapping import parse_map_options
    from clientbase.normalize.phones import complete_local_number
    from clientbase.services.card import CardInput

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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.card import add_contact

    card = _card_input(name, phone, email, birthday, company, city, manager, field)
    r = add_contact(state(ctx).engine(), card, region=_region(region))
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
    elif r.created:
        stdout_console().print(_("added customer {id}").format(id=r.id), markup=False)
    else:
        stdout_console().print(
            _("already in the base as customer {id} ({outcome})").format(
                id=r.id, outcome=r.outcome
            ),
            markup=False,
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.card import edit_contact

    st = state(ctx)
    card = _card_input(name, phone, email, birthday, company, city, manager, field)
    r = edit_contact(
        st.engine(), customer_id, card, remove=remove, region=_region(region), dry_run=dry_run
    )
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    what = [
        *(header_label(field) for field in r.changed),
        *(_("added {value}").format(value=v) for v in r.added),
    ]
    if r.removed:
        what.append(
            ngettext(
                "removed {n} phone or email", "removed {n} phones and emails", r.removed
            ).format(n=n(r.removed))
        )
    if not what:
        text = _("customer {id}: nothing changed")
    elif dry_run:
        text = _("customer {id} (dry run, nothing changed), would be: {changes}")
    else:
        text = _("customer {id}: {changes}")
    stdout_console().print(text.format(id=customer_id, changes=", ".join(what)), markup=False)
    if r.shared_with:
        others = r.shared_with
        if len(others) == 1:
            note = _("note: customer {id} has the same phone or email").format(id=others[0])
        else:
            note = _("note: customers {ids} have the same phone or email").format(
                ids=and_list(others)
            )
        st.messages.info(note)


@app.command("archive")
def archive_cmd(
    ctx: typer.Context, customer_id: Annotated[int, typer.Argument(metavar="ID")]
) -> None:
    """Keep the history of someone who asked not to be contacted; consent becomes withdrawn."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.card import archive

    archive(state(ctx).engine(), customer_id)
    stdout_console().print(_("customer {id} archived").format(id=customer_id), markup=False)


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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.card import forget, scrub_failed_error

    st = state(ctx)
    if not yes and not dry_run:
        if not sys.stdin.isatty():
            raise UsageError(_("erasing cannot be undone: add --yes to confirm"))
        if not typer.confirm(_("Erase customer {id} for good?").format(id=customer_id), err=True):
            raise typer.Exit(1)
    r = forget(st.engine(), customer_id, st.location().path, dry_run=dry_run)
    try:
        _print_forget(st, r, fmt)
    finally:
        if r.scrubbed is False:
            raise scrub_failed_error(
                st.location().path,
                _("customer {id} is erased from the base").format(id=customer_id),
            )


def _print_forget(st, r, fmt: SummaryFormat) -> None:
    customer_id = r.id
    dry_run = bool(r.dry_run)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    held = ", ".join(
        _("{n} {what}").format(n=v, what=header_label(k)) for k, v in r.erased.items() if v
    )
    held = held or _("nothing else held")
    if dry_run:
        stdout_console().print(
            _("customer {id} would be erased ({held}); dry run: nothing erased").format(
                id=customer_id, held=held
            ),
            markup=False,
        )
        return
    stdout_console().print(
        _("customer {id} erased ({held})").format(id=customer_id, held=held), markup=False
    )
    for c in r.copies_still_holding_data:
        what = _(_COPY_KINDS.get(c["kind"], _COPY_KINDS["backup"]))
        if c["refresh"]:
            todo = _("refresh it: {refresh}; or delete it: {delete}").format(
                refresh=c["refresh"], delete=c["delete"]
            )
        else:
            todo = _("delete it: {delete}").format(delete=c["delete"])
        st.messages.info(
            _("warning: {what} {path} ({written_at}) may still hold the person; {todo}").format(
                what=what, path=c["path"], written_at=c["written_at"], todo=todo
            )
        )


_COPY_KINDS = {
    "export": N_("the export"),
    "rejects": N_("the rejected-rows file"),
    "backup": N_("the backup"),
    "report": N_("the report"),
}
