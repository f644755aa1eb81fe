"""The country of a file's phone numbers, from the numbers themselves.

``--region`` says how to read a number written without a country code. A phone book exported
abroad breaks that silently: "9876543210" is a valid Russian mobile (+7 987 …) and an Indian one
(+91 98765 43210), so with the default region half a list becomes Russian and the other half
invalid. The file usually tells the truth itself: numbers written with their country code
("+91 …", "0091 …", "1 901 …" in a US call log) show where the others are from.

``region_for`` looks at a sample of a file's numbers and either keeps the region, switches to
the region the file's own coded numbers show (only when the user did not choose one and the
evidence is one-sided), or keeps it and says which region would fit the numbers better.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata

from clientbase.i18n import _
from clientbase.normalize.phones import AREA_SEP, is_short_or_internal, normalize_phone

SAMPLE_NUMBERS = 5000
# When the file has no coded numbers to point at a country, these are tried: the regions whose
# lists reach us most (the CIS, and the countries people move to and call from).
_COMMON_REGIONS = (
    "RU", "KZ", "BY", "UA", "UZ", "KG", "TJ", "AM", "AZ", "GE", "MD", "US", "GB", "DE", "IN",
    "TR", "IL", "CN", "PL", "FR", "IT", "ES", "AE", "TH", "VN",
)  # fmt: skip
# A coded region is the file's own when it holds this share of the coded numbers.
_DOMINANT_SHARE = 0.8
_MIN_CODED = 3
# A suggestion needs this many numbers that only the other region reads.
_MIN_MISFITS = 5
_MISFIT_SHARE = 0.2
_PROBE_NUMBERS = 300
# A region is suggested only when it reads most of the numbers the default does not.
_SUGGEST_SHARE = 0.8


@dataclass(frozen=True)
class RegionChoice:
    region: str  # the region to read numbers without a country code with
    note: str | None  # one line for the user when the file says something about it


def _digits(raw: str) -> tuple[str, bool]:
    text = raw.strip()
    digits = "".join(c for c in text if c.isdigit())
    return digits, text.startswith("+")


def _coded_region(raw: str, region: str) -> str | None:
    """The region of a number written with its country code ("+91…", "0091…", or 11+ digits
    that do not start with the default region's trunk prefix), None for a national number."""
    digits, plus = _digits(raw)
    if not plus and digits.startswith("00") and len(digits) > 4:
        plus = True
    if not plus:
        if len(digits) < 11:
            return None
        trunk = PhoneMetadata.metadata_for_region(region).national_prefix
        if trunk and digits.startswith(trunk):
            return None
    p = normalize_phone(raw if plus else "+" + digits, region)
    return p.region if p.valid else None


def region_for(numbers: Iterable[str], region: str, *, chosen: bool) -> RegionChoice:
    """Which region to read a file's national numbers with. ``chosen``: the user gave
    --region, which is then never overridden (only a better fit is pointed out)."""
    if AREA_SEP in region:  # a local area code was given, and with it the country
        return RegionChoice(region, None)
    coded: Counter[str] = Counter()
    national: list[str] = []
    for raw in numbers:
        if len(national) + sum(coded.values()) >= SAMPLE_NUMBERS:
            break
        if not raw or not raw.strip() or is_short_or_internal(raw):
            continue
        digits, _kind = _digits(raw)
        if len(digits) < 6:
            continue
        where = _coded_region(raw, region)
        if where is not None:
            coded[where] += 1
        else:
            national.append(raw)
    if not national:
        return RegionChoice(region, None)
    valid_here = sum(normalize_phone(n, region).valid for n in national)
    n_coded = sum(coded.values())
    top, top_count = coded.most_common(1)[0] if coded else (None, 0)
    if (
        not chosen
        and top is not None
        and top != region
        and top_count >= 2
        and top_count >= _DOMINANT_SHARE * n_coded
    ):
        valid_there = sum(normalize_phone(n, top).valid for n in national)
        # Few coded numbers are enough when all agree and they read more of the others.
        enough = top_count >= _MIN_CODED or (top_count == n_coded and valid_there > valid_here)
        if enough and valid_there >= valid_here and valid_there >= 0.9 * len(national):
            code = phonenumbers.country_code_for_region(top)
            return RegionChoice(
                top,
                _(
                    "phones without a country code read as {top} (+{code}): {count} of the "
                    "file's {coded} numbers with a code are from {top} "
                    "(give --region {region} to read them as {region})"
                ).format(top=top, code=code, count=top_count, coded=n_coded, region=region),
            )
    misfits = len(national) - valid_here
    if misfits < max(_MIN_MISFITS, _MISFIT_SHARE * len(national)):
        return RegionChoice(region, None)
    candidates = [r for r, _ in coded.most_common(3) if r != region] or [
        r for r in _COMMON_REGIONS if r != region
    ]
    # Other regions parse through phonenumbers' slow path: a few hundred numbers tell enough.
    probe = national[:_PROBE_NUMBERS]
    here = sum(normalize_phone(n, region).valid for n in probe)
    fits = {r: sum(normalize_phone(n, r).valid for n in probe) for r in candidates}
    best_valid = max(fits.values(), default=0)
    if best_valid <= here or best_valid < _SUGGEST_SHARE * len(probe):
        return RegionChoice(region, None)
    # Several countries can read the same digits (Italian numbers take almost any length):
    # name every close one, best first, rather than one guess.
    close = sorted((r for r, v in fits.items() if v >= 0.9 * best_valid), key=lambda r: -fits[r])
    best = close[0]
    share = round(100 * best_valid / len(probe))
    where = best if len(close) == 1 else (" " + _("or") + " ").join(close[:3])
    return RegionChoice(
        region,
        _(
            "{misfits} of {total} phones without a country code are not valid {region} "
            "numbers, {share}% would be valid {where} numbers: if the file is from there, undo "
            "this import and read it with --region {best}"
        ).format(
            misfits=misfits,
            total=len(national),
            region=region,
            share=share,
            where=where,
            best=best,
        ),
    )
