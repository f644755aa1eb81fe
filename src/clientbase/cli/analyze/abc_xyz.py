"""`clientbase analyze abc-xyz`: the ABC/XYZ classes of the customers over a window."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from clientbase.cli.common import FormatOpt, parse_day, state
from clientbase.cli.output import (
    Format,
    customers,
    emit_csv,
    emit_json,
    emit_table,
    n,
    stdout_console,
    use_currency_of,
)
from clientbase.errors import UsageError
from clientbase.i18n import N_, _, ngettext
from clientbase.services.config import value as config_value

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.


class Period(str, Enum):
    week = "week"
    month = "month"
    quarter = "quarter"


class Metric(str, Enum):
    revenue = "revenue"
    margin = "margin"
    orders = "orders"


class Zero(str, Enum):
    count = "count"
    ignore = "ignore"


class By(str, Enum):
    manager = "manager"
    channel = "channel"
    city = "city"


def _pair(text: str, option: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in text.split(","))
    except ValueError:
        raise UsageError(
            _("{option} {value}: two numbers, e.g. {option} 80,95").format(
                option=option, value=repr(text)
            )
        ) from None
    return a, b


CUSTOMER_COLUMNS = ("id", "name", "abc", "xyz", "revenue", "orders", "cv")
TABLE_CUSTOMERS = 50  # customers a table lists without --limit


def abc_xyz_cmd(
    ctx: typer.Context,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day of the window.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day of the window.")] = None,
    period: Annotated[Period, typer.Option("--period", help="Periods for XYZ.")] = Period.month,
    metric: Annotated[
        Metric,
        typer.Option(
            "--metric",
            help="What ABC ranks by: revenue, margin (amount - cost) or the number of orders.",
        ),
    ] = Metric.revenue,
    abc: Annotated[
        str | None,
        typer.Option(
            "--abc",
            metavar="A,B",
            help="Cumulative % cut-offs for A and B (default: 80,95, or the config's abc).",
        ),
    ] = None,
    xyz: Annotated[
        str | None,
        typer.Option(
            "--xyz",
            metavar="X,Y",
            help="Variation % cut-offs for X and Y (default: 10,25, or the config's xyz; monthly data: try 50,100).",
        ),
    ] = None,
    zero_periods: Annotated[
        Zero,
        typer.Option("--zero-periods", help="Periods without purchases: count as 0, or ignore."),
    ] = Zero.count,
    min_periods: Annotated[
        int, typer.Option("--min-periods", min=1, help="Active periods needed for an XYZ class.")
    ] = 3,
    by: Annotated[
        By | None, typer.Option("--by", help="Portfolio per manager, channel or city.")
    ] = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--compare",
            metavar="WINDOW WINDOW",
            help="Migration between two windows: 2025-Q1 2025-Q2, 2025-03, 2025, FROM..TO.",
        ),
    ] = None,
    names: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--names",
            metavar="FROM TO",
            help="With --compare: who moved, e.g. --names A B (classes, new, gone).",
        ),
    ] = None,
    snapshot: Annotated[
        bool, typer.Option("--snapshot", help="Store this classification (history for --compare).")
    ] = False,
    label: Annotated[
        str | None,
        typer.Option("--label", help="Name of the stored classification (default: its window)."),
    ] = None,
    snapshots: Annotated[
        bool, typer.Option("--snapshots", help="List the stored classifications.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the figures count to (default: today); later orders are left out.",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-l",
            min=1,
            help="At most N customers, the first by value (a table shows 50 "
            "unless told; csv and json list all).",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """ABC (by value) x XYZ (by stability) of the customers, with the migration between windows.

    The window runs from --from (default: the first order) to --to (default: the last order
    up to --as-of). --compare takes stored classifications by label, or computes a window
    live."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.analytics import abc_xyz, abc_xyz_migration, list_snapshots

    abc = str(config_value("abc", abc, "80,95"))
    xyz = str(config_value("xyz", xyz, "10,25"))
    settings = dict(period=period.value, metric=metric.value, abc=_pair(abc, "--abc"),
                    xyz=_pair(xyz, "--xyz"), zero_periods=zero_periods.value, min_periods=min_periods)  # fmt: skip
    engine = state(ctx).engine()
    use_currency_of(engine)
    if snapshots:
        rows = [s.to_dict() for s in list_snapshots(engine)]
        if fmt == Format.json:
            emit_json(rows)
        elif fmt == Format.csv:
            emit_csv(rows, ("label", "start", "end", "customers", "saved"))
        else:
            emit_table(
                rows,
                ("label", "start", "end", "customers", "saved"),
                title=_("stored classifications"),
            )
        return
    group_by = by.value if by else None
    day = parse_day(as_of, "--as-of")
    if compare:
        moves = abc_xyz_migration(engine, compare, settings, by=group_by, names=names, as_of=day)
        data, overall = moves.data, moves.overall
        if fmt == Format.json:
            emit_json(data)
            return
        rows = [{"from": i, **{c: int(v) for c, v in r.items()}} for i, r in overall.iterrows()]
        if fmt == Format.csv:
            emit_csv(rows, ("from", *overall.columns))
            return
        con = stdout_console()
        con.print(
            _("ABC migration {before} -> {after}: {rules}").format(
                before=compare[0], after=compare[1], rules=data["rules"]
            ),
            markup=False,
        )
        emit_table(
            rows,
            ("from", *overall.columns),
            title=_("customers moved (rows: before, columns: after)"),
        )
        if names:
            emit_table(
                data["names"],
                ("id", "name"),
                title=_("moved {before} -> {after}").format(before=names[0], after=names[1]),
            )
        if by is not None:
            emit_table(
                data["by"],
                ("group", "from", "to", "customers"),
                title=_(PER_GROUP[by.value]),
            )
        return
    start, end = parse_day(date_from or None, "--from"), parse_day(date_to or None, "--to")
    report = abc_xyz(
        engine, start, end, settings, by=group_by, snapshot=snapshot, label=label, as_of=day
    )
    for note in report.notes:
        state(ctx).messages.info(_("note: {note}").format(note=note))
    data, result, port = report.data, report.result, report.portfolio
    if snapshot:
        state(ctx).messages.info(
            _("stored as {label}: compare with --compare").format(label=repr(data["snapshot"]))
        )
    listed = data["customers"]
    shown = listed[:limit] if limit is not None else listed
    if fmt == Format.json:
        emit_json({**data, "customers": shown} if limit is not None else data)
        return
    if fmt == Format.csv:
        emit_csv(shown, CUSTOMER_COLUMNS)
        return
    if limit is None:
        # Every customer of a large base in a drawn table is minutes of scrolling (and seconds
        # of drawing into a pipe): the table lists the first by value, and says how to get all.
        shown = listed[:TABLE_CUSTOMERS]
    con = stdout_console()
    w = result.params["window"]
    con.print(f"ABC/XYZ {w['start']} .. {w['end']}: {result.params['rules']}", markup=False)
    for note in result.params.get("notes", []):
        con.print(_("note: {note}").format(note=note), markup=False)
    cells = [
        {"cell": k, "customers": v["customers"], "share_customers": v["share_customers"],
         "revenue": v["revenue"], "share_revenue": v["share_revenue"]}
        for k, v in result.matrix.items()
    ]  # fmt: skip
    emit_table(
        cells,
        ("cell", "customers", "share_customers", "revenue", "share_revenue"),
        title=_("matrix"),
    )
    if port is not None:
        cols = [c for c in port.columns]
        emit_table(port.round(1).to_dict("records"), cols, title=_(PORTFOLIO[by.value]))
    emit_table(shown, CUSTOMER_COLUMNS, title=customers(len(listed)))
    if len(shown) < len(listed):
        more = len(listed) - len(shown)
        con.print(
            ngettext(
                "... and {n} more customer (all of them: --format csv or json; more here: "
                "--limit N)",
                "... and {n} more customers (all of them: --format csv or json; more here: "
                "--limit N)",
                more,
            ).format(n=n(more)),
            markup=False,
        )


# Table titles per --by choice: whole sentences, so each language can word them its own way.
PER_GROUP = {
    "manager": N_("moves per manager"),
    "channel": N_("moves per channel"),
    "city": N_("moves per city"),
}
PORTFOLIO = {
    "manager": N_("portfolio per manager"),
    "channel": N_("portfolio per channel"),
    "city": N_("portfolio per city"),
}
