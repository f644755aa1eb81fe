"""Recognise what a file is: its format, its text encoding and its CSV delimiter.

Encodings follow what Russian users actually send: BOM first (UTF-8, UTF-16), then strict UTF-8
(checked over the whole file in chunks, so a bad byte on row 90,000 is not a surprise), then
Windows-1251 when the bytes look Cyrillic, else cp1252.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from clientbase.errors import UsageError

EXCEL_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods", ".xlsb": "xlsb"}
DELIMITERS = (";", ",", "\t", "|")
SAMPLE_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_format(path: Path, head: bytes) -> str:
    """csv, xlsx, xls, ods, xlsb, vcard, or 'unknown' — from the content, the suffix only helps."""
    if head.startswith(b"PK\x03\x04"):
        # A zip: xlsx or ods (both are zip containers); the suffix tells which, else assume xlsx.
        return "ods" if path.suffix.lower() == ".ods" else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"  # OLE2 compound file (Excel 97-2003)
    from clientbase.importers.vcard import looks_like_vcard

    if looks_like_vcard(head):  # also UTF-16 without a BOM, and junk before the first card
        return "vcard"
    text = decode_sample(head).lstrip().upper()
    if text.startswith("<?XML") or text.startswith("<"):
        return "xml"
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return EXCEL_SUFFIXES[path.suffix.lower()]
    if b"\x00" in head[:4096] and not bom_encoding(head):
        return "unknown"  # binary
    return "csv"


def bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return _utf16_without_bom(head)


def _utf16_without_bom(head: bytes) -> str | None:
    # Text in UTF-16 without a BOM (some exporters write it) has a zero in every other byte
    # for Latin text and digits: zeros on odd positions mean little-endian.
    sample = head[:4096]
    if len(sample) < 8:
        return None
    odd_zero = sample[1::2].count(0) / (len(sample) // 2)
    even_zero = sample[0::2].count(0) / ((len(sample) + 1) // 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        guess = "utf-16-le"
    elif even_zero > 0.3 and odd_zero < 0.05:
        guess = "utf-16-be"
    else:
        return None
    text = sample[: len(sample) // 2 * 2].decode(guess, errors="replace")
    readable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return guess if readable / len(text) > 0.95 else None  # else: binary with zeros in it


def decode_sample(head: bytes) -> str:
    enc = bom_encoding(head) or "utf-8"
    return head.decode(enc, errors="replace")


def looks_cyrillic(data: bytes) -> bool:
    # In cp1251 a Russian word is a run of bytes >= 0xC0 (Ё/ё: 0xA8/0xB8); in cp1252 the same
    # range holds accented Latin letters, which sit alone between ASCII letters ("José",
    # "Müller"). So: most high bytes have a high-byte neighbour.
    def high(b: int) -> bool:
        return b >= 0xC0 or b in (0xA8, 0xB8)

    total = paired = 0
    for i, b in enumerate(data):
        if b >= 0x80:
            total += 1
            if high(b) and (
                (i > 0 and high(data[i - 1])) or (i + 1 < len(data) and high(data[i + 1]))
            ):
                paired += 1
    return total > 0 and paired / total > 0.5


def detect_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(SAMPLE_BYTES)
        bom = bom_encoding(head)
        if bom:
            return bom
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = f.read(1 << 20)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    # Judge by the chunk that failed too: the first 64 KiB may be all ASCII.
    return "cp1251" if looks_cyrillic(head + chunk[: 1 << 16]) else "cp1252"


def check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise UsageError(
            f"unknown encoding {name!r}", hint="try --encoding utf-8, cp1251 or utf-16"
        ) from exc


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the most equal, widest rows."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last sampled line may be cut short
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
        except csv.Error:
            continue
        if not widths:
            continue
        top = max(set(widths), key=widths.count)
        if top < 2:
            continue
        # Consistency first (share of rows with the usual width), then width.
        score = (round(widths.count(top) / len(widths), 1), top)
        if score > best_score:
            best, best_score = delim, score
    return best
