"""Mapping a parsed vCard onto the pipeline's ``ContactRecord``, without normalising anything:
phones, names and dates stay as typed, only decoded; labels (Apple's ``_$!<Mobile>!$_`` among
them) become the pipeline's few canonical ones."""

from __future__ import annotations

import re

from clientbase.importers.records import ContactRecord
from clientbase.importers.vcard.decode import split_structured
from clientbase.importers.vcard.syntax import (
    LIST_PROPERTIES,
    STRUCTURED_PROPERTIES,
    VCard,
    VCardProperty,
)

_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


_APPLE_LABELS = {
    "mobile": "mobile",
    "iphone": "mobile",
    "applewatch": "mobile",
    "home": "home",
    "work": "work",
    "homefax": "fax",
    "workfax": "fax",
    "otherfax": "fax",
    "pager": "pager",
    "other": "other",
}


_CANONICAL_LABELS = ("mobile", "work", "home", "fax", "pager", "other")


_MOBILE_TYPES = frozenset({"cell", "mobile", "iphone", "mobil", "cellular", "handy"})


_OTHER_TEL_TYPES = frozenset({"other", "car", "isdn", "video", "bbs", "modem", "msg", "text"})


_MESSENGER_PROPS = {
    "X-TELEGRAM": "telegram",
    "X-TELEGRAM-ID": "telegram",
    "X-TG": "telegram",
    "X-WHATSAPP": "whatsapp",
    "X-VK": "vk",
    "X-VKONTAKTE": "vk",
}


_MESSENGER_SERVICES = {
    "telegram": "telegram",
    "tg": "telegram",
    "whatsapp": "whatsapp",
    "vk": "vk",
    "vkontakte": "vk",
}


_MESSENGER_URLS = (
    (re.compile(r"^(https?://)?(www\.)?(t\.me|telegram\.me|telegram\.dog)/", re.I), "telegram"),
    (
        re.compile(r"^(https?://)?(wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com)/", re.I),
        "whatsapp",
    ),
    (re.compile(r"^(https?://)?(www\.|m\.)?(vk\.com|vk\.ru|vkontakte\.ru)/", re.I), "vk"),
)


_SKIP_RAW = frozenset({"BEGIN", "END", "VERSION"})


def _label_from_ab(text: str) -> str:
    m = _APPLE_LABEL.match(text)
    if m:
        inner = m.group(1)
        return _APPLE_LABELS.get(inner.lower(), inner)
    # Custom labels are kept as typed ("Дача", "homeFax"); only the canonical words are folded.
    return text.lower() if text.lower() in _CANONICAL_LABELS else text


def _tel_label(card: VCard, prop: VCardProperty) -> str | None:
    ab = card.ab_label(prop)
    if ab:
        return _label_from_ab(ab)
    types = {t.removeprefix("x-") for t in prop.types}
    if "fax" in types:
        return "fax"
    if "pager" in types:
        return "pager"
    if types & _MOBILE_TYPES:
        return "mobile"
    if "work" in types:
        return "work"
    if "home" in types:
        return "home"
    if types & _OTHER_TEL_TYPES:
        return "other"
    # voice/pref say nothing about whose phone it is; anything else is somebody's own word.
    return "other" if types - {"voice", "pref", "main", "main-number"} else None


def _email_label(card: VCard, prop: VCardProperty) -> str | None:
    ab = card.ab_label(prop)
    if ab:
        return _label_from_ab(ab)
    types = {t.removeprefix("x-") for t in prop.types}
    for label in ("work", "home", "other"):
        if label in types:
            return label
    return None


def _strip_scheme(value: str, *schemes: str) -> str:
    low = value.lower()
    for scheme in schemes:
        if low.startswith(scheme):
            return value[len(scheme) :].strip()
    return value


def _messenger(prop: VCardProperty) -> tuple[str, str] | None:
    value = prop.value.strip()
    if not value:
        return None
    if prop.name in _MESSENGER_PROPS:
        return _MESSENGER_PROPS[prop.name], value
    if prop.name in ("IMPP", "X-SOCIALPROFILE"):
        service = (prop.param("X-SERVICE-TYPE") or "").lower()
        kind = _MESSENGER_SERVICES.get(service)
        if kind is None:
            kind = next(
                (_MESSENGER_SERVICES[t] for t in prop.types if t in _MESSENGER_SERVICES), None
            )
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if kind is None and scheme in _MESSENGER_SERVICES:
            kind = _MESSENGER_SERVICES[scheme]
        if kind is None:
            return _messenger_url(value)
        if scheme in _MESSENGER_SERVICES or scheme in ("x-apple", "xmpp", "im"):
            value = value.split(":", 1)[1].strip()
        return kind, value
    if prop.name == "URL":
        return _messenger_url(value)
    return None


def _messenger_url(value: str) -> tuple[str, str] | None:
    for pattern, kind in _MESSENGER_URLS:
        if pattern.match(value):
            return kind, value
    return None


def _name_parts(card: VCard) -> list[str]:
    n = card.first("N")
    if n is None:
        return []
    if card.version in ("3.0", "4.0"):
        # In 3.0/4.0 a ',' inside a component separates several values (N:Doe;John;Richter,James).
        return [
            " ".join(v.strip() for v in comp if v.strip()) for comp in split_structured(n.value)
        ]
    return [c.strip() for c in n.components()]


def _birthday(prop: VCardProperty) -> str:
    value = prop.value.strip()
    omit = prop.param("X-APPLE-OMIT-YEAR")
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(T.*)?", value)
    # Apple stores "no year" as the year 1604 and says so in X-APPLE-OMIT-YEAR; nobody in an
    # address book was born in 1604, so the bare sentinel is treated the same way.
    if m and (m.group(1) == omit or m.group(1) == "1604"):
        return f"--{m.group(2)}-{m.group(3)}"
    return value


def _readable(prop: VCardProperty) -> str:
    if prop.name in ("ADR", "ORG"):
        # Several ADRs are joined with "; " in raw, so their own ';' would be ambiguous there.
        return ", ".join(_one_line(c) for c in prop.components() if _one_line(c))
    if prop.name in STRUCTURED_PROPERTIES:
        return ";".join(prop.components()).rstrip(";").strip()
    if prop.name in LIST_PROPERTIES:
        return ", ".join(c.strip() for c in split_structured(prop.value)[0] if c.strip())
    return prop.value.strip()


def _pick_address(card: VCard) -> VCardProperty | None:
    adrs = [a for a in card.all("ADR") if any(c.strip() for c in a.components())]
    for a in adrs:
        if "pref" in a.types or a.param("PREF"):
            return a
    return adrs[0] if adrs else None


def _one_line(text: str) -> str:
    # Lines of a multi-line address become one; Apple leaves a trailing "," on streets.
    return ", ".join(p.strip(" ,") for p in text.splitlines() if p.strip(" ,"))


def vcard_to_record(card: VCard) -> ContactRecord:
    """Map a card onto a ContactRecord; values are decoded but not normalised."""
    raw: dict[str, str] = {}
    for prop in card.properties:
        if prop.name in _SKIP_RAW or prop.is_binary:
            continue
        text = _readable(prop)
        if not text:
            continue
        raw[prop.name] = f"{raw[prop.name]}; {text}" if prop.name in raw else text

    fields: dict[str, str] = {}
    parts = _name_parts(card) + [""] * 3
    family, given, additional = parts[0], parts[1], parts[2]
    if not additional and bool(family) != bool(given) and " " in (family or given):
        # The whole name typed into one N component ("N:Иванов Иван Иванович;;;;"): hand it to
        # the pipeline's name splitter as a full name instead of calling it a surname.
        fields["full_name"] = family or given
    else:
        for key, value in (
            ("last_name", family),
            ("first_name", given),
            ("middle_name", additional),
        ):
            if value:
                fields[key] = value
    fn = card.first("FN")
    if fn and fn.value.strip() and not fields:
        fields["full_name"] = fn.value.strip()

    org = card.first("ORG")
    if org:
        company = next((c.strip() for c in org.components() if c.strip()), "")
        if company:
            fields["company"] = company
    simple = (("TITLE", "position"), ("UID", "external_id"))
    for name, key in simple:
        prop = card.first(name)
        if prop and prop.value.strip():
            fields[key] = prop.value.strip()
    notes = [p.value.strip() for p in card.all("NOTE") if p.value.strip()]
    if notes:
        fields["note"] = "\n".join(notes)
    bday = card.first("BDAY")
    if bday and bday.value.strip():
        fields["birthday"] = _birthday(bday)
    gender = _gender(card)
    if gender:
        fields["gender"] = gender

    adr = _pick_address(card)
    if adr is not None:
        comps = [*adr.components(), "", "", "", "", "", "", ""][:7]
        pobox, ext, street, city, region, code, country = (c.strip() for c in comps)
        readable = [_one_line(c) for c in (pobox, ext, street, city, region, code, country)]
        fields["address"] = ", ".join(c for c in readable if c)
        if city:
            fields["city"] = city
        if code:
            fields["postcode"] = code
    else:
        label = card.first("LABEL")
        adr_label = next((a.param("LABEL") for a in card.all("ADR") if a.param("LABEL")), None)
        text = (label.value if label else None) or adr_label
        if text and _one_line(text):
            fields["address"] = _one_line(text)

    tags = []
    for prop in card.all("CATEGORIES"):
        tags.extend(c.strip() for c in split_structured(prop.value)[0] if c.strip())
    if tags:
        fields["tags"] = ", ".join(dict.fromkeys(tags))

    phones: list[tuple[str, str | None]] = []
    for prop in card.all("TEL"):
        value = prop.value.strip()
        if (prop.param("VALUE") or "").lower() == "uri" or value.lower().startswith("tel:"):
            value = _strip_scheme(value, "tel:")
        if value:
            phones.append((value, _tel_label(card, prop)))
    emails: list[tuple[str, str | None]] = []
    for prop in card.all("EMAIL"):
        value = _strip_scheme(prop.value.strip(), "mailto:")
        if value:
            emails.append((value, _email_label(card, prop)))
    messengers: list[tuple[str, str]] = []
    for prop in card.properties:
        found = _messenger(prop)
        if found and found not in messengers:
            messengers.append(found)

    return ContactRecord(
        row=card.line,
        raw=raw,
        fields=fields,
        phones=phones,
        emails=emails,
        messengers=messengers,
    )


def _gender(card: VCard) -> str | None:
    prop = card.first("GENDER")
    if prop:
        sex = prop.components()[0].strip()
        if sex:
            return sex
    prop = card.first("X-GENDER")
    if prop and prop.value.strip():
        return prop.value.strip()
    prop = card.first("X-WAB-GENDER")  # Outlook / Windows Address Book: 1 female, 2 male
    if prop:
        return {"1": "F", "2": "M"}.get(prop.value.strip())
    return None
