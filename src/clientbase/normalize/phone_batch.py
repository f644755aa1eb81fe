"""Phone numbers a column at a time: the common Russian and Kazakh shapes without a Python call
per value.

A big contact list holds a million phone cells, nearly all of them one of a few shapes:
``89161234567``, ``+7 916 123-45-67``, ``7 (916) 123 45 67``, ``9161234567``. For those the
answer of ``phones.normalize_phone`` (and so of phonenumbers) reduces to "the last ten digits
are the national number; it is valid when the owning region's patterns match it". This module
finds such values for a whole column with numpy (allowed characters, digit count, where the
``+`` is, the first digits) and runs the validity patterns over all candidates in one regular
expression scan. Every value it does not recognise, every number it finds invalid (the reason
text needs the full rules) and every region other than RU and KZ goes through
``normalize_phone``, so the answers are the same value for value;
``tests/test_phone_batch.py`` compares both over a million generated values.

The reduction rests on phonenumbers' metadata for country code 7 (the general pattern and the
possible lengths). They are checked when the module loads: if a phonenumbers release changes
them, the batch path switches itself off and every value takes the scalar path.
"""

from __future__ import annotations

import re

import numpy as np

from clientbase.normalize import phones as _ph
from clientbase.normalize.phones import Phone, normalize_phone

__all__ = ["normalize_phones"]

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

_ALLOWED = np.zeros(0x10000, dtype=bool)
for _c in "0123456789+" + _PUNCT:
    _ALLOWED[ord(_c)] = True
_ALLOWED[0] = True  # numpy's padding of shorter strings


def normalize_phones(values: list[str], region: str) -> list[Phone]:
    """``[normalize_phone(v, region) for v in values]``, computed a column at a time."""
    out: list[Phone | None] = [None] * len(values)
    if _ENABLED and region in _OWNERS and values:
        _fast(values, region, out)
    return [
        p if p is not None else normalize_phone(v, region) for v, p in zip(values, out, strict=True)
    ]


def _fast(values: list[str], region: str, out: list) -> None:
    # Only short cells of plain text: anything longer or stranger takes the scalar path.
    idx = [i for i, v in enumerate(values) if len(v) <= _MAX_CHARS]
    if not idx:
        return
    texts = [values[i].strip() for i in idx]
    arr = np.array(texts, dtype=f"<U{_MAX_CHARS}")
    codes = arr.view(np.uint32).reshape(len(texts), _MAX_CHARS)
    ok = np.all(_ALLOWED[np.minimum(codes, 0xFFFF)] & (codes < 0x10000), axis=1)
    is_digit = (codes >= 48) & (codes <= 57)
    n = is_digit.sum(axis=1)
    plus_count = (codes == 43).sum(axis=1)
    plus = codes[:, 0] == 43
    ok &= (plus_count == 0) | ((plus_count == 1) & plus)
    # The digits left-aligned: digit k of a row lands in column k.
    digits = np.zeros((len(texts), 12), dtype=np.uint32)
    pos = np.cumsum(is_digit, axis=1) - 1
    keep = is_digit & (pos < 12)
    rows = np.nonzero(keep)[0]
    digits[rows, pos[keep]] = codes[keep] - 48
    d0, d1, d2 = digits[:, 0], digits[:, 1], digits[:, 2]
    # The shapes: +7 and ten digits; 7 or 8 and ten digits (not the 8~10 international prefix);
    # ten digits alone. The national number is then the last ten digits in every case.
    eleven = n == 11
    idd = (d0 == 8) & (d1 == 1) & (d2 == 0)
    viable = np.isin(d1, _VIABLE_FIRST[region])
    shape = (plus & eleven & (d0 == 7)) | (
        ~plus & ~idd & ((n == 10) | (eleven & (((d0 == 7) & viable) | (d0 == 8))))
    )
    ok &= shape
    start = np.where(eleven, 1, 0)
    first = digits[np.arange(len(texts)), start]
    for code, leading in _OWNERS.items():
        mine = ok & np.isin(first, [int(c) for c in leading])
        sel = np.nonzero(mine)[0]
        if not len(sel):
            continue
        nsn_digits = digits[sel[:, None], start[sel][:, None] + np.arange(_NSN_LEN)]
        nsns = (nsn_digits + 48).astype(np.uint8).view(f"S{_NSN_LEN}").ravel()
        found = _LINES[code].findall(b"\n".join(nsns.tolist()).decode("ascii"))
        if len(found) != len(sel):
            continue  # not one answer per line: leave these to the scalar path
        make = _ph._make_phone
        for j, valid in zip(sel.tolist(), found, strict=True):
            if valid:
                text = texts[j]
                out[idx[j]] = make(text, "+7" + valid, None, True, None, code)
