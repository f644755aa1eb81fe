"""Which call log a file is, from its first bytes: XML root, header words, CDR shapes."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from clientbase.importers.calls.asterisk import _looks_like_asterisk
from clientbase.importers.calls.freeswitch import looks_like_freeswitch
from clientbase.importers.calls.mango import _looks_like_mango
from clientbase.importers.calls.table import _find_header, _rows_look_like_calls
from clientbase.importers.codepage import looks_cyrillic
from clientbase.importers.sniff import bom_encoding, sniff_delimiter
from clientbase.importers.vcard import looks_like_vcard


def _decode_head(head: bytes) -> str:
    bom = bom_encoding(head)
    if bom:
        return head.decode(bom, errors="replace")
    try:
        # Incremental, not final: the sample may end in the middle of a multi-byte character.
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return head.decode("cp1251" if looks_cyrillic(head) else "cp1252", errors="replace")


_XML_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.S)
_XML_ROOT = re.compile(r"<([\w.:-]+)")


def _detect_xml(text: str) -> str | None:
    rest = text[_XML_PROLOG.match(text).end() :]
    m = _XML_ROOT.match(rest)
    if not m:
        return None
    root = m.group(1)
    if root == "calls":
        # An empty backup has no <call> at all; a non-empty one starts with number="..."
        # (SMS Backup & Restore writes it first, so it is inside even a short sample).
        if re.search(r"<call\s[^>]*?\bnumber\s*=", rest) or not re.search(r"<call\b", rest):
            return "android"
        return None
    if root.lower() == "calllog":
        if re.search(r"<CALL_RECORDS\b", rest, re.I) or not re.search(r"<\w", rest[m.end() :]):
            return "oppo"
    return None


def _sample_rows(text: str, delimiter: str, limit: int = 40) -> list[list[str]]:
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end in the middle of a line
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines[: limit * 2])), delimiter=delimiter))
    except csv.Error:
        return []
    return [r for r in rows if any(c.strip() for c in r)][:limit]


def detect_call_log(path: Path, head: bytes) -> str | None:
    """Which call log ``head`` (the first bytes of ``path``) is, or None: from content only."""
    text = _decode_head(head).lstrip("\ufeff")
    if text.lstrip().startswith("<"):
        return _detect_xml(text)
    if looks_like_vcard(head):
        return None
    rows = _sample_rows(text, sniff_delimiter(text))
    found = _find_header(rows, {})
    if found is not None:
        index, cmap = found
        if cmap.is_sipuni:
            return "sipuni"
        if _rows_look_like_calls(cmap, rows[index + 1 :]):
            return "calls-csv"
        return None
    if _looks_like_asterisk(_sample_rows(text, ",")):
        return "asterisk"
    if looks_like_freeswitch(_sample_rows(text, ",")):
        return "freeswitch"
    if _looks_like_mango(_sample_rows(text, ";")):
        return "mango"
    return None
