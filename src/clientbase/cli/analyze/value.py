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
    customers,
    decimal,
    emit_csv,
    emit_json,
    emit_table,
    stdout_console,
    use_currency_of,
)
from clientbase.errors import UsageError
from clientbase.i18n import N_, _

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
        msg.info(_("note: {note}").format(note=note))


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
            raise UsageError(
                _("{option} applies to --method {method}").format(
                    option=option, method=wanted.value
                )
            )


def _history(ctx: typer.Context, kind: str, fmt: Format) -> None:
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.value import metric_history

    rows = [h.to_dict() for h in metric_history(state(ctx).engine(), kind)]
    if fmt == Format.json:
        emit_json(rows)
        return
    if kind == "rfm":
        from clientbase.analytics.rfm import SEGMENTS  # pandas: not for --help

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
        if kind == "rfm":
            title = _("stored segment sizes ({n})")
        else:
            title = _("stored average LTV per channel ({n})")
        # The RFM segments name columns here: their labels are the segments' names.
        emit_table(flat, columns, title=title.format(n=len(flat)))


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
    top: Annotated[int, typer.Option("--top", "--limit", "-l", min=0, help="Customers listed in the table.")] = 20,
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.analytics.rfm import SEGMENT_RULES  # pandas: not for --help
    from clientbase.services.value import read_thresholds, rfm, snapshot_rfm

    if scores == Scores.quintile and thresholds:
        raise UsageError(
            _("--thresholds sets fixed cut-offs"), hint=_("use --scores fixed, or drop it")
        )
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
        msg.info(_("warning: {message}").format(message=note))
    if snapshot:
        stored = snapshot_rfm(engine, report, label)
        msg.info(
            _("segment sizes stored as {label}: see them with --history").format(label=repr(stored))
        )
    if fmt == Format.json:
        _emit_json_rows(report.to_dict())
        return
    rows = report.customer_rows()
    if fmt == Format.csv:
        emit_csv(rows, RFM_COLUMNS)
        return
    con = stdout_console()
    if report.scores == "quintile":
        how = _("quintiles")
    else:
        how = _("fixed cut-offs {cuts}").format(
            cuts=", ".join(
                f"{k.upper()} {'/'.join(f'{v:g}' for v in cuts)}"
                for k, cuts in report.thresholds.items()
            )
        )
    con.print(
        _("RFM as of {day} (last order {last_order}), {n} customers, scores by {how}").format(
            day=report.as_of, last_order=report.last_order, n=len(rows), how=how
        ),
        markup=False,
    )
    total_n = sum(s["customers"] for s in report.segments.values())
    total_rev = sum(s["revenue"] for s in report.segments.values())
    seg_rows = [
        {"segment": _(name), "R": _rule_text(r), "F": _rule_text(f),
         "customers": report.segments[name]["customers"],
         "share_customers": _share(report.segments[name]["customers"], total_n),
         "revenue": _amount(report.segments[name]["revenue"]),
         "share_revenue": _share(report.segments[name]["revenue"], total_rev)}
        for name, r, f in SEGMENT_RULES
    ]  # fmt: skip
    emit_table(
        seg_rows,
        ("segment", "R", "F", "customers", "share_customers", "revenue", "share_revenue"),
        title=_("segments"),
    )
    if top:
        shown = [
            {**r, "monetary": _amount(r["monetary"]), "segment": _(r["segment"])}
            for r in rows[:top]
        ]
        emit_table(
            shown,
            RFM_COLUMNS,
            title=_("top {n} of {total} by revenue").format(n=len(shown), total=len(rows)),
        )


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
    top: Annotated[int, typer.Option("--top", "--limit", "-l", min=0, help="Customers listed in the table.")] = 20,
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
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
            msg.info(
                _("average LTV per channel stored as {label}: see it with --history").format(
                    label=repr(stored)
                )
            )
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.value import group_rows

    if fmt == Format.json:
        _emit_json_rows(report.to_dict())
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
    if report.margin:
        text = _(
            "historical LTV as of {day}: margin ({margin} of revenue) per customer so far. "
            "{customers}, average {average}, median {median}, total {total}"
        )
    else:
        text = _(
            "historical LTV as of {day}: revenue per customer so far. "
            "{customers}, average {average}, median {median}, total {total}"
        )
    stdout_console().print(
        text.format(
            day=report.as_of, margin=f"{report.margin:g}" if report.margin else "", customers=customers(o["customers"]),
            average=_amount(o["avg_ltv"]), median=_amount(o["median"]),
            total=_amount(o["total"]),
        ),
        markup=False,
    )  # fmt: skip
    if report.groups is not None:
        groups = [
            {**g, **{k: _amount(g[k]) for k in ("avg_ltv", "total", "median")}}
            for g in group_rows(report.groups)
        ]
        emit_table(groups, GROUP_COLUMNS, title=_(LTV_PER[report.by]))
    if top:
        shown = [
            {**r, **{k: _amount(r[k]) for k in ("revenue", "avg_order_value", "ltv")}}
            for r in rows[:top]
        ]
        emit_table(
            shown,
            LTV_COLUMNS,
            title=_("top {n} of {total} by LTV").format(n=len(shown), total=len(rows)),
        )


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
    data = report.to_dict()
    if fmt == Format.json:
        emit_json(data)
        return
    if fmt == Format.csv:
        rows = _matrix_csv(data["cohorts"], "values", "" if report.by else None)
        for g, cohorts in data.get("groups", {}).items():
            rows += _matrix_csv(cohorts, "values", g)
        width = max((len(r["values"]) for r in data["cohorts"]), default=0)
        head = ("group",) if report.by else ()
        emit_csv(rows, (*head, "cohort", "customers", *(str(k) for k in range(width))))
        return
    if report.value == "margin":
        text = _(
            "cumulative recorded margin{times} per acquired customer, by months since the first "
            "order (rows: month of the first order; blank: not yet happened)"
        )
    else:
        text = _(
            "cumulative revenue{times} per acquired customer, by months since the first order "
            "(rows: month of the first order; blank: not yet happened)"
        )
    times = f" x {report.margin:g}" if report.margin else ""
    stdout_console().print(text.format(times=times), markup=False)
    _matrix_table(data["cohorts"], "values", _("all customers"), percent=False)
    for g, cohorts in data.get("groups", {}).items():
        _matrix_table(cohorts, "values", f"{report.by}: {g}", percent=False)


def _show_predictive(report, top: int, fmt: Format) -> None:
    data = report.to_dict()
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
        _(
            "BG/NBD + Gamma-Gamma, fitted on the orders up to {day}, in {unit}s; CLV over "
            "{horizon}, margin {margin}, discount {discount} a year"
        ).format(
            day=report.calibration_end, unit=report.unit, horizon=report.horizon,
            margin=f"{report.margin:g}", discount=f"{report.discount_rate:g}",
        ),
        markup=False,
    )  # fmt: skip
    con.print(
        _(
            "BG/NBD r = {r}, alpha = {alpha}, a = {a}, b = {b}; log-likelihood {ll} over "
            "{customers} customers ({repeat} repeat buyers)"
        ).format(
            r=f"{bg['r']:.4g}", alpha=f"{bg['alpha']:.4g}", a=f"{bg['a']:.4g}",
            b=f"{bg['b']:.4g}", ll=f"{data['log_likelihood']:.2f}", customers=fit["customers"],
            repeat=fit["repeat_buyers"],
        ),
        markup=False,
    )  # fmt: skip
    con.print(
        _("Gamma-Gamma p = {p}, q = {q}, gamma = {gamma} over {n} repeat buyers").format(
            p=f"{gg['p']:.4g}", q=f"{gg['q']:.4g}", gamma=f"{gg['gamma']:.4g}",
            n=fit["gamma_gamma_customers"],
        ),
        markup=False,
    )  # fmt: skip
    h = fit["holdout"]
    if h:
        con.print(
            _(
                "check on the later orders {start} .. {end}: predicted {predicted} repeat "
                "purchases, actual {actual}"
            ).format(
                start=h["from"], end=h["to"], predicted=f"{h['predicted_purchases']:,.1f}",
                actual=f"{h['actual_purchases']:,}",
            ),
            markup=False,
        )  # fmt: skip
    total = sum(r["clv"] for r in rows)
    con.print(
        _(
            "expected over {horizon}: {purchases} purchases, CLV {total} in all, "
            "{per_customer} per customer"
        ).format(
            horizon=report.horizon,
            purchases=f"{sum(r['expected_purchases'] for r in rows):,.1f}",
            total=f"{total:,.0f}", per_customer=f"{total / len(rows):,.0f}",
        ),
        markup=False,
    )  # fmt: skip
    if data.get("groups"):
        groups = [{**g, "avg_clv": _amount(g["avg_clv"]), "total_clv": _amount(g["total_clv"])}
                  for g in data["groups"]]  # fmt: skip
        emit_table(
            groups,
            CLV_GROUP_COLUMNS,
            title=_(CLV_PER[report.by]),
        )
    if top:
        shown = [
            {**r, **{k: _amount(r[k]) for k in ("monetary", "expected_spend", "clv")},
             "recency": f"{r['recency']:.1f}", "T": f"{r['T']:.1f}",
             "expected_purchases": f"{r['expected_purchases']:.2f}",
             "p_alive": f"{r['p_alive']:.2f}"}
            for r in rows[:top]
        ]  # fmt: skip
        emit_table(
            shown,
            CLV_COLUMNS,
            title=_("top {n} of {total} by CLV").format(n=len(shown), total=len(rows)),
        )


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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
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
    data = report.to_dict()
    if fmt == Format.csv:
        for note in report.notes:
            state(ctx).messages.info(_("note: {note}").format(note=note))
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
        if relative:
            rule = _("inactive after {multiple} x their median gap (else {days} days)")
        else:
            rule = _("inactive after {days} days")
        rule = rule.format(multiple=f"{multiple:g}", days=inactive_days)
        stdout_console().print(
            _("base loss per year, orders {first} .. {last}, {rule}").format(
                first=report.first_order, last=report.as_of, rule=rule
            ),
            markup=False,
        )

        def shown(rows):
            return [
                {**r, "loss_rate": "–" if r["loss_rate"] is None else f"{decimal(r['loss_rate'] * 100)} %",
                 "partial": _("so far") if r["partial"] else ""}
                for r in rows
            ]  # fmt: skip

        if data["base_loss"]:
            emit_table(shown(data["base_loss"]), LOSS_COLUMNS, title=_("base loss"))
        for note in report.notes:
            stdout_console().print(_("note: {note}").format(note=note), markup=False)
        if by:
            con = stdout_console()
            if not report.groups:
                con.print(_(NO_GROUPS[by.value]), markup=False)
            for group in report.groups:
                rows = [r for r in data["groups"] if r["group"] == group]
                if rows:
                    emit_table(shown(rows), LOSS_COLUMNS, title=f"{by.value}: {group}")
                    continue
                if not data["base_loss"]:
                    why = _(
                        "the orders do not yet cover a full year after --inactive-days (see the "
                        "note above)"
                    )
                else:
                    why = _(
                        "none of its customers had bought within --inactive-days before a 1 January"
                    )
                con.print(
                    _("{by}: {group}: no base loss to show: {why}").format(
                        by=by.value, group=group, why=why
                    ),
                    markup=False,
                )
    _matrix_table(
        data["retention"],
        "shares",
        _("retention: share of each acquisition month buying k months later"),
        percent=True,
    )


# Titles and lines per --by choice: whole sentences, so each language can word them its own way.
LTV_PER = {
    "channel": N_("LTV per channel"), "source": N_("LTV per source"),
    "manager": N_("LTV per manager"),
}  # fmt: skip
CLV_PER = {
    "channel": N_("CLV per channel"), "source": N_("CLV per source"),
    "manager": N_("CLV per manager"),
}  # fmt: skip
NO_GROUPS = {
    "channel": N_("per channel: no customer with orders to group"),
    "source": N_("per source: no customer with orders to group"),
    "manager": N_("per manager: no customer with orders to group"),
}
