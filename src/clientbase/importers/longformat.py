"""Long-format contact lists: one contact point per row.

CRMs and accounting systems export contacts as one row per phone or address:
``Організація | Контакт, Назва | Контакт, Тип | Контакт, Значення`` with ``E-Mail`` or
``Телефон`` in the type column and the address or number next to it. The person repeats on
every row; rows of the same person (same organisation and name) are one customer with several
phones and emails (see ``ContactWriter``: rows with the same ``group`` fold together).

A type column is never the data column: a column whose values are all one label ("E-Mail",
"Телефон") is the kind of the contact in the column beside it, whatever its header says.
"""

from __future__ import annotations

import re

from clientbase.i18n import _
from clientbase.importers.column_map import IGNORE, ColumnMap, Mapping, cell_to_text
from clientbase.normalize.emails import normalize_email
from clientbase.normalize.phones import normalize_phone

# (stems of a type value, the contact point it names, its label)
_KINDS: tuple[tuple[tuple[str, ...], str, str | None], ...] = (
    (("whatsapp", "ватсап", "вотсап", "вацап"), "whatsapp", None),
    (("telegram", "телеграм", "тг"), "telegram", None),
    (("вконтакт", "vkontakte", "vk.com", "вк"), "vk", None),
    (("факс", "fax"), "phone", "fax"),
    (("моб", "mobile", "cell", "сотов", "мабіл"), "phone", "mobile"),
    (("робоч", "рабоч", "work", "службов"), "phone", "work"),
    (("mail", "пошт", "почт", "e-mail", "email", "емейл", "имейл", "ел. ", "эл. "), "email", None),
    (("тел", "phone", "тэл", "номер"), "phone", None),
)
_SAMPLE_ROWS = 50
_MIN_LABEL_ROWS = 3


def contact_kind(type_text: str, value: str) -> tuple[str, str | None] | None:
    """(field, label) of a long-format row: from its type, else from what the value is; None
    for anything that is not a phone, email or messenger (a website, a Skype name)."""
    t = type_text.strip().lower().replace("ё", "е")
    v = value.strip()
    if "@" in v and not v.startswith("@") and normalize_email(v).valid:
        return "email", None  # whatever the type says: an address is an address
    if t:
        for stems, kind, label in _KINDS:
            if any(s in t for s in stems):
                if kind == "email" and "work" in t:
                    return kind, "work"
                return kind, label
    if sum(c.isdigit() for c in v) >= 6 and not re.search(r"[a-zа-я]{4,}", v.lower()):
        return "phone", None
    return None


def resolve_long_columns(m: Mapping) -> None:
    """A type column with no value column beside it is something else ("Тип клиента"): it
    goes to the note under its own name."""
    fields = {c.field for c in m.columns.values()}
    if "contact_type" in fields and "contact_value" not in fields:
        for i, c in list(m.columns.items()):
            if c.field == "contact_type":
                m.columns[i] = ColumnMap("note", m.header[i])


def _label_of(values: list[str]) -> str | None:
    distinct = {v.strip().lower() for v in values if v.strip()}
    if len(distinct) != 1 or len([v for v in values if v.strip()]) < _MIN_LABEL_ROWS:
        return None
    (label,) = distinct
    if contact_kind(label, "") is None or _is_contact_value(label):
        return None
    return label


def _is_contact_value(v: str) -> bool:
    return ("@" in v and normalize_email(v).valid) or normalize_phone(v, "RU").valid


def relabel_from_sample(m: Mapping, rows: list[tuple[int, list]]) -> list[str]:
    """Columns mapped to phone or email whose values are all one label ("E-Mail" on every
    row) hold the kind of the contact in the next column: remapped to the long format. Returns
    what was changed, for the summary."""
    if not rows:
        return []
    changed = []
    fields = {c.field for c in m.columns.values()}
    for i, col in sorted(m.columns.items()):
        if col.field not in ("phone", "email") or "contact_type" in fields:
            continue
        values = [cell_to_text(cells[i]) if i < len(cells) else "" for _, cells in rows]
        label = _label_of(values)
        if label is None:
            continue
        nxt = i + 1
        if nxt >= len(m.header) and not any(len(c) > nxt for _, c in rows):
            continue
        neighbour = m.columns.get(nxt)
        if neighbour is not None and neighbour.field not in ("note", IGNORE, "phone", "email"):
            continue
        m.columns[i] = ColumnMap("contact_type")
        m.columns[nxt] = ColumnMap("contact_value")
        header = m.header[nxt] if nxt < len(m.header) else ""
        if header in m.unmapped:
            m.unmapped.remove(header)
        changed.append(
            _(
                "column {kind} holds the kind of contact ({label} on every row), "
                "column {value} the contact itself"
            ).format(
                kind=repr(m.header[i] or i + 1), label=repr(label), value=repr(header or nxt + 1)
            )
        )
        fields = {c.field for c in m.columns.values()}
    return changed


def group_key(fields: dict[str, str]) -> str | None:
    """Rows of one person in a long-format list: the same organisation and name."""
    name = " ".join(
        fields.get(k, "").strip().lower()
        for k in ("full_name", "last_name", "first_name", "middle_name")
    ).strip()
    company = fields.get("company", "").strip().lower()
    if not name and not company:
        return None
    return f"{company}\x1f{' '.join(name.split())}"
