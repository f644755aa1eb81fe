"""`clientbase analyze abc-xyz`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from clientbase.cli.main import state
from clientbase.cli.output import Format, emit_csv, emit_json, emit_table, stdout_console
from clientbase.errors import UsageError

app = typer.Typer(help="Analyses of the purchase history.", no_args_is_help=True)


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
        raise UsageError(f"{option} {text!r}: two numbers, e.g. {option} 80,95") from None
    return a, b


CUSTOMER_COLUMNS = ("id", "name", "abc", "xyz", "revenue", "orders", "cv")


@app.command("abc-xyz")
def abc_xyz_cmd(
    ctx: typer.Context,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day of the window.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day of the window.")] = None,
    period: Annotated[Period, typer.Option("--period", help="Periods for XYZ.")] = Period.month,
    metric: Annotated[Metric, typer.Option("--metric")] = Metric.revenue,
    abc: Annotated[str, typer.Option("--abc", help="Cumulative % cut-offs for A and B.")] = "80,95",
    xyz: Annotated[
        str,
        typer.Option("--xyz", help="Variation % cut-offs for X and Y (monthly data: try 50,100)."),
    ] = "10,25",
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
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """ABC (by value) x XYZ (by stability) of the customers, with the migration between windows.

    --compare takes stored classifications by label, or computes a window live."""
    from clientbase.analytics.abcxyz import AbcXyzParams, classify, migration, portfolio
    from clientbase.normalize.dates import parse_date
    from clientbase.services.analytics import (
        customer_groups,
        load_customers,
        load_orders,
        parse_window,
    )

    def day(text):
        try:
            return parse_date(text) if text else None
        except ValueError as exc:
            raise UsageError(f"date {text!r}: {exc}") from exc

    common = dict(period=period.value, metric=metric.value, abc=_pair(abc, "--abc"),
                  xyz=_pair(xyz, "--xyz"), zero_periods=zero_periods.value, min_periods=min_periods)  # fmt: skip
    engine = state(ctx).engine()
    if snapshots:
        from clientbase.services.analytics import list_snapshots

        rows = list_snapshots(engine)
        if fmt == Format.json:
            emit_json(rows)
        elif fmt == Format.csv:
            emit_csv(rows, ("label", "start", "end", "customers", "saved"))
        else:
            emit_table(
                rows,
                ("label", "start", "end", "customers", "saved"),
                title="stored classifications",
            )
        return
    frame = load_orders(engine, with_manager=by == By.manager)
    people = load_customers(engine)
    groups = customer_groups(frame, people, by.value) if by else None

    def orders_needed():
        if frame.empty:
            raise UsageError(
                "there are no orders in the base yet", hint="clientbase import ORDERS.csv"
            )
        return frame

    if compare:
        from clientbase.services.analytics import load_snapshot

        sides = []
        for window in compare:
            stored = load_snapshot(engine, window)
            if stored is not None:
                sides.append(stored)
                continue
            start, end = parse_window(window)
            r = classify(orders_needed(), AbcXyzParams(start=start, end=end, **common))
            sides.append((r.params["window"], r.customers, r.params["rules"]))
        (wa, before_c, rules), (wb, after_c, _) = sides
        overall = migration(before_c, after_c)
        data = {"from": {"window": compare[0], **wa},
                "to": {"window": compare[1], **wb},
                "rules": rules,
                "migration": {i: {c: int(v) for c, v in row.items()} for i, row in overall.iterrows()}}  # fmt: skip
        if groups is not None:
            long = migration(before_c, after_c, by=groups)
            data["by"] = long.to_dict("records")
        if names:
            from clientbase.analytics.abcxyz import migration_names

            ids = migration_names(before_c, after_c, names[0], names[1])
            data["names"] = [{"id": i, "name": people["name"].get(i)} for i in ids]
        if fmt == Format.json:
            emit_json(data)
            return
        rows = [{"from": i, **{c: int(v) for c, v in r.items()}} for i, r in overall.iterrows()]
        if fmt == Format.csv:
            emit_csv(rows, ("from", *overall.columns))
            return
        con = stdout_console()
        con.print(f"ABC migration {compare[0]} -> {compare[1]}: {rules}", markup=False)
        emit_table(
            rows, ("from", *overall.columns), title="customers moved (rows: before, columns: after)"
        )
        if names:
            emit_table(data["names"], ("id", "name"), title=f"moved {names[0]} -> {names[1]}")
        if groups is not None:
            emit_table(
                data["by"], ("group", "from", "to", "customers"), title=f"moves per {by.value}"
            )
        return
    result = classify(
        orders_needed(), AbcXyzParams(start=day(date_from), end=day(date_to), **common)
    )
    result.customers.insert(1, "name", result.customers["customer_id"].map(people["name"]))
    data = result.to_json()
    if snapshot:
        from clientbase.services.analytics import save_snapshot

        w = result.params["window"]
        data["snapshot"] = label or f"{w['start']}..{w['end']}"
        save_snapshot(engine, data["snapshot"], result)
        state(ctx).messages.info(f"stored as {data['snapshot']!r}: compare with --compare")
    if groups is not None:
        port = portfolio(result, groups, frame, period.value)
        data["portfolio"] = port.to_dict("records")
    if fmt == Format.json:
        emit_json(data)
        return
    if fmt == Format.csv:
        emit_csv(data["customers"], CUSTOMER_COLUMNS)
        return
    con = stdout_console()
    w = result.params["window"]
    con.print(f"ABC/XYZ {w['start']} .. {w['end']}: {result.params['rules']}", markup=False)
    for note in result.params.get("notes", []):
        con.print(f"note: {note}", markup=False)
    cells = [
        {"cell": k, "customers": v["customers"], "share_customers": f"{v['share_customers']:.1f} %",
         "revenue": f"{v['revenue']:,.0f}", "share_revenue": f"{v['share_revenue']:.1f} %"}
        for k, v in result.matrix.items()
    ]  # fmt: skip
    emit_table(
        cells, ("cell", "customers", "share_customers", "revenue", "share_revenue"), title="matrix"
    )
    if groups is not None:
        cols = [c for c in port.columns]
        emit_table(port.round(1).to_dict("records"), cols, title=f"portfolio per {by.value}")
    emit_table(data["customers"], CUSTOMER_COLUMNS, title=f"{len(data['customers'])} customers")
