"""Which currency the base's money is in, for showing amounts to people."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from clientbase.db.models import orders
from clientbase.reports.i18n import DEFAULT_CURRENCY
from clientbase.reports.i18n import currency_sign as sign_of


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


def base_currency(engine: Engine) -> str:
    """The code of the currency amounts are shown in: the one most orders are in, else roubles
    (``DEFAULT_CURRENCY``)."""
    return main_currency(engine) or DEFAULT_CURRENCY


def currency_sign(engine: Engine) -> str:
    """The sign amounts are shown with (of ``base_currency``)."""
    return sign_of(base_currency(engine))
