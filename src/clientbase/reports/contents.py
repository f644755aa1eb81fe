"""What a report contains: its sections, in the order asked for, each as blocks."""

from __future__ import annotations

from clientbase.reports.i18n import currency_sign
from clientbase.reports.sections import (
    Fmt,
    Section,
    abcxyz_blocks,
    base_blocks,
    calls_blocks,
    followups_blocks,
    migrations_blocks,
    quality_blocks,
    sales_blocks,
    segments_blocks,
)
from clientbase.reports.value_sections import churn_blocks, ltv_blocks, rfm_blocks

_BUILDERS = {
    "base": base_blocks,
    "quality": quality_blocks,
    "sales": sales_blocks,
    "abcxyz": abcxyz_blocks,
    "migrations": migrations_blocks,
    "rfm": rfm_blocks,
    "ltv": ltv_blocks,
    "churn": churn_blocks,
    "segments": segments_blocks,
    "followups": followups_blocks,
    "calls": calls_blocks,
}


def build(data: dict, lang: str) -> list[Section]:
    f = Fmt(lang, currency_sign(data.get("currency")))
    out = []
    for name in data["sections"]:
        section = data.get(name)
        if section is None:
            continue
        blocks = _BUILDERS[name](section, f)
        out.append(Section(name, f.t(f"sec_{name}"), blocks))
    return out
