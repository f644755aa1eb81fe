"""E-mail addresses: unwrap what people paste into spreadsheets, validate, build duplicate keys.

Validation is email-validator's syntax check with deliverability off: an import must never touch
the network. email-validator costs tens of microseconds per call, so the common plain-ASCII
address is accepted by a conservative regex first; anything the regex does not accept, valid or
not, goes to email-validator for the verdict and the reason. The regex is deliberately narrower
than the RFC, so it can only ever say "valid" where email-validator says so too
(``tests/test_normalize_emails.py`` checks that on tricky and generated addresses).

Typos in domains ("mail.ri", "gmial.com") are not corrected: the value is the customer's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import email_validator
from email_validator import EmailNotValidError, validate_email

from clientbase.i18n import N_, _, language

__all__ = ["Email", "email_match_key", "normalize_email", "plain_addresses", "split_emails"]


@dataclass(frozen=True, slots=True)
class Email:
    raw: str  # the input value, stripped
    value: str | None  # normalised address (stripped, lower-cased) when valid
    valid: bool
    reason: str | None  # why it is invalid, in short English; None when valid


REASON_EMPTY = N_("empty")
REASON_NO_AT = N_("missing @")
REASON_MANY_AT = N_("more than one @")

# email-validator explains in long English sentences; shown in another language, each kind of
# mistake gets a short reason of our own (the value itself is always shown next to it).
_VALIDATOR_REASONS = (
    (r"There must be something before the @-sign", N_("nothing before the @")),
    (r"There must be something after the @-sign", N_("nothing after the @")),
    (r"It should have a period", N_("no dot in the part after the @")),
    (
        r"not within a valid top-level domain",
        N_("the part after the @ ends in no real domain zone"),
    ),
    (r"special-use or reserved name", N_("a reserved domain mail cannot go to")),
    (r"before the @-sign: (.+)\.$", N_("characters not allowed before the @: {chars}")),
    (
        r"after the @-sign contains invalid characters: (.+)\.$",
        N_("characters not allowed after the @: {chars}"),
    ),
    (r"period immediately before the @-sign", N_("a dot right before the @")),
    (r"period immediately after the @-sign", N_("a dot right after the @")),
    (r"hyphen immediately after the @-sign", N_("a hyphen right after the @")),
    (r"two periods in a row", N_("two dots in a row")),
    (r"too long", N_("the address is too long")),
)

# Small on purpose: in a big import most values are new, and an import runs one cache per
# worker process; repeats close together (a list sorted by client) still hit.
_CACHE_SIZE = 1 << 14

# Plain dot-atom local part from a safe subset of characters, and LDH hostname labels ending in
# an all-letter TLD of 2+ characters. Stricter than email-validator on purpose; the remaining
# rules it enforces (lengths, "--" labels, special-use TLDs) are checked in _fast_accepts.
_FAST_RE = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_MAX_ADDRESS = 254  # RFC 5321, always enforced by email-validator
_MAX_LOCAL = 64  # only enforced by email-validator in strict mode; we just leave longer ones to it
_MAX_DOMAIN = 253
# .arpa, .invalid, .local, .localhost, .onion, .test: email-validator rejects these (and their
# subdomains) as undeliverable; taken from the library so both stay in step.
_SPECIAL_USE_TLDS = frozenset(d for d in email_validator.SPECIAL_USE_DOMAIN_NAMES if "." not in d)
_SPECIAL_USE_DOTTED = tuple(d for d in email_validator.SPECIAL_USE_DOMAIN_NAMES if "." in d)
_SPECIAL_USE_SUFFIXES = tuple("." + d for d in _SPECIAL_USE_DOTTED)

_MAILTO_RE = re.compile(r"^mailto:", re.IGNORECASE)
# "Иван Петров <ivan@x.ru>": the address is what is inside the angle brackets.
_ANGLE_RE = re.compile(r"<([^<>]*@[^<>]*)>")
# Includes the invisible characters copy-paste and Excel leave behind: no-break space, zero-width
# space, word joiner and the byte-order mark.
_LEAD_JUNK = " \t\r\n\u00a0\u200b\u2060\ufeff\"'«»“”„()[]<>,;:"
# Trailing dots too: "пишите на ivan@mail.ru." is a sentence, not a domain ending in a dot.
_TRAIL_JUNK = _LEAD_JUNK + "."


def _fast_accepts(address: str) -> bool:
    """True only for lower-case ASCII addresses email-validator certainly accepts unchanged."""
    if len(address) > _MAX_ADDRESS or _FAST_RE.fullmatch(address) is None:
        return False
    local, _, domain = address.partition("@")
    if len(local) > _MAX_LOCAL or len(domain) > _MAX_DOMAIN:
        return False
    # email-validator rejects "ab--cd" labels and decodes "xn--" ones; both are rare enough to
    # leave to it entirely.
    if "--" in domain:
        return False
    if domain.rpartition(".")[2] in _SPECIAL_USE_TLDS:
        return False
    return not (domain in _SPECIAL_USE_DOTTED or domain.endswith(_SPECIAL_USE_SUFFIXES))


def _unwrap(text: str) -> str:
    """Strip the wrapping people put around an address; the address itself is left alone."""
    m = _ANGLE_RE.search(text)
    if m is not None:
        text = m.group(1)
    text = text.strip(_LEAD_JUNK)
    if _MAILTO_RE.match(text):
        text = text[7:]
        at = text.find("@")
        query = text.find("?", at) if at >= 0 else -1
        if query >= 0:  # mailto:ivan@x.ru?subject=…
            text = text[:query]
    return text.lstrip(_LEAD_JUNK).rstrip(_TRAIL_JUNK)


def reason_text(reason: str) -> str:
    """Why an address is invalid, for people, in the language of the command."""
    if reason in (REASON_EMPTY, REASON_NO_AT, REASON_MANY_AT):
        return _(reason)
    if language() == "en":
        return reason  # email-validator's own sentence
    for pattern, short in _VALIDATOR_REASONS:
        m = re.search(pattern, reason)
        if m:
            return _(short).format(chars=m.group(1) if m.groups() else "")
    return _("not a valid address")


def _plain_address(text: str) -> str | None:
    """The address of a cell that holds nothing but a plain address email-validator accepts
    unchanged, lower-cased; None for anything else. No wrapping character (brackets, quotes,
    "mailto:", trailing dots) fits the plain shape, so there is nothing to unwrap."""
    address = text.lower()
    return address if _fast_accepts(address) else None


# _fast_accepts in one regular expression, so a whole column is checked without a Python call
# per cell: the lengths as lookaheads, the special-use domains as lookbehinds at the end.
_PLAIN_RE = re.compile(
    rf"(?=.{{1,{_MAX_ADDRESS}}}\Z)(?=[^@]{{1,{_MAX_LOCAL}}}@)(?![^@]*@.*--)"
    + _FAST_RE.pattern
    + "".join(rf"(?<!\.{re.escape(t)})" for t in sorted(_SPECIAL_USE_TLDS))
    + "".join(rf"(?<![@.]{re.escape(d)})" for d in _SPECIAL_USE_DOTTED)
)


def plain_addresses(cells: list[str]) -> dict[str, str]:
    """The cells of a column that hold nothing but a plain address (see ``_plain_address``),
    each with its address lower-cased: what ``split_emails`` and ``normalize_email`` make of
    them, one valid address unchanged but for case, found a column at a time."""
    cells = list(dict.fromkeys(cells))
    lowered = list(map(str.lower, cells))
    found = map(_PLAIN_RE.fullmatch, lowered)
    return {c: low for c, low, m in zip(cells, lowered, found, strict=True) if m is not None}


def _normalize_uncached(raw: str, fast: bool = True) -> Email:
    text = raw.strip()
    if fast and (plain := _plain_address(text)) is not None:
        return Email(text, plain, True, None)  # the usual cell
    if not text:
        return Email(text, None, False, REASON_EMPTY)
    address = _unwrap(text).lower()
    if not address:
        return Email(text, None, False, REASON_EMPTY)
    ats = address.count("@")
    if ats == 0:
        return Email(text, None, False, REASON_NO_AT)
    if ats > 1:
        return Email(text, None, False, REASON_MANY_AT)
    if fast and _fast_accepts(address):
        return Email(text, address, True, None)
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return Email(text, None, False, str(exc))
    # normalized has the domain in Unicode (IDNA-decoded) and NFC: "ivan@xn--80a1acny.xn--p1ai"
    # and "ivan@почта.рф" end up the same value.
    return Email(text, result.normalized.lower(), True, None)


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_email(raw: str) -> Email:
    """Validate and normalise one e-mail value. Never raises; never uses the network."""
    return _normalize_uncached(raw)


_SPLIT_RE = re.compile(r"\s*:::\s*|[,;\r\n]+")
_GOOGLE_PRIMARY_RE = re.compile(r"^\*\s+")
# Anything that can separate addresses, mark Google's primary value or open "Name <addr>".
_ANY_SEP_RE = re.compile(r"[,;:*<\s]")


def split_emails(cell: str) -> list[str]:
    """Split one cell into separate e-mail strings (stripped, non-empty).

    Separators are ",", ";", newlines, Google's " ::: " and whitespace. "Name <addr>" yields just
    the address. When whitespace separates several words, only the words with an "@" are
    returned ("ivan@x.ru (Иван)" -> "ivan@x.ru"); a part with no "@" at all is returned whole, so
    "не указан" stays one (invalid) value instead of two.
    """
    single = cell.strip()
    if _ANY_SEP_RE.search(single) is None:
        # The usual cell is one bare address: skip the splitting machinery.
        return [single] if single else []
    out: list[str] = []
    for part in _SPLIT_RE.split(cell):
        part = _GOOGLE_PRIMARY_RE.sub("", part.strip())
        if not part:
            continue
        bracketed = _ANGLE_RE.findall(part)
        if bracketed:
            out.extend(b.strip() for b in bracketed if b.strip())
            continue
        words = part.split()
        with_at = [w for w in words if "@" in w]
        if len(words) > 1 and with_at:
            out.extend(with_at)
        else:
            out.append(part)
    return out


_DOMAIN_ALIASES = {
    "googlemail.com": "gmail.com",
    # One Yandex mailbox answers on all of these.
    "ya.ru": "yandex.ru",
    "yandex.com": "yandex.ru",
    "yandex.by": "yandex.ru",
    "yandex.kz": "yandex.ru",
    "yandex.ua": "yandex.ru",
    "narod.ru": "yandex.ru",
}
# Providers documented to deliver "name+anything@" to "name@". Others (mail.ru, rambler.ru, most
# company domains) may treat "+" as an ordinary character, so it is kept there.
_PLUS_TAG_DOMAINS = frozenset(
    {
        "gmail.com",
        "yandex.ru",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
    }
)


def email_match_key(value: str) -> str:
    """Key under which two addresses reach the same mailbox, for duplicate detection only.

    Always lower-cased. googlemail.com -> gmail.com and the Yandex domains (ya.ru, yandex.com/.by/
    .kz/.ua, narod.ru) -> yandex.ru; "+tag" dropped for the providers in _PLUS_TAG_DOMAINS; dots
    dropped in Gmail local parts; in Yandex local parts "." and "-" are the same, written "-".
    Never store this as the address: it is not always a deliverable spelling.
    """
    address = value.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return address
    domain = _DOMAIN_ALIASES.get(domain, domain)
    if domain in _PLUS_TAG_DOMAINS:
        base = local.split("+", 1)[0]
        if base:  # "+tag@gmail.com" alone is not a mailbox we can shorten
            local = base
    if domain == "gmail.com":
        local = local.replace(".", "") or local
    elif domain == "yandex.ru":
        local = local.replace(".", "-")
    return f"{local}@{domain}"
