"""`clientbase config show|set`: the user's defaults, and where each value in force comes from."""

from __future__ import annotations

from typing import Annotated

import typer

from clientbase.cli.common import state
from clientbase.cli.output import Format, emit_csv, emit_json, emit_table, stdout_console

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
    from clientbase.services.config import show

    data = show({"db": state(ctx).db})
    if fmt == Format.json:
        emit_json(data)
        return
    if fmt == Format.csv:
        emit_csv(data["keys"], ("key", "value", "from"))
        return
    state(ctx).messages.info(
        f"config file: {data['file']}" + ("" if data["exists"] else " (not there yet)")
    )
    from clientbase.services.config import origin_label

    rows = [{**row, "from": origin_label(row["from"])} for row in data["keys"]]
    emit_table(rows, ("key", "value", "from", "meaning"))
    for name in data["unknown"]:
        state(ctx).messages.info(f"warning: {name} in the config file is not a setting; ignored")


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
    from clientbase.config import config_path
    from clientbase.services.config import key as config_key
    from clientbase.services.config import set_value

    if dry_run:
        checked = config_key(key).check(value)
        stdout_console().print(
            f"{key} = {checked} is valid (dry run: nothing written)", markup=False
        )
        return
    checked = set_value(key, value)
    stdout_console().print(f"{key} = {checked} (in {config_path()})", markup=False)
