"""Which currency the base's money is in, for showing amounts to people."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from clientbase.db.models import orders

CURRENCY_SIGNS = {
    "RUB": "₽", "RUR": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UAH": "₴",
    "GBP": "£", "CNY": "¥",
}  # fmt: skip


def main_currency(engine: Engine) -> str | None:
    """The currency most orders are in, as recorded; None when no order names one."""
    with engine.connect() as conn:
        row = conn.execute(
            select(orders.c.currency, func.count())
            .where(orders.c.currency.is_not(None))
            .group_by(orders.c.currency)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    return row[0] if row else None


def currency_sign(engine: Engine) -> str:
    """The sign of the currency most orders are in; roubles when none is recorded (the base is
    made for shops in Russia and the CIS, whose exports rarely name the currency)."""
    code = main_currency(engine)
    if code is None:
        return "₽"
    return CURRENCY_SIGNS.get(code.upper(), code.upper())
