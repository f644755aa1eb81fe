"""The report's sections as blocks (facts, tables, charts, notes) whose cells are formatted text.

A figure is formatted here once, so it reads the same in text, Markdown and HTML: the writers
(``text``, ``markdown``, ``html_page``) only lay the blocks out, and JSON is the collected dict
itself. Charts exist in HTML only (a terminal or a mail body has no room for them); their numbers
are in the table that follows each chart. This module holds the blocks, the formatters of one
report and the builders of the base, sales and to-do sections; the customer-value sections
(RFM, LTV, churn) are in ``value_sections`` and the order of a report in ``contents``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clientbase.reports import charts
from clientbase.reports.i18n import (
    currency_sign,
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


class Fmt:
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


def period_text(data: dict, f: Fmt) -> tuple[str, str]:
    """ "01.10.2025 — 31.12.2025 (квартал)" for the current and previous windows."""
    name = data["period"]["name"]
    if name.endswith("d") and name[:-1].isdigit():
        kind = f.t("period_30d", n=int(name[:-1]))
    else:
        kind = f.t(f"period_{name}")

    def span(w):
        return f"{f.date(w['start'])} — {f.date(w['end'])}"

    return f"{span(data['period']['current'])} ({kind})", span(data["period"]["previous"])


def empty_blocks(section: dict, f: Fmt) -> list | None:
    reason = section.get("empty")
    if reason in ("no_orders", "no_customers", "no_orders_yet"):
        return [Note(f.empty(reason))]
    return None


def delta(n: int, f: Fmt) -> str:
    if n == 0:
        return "0"
    return ("+" if n > 0 else "−") + f.int(abs(n))


def header(data: dict, lang: str) -> tuple[str, list[tuple[str, str]]]:
    f = Fmt(lang, currency_sign(data.get("currency")))
    current, previous = period_text(data, f)
    return f.t("report_title"), [
        (f.t("period"), current),
        (f.t("previous"), previous),
        (f.t("report_day"), f.date(data["as_of"])),
        (f.t("generated"), f.date(data["generated_at"])),
    ]


# --- sections as blocks ------------------------------------------------------------------------


def base_blocks(s: dict, f: Fmt) -> list:
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


def quality_blocks(s: dict, f: Fmt) -> list:
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


def sales_blocks(s: dict, f: Fmt) -> list:
    if (e := empty_blocks(s, f)) is not None:
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


def abcxyz_blocks(s: dict, f: Fmt) -> list:
    if (e := empty_blocks(s, f)) is not None:
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


def _abc_rules(s: dict, f: Fmt) -> list[str]:
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


def migrations_blocks(s: dict, f: Fmt) -> list:
    if (e := empty_blocks(s, f)) is not None:
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


def segments_blocks(s: dict, f: Fmt) -> list:
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
                    "—" if r["change"] is None else delta(r["change"], f),
                ]
                for r in rows
            ],
            [False, True, True, True],
        )
    )
    blocks.append(Note(f.t("segments_note")))
    blocks.extend(Note(f"{r['name']}: {r['error']}") for r in rows if r.get("error"))
    return blocks


def followups_blocks(s: dict, f: Fmt) -> list:
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


def calls_blocks(s: dict, f: Fmt) -> list:
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
