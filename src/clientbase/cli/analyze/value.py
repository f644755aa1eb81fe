"""`clientbase analyze rfm`, `ltv` and `churn`: the value of the customers."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated

import typer

from clientbase.cli import output
from clientbase.cli.common import FormatOpt, parse_day, state
from clientbase.cli.output import (
    Format,
    count,
    emit_csv,
    emit_json,
    emit_table,
    stdout_console,
    use_currency_of,
)
from clientbase.errors import UsageError

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.


class Scores(str, Enum):
    quintile = "quintile"
    fixed = "fixed"


class Method(str, Enum):
    historical = "historical"
    cohort = "cohort"
    bgnbd = "bgnbd"


class Unit(str, Enum):
    day = "day"
    week = "week"
    month = "month"


class CohortValue(str, Enum):
    revenue = "revenue"
    margin = "margin"


class ValueBy(str, Enum):
    channel = "channel"
    source = "source"
    manager = "manager"


BY_GROUPS = (
    "channel: the customer's acquisition source (the 'source' field, e.g. "
    "'Откуда узнал' of a contact list); source: the import the customer came in with (its "
    "--source label, else the file name); manager: the customer's manager, else the one who "
    "sold them the most."
)
BY_HELP = "Average per group. " + BY_GROUPS
RFM_COLUMNS = ("id", "name", "recency_days", "frequency", "monetary", "r", "f", "m", "segment")
LTV_COLUMNS = ("id", "name", "first_order", "last_order", "orders", "revenue",
               "avg_order_value", "lifespan_days", "ltv")  # fmt: skip
CLV_COLUMNS = ("id", "name", "frequency", "recency", "T", "monetary", "expected_purchases",
               "p_alive", "expected_spend", "clv")  # fmt: skip
GROUP_COLUMNS = ("group", "customers", "avg_ltv", "total", "median")
CLV_GROUP_COLUMNS = ("group", "customers", "avg_clv", "total_clv", "avg_p_alive")
LOSS_COLUMNS = ("year", "active_at_start", "lost", "loss_rate", "partial", "through")
# `analyze churn --format csv`: both tables in one long CSV, told apart by "table" (base_loss
# rows per year, overall and per group; retention rows per cohort and month since it).
CHURN_CSV_COLUMNS = ("table", "group", *LOSS_COLUMNS, "cohort", "customers", "month", "share")


def _churn_csv_rows(data: dict) -> list[dict]:
    rows = [{"table": "base_loss", "group": "", **r} for r in data["base_loss"]]
    rows += [{"table": "base_loss", **r} for r in data.get("groups", [])]
    for r in data["retention"]:
        for k, share in enumerate(r["shares"]):
            if share is not None:
                rows.append({"table": "retention", "cohort": r["cohort"],
                             "customers": r["customers"], "month": k, "share": share})  # fmt: skip
    return rows


def _notes(msg, notes: list[str]) -> None:
    for note in notes:
        msg.info(f"note: {note}")


def _emit_json_rows(data: dict, key: str = "customers") -> None:
    """``emit_json``, with the long per-customer list written one compact object per line.

    The same JSON value; but ``indent=2`` makes the json module fall back to its pure-Python
    encoder and spreads a customer over a dozen lines: for 100,000 customers that is ~5 s and
    1.2 M lines, against ~0.5 s this way (and a line per customer greps well)."""
    marker = "\0rows\0"
    text = json.dumps({**data, key: marker}, ensure_ascii=False, indent=2, default=str)
    rows = [json.dumps(r, ensure_ascii=False, default=str) for r in data[key]]
    listed = "[\n    " + ",\n    ".join(rows) + "\n  ]" if rows else "[]"
    sys.stdout.write(text.replace(json.dumps(marker), listed, 1) + "\n")


def _amount(value) -> str:
    return "" if value is None else output.money(value)


def _share(part: float, whole: float) -> str:
    return output.percent(part / whole * 100) if whole else "–"


def _rule_text(lo_hi: tuple[int, int]) -> str:
    lo, hi = lo_hi
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _only_with(method: Method, wanted: Method, **given) -> None:
    """Options of one method given with another are a mistake worth saying, not ignoring."""
    for option, value in given.items():
        if value is not None and value is not False and method != wanted:
            raise UsageError(f"{option} applies to --method {wanted.value}")


def _history(ctx: typer.Context, kind: str, fmt: Format) -> None:
    from clientbase.services.value import metric_history

    rows = metric_history(state(ctx).engine(), kind)
    if fmt == Format.json:
        emit_json(rows)
        return
    if kind == "rfm":
        from clientbase.analytics.rfm import SEGMENTS

        names = list(SEGMENTS)
        flat = [
            {"taken_at": r["taken_at"][:10], "label": r["label"],
             "customers": r["data"].get("customers"),
             **{n: r["data"].get("segments", {}).get(n, {}).get("customers") for n in names}}
            for r in rows
        ]  # fmt: skip
    else:
        names = sorted({c for r in rows for c in r["data"].get("channels", {})})
        flat = [
            {"taken_at": r["taken_at"][:10], "label": r["label"],
             "customers": r["data"].get("customers"), "avg_ltv": r["data"].get("avg_ltv"),
             **{n: r["data"].get("channels", {}).get(n, {}).get("avg_ltv") for n in names}}
            for r in rows
        ]  # fmt: skip
    columns = ("taken_at", "label", "customers", *(["avg_ltv"] if kind == "ltv" else []), *names)
    if fmt == Format.csv:
        emit_csv(flat, columns)
    else:
        what = "segment sizes" if kind == "rfm" else "average LTV per channel"
        emit_table(flat, columns, title=f"stored {what} ({len(flat)})")


def rfm_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Day to count recency to (default: today); later orders are left out."),
    ] = None,
    scores: Annotated[
        Scores | None,
        typer.Option("--scores", help="quintile: cut at the 20/40/60/80 % quantiles, equal values scored alike (default); fixed: set cut-offs (default with --thresholds)."),
    ] = None,
    thresholds: Annotated[
        str | None,
        typer.Option("--thresholds", metavar="FILE", help="TOML or JSON cut-offs: r = [30, 90, 180, 365] (days), f = [2, 3, 5, 8] (orders), m = [...] (money)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Customers listed in the table.")] = 20,
    snapshot: Annotated[
        bool, typer.Option("--snapshot", help="Store the segment sizes (trend history).")
    ] = False,
    label: Annotated[
        str | None, typer.Option("--label", help="Name of the stored sizes (default: the day).")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="List the stored segment sizes, oldest first.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:  # fmt: skip
    """RFM scores (recency, frequency, monetary; 1-5) and named segments of the customers:
    Champions R5 F4-5, Loyal R3-4 F4-5, Potential loyalists R4-5 F2-3, New R5 F1, Promising R4
    F1, Need attention R3 F3, About to sleep R3 F1-2, At risk R1-2 F3-4, Can't lose them R1-2 F5,
    Hibernating R1-2 F1-2 (tried in this order; every pair has exactly one). Recency is whole
    days from the last order's date to --as-of (today by default); frequency counts distinct
    orders; monetary is revenue less returns. Quintile scores cut each measure at its 20/40/60/80
    % quantiles, so equal values get equal scores: one order is always F 1, and customers who
    last bought on the same day share their R. Cancelled orders and open deals are left out,
    and so are customers whose returns take back all they bought."""
    if history:
        _history(ctx, "rfm", fmt)
        return
    from clientbase.analytics.rfm import SEGMENT_RULES
    from clientbase.services.value import read_thresholds, rfm, snapshot_rfm

    if scores == Scores.quintile and thresholds:
        raise UsageError("--thresholds sets fixed cut-offs", hint="use --scores fixed, or drop it")
    cuts = read_thresholds(thresholds) if thresholds else None
    engine = state(ctx).engine()
    use_currency_of(engine)
    report = rfm(
        engine,
        as_of=parse_day(as_of, "--as-of"),
        scores=scores.value if scores else None,
        thresholds=cuts,
    )
    msg = state(ctx).messages
    for note in report.notes:
        msg.info(f"warning: {note}")
    if snapshot:
        stored = snapshot_rfm(engine, report, label)
        msg.info(f"segment sizes stored as {stored!r}: see them with --history")
    if fmt == Format.json:
        _emit_json_rows(report.to_json())
        return
    rows = report.customer_rows()
    if fmt == Format.csv:
        emit_csv(rows, RFM_COLUMNS)
        return
    con = stdout_console()
    how = (
        "quintiles"
        if report.scores == "quintile"
        else "fixed cut-offs "
        + ", ".join(
            f"{k.upper()} {'/'.join(f'{v:g}' for v in cuts)}"
            for k, cuts in report.thresholds.items()
        )
    )
    con.print(
        f"RFM as of {report.as_of} (last order {report.last_order}), {len(rows)} customers, "
        f"scores by {how}",
        markup=False,
    )
    total_n = sum(s["customers"] for s in report.segments.values())
    total_rev = sum(s["revenue"] for s in report.segments.values())
    seg_rows = [
        {"segment": name, "R": _rule_text(r), "F": _rule_text(f),
         "customers": report.segments[name]["customers"],
         "share_customers": _share(report.segments[name]["customers"], total_n),
         "revenue": _amount(report.segments[name]["revenue"]),
         "share_revenue": _share(report.segments[name]["revenue"], total_rev)}
        for name, r, f in SEGMENT_RULES
    ]  # fmt: skip
    emit_table(
        seg_rows,
        ("segment", "R", "F", "customers", "share_customers", "revenue", "share_revenue"),
        title="segments",
    )
    if top:
        shown = [{**r, "monetary": _amount(r["monetary"])} for r in rows[:top]]
        emit_table(shown, RFM_COLUMNS, title=f"top {len(shown)} of {len(rows)} by revenue")


def ltv_cmd(
    ctx: typer.Context,
    method: Annotated[Method, typer.Option("--method", help="historical: revenue so far per customer; cohort: cumulative value per acquired customer by month; bgnbd: BG/NBD + Gamma-Gamma prediction.")] = Method.historical,
    margin: Annotated[float | None, typer.Option("--margin", help="Gross margin as a fraction (0.3 = 30 %): LTV in margin, not revenue.")] = None,
    by: Annotated[ValueBy | None, typer.Option("--by", help=BY_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="The day the figures count to (default: today); later orders are left out. bgnbd: the calibration ends here unless --calibration-end says otherwise.")] = None,
    value: Annotated[CohortValue | None, typer.Option("--value", help="cohort: revenue (default), or the margin recorded on the orders (amount - cost).")] = None,
    max_months: Annotated[int | None, typer.Option("--max-months", min=0, help="cohort: months since the first order shown (default: all).")] = None,
    horizon: Annotated[str | None, typer.Option("--horizon", help="bgnbd: how far ahead: 12m (default), 52w, 365d, 1y.")] = None,
    discount_rate: Annotated[float | None, typer.Option("--discount-rate", min=0.0, help="bgnbd: yearly discount rate (0.1 = 10 %), applied month by month; default 0.")] = None,
    calibration_end: Annotated[str | None, typer.Option("--calibration-end", metavar="DATE", help="bgnbd: fit on the orders up to this day (default: the last order's); later orders check the fit.")] = None,
    unit: Annotated[Unit | None, typer.Option("--unit", help="bgnbd: time unit of the model (default week).")] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Customers listed in the table.")] = 20,
    snapshot: Annotated[bool, typer.Option("--snapshot", help="historical: store the average LTV overall and per channel (trend history).")] = False,
    label: Annotated[str | None, typer.Option("--label", help="Name of the stored figures (default: the day).")] = None,
    history: Annotated[bool, typer.Option("--history", help="List the stored average LTV per channel, oldest first.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:  # fmt: skip
    """Customer lifetime value: historical, by acquisition cohort, or predicted (BG/NBD).
    Historical LTV is the revenue a customer has brought so far (x --margin): average order value
    x orders per period x lifespan comes to exactly that; averages per --by group compare what a
    customer from each channel is worth. The cohort table shows cumulative value per acquired
    customer by months since the first order (months still to come are blank). bgnbd fits BG/NBD
    (purchases, P(alive)) and Gamma-Gamma (spend), and says so when the data are too thin."""
    if history:
        _history(ctx, "ltv", fmt)
        return
    from clientbase.services import value as svc

    _only_with(method, Method.historical, **{"--snapshot": snapshot})
    _only_with(method, Method.cohort, **{"--value": value, "--max-months": max_months})
    _only_with(method, Method.bgnbd, **{"--horizon": horizon, "--discount-rate": discount_rate,
               "--calibration-end": calibration_end, "--unit": unit})  # fmt: skip
    engine = state(ctx).engine()
    use_currency_of(engine)
    msg = state(ctx).messages
    if method == Method.historical:
        report = svc.ltv_historical(
            engine,
            as_of=parse_day(as_of, "--as-of"),
            margin=margin,
            by=by.value if by else None,
        )
        if snapshot:
            stored = svc.snapshot_ltv(engine, report, label)
            msg.info(f"average LTV per channel stored as {stored!r}: see it with --history")
        _notes(msg, report.notes)
        _show_historical(report, top, fmt)
    elif method == Method.cohort:
        report = svc.ltv_cohort(
            engine,
            value=value.value if value else "revenue",
            margin=margin,
            max_months=max_months,
            by=by.value if by else None,
            as_of=parse_day(as_of, "--as-of"),
        )
        _notes(msg, report.notes)
        _show_cohort(report, fmt)
    else:
        report = svc.ltv_predictive(
            engine,
            calibration_end=parse_day(calibration_end, "--calibration-end"),
            horizon=horizon or "12m",
            unit=unit.value if unit else "week",
            margin=1.0 if margin is None else margin,
            discount_rate=discount_rate or 0.0,
            by=by.value if by else None,
            as_of=parse_day(as_of, "--as-of"),
        )
        _notes(msg, report.notes)
        _show_predictive(report, top, fmt)


def _show_historical(report, top: int, fmt: Format) -> None:
    from clientbase.services.value import group_rows

    if fmt == Format.json:
        _emit_json_rows(report.to_json())
        return
    rows = report.customer_rows()
    if fmt == Format.csv:
        # --by asks for the groups (what a customer from each channel is worth), as churn
        # --by and cohort --by give their groups in CSV; without it, the customers.
        if report.groups is not None:
            emit_csv(group_rows(report.groups), GROUP_COLUMNS)
        else:
            emit_csv(rows, LTV_COLUMNS)
        return
    o = report.overall()
    what = f"margin ({report.margin:g} of revenue)" if report.margin else "revenue"
    stdout_console().print(
        f"historical LTV as of {report.as_of}: {what} per customer so far. "
        f"{count(o['customers'], 'customer')}, average {_amount(o['avg_ltv'])}, median {_amount(o['median'])}, "
        f"total {_amount(o['total'])}",
        markup=False,
    )
    if report.groups is not None:
        groups = [
            {**g, **{k: _amount(g[k]) for k in ("avg_ltv", "total", "median")}}
            for g in group_rows(report.groups)
        ]
        emit_table(groups, GROUP_COLUMNS, title=f"LTV per {report.by}")
    if top:
        shown = [
            {**r, **{k: _amount(r[k]) for k in ("revenue", "avg_order_value", "ltv")}}
            for r in rows[:top]
        ]
        emit_table(shown, LTV_COLUMNS, title=f"top {len(shown)} of {len(rows)} by LTV")


def _matrix_table(rows: list[dict], key: str, title: str, *, percent: bool) -> None:
    width = max((len(r[key]) for r in rows), default=0)
    columns = ("cohort", "customers", *(str(k) for k in range(width)))

    def cell(v):
        if v is None:
            return ""
        return output.percent(v * 100, digits=0) if percent else output.money(v, digits=0)

    flat = [
        {"cohort": r["cohort"], "customers": r["customers"],
         **{str(k): cell(v) for k, v in enumerate(r[key])}}
        for r in rows
    ]  # fmt: skip
    emit_table(flat, columns, title=title)


def _matrix_csv(rows: list[dict], key: str, group: str | None = None) -> list[dict]:
    return [
        {**({"group": group} if group is not None else {}), "cohort": r["cohort"],
         "customers": r["customers"], **{str(k): v for k, v in enumerate(r[key])}}
        for r in rows
    ]  # fmt: skip


def _show_cohort(report, fmt: Format) -> None:
    data = report.to_json()
    if fmt == Format.json:
        emit_json(data)
        return
    what = "recorded margin" if report.value == "margin" else "revenue"
    if report.margin:
        what += f" x {report.margin:g}"
    if fmt == Format.csv:
        rows = _matrix_csv(data["cohorts"], "values", "" if report.by else None)
        for g, cohorts in data.get("groups", {}).items():
            rows += _matrix_csv(cohorts, "values", g)
        width = max((len(r["values"]) for r in data["cohorts"]), default=0)
        head = ("group",) if report.by else ()
        emit_csv(rows, (*head, "cohort", "customers", *(str(k) for k in range(width))))
        return
    stdout_console().print(
        f"cumulative {what} per acquired customer, by months since the first order "
        "(rows: month of the first order; blank: not yet happened)",
        markup=False,
    )
    _matrix_table(data["cohorts"], "values", "all customers", percent=False)
    for g, cohorts in data.get("groups", {}).items():
        _matrix_table(cohorts, "values", f"{report.by}: {g}", percent=False)


def _show_predictive(report, top: int, fmt: Format) -> None:
    data = report.to_json()
    if fmt == Format.json:
        _emit_json_rows(data)
        return
    rows = data["customers"]
    if fmt == Format.csv:
        if data.get("groups"):
            emit_csv(data["groups"], CLV_GROUP_COLUMNS)
        else:
            emit_csv(rows, CLV_COLUMNS)
        return
    con = stdout_console()
    bg, gg, fit = data["params"], data["gamma_gamma"], data["fit"]
    con.print(
        f"BG/NBD + Gamma-Gamma, fitted on the orders up to {report.calibration_end}, in "
        f"{report.unit}s; CLV over {report.horizon}, margin {report.margin:g}, "
        f"discount {report.discount_rate:g} a year",
        markup=False,
    )
    con.print(
        f"BG/NBD r = {bg['r']:.4g}, alpha = {bg['alpha']:.4g}, a = {bg['a']:.4g}, "
        f"b = {bg['b']:.4g}; log-likelihood {data['log_likelihood']:.2f} over "
        f"{fit['customers']} customers ({fit['repeat_buyers']} repeat buyers)",
        markup=False,
    )
    con.print(
        f"Gamma-Gamma p = {gg['p']:.4g}, q = {gg['q']:.4g}, gamma = {gg['gamma']:.4g} over "
        f"{fit['gamma_gamma_customers']} repeat buyers",
        markup=False,
    )
    h = fit["holdout"]
    if h:
        con.print(
            f"check on the later orders {h['from']} .. {h['to']}: predicted "
            f"{h['predicted_purchases']:,.1f} repeat purchases, actual {h['actual_purchases']:,}",
            markup=False,
        )
    total = sum(r["clv"] for r in rows)
    con.print(
        f"expected over {report.horizon}: {sum(r['expected_purchases'] for r in rows):,.1f} "
        f"purchases, CLV {total:,.0f} in all, {total / len(rows):,.0f} per customer",
        markup=False,
    )
    if data.get("groups"):
        groups = [{**g, "avg_clv": _amount(g["avg_clv"]), "total_clv": _amount(g["total_clv"])}
                  for g in data["groups"]]  # fmt: skip
        emit_table(
            groups,
            CLV_GROUP_COLUMNS,
            title=f"CLV per {report.by}",
        )
    if top:
        shown = [
            {**r, **{k: _amount(r[k]) for k in ("monetary", "expected_spend", "clv")},
             "recency": f"{r['recency']:.1f}", "T": f"{r['T']:.1f}",
             "expected_purchases": f"{r['expected_purchases']:.2f}",
             "p_alive": f"{r['p_alive']:.2f}"}
            for r in rows[:top]
        ]  # fmt: skip
        emit_table(shown, CLV_COLUMNS, title=f"top {len(shown)} of {len(rows)} by CLV")


def churn_cmd(
    ctx: typer.Context,
    inactive_days: Annotated[int, typer.Option("--inactive-days", min=1, help="Days without a purchase after which a customer counts as gone.")] = 365,
    relative: Annotated[bool, typer.Option("--relative", help="Use each customer's own rhythm instead: --multiple times their median gap between buying days (customers with one buying day keep --inactive-days).")] = False,
    multiple: Annotated[float, typer.Option("--multiple", min=0.1, help="With --relative: how many typical gaps make a customer gone.")] = 3.0,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="The day the figures count to (default: today); later orders are left out, the year holding it is partial.")] = None,
    by: Annotated[ValueBy | None, typer.Option("--by", help="Base loss per group. " + BY_GROUPS)] = None,
    max_months: Annotated[int | None, typer.Option("--max-months", min=0, help="Retention: months since the first order shown (default: all).")] = None,
    retention_only: Annotated[bool, typer.Option("--retention", help="Only the cohort retention matrix (with --format csv: the matrix instead of the yearly base loss).")] = False,
    fmt: FormatOpt = Format.table,
) -> None:  # fmt: skip
    """Base loss per year and cohort retention. Base loss of a year = the share of the customers
    active at its start (a purchase within --inactive-days before 1 January) who bought nothing
    during it; about 20 % a year is commonly quoted for small businesses. Years without
    --inactive-days of orders before them are left out; the year the data end in is partial.
    Retention = the share of each acquisition month that bought in month k after it. JSON
    carries both tables; CSV too, one long table with a "table" column (base_loss, retention);
    --by prints a block per group, or says why a group has nothing to show."""
    from clientbase.services.value import churn

    report = churn(
        state(ctx).engine(),
        inactive_days=inactive_days,
        relative=relative,
        multiple=multiple,
        as_of=parse_day(as_of, "--as-of"),
        by=by.value if by else None,
        max_months=max_months,
    )
    data = report.to_json()
    if fmt == Format.csv:
        for note in report.notes:
            state(ctx).messages.info(f"note: {note}")
    if fmt == Format.json:
        if retention_only:
            data = {"retention": data["retention"]}
        emit_json(data)
        return
    if fmt == Format.csv:
        if retention_only:
            width = max((len(r["shares"]) for r in data["retention"]), default=0)
            emit_csv(
                _matrix_csv(data["retention"], "shares"),
                ("cohort", "customers", *(str(k) for k in range(width))),
            )
        else:
            emit_csv(_churn_csv_rows(data), CHURN_CSV_COLUMNS)
        return
    if not retention_only:
        rule = (
            f"inactive after {multiple:g} x their median gap (else {inactive_days} days)"
            if relative
            else f"inactive after {inactive_days} days"
        )
        stdout_console().print(
            f"base loss per year, orders {report.first_order} .. {report.as_of}, {rule}",
            markup=False,
        )

        def shown(rows):
            return [
                {**r, "loss_rate": "–" if r["loss_rate"] is None else f"{r['loss_rate'] * 100:.1f} %",
                 "partial": "so far" if r["partial"] else ""}
                for r in rows
            ]  # fmt: skip

        if data["base_loss"]:
            emit_table(shown(data["base_loss"]), LOSS_COLUMNS, title="base loss")
        for note in report.notes:
            stdout_console().print(f"note: {note}", markup=False)
        if by:
            con = stdout_console()
            if not report.groups:
                con.print(f"per {by.value}: no customer with orders to group", markup=False)
            for group in report.groups:
                rows = [r for r in data["groups"] if r["group"] == group]
                if rows:
                    emit_table(shown(rows), LOSS_COLUMNS, title=f"{by.value}: {group}")
                    continue
                why = (
                    "the orders do not yet cover a full year after --inactive-days (see the "
                    "note above)"
                    if not data["base_loss"]
                    else "none of its customers had bought within --inactive-days before a 1 January"
                )
                con.print(f"{by.value}: {group}: no base loss to show: {why}", markup=False)
    _matrix_table(
        data["retention"],
        "shares",
        "retention: share of each acquisition month buying k months later",
        percent=True,
    )
