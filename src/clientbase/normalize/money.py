"""Amounts as people type them: "1 234,50 ₽", "1,234.50", "12 345 руб.", "-500", Excel numbers."""

from __future__ import annotations

import re

from clientbase.i18n import _

_CURRENCY = re.compile(r"(₽|руб\.?|р\.|rub|rur|\$|€|usd|eur|тг|₸|kzt|byn|br)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # thousands separators: space, nbsp, thin space, '


def parse_amount(value) -> float:
    """A number, or ValueError with the reason. A comma alone is a decimal comma (Russian
    habit); with both, the last one is the decimal mark ("1,234.50" and "1.234,50")."""
    if isinstance(value, bool):
        raise ValueError(_("not an amount"))
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        raise ValueError("empty")
    negative = text.startswith("(") and text.endswith(")")  # accounting negatives: (500)
    text = _CURRENCY.sub("", text.strip("()"))
    text = _SPACES.sub("", text).replace("−", "-").replace("–", "-")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")  # 1,234,567
    try:
        amount = float(text)
    except ValueError:
        raise ValueError(_("not an amount: {value}").format(value=repr(value))) from None
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise ValueError(_("not an amount: {value}").format(value=repr(value)))
    return -amount if negative else amount
