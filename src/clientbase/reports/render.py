"""The collected report (``collect.collect``) as text, Markdown, HTML or JSON.

Every section is first turned into a short list of blocks (facts, tables, charts, notes) whose
cells are already formatted strings; the text, Markdown and HTML writers only lay those blocks
out. So a figure is formatted in one place and reads the same in all three, and JSON is the
collected dict itself. Charts exist in HTML only (a terminal or a mail body has no room for
them); their numbers are in the table that follows each chart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from clientbase.reports import charts
from clientbase.reports.i18n import (
    fmt_change,
    fmt_date,
    fmt_int,
    fmt_money,
    fmt_money_short,
    fmt_month,
    fmt_month_short,
    fmt_num,
    fmt_pct,
    label,
)

FORMATS = ("text", "md", "html", "json")

RFM_RU = {
    "Champions": "Чемпионы",
    "Loyal": "Лояльные",
    "Potential loyalists": "Потенциально лояльные",
    "New": "Новые",
    "Promising": "Перспективные",
    "Need attention": "Требуют внимания",
    "About to sleep": "Засыпающие",
    "At risk": "В зоне риска",
    "Can't lose them": "Нельзя потерять",
    "Hibernating": "Спящие",
}

_EMPTY = {
    "no_orders": ("Заказов в базе пока нет.", "There are no orders in the base yet."),
    "no_orders_in_window": ("В этом периоде заказов нет.", "No orders in this period."),
    "no_orders_yet": ("До конца периода заказов не было.", "No orders up to the period's end."),
    "no_customers": ("Клиентов в базе пока нет.", "There are no customers in the base yet."),
    "no_segments": ("Сохранённых сегментов нет.", "There are no saved segments."),
    "not_enough_history": (
        "Мало истории: для года нужен год заказов до его начала (заказы с {first}; первый "
        "год, который можно оценить, — {year}).",
        "Not enough history: a year needs a year of orders before it (orders start on {first}; "
        "the first year that can be measured is {year}).",
    ),
}


@dataclass
class Facts:
    items: list[tuple[str, str]]


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)  # right-aligned columns


@dataclass
class Chart:
    svg: str


@dataclass
class Note:
    text: str


@dataclass
class Section:
    id: str
    title: str
    blocks: list


class _Fmt:
    """The formatters of one report: its language and currency bound in."""

    def __init__(self, lang: str, currency: str):
        self.lang, self.currency = lang, currency

    def t(self, key: str, **kw) -> str:
        return label(key, self.lang, **kw)

    def int(self, v) -> str:
        return fmt_int(v, self.lang)

    def money(self, v) -> str:
        return fmt_money(v, self.lang, self.currency)

    def money_short(self, v) -> str:
        return fmt_money_short(v, self.lang, self.currency)

    def pct(self, v) -> str:
        return fmt_pct(v, self.lang)

    def change(self, v) -> str:
        return fmt_change(v, self.lang)

    def month(self, m) -> str:
        return fmt_month(m, self.lang)

    def month_short(self, m) -> str:
        return fmt_month_short(m, self.lang)

    def date(self, d) -> str:
        return fmt_date(d, self.lang)

    def group(self, g) -> str:
        return self.t("none_group") if g is None or g == "—" else str(g)

    def segment(self, name: str) -> str:
        return RFM_RU.get(name, name) if self.lang == "ru" else name

    def empty(self, reason: str, **kw) -> str:
        ru, en = _EMPTY[reason]
        return (ru if self.lang == "ru" else en).format(**kw)

    def yes_no(self, v: bool) -> str:
        return self.t("yes" if v else "no")


def period_text(data: dict, f: _Fmt) -> tuple[str, str]:
    """ "01.10.2025 — 31.12.2025 (квартал)" for the current and previous windows."""
    name = data["period"]["name"]
    if name.endswith("d") and name[:-1].isdigit():
        kind = f.t("period_30d", n=int(name[:-1]))
    else:
        kind = f.t(f"period_{name}")

    def span(w):
        return f"{f.date(w['start'])} — {f.date(w['end'])}"

    return f"{span(data['period']['current'])} ({kind})", span(data["period"]["previous"])


# --- sections as blocks ------------------------------------------------------------------------


def build(data: dict, lang: str) -> list[Section]:
    from clientbase.reports.i18n import currency_sign

    f = _Fmt(lang, currency_sign(data.get("currency")))
    out = []
    for name in data["sections"]:
        section = data.get(name)
        if section is None:
            continue
        blocks = _BUILDERS[name](section, f)
        out.append(Section(name, f.t(f"sec_{name}"), blocks))
    return out


def _empty_blocks(section: dict, f: _Fmt) -> list | None:
    reason = section.get("empty")
    if reason in ("no_orders", "no_customers", "no_orders_yet"):
        return [Note(f.empty(reason))]
    return None


def _base_blocks(s: dict, f: _Fmt) -> list:
    if s.get("empty"):
        return [Note(f.empty(s["empty"]))]
    blocks: list = [
        Facts(
            [
                (f.t("customers"), f.int(s["customers"])),
                (f.t("archived"), f.int(s["archived"])),
                (
                    f.t("new_customers"),
                    f"{f.int(s['new_current'])} ({f.change(s['new_change_pct'])})",
                ),
                (f.t("new_previous"), f.int(s["new_previous"])),
            ]
        )
    ]
    months = s["by_month"]
    blocks.append(
        Chart(
            charts.bar_chart(
                [f.month_short(m["month"]) for m in months],
                [m["new"] for m in months],
                title=f.t("growth_by_month"),
                value_name=f.t("new"),
                value_fmt=f.int,
                axis_fmt=f.int,
                line=[m["total"] for m in months],
                line_name=f.t("base_total"),
                line_fmt=f.int,
            )
        )
    )
    blocks.append(
        Table(
            f.t("growth_by_month"),
            [f.t("month"), f.t("new"), f.t("base_total")],
            [[f.month(m["month"]), f.int(m["new"]), f.int(m["total"])] for m in months],
            [False, True, True],
        )
    )
    blocks.append(
        Table(
            f.t("new_by_source"),
            [f.t("source"), f.t("current"), f.t("before")],
            [
                [f.group(r["source"]), f.int(r["current"]), f.int(r["previous"])]
                for r in s["new_by_source"]
            ]
            or [[f.t("nothing"), "", ""]],
            [False, True, True],
        )
    )
    blocks.append(Note(f.t("first_seen_note")))
    return blocks


def _quality_blocks(s: dict, f: _Fmt) -> list:
    return [
        Facts(
            [
                (f.t("invalid_phones"), f.int(s["invalid_phones"])),
                (f.t("invalid_emails"), f.int(s["invalid_emails"])),
                (f.t("pending_duplicates"), f.int(s["pending_duplicates"])),
                (f.t("without_consent"), f.int(s["without_consent"])),
                (f.t("with_consent"), f.int(s["with_consent"])),
            ]
        ),
        Note(f.t("consent_note")),
    ]


def _sales_blocks(s: dict, f: _Fmt) -> list:
    if (e := _empty_blocks(s, f)) is not None:
        return e
    cur, prev, ch = s["current"], s["previous"], s["change_pct"]
    blocks: list = [
        Table(
            f.t("sales_summary"),
            [f.t("metric"), f.t("current"), f.t("before"), f.t("change")],
            [
                [
                    f.t("revenue"),
                    f.money(cur["revenue"]),
                    f.money(prev["revenue"]),
                    f.change(ch["revenue"]),
                ],
                [
                    f.t("orders"),
                    f.int(cur["orders"]),
                    f.int(prev["orders"]),
                    f.change(ch["orders"]),
                ],
                [
                    f.t("average_check"),
                    f.money(cur["average_check"]),
                    f.money(prev["average_check"]),
                    f.change(ch["average_check"]),
                ],
                [f.t("buyers"), f.int(cur["buyers"]), f.int(prev["buyers"]), ""],
            ],
            [False, True, True, True],
        )
    ]
    if s.get("empty"):
        blocks.append(Note(f.empty(s["empty"])))
    months = s["by_month"]
    blocks.append(
        Chart(
            charts.bar_chart(
                [f.month_short(m["month"]) for m in months],
                [m["revenue"] for m in months],
                title=f.t("revenue_by_month"),
                value_name=f.t("revenue"),
                value_fmt=lambda v: fmt_money_short(v, f.lang, ""),
                axis_fmt=f.money_short,
                line=[m["orders"] for m in months],
                line_name=f.t("orders"),
                line_fmt=f.int,
                tooltips=[
                    f"{f.month(m['month'])}: {f.money(m['revenue'])}, "
                    f"{f.t('orders').lower()} {f.int(m['orders'])}"
                    for m in months
                ],
            )
        )
    )
    blocks.append(
        Table(
            f.t("revenue_by_month"),
            [f.t("month"), f.t("revenue"), f.t("orders"), f.t("average_check")],
            [
                [
                    f.month(m["month"]),
                    f.money(m["revenue"]),
                    f.int(m["orders"]),
                    f.money(m["average_check"]),
                ]
                for m in months
            ],
            [False, True, True, True],
        )
    )
    for key, title, col in (
        ("by_channel", "by_channel", "channel"),
        ("by_manager", "by_manager", "manager"),
    ):
        rows = s[key]
        if key == "by_channel" and rows:
            blocks.append(
                Chart(
                    charts.hbar_chart(
                        [f.group(r[col]) for r in rows],
                        [r["revenue"] for r in rows],
                        title=f"{f.t('revenue')}: {f.t(title).lower()}",
                        value_fmt=f.money_short,
                        tooltips=[f"{f.group(r[col])}: {f.money(r['revenue'])}" for r in rows],
                    )
                )
            )
        blocks.append(
            Table(
                f"{f.t('revenue')}: {f.t(title).lower()}",
                [f.t(col), f.t("revenue"), f.t("orders"), f.t("previous_revenue"), f.t("change")],
                [
                    [
                        f.group(r[col]),
                        f.money(r["revenue"]),
                        f.int(r["orders"]),
                        f.money(r["previous_revenue"]),
                        f.change(r["change_pct"]),
                    ]
                    for r in rows
                ]
                or [[f.t("nothing"), "", "", "", ""]],
                [False, True, True, True, True],
            )
        )
    return blocks


def _abcxyz_blocks(s: dict, f: _Fmt) -> list:
    if (e := _empty_blocks(s, f)) is not None:
        return e
    w = s["window"]
    blocks: list = [
        Facts(
            [
                (f.t("period"), f"{f.date(w['start'])} — {f.date(w['end'])}"),
                (f.t("customers"), f.int(s["customers"])),
                (f.t("revenue"), f.money(s["revenue"])),
            ]
        )
    ]
    if s.get("empty"):
        blocks.append(Note(f.empty(s["empty"])))
        return blocks
    m = s["matrix"]
    xyz = ["X", "Y", "Z"] + (["-"] if any(k.endswith("-") for k in m) else [])
    rows = ["A", "B", "C"]
    cols = [c if c != "-" else f.t("unclassified") for c in xyz]

    def tip(a, x):
        v = m[a + x]
        return (
            f"{a}{x}: {f.t('customers').lower()} {f.int(v['customers'])} "
            f"({f.pct(v['share_customers'])}), {f.t('revenue').lower()} "
            f"{f.money(v['revenue'])} ({f.pct(v['share_revenue'])})"
        )

    blocks.append(
        Chart(
            charts.heatmap(
                rows,
                cols,
                [[m[a + x]["share_revenue"] for x in xyz] for a in rows],
                title=f.t("abc_matrix"),
                cell_fmt=lambda v: "",
                labels=[
                    [
                        f"{f.int(m[a + x]['customers'])}\n{f.pct(m[a + x]['share_revenue'])}"
                        for x in xyz
                    ]
                    for a in rows
                ],
                tooltips=[[tip(a, x) for x in xyz] for a in rows],
                row_title="ABC",
                col_title="XYZ",
                cell=84,
                row_label_width=40,
            )
        )
    )
    blocks.append(
        Table(
            f.t("abc_matrix"),
            [
                f.t("cell"),
                f.t("customers"),
                f.t("share_customers"),
                f.t("revenue"),
                f.t("share_revenue"),
            ],
            [
                [
                    k if not k.endswith("-") else f"{k[0]} ({f.t('unclassified')})",
                    f.int(v["customers"]),
                    f.pct(v["share_customers"]),
                    f.money(v["revenue"]),
                    f.pct(v["share_revenue"]),
                ]
                for k, v in m.items()
            ],
            [False, True, True, True, True],
        )
    )
    if s["by_manager"]:
        blocks.append(
            Table(
                f.t("portfolio"),
                [f.t("manager"), "A", "B", "C", f.t("customers"), f.t("revenue")],
                [
                    [
                        f.group(r["manager"]),
                        f.int(r["A"]),
                        f.int(r["B"]),
                        f.int(r["C"]),
                        f.int(r["customers"]),
                        f.money(r["revenue"]),
                    ]
                    for r in s["by_manager"]
                ],
                [False, True, True, True, True, True],
            )
        )
    blocks.extend(Note(n) for n in _abc_rules(s, f))
    return blocks


def _abc_rules(s: dict, f: _Fmt) -> list[str]:
    """How the classes were drawn. English: the analysis's own words; Russian: the same rules
    retold from its parameters (the analysis speaks English only)."""
    if f.lang != "ru":
        return [f"{f.t('rules')}: {s['rules']}", *s.get("notes", [])]
    p = s["params"]
    a, b = (fmt_num(v, "ru", 0) for v in p["abc"])
    x, y = (fmt_num(v, "ru", 0) for v in p["xyz"])
    unit = {"week": "недель", "month": "месяцев", "quarter": "кварталов"}[p["period"]]
    per = {"week": "понедельной", "month": "помесячной", "quarter": "поквартальной"}[p["period"]]
    lines = [
        f"Правила: ABC по выручке — A до {a} %, B до {b} % накопленной выручки, C — остальные "
        f"(клиент, пересекающий границу, остаётся в верхнем классе); XYZ по коэффициенту "
        f"вариации {per} выручки за полные периоды окна — X ≤ {x} %, Y ≤ {y} %, Z — выше; "
        f"меньше {p['min_periods']} активных {unit} — без XYZ."
    ]
    if p["period"] in ("week", "month") and p["xyz"][1] <= 25:
        lines.append(
            f"Пороги XYZ {x} / {y} % взяты из годовых данных: на {per} выручке почти все "
            "розничные клиенты попадают в Z, лучше подходят 50 / 100 % "
            "(analyze abc-xyz --xyz 50,100)."
        )
    return lines


_CLASS_RANK = {"A": 0, "B": 1, "C": 2}


def _move_hue(src: str, dst: str) -> str:
    if src == "new":
        return charts.GREEN
    if dst == "gone":
        return charts.RED
    if src == dst:
        return charts.BLUE
    return charts.GREEN if _CLASS_RANK[dst] < _CLASS_RANK[src] else charts.RED


def _migrations_blocks(s: dict, f: _Fmt) -> list:
    if (e := _empty_blocks(s, f)) is not None:
        return e
    blocks: list = [
        Facts(
            [
                (f.t("from"), f"{f.date(s['from']['start'])} — {f.date(s['from']['end'])}"),
                (f.t("to"), f"{f.date(s['to']['start'])} — {f.date(s['to']['end'])}"),
                (f.t("a_lost"), f.int(s["a_lost"])),
                (f.t("a_gained"), f.int(s["a_gained"])),
            ]
        )
    ]
    if s.get("empty"):
        blocks.append(Note(f.empty(s["empty"])))
        return blocks
    m = s["matrix"]
    froms, tos = ["A", "B", "C", "new"], ["A", "B", "C", "gone"]

    def name(c):
        return {"new": f.t("new_class"), "gone": f.t("gone")}.get(c, c)

    blocks.append(
        Chart(
            charts.heatmap(
                [name(x) for x in froms],
                [name(x) for x in tos],
                [
                    [m[a][b] if not (a == "new" and b == "gone") else None for b in tos]
                    for a in froms
                ],
                title=f.t("migration_chart"),
                cell_fmt=lambda v: "" if v is None else f.int(v),
                tooltips=[[f"{name(a)} → {name(b)}: {f.int(m[a][b])}" for b in tos] for a in froms],
                hues=[[_move_hue(a, b) for b in tos] for a in froms],
                row_title=f.t("from"),
                col_title=f.t("to"),
                cell=72,
            )
        )
    )
    blocks.append(
        Table(
            f.t("migration_matrix"),
            [f"{f.t('from')} \\ {f.t('to')}", *[name(b) for b in tos]],
            [[name(a), *[f.int(m[a][b]) for b in tos]] for a in froms],
            [False, True, True, True, True],
        )
    )
    blocks.append(Note(f.t("migration_colors")))
    if s["by_manager"]:
        blocks.append(
            Table(
                f.t("moves_per_manager"),
                [
                    f.t("manager"),
                    f.t("a_lost"),
                    f.t("a_gained"),
                    f.t("a_stayed"),
                    f.t("moved_up"),
                    f.t("moved_down"),
                    f.t("new_class"),
                    f.t("gone"),
                ],
                [
                    [
                        f.group(r["manager"]),
                        f.int(r["a_lost"]),
                        f.int(r["a_gained"]),
                        f.int(r["a_stayed"]),
                        f.int(r["moved_up"]),
                        f.int(r["moved_down"]),
                        f.int(r["new"]),
                        f.int(r["gone"]),
                    ]
                    for r in s["by_manager"]
                ],
                [False, True, True, True, True, True, True, True],
            )
        )
    return blocks


def _rfm_blocks(s: dict, f: _Fmt) -> list:
    if (e := _empty_blocks(s, f)) is not None:
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
                    _delta(r["customers"] - r["previous_customers"], f),
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


def _delta(n: int, f: _Fmt) -> str:
    if n == 0:
        return "0"
    return ("+" if n > 0 else "−") + f.int(abs(n))


def _ltv_blocks(s: dict, f: _Fmt) -> list:
    if (e := _empty_blocks(s, f)) is not None:
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


def _churn_blocks(s: dict, f: _Fmt) -> list:
    if (e := _empty_blocks(s, f)) is not None:
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


def _segments_blocks(s: dict, f: _Fmt) -> list:
    if s.get("empty"):
        return [Note(f.empty(s["empty"]))]
    rows = s["segments"]
    sized = [r for r in rows if r["size"] is not None]
    blocks: list = []
    if sized:
        blocks.append(
            Chart(
                charts.hbar_chart(
                    [r["name"] for r in sized],
                    [r["size"] for r in sized],
                    title=f.t("segment_sizes"),
                    value_fmt=f.int,
                    tooltips=[
                        f"{r['name']}: {f.int(r['size'])} ({r['expression']})" for r in sized
                    ],
                    color=charts.ORANGE,
                )
            )
        )
    blocks.append(
        Table(
            f.t("segment_sizes"),
            [f.t("segment"), f.t("size"), f.t("size_before"), f.t("change")],
            [
                [
                    r["name"],
                    f.int(r["size"]),
                    f.int(r["previous_size"]),
                    "—" if r["change"] is None else _delta(r["change"], f),
                ]
                for r in rows
            ],
            [False, True, True, True],
        )
    )
    blocks.append(Note(f.t("segments_note")))
    blocks.extend(Note(f"{r['name']}: {r['error']}") for r in rows if r.get("error"))
    return blocks


def _followups_blocks(s: dict, f: _Fmt) -> list:
    bdays = s["birthdays"]
    due = s["due"]
    return [
        Table(
            f.t("birthdays", n=s["birthday_days"]),
            [f.t("date"), f.t("name"), f.t("age"), f.t("phone")],
            [
                [
                    f.date(b.get("date")),
                    b.get("name") or "",
                    f.int(b.get("age")) if b.get("age") else "",
                    b.get("phone") or "",
                ]
                for b in bdays
            ]
            or [[f.t("nothing"), "", "", ""]],
            [False, False, True, False],
        ),
        Table(
            f.t("followups_due"),
            [f.t("due"), f.t("name"), f.t("phone"), f.t("what")],
            [
                [
                    f.date(r["due"]) + (f" ({f.t('overdue')})" if r["overdue"] else ""),
                    r["name"] or "",
                    r["phone"] or "",
                    r["what"] or "",
                ]
                for r in due
            ]
            or [[f.t("nothing"), "", "", ""]],
            [False, False, False, False],
        ),
    ]


def _calls_blocks(s: dict, f: _Fmt) -> list:
    rows = s["numbers"]
    return [
        Facts(
            [
                (f.t("missed_waiting"), f.int(s["waiting"])),
                (f.t("missed_not_tried"), f.int(s["not_called_back"])),
            ]
        ),
        Table(
            f"{f.t('missed_waiting')} ({f.t('calls_since', date=f.date(s['since']))})",
            [f.t("name"), f.t("phone"), f.t("missed"), f.t("last_missed"), f.t("called_back")],
            [
                [
                    r["name"] or "",
                    r["phone"],
                    f.int(r["missed"]),
                    f.date(r["last_missed"]),
                    f.yes_no(r["called_back"]),
                ]
                for r in rows
            ]
            or [[f.t("nothing"), "", "", "", ""]],
            [False, False, True, False, False],
        ),
    ]


_BUILDERS = {
    "base": _base_blocks,
    "quality": _quality_blocks,
    "sales": _sales_blocks,
    "abcxyz": _abcxyz_blocks,
    "migrations": _migrations_blocks,
    "rfm": _rfm_blocks,
    "ltv": _ltv_blocks,
    "churn": _churn_blocks,
    "segments": _segments_blocks,
    "followups": _followups_blocks,
    "calls": _calls_blocks,
}


# --- writers -----------------------------------------------------------------------------------


def render(data: dict, fmt: str, lang: str, *, color: bool = False, width: int = 120) -> str:
    if fmt == "json":
        return render_json(data)
    if fmt == "md":
        return render_md(data, lang)
    if fmt == "html":
        return render_html(data, lang)
    return render_text(data, lang, color=color, width=width)


def render_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _header(data: dict, lang: str) -> tuple[str, list[tuple[str, str]]]:
    from clientbase.reports.i18n import currency_sign

    f = _Fmt(lang, currency_sign(data.get("currency")))
    current, previous = period_text(data, f)
    return f.t("report_title"), [
        (f.t("period"), current),
        (f.t("previous"), previous),
        (f.t("report_day"), f.date(data["as_of"])),
        (f.t("generated"), f.date(data["generated_at"])),
    ]


def render_text(data: dict, lang: str, *, color: bool = False, width: int = 120) -> str:
    """Rich tables and panels, captured as text (with colours only when ``color``)."""
    import io

    from rich import box
    from rich.console import Console
    from rich.measure import Measurement
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table as RichTable
    from rich.text import Text

    buf = io.StringIO()
    con = Console(
        file=buf,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    title, meta = _header(data, lang)
    head = Text(title, style="bold")
    for k, v in meta:
        head.append(f"\n{k}: ", style="dim")
        head.append(v)
    con.print(Panel(head, box=box.ROUNDED, expand=False))
    for section in build(data, lang):
        con.print()
        con.print(Rule(Text(section.title, style="bold cyan"), align="left"))
        for block in section.blocks:
            if isinstance(block, Facts):
                grid = RichTable.grid(padding=(0, 2))
                grid.add_column(style="dim")
                grid.add_column(justify="right", style="bold")
                for k, v in block.items:
                    grid.add_row(Text(k), Text(v))
                con.print(grid)
            elif isinstance(block, Table):
                t = RichTable(
                    title=Text(block.title, style="italic"),
                    box=box.SIMPLE_HEAD,
                    header_style="bold",
                    title_justify="left",
                )
                for i, c in enumerate(block.columns):
                    right = block.numeric[i] if i < len(block.numeric) else False
                    # Figures never break across lines; names and notes fold.
                    t.add_column(
                        Text(c),
                        justify="right" if right else "left",
                        overflow="fold",
                        no_wrap=right or i == 0,
                    )
                for row in block.rows:
                    t.add_row(*(Text(c) for c in row))
                # A table wider than the console is printed whole (a mail client or `less -S`
                # shows it), not cropped: a cut-off figure is worse than a long line.
                need = Measurement.get(con, con.options, t).maximum
                con.print(t, width=max(need, width))
            elif isinstance(block, Note):
                con.print(Text(block.text, style="dim"))
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def render_md(data: dict, lang: str) -> str:
    """Markdown for a mail body or a wiki: a heading per section, GitHub-style tables."""
    title, meta = _header(data, lang)
    lines = [f"# {title}", ""]
    lines += [f"- **{k}:** {_md_cell(v)}" for k, v in meta]
    for section in build(data, lang):
        lines += ["", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Facts):
                lines += [f"- {_md_cell(k)}: **{_md_cell(v)}**" for k, v in block.items]
                lines.append("")
            elif isinstance(block, Table):
                lines.append(f"**{_md_cell(block.title)}**")
                lines.append("")
                lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
                aligns = [
                    "---:" if (block.numeric[i] if i < len(block.numeric) else False) else "---"
                    for i in range(len(block.columns))
                ]
                lines.append("| " + " | ".join(aligns) + " |")
                for row in block.rows:
                    lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
                lines.append("")
            elif isinstance(block, Note):
                lines += [f"_{_md_cell(block.text)}_", ""]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
:root{--ink:#1f2933;--muted:#66707a;--line:#dde3e8;--bg:#f6f8fa;--accent:#2f6fb3}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:980px;margin:0 auto;padding:16px}
header{border-bottom:3px solid var(--accent);padding-bottom:8px;margin-bottom:12px}
h1{font-size:1.55em;margin:.2em 0}
h2{font-size:1.25em;margin:1.6em 0 .5em;padding-top:.4em;border-top:1px solid var(--line)}
h3{font-size:1em;margin:1em 0 .4em;color:var(--muted)}
.meta{margin:0;color:var(--muted)}
.meta dt{display:inline;font-weight:600}
.meta dd{display:inline;margin:0 1em 0 .3em;white-space:nowrap}
nav{background:var(--bg);border-radius:6px;padding:8px 14px;margin:12px 0}
nav ol{margin:.3em 0;padding-left:1.4em;columns:2;column-gap:2em}
nav a{color:var(--accent);text-decoration:none}
.facts{display:flex;flex-wrap:wrap;gap:8px;margin:.6em 0}
.fact{background:var(--bg);border-radius:6px;padding:8px 12px;min-width:140px;flex:1 1 140px}
.fact .k{display:block;color:var(--muted);font-size:.85em}
.fact .v{display:block;font-size:1.2em;font-weight:600;overflow-wrap:anywhere}
.chart-box{overflow-x:auto;margin:.6em 0 .2em}
svg.chart{display:block;font-family:inherit}
svg.chart.narrow{display:none}
@media (max-width:720px){svg.chart.wide{display:none} svg.chart.narrow{display:block}}
.table-box{overflow-x:auto;margin:.3em 0 .8em}
table{border-collapse:collapse;font-size:.92em;min-width:50%}
caption{text-align:left;font-weight:600;color:var(--muted);padding:4px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
.note{color:var(--muted);font-size:.88em;margin:.4em 0}
footer{color:var(--muted);font-size:.8em;margin-top:2em;border-top:1px solid var(--line);padding-top:6px}
@media (max-width:600px){
 body{font-size:14px} main{padding:10px} nav ol{columns:1}
 th,td{padding:3px 6px} .fact{min-width:120px}
 .meta dt{display:block} .meta dd{display:block;margin:0 0 .3em;white-space:normal}
}
@media print{
 svg.chart.wide{display:block!important} svg.chart.narrow{display:none!important}
 body{font-size:11pt} main{max-width:none;padding:0} nav{display:none}
 h2{break-before:auto;break-after:avoid} .chart-box,.table-box,table,svg{break-inside:avoid}
 .chart-box,.table-box{overflow:visible} svg.chart{min-width:0!important;max-width:100%!important}
 a{color:inherit;text-decoration:none}
}
"""


def render_html(data: dict, lang: str) -> str:
    """One self-contained page: inline CSS and SVG, no script, nothing fetched."""
    title, meta = _header(data, lang)
    sections = build(data, lang)
    e = escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} — {e(meta[0][1])}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        '<dl class="meta">'
        + "".join(f"<dt>{e(k)}:</dt><dd>{e(v)}</dd>" for k, v in meta)
        + "</dl>",
        "</header>",
        f'<nav aria-label="{e(label("contents", lang))}"><strong>{e(label("contents", lang))}</strong><ol>'
        + "".join(f'<li><a href="#{s.id}">{e(s.title)}</a></li>' for s in sections)
        + "</ol></nav>",
    ]
    for s in sections:
        out.append(f'<section id="{s.id}" aria-labelledby="{s.id}-h">')
        out.append(f'<h2 id="{s.id}-h">{e(s.title)}</h2>')
        for block in s.blocks:
            if isinstance(block, Facts):
                out.append(
                    '<div class="facts">'
                    + "".join(
                        f'<div class="fact"><span class="k">{e(k)}</span>'
                        f'<span class="v">{e(v)}</span></div>'
                        for k, v in block.items
                    )
                    + "</div>"
                )
            elif isinstance(block, Chart):
                out.append(f'<div class="chart-box">{block.svg}</div>')
            elif isinstance(block, Table):
                out.append(_html_table(block))
            elif isinstance(block, Note):
                out.append(f'<p class="note">{e(block.text)}</p>')
        out.append("</section>")
    out += [
        f"<footer>clientbase · {e(meta[-1][0])} {e(meta[-1][1])}</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _html_table(block: Table) -> str:
    e = escape

    def cls(i):
        return ' class="n"' if i < len(block.numeric) and block.numeric[i] else ""

    head = "".join(f'<th scope="col"{cls(i)}>{e(c)}</th>' for i, c in enumerate(block.columns))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in block.rows
    )
    return (
        f'<div class="table-box"><table><caption>{e(block.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
