"""`clientbase import FILE|DIR...` and `clientbase imports list|show|undo`."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, SummaryFormatOpt, state
from clientbase.cli.output import Format, SummaryFormat, emit, emit_json, stdout_console
from clientbase.errors import EXIT_REJECTED, UsageError

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
    from clientbase.services.imports import ImportOptions, run_import

    st = state(ctx)
    import phonenumbers

    from clientbase.services.config import value as config_value

    configured = config_value("region", region, None)
    region_given = configured is not None  # typed or configured: never overridden by the file
    region = str(configured or "RU").upper()
    area_code = config_value("area_code", area_code, None)
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(f"--region {region!r}: expected a country code such as RU, KZ, BY")
    if area_code is not None:
        from clientbase.normalize.phones import with_area_code

        try:
            region = with_area_code(region, area_code)
        except ValueError as exc:
            raise UsageError(f"--area-code: {exc}") from exc
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise UsageError(f"--delimiter {delimiter!r}: one character, or 'tab'")
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
    with msg.progress("importing") as progress:
        result = run_import(st.engine(), paths, opts, progress)
    if rejects is not None:
        from clientbase.services.rejects import write_rejects

        done = write_rejects(st.engine(), rejects, result)
        if not done["written"]:
            msg.info(
                f"no rows rejected: {rejects} not written"
                + (" (the earlier one there was removed)" if done["removed_earlier"] else "")
            )
    if fmt == SummaryFormat.json:
        emit_json(result.as_dict())
    elif not st.quiet:
        _print_summary(result, verbose=st.verbose or dry_run)
    if result.possible_duplicates and fmt != SummaryFormat.json:
        n = result.possible_duplicates
        msg.info(
            f"{n} possible duplicate{'s' if n > 1 else ''} of the new customers "
            "wait for review: clientbase dedupe review"
        )
    if result.rejected:
        if rejects is None and not st.quiet and fmt != SummaryFormat.json:
            rows = "row was" if result.rejected == 1 else "rows were"
            msg.info(
                f"{result.rejected} {rows} rejected: see them with --rejects OUT.csv "
                "or `clientbase imports show ID --rejected`"
            )
        raise typer.Exit(EXIT_REJECTED)


def _own_numbers(values: list[str]) -> list[str]:
    from clientbase.importers.settings import parse_own_numbers

    return [n for v in values for n in parse_own_numbers(v)]


def _print_summary(result, *, verbose: bool) -> None:
    con = stdout_console()
    for fr in result.files:
        name = Path(fr.file).name
        if fr.skipped:
            con.print(f"{name}: skipped, {fr.skipped}", markup=False)
            continue
        c = fr.counts
        head = f"{name}" + (
            " (dry run, nothing written)" if result.dry_run else f" -> batch {fr.batch_id}"
        )
        con.print(head, style="bold", markup=False)
        how = [fr.format]
        if fr.encoding:
            how.append(f"encoding {fr.encoding}")
        if fr.delimiter:
            how.append(f"delimiter {fr.delimiter!r}")
        if fr.sheets:
            how.append(f"sheets: {', '.join(fr.sheets)}")
        con.print("  " + ", ".join(how), markup=False)
        for note in fr.notes:
            con.print(f"  note: {note}", markup=False)
        if fr.kind == "orders":
            con.print(
                f"  rows read {c.rows_read}: orders created {c.created}, updated {c.updated}, "
                f"unchanged {c.unchanged}, lines folded into their order {c.duplicates}, "
                f"rejected {c.rejected}; new customers {c.customers_created}"
                + (
                    f"; of the orders, returns {c.returns} (subtracted from revenue)"
                    if c.returns
                    else ""
                ),
                markup=False,
            )
        elif fr.kind == "calls":
            con.print(
                f"  calls read {c.rows_read}: {c.calls} added, {c.known_calls} already in the base, "
                f"{c.skipped_rows} skipped, {c.rejected} rejected; "
                f"{c.created} new customers or leads",
                markup=False,
            )
        else:
            con.print(
                f"  rows read {c.rows_read}: created {c.created}, updated {c.updated}, "
                f"unchanged {c.unchanged}, duplicates folded {c.duplicates}, rejected {c.rejected}",
                markup=False,
            )
        if c.skipped_rows and fr.kind != "calls":
            con.print(f"  skipped {c.skipped_rows}", markup=False)
        flags = [f"{n} {what}" for n, what in ((c.invalid_phones, "invalid phones"),
                 (c.invalid_emails, "invalid emails"), (c.invalid_birthdays, "invalid birthdays")) if n]  # fmt: skip
        if flags:
            con.print(f"  kept as typed and flagged: {', '.join(flags)}", markup=False)
        if fr.not_mapped:
            con.print(
                f"  not mapped (kept with the raw rows): {', '.join(fr.not_mapped)}", markup=False
            )
        if verbose:
            for sheet, m in fr.mapping.items():
                con.print(f"  mapping{' of ' + sheet if sheet else ''}:", markup=False)
                for col, field in m.items():
                    con.print(f"    {col} -> {field}", markup=False)
        for r in fr.rejects[:10]:
            where = f"sheet {r.sheet}, " if r.sheet else ""
            con.print(f"  rejected {where}row {r.row}: {r.reason}", markup=False)
        if len(fr.rejects) > 10:
            con.print(f"  ... and {len(fr.rejects) - 10} more rejected rows", markup=False)


imports_app = typer.Typer(help="Import batches: list, inspect, undo.", no_args_is_help=True)

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
    from clientbase.services.imports import list_imports

    rows = list_imports(state(ctx).engine(), limit=limit)
    emit(rows, BATCH_COLUMNS, fmt, title="imports")


@imports_app.command("show")
def show_cmd(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(metavar="ID")],
    rejected: Annotated[bool, typer.Option("--rejected", help="Only the rejected rows.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show a batch: its options, counts, and every row with what became of it."""
    from clientbase.services.imports import show_import

    data = show_import(state(ctx).engine(), batch_id, outcome="rejected" if rejected else None)
    if fmt == Format.json:
        emit_json(data)
        return
    rows = [{**r, "data": json.dumps(r["raw"], ensure_ascii=False)} for r in data["rows"]]
    if fmt == Format.csv:
        emit(rows, ("sheet", "row", "outcome", "reason", "customer_id", "data"), fmt)
        return
    con = stdout_console()
    con.print(
        f"batch {data['id']}: {data['file_name']} ({data['format']}, {data['kind']}), {data['status']}",
        markup=False,
    )
    con.print(
        f"rows read {data['rows_read']}: created {data['created']}, updated {data['updated']}, "
        f"unchanged {data['unchanged']}, duplicates {data['duplicates']}, rejected {data['rejected']}",
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
    from clientbase.services.imports import undo_import

    st = state(ctx)
    r = undo_import(st.engine(), batch_id, dry_run=dry_run)
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    prefix = "would undo" if dry_run else "undone"
    stdout_console().print(
        f"{prefix} batch {r['batch']} ({r['file']}): {r['customers_removed']} customers removed, "
        f"{r['contact_points_removed']} contacts removed from other customers, "
        f"{r['interactions_removed']} calls removed, {r['changes_restored']} changes restored",
        markup=False,
    )
