"""`clientbase export audience|presets` and `clientbase exports list`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clientbase.cli.common import SummaryFormatOpt, format_option, state
from clientbase.cli.completion import complete_platform, complete_segment
from clientbase.cli.output import (
    Format,
    SummaryFormat,
    customers,
    emit_csv,
    emit_json,
    emit_table,
    n,
    stdout_console,
)
from clientbase.errors import UsageError
from clientbase.i18n import _, ngettext
from clientbase.services.config import value as config_value

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(
    help="Export an audience for an ad platform or a mailing list (consent respected, logged).",
    no_args_is_help=True,
)
exports_app = typer.Typer(help="The log of exports: what personal data left the base.",
                          no_args_is_help=True)  # fmt: skip


class Hash(str, Enum):
    sha256 = "sha256"
    md5 = "md5"
    none = "none"


@app.command("audience")
def audience_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="The file to write.")],
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            "-p",
            metavar="PLATFORM",
            help="yandex, vk, google, meta, tiktok, csv or xlsx (see: export presets; "
            "default: the config's export_platform).",
            autocompletion=complete_platform,
        ),
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option(
            "--segment", metavar="NAME", help="A saved segment.", autocompletion=complete_segment
        ),
    ] = None,
    where: Annotated[
        str | None, typer.Option("--where", "-w", metavar="EXPR", help="A filter expression.")
    ] = None,
    hash_: Annotated[
        Hash | None,
        typer.Option("--hash", help="sha256, md5 or none (default: the platform's)."),
    ] = None,
    include_unknown_consent: Annotated[
        bool,
        typer.Option(
            "--include-unknown-consent",
            help="Also export phones and emails whose consent was never recorded.",
        ),
    ] = False,
    min_size: Annotated[
        int | None,
        typer.Option(
            "--min-size", metavar="N", help="Warn below N rows (default: the platform's)."
        ),
    ] = None,
    split_size: Annotated[
        int | None,
        typer.Option(
            "--split-size", metavar="N", help="At most N rows a file: FILE-part1, -part2..."
        ),
    ] = None,
    diff_since: Annotated[
        str | None,
        typer.Option(
            "--diff-since",
            metavar="ID|last",
            help="Write FILE-added and FILE-removed since an earlier export of the same selection.",
        ),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Override a preset setting, e.g. delimiter=';' (repeatable; keys: export presets PLATFORM).",
        ),
    ] = None,
    preset_file: Annotated[
        Path | None,
        typer.Option("--preset-file", metavar="FILE", help="TOML with preset settings."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Count only: no file, no log entry.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace existing files of the same name (and remove stale -partN files).",
        ),
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Write a customer list in the format an ad platform (or a mailing service) takes.

    Who withdrew consent or unsubscribed is never exported.

    Unknown consent goes out only with --include-unknown-consent.

    Phones and emails are written and hashed the way the platform matches them.

    Every export is logged: clientbase exports list."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.export import export_audience

    st = state(ctx)
    platform = config_value("export_platform", platform, None)
    if platform is None:
        raise UsageError(
            _("which platform? give --platform"),
            hint=_("or once for all: clientbase config set export_platform yandex"),
        )
    res = export_audience(
        st.engine(), platform, out, where=where, segment=segment,
        hash=hash_.value if hash_ else None, include_unknown_consent=include_unknown_consent,
        min_size=min_size, split_size=split_size, diff_since=diff_since, dry_run=dry_run,
        overrides=settings, preset_file=preset_file, force=force,
    )  # fmt: skip
    if fmt == SummaryFormat.json:
        emit_json(res.to_dict())
    elif not st.quiet:
        _print_summary(res, verbose=st.verbose)
    for w in res.warnings:
        st.messages.info(_("warning: {message}").format(message=w))


def _print_summary(res, *, verbose: bool) -> None:
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.export import REASON_TEXT

    con = stdout_console()

    def line(text: str, **kw) -> None:
        con.print(text, markup=False, **kw)

    head = f"{res.platform}: {_(res.title)}"
    if res.dry_run:
        head = _("{title} (dry run: nothing written)").format(title=head)
    line(head, style="bold")
    if res.segment:
        sel = _("segment {name}").format(name=res.segment)
    elif res.where:
        sel = _("where {expression}").format(expression=res.where)
    else:
        sel = _("all")
    if res.diff:
        text = _("selected ({selection}): {customers}; {exported} in the audience now; hash {hash}")
    else:
        text = ngettext(
            "selected ({selection}): {customers}; exported {exported} in {rows} row; hash {hash}",
            "selected ({selection}): {customers}; exported {exported} in {rows} rows; hash {hash}",
            res.rows,
        )
    line("  " + text.format(
        selection=sel, customers=customers(res.selected), exported=res.exported,
        rows=n(res.rows), hash=res.hash,
    ))  # fmt: skip
    left = sum(res.left_out.values())
    if left:
        line("  " + _("left out {n}:").format(n=left))
        for reason, many in res.left_out.items():
            line(f"    {many:>6}  {_(REASON_TEXT[reason])}")
    if res.dropped and verbose:
        line("  " + _("phones and emails not used: {what}").format(
            what=", ".join(
                _("{n} {what}").format(n=k, what=_(r.replace("_", " ")))
                for r, k in res.dropped.items()
            )
        ))  # fmt: skip
    if res.exported:
        line("  " + _(
            "match-rate factors: {mobile} with a mobile phone, {email} with an email"
        ).format(mobile=f"{res.share_mobile:.0%}", email=f"{res.share_email:.0%}"))  # fmt: skip
    if res.diff:
        d = res.diff
        if d["since"]:
            text = _(
                "since export {since}: {added} customers added ({added_rows} rows), {removed} "
                "removed ({removed_rows} rows; {removed_no_longer_in_base} no longer in the base)"
            )
        else:
            text = _(
                "since nothing (first export): {added} customers added ({added_rows} rows), "
                "{removed} removed ({removed_rows} rows; {removed_no_longer_in_base} no longer "
                "in the base)"
            )
        line("  " + text.format(**d))
    for f in res.files:
        if res.dry_run:
            text = _("would write {path}: {rows} rows, {bytes} bytes, sha256 {sha256}")
        else:
            text = _("wrote {path}: {rows} rows, {bytes} bytes, sha256 {sha256}")
        line("  " + text.format(
            path=f["path"], rows=f["rows"], bytes=n(f["bytes"]), sha256=f["sha256"]
        ))  # fmt: skip
    for note in res.notes:
        line("  " + _("note: {note}").format(note=note))
    if res.export_id:
        line("  " + _("logged as export {id} (clientbase exports list)").format(id=res.export_id))


def _readable(key: str, value) -> str:
    """A preset value as a person reads it: yes/no, a comma list, "-" for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in ("title", "min_size_note", "match_note"):
        return _(value)  # the built-in presets' sentences are in the catalog (PRESET_TEXTS)
    if key == "delimiter":
        names = {"\t": _("tab"), ",": _(", (comma)"), ";": _("; (semicolon)")}
        return names.get(value, repr(value))
    if key == "columns":
        return ", ".join(
            c["header"]
            + (_(" (hashed)") if c.get("hashed") else "")
            + (", " + _("plain: {header}").format(header=c["header_plain"])
               if c.get("header_plain") else "")
            for c in value
        )  # fmt: skip
    if isinstance(value, list | tuple):
        return ", ".join(_(str(v).replace("_", " ")) for v in value) or "-"
    if isinstance(value, int) and key.startswith("max_") and value == 0:
        return _("no limit")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@app.command("presets")
def presets_cmd(
    platform: Annotated[
        str | None,
        typer.Argument(
            metavar="PLATFORM", help="Show one preset in full.", autocompletion=complete_platform
        ),
    ] = None,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """The platform presets: format, hashing, sizes, and the source and date of the facts."""
    # exporters.presets (its tables, importlib.resources) costs ~0.02 s at the start of every
    # command: only this one needs it
    from clientbase.exporters.presets import load_preset, platforms

    names = [platform] if platform else list(platforms())
    data = [load_preset(p).as_dict() for p in names]
    if fmt == SummaryFormat.json:
        emit_json(data if platform is None else data[0])
        return
    if platform:
        con = stdout_console()
        width = max(len(k) for k in data[0]) + 2
        for k, v in data[0].items():
            # The keys are the ones --set takes; the values are written for people.
            con.print(f"{k + ':':<{width}}{_readable(k, v)}", markup=False)
        return
    rows = [
        {"platform": d["platform"], "file": d["file_type"],
         "header": (" | " if d["one_identifier_per_file"] else d["delimiter"]).join(
             dict.fromkeys(c["header"] for c in d["columns"])),
         "phone": d["phone_format"], "hash": d["hash"], "min": d["min_size"],
         "checked": d["checked"]}
        for d in data
    ]  # fmt: skip
    emit_table(
        rows, ("platform", "file", "header", "phone", "hash", "min", "checked"), title=_("presets")
    )


LIST_COLUMNS = ("id", "created_at", "platform", "selection", "hash", "exported", "rows",
                "left_out", "files", "sha256")  # fmt: skip


@exports_app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[Format, format_option("table, json or csv")] = Format.table,
) -> None:
    """Every export so far, newest first: when, where to, which customers, how many, file hashes."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.export import list_exports

    rows = [e.to_dict() for e in list_exports(state(ctx).engine())]
    if fmt == Format.json:
        emit_json(rows)
    elif fmt == Format.csv:
        emit_csv(rows, LIST_COLUMNS)
    else:
        # The full hash is in --format json/csv; the first 12 characters tell files apart.
        short = [{**r, "sha256": (r["sha256"] or "")[:12]} for r in rows]
        title = ngettext("{n} export", "{n} exports", len(rows)).format(n=len(rows))
        emit_table(short, LIST_COLUMNS, title=title)
