"""Recognise what a file is: its format, its text encoding and its CSV delimiter.

Encodings follow what Russian users actually send: BOM first (UTF-8, UTF-16), then strict UTF-8
(checked over the whole file in chunks, so a bad byte on row 90,000 is not a surprise), then
Windows-1251 when the bytes look Cyrillic, else cp1252.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from clientbase.errors import UsageError
from clientbase.i18n import N_, _
from clientbase.importers.codepage import legacy_codepage, looks_cyrillic
from clientbase.importers.vcard import looks_like_vcard

DELIMITERS = (";", ",", "\t", "|")
SAMPLE_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Binary files people pick by mistake, by their first bytes: named, so the message can say what
# the file is instead of "unknown".
_MAGIC = (
    (b"%PDF", N_("a PDF document")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"7z\xbc\xaf", N_("a 7-Zip archive")),
    (b"Rar!", N_("a RAR archive")),
    (b"SQLite format 3\x00", N_("an SQLite database")),
    (b"\x7fELF", N_("a program")),
    (b"MZ", N_("a Windows program")),
)
# Control bytes that never occur in text, tab/line breaks/form feed/Ctrl-Z (DOS end of file) aside.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 26))


def detect_format(path: Path, head: bytes) -> str:
    """csv, xlsx, xls, ods, xlsb, vcard, xml, html, or 'unknown' — from the content; the suffix
    only tells apart formats the first bytes cannot (a zip is .xlsx or .ods)."""
    if head.startswith(b"PK\x03\x04"):
        # A zip: which document it holds is in its directory (archive.inspect_zip); the suffix
        # is the first guess.
        return "ods" if path.suffix.lower() == ".ods" else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"  # OLE2 compound file (Excel 97-2003)
    if looks_like_vcard(head):  # also UTF-16 without a BOM, and junk before the first card
        return "vcard"
    if binary_kind(head) is not None:
        return "unknown"
    text = decode_sample(head).lstrip("\ufeff \t\r\n").upper()
    if text.startswith(("<!DOCTYPE HTML", "<HTML", "<TABLE", "<META", "<HEAD", "<BODY")):
        return "html"  # a web page saved as .xls: what many web CRMs call an Excel export
    if text.startswith("<"):
        return "xml"
    return "csv"  # text: whatever the name says (a .xls that is really CSV is common)


def binary_kind(head: bytes) -> str | None:
    """What a binary file is ("a PDF document", "binary data"), or None for text.

    Text may carry a few NUL bytes (padding from old exporters, one in a field); binary data has
    control bytes everywhere. UTF-16 text is text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return _(what)
    if bom_encoding(head):
        return None
    # A run of NULs at the end is padding some exporters leave after the text: judge the text.
    sample = head.rstrip(b"\x00")[:4096]
    if not sample:
        return _("binary data") if head else None
    share = (len(sample) - len(sample.translate(None, _CONTROL))) / len(sample)
    # Random bytes have about 10 % control bytes, so a bare cut at 10 % takes every other blob
    # for text. Text in any encoding has hardly any: above 2 % it is binary unless it is valid
    # UTF-8 (a file with a control byte in every row, all the rest readable).
    if share > 0.1 or (share > 0.02 and not _valid_utf8(sample)):
        return _("binary data")
    return None


def _valid_utf8(sample: bytes) -> bool:
    """Whether ``sample`` is UTF-8, but for a character cut off at its end."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"
    return True


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


def head_encoding(head: bytes) -> str:
    """The encoding the first bytes of a file are in: a BOM; else UTF-8 when most lines that are
    not plain ASCII are valid UTF-8; else the Windows code page of the lines that are not.

    Only the head is judged: lines further on that are not in this encoding are decoded one by one
    (see csvtext), so nothing needs to read the whole file twice."""
    bom = bom_encoding(head)
    if bom:
        return bom
    try:
        # Incremental: the head may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    lines = head.split(b"\n")
    if len(lines) > 1:
        lines.pop()  # may be cut short
    utf8, legacy = 0, []
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            legacy.append(line)
    if utf8 > len(legacy):
        return "utf-8"  # a UTF-8 file with some lines pasted from an older one
    return legacy_codepage(b"\n".join(legacy) or head)


def not_utf8_lines(data: bytes) -> bytes:
    """The lines of data that are not valid UTF-8 (the last one may be cut short)."""
    out = []
    for line in data.split(b"\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            out.append(line)
    return b"\n".join(out)


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
            _("unknown encoding {name}").format(name=repr(name)),
            hint=_("try --encoding utf-8, cp1251 or utf-16"),
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
        # Line by line: one stray quote must not merge the sample into one record.
        try:
            widths = [len(next(csv.reader([line], delimiter=delim), [])) for line in lines]
        except csv.Error:
            continue
        top = max(set(widths), key=lambda w: (widths.count(w), w))
        if top < 2:
            continue
        # Consistency first (share of rows with the usual width), then width.
        score = (round(widths.count(top) / len(widths), 1), top)
        if score > best_score:
            best, best_score = delim, score
    return best
