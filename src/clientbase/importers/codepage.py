"""Which 8-bit Windows code page a text that is not UTF-8 is in: cp1251 (Cyrillic) or cp1252.
One home for the guess, used by the CSV reader, the file sniffer and the vCard decoder."""

from __future__ import annotations

import re

# Two or more bytes in a row that are letters in Windows-1251: А–я (0xC0–0xFF) plus
# Ё ё Є є Ї ї І і Ґ ґ Ў ў.
_CP1251_RUN = re.compile(rb"[\xc0-\xff\xa8\xb8\xaa\xba\xaf\xbf\xb2\xb3\xa5\xb4\xa1\xa2]{2,}")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def cyrillic_evidence(data: bytes) -> tuple[int, int]:
    """(high bytes that look like cp1251 letters inside a word, all high bytes).

    Cyrillic text is runs of high bytes (every letter is one); cp1252 text has an accented letter
    here and there between ASCII ones ("Müller", "José"). Counting high bytes that have a
    high-byte neighbour separates the two even for short names.
    """
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    cyr = sum(len(run) for run in _CP1251_RUN.findall(data))
    return cyr, high


def legacy_codepage(data: bytes) -> str:
    """The 8-bit Windows code page of text that is not UTF-8: cp1251 when it looks Cyrillic."""
    cyr, high = cyrillic_evidence(data)
    return "cp1251" if high and cyr * 2 >= high else "cp1252"


def looks_cyrillic(data: bytes) -> bool:
    return legacy_codepage(data) == "cp1251"
