"""Which column holds what: header synonyms (Russian and English, real CRM exports) → fields.

The guess can always be overridden (``--map COLUMN=FIELD``, ``--mapping FILE``), so a scripted
import stays reproducible. Columns nobody recognises are not dropped: they stay in the raw row
kept with the batch and are listed as "not mapped".
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from clientbase.errors import UsageError
from clientbase.i18n import _
from clientbase.importers.column_map import IGNORE, ColumnMap, Mapping, cell_to_text
from clientbase.importers.longformat import contact_kind, group_key, resolve_long_columns
from clientbase.importers.records import CONTACT_FIELDS, MULTI_FIELDS, ContactRecord

# A long-format list: the kind of contact ("E-Mail", "Телефон") and the contact itself.
LONG_FIELDS = ("contact_type", "contact_value")
FIELDS = (*CONTACT_FIELDS, *MULTI_FIELDS, *LONG_FIELDS)

# Normalised header -> (field, label). Labels matter for phones and emails (work, home, mobile).
_SYNONYMS: dict[str, tuple[str, str | None]] = {}


def _add(field_name: str, label: str | None, *headers: str) -> None:
    for h in headers:
        _SYNONYMS[normalize_header(h)] = (field_name, label)


def normalize_header(h: str) -> str:
    h = _basic_header(h)
    h = re.sub(r"\s*\((контакт|contact)\)\s*$", "", h)  # amoCRM: "Мобильный телефон (контакт)"
    h = re.sub(r"^(контакт|contact)\s*:\s*", "", h)  # Bitrix24 deals: "Контакт: Рабочий телефон"
    return h.strip(" :*#№")


def _basic_header(h: str) -> str:
    h = h.strip().lstrip("\ufeff").lower().replace("ё", "е")
    h = h.replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")  # Ім’я, Ім'я
    return re.sub(r"[\s_]+", " ", h).strip(" :*#№")


_add(
    "full_name",
    None,
    "ФИО",
    "Ф.И.О.",
    "Ф И О",
    "ФИО клиента",
    "Клиент",
    "Покупатель",
    "Контактное лицо",
    "Контакт",
    "Полное имя",
    "Имя клиента",
    "Заказчик",
    "Name",
    "Full name",
    "Customer",
    "Customer name",
    "Client",
    "Client name",
    "Contact",
    "Contact name",
    "Display name",
    "Имя и фамилия",
    "Фамилия Имя Отчество",
    "Фамилия имя",
    # Counterparty directories (1C, warehouse and shop systems, their import templates): a
    # person's ФИО or an organisation's name in one column; the name parse tells them apart.
    "Наименование",
    "Наименование контрагента",
    "Полное наименование",
)
_add("last_name", None, "Фамилия", "Last name", "Surname", "Family name")
_add("first_name", None, "Имя", "First name", "Given name")
_add("middle_name", None, "Отчество", "Второе имя", "Middle name", "Additional name", "Patronymic")
_add(
    "phone",
    None,
    "Телефон",
    "Тел",
    "Тел.",
    "Телефоны",
    "Номер",
    "Номер телефона",
    "Phone",
    "Phone number",
    "Telephone",
    "Tel",
    "Контактный телефон",
    "Телефон клиента",
    "Primary phone",
)
_add(
    "phone",
    "mobile",
    "Моб",
    "Моб.",
    "Мобильный",
    "Мобильный телефон",
    "Сотовый",
    "Сотовый телефон",
    "Mobile",
    "Mobile phone",
    "Cell",
    "Cell phone",
    "Тел. моб.",
)
_add(
    "phone",
    "work",
    "Рабочий телефон",
    "Рабочий",
    "Business phone",
    "Work phone",
    "Company main phone",
    "Тел. рабочий",
)
_add("phone", "home", "Домашний телефон", "Домашний", "Home phone")
_add("phone", "other", "Другой телефон", "Other phone")
_add("phone", "fax", "Факс", "Fax", "Business fax", "Home fax")
_add(
    "email",
    None,
    "E-mail",
    "Email",
    "Эл. почта",
    "Электронная почта",
    "Почта",
    "Е-mail",
    "Емейл",
    "Имейл",
    "Mail",
    "E-mail address",
    "Email address",
    "E-mail 2 address",
    "E-mail 3 address",
    "Адрес электронной почты",
)
_add("email", "work", "Рабочий email", "Рабочий e-mail", "Work email")
_add(
    "email",
    "home",
    "Личный email",
    "Частный e-mail",
    "Личный e-mail",
    "Home email",
    "Personal email",
)
_add("email", "newsletter", "E-mail для рассылок")
_add("email", "other", "Другой e-mail", "Другой email", "Other email")
_add(
    "birthday",
    None,
    "Дата рождения",
    "ДР",
    "Д.Р.",
    "День рождения",
    "Birthday",
    "Date of birth",
    "DOB",
    "Birth date",
    "Birthdate",
)
_add(
    "company",
    None,
    "Компания",
    "Организация",
    "Название компании",
    "Фирма",
    "Юрлицо",
    "Юр. лицо",
    "Company",
    "Organization",
    "Organization name",
    "Company name",
    "Контрагент",
    "Название (компания)",
    "Название",
    "Organization 1 - name",
)
_add(
    "position",
    None,
    "Должность",
    "Position",
    "Job title",
    "Title",
    "Organization title",
    "Organization 1 - title",
)
_add(
    "city",
    None,
    "Город",
    "Населенный пункт",
    "City",
    "Town",
    "Business city",
    "Home city",
    "Address 1 - city",
)
_add(
    "address",
    None,
    "Адрес",
    "Адрес доставки",
    "Address",
    "Business street",
    "Home street",
    "Address 1 - formatted",
    "Address 1 - street",
)
_add(
    "postcode",
    None,
    "Индекс",
    "Почтовый индекс",
    "Zip",
    "Zip code",
    "Postal code",
    "Address 1 - postal code",
    "Business postal code",
    "Home postal code",
)
_add(
    "source",
    None,
    "Источник",
    "Откуда узнал",
    "Откуда узнали",
    "Откуда пришел",
    "Канал",
    "Канал привлечения",
    "Source",
    "Channel",
    "Lead source",
    "utm source",
)
_add(
    "manager",
    None,
    "Менеджер",
    "Ответственный",
    "Ответственный за контакт",
    "Ответственный менеджер",
    "Manager",
    "Owner",
    "Responsible",
    "Sales manager",
)
_add(
    "note",
    None,
    "Комментарий",
    "Комментарии",
    "Примечание",
    "Примечания",
    "Примечание к контакту",
    "Заметки",
    "Заметка",
    "Notes",
    "Note",
    "Comment",
    "Comments",
)
_add(
    "consent",
    None,
    "Согласие на рассылку",
    "Согласие",
    "Подписка",
    "Подписан на рассылку",
    "Рассылка",
    "Consent",
    "Marketing consent",
    "Subscribed",
    "Opt-in",
    "Opt in",
)
_add(
    "external_id",
    None,
    "ID",
    "Код",
    "Код клиента",
    "Номер клиента",
    "ID клиента",
    "ID контакта",
    "Customer ID",
    "Client ID",
    "External ID",
)
_add(
    "tags",
    None,
    "Теги",
    "Тег",
    "Метки",
    "Тег контакта",
    "Теги контакта",
    "Labels",
    "Tags",
    "Group membership",
    "Категории",
    "Categories",
    "Группа",
)
_add("consent_email", None, "Согласие на email", "Согласие на e-mail", "Согласие на email-рассылку",
     "Согласие на e-mail рассылку", "Email рассылка", "E-mail рассылка", "Email consent",
     "Email opt-in")  # fmt: skip
_add("consent_sms", None, "Согласие на SMS", "Согласие на смс", "SMS рассылка", "СМС рассылка",
     "SMS consent", "SMS opt-in")  # fmt: skip
_add("consent_calls", None, "Согласие на звонки", "Звонить можно", "Calls consent")
_add("consent_ads", None, "Согласие на рекламу", "Согласие на таргетированную рекламу", "Реклама",
     "Ads consent")  # fmt: skip
_add("gender", None, "Пол", "Gender", "Sex")
_add("telegram", None, "Telegram", "Телеграм", "Телеграмм", "Контакт Telegram", "TG")
_add("whatsapp", None, "WhatsApp", "Ватсап", "Вотсап", "Контакт WhatsApp")
_add("vk", None, "ВКонтакте", "ВК", "VK", "Контакт ВКонтакте", "VKontakte")

# --- Ukrainian and Belarusian headers, and the long format ----------------------------------
# Lists kept in Ukraine and Belarus name the same columns in their own language; grouped here
# so that a header a person typed in either reads like its Russian original.
_add("full_name", None, "ПІБ", "П.І.Б.", "П І Б", "Прізвище, ім'я, по батькові",
     "Прізвище ім'я по батькові", "Клієнт", "Контактна особа", "Повне ім'я", "Ім'я та прізвище",
     "Замовник", "Покупець", "Прозвішча, імя, імя па бацьку", "Кліент", "Кантактная асоба",
     "Контакт, Назва", "Контакт, Название", "Контакт, Имя", "Контакт, Ім'я", "Contact, Name",
     "Назва контакту", "Имя контакта", "Контакт, Наименование", "Контактное лицо, Наименование")  # fmt: skip
_add("last_name", None, "Прізвище", "Прозвішча")
_add("first_name", None, "Ім'я", "Імя")
_add("middle_name", None, "По батькові", "Імя па бацьку")
_add("phone", None, "Номер телефону", "Тэлефон", "Нумар тэлефона", "Телефони")
_add("phone", "mobile", "Мобільний", "Мобільний телефон", "Моб. тел.", "Мабільны",
     "Мабільны тэлефон")  # fmt: skip
_add("phone", "work", "Робочий телефон", "Працоўны тэлефон")
_add("phone", "home", "Домашній телефон", "Хатні тэлефон")
_add("email", None, "Електронна пошта", "Ел. пошта", "Е-пошта", "Пошта", "Электронная пошта",
     "Эл. пошта", "Адреса електронної пошти")  # fmt: skip
_add("birthday", None, "Дата народження", "День народження", "Дата нараджэння")
_add("company", None, "Організація", "Компанія", "Назва компанії", "Підприємство", "Назва",
     "Назва організації", "Арганізацыя", "Кампанія", "Назва арганізацыі", "Прадпрыемства")  # fmt: skip
_add("position", None, "Посада", "Пасада", "Контакт, Посада", "Контакт, Посада, примітка",
     "Контакт, Должность", "Должность, примечание", "Посада, примітка")  # fmt: skip
_add("city", None, "Місто", "Населений пункт", "Горад")
_add("address", None, "Адреса", "Адрас", "Юридична адреса", "Фактична адреса")
_add("postcode", None, "Індекс", "Поштовий індекс", "Паштовы індэкс")
_add("note", None, "Примітка", "Примітки", "Коментар", "Коментарі", "Нотатки", "Заўвага",
     "Заўвагі", "Каментарый")  # fmt: skip
_add("source", None, "Джерело", "Звідки дізнався", "Крыніца")
_add("manager", None, "Відповідальний", "Відповідальний менеджер", "Адказны")
_add("gender", None, "Стать")
_add("tags", None, "Мітки", "Група", "Категорія", "Катэгорыя")
_add("consent", None, "Згода на розсилку", "Згода", "Згода на рассылку")
# Where the customer is, beyond the city: kept in the note under the column's own name.
for _h in ("Країна", "Страна", "Country", "Краіна", "Область", "Регион", "Регіон", "Region",
           "Вобласць", "Край", "Район", "State", "Province"):  # fmt: skip
    _SYNONYMS[normalize_header(_h)] = ("note", _h)
# Long format: one contact point per row, its kind in one column and the value in the next.
_add("contact_type", None, "Тип", "Type", "Вид контакта", "Вид контакту", "Тип контакта",
     "Тип контакту", "Контакт, Тип", "Contact type", "Contact, Type", "Тып", "Тып кантакту",
     "Способ связи", "Спосіб зв'язку", "Вид", "Контакт, Вид", "Вид контактной информации",
     "Kind")  # fmt: skip
_add("contact_value", None, "Значення", "Значение", "Value", "Контакт, Значення",
     "Контакт, Значение", "Contact, Value", "Contact value", "Контактные данные",
     "Контактні дані", "Значэнне", "Представление", "Контакт, Представление")  # fmt: skip

# Google exports: "Phone 1 - Value" with its label in "Phone 1 - Type" (legacy) or "- Label".
_GOOGLE_VALUE = re.compile(r"^(phone|e-mail) (\d+) - value$")
_GOOGLE_LABEL = re.compile(r"^(phone|e-mail) (\d+) - (type|label)$")
_TRAILING_NUMBER = re.compile(r"\s*\d+$")  # "Телефон 2", "Email 3"


def guess_column(header: str) -> tuple[str, str | None] | None:
    h = normalize_header(header)
    if not h:
        return None
    whole = _basic_header(header)
    if whole in _SYNONYMS:  # "Контакт, Назва": the prefix says whose name it is
        return _SYNONYMS[whole]
    if h in _SYNONYMS:
        return _SYNONYMS[h]
    base = _TRAILING_NUMBER.sub("", h)
    if base in _SYNONYMS:
        return _SYNONYMS[base]
    # Last resort for hand-made headers ("Телефон мамы", "Моб. тел.", "Личная почта"). Not for
    # a cell holding a whole unsplit header line ("ФИО;Телефон;Город": a wrong delimiter).
    if any(d in h for d in (";", "\t", "|", ",")):
        return None
    if any(k in h for k in ("телефон", "phone", "моб.", "тел.")):
        return ("phone", None)
    if any(k in h for k in ("e-mail", "email", "почта")):
        return ("email", None)
    return None


def header_score(cells: list[str]) -> int:
    """How header-like a row is: the number of cells that name a known field."""
    return sum(1 for c in cells if c and guess_column(c) is not None)


def load_mapping_file(path: Path) -> dict[str, str]:
    """A TOML or JSON file: {"columns": {"Column": "field"}} or just {"Column": "field"}."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(
            _("cannot read the mapping file {path}: {reason}").format(
                path=path, reason=exc.strerror
            )
        ) from exc
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:
        raise UsageError(
            _("{path}: not valid {format}: {error}").format(
                path=path, format=path.suffix.lstrip(".") or "JSON", error=exc
            )
        ) from exc
    data = data.get("columns", data) if isinstance(data, dict) else None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(
            _("{path}: expected {example}").format(
                path=path, example='{"columns": {"Column": "field", ...}}'
            )
        )
    return data


def parse_map_options(items: list[str], option: str = "--map") -> dict[str, str]:
    """COLUMN=FIELD (or KEY=VALUE) options into a dict."""
    out = {}
    for item in items:
        column, sep, target = item.partition("=") if option != "--map" else item.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            example = "--map 'Тел. 2=phone'" if option == "--map" else f"{option} position=Директор"
            raise UsageError(
                _("{option} {item}: expected KEY=VALUE, e.g. {example}").format(
                    option=option, item=repr(item), example=example
                )
            )
        out[column.strip()] = target.strip()
    return out


def build_mapping(header: list[str], overrides: dict[str, str], *, strict: bool = True) -> Mapping:
    """Map a header. ``strict``: every override must name a column of this header (a caller
    reading several sheets or files checks them against all headers instead)."""
    m = Mapping(header=header)
    norm_overrides = {}
    for column, target in overrides.items():
        fld, _colon, label = target.partition(":")  # "phone:work" sets the label as well
        if fld not in (*FIELDS, IGNORE):
            raise UsageError(
                _("unknown field {field} for column {column}").format(
                    field=repr(fld), column=repr(column)
                ),
                hint=_("fields: {fields}, or {ignore}").format(
                    fields=", ".join(FIELDS), ignore=IGNORE
                ),
            )
        norm_overrides[normalize_header(column)] = ColumnMap(fld, label or None)
    matched_overrides = set()
    google_labels: dict[tuple[str, str], int] = {}
    for i, h in enumerate(header):
        gl = _GOOGLE_LABEL.match(normalize_header(h))
        if gl:
            google_labels[(gl.group(1), gl.group(2))] = i
    for i, h in enumerate(header):
        nh = normalize_header(h)
        if nh in norm_overrides:
            matched_overrides.add(nh)
            m.columns[i] = norm_overrides[nh]
            continue
        if not nh:
            continue
        gv = _GOOGLE_VALUE.match(nh)
        if gv:
            kind = "phone" if gv.group(1) == "phone" else "email"
            m.columns[i] = ColumnMap(kind, None, google_labels.get((gv.group(1), gv.group(2))))
            continue
        if _GOOGLE_LABEL.match(nh):
            m.columns[i] = ColumnMap(IGNORE)  # read through its value column
            continue
        guess = guess_column(h)
        if guess is None:
            m.unmapped.append(h)
        else:
            m.columns[i] = ColumnMap(*guess)
    missing = set(norm_overrides) - matched_overrides
    if missing and strict:
        names = ", ".join(sorted(c for c in overrides if normalize_header(c) in missing))
        raise UsageError(
            _("--map names columns the file does not have: {names}").format(names=names),
            hint=_("columns: {names}").format(names=", ".join(h for h in header if h)),
        )
    _resolve_name_conflicts(m)
    resolve_long_columns(m)
    return m


def _resolve_name_conflicts(m: Mapping) -> None:
    # "Имя" next to "Фамилия" is a first name; "Имя" alone usually holds the whole name.
    fields = {c.field for c in m.columns.values()}
    if "first_name" in fields and not fields & {"last_name", "middle_name"}:
        for i, c in m.columns.items():
            if c.field == "first_name" and normalize_header(m.header[i]) in ("имя", "name"):
                m.columns[i] = ColumnMap("full_name")
    # amoCRM: "Название (компания)" maps to company; a bare "Название" only if no other company.
    single = [f for f in fields if f in CONTACT_FIELDS and f not in ("note", "tags")]
    for f in single:
        idx = [i for i, c in m.columns.items() if c.field == f]
        if len(idx) > 1 and f not in ("address",):
            # Two columns for one single-valued field: keep the first, the rest go to note
            # (never dropped: the raw row keeps them too).
            for i in idx[1:]:
                m.columns[i] = ColumnMap("note", m.header[i])


def to_record(m: Mapping, row_number: int, cells: list, sheet: str | None) -> ContactRecord:
    return _record(m, _plan(m), row_number, cells, sheet, True)


def to_records(
    m: Mapping, rows: list[tuple[int, list]], sheet: str | None, *, raw: bool = True
) -> list[ContactRecord]:
    """``to_record`` of each (row number, cells) of a chunk, the mapping looked at once.
    ``raw=False``: the records' ``raw`` is left empty, for a caller that keeps the cells form of
    most rows and builds the named form (``raw_record``) only for the few it needs."""
    plan = _plan(m)
    return [_record(m, plan, n, cells, sheet, raw) for n, cells in rows]


def raw_record(m: Mapping, texts: list[str]) -> dict[str, str]:
    """A record's ``raw``: its non-empty cells by column name."""
    # raw_keys may be longer (an earlier row was wider): zip stops at this row's cells.
    return {k: t for k, t in zip(m.raw_keys(len(texts)), texts, strict=False) if t}


def _plan(m: Mapping) -> list[tuple[int, str, str | None, int | None]]:
    # (column, field, label, label column) of the columns read, in the mapping's order.
    return [
        (i, c.field, c.label, c.label_column) for i, c in m.columns.items() if c.field != IGNORE
    ]


def _record(
    m: Mapping, plan: list, row_number: int, cells: list, sheet: str | None, with_raw: bool
) -> ContactRecord:
    # CSV cells are always str: stripped in one go; typed spreadsheet cells take the detour.
    try:
        texts = list(map(str.strip, cells))
    except TypeError:  # not all text
        texts = [c.strip() if c.__class__ is str else cell_to_text(c) for c in cells]
    raw = raw_record(m, texts) if with_raw else {}
    fields: dict[str, str] = {}
    phones: list[tuple[str, str | None]] = []
    emails: list[tuple[str, str | None]] = []
    messengers: list[tuple[str, str]] = []
    n = len(texts)
    for i, f, label, label_column in plan:
        if i >= n:
            continue
        value = texts[i]
        if not value:
            continue
        if f == "phone" or f == "email":
            if label_column is not None and label_column < n:
                label = texts[label_column].lstrip("* ").strip() or label
            (phones if f == "phone" else emails).append((value, label))
        elif f in MULTI_FIELDS:
            messengers.append((f, value))
        elif f == "note" and label:
            fields["note"] = (
                f"{fields['note']}\n{label}: {value}" if "note" in fields else f"{label}: {value}"
            )
        elif f == "note" and "note" in fields:
            fields["note"] = f"{value}\n{fields['note']}"
        elif f == "tags" and "tags" in fields:
            fields["tags"] += f", {value}"
        else:
            fields[f] = value
    rec = ContactRecord(
        row=row_number, raw=raw, fields=fields, phones=phones, emails=emails,
        messengers=messengers, sheet=sheet, cells=texts,
    )  # fmt: skip
    if "contact_value" in fields or "contact_type" in fields:
        _long_format_point(rec)
    return rec


def _long_format_point(rec: ContactRecord) -> None:
    """The contact point of a long-format row, and the person it belongs to (``group``)."""
    fields = rec.fields
    kind_text = fields.pop("contact_type", "")
    value = fields.pop("contact_value", "")
    rec.group = group_key(fields)
    if not value:
        return
    kind = contact_kind(kind_text, value)
    if kind is None:
        what = f"{kind_text}: {value}" if kind_text else value
        fields["note"] = f"{fields['note']}\n{what}" if "note" in fields else what
    elif kind[0] == "phone":
        rec.phones.append((value, kind[1]))
    elif kind[0] == "email":
        rec.emails.append((value, kind[1]))
    else:
        rec.messengers.append((kind[0], value))
