"""`clientbase config show|set`: the user's defaults, and where each value in force comes from."""

from __future__ import annotations

from typing import Annotated

import typer

from clientbase.cli.common import state
from clientbase.cli.output import Format, emit_csv, emit_json, emit_table, stdout_console
from clientbase.config import config_path
from clientbase.i18n import _
from clientbase.services.config import key as config_key
from clientbase.services.config import origin_label, set_value, show

app = typer.Typer(
    help="Your defaults (database, region, language, thresholds, export platform) in a config file.",
    no_args_is_help=True,
)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Every setting with its value and where it comes from: flag, env, config or default.

    The file is CLIENTBASE_CONFIG, else config.toml in the user config dir. Lifecycle
    thresholds set in a base with `clientbase settings set` win over the file's."""

    # The global --lang is a flag like --db: it shows as the language in force, from "flag".
    lang = ctx.find_root().params.get("lang")
    data = show({"db": state(ctx).db, "lang": lang.value if lang is not None else None})
    if fmt == Format.json:
        emit_json(data)
        return
    if fmt == Format.csv:
        emit_csv(data["keys"], ("key", "value", "from"))
        return
    if data["exists"]:
        text = _("config file: {path}")
    else:
        text = _("config file: {path} (not there yet)")
    state(ctx).messages.info(text.format(path=data["file"]))

    rows = [{**row, "from": origin_label(row["from"])} for row in data["keys"]]
    emit_table(rows, ("key", "value", "from", "meaning"))
    for name in data["unknown"]:
        state(ctx).messages.info(
            _("warning: {name} in the config file is not a setting; ignored").format(name=name)
        )


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="e.g. region, lang, lifecycle.lost_days")
    ],
    value: Annotated[str, typer.Argument(metavar="VALUE")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Check the value; write nothing.")
    ] = False,
) -> None:
    """Check a value and store it in the config file (the other values are kept)."""

    if dry_run:
        checked = config_key(key).check(value)
        stdout_console().print(
            _("{key} = {value} is valid (dry run: nothing written)").format(key=key, value=checked),
            markup=False,
        )
        return
    checked = set_value(key, value)
    stdout_console().print(
        _("{key} = {value} (in {path})").format(key=key, value=checked, path=config_path()),
        markup=False,
    )
