"""What a report holds: its sections, and the flat metrics a ``--fail-if`` condition reads."""

from __future__ import annotations

from clientbase.errors import UsageError
from clientbase.i18n import N_, _

BIRTHDAY_DAYS = 7  # the followups section lists the birthdays of this many days

SECTIONS = (
    "base",
    "quality",
    "sales",
    "abcxyz",
    "migrations",
    "rfm",
    "ltv",
    "churn",
    "segments",
    "followups",
    "calls",
)


def parse_sections(text: str | None) -> list[str]:
    """``base,sales`` -> the sections in the report's own order; None or ``all`` -> all."""
    if not text or text.strip().lower() == "all":
        return list(SECTIONS)
    asked = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [s for s in asked if s not in SECTIONS]
    if unknown:
        raise UsageError(
            _("--sections: unknown section(s) {unknown}").format(unknown=", ".join(unknown)),
            hint=_("choose from {sections}").format(sections=", ".join(SECTIONS)),
        )
    return [s for s in SECTIONS if s in asked]


METRICS: dict[str, tuple[str, str]] = {
    "customers": ("base", N_("customers in the base")),
    "new_customers": ("base", N_("customers who appeared in the period")),
    "invalid_phones": ("quality", N_("phones that are not valid numbers")),
    "invalid_emails": ("quality", N_("emails that are not valid addresses")),
    "pending_duplicates": ("quality", N_("possible duplicates waiting for review")),
    "without_consent": ("quality", N_("reachable active customers without marketing consent")),
    "revenue": ("sales", N_("revenue in the period")),
    "orders": ("sales", N_("orders in the period")),
    "average_check": ("sales", N_("average order value in the period")),
    "revenue_change_pct": ("sales", N_("revenue against the previous period, %")),
    "a_customers": ("abcxyz", N_("A customers in the period")),
    "a_lost": ("migrations", N_("A customers of the previous period now B, C or gone")),
    "a_gained": ("migrations", N_("customers now A who were not A before")),
    "avg_ltv": ("ltv", N_("average historical LTV")),
    "base_loss_rate": ("churn", N_("base loss in the last complete year, %")),
    "segments_total": ("segments", N_("customers in the saved segments, summed")),
    "due_followups": ("followups", N_("follow-ups due by the report's day")),
    "birthdays_upcoming": ("followups", N_("birthdays in the next {days} days")),
    "missed_calls_waiting": ("calls", N_("numbers with a missed call and no conversation since")),
    "missed_calls_without_callback": (
        "calls",
        N_("of them, numbers nobody even tried to call back"),
    ),
}


def metrics(data: dict) -> dict:
    """The flat figures of the collected sections (a section not collected gives none)."""
    out: dict = {}

    def has(name):
        return name in data and isinstance(data[name], dict)

    if has("base"):
        out["customers"] = data["base"]["customers"]
        out["new_customers"] = data["base"]["new_current"]
    if has("quality"):
        for k in ("invalid_phones", "invalid_emails", "pending_duplicates", "without_consent"):
            out[k] = data["quality"][k]
    if has("sales"):
        s = data["sales"]
        cur = s.get("current", {})
        out["revenue"] = cur.get("revenue", 0.0)
        out["orders"] = cur.get("orders", 0)
        out["average_check"] = cur.get("average_check")
        out["revenue_change_pct"] = s.get("change_pct", {}).get("revenue")
    if has("abcxyz"):
        m = data["abcxyz"].get("matrix", {})
        out["a_customers"] = sum(v["customers"] for k, v in m.items() if k.startswith("A"))
    if has("migrations"):
        out["a_lost"] = data["migrations"].get("a_lost", 0)
        out["a_gained"] = data["migrations"].get("a_gained", 0)
    if has("ltv"):
        out["avg_ltv"] = data["ltv"].get("avg_ltv")
    if has("churn"):
        out["base_loss_rate"] = data["churn"].get("base_loss_rate")
    if has("segments"):
        out["segments_total"] = sum(s.get("size") or 0 for s in data["segments"]["segments"])
    if has("followups"):
        out["due_followups"] = len(data["followups"]["due"])
        out["birthdays_upcoming"] = len(data["followups"]["birthdays"])
    if has("calls"):
        out["missed_calls_waiting"] = data["calls"]["waiting"]
        out["missed_calls_without_callback"] = data["calls"]["not_called_back"]
    return out


def sections_for(names: list[str]) -> list[str]:
    """The sections that give these metrics."""
    return [s for s in SECTIONS if any(METRICS[n][0] == s for n in names if n in METRICS)]


def meaning(name: str) -> str:
    """What metric ``name`` counts, in the language of the messages (for `report --metrics`)."""
    return _(METRICS[name][1]).format(days=BIRTHDAY_DAYS)
