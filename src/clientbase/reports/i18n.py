"""Russian and English words and number formats of the report.

The language comes from ``--lang``, else from the locale the way a shell user set it (``LC_ALL``,
then ``LC_MESSAGES``, then ``LANG``: ``ru_RU.UTF-8`` -> Russian, anything else -> English).

Numbers are written the way each language writes them: Russian groups thousands with a
no-break space and uses a decimal comma (``1 234 567,89 ₽``, ``12,5 %``); English groups with a
comma and uses a decimal point (``1,234,567.89 ₽``, ``12.5%``). The no-break space keeps a number
on one line in HTML and in a narrow terminal. Every renderer formats through these functions, so
the text, Markdown and HTML reports show the same figures character for character.
"""

from __future__ import annotations

import math
import os

LANGS = ("ru", "en")
NBSP = "\u00a0"

# The base is made for shops in Russia and the CIS, whose exports rarely name the currency:
# roubles unless an order says otherwise.
DEFAULT_CURRENCY = "RUB"
CURRENCY_SIGNS = {
    "RUB": "₽",
    "RUR": "₽",
    "USD": "$",
    "EUR": "€",
    "KZT": "₸",
    "BYN": "Br",
    "UAH": "₴",
    "GBP": "£",
    "CNY": "¥",
}


def default_lang(environ: dict | None = None) -> str:
    """ru when the locale is Russian, else en (the first of LC_ALL, LC_MESSAGES, LANG set)."""
    env = os.environ if environ is None else environ
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key)
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def _group(n: int, sep: str) -> str:
    text = f"{abs(n):,}".replace(",", sep)
    return f"-{text}" if n < 0 else text


def fmt_int(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return _group(round(value), NBSP if lang == "ru" else ",")


def fmt_num(value, lang: str, digits: int = 1) -> str:
    """A plain number with ``digits`` decimals, grouped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{abs(value):,.{digits}f}"
    whole, _, frac = text.partition(".")
    if lang == "ru":
        whole = whole.replace(",", NBSP)
        out = f"{whole},{frac}" if frac else whole
    else:
        out = f"{whole}.{frac}" if frac else whole
    # -0.0 would print as "-0,0": a sign only when the rounded figure is not zero.
    negative = value < 0 and float(text.replace(",", "")) != 0
    return f"-{out}" if negative else out


def fmt_money(value, lang: str, currency: str = "₽", digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = fmt_num(value, lang, digits)
    return f"{text}{NBSP}{currency}" if currency else text


def fmt_money_short(value, lang: str, currency: str = "₽") -> str:
    """Compact money for chart labels, where a full figure does not fit: 1,2 млн ₽ / 1.2M ₽."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    a = abs(value)
    units = (
        ((1e9, " млрд"), (1e6, " млн"), (1e3, " тыс."))
        if lang == "ru"
        else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    )
    for size, unit in units:
        if a >= size:
            digits = 0 if a / size >= 100 else 1
            text = fmt_num(value / size, lang, digits)
            if digits and text[-2:] in (",0", ".0"):
                text = text[:-2]  # 46 тыс., not 46,0 тыс.
            return f"{text}{unit}{NBSP}{currency}" if currency else f"{text}{unit}"
    return fmt_money(value, lang, currency, 0)


def fmt_pct(value, lang: str, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    # Russian puts a (no-break) space before the per cent sign, English does not.
    text = fmt_num(value, lang, digits)
    return f"{text}{NBSP}%" if lang == "ru" else f"{text}%"


def fmt_change(value, lang: str) -> str:
    """A change in per cent with its sign: +12,5 % / −3.0%; — when there is nothing to compare."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = fmt_pct(abs(value), lang)
    if round(value, 1) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def currency_sign(code: str | None) -> str:
    code = (code or DEFAULT_CURRENCY).upper()
    return CURRENCY_SIGNS.get(code, code)


_MONTHS = {
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def fmt_month(text: str, lang: str) -> str:
    """ "2025-03" -> "мар 2025" / "Mar 2025"."""
    year, month = text.split("-")[:2]
    return f"{_MONTHS[lang][int(month) - 1]}{NBSP}{year}"


def fmt_month_short(text: str, lang: str) -> str:
    """ "2025-03" -> "мар 25" / "Mar 25", for chart axes."""
    year, month = text.split("-")[:2]
    return f"{_MONTHS[lang][int(month) - 1]} {year[2:]}"


def fmt_date(text: str | None, lang: str) -> str:
    """An ISO date (or date and time) as each language writes it: 31.12.2025 / 2025-12-31."""
    if not text:
        return "—"
    day, _, clock = text.partition(" ")
    if lang == "ru":
        y, m, d = day.split("-")
        day = f"{d}.{m}.{y}"
    return f"{day}{NBSP}{clock[:5]}" if clock else day


# --- words -------------------------------------------------------------------------------------

# One table, a key per phrase: a phrase missing in one language is a KeyError in the tests, not
# a blank in someone's report.
LABELS: dict[str, tuple[str, str]] = {
    # key: (ru, en)
    "report_title": ("Отчёт по клиентской базе", "Customer base report"),
    "period": ("Период", "Period"),
    "previous": ("Предыдущий период", "Previous period"),
    "generated": ("Сформирован", "Generated"),
    "as_of": ("На дату", "As of"),
    "report_day": ("Дата отчёта", "Report date"),
    "contents": ("Содержание", "Contents"),
    "period_30d": ("последние {n} дн.", "the last {n} days"),
    "period_week": ("неделя", "week"),
    "period_month": ("месяц", "month"),
    "period_quarter": ("квартал", "quarter"),
    "period_year": ("год", "year"),
    "period_last_with_data": (
        "последний полный период с заказами",
        "the last full period with orders",
    ),
    "current": ("Текущий", "Current"),
    "before": ("Прошлый", "Previous"),
    "change": ("Изменение", "Change"),
    "month": ("Месяц", "Month"),
    "none_group": ("не указан", "not set"),
    # sections
    "sec_base": ("База клиентов", "The base"),
    "sec_quality": ("Качество данных", "Data quality"),
    "sec_sales": ("Продажи", "Sales"),
    "sec_abcxyz": ("ABC/XYZ-матрица", "ABC/XYZ matrix"),
    "sec_migrations": ("Миграции ABC", "ABC migrations"),
    "sec_rfm": ("RFM-сегменты", "RFM segments"),
    "sec_ltv": ("LTV и удержание когорт", "LTV and cohort retention"),
    "sec_churn": ("Отток", "Churn"),
    "sec_segments": ("Сегменты", "Segments"),
    "sec_followups": ("Дни рождения и дела", "Birthdays and follow-ups"),
    "sec_calls": ("Пропущенные звонки", "Missed calls"),
    # base
    "customers": ("Клиентов", "Customers"),
    "archived": ("В архиве", "Archived"),
    "new_customers": ("Новых за период", "New in the period"),
    "new_previous": ("Новых за прошлый период", "New in the previous period"),
    "growth_by_month": ("Рост базы по месяцам", "Growth of the base by month"),
    "new": ("Новые", "New"),
    "base_total": ("Всего на конец месяца", "Total at the month's end"),
    "new_by_source": ("Новые клиенты по источникам", "New customers by source"),
    "source": ("Источник", "Source"),
    "first_seen_note": (
        "Клиент считается появившимся в базе в день первого заказа, звонка или добавления "
        "в базу — что было раньше.",
        "A customer joins the base on the day of their first order, call or entry into the "
        "base, whichever came first.",
    ),
    # quality
    "invalid_phones": ("Неверные телефоны", "Invalid phones"),
    "invalid_emails": ("Неверные e-mail", "Invalid emails"),
    "pending_duplicates": ("Дубли на проверке", "Duplicates to review"),
    "without_consent": ("Без согласия на рассылку", "Without marketing consent"),
    "with_consent": ("С согласием на рассылку", "With marketing consent"),
    "metric": ("Показатель", "Measure"),
    "consent_note": (
        "Согласие считается по активным клиентам с верным телефоном или e-mail: есть ли "
        "согласие на рассылку хотя бы по одному каналу.",
        "Consent counts active customers with a valid phone or email: whether they gave "
        "marketing consent for at least one channel.",
    ),
    "sales_summary": ("Итоги периода", "The period in figures"),
    # sales
    "revenue": ("Выручка", "Revenue"),
    "orders": ("Заказы", "Orders"),
    "buyers": ("Покупатели", "Buyers"),
    "average_check": ("Средний чек", "Average order"),
    "revenue_by_month": ("Выручка и заказы по месяцам", "Revenue and orders by month"),
    "by_channel": ("По каналам", "By channel"),
    "by_manager": ("По менеджерам", "By manager"),
    "channel": ("Канал", "Channel"),
    "manager": ("Менеджер", "Manager"),
    "previous_revenue": ("Выручка, прошлый период", "Revenue, previous period"),
    # abc
    "abc_matrix": (
        "ABC/XYZ: клиенты и выручка по ячейкам",
        "ABC/XYZ: customers and revenue per cell",
    ),
    "cell": ("Ячейка", "Cell"),
    "share_customers": ("Доля клиентов", "Share of customers"),
    "share_revenue": ("Доля выручки", "Share of revenue"),
    "unclassified": ("без XYZ", "no XYZ"),
    "rules": ("Правила", "Rules"),
    "portfolio": ("Портфель менеджеров", "Portfolio per manager"),
    # migrations
    "migration_chart": ("Переходы между классами ABC", "Moves between ABC classes"),
    "migration_matrix": (
        "Переходы между классами ABC (строки — было, столбцы — стало)",
        "Moves between ABC classes (rows: before, columns: after)",
    ),
    "from": ("Было", "From"),
    "to": ("Стало", "To"),
    "gone": ("ушёл", "gone"),
    "new_class": ("новый", "new"),
    "a_lost": ("Потеряно A", "A lost"),
    "a_gained": ("Получено A", "A gained"),
    "moves_per_manager": ("Переходы по менеджерам", "Moves per manager"),
    "a_stayed": ("Остались A", "A kept"),
    "moved_up": ("Выросли", "Moved up"),
    "moved_down": ("Упали", "Moved down"),
    "migration_colors": (
        "Зелёным — рост (в том числе новые клиенты), красным — падение и ушедшие, синим — "
        "остались в своём классе.",
        "Green: moved up (new customers too); red: moved down or gone; blue: stayed in their "
        "class.",
    ),
    # rfm
    "segment": ("Сегмент", "Segment"),
    "rfm_sizes": ("Размер RFM-сегментов", "RFM segment sizes"),
    "previous_customers": ("Клиентов раньше", "Customers before"),
    "scored_customers": ("Оценено клиентов", "Customers scored"),
    # ltv
    "ltv_by_channel": ("LTV по каналам привлечения", "LTV by acquisition channel"),
    "avg_ltv": ("Средний LTV", "Average LTV"),
    "median_ltv": ("Медиана LTV", "Median LTV"),
    "total_ltv": ("Сумма", "Total"),
    "retention": ("Удержание когорт, % клиентов", "Cohort retention, % of customers"),
    "cohort": ("Когорта", "Cohort"),
    "months_since": ("Месяцев с первой покупки", "Months since the first purchase"),
    "cohort_size": ("Размер", "Size"),
    "cohort_revenue": (
        "Накопленная выручка на клиента по когортам, тыс. {currency}",
        "Cumulative revenue per customer by cohort, thousand {currency}",
    ),
    # churn
    "base_loss": ("Потеря базы по годам", "Base loss per year"),
    "year": ("Год", "Year"),
    "active_at_start": ("Активных на начало", "Active at the start"),
    "lost": ("Потеряно", "Lost"),
    "loss_rate": ("Доля потерь", "Loss rate"),
    "churn_note": (
        "Потерянный — клиент, активный на начало года, который за год ничего не купил.",
        "Lost: a customer active at the start of a year who made no purchase during it.",
    ),
    # segments
    "segment_sizes": ("Размер сегментов", "Segment sizes"),
    "size": ("Размер", "Size"),
    "size_before": ("Было", "Before"),
    "segments_note": (
        "«Было» — размер на начало периода (последний замер «clientbase segment list» до "
        "него), иначе при последнем запуске «segment list».",
        "Before: the size at the period's start (the last “clientbase segment list” run "
        "before it), else at the last “segment list” run.",
    ),
    # followups
    "birthdays": ("Дни рождения в ближайшие {n} дн.", "Birthdays in the next {n} days"),
    "followups_due": ("Дела к исполнению", "Follow-ups due"),
    "name": ("Имя", "Name"),
    "phone": ("Телефон", "Phone"),
    "date": ("Дата", "Date"),
    "age": ("Исполнится", "Turns"),
    "due": ("Срок", "Due"),
    "what": ("Что сделать", "What"),
    "overdue": ("просрочено", "overdue"),
    "nothing": ("Ничего.", "Nothing."),
    # calls
    "missed_waiting": ("Ждут ответного звонка", "Waiting for a call back"),
    "missed_not_tried": ("Никто не перезвонил", "Nobody called back"),
    "missed": ("Пропущено", "Missed"),
    "last_missed": ("Последний пропущенный", "Last missed"),
    "called_back": ("Перезванивали", "Called back"),
    "yes": ("да", "yes"),
    "no": ("нет", "no"),
    "calls_since": ("с {date}", "since {date}"),
}


def label(key: str, lang: str, **values) -> str:
    ru, en = LABELS[key]
    text = ru if lang == "ru" else en
    return text.format(**values) if values else text
