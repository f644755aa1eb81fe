"""The fields of the filter language: their names in English and Russian, types, operators and
the stored values they take. One catalogue, read by the parser (segments.filter), the SQL builder
(segments.filter_sql), the facts that compute them (segments.facts) and `segment fields`."""

from __future__ import annotations

from dataclasses import dataclass

from clientbase.i18n import N_, _

TYPES = {
    "text": N_("text"),
    "number": N_("number"),
    "bool": N_("yes/no"),
    "date": N_("date"),
    "days": N_("days (number or 30d/6m/1y)"),
    "set": N_("list of names"),
}
OPERATORS = {
    "text": ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "not contains"),
    "number": ("=", "!=", "<", "<=", ">", ">=", "in", "not in"),
    "bool": ("=", "!="),
    "date": ("=", "!=", "<", "<=", ">", ">="),
    "days": ("=", "!=", "<", "<=", ">", ">="),
    "set": ("contains", "not contains", "in", "not in"),
}


@dataclass(frozen=True)
class Field:
    """A field of the language. ``group`` says which part of the facts computes it (see
    segments.facts); ``column`` is its column in the facts table (a "days" field counts days
    since the date in that column)."""

    name: str
    type: str
    group: str
    help: str
    aliases: tuple[str, ...] = ()
    column: str | None = None
    values: dict | None = None  # words a user may type for a stored value (пол = 'ж' -> 'f')
    # The only values the field ever holds (lower case): = != in "not in" with anything else
    # is a typo that would silently match nobody (or everybody), so it is refused instead.
    choices: tuple[str, ...] | None = None

    @property
    def col(self) -> str:
        return self.column or self.name


FIELD_LIST = [
    # identity
    Field("id", "number", "base", N_("the customer's number in the base")),
    Field("name", "text", "base", N_("display name (ФИО or company)"), ("имя", "фио")),
    Field("kind", "text", "base", N_("person or company"), ("тип",)),
    Field("city", "text", "base", N_("city"), ("город",)),
    Field("company", "text", "base", N_("company"), ("компания",)),
    Field("source", "text", "base", N_("acquisition source / channel"), ("channel", "источник", "канал")),
    Field("manager", "text", "base", N_("the customer's manager"), ("менеджер",)),
    Field("gender", "text", "base", N_("m or f (м / ж work too)"), ("пол",),
          values={"м": "m", "ж": "f", "male": "m", "female": "f", "муж": "m", "жен": "f"}),
    Field("status", "text", "base", N_("active or archived (archived are left out unless asked for)"),
          ("статус",)),
    Field("created", "date", "base", N_("when the customer was added to the base"), ("создан",)),
    Field("birthday_in_days", "number", "birthday",
          N_("days to the next birthday (0 = today; 29 Feb is 28 Feb in other years; empty: unknown)"),
          ("дней_до_дня_рождения",)),
    Field("has_phone", "bool", "points", N_("has a valid phone"), ("есть_телефон",)),
    Field("has_email", "bool", "points", N_("has a valid email"), ("есть_email",)),
    Field("consent", "bool", "consent", N_("marketing consent granted on some channel"), ("согласие",)),
    Field("consent_email", "bool", "consent", N_("consent granted for email")),
    Field("consent_sms", "bool", "consent", N_("consent granted for SMS")),
    Field("consent_calls", "bool", "consent", N_("consent granted for calls")),
    Field("consent_ads", "bool", "consent", N_("consent granted for ad audiences")),
    Field("tags", "set", "tags", N_("tags given to the customer"), ("теги", "метки")),
    Field("last_contact", "date", "contact",
          N_("latest call, message, meeting or note (not reminders, not unanswered outgoing calls)"),
          ("последний_контакт",)),
    Field("days_since_last_contact", "days", "contact", N_("days since the latest contact"),
          column="last_contact"),
    # purchases (live orders: cancelled and returned ones are left out)
    Field("orders", "number", "purchases", N_("number of orders"), ("заказы", "заказов")),
    Field("revenue", "number", "purchases", N_("sum of the orders"), ("выручка",)),
    Field("avg_check", "number", "purchases", N_("revenue / orders (empty without orders)"),
          ("средний_чек",)),
    Field("first_order", "date", "purchases", N_("date of the first order"), ("первый_заказ",)),
    Field("last_order", "date", "purchases", N_("date of the latest order"), ("последний_заказ",)),
    Field("days_since_last_order", "days", "purchases", N_("days since the latest order"),
          ("дней_без_заказа", "дней_с_заказа"), column="last_order"),
    Field("discount_share", "number", "purchases",
          N_("share of orders with a discount, 0..1 (50% works)"), ("доля_скидок",)),
    Field("orders_12m", "number", "purchases", N_("orders in the last 12 months (loyal_months)"),
          ("заказов_за_год",)),
    Field("categories", "set", "categories", N_("product categories bought"), ("категории",)),
    # classes
    Field("abc", "text", "abc", N_("ABC class of the last 12 months (A, B, C; empty: no orders)"),
          choices=("a", "b", "c")),
    Field("xyz", "text", "abc", N_("XYZ class of the last 12 months (X, Y, Z, - unclassified)"),
          choices=("x", "y", "z", "-")),
    Field("rfm_segment", "text", "rfm", N_("RFM segment (Champions, At risk, …)"), ("rfm",)),
    Field("ltv", "number", "ltv", N_("historical lifetime value (revenue so far)")),
    Field("lifecycle", "text", "lifecycle", N_("lead, new, active, sleeping or lost"),
          ("стадия", "stage"), choices=("lead", "new", "active", "sleeping", "lost"),
          values={"лид": "lead", "новый": "new", "новые": "new", "активный": "active",
                  "активные": "active", "спящий": "sleeping", "спящие": "sleeping",
                  "потерян": "lost", "потерянный": "lost", "потерянные": "lost"}),
    Field("warmth", "text", "lifecycle", N_("how long a sleeping customer sleeps: hot, warm, cold"),
          choices=("hot", "warm", "cold"),
          values={"горячий": "hot", "тёплый": "warm", "теплый": "warm", "холодный": "cold"}),
    Field("vip", "bool", "lifecycle_tags", N_("ABC class A or top revenue (vip_top_percent)")),
    Field("one_time_buyer", "bool", "lifecycle_tags",
          N_("one order only, placed more than new_days ago"), ("one_time", "разовый")),
    Field("discount_seeker", "bool", "lifecycle_tags",
          N_("most orders with a discount (discount_seeker_share)")),
    Field("loyal", "bool", "lifecycle_tags", N_("loyal_orders or more orders in loyal_months"),
          ("лояльный",)),
]  # fmt: skip
FIELDS: dict[str, Field] = {f.name: f for f in FIELD_LIST}
LOOKUP: dict[str, Field] = {key.casefold(): f for f in FIELD_LIST for key in (f.name, *f.aliases)}


_EXAMPLES = {"text": "= 'Казань'", "number": ">= 3", "bool": "= true", "date": "< 30d",
             "days": "> 60", "set": "contains 'vip'"}  # fmt: skip


def example(field: Field) -> str:
    if field.name == "gender":
        return "gender = 'f'"
    return f"{field.name} {_EXAMPLES[field.type]}" if field.type != "bool" else field.name


def describe_fields() -> list[dict]:
    """FIELDS as rows for `segment fields` and the docs."""
    return [
        {"field": f.name, "type": _(TYPES[f.type]), "operators": " ".join(OPERATORS[f.type]),
         "aliases": ", ".join(f.aliases), "meaning": _(f.help)}
        for f in FIELD_LIST
    ]  # fmt: skip
