"""Phone numbers: clean up what people type into spreadsheets and turn it into E.164.

The import pipeline sees well over a million phone values per big file, and a full
``phonenumbers.parse`` + ``is_valid_number`` costs tens of microseconds. Almost all of those values
are Russian/Kazakh numbers in a handful of shapes (``8 916 …``, ``+7 916 …``, ``9161234567``), so
this module answers those from a *fast path* that replays libphonenumber's own parsing rules for
country code 7 and validates against regular expressions compiled once from phonenumbers' metadata.
Everything else goes through phonenumbers itself. ``tests/test_normalize_phones.py`` checks that
both paths agree on thousands of generated numbers, so the fast path is an optimisation only, never
a second opinion.

Invalid values never raise: the caller keeps the raw value and shows ``Phone.reason``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata

from clientbase.i18n import N_, _

__all__ = [
    "Phone",
    "complete_local_number",
    "is_short_or_internal",
    "normalize_phone",
    "split_phones",
    "with_area_code",
]


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str  # the input value, stripped
    e164: str | None  # "+79161234567" when the number is valid, else None
    extension: str | None  # "123" for "… доб. 123", "ext 5", "x5", "#5"
    valid: bool
    reason: str | None  # why it is invalid, in short English; None when valid
    region: str | None  # ISO region of a valid number ("RU", "KZ", "BY", ...)


_PHONE_SETTERS = tuple(Phone.__dict__[f.name].__set__ for f in fields(Phone))
assert len(_PHONE_SETTERS) == 6


def _make_phone(
    raw: str,
    e164: str | None,
    extension: str | None,
    valid: bool,
    reason: str | None,
    region: str | None,
) -> Phone:
    # Equal to Phone(...) in every way, built without the frozen dataclass __init__, which goes
    # through object.__setattr__ once per field: ~0.7 µs of a ~3 µs budget, this takes half of
    # that. Used for every value that reaches parsing; the rare early exits use Phone(...).
    phone = object.__new__(Phone)
    s_raw, s_e164, s_ext, s_valid, s_reason, s_region = _PHONE_SETTERS
    s_raw(phone, raw)
    s_e164(phone, e164)
    s_ext(phone, extension)
    s_valid(phone, valid)
    s_reason(phone, reason)
    s_region(phone, region)
    return phone


DEFAULT_REGION = "RU"

# Reasons stay English in results (they are cached, and stored with the contact point); people
# read them through reason_text().
REASON_EMPTY = N_("empty")
REASON_NO_DIGITS = N_("no digits")
REASON_TOO_FEW = N_("too few digits")
REASON_TOO_MANY = N_("too many digits")
REASON_WRONG_LENGTH = N_("wrong number of digits")
REASON_SHORT = N_("internal extension or short service number")
REASON_BAD_COUNTRY = N_("unknown country code")
REASON_BAD_REGION = N_("unknown default region")
REASON_NOT_A_NUMBER = N_("not a phone number")
_NOT_VALID_FOR = "not a valid number for "


def reason_text(reason: str) -> str:
    """Why a number is invalid, for people, in the language of the command."""
    if reason.startswith(_NOT_VALID_FOR):
        return _("not a valid number for {where}").format(where=reason[len(_NOT_VALID_FOR) :])
    return _(reason)


# PBX extensions and service numbers (112, 900, 0611, *100#) are 2-5 digits; a real subscriber
# number is never that short, and a 6-7 digit local number is at least a number (just missing
# its area code), so it is reported as "too few digits" instead.
_SHORT_MIN_DIGITS = 2
_SHORT_MAX_DIGITS = 5

# Main part of a cell must keep at least this many digits for a trailing "x5"/"#5" to count as an
# extension; otherwise "доб. 123" alone would become an extension of nothing.
_MIN_MAIN_DIGITS = 6

# When splitting a cell on "," or "/", a piece with fewer digits than this is not a phone of its
# own but the tail of the previous one ("…-45-67/68", "…, доб. 12").
_MIN_PIECE_DIGITS = 5

# Small on purpose: in a big import most values are new, and an import runs one cache per
# worker process; repeats close together (a list sorted by client) still hit.
_CACHE_SIZE = 1 << 14


# --------------------------------------------------------------------------------------------
# Text clean-up shared by both paths
# --------------------------------------------------------------------------------------------

# The marker must not follow a letter so that e.g. the "x" of a word is not read as "ext"; the
# extension digits must be the last digits of the cell, so anything after them is a note.
_EXT_RE = re.compile(
    r"(?:(?<![a-zа-яё])(?:добавочн(?:ый|ого)|доб|доп|внутр(?:енний)?|вн|ext(?:ension)?|x|х)|[#№])"
    r"[\s.:=#№-]*"
    r"(\d{1,7})\D*$",
    re.IGNORECASE,
)
# Substrings at least one of which every extension marker contains (lower-cased text).
_EXT_HINTS = ("x", "х", "#", "№", "доб", "доп", "вн")
_NON_DIGIT_RE = re.compile(r"\D+")
_ASCII_NON_DIGITS = bytes(b for b in range(128) if not (48 <= b <= 57))
# "+" (or the full-width "＋") only counts as the international prefix before the first digit.
_LEADING_PLUS_RE = re.compile(r"[^\d+＋]*[+＋]")


def _split_extension(text: str) -> tuple[str, str | None]:
    # Cheap pre-check: most cells carry no marker at all, and the regex search costs more than
    # these substring tests.
    if text.isascii():
        if "x" not in text and "X" not in text and "#" not in text:
            return text, None
    else:
        low = text.lower()
        if not any(h in low for h in _EXT_HINTS):
            return text, None
    m = _EXT_RE.search(text)
    if m is None:
        return text, None
    main = text[: m.start()].rstrip(" \t,;([")
    if sum(c.isdigit() for c in main) < _MIN_MAIN_DIGITS:
        return text, None
    return main, _to_ascii_digits(m.group(1))


def _to_ascii_digits(s: str) -> str:
    if s.isascii():
        return s
    return "".join(str(unicodedata.decimal(c)) for c in s)


def _digits_and_plus(text: str) -> tuple[str, bool]:
    """All digits of ``text`` (as ASCII) and whether a "+" precedes the first one."""
    if text.isascii():
        digits = text.encode("ascii").translate(None, _ASCII_NON_DIGITS).decode("ascii")
        at = text.find("+")
        plus = at == 0 or (at > 0 and _LEADING_PLUS_RE.match(text) is not None)
        return digits, plus
    # \d is Unicode-aware, so full-width and other scripts' digits are kept and converted.
    digits = _to_ascii_digits(_NON_DIGIT_RE.sub("", text))
    plus = ("+" in text or "＋" in text) and _LEADING_PLUS_RE.match(text) is not None
    return digits, plus


# --------------------------------------------------------------------------------------------
# Metadata compiled once
# --------------------------------------------------------------------------------------------

# Same order as phonenumbers' _number_type_helper; only "is any of them a match" matters here,
# but mobile and fixed line go first because they are what real lists are made of.
_TYPE_DESCS = (
    "mobile",
    "fixed_line",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


_TOO_SHORT, _TOO_LONG, _POSSIBLE, _LOCAL_ONLY, _INVALID_LENGTH = range(5)
# Verdicts for which parse keeps the national prefix rather than strip it.
_KEEP_PREFIX = frozenset((_TOO_SHORT, _LOCAL_ONLY, _INVALID_LENGTH))
_MAX_FAST_LEN = 16  # the fast path never looks at longer numbers


def _length_verdict(n: int, lengths: tuple[int, ...], local: frozenset[int]) -> int:
    # phonenumbers._test_number_length against the general description.
    if n in local:
        return _LOCAL_ONLY
    if n == lengths[0]:
        return _POSSIBLE
    if n < lengths[0]:
        return _TOO_SHORT
    if n > lengths[-1]:
        return _TOO_LONG
    return _POSSIBLE if n in lengths else _INVALID_LENGTH


@dataclass(frozen=True, slots=True)
class _Region:
    code: str
    general: re.Pattern[str]  # general_desc pattern ("viable" number in phonenumbers' terms)
    # Validity by number length: the general description AND any number type, as one regex per
    # length the general description allows (no entry = never valid). One regex instead of a
    # loop over ten descriptions is what makes validation sub-microsecond.
    valid_by_len: dict[int, re.Pattern[str]]
    verdict: tuple[int, ...]  # _length_verdict by length, 0.._MAX_FAST_LEN
    leading: re.Pattern[str] | None

    def is_valid(self, nsn: str) -> bool:
        pattern = self.valid_by_len.get(len(nsn))
        return pattern is not None and pattern.fullmatch(nsn) is not None


def _compile_region(code: str) -> _Region | None:
    md = PhoneMetadata.metadata_for_region(code)
    general = md.general_desc
    lengths = tuple(sorted(n for n in general.possible_length if n > 0))
    if not lengths or not general.national_number_pattern:
        return None  # no length data: not the shape the fast path is written for
    local = frozenset(general.possible_length_local_only or ())
    # Mirrors phonenumbers' _number_type_helper(...) != UNKNOWN: the general description must
    # match, then any number type, each type first gated on its own possible lengths.
    by_len: dict[int, re.Pattern[str]] = {}
    for n in lengths:
        fitting = []
        for name in _TYPE_DESCS:
            desc = getattr(md, name)
            if desc is None or not desc.national_number_pattern:
                continue
            if desc.possible_length and n not in desc.possible_length:
                continue
            fitting.append(f"(?:{desc.national_number_pattern})")
        if fitting:
            gen = general.national_number_pattern
            by_len[n] = re.compile(rf"(?=(?:{gen})\Z)(?:{'|'.join(fitting)})")
    return _Region(
        code=code,
        general=re.compile(general.national_number_pattern),
        valid_by_len=by_len,
        verdict=tuple(_length_verdict(n, lengths, local) for n in range(_MAX_FAST_LEN + 1)),
        leading=re.compile(md.leading_digits) if md.leading_digits else None,
    )


def _fast_path_regions() -> dict[str, _Region]:
    """Regions the fast path may answer for, keyed by region code.

    The fast path hard-codes the parsing rules of country code 7 (national prefix "8", no
    transform rule, international prefix "810"). If a future phonenumbers release changes any of
    that, the region silently drops out and everything goes through phonenumbers as before.
    """
    out: dict[str, _Region] = {}
    for code in phonenumbers.region_codes_for_country_code(7):
        md = PhoneMetadata.metadata_for_region(code)
        if (
            md is not None
            and md.country_code == 7
            and md.national_prefix_for_parsing == "8"
            and not md.national_prefix_transform_rule
            and md.international_prefix == "810"
        ):
            reg = _compile_region(code)
            if reg is not None:
                out[code] = reg
    return out


_CC7 = _fast_path_regions()
_CC7_REGIONS = phonenumbers.region_codes_for_country_code(7)
_CC7_MAIN = phonenumbers.region_code_for_country_code(7)
# phonenumbers' _region_code_for_number_from_list: the first region (RU before KZ) whose leading
# digits match owns the number; a region without leading digits owns it only if valid there.
_CC7_OWNERS = tuple(
    (reg.leading.match if reg.leading is not None else reg.is_valid, reg)
    for reg in (_CC7.get(code) for code in _CC7_REGIONS)
    if reg is not None
)
_FAST_OK = _CC7_MAIN in _CC7 and len(_CC7_OWNERS) == len(_CC7_REGIONS)


def _strip_national_prefix(number: str, reg: _Region) -> str:
    # phonenumbers._maybe_strip_national_prefix_carrier_code for a plain "8" prefix: drop it unless
    # the number was viable with it and is not viable without it (e.g. 800 toll-free numbers).
    if not number.startswith("8"):
        return number
    stripped = number[1:]
    if reg.general.fullmatch(number) and not reg.general.fullmatch(stripped):
        return number
    return stripped


# --------------------------------------------------------------------------------------------
# Parsing: fast and slow
# --------------------------------------------------------------------------------------------

# (e164 or None, region of a valid number or None, reason or None)
_Result = tuple[str | None, str | None, str | None]


def _invalid_reason(cc: int, nsn: str, default_region: str | None) -> str:
    """Reason for a number that parsed but is not valid; shared by both paths so they agree."""
    if default_region and phonenumbers.country_code_for_region(default_region) == cc:
        region = default_region
    else:
        region = phonenumbers.region_code_for_country_code(cc)
    md = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
    lengths = sorted(n for n in md.general_desc.possible_length if n > 0) if md else []
    if lengths:
        if len(nsn) < lengths[0]:
            return REASON_TOO_FEW
        if len(nsn) > lengths[-1]:
            return REASON_TOO_MANY
        if len(nsn) not in lengths:
            return REASON_WRONG_LENGTH
    where = region if region and region.isalpha() else f"+{cc}"
    return f"{_NOT_VALID_FOR}{where}"


def _parse_fast(digits: str, plus: bool, region: str | None) -> _Result | None:
    """Answer for the common +7 / 8 / 7 / 10-digit shapes, or None to let phonenumbers decide.

    Replays what phonenumbers.parse does for exactly these inputs (country code 7, national
    prefix "8"), step by step, using the metadata compiled above; the equivalence test keeps it
    honest.
    """
    n = len(digits)
    if plus:
        # "+7…": country code 7 whatever the default region; parse then continues with the main
        # region's (RU) metadata.
        if not 11 <= n <= 12 or digits[0] != "7":
            return None
        reg = _CC7[_CC7_MAIN]
        nsn = digits[1:]
    else:
        reg = _CC7.get(region) if region else None
        # "810…" is the old Soviet international prefix (8~10): phonenumbers treats it as IDD.
        if reg is None or not 10 <= n <= 11 or digits.startswith("810"):
            return None
        nsn = digits
        if digits[0] == "7":
            # Starts with the default country code: phonenumbers drops it when the rest is a
            # viable national number and the whole is not (or the whole is too long), and then
            # carries on with the main region's metadata.
            rest = _strip_national_prefix(digits[1:], reg)
            viable = reg.general.fullmatch
            if (viable(rest) and not viable(digits)) or reg.verdict[n] == _TOO_LONG:
                nsn = rest
                reg = _CC7[_CC7_MAIN]
    if nsn[0] == "8":
        # The national-prefix step of parse: kept only if what remains can be a full number.
        candidate = _strip_national_prefix(nsn, reg)
        if reg.verdict[len(candidate)] not in _KEEP_PREFIX:
            nsn = candidate
    for owns, owner in _CC7_OWNERS:
        if owns(nsn):
            pattern = owner.valid_by_len.get(len(nsn))
            if pattern is not None and pattern.fullmatch(nsn):
                return "+7" + nsn, owner.code, None
            break
    return None, None, _invalid_reason(7, nsn, region)


def _parse_slow(digits: str, plus: bool, region: str | None) -> _Result:
    text = "+" + digits if plus else digits
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return None, None, REASON_BAD_COUNTRY
        if exc.error_type in (
            NumberParseException.TOO_SHORT_NSN,
            NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            return None, None, REASON_TOO_FEW
        if exc.error_type == NumberParseException.TOO_LONG:
            return None, None, REASON_TOO_MANY
        return None, None, REASON_NOT_A_NUMBER
    if phonenumbers.is_valid_number(num):
        e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        return e164, phonenumbers.region_code_for_number(num), None
    nsn = phonenumbers.national_significant_number(num)
    return None, None, _invalid_reason(num.country_code, nsn, region)


def _parse(digits: str, plus: bool, region: str | None, fast: bool) -> _Result:
    return (fast and _FAST_OK and _parse_fast(digits, plus, region)) or _parse_slow(
        digits, plus, region
    )


@lru_cache(maxsize=256)
def _normalize_region(region: str | None) -> str | None:
    """Upper-cased region, or None when phonenumbers does not know it."""
    code = (region or DEFAULT_REGION).strip().upper().partition(AREA_SEP)[0]
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


# A region may carry a default area code ("RU+495"): the region string travels through every
# import path unchanged, so the area code rides along with it.
AREA_SEP = "+"


def with_area_code(region: str, area_code: str | None) -> str:
    """The region string that also completes local numbers: ("RU", "495") → "RU+495"."""
    if not area_code:
        return region
    digits = "".join(c for c in area_code if c.isdigit())
    if not digits or digits != area_code.strip().strip("()").replace(" ", "").replace("-", ""):
        raise ValueError(
            _("area code {code}: digits only, such as 495").format(code=repr(area_code))
        )
    return f"{region}{AREA_SEP}{digits}"


def _area_code(region: str | None) -> str:
    return (region or "").partition(AREA_SEP)[2]


def _analyse(digits: str, plus: bool, region: str | None, fast: bool) -> _Result:
    # _parse inlined: this line runs for every phone of an import.
    result = (fast and _FAST_OK and _parse_fast(digits, plus, region)) or _parse_slow(
        digits, plus, region
    )
    if result[0] is not None or plus:
        return result
    # Belarusian national format "8 029 …"/"8 017 …" (trunk prefix 80) is never a Russian or
    # Kazakh number, and Belarusian contacts are common in Russian lists.
    if region in ("RU", "KZ") and len(digits) == 11 and digits.startswith("80"):
        alt = _parse(digits, False, "BY", fast)
        if alt[0] is not None:
            return alt
    # A long number written without "+" that does not start with the default region's trunk
    # prefix is most likely international with the "+" forgotten ("375 29 …", "380 50 …", or a
    # Russian "7 916 …" in a Kazakh list). 10-digit values are not retried: for RU they are a
    # national number with a typo far more often than a foreign one.
    if len(digits) >= 11 and region is not None:
        trunk = PhoneMetadata.metadata_for_region(region).national_prefix
        if not trunk or not digits.startswith(trunk):
            alt = _parse(digits, True, region, fast)
            if alt[0] is not None:
                return alt
    return result


def _normalize_uncached(raw: str, region: str | None = DEFAULT_REGION, fast: bool = True) -> Phone:
    text = raw.strip()
    if not text:
        return Phone(text, None, None, False, REASON_EMPTY, None)
    main, extension = _split_extension(text)
    digits, plus = _digits_and_plus(main)
    if not digits:
        return Phone(text, None, extension, False, REASON_NO_DIGITS, None)
    if not plus and digits.startswith("00") and len(digits) > 2 and digits[2] != "0":
        # "00" is the international prefix almost everywhere (RU/KZ dial 8~10, but no Russian
        # number starts with 00 either), so read it as "+". Country codes never start with 0,
        # so "0000000" stays a (bad) national number.
        plus, digits = True, digits[2:]
    if len(digits) <= _SHORT_MAX_DIGITS:
        short = not plus and len(digits) >= _SHORT_MIN_DIGITS
        return Phone(text, None, extension, False, REASON_SHORT if short else REASON_TOO_FEW, None)
    code = _normalize_region(region)
    if code is None and not plus:
        return Phone(text, None, extension, False, REASON_BAD_REGION, None)
    e164, num_region, reason = _analyse(digits, plus, code, fast)
    area = _area_code(region) if e164 is None and not plus else ""
    if area and 5 <= len(digits) <= 8:
        # A local number written without its area code ("234-56-78" in Moscow).
        e164_local, region_local, _ = _analyse(area + digits, False, code, fast)
        if e164_local is not None:
            e164, num_region, reason = e164_local, region_local, None
    return _make_phone(text, e164, extension, e164 is not None, reason, num_region)


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> Phone:
    """Normalise one phone value to E.164.

    ``region`` is the default region for numbers written without "+" (ISO code, any case; an empty
    value means ``DEFAULT_REGION``). Never raises for bad input: returns ``valid=False`` with a
    ``reason`` and ``e164=None``. Results are cached per (raw, region).
    """
    return _normalize_uncached(raw, region)


def is_short_or_internal(raw: str) -> bool:
    """True for internal PBX extensions and short service numbers (2-5 digits, no "+").

    Used to skip call-log entries such as "104", "900", "0611", "*100#" or "вн. 2231" that are
    not customers.
    """
    text = raw.strip()
    if not text:
        return False
    digits, plus = _digits_and_plus(text)
    return not plus and _SHORT_MIN_DIGITS <= len(digits) <= _SHORT_MAX_DIGITS


# --------------------------------------------------------------------------------------------
# Splitting a cell
# --------------------------------------------------------------------------------------------

# Separators that never occur inside one number: ";", "|", newlines and Google's " ::: ".
_HARD_SEP_RE = re.compile(r"\s*:::\s*|\s*[;|\r\n]+\s*")
# "," and "/" separate numbers but also occur inside one ("…, доб. 12", "…-45-67/68"): split on
# them, then glue back pieces too short to be a number (captured so the glue is the original).
_SOFT_SEP_RE = re.compile(r"(\s*[,/]\s*)")
_GOOGLE_PRIMARY_RE = re.compile(r"^\*\s+")
# Any character that can take part in a separator or in Google's "* " primary marker.
_ANY_SEP_RE = re.compile(r"[,;/|\r\n:*]")
_DIGIT_RE = re.compile(r"\d")
_EXT_START_RE = re.compile(r"^(?:добавочн|доб|доп|внутр|вн\b|ext|x\s*\d|х\s*\d|#|№)", re.IGNORECASE)


def _count_digits(s: str) -> int:
    return len(_DIGIT_RE.findall(s))


def _split_soft(part: str) -> list[str]:
    tokens = _SOFT_SEP_RE.split(part)
    pieces = tokens[0::2]
    seps = tokens[1::2]
    out: list[str] = []
    pending = ""  # leading pieces with too few digits ("тел.", "моб.") join the next number
    for i, piece in enumerate(pieces):
        stripped = piece.strip()
        is_tail = _count_digits(stripped) < _MIN_PIECE_DIGITS or _EXT_START_RE.match(stripped)
        if is_tail and out:
            out[-1] += seps[i - 1] + piece
        elif is_tail:
            pending += piece + (seps[i] if i < len(seps) else "")
        else:
            out.append(pending + piece)
            pending = ""
    if pending:
        out.append(pending)
    return out


def split_phones(cell: str) -> list[str]:
    """Split one spreadsheet cell into separate phone strings (stripped, non-empty)."""
    if _ANY_SEP_RE.search(cell) is None:
        # The usual cell holds one number and no separator at all: skip the splitting machinery,
        # which costs several times more than this check.
        cell = cell.strip()
        return [cell] if cell else []
    result: list[str] = []
    for part in _HARD_SEP_RE.split(cell):
        part = _GOOGLE_PRIMARY_RE.sub("", part.strip())
        if not part:
            continue
        for piece in _split_soft(part):
            piece = _GOOGLE_PRIMARY_RE.sub("", piece.strip()).strip(" ,/")
            if piece:
                result.append(piece)
    return result


def complete_local_number(raw: str, area_code: str | None) -> str:
    """A 7-digit local number (``123-45-67``, as people write numbers of their own town) with the
    local area code put in front: ``(495) 123-45-67``. Anything else is returned as it is."""
    if not area_code or "+" in raw:
        return raw
    main, _ = _split_extension(raw.strip())
    if _count_digits(main) != 7:
        return raw
    return f"({area_code}) {raw.strip()}"
