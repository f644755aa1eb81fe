"""`clientbase db info|upgrade|backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, SummaryFormatOpt, state
from clientbase.cli.output import Format, SummaryFormat, emit, emit_json, stdout_console

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(help="The database: where it is, its schema, backups.", no_args_is_help=True)


@app.command("info")
def info_cmd(
    ctx: typer.Context,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Print the database's path, schema revision and row counts."""
    from clientbase.services import database

    st = state(ctx)
    data = database.info(st.engine(migrate=False), st.location())
    if fmt == SummaryFormat.json:
        emit_json(data.to_dict())
        return
    con = stdout_console()
    con.print(f"database: {data.path or data.url}  ({data.origin})", markup=False)
    if not data.exists:
        con.print("not created yet: the first command that needs it creates it", markup=False)
        return
    status = "up to date" if data.up_to_date else f"behind {data.head}: run `clientbase db upgrade`"
    con.print(f"schema:   {data.revision} ({status})", markup=False)
    if data.size_bytes is not None:
        con.print(f"size:     {data.size_bytes / 1e6:.1f} MB", markup=False)
    for name, n in data.counts.items():
        con.print(f"{name + ':':<16}{n}", markup=False)


@app.command("upgrade")
def upgrade_cmd(ctx: typer.Context) -> None:
    """Create the database or bring its schema up to date (backing up an existing file first)."""
    from clientbase.services import database

    st = state(ctx)
    result = database.upgrade(st.engine(migrate=False), st.location())
    msg = st.messages
    if result.from_ == result.to:
        msg.info(f"already up to date (schema {result.to})")
    else:
        msg.info(f"schema {result.from_ or '(new database)'} -> {result.to}")
    if result.backup:
        msg.info(f"backup of the previous file: {result.backup}")


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="File (or folder) to write the copy to.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a consistent copy of the database, even while other commands are running."""
    from clientbase.services import database

    st = state(ctx)
    result = database.backup(st.engine(), dest, force=force)
    st.messages.info(f"backup written: {result.backup} ({result.size_bytes / 1e6:.1f} MB)")


@app.command("copies")
def copies_cmd(
    ctx: typer.Context,
    fmt: FormatOpt = Format.table,
) -> None:
    """Files the tool wrote that hold personal data and are still there: backups, exports,
    rejected rows (`contacts forget` names those that may still hold the person)."""
    from clientbase.services.copies import list_copies

    rows = list_copies(state(ctx).engine())
    emit(rows, ("written_at", "kind", "path", "size_bytes", "export_id"), fmt, title="copies")


@app.command("scrub")
def scrub_cmd(ctx: typer.Context) -> None:
    """Clear erased and deleted data from the database files (the log and free pages too)."""
    from clientbase.services import database

    st = state(ctx)
    database.scrub(st.engine(), st.location())
    st.messages.info("scrubbed: erased data is no longer in the database files")


@app.command("copy")
def copy_cmd(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Empty database to copy into: a SQLite file path or a URL "
            "(postgresql+psycopg://user@host/dbname).",
        ),
    ],
    fmt: Annotated[SummaryFormat, typer.Option("--format", "-f")] = SummaryFormat.table,
) -> None:
    """Copy the whole base into an empty database (SQLite <-> PostgreSQL), ids kept, every
    table checked by row count and checksum."""
    from clientbase.services import database

    st = state(ctx)
    msg = st.messages

    def progress(table: str, rows: int) -> None:
        if msg.verbose:
            msg.info(f"{table}: {rows} rows copied")

    result = database.copy(st.engine(), st.location(), to, progress=progress)
    if fmt == SummaryFormat.json:
        emit_json(result.to_dict())
        return
    con = stdout_console()
    for t in result.tables:
        con.print(
            f"{t['table'] + ':':<22}{t['rows']:>10}  sha256 {t['checksum'][:16]}", markup=False
        )
    msg.info(f"copied to {result.to}: every table has the same rows and checksum as here")
