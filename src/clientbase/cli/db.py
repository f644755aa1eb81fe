"""`clientbase db info|upgrade|backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, SummaryFormatOpt, state
from clientbase.cli.output import (
    Format,
    SummaryFormat,
    decimal,
    emit,
    emit_json,
    stdout_console,
)
from clientbase.i18n import N_, _

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(help="The database: where it is, its schema, backups.", no_args_is_help=True)


@app.command("info")
def info_cmd(
    ctx: typer.Context,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Print the database's path, schema revision and row counts."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services import database

    st = state(ctx)
    data = database.info(st.engine(migrate=False), st.location())
    if fmt == SummaryFormat.json:
        emit_json(data.to_dict())
        return
    con = stdout_console()
    origin = _(_ORIGINS.get(data.origin, data.origin))
    con.print(
        _("database: {where}  ({origin})").format(where=data.path or data.url, origin=origin),
        markup=False,
    )
    if not data.exists:
        con.print(_("not created yet: the first command that needs it creates it"), markup=False)
        return
    if data.up_to_date:
        status = _("up to date")
    else:
        status = _("behind {head}: run `clientbase db upgrade`").format(head=data.head)
    labels = [_("schema:"), _("size:")] + [_(name) + ":" for name in data.counts]
    pad = max(16, *(len(x) + 1 for x in labels))  # one column for the values (16 in English)
    con.print(f"{_('schema:'):<10}{data.revision} ({status})", markup=False)
    if data.size_bytes is not None:
        size = _("{n} MB").format(n=decimal(data.size_bytes / 1e6))
        con.print(f"{_('size:'):<10}{size}", markup=False)
    for name, n in data.counts.items():
        con.print(f"{_(name) + ':':<{pad}}{n}", markup=False)


@app.command("upgrade")
def upgrade_cmd(ctx: typer.Context) -> None:
    """Create the database or bring its schema up to date (backing up an existing file first)."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services import database

    st = state(ctx)
    result = database.upgrade(st.engine(migrate=False), st.location())
    msg = st.messages
    if result.from_ == result.to:
        msg.info(_("already up to date (schema {revision})").format(revision=result.to))
    else:
        msg.info(
            _("schema {old} -> {new}").format(
                old=result.from_ or _("(new database)"), new=result.to
            )
        )
    if result.backup:
        msg.info(_("backup of the previous file: {path}").format(path=result.backup))


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="File (or folder) to write the copy to.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a consistent copy of the database, even while other commands are running."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services import database

    st = state(ctx)
    result = database.backup(st.engine(), dest, force=force)
    st.messages.info(
        _("backup written: {path} ({size} MB)").format(
            path=result.backup, size=decimal(result.size_bytes / 1e6)
        )
    )


@app.command("copies")
def copies_cmd(
    ctx: typer.Context,
    fmt: FormatOpt = Format.table,
) -> None:
    """Files the tool wrote that hold personal data and are still there: backups, exports,
    rejected rows (`contacts forget` names those that may still hold the person)."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.copies import list_copies

    rows = list_copies(state(ctx).engine())
    emit(rows, ("written_at", "kind", "path", "size_bytes", "export_id"), fmt, title=_("copies"))


@app.command("scrub")
def scrub_cmd(ctx: typer.Context) -> None:
    """Clear erased and deleted data from the database files (the log and free pages too)."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services import database

    st = state(ctx)
    database.scrub(st.engine(), st.location())
    st.messages.info(_("scrubbed: erased data is no longer in the database files"))


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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services import database

    st = state(ctx)
    msg = st.messages

    def progress(table: str, rows: int) -> None:
        if msg.verbose:
            msg.info(_("{table}: {rows} rows copied").format(table=table, rows=rows))

    result = database.copy(st.engine(), st.location(), to, progress=progress)
    if fmt == SummaryFormat.json:
        emit_json(result.to_dict())
        return
    con = stdout_console()
    for t in result.tables:
        con.print(
            f"{t['table'] + ':':<22}{t['rows']:>10}  sha256 {t['checksum'][:16]}", markup=False
        )
    msg.info(
        _("copied to {where}: every table has the same rows and checksum as here").format(
            where=result.to
        )
    )


# Where the database in use was named (services.database.info's "origin"); the flag and the
# environment variable are shown as they are.
_ORIGINS = {"config": N_("config"), "default": N_("default")}
# The tables `db info` counts, by their names in the schema.
# TRANSLATORS: names of database tables, shown with their row counts.
_TABLES = (
    N_("customers"), N_("contact_points"), N_("imports"), N_("import_rows"), N_("orders"),
    N_("interactions"), N_("tags"), N_("segments"), N_("merges"), N_("exports"),
)  # fmt: skip
