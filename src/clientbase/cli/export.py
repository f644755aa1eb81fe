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
    count,
    emit_csv,
    emit_json,
    emit_table,
    stdout_console,
)

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
    from clientbase.errors import UsageError
    from clientbase.services.config import value as config_value
    from clientbase.services.export import export_audience

    st = state(ctx)
    platform = config_value("export_platform", platform, None)
    if platform is None:
        raise UsageError(
            "which platform? give --platform",
            hint="or once for all: clientbase config set export_platform yandex",
        )
    res = export_audience(
        st.engine(), platform, out, where=where, segment=segment,
        hash=hash_.value if hash_ else None, include_unknown_consent=include_unknown_consent,
        min_size=min_size, split_size=split_size, diff_since=diff_since, dry_run=dry_run,
        overrides=settings, preset_file=preset_file, force=force,
    )  # fmt: skip
    if fmt == SummaryFormat.json:
        emit_json(res.as_dict())
    elif not st.quiet:
        _print_summary(res, verbose=st.verbose)
    for w in res.warnings:
        st.messages.info(f"warning: {w}")


def _print_summary(res, *, verbose: bool) -> None:
    from clientbase.services.export import REASON_TEXT

    con = stdout_console()

    def line(text: str, **kw) -> None:
        con.print(text, markup=False, **kw)

    head = f"{res.platform}: {res.title}"
    line(head + (" (dry run: nothing written)" if res.dry_run else ""), style="bold")
    sel = f"segment {res.segment}" if res.segment else f"where {res.where}" if res.where else "all"
    if res.diff:
        line(f"  selected ({sel}): {count(res.selected, 'customer')}; {res.exported} in the audience now; "
             f"hash {res.hash}")  # fmt: skip
    else:
        line(f"  selected ({sel}): {count(res.selected, 'customer')}; exported {res.exported} "
             f"in {count(res.rows, 'row')}; hash {res.hash}")  # fmt: skip
    left = sum(res.left_out.values())
    if left:
        line(f"  left out {left}:")
        for reason, n in res.left_out.items():
            line(f"    {n:>6}  {REASON_TEXT[reason]}")
    if res.dropped and verbose:
        line("  phones and emails not used: "
             + ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in res.dropped.items()))  # fmt: skip
    if res.exported:
        line(f"  match-rate factors: {res.share_mobile:.0%} with a mobile phone, "
             f"{res.share_email:.0%} with an email")  # fmt: skip
    if res.diff:
        d = res.diff
        since = f"export {d['since']}" if d["since"] else "nothing (first export)"
        line(f"  since {since}: {d['added']} customers added ({d['added_rows']} rows), "
             f"{d['removed']} removed ({d['removed_rows']} rows; "
             f"{d['removed_no_longer_in_base']} no longer in the base)")  # fmt: skip
    for f in res.files:
        line(f"  {'would write' if res.dry_run else 'wrote'} {f['path']}: {f['rows']} rows, "
             f"{f['bytes']:,} bytes, sha256 {f['sha256']}")  # fmt: skip
    for n in res.notes:
        line(f"  note: {n}")
    if res.export_id:
        line(f"  logged as export {res.export_id} (clientbase exports list)")


def _readable(key: str, value) -> str:
    """A preset value as a person reads it: yes/no, a comma list, "-" for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "delimiter":
        return {"\t": "tab", ",": ", (comma)", ";": "; (semicolon)"}.get(value, repr(value))
    if key == "columns":
        return ", ".join(
            c["header"]
            + (" (hashed)" if c.get("hashed") else "")
            + (f", plain: {c['header_plain']}" if c.get("header_plain") else "")
            for c in value
        )
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value) or "-"
    if isinstance(value, int) and key.startswith("max_") and value == 0:
        return "no limit"
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
        rows, ("platform", "file", "header", "phone", "hash", "min", "checked"), title="presets"
    )


LIST_COLUMNS = ("id", "created_at", "platform", "selection", "hash", "exported", "rows",
                "left_out", "files", "sha256")  # fmt: skip


@exports_app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[Format, format_option("table, json or csv")] = Format.table,
) -> None:
    """Every export so far, newest first: when, where to, which customers, how many, file hashes."""
    from clientbase.services.export import list_exports

    rows = list_exports(state(ctx).engine())
    if fmt == Format.json:
        emit_json(rows)
    elif fmt == Format.csv:
        emit_csv(rows, LIST_COLUMNS)
    else:
        # The full hash is in --format json/csv; the first 12 characters tell files apart.
        short = [{**r, "sha256": (r["sha256"] or "")[:12]} for r in rows]
        emit_table(short, LIST_COLUMNS, title=f"{len(rows)} exports")
