"""`clientbase import FILE|DIR...` and `clientbase imports list|show|undo`."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, SummaryFormatOpt, state
from clientbase.cli.output import Format, SummaryFormat, emit, emit_json, stdout_console
from clientbase.errors import EXIT_REJECTED, UsageError
from clientbase.i18n import N_, _, ngettext
from clientbase.services.config import value as config_value

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.


class ImportKind(str, Enum):
    contacts = "contacts"
    calls = "calls"
    orders = "orders"


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)


def import_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="FILE|DIR...", help="Files, or folders of files, to import."),
    ],
    kind: Annotated[
        ImportKind | None,
        typer.Option("--as", help="What the files hold (default: recognised from the content)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Label for this list; also the acquisition source of customers without one.",
        ),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Map a column to a field (repeatable); FIELD 'ignore' skips it.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", metavar="FILE", help="Column mapping file (TOML or JSON)."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            metavar="CC",
            help="Country for phones written without a country code (default: RU or the "
            "config's region, or the country the file's own numbers with a code show).",
        ),
    ] = None,
    area_code: Annotated[
        str | None,
        typer.Option(
            "--area-code",
            metavar="CODE",
            help="Complete local numbers written without their area code (495 for Moscow; "
            "default: the config's area_code).",
        ),
    ] = None,
    own_numbers: Annotated[
        list[str] | None,
        typer.Option(
            "--own-number",
            metavar="PHONE",
            help="Call logs: a number of the company itself, never a customer (repeatable; "
            "see also `settings set own_numbers`).",
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Text encoding (default: detected).")
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", help="CSV delimiter (default: detected); 'tab' for tabs."),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Only this sheet of a workbook.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Show the mapping and the counts; change nothing."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Read a file again even if it was imported before.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", metavar="OUT.csv", help="Write rejected rows here, with the reason."
        ),
    ] = None,
    no_create_missing: Annotated[
        bool,
        typer.Option(
            "--no-create-missing", help="Orders: reject rows whose customer is not in the base."
        ),
    ] = False,
    no_dedupe: Annotated[
        bool,
        typer.Option(
            "--no-dedupe",
            help="Do not look for likely duplicates of the new customers afterwards.",
        ),
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Import contacts (CSV/TSV, Excel .xlsx/.xls/.ods, vCard), call logs and orders.

    Columns are recognised from their headers (Russian or English, Google, Outlook, amoCRM,
    Bitrix24 exports); phones, emails, names and birthdays are normalised; a person already in
    the base is updated, not duplicated. Call logs (Android and OPPO backups, Asterisk
    Master.csv, Sipuni, Mango Office, a CSV of calls) add calls to the customers they were with,
    and new numbers become leads. Exit code 3 when some rows were rejected.
    """
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.imports import ImportOptions, run_import

    st = state(ctx)
    # phonenumbers comes with the importers (see below): not at start-up
    import phonenumbers

    configured = config_value("region", region, None)
    region_given = configured is not None  # typed or configured: never overridden by the file
    region = str(configured or "RU").upper()
    area_code = config_value("area_code", area_code, None)
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(
            _("--region {value}: expected a country code such as RU, KZ, BY").format(
                value=repr(region)
            )
        )
    if area_code is not None:
        from clientbase.normalize.phones import with_area_code  # phonenumbers: as above

        try:
            region = with_area_code(region, area_code)
        except ValueError as exc:
            raise UsageError(f"--area-code: {exc}") from exc
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise UsageError(
                _("--delimiter {value}: one character, or 'tab'").format(value=repr(delimiter))
            )
    if rejects is not None:
        from clientbase.services.rejects import check_rejects_target

        # Before the import, so a file that cannot (or must not) be written stops it early.
        check_rejects_target(st.engine(), rejects)
    # phonenumbers and email-validator come with the importers (~0.1 s): at the top, every
    # command (`contacts list --limit 1` too) would pay for them at start-up
    from clientbase.importers.mapping import load_mapping_file, parse_map_options

    columns = load_mapping_file(mapping) if mapping else {}
    columns.update(parse_map_options(maps or []))
    opts = ImportOptions(
        kind=kind.value if kind else None, source=source, columns=columns, region=region,
        region_given=region_given, own_numbers=_own_numbers(own_numbers or []),
        encoding=encoding, delimiter=delimiter, sheet=sheet, dry_run=dry_run, force=force,
        create_missing=not no_create_missing, find_duplicates=not no_dedupe,
    )  # fmt: skip
    msg = st.messages
    with msg.progress(_("importing")) as progress:
        result = run_import(st.engine(), paths, opts, progress)
    if rejects is not None:
        from clientbase.services.rejects import write_rejects

        done = write_rejects(st.engine(), rejects, result)
        if not done["written"]:
            if done["removed_earlier"]:
                text = _("no rows rejected: {path} not written (the earlier one there was removed)")
            else:
                text = _("no rows rejected: {path} not written")
            msg.info(text.format(path=rejects))
    if fmt == SummaryFormat.json:
        emit_json(result.as_dict())
    elif not st.quiet:
        _print_summary(result, verbose=st.verbose or dry_run)
    if result.possible_duplicates and fmt != SummaryFormat.json:
        n = result.possible_duplicates
        msg.info(
            ngettext(
                "{n} possible duplicate of the new customers wait for review: "
                "clientbase dedupe review",
                "{n} possible duplicates of the new customers wait for review: "
                "clientbase dedupe review",
                n,
            ).format(n=n)
        )
    if result.rejected:
        if rejects is None and not st.quiet and fmt != SummaryFormat.json:
            msg.info(
                ngettext(
                    "{n} row was rejected: see them with --rejects OUT.csv "
                    "or `clientbase imports show ID --rejected`",
                    "{n} rows were rejected: see them with --rejects OUT.csv "
                    "or `clientbase imports show ID --rejected`",
                    result.rejected,
                ).format(n=result.rejected)
            )
        raise typer.Exit(EXIT_REJECTED)


def _own_numbers(values: list[str]) -> list[str]:
    from clientbase.importers.settings import parse_own_numbers  # SQLAlchemy: not for --help

    return [n for v in values for n in parse_own_numbers(v)]


def _print_summary(result, *, verbose: bool) -> None:
    con = stdout_console()
    for fr in result.files:
        name = Path(fr.file).name
        if fr.skipped:
            con.print(
                _("{file}: skipped, {reason}").format(file=name, reason=fr.skipped), markup=False
            )
            continue
        c = fr.counts
        if result.dry_run:
            head = _("{file} (dry run, nothing written)").format(file=name)
        else:
            head = _("{file} -> batch {id}").format(file=name, id=fr.batch_id)
        con.print(head, style="bold", markup=False)
        how = [fr.format]
        if fr.encoding:
            how.append(_("encoding {encoding}").format(encoding=fr.encoding))
        if fr.delimiter:
            how.append(_("delimiter {delimiter}").format(delimiter=repr(fr.delimiter)))
        if fr.sheets:
            how.append(_("sheets: {sheets}").format(sheets=", ".join(fr.sheets)))
        con.print("  " + ", ".join(how), markup=False)
        for note in fr.notes:
            con.print("  " + _("note: {note}").format(note=note), markup=False)
        if fr.kind == "orders":
            text = _(
                "rows read {rows_read}: orders created {created}, updated {updated}, "
                "unchanged {unchanged}, lines folded into their order {duplicates}, "
                "rejected {rejected}; new customers {customers_created}"
            )
            if c.returns:
                text = _(
                    "rows read {rows_read}: orders created {created}, updated {updated}, "
                    "unchanged {unchanged}, lines folded into their order {duplicates}, "
                    "rejected {rejected}; new customers {customers_created}; of the orders, "
                    "returns {returns} (subtracted from revenue)"
                )
        elif fr.kind == "calls":
            text = _(
                "calls read {rows_read}: {calls} added, {known_calls} already in the base, "
                "{skipped_rows} skipped, {rejected} rejected; {created} new customers or leads"
            )
        else:
            text = _(
                "rows read {rows_read}: created {created}, updated {updated}, "
                "unchanged {unchanged}, duplicates folded {duplicates}, rejected {rejected}"
            )
        con.print("  " + text.format(**asdict(c)), markup=False)
        if c.orders_moved:
            con.print(
                "  " + _("orders moved to another customer: {n}").format(n=c.orders_moved),
                markup=False,
            )
        if c.code_conflicts:
            con.print(
                "  "
                + _("client codes left with the customer who has them: {n}").format(
                    n=c.code_conflicts
                ),
                markup=False,
            )
        shown = len(fr.warnings) if verbose else _WARNINGS_SHOWN
        for w in fr.warnings[:shown]:
            con.print("  " + _("warning: {warning}").format(warning=w), markup=False)
        if len(fr.warnings) > shown:
            more = len(fr.warnings) - shown
            con.print(
                "  "
                + ngettext(
                    "... and {n} more warning (-v lists them all)",
                    "... and {n} more warnings (-v lists them all)",
                    more,
                ).format(n=more),
                markup=False,
            )
        if c.skipped_rows and fr.kind != "calls":
            con.print("  " + _("skipped {n}").format(n=c.skipped_rows), markup=False)
        flags = [_(what).format(n=n) for n, what in ((c.invalid_phones, N_("{n} invalid phones")),
                 (c.invalid_emails, N_("{n} invalid emails")),
                 (c.invalid_birthdays, N_("{n} invalid birthdays"))) if n]  # fmt: skip
        if flags:
            con.print(
                "  " + _("kept as typed and flagged: {flags}").format(flags=", ".join(flags)),
                markup=False,
            )
        if fr.not_mapped:
            con.print(
                "  "
                + _("not mapped (kept with the raw rows): {columns}").format(
                    columns=", ".join(fr.not_mapped)
                ),
                markup=False,
            )
        if verbose:
            for sheet, m in fr.mapping.items():
                if sheet:
                    con.print("  " + _("mapping of {sheet}:").format(sheet=sheet), markup=False)
                else:
                    con.print("  " + _("mapping:"), markup=False)
                for col, field in m.items():
                    con.print(f"    {col} -> {field}", markup=False)
        for r in fr.rejects[:10]:
            if r.sheet:
                text = _("rejected sheet {sheet}, row {row}: {reason}")
            else:
                text = _("rejected row {row}: {reason}")
            con.print("  " + text.format(sheet=r.sheet, row=r.row, reason=r.reason), markup=False)
        if len(fr.rejects) > 10:
            more = len(fr.rejects) - 10
            con.print(
                "  "
                + ngettext(
                    "... and {n} more rejected row", "... and {n} more rejected rows", more
                ).format(n=more),
                markup=False,
            )


imports_app = typer.Typer(help="Import batches: list, inspect, undo.", no_args_is_help=True)

_WARNINGS_SHOWN = 10  # per file; -v shows every one
BATCH_COLUMNS = (
    "id",
    "file_name",
    "kind",
    "status",
    "rows_read",
    "created",
    "updated",
    "unchanged",
    "duplicates",
    "rejected",
    "started_at",
)


@imports_app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: FormatOpt = Format.table,
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, help="Only the latest N.")
    ] = None,
) -> None:
    """List import batches, newest first."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.imports import list_imports

    rows = [b.to_dict() for b in list_imports(state(ctx).engine(), limit=limit)]
    emit(rows, BATCH_COLUMNS, fmt, title=_("imports"))


@imports_app.command("show")
def show_cmd(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(metavar="ID")],
    rejected: Annotated[bool, typer.Option("--rejected", help="Only the rejected rows.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show a batch: its options, counts, and every row with what became of it."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.imports import show_import

    batch = show_import(state(ctx).engine(), batch_id, outcome="rejected" if rejected else None)
    if fmt == Format.json:
        emit_json(batch.to_dict())
        return
    rows = [{**r.to_dict(), "data": json.dumps(r.raw, ensure_ascii=False)} for r in batch.rows]
    if fmt == Format.csv:
        emit(rows, ("sheet", "row", "outcome", "reason", "customer_id", "data"), fmt)
        return
    con = stdout_console()
    b = batch
    con.print(
        _("batch {id}: {file_name} ({format}, {kind}), {status}").format(
            id=b.id, file_name=b.file_name, format=b.format, kind=_(b.kind), status=_(b.status),
        ),
        markup=False,
    )  # fmt: skip
    con.print(
        _(
            "rows read {rows_read}: created {created}, updated {updated}, "
            "unchanged {unchanged}, duplicates {duplicates}, rejected {rejected}"
        ).format(**b.to_dict()),
        markup=False,
    )
    emit(rows, ("row", "outcome", "customer_id", "reason", "data"), fmt)


@imports_app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(metavar="ID")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be undone; change nothing.")
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Remove the customers a batch created and restore what it changed."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.imports import undo_import

    st = state(ctx)
    r = undo_import(st.engine(), batch_id, dry_run=dry_run)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    parts = [
        ngettext("{n} customer removed", "{n} customers removed", r.customers_removed).format(
            n=r.customers_removed
        )
    ]
    # What the batch brought besides customers: an orders file's orders, a call log's calls.
    if r.kind == "orders" or r.orders_removed:
        parts.append(
            ngettext("{n} order removed", "{n} orders removed", r.orders_removed).format(
                n=r.orders_removed
            )
        )
    if r.kind == "calls" or r.interactions_removed:
        parts.append(
            ngettext("{n} call removed", "{n} calls removed", r.interactions_removed).format(
                n=r.interactions_removed
            )
        )
    parts.append(
        ngettext(
            "{n} contact removed from other customers",
            "{n} contacts removed from other customers",
            r.contact_points_removed,
        ).format(n=r.contact_points_removed)
    )
    parts.append(
        ngettext("{n} change restored", "{n} changes restored", r.changes_restored).format(
            n=r.changes_restored
        )
    )
    if dry_run:
        text = _("would undo batch {batch} ({file}): {parts}")
    else:
        text = _("undone batch {batch} ({file}): {parts}")
    stdout_console().print(
        text.format(batch=r.batch, file=r.file, parts=", ".join(parts)), markup=False
    )
