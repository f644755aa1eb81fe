#!/usr/bin/env python3
"""Generate a large sales export (order lines) for benchmarking the orders import and ABC/XYZ.

    python benchmarks/generate_orders.py 1000000 /tmp/orders.csv --customers 100000 --seed 1

It writes what a 1C or online-store report saves as CSV: ``;``-delimited, UTF-8, CRLF, one row per
order line, sorted by date. The columns are
``Дата;Номер заказа;Код клиента;Клиент;Телефон;Товар;Категория;Кол-во;Сумма;Себестоимость;
Менеджер;Канал;Статус``.

* **Orders.** About 1.3 lines per order: 80 % of the orders have one line, the rest 2-4. The lines
  of one order are adjacent and share the date, order number, customer, manager, channel and
  status. The dates cover 2024-01-01 .. 2025-12-31, with more sales in November and December and
  fewer on weekends, and the second year a little busier than the first.
* **Customers.** Every row has a client code (``К-000123``). A customer's name, phone, manager
  and preferred channel are derived from their code, so they are the same on all their rows.
  How often a customer buys is skewed (Zipf-like): the busiest customer places about 0.1 % of all
  orders and the top 20 % about 70 %, while many customers buy once or twice. Codes are shuffled,
  so the busy customers are not the low codes.
* **Phones.** 80 % of the customers have one (mobile, or a city number for a few), written in the
  customer's own format (``8 (916) 123-45-67``, ``+7 916 123 45 67``, ``89161234567``, ...). An
  order shows it 7 times in 8, so about 70 % of the rows have a phone.
* **Money.** Quantity 1-5, the amount is price x quantity (less a discount on some lines), written
  as ``12 500,00 руб.``, ``12500``, ``12500,00`` or ``12 500 ₽``. The cost is 55-65 % of the
  amount. Status: ``Выполнен``, about 3 % of the orders ``Отменён`` and 1 % ``Возврат``.

Phone numbers come from the bijections of ``generate_contacts.py``, so two customers never share
one; a correct import of a fresh database gives ``rows_read = lines``, ``created = orders``,
``duplicates = lines - orders`` (lines folded into their order), ``rejected = 0`` and
``customers_created = customers`` (those that appear in the file). The generator prints these
counts to stderr. The output is deterministic for a given seed; memory is constant in the number
of lines (a cache of the customers that appeared, proportional to ``--customers``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from bisect import bisect
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_contacts import (  # noqa: E402  (sibling script, not a package)
    CITY_SPACE,
    MOBILE_SPACE,
    N_COMBOS,
    N_PHONE_FORMATS,
    fmt_phone,
    identity,
    mix,
    number_in,
    weyl_multiplier,
    write_batches,
)

HEADER = (
    "Дата;Номер заказа;Код клиента;Клиент;Телефон;Товар;Категория;Кол-во;Сумма;Себестоимость;"
    "Менеджер;Канал;Статус"
)
NEWLINE = "\r\n"
BATCH = 5_000
FIRST_DAY, N_DAYS = date(2024, 1, 1), 731  # 2024-01-01 .. 2025-12-31
FIRST_ORDER_NO = 100_001

# (product, category, price in roubles)
PRODUCTS = (
    ("Смартфон Galaxy A35", "Электроника", 27990),
    ("Смартфон Redmi Note 13", "Электроника", 18490),
    ("Наушники беспроводные", "Электроника", 3990),
    ("Умные часы", "Электроника", 8990),
    ("Планшет 10.1", "Электроника", 21990),
    ("Powerbank 20000 мАч", "Электроника", 2490),
    ("Кабель USB-C", "Электроника", 490),
    ("Чехол для телефона", "Аксессуары", 790),
    ("Защитное стекло", "Аксессуары", 590),
    ("Зарядное устройство 65 Вт", "Аксессуары", 1990),
    ("Рюкзак городской", "Аксессуары", 3490),
    ("Пылесос робот", "Бытовая техника", 24990),
    ("Кофемашина", "Бытовая техника", 45990),
    ("Чайник электрический", "Бытовая техника", 2990),
    ("Микроволновая печь", "Бытовая техника", 8490),
    ("Утюг с парогенератором", "Бытовая техника", 12500),
    ("Блендер", "Бытовая техника", 4590),
    ("Сковорода 28 см", "Посуда", 2290),
    ("Набор кастрюль", "Посуда", 6990),
    ("Термокружка", "Посуда", 1190),
    ("Постельное бельё евро", "Текстиль", 4490),
    ("Плед флисовый", "Текстиль", 1590),
    ("Подушка ортопедическая", "Текстиль", 3290),
    ("Крем для лица", "Красота", 1290),
    ("Фен для волос", "Красота", 5990),
    ("Электрическая зубная щётка", "Красота", 3790),
    ("Конструктор", "Детские товары", 3990),
    ("Детский самокат", "Детские товары", 5490),
    ("Коврик для йоги", "Спорт", 1490),
    ("Гантели 2 x 5 кг", "Спорт", 3190),
    ("Велосипед горный", "Спорт", 32990),
    ("Услуга доставки", "Услуги", 390),
    ("Установка и настройка", "Услуги", 1500),
)
MANAGERS = (
    ("Иванова Анна",) * 6
    + ("Петров Сергей",) * 5
    + ("Смирнова Ольга",) * 5
    + ("Кузнецов Дмитрий",) * 4
    + ("Соколова Мария",) * 4
    + ("Волков Алексей",) * 3
    + ("Морозова Екатерина",) * 3
    + ("Лебедев Игорь",) * 2
    + ("Новикова Татьяна",) * 2
    + ("Фёдоров Павел",)
)
N_MANAGERS = len(set(MANAGERS))
CHANNELS = (
    ("Сайт",) * 8
    + ("Маркетплейс",) * 5
    + ("Розничный магазин",) * 4
    + ("Телефон",) * 3
    + ("Мессенджеры",) * 2
    + ("Оптовый отдел",)
)
N_CHANNELS = len(set(CHANNELS))
DONE, CANCELLED, RETURNED = "Выполнен", "Отменён", "Возврат"
CANCEL_RATE, RETURN_RATE = 0.03, 0.01
LINES_PER_ORDER = (1,) * 80 + (2,) * 12 + (3,) * 5 + (4,) * 3  # 1.31 on average
QUANTITIES = (1,) * 50 + (2,) * 25 + (3,) * 12 + (4,) * 8 + (5,) * 5
DISCOUNTS = (100,) * 17 + (95, 90, 85)  # per cent of the price paid
PHONE_SHARE, PHONE_SHOWN = 0.80, 0.875  # customers with a phone; orders that show it
CITY_PHONE_SHARE = 0.08
# busiest month last: the shop's seasons
MONTH_WEIGHT = (0.80, 0.85, 1.00, 0.95, 0.90, 0.85, 0.85, 0.90, 1.00, 1.05, 1.25, 1.45)
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.05, 0.85, 0.70)
ZIPF_S = 0.9  # weight of the customer of rank r: (r + r0) ** -ZIPF_S, r0 = customers / 1000


def day_table() -> tuple[list[str], list[float]]:
    """The dates as dd.mm.yyyy and the cumulative share of the sales up to each day."""
    labels, weights = [], []
    for i in range(N_DAYS):
        d = FIRST_DAY + timedelta(days=i)
        labels.append(f"{d.day:02d}.{d.month:02d}.{d.year}")
        growth = 1.0 if d.year == FIRST_DAY.year else 1.15
        weights.append(MONTH_WEIGHT[d.month - 1] * WEEKDAY_WEIGHT[d.weekday()] * growth)
    total = sum(weights)
    cum = [w / total for w in accumulate(weights)]
    cum[-1] = 1.0
    return labels, cum


def money(kopecks: int, style: int) -> str:
    """An amount as people and programs write it."""
    rub, kop = divmod(kopecks, 100)
    if style < 45:
        return f"{rub:,}".replace(",", " ") + f",{kop:02d} руб."
    if style < 80 and kop == 0:
        return str(rub)
    if style < 90:
        return f"{rub},{kop:02d}"
    grouped = f"{rub:,}".replace(",", " ")
    return f"{grouped} ₽" if kop == 0 else f"{grouped},{kop:02d} ₽"


class Customer:
    """Everything about the customer with serial number ``p``, derived from ``p`` alone."""

    __slots__ = ("channel", "code", "manager", "name", "phone")

    def __init__(self, p: int, salt: int, slots: tuple[int, int], code_width: int) -> None:
        h, h2, _, _, _, _, first, middle, last = identity(p, salt, slots)
        self.code = f"К-{p + 1:0{code_width}d}"
        style = (h2 >> 8) % 100
        if style < 80:
            self.name = f"{last} {first} {middle}"
        elif style < 95:
            self.name = f"{last} {first}"
        else:
            self.name = f"{last} {first[0]}.{middle[0]}."
        u = (h >> 16) & 0xFFFF
        if u % 1000 < PHONE_SHARE * 1000:
            city = (u >> 10) % 100 < CITY_PHONE_SHARE * 100
            code, sub = number_in(CITY_SPACE if city else MOBILE_SPACE, p, salt)
            self.phone = fmt_phone((h >> 60) % N_PHONE_FORMATS, code, sub)
        else:
            self.phone = ""
        self.manager = MANAGERS[(h2 >> 16) % len(MANAGERS)]
        self.channel = CHANNELS[(h2 >> 32) % len(CHANNELS)]


def generate(
    n: int, counts: dict[str, int], *, customers: int = 100_000, seed: int = 1
) -> Iterator[list[str]]:
    """Yield batches of CSV lines (the header first); fill ``counts`` when done."""
    if customers < 1:
        raise ValueError("at least one customer")
    rng = random.Random(seed)
    rnd = rng.random
    salt = mix(seed) & 0xFFFFFFFF
    n_slots = N_COMBOS * (customers // N_COMBOS + 1)
    slots = (n_slots, weyl_multiplier(n_slots, 0.3819660113))
    code_width = max(6, len(str(customers)))
    # rank (how busy) -> serial number (the client code): a shuffle, so busy ones are anywhere
    perm_mult = weyl_multiplier(customers, 0.6180339887)
    perm_off = salt % customers
    r0 = max(1.0, customers / 1000)
    cum_weight = list(accumulate((r + r0) ** -ZIPF_S for r in range(customers)))
    total_weight = cum_weight[-1]
    cache: list[Customer | None] = [None] * customers
    labels, cum_day = day_table()
    n_products, n_managers, n_channels = len(PRODUCTS), len(MANAGERS), len(CHANNELS)
    n_lpo, n_qty, n_disc = len(LINES_PER_ORDER), len(QUANTITIES), len(DISCOUNTS)

    orders = n_customers = cancelled = returned = with_phone = 0
    day = 0
    done = 0
    lines: list[str] = [HEADER]
    append = lines.append
    while done < n:
        # the date: the share of the file written so far, through the seasons' cumulative curve
        frac = done / n
        while cum_day[day] < frac:
            day += 1
        rank = bisect(cum_weight, rnd() * total_weight)
        p = (min(rank, customers - 1) * perm_mult + perm_off) % customers
        cust = cache[p]
        if cust is None:
            cust = cache[p] = Customer(p, salt, slots, code_width)
            n_customers += 1
        x = rnd()
        if x < CANCEL_RATE:
            status = CANCELLED
            cancelled += 1
        elif x < CANCEL_RATE + RETURN_RATE:
            status = RETURNED
            returned += 1
        else:
            status = DONE
        manager = cust.manager if rnd() < 0.9 else MANAGERS[int(rnd() * n_managers)]
        channel = cust.channel if rnd() < 0.8 else CHANNELS[int(rnd() * n_channels)]
        phone = cust.phone if rnd() < PHONE_SHOWN else ""
        k = min(LINES_PER_ORDER[int(rnd() * n_lpo)], n - done)
        head = f"{labels[day]};{FIRST_ORDER_NO + orders};{cust.code};{cust.name};{phone};"
        tail = f";{manager};{channel};{status}"
        for _ in range(k):
            product, category, price = PRODUCTS[int(rnd() * n_products)]
            qty = QUANTITIES[int(rnd() * n_qty)]
            kopecks = price * qty * DISCOUNTS[int(rnd() * n_disc)]  # price * 100 * pct / 100
            cost = int(kopecks * (0.55 + 0.10 * rnd()))
            c_rub, c_kop = divmod(cost, 100)
            append(
                f"{head}{product};{category};{qty};{money(kopecks, int(rnd() * 100))};"
                f"{c_rub},{c_kop:02d}{tail}"
            )
        if phone:
            with_phone += k
        orders += 1
        done += k
        if len(lines) >= BATCH:
            yield lines
            lines = []
            append = lines.append
    yield lines
    counts.update(
        lines=n,
        orders=orders,
        customers=n_customers,
        cancelled=cancelled,
        returned=returned,
        rows_with_phone=with_phone,
        managers=N_MANAGERS,
        channels=N_CHANNELS,
    )


def write_csv(
    n: int, out: str | Path, *, customers: int = 100_000, seed: int = 1
) -> dict[str, int]:
    """Write the file (``-`` = stdout) and return the counts."""
    counts: dict[str, int] = {}
    write_batches(out, generate(n, counts, customers=customers, seed=seed), "utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate a sales export (order lines; ';', UTF-8, CRLF) for benchmarks."
    )
    ap.add_argument("n", type=int, help="number of order lines (header not counted)")
    ap.add_argument("out", help="output file, or - for stdout")
    ap.add_argument("--customers", type=int, default=100_000, help="customer base (100,000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N_LINES must be >= 0")
    if args.customers < 1:
        ap.error("--customers must be >= 1")
    t0 = time.perf_counter()
    c = write_csv(args.n, args.out, customers=args.customers, seed=args.seed)
    dt = time.perf_counter() - t0
    print(
        f"{c['lines']} lines: {c['orders']} orders ({c['lines'] - c['orders']} lines folded into "
        f"them), {c['customers']} customers (expected customers created); "
        f"{c['cancelled']} cancelled, {c['returned']} returned orders, "
        f"{c['rows_with_phone']} rows with a phone; {dt:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
