"""Turning vCard value bytes into text: charsets, quoted-printable, a legacy code page guessed
for the values that name none, and the backslash escapes of structured values."""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Callable

from clientbase.importers.codepage import cyrillic_evidence, legacy_codepage

# A stretch of quoted-printable escapes, soft line breaks included.
_QP_RUN = re.compile(rb"(?:=[0-9A-Fa-f]{2}|=[\r\n]+)+")


def file_hint(base: bytes, utf8_file: bool) -> str | None:
    """The file-wide 8-bit code page, judged from all its non-UTF-8 text together.

    That is the raw bytes of a file that is not UTF-8 (base64 and QP escapes are ASCII, so only
    text counts) plus every quoted-printable run whose bytes are not UTF-8.
    """
    samples = [] if utf8_file else [base]
    for run in _QP_RUN.findall(base):
        data = binascii.a2b_qp(run)  # also joins the soft breaks inside the run
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                samples.append(data)
    data = b"\n".join(samples)
    if cyrillic_evidence(data)[1] < 3:
        return None
    return legacy_codepage(data)


def guess_legacy(data: bytes, hint: Callable[[], str | None]) -> str:
    if cyrillic_evidence(data)[1] < 3:
        # One or two bytes say little ("Я" is "ß" in cp1252); the rest of the file says more.
        file_wide = hint()
        if file_wide:
            return file_wide
    return legacy_codepage(data)


def codec_name(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        return None


def decode_bytes(
    data: bytes, charset: str | None, *, trust_utf8: bool, hint: Callable[[], str | None]
) -> str:
    """Bytes of one value to text.

    Order: a declared legacy CHARSET (unless the whole file is valid UTF-8 and the value was not
    transfer-encoded: files converted to UTF-8 by an editor keep their stale CHARSET=Windows-1251);
    then strict UTF-8; then, if UTF-8 was declared and only a few bytes are broken, UTF-8 with
    replacement characters; then cp1251 when the bytes look Cyrillic, else cp1252.
    """
    if data.isascii():
        return data.decode("ascii")
    codec = codec_name(charset)
    if codec and codec != "utf-8" and not trust_utf8:
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec == "utf-8":
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
        if good >= 2 * bad:
            return text
    return data.decode(guess_legacy(data, hint), errors="replace")


def qp_decode(data: bytes) -> bytes:
    # binascii is tolerant the way we need: an '=' not followed by two hex digits stays a literal
    # '=', lower-case hex is accepted. Soft breaks were already joined, so no line ends are left.
    return binascii.a2b_qp(data)


_ESCAPES = {"n": "\n", "N": "\n", "\\": "\\", ",": ",", ";": ";", ":": ":", '"': '"'}


_ESCAPE_RE = re.compile(r"\\(.)", re.S)


def unescape(text: str) -> str:
    # \: and \" are in no RFC, but Apple and Google write http\:// and \"AS IS\". Unknown escapes
    # keep their backslash: a Windows path in a 2.1 NOTE must not lose its separators.
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def split_unescaped(value: str, sep: str) -> list[str]:
    if "\\" not in value:
        return value.split(sep)
    parts, buf, i = [], [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            buf.append(value[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def split_components(value: str) -> list[str]:
    """Split a structured value on unescaped ';' and resolve escapes in each component.

    Commas stay literal: Apple writes unescaped commas inside ADR streets ("Silicon Alley 5,").
    """
    return [unescape(part) for part in split_unescaped(value, ";")]


def split_structured(value: str) -> list[list[str]]:
    """Split on unescaped ';' into components, then each on unescaped ',' into values (3.0/4.0)."""
    return [
        [unescape(v) for v in split_unescaped(part, ",")] for part in split_unescaped(value, ";")
    ]
