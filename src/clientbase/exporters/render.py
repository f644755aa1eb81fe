"""How one stored value is written for one platform: pure functions, no I/O.

The base keeps one canonical form of each identifier (E.164 phone, lower-case email); every
platform wants its own rendering before hashing, and the same phone hashes differently per
platform (``+79995551111`` for Google, ``79995551111`` for Yandex, VK, Meta and TikTok). These
functions do that rendering, the hashing, and the escaping that keeps a plain spreadsheet from
running a cell as a formula.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType

from clientbase.normalize.names import transliterate

_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_HEX_LENGTHS = {32: "md5", 64: "sha256"}


def render_phone(e164: str, fmt: str) -> str:
    """``+79995551111`` as the platform wants it: ``e164`` keeps the ``+``, ``digits`` drops it."""
    if fmt == "e164":
        return e164
    if fmt == "digits":
        return e164.lstrip("+")
    raise ValueError(f"unknown phone format {fmt!r}")


_GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


def render_email(value: str, rules: Iterable[str]) -> str | None:
    """The address after the platform's rules, or None when the platform cannot take it
    (``ascii_only`` and a non-Latin address). ``gmail`` drops the dots and the ``+tag`` of the
    local part for gmail.com and googlemail.com only: other providers treat dots as letters."""
    return email_renderer(tuple(rules))(value)


@lru_cache(maxsize=64)
def email_renderer(rules: tuple[str, ...]) -> Callable[[str], str | None]:
    """render_email with the rules decided once, for the export's inner loop."""
    trim, lower, nospace = "trim" in rules, "lowercase" in rules, "no_spaces" in rules
    gmail, ascii_only = "gmail" in rules, "ascii_only" in rules

    def run(value: str) -> str | None:
        v = value
        if trim:
            v = v.strip()
        if lower:
            v = v.lower()
        if nospace:
            v = "".join(v.split())
        if gmail:
            local, at, domain = v.rpartition("@")
            if at and domain.lower() in _GMAIL_DOMAINS:
                v = local.partition("+")[0].replace(".", "") + "@" + domain
        if ascii_only and not v.isascii():
            return None
        return v or None

    return run


def looks_hashed(value: str) -> bool:
    """32 or 64 hex characters: an MD5 or SHA-256 hash already."""
    return len(value) in _HEX_LENGTHS and _HEX_RE.fullmatch(value) is not None


def hash_value(text: str, algo: str) -> str:
    """Lower-case hex of ``text`` (UTF-8); ``none`` returns it as is. A value that already looks
    hashed is passed through (lower-cased), never hashed a second time."""
    if algo == "none":
        return text
    if looks_hashed(text):
        return text.lower()
    if algo == "sha256":
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    if algo == "md5":
        return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    raise ValueError(f"unknown hash {algo!r}")


def hasher(algo: str) -> Callable[[str], str]:
    """hash_value bound to one algorithm, for the export's inner loop."""
    if algo == "none":
        return str
    if algo not in ("sha256", "md5"):
        raise ValueError(f"unknown hash {algo!r}")
    new = hashlib.sha256 if algo == "sha256" else hashlib.md5
    lengths = _HEX_LENGTHS

    def run(text: str) -> str:
        if len(text) in lengths and _HEX_RE.fullmatch(text):
            return text.lower()
        return new(text.encode("utf-8")).hexdigest()

    return run


_NOT_AZ_RE = re.compile(r"[^a-z]+")


def render_name(value: str | None, mode: str) -> str:
    """A first or last name for the platform ("" when there is none or it is left out).

    ``hash``: lower case, NFC, Cyrillic and diacritics kept (Google hashes it so);
    ``transliterate``: Cyrillic to Latin, lower case, a–z only (Meta keeps only those letters, so
    an untransliterated Cyrillic name would become empty); ``plain``: as stored; ``drop``: ""."""
    if not value or mode == "drop":
        return ""
    if mode == "plain":
        return value
    if mode == "hash":
        return unicodedata.normalize("NFC", " ".join(value.split()).lower())
    if mode == "transliterate":
        return _NOT_AZ_RE.sub("", transliterate(unicodedata.normalize("NFC", value)).lower())
    raise ValueError(f"unknown name mode {mode!r}")


def has_cyrillic(value: str | None) -> bool:
    return bool(value) and any("\u0400" <= ch <= "\u04ff" for ch in value)


# Characters a spreadsheet reads as the start of a formula (and tab / CR, which some programs
# strip before looking): OWASP's list for CSV injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """``'`` before a value a spreadsheet would run as a formula (``=HYPERLINK(...)``,
    ``+7...``, ``-1``, ``@SUM``); anything else unchanged. Plain CSV/XLSX exports write phones as
    digits by default, so a normal list needs no escaping at all."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --------------------------------------------------------------------------------------------
# Phone facts: region and whether the number is a mobile
# --------------------------------------------------------------------------------------------

_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _cc7_table():
    """For +7 (Russia and Kazakhstan), the owner region and its mobile pattern, from
    phonenumbers' own metadata: a regex instead of a full parse keeps a million numbers fast."""
    out = []
    for code in phonenumbers.region_codes_for_country_code(7):
        md = PhoneMetadata.metadata_for_region(code)
        if md is None or md.mobile is None or not md.mobile.national_number_pattern:
            return None
        leading = re.compile(md.leading_digits) if md.leading_digits else None
        out.append((code, leading, re.compile(md.mobile.national_number_pattern)))
    return tuple(out)


_CC7 = _cc7_table()


@lru_cache(maxsize=1 << 12)
def _slow_facts(e164: str) -> tuple[str | None, bool]:
    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None, False
    return phonenumbers.region_code_for_number(num), phonenumbers.number_type(num) in _MOBILE_TYPES


def phone_facts(e164: str) -> tuple[str | None, bool]:
    """(ISO region, is it a mobile) of a stored E.164 number. A number that can be either
    (FIXED_LINE_OR_MOBILE, as in the US) counts as a mobile: it cannot be told apart."""
    if _CC7 is not None and e164.startswith("+7") and len(e164) == 12:
        nsn = e164[2:]
        for code, leading, mobile in _CC7:
            # The first region whose leading digits match owns the number (phonenumbers' rule);
            # a region without leading digits owns it only if valid there: the full parse decides.
            if leading is None:
                break
            if leading.match(nsn):
                return code, mobile.fullmatch(nsn) is not None
    return _slow_facts(e164)
