"""The report's customer-value sections as blocks: RFM segments, LTV, churn."""

from __future__ import annotations

from clientbase.reports import charts
from clientbase.reports.i18n import fmt_num, fmt_pct
from clientbase.reports.sections import Chart, Facts, Fmt, Note, Table, delta, empty_blocks


def rfm_blocks(s: dict, f: Fmt) -> list:
    if (e := empty_blocks(s, f)) is not None:
        return e
    segs = s["segments"]
    blocks: list = [
        Facts(
            [
                (f.t("as_of"), f.date(s["as_of"])),
                (f.t("scored_customers"), f.int(s["customers"])),
            ]
        ),
        Chart(
            charts.hbar_chart(
                [f.segment(r["segment"]) for r in segs],
                [r["customers"] for r in segs],
                title=f.t("rfm_sizes"),
                value_fmt=f.int,
                tooltips=[
                    f"{f.segment(r['segment'])}: {f.int(r['customers'])}, {f.money(r['revenue'])}"
                    for r in segs
                ],
            )
        ),
        Table(
            f.t("rfm_sizes"),
            [
                f.t("segment"),
                f.t("customers"),
                f.t("revenue"),
                f.t("previous_customers"),
                f.t("change"),
            ],
            [
                [
                    f.segment(r["segment"]),
                    f.int(r["customers"]),
                    f.money(r["revenue"]),
                    f.int(r["previous_customers"]),
                    delta(r["customers"] - r["previous_customers"], f),
                ]
                for r in segs
            ],
            [False, True, True, True, True],
        ),
    ]
    if s.get("small_base"):
        blocks.append(
            Note(
                "Клиентов меньше 50: квинтили делят их на пятёрки по рангу, и равные клиенты "
                "могут получить разные оценки."
                if f.lang == "ru"
                else "Fewer than 50 customers: quintiles split them into fifths by rank, so "
                "equal customers can get different scores."
            )
        )
    return blocks


def ltv_blocks(s: dict, f: Fmt) -> list:
    if (e := empty_blocks(s, f)) is not None:
        return e
    ch = s["by_channel"]
    blocks: list = [
        Facts(
            [
                (f.t("as_of"), f.date(s["as_of"])),
                (f.t("customers"), f.int(s["customers"])),
                (f.t("avg_ltv"), f.money(s["avg_ltv"])),
                (f.t("median_ltv"), f.money(s["median_ltv"])),
            ]
        ),
        Chart(
            charts.hbar_chart(
                [f.group(r["channel"]) for r in ch],
                [r["avg_ltv"] for r in ch],
                title=f.t("ltv_by_channel"),
                value_fmt=f.money_short,
                tooltips=[
                    f"{f.group(r['channel'])}: {f.money(r['avg_ltv'])} × {f.int(r['customers'])}"
                    for r in ch
                ],
                color=charts.GREEN,
            )
        ),
        Table(
            f.t("ltv_by_channel"),
            [f.t("channel"), f.t("customers"), f.t("avg_ltv"), f.t("median_ltv"), f.t("total_ltv")],
            [
                [
                    f.group(r["channel"]),
                    f.int(r["customers"]),
                    f.money(r["avg_ltv"]),
                    f.money(r["median"]),
                    f.money(r["total"]),
                ]
                for r in ch
            ],
            [False, True, True, True, True],
        ),
    ]
    # Cohort grids are wide (a column per month): whole per cents and thousands of money, the
    # unit in the title, so that twelve months fit a terminal and a phone.
    for key, title, cell_fmt, table_fmt in (
        (
            "retention",
            "retention",
            lambda v: "" if v is None else fmt_num(v * 100, f.lang, 0),
            lambda v: "" if v is None else fmt_num(v * 100, f.lang, 0),
        ),
        (
            "cohort_revenue",
            "cohort_revenue",
            lambda v: "" if v is None else fmt_num(v / 1000, f.lang, 1),
            lambda v: "" if v is None else fmt_num(v / 1000, f.lang, 1),
        ),
    ):
        rows = s[key]
        if not rows:
            continue
        vkey = "shares" if key == "retention" else "values"
        heading = f.t(title, currency=f.currency) if key == "cohort_revenue" else f.t(title)
        width = max(len(r[vkey]) for r in rows)
        labels = [f.month_short(r["cohort"]) for r in rows]
        grid = [r[vkey] + [None] * (width - len(r[vkey])) for r in rows]
        blocks.append(
            Chart(
                charts.heatmap(
                    labels,
                    [str(k) for k in range(width)],
                    [
                        [None if (key == "retention" and k == 0) else v for k, v in enumerate(row)]
                        for row in grid
                    ],
                    title=heading,
                    cell_fmt=cell_fmt,
                    labels=[[cell_fmt(v) for v in row] for row in grid],
                    tooltips=[
                        [f"{lab} +{k}: {table_fmt(v)}" for k, v in enumerate(row)]
                        for lab, row in zip(labels, grid, strict=True)
                    ],
                    row_title=f.t("cohort"),
                    col_title=f.t("months_since"),
                    cell=40,
                    row_label_width=62,
                    hues=[[charts.GREEN if key == "cohort_revenue" else charts.BLUE] * width]
                    * len(grid),
                )
            )
        )
        blocks.append(
            Table(
                heading,
                [f.t("cohort"), f.t("cohort_size"), *[str(k) for k in range(width)]],
                [
                    [f.month(r["cohort"]), f.int(r["customers"]), *[table_fmt(v) for v in row]]
                    for r, row in zip(rows, grid, strict=True)
                ],
                [False] + [True] * (width + 1),
            )
        )
    return blocks


def churn_blocks(s: dict, f: Fmt) -> list:
    if (e := empty_blocks(s, f)) is not None:
        return e
    if s.get("empty") == "not_enough_history":
        return [
            Note(
                f.empty(
                    "not_enough_history",
                    first=f.date(s["first_order"]),
                    year=s.get("first_year") or "—",
                )
            ),
            Note(f.t("churn_note")),
        ]
    years = s["years"]

    def year_label(r):
        return f"{r['year']}*" if r["partial"] else str(r["year"])

    blocks: list = [
        Facts(
            [
                (
                    f.t("loss_rate") + (f" {s['last_full_year']}" if s["last_full_year"] else ""),
                    f.pct(s["base_loss_rate"]),
                )
            ]
        ),
        Chart(
            charts.bar_chart(
                [year_label(r) for r in years],
                [r["loss_rate"] or 0 for r in years],
                title=f.t("base_loss"),
                value_name=f.t("loss_rate"),
                value_fmt=f.pct,
                axis_fmt=lambda v: fmt_pct(v, f.lang, 0),
                tooltips=[
                    f"{r['year']}: {f.int(r['lost'])} / {f.int(r['active_at_start'])} = "
                    f"{f.pct(r['loss_rate'])}"
                    for r in years
                ],
            )
        ),
        Table(
            f.t("base_loss"),
            [f.t("year"), f.t("active_at_start"), f.t("lost"), f.t("loss_rate")],
            [
                [
                    year_label(r),
                    f.int(r["active_at_start"]),
                    f.int(r["lost"]),
                    f.pct(r["loss_rate"]),
                ]
                for r in years
            ],
            [False, True, True, True],
        ),
        Note(f.t("churn_note")),
    ]
    if any(r["partial"] for r in years):
        through = next(r["through"] for r in years if r["partial"])
        blocks.append(
            Note(
                f"* неполный год: потери по {f.date(through)}"
                if f.lang == "ru"
                else f"* year not over: losses up to {f.date(through)}"
            )
        )
    return blocks
