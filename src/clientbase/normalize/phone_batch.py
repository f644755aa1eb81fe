"""Phone numbers a column at a time: the common Russian and Kazakh shapes without a Python call
per value.

A big contact list holds a million phone cells, nearly all of them one of a few shapes:
``89161234567``, ``+7 916 123-45-67``, ``7 (916) 123 45 67``, ``9161234567``. For those the
answer of ``phones.normalize_phone`` (and so of phonenumbers) reduces to "the last ten digits
are the national number; it is valid when the owning region's patterns match it". This module
finds such values for a whole column in two regular expression scans of the column joined as
lines: with the punctuation of the common shapes taken out, one finds the shape and the
national number (ASCII digits only, a ``+`` only in front), the other runs the owning region's
validity patterns over all candidates. ``valid_numbers`` hands back just the numbers, for a
caller that needs no Phone object for the usual value. Every value it does not recognise, every number it finds invalid (the reason
text needs the full rules) and every region other than RU and KZ goes through
``normalize_phone``, so the answers are the same value for value;
``tests/test_phone_batch.py`` compares both over a million generated values.

The reduction rests on phonenumbers' metadata for country code 7 (the general pattern and the
possible lengths). They are checked when the module loads: if a phonenumbers release changes
them, the batch path switches itself off and every value takes the scalar path.
"""

from __future__ import annotations

import re

from clientbase.normalize import phones as _ph
from clientbase.normalize.phones import Phone, normalize_phone

__all__ = ["normalize_phones", "valid_numbers"]

# The metadata the reduction was worked out for (see _reduction_holds).
_GENERAL = {"RU": r"8\d{13}|[347-9]\d{9}", "KZ": r"8\d{13}|[78]\d{9}"}
_NSN_LEN = 10
_MAX_CHARS = 32  # longer cells are not one of the common shapes
# Characters a common shape may hold besides digits and a leading "+".
_PUNCT = " -().\u00a0"


def _reduction_holds() -> bool:
    """The metadata still reads as it did when the shapes below were derived from it."""
    if not _ph._FAST_OK or tuple(_ph._CC7_REGIONS) != ("RU", "KZ") or _ph._CC7_MAIN != "RU":
        return False
    for code, general in _GENERAL.items():
        reg = _ph._CC7.get(code)
        if reg is None or reg.general.pattern != general:
            return False
        # 10 digits are a possible length, 9 too short (a leading 8 then stays), 11 neither
        # (so "7…" loses its 7 only when the rest is viable, see _VIABLE_FIRST).
        if reg.verdict[10] != _ph._POSSIBLE or reg.verdict[11] != _ph._INVALID_LENGTH:
            return False
        if reg.verdict[9] not in _ph._KEEP_PREFIX or _NSN_LEN not in reg.valid_by_len:
            return False
        if r"\Z" not in reg.valid_by_len[_NSN_LEN].pattern:
            return False
    ru, kz = _ph._CC7["RU"], _ph._CC7["KZ"]
    return (
        ru.leading is not None
        and ru.leading.pattern == "[3489]"
        and kz.leading is not None
        and kz.leading.pattern == "7"
    )


def _line_pattern(code: str) -> re.Pattern[str]:
    # The region's validity pattern for 10 digits, anchored per line instead of at the end of the
    # text: one scan of "\n".join(numbers) answers them all. Each line yields exactly one match,
    # the number when valid, else "".
    valid = _ph._CC7[code].valid_by_len[_NSN_LEN].pattern.replace(r"\Z", "$", 1)
    return re.compile(rf"^(?:({valid})$|\d*$)", re.MULTILINE)


_ENABLED = _reduction_holds()
# First digits of a viable ten-digit national number in each region (its general pattern):
# "7" + ten digits is read as +7 only when the ten digits are viable for the default region.
_VIABLE_FIRST = {"RU": (3, 4, 7, 8, 9), "KZ": (7, 8)}
# The region that owns a national number by its first digit (phonenumbers'
# _region_code_for_number_from_list for country code 7: RU's leading digits first, then KZ).
_OWNERS = {"RU": "3489", "KZ": "7"}
_LINES = {code: _line_pattern(code) for code in _OWNERS} if _ENABLED else {}


def normalize_phones(values: list[str], region: str) -> list[Phone]:
    """``[normalize_phone(v, region) for v in values]``, computed a column at a time."""
    out: list[Phone | None] = [None] * len(values)
    if _ENABLED and region in _OWNERS and values:
        _fast(values, region, out)
    return [
        p if p is not None else normalize_phone(v, region) for v, p in zip(values, out, strict=True)
    ]


def _shape_pattern(region: str, owner: str) -> re.Pattern[str]:
    # One line of the column with its punctuation taken out (see _fast) → the ten-digit
    # national number when the line is one of the common shapes and the number is the owner's
    # by its first digit, else "": "+7" and ten digits; "7" and ten digits viable in the default
    # region; "8" and ten digits, not the 8~10 international prefix; ten digits, not starting
    # with it either. Digits are ASCII only (a fullwidth or Arabic digit takes the scalar path).
    viable = "".join(map(str, _VIABLE_FIRST[region]))
    return re.compile(
        rf"^(?:\+7|7(?=[{viable}])|8(?!10)|(?!810))([{_OWNERS[owner]}][0-9]{{9}})$|^.*$",
        re.MULTILINE,
    )


_SHAPES = (
    {(region, owner): _shape_pattern(region, owner) for region in _OWNERS for owner in _OWNERS}
    if _ENABLED
    else {}
)
_INNER_PLUS = re.compile(r"(?<!^)\+", re.MULTILINE)


def _fast(values: list[str], region: str, out: list) -> None:
    make = _ph._make_phone
    for i, e164, code in _found(values, region):
        out[i] = make(values[i].strip(), e164, None, True, None, code)


def valid_numbers(values: list[str], region: str) -> list[str | None]:
    """For each value, its E.164 number when the column path finds it a valid number of a
    common shape (``normalize_phone`` then gives that number, valid, with no extension and no
    reason), else None: ask ``normalize_phone``. No Phone object made for the usual value."""
    out: list[str | None] = [None] * len(values)
    if _ENABLED and region in _OWNERS and values:
        for i, e164, _code in _found(values, region):
            out[i] = e164
    return out


def _found(values: list[str], region: str) -> list[tuple[int, str, str]]:
    """(index, E.164 number, owning region) of each value of a common shape found valid."""
    # Only short cells of one line: anything longer or stranger takes the scalar path.
    idx = [i for i, v in enumerate(values) if len(v) <= _MAX_CHARS and "\n" not in v]
    if not idx:
        return []
    # The column as lines, the punctuation of the common shapes taken out: what is left of a
    # common shape is its digits, after a "+" that started the text. A "+" anywhere else is
    # marked "!" first, so no shape matches its line; any other character stays and fails it.
    lines = "\n".join([values[i].strip() for i in idx])
    lines = _INNER_PLUS.sub("!", lines)
    for c in _PUNCT:  # str.replace per character: several times faster than str.translate
        lines = lines.replace(c, "")
    found = []
    for code in _OWNERS:
        nsns = _SHAPES[region, code].findall(lines)
        if len(nsns) != len(idx):
            continue  # not one answer per line: leave these to the scalar path
        sel = [j for j, nsn in enumerate(nsns) if nsn]
        if not sel:
            continue
        valid = _LINES[code].findall("\n".join([nsns[j] for j in sel]))
        if len(valid) != len(sel):
            continue
        found += [(idx[j], "+7" + v, code) for j, v in zip(sel, valid, strict=True) if v]
    return found
