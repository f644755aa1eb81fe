"""Phone call logs: Android and OPPO backups, Asterisk CDRs, Sipuni, Mango Office, generic CSV.

A call log tells two things: who the customers are (the other party's number, sometimes a name)
and what happened with them (direction, time, talk time, answered or not). A missed call from an
unknown number is a lead, so nothing here filters: hidden callers come out with number ``""`` and
internal calls with the extension as the number, and the pipeline decides what to count as
skipped. Every reader yields ``CallRecord`` objects, or ``CallLogError`` for a record that cannot
be read; the rest of the file goes on.

Outcome vocabulary, the same for every source:
- ``answered``: somebody talked (Android type 1 and 7, outgoing with talk time > 0);
- ``missed``: an *incoming* call nobody picked up;
- ``failed``: an *outgoing* call that got no answer, or any call that broke down (FAILED,
  CONGESTION). "Missed" on an outgoing call would read as "we missed the customer's call", which
  is the opposite of what happened, so every source's "not answered" becomes ``failed`` there;
- ``rejected``, ``voicemail``, ``blocked``, ``busy``: as the source says.

Times: epoch values (Android/OPPO milliseconds, Mango seconds) are converted with
``datetime.fromtimestamp``, i.e. to the local zone of the machine running the import, which is
what the person saw on their phone when both are in the same zone. Text times are kept as written
(see ``normalize.dates.parse_datetime``). All times are truncated to whole seconds so that the same
call from two sources (the phone and the PBX) compares equal.
"""

from __future__ import annotations

import codecs
import csv
import heapq
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.parsers import expat

from clientbase.errors import InputFileError, UsageError
from clientbase.importers.sniff import (
    SAMPLE_BYTES,
    bom_encoding,
    check_encoding,
    detect_encoding,
    looks_cyrillic,
    sniff_delimiter,
)
from clientbase.normalize.dates import parse_datetime
from clientbase.normalize.phones import is_short_or_internal

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "OUTCOMES",
    "CallLogError",
    "CallRecord",
    "detect_call_log",
    "read_call_log",
]

FORMATS = ("android", "oppo", "asterisk", "sipuni", "mango", "calls-csv")
OUTCOMES = ("answered", "missed", "rejected", "voicemail", "blocked", "busy", "failed")
# Fields a calls-csv column can be mapped to with ``columns`` ("ignore" drops a guessed column).
CSV_FIELDS = ("time", "direction", "number", "from", "to", "duration", "status", "name", "call_id")
IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class CallRecord:
    row: int  # XML: line of the <call> element; CSV: spreadsheet row (first line = 1)
    raw: dict[str, str]  # the record as read, kept with the import batch
    started_at: datetime  # naive local time, whole seconds
    direction: str  # "in" or "out"
    outcome: str  # one of OUTCOMES
    duration_s: int | None  # talk time in seconds when known
    number: str  # the other party as written; "" = hidden caller
    contact_name: str | None  # the name the log knows for that number
    region: str | None  # ISO country the file names for the number (Android countryiso)
    source: str  # one of FORMATS
    call_id: str | None  # stable id within the source (Asterisk linkedid/uniqueid, Mango entry_id)


class CallLogError(ValueError):
    """One record that cannot be read; reading goes on with the next one."""

    def __init__(self, row: int, message: str, raw: dict[str, str] | None = None):
        super().__init__(f"row {row}: {message}")
        self.row = row
        self.message = message
        self.raw = raw if raw is not None else {}


# --------------------------------------------------------------------------------------------
# Shared value helpers
# --------------------------------------------------------------------------------------------

# 1e11 ms is March 1973, 1e11 s is the year 5138: anything at or above it is milliseconds.
_MS_THRESHOLD = 100_000_000_000


def _from_epoch(text: str) -> datetime:
    """Unix seconds or milliseconds → naive local time, whole seconds."""
    s = text.strip()
    try:
        value = int(s) if s.lstrip("-").isdigit() else int(float(s))
    except (ValueError, OverflowError):
        raise ValueError(f"not a timestamp: {text!r}") from None
    seconds = value // 1000 if value >= _MS_THRESHOLD else value
    if seconds <= 0:
        raise ValueError(f"no date (timestamp {text!r})")
    try:
        return datetime.fromtimestamp(seconds)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"timestamp out of range: {text!r}") from None


def _parse_time(text: str) -> datetime:
    s = text.strip()
    if s.isdigit() and len(s) in (10, 13):  # an epoch stamp in a CSV time column
        return _from_epoch(s)
    try:
        dt = parse_datetime(s)
    except ValueError as exc:
        raise ValueError(f"bad date/time {text!r}: {exc}") from None
    return dt.replace(microsecond=0)


def _int(text: str, what: str) -> int:
    s = text.strip().replace(",", ".")
    try:
        # cdr_custom with ${CDR(billsec,f)} writes "12.345"; talk time is counted in whole seconds
        return int(s) if s.isdigit() else int(float(s))
    except (ValueError, OverflowError):
        raise ValueError(f"bad {what} {text!r}") from None


_CLOCK_DURATION = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})")
_UNIT_DURATION = re.compile(
    r"(?:(\d+)\s*(?:ч|час\w*|h|hr|hours?)\.?)?\s*"
    r"(?:(\d+)\s*(?:мин\w*|м|m|min\w*)\.?)?\s*"
    r"(?:(\d+)\s*(?:сек\w*|с|s|sec\w*)\.?)?"
)


def _parse_duration(text: str) -> int | None:
    """Seconds from "125", "125.0", "02:05", "00:02:05", "2 мин 5 сек"; None when empty."""
    s = text.strip().lower()
    if not s:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", s):
        return int(float(s.replace(",", ".")))
    if m := _CLOCK_DURATION.fullmatch(s):
        h, mi, sec = (int(g or 0) for g in m.groups())
        return h * 3600 + mi * 60 + sec
    m = _UNIT_DURATION.fullmatch(s)
    if m and any(m.groups()):
        h, mi, sec = (int(g or 0) for g in m.groups())
        return h * 3600 + mi * 60 + sec
    raise ValueError(f"bad duration {text!r}")


# Numbers a phone or a PBX writes for a caller who hid their number.
_HIDDEN_VALUES = frozenset({"-1", "-2", "-3", "-4"})
_HIDDEN_PREFIXES = (
    "anonym",
    "unknown",
    "private",
    "restricted",
    "unavailable",
    "withheld",
    "payphone",
    "скрыт",
    "неизвест",
    "номер скрыт",
    "нет номера",
    "аноним",
)


def _is_hidden(value: str) -> bool:
    v = value.strip().lower()
    return v in _HIDDEN_VALUES or v.startswith(_HIDDEN_PREFIXES)


_CLID_NUMBER = re.compile(r"<([^<>]*)>")


def _clid_number(value: str) -> str:
    """'"Иван" <79161234567>' (Asterisk/Zadarma caller id) → '79161234567'; else as written."""
    m = _CLID_NUMBER.search(value)
    return m.group(1).strip() if m else value.strip()


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _is_internal(value: str) -> bool:
    return is_short_or_internal(value)


def _is_external(value: str) -> bool:
    # A subscriber number has at least 6 digits; extensions and service codes have 2-5.
    return value.strip().startswith("+") or _digit_count(value) >= 6


_NO_NAME = frozenset({"", "(unknown)", "unknown", "null", "(null)", "неизвестно", "(неизвестно)"})


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    return None if v.lower() in _NO_NAME else v


def _not_answered(direction: str) -> str:
    return "missed" if direction == "in" else "failed"


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


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
    from clientbase.importers.vcard import looks_like_vcard

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
    if _looks_like_mango(_sample_rows(text, ";")):
        return "mango"
    return None


# --------------------------------------------------------------------------------------------
# Reading: entry point
# --------------------------------------------------------------------------------------------


def read_call_log(
    path: Path,
    fmt: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: dict[str, str] | None = None,
) -> Iterator[CallRecord | CallLogError]:
    """Records of one call log, in file order; Asterisk calls come out when they are complete
    (see _GROUP_WINDOW), so a call spanning several rows follows calls that ended before it.

    ``columns`` ({"Column header": field}, fields in CSV_FIELDS or "ignore") applies to the
    formats with a header row (sipuni, calls-csv). Raises UsageError for bad options and
    InputFileError (on iteration) when the file as a whole is not a readable log of ``fmt``.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown call log format {fmt!r}", hint=f"formats: {', '.join(FORMATS)}")
    if columns and fmt not in ("sipuni", "calls-csv"):
        raise UsageError(f"column mapping does not apply to {fmt} call logs (they have no header)")
    if encoding:
        encoding = check_encoding(encoding)
    delim = _delimiter_option(delimiter)
    if fmt in ("android", "oppo"):
        return _read_xml(path, fmt, encoding)
    if fmt == "asterisk":
        return _read_asterisk(path, encoding, delim or ",")
    if fmt == "mango":
        return _read_mango(path, encoding, delim or ";")
    overrides = _check_overrides(columns or {})
    return _read_table(path, fmt, encoding, delim, overrides)


def _delimiter_option(delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    if delimiter in ("\\t", "tab", "TAB"):
        return "\t"
    if len(delimiter) != 1:
        raise UsageError(f"the delimiter must be one character, not {delimiter!r}")
    return delimiter


def _open_text(path: Path, encoding: str | None, default: str | None = None) -> io.TextIOWrapper:
    # Call logs are mostly numbers: a bad byte in a name must not stop an import, so bytes that
    # do not decode become U+FFFD instead of an error (Asterisk CDRs do carry stray bytes).
    if encoding is None:
        if default is not None:
            with path.open("rb") as f:
                bom = f.read(3) == codecs.BOM_UTF8
            encoding = "utf-8-sig" if bom else default
        else:
            encoding = detect_encoding(path)
    return path.open("r", encoding=encoding, errors="replace", newline="")


def _numbered(f: io.TextIOWrapper, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row, cells) with the row a spreadsheet shows: one per CSV record, the first is 1."""
    reader = csv.reader(f, delimiter=delimiter)
    n = 0
    try:
        for cells in reader:
            n += 1
            yield n, cells
    except csv.Error as exc:
        raise InputFileError(f"{name}, row {n + 1}: {exc}") from exc


def _raw_from(names: list[str], cells: list[str]) -> dict[str, str]:
    """Non-empty cells by column name ("column N" past the names); runs once per row."""
    raw: dict[str, str] = {}
    n = len(names)
    for i, value in enumerate(cells):
        if not value or value.isspace():
            continue
        key = names[i] if i < n and names[i] else f"column {i + 1}"
        if key in raw:
            key = f"{key} ({i + 1})"
        raw[key] = value
    return raw


# --------------------------------------------------------------------------------------------
# Android "SMS Backup & Restore" and OPPO: XML
# --------------------------------------------------------------------------------------------

# CallLog.Calls.TYPE: 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked,
# 7 answered externally (on another device of the same account). OPPO (ColorOS) stores the same
# CallLog provider rows, so its backup is read with the same codes; this is an assumption, as no
# vendor documentation of the OPPO file exists.
_ANDROID_TYPES = {
    "1": ("in", "answered"),
    "2": ("out", None),  # answered when it has talk time, else failed
    "3": ("in", "missed"),
    "4": ("in", "voicemail"),
    "5": ("in", "rejected"),
    "6": ("in", "blocked"),
    "7": ("in", "answered"),
}
# CallLog.Calls.PRESENTATION: 1 allowed, 2 restricted, 3 unknown, 4 payphone.
_HIDDEN_PRESENTATION = frozenset({"2", "3", "4"})
_XML_ROOTS = {"android": ("calls", "call"), "oppo": ("calllog", "call_records")}
_XML_CHUNK = 1 << 16


def _valid_xml_char(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0xFFFF < cp <= 0x10FFFF
    )


_CHAR_REF = re.compile(rb"&#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}));")


def _ref_value(m: re.Match[bytes]) -> int:
    hx, dec = m.groups()
    return int(hx, 16) if hx else int(dec)


def _fix_char_refs(data: bytes) -> bytes:
    """SMS Backup & Restore writes an emoji as two character references, one per UTF-16
    surrogate ("&#55357;&#56833;"), which XML forbids and expat rejects. Join such pairs into one
    reference and turn any other forbidden reference into U+FFFD, so one emoji in a contact name
    does not stop the whole backup."""
    out: list[bytes] = []
    pos = 0
    refs = list(_CHAR_REF.finditer(data))
    i = 0
    while i < len(refs):
        m = refs[i]
        cp = _ref_value(m)
        out.append(data[pos : m.start()])
        if 0xD800 <= cp <= 0xDBFF and i + 1 < len(refs) and refs[i + 1].start() == m.end():
            low = _ref_value(refs[i + 1])
            if 0xDC00 <= low <= 0xDFFF:
                out.append(b"&#%d;" % (0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)))
                pos = refs[i + 1].end()
                i += 2
                continue
        out.append(m.group(0) if _valid_xml_char(cp) else b"&#xFFFD;")
        pos = m.end()
        i += 1
    out.append(data[pos:])
    return b"".join(out)


class _CharRefFixer:
    """Applies _fix_char_refs to a byte stream read in chunks: a reference cut by a chunk
    boundary, or the first half of a surrogate pair whose second half may follow, waits for the
    next chunk."""

    _LONGEST_REF = 12  # "&#x10FFFF;" / "&#1114111;" with room to spare
    _REF_AT_END = re.compile(rb"&#(?:x[0-9A-Fa-f]{1,6}|[0-9]{1,7});\Z")

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self.pending + chunk
        cut = data.rfind(b"&", max(0, len(data) - self._LONGEST_REF))
        if cut == -1:
            self.pending = b""
            return self.fix(data)
        before = self._REF_AT_END.search(data, max(0, cut - self._LONGEST_REF), cut)
        if before is not None:
            cut = before.start()  # keep a possible high surrogate with its partner
        data, self.pending = data[:cut], data[cut:]
        return self.fix(data)

    def flush(self) -> bytes:
        data, self.pending = self.pending, b""
        return self.fix(data)

    @staticmethod
    def fix(data: bytes) -> bytes:
        return _fix_char_refs(data) if b"&#" in data else data


def _refuse_entities(*_args: object) -> None:
    # A call backup never declares entities; a file that does could be an entity-expansion bomb.
    raise InputFileError("the XML file declares entities; refusing to expand them")


def _read_xml(path: Path, fmt: str, encoding: str | None) -> Iterator[CallRecord | CallLogError]:
    root_name, element = _XML_ROOTS[fmt]
    parser = expat.ParserCreate(encoding)
    parser.EntityDeclHandler = _refuse_entities
    found: list[tuple[int, dict[str, str]]] = []
    roots: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if not roots:
            roots.append(name)
            if name.lower() != root_name:
                raise InputFileError(
                    f"{path.name}: not an {fmt} call log (the root element is <{name}>)"
                )
        elif name.lower() == element:
            # Inside a start handler expat reports the position of the tag's "<".
            found.append((parser.CurrentLineNumber, attrs))

    parser.StartElementHandler = start
    seen: set[tuple[str, str, str]] = set()
    records = 0
    with path.open("rb") as f:
        first = f.read(_XML_CHUNK)
        # The reference fix works on ASCII-compatible bytes; UTF-16/32 files go through as is.
        utf16 = first[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(first) > 1 and b"\x00" in first[:4])
        fixer = None if utf16 else _CharRefFixer()
        chunk = first
        while True:
            final = not chunk
            data = (fixer.flush() if final else fixer.feed(chunk)) if fixer else chunk
            try:
                parser.Parse(data, final)
            except expat.ExpatError as exc:
                # What was read up to the break is good; a truncated backup is common.
                if not records and not found:
                    raise InputFileError(
                        f"{path.name}: not readable as XML: {expat.ErrorString(exc.code)} "
                        f"(line {exc.lineno})",
                        hint="if the file is not UTF-8 and does not say so, give --encoding",
                    ) from exc
                for line, attrs in found:
                    yield from _android_item(line, attrs, fmt, seen)
                yield CallLogError(
                    exc.lineno,
                    f"the file is broken or cut short here ({expat.ErrorString(exc.code)}); "
                    "nothing after this point was read",
                )
                return
            for line, attrs in found:
                records += 1
                yield from _android_item(line, attrs, fmt, seen)
            found.clear()
            if final:
                break
            chunk = f.read(_XML_CHUNK)


def _android_item(
    line: int, attrs: dict[str, str], source: str, seen: set[tuple[str, str, str]]
) -> Iterator[CallRecord | CallLogError]:
    a = {k.lower(): v for k, v in attrs.items()}
    # Archive backups repeat every record of the previous ones: the same call is the same
    # (date, number, type), whatever else (readable_date, contact_name) changed since.
    key = (a.get("date", "").strip(), a.get("number", "").strip(), a.get("type", "").strip())
    if key in seen:
        return
    seen.add(key)
    try:
        yield _android_record(line, attrs, a, source)
    except ValueError as exc:
        yield CallLogError(line, str(exc), dict(attrs))


def _android_record(line: int, attrs: dict[str, str], a: dict[str, str], source: str) -> CallRecord:
    date = a.get("date", "").strip()
    if not date:
        raise ValueError("no date")
    started = _from_epoch(date)
    kind = a.get("type", "").strip()
    if kind not in _ANDROID_TYPES:
        raise ValueError(f"unknown call type {kind!r}" if kind else "no call type")
    direction, outcome = _ANDROID_TYPES[kind]
    duration = _int(a["duration"], "duration") if a.get("duration", "").strip() else None
    if outcome is None:
        outcome = "answered" if duration else "failed"
    number = a.get("number", "").strip()
    if a.get("presentation", "").strip() in _HIDDEN_PRESENTATION or _is_hidden(number):
        number = ""  # hidden caller: kept so the pipeline can count it
    name = _clean_name(a.get("contact_name", a.get("name")))
    region = a.get("countryiso", "").strip().upper() or None
    return CallRecord(
        row=line,
        raw=dict(attrs),
        started_at=started,
        direction=direction,
        outcome=outcome,
        duration_s=duration,
        number=number,
        contact_name=name,
        region=region,
        source=source,
        call_id=None,
    )


# --------------------------------------------------------------------------------------------
# Asterisk Master.csv (cdr_csv, cdr_custom)
# --------------------------------------------------------------------------------------------

_CDR_CSV = [
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
]  # fmt: skip
# cdr_csv appends these depending on loguniqueid/loguserfield and newcdrcolumns.
_CDR_CSV_TAILS = {
    16: [],
    18: ["uniqueid", "userfield"],
    19: ["peeraccount", "linkedid", "sequence"],
    21: ["uniqueid", "userfield", "peeraccount", "linkedid", "sequence"],
}
# The Master.csv mapping of Asterisk's cdr_custom.conf.sample.
_CDR_CUSTOM = [
    "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start",
    "answer", "end", "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid",
    "userfield", "sequence",
]  # fmt: skip
_ANCHOR_NAMES = ["start", "answer", "end", "duration", "billsec", "disposition", "amaflags"]
_CDR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?")
_DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})
# "1709636602.15", or with the system name of a cluster node in front ("pbx1-1709636602.15").
_UNIQUEID = re.compile(r"(?:[\w.-]+-)?\d{9,11}\.\d+")
# Contexts calls from outside arrive in (FreePBX, Issabel, hand-written dialplans) and contexts
# our own phones dial from.
_INCOMING_CONTEXT = re.compile(
    r"from-(?:trunk|pstn|external|did|provider|sip-external|dahdi|zaptel)|ext-did|incoming|inbound"
)
_OUTGOING_CONTEXT = re.compile(r"from-internal|outbound|outgoing|outrt|dialout|macro-dial-?out")
# Rows are written as each leg ends, and every leg of a call starts before the call's earlier
# legs are over (a ring group rings at once, a transfer bridges the next leg first). So once the
# log has moved this far past a call's last leg, no further leg of it can follow unless that leg
# lasted longer than this; the call is then complete and yielded, which keeps memory bounded on
# a year-long Master.csv. A leg longer than this (or a file concatenated out of order) splits a
# call into two records with the same call_id.
_GROUP_WINDOW = timedelta(hours=6)


def _asterisk_anchor(cells: list[str]) -> int | None:
    """Index of the start time: the first time field with a disposition five fields later."""
    for s in range(3, min(len(cells) - 5, 16)):
        if _CDR_TIME.fullmatch(cells[s].strip()) and cells[s + 5].strip().upper() in _DISPOSITIONS:
            return s
    return None


def _looks_like_asterisk(rows: list[list[str]]) -> bool:
    if not rows:
        return False
    good = [r for r in rows if 9 <= len(r) <= 40 and _asterisk_anchor(r) is not None]
    # The first row too: a CSV with a header line and CDR columns is a calls-csv, not Master.csv.
    return bool(good) and good[0] is rows[0] and len(good) >= 0.8 * len(rows)


def _asterisk_names(anchor: int, n: int) -> list[str]:
    if anchor == 9 and n in _CDR_CSV_TAILS:
        return _CDR_CSV + _CDR_CSV_TAILS[n]
    if anchor == 9:
        return _CDR_CSV
    if anchor == 8:
        return _CDR_CUSTOM
    names = [f"column {i + 1}" for i in range(anchor)]
    names[1:3] = ["src", "dst"]
    if anchor >= 4:
        names[3] = "dcontext"
    return names + _ANCHOR_NAMES


@dataclass
class _Leg:
    row: int
    cells: list[str]
    raw: dict[str, str]
    start: datetime
    last: datetime  # when the leg was over (end, or start + duration)
    billsec: int
    disposition: str
    src: str
    dst: str
    dcontext: str
    clid: str
    key: str | None  # linkedid, else uniqueid


def _cdr_time(text: str) -> datetime:
    # Asterisk always writes "YYYY-MM-DD HH:MM:SS" (the anchor checked that shape), which
    # fromisoformat reads in a fraction of parse_datetime's time; a year-long Master.csv has
    # millions of these.
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return _parse_time(text)  # its message says what is wrong (e.g. "day out of range")
    return value.replace(microsecond=0) if value.microsecond else value


def _asterisk_leg(row: int, cells: list[str]) -> _Leg:
    s = _asterisk_anchor(cells)
    if s is None:
        raise ValueError("not an Asterisk CDR row: no start time followed by a disposition")
    names = _asterisk_names(s, len(cells))
    raw = _raw_from(names, cells)
    start = _cdr_time(cells[s])
    duration = _int(cells[s + 3], "duration") if cells[s + 3].strip() else 0
    billsec = _int(cells[s + 4], "billsec") if cells[s + 4].strip() else 0
    end_text = cells[s + 2].strip()
    last = _cdr_time(end_text) if _CDR_TIME.fullmatch(end_text) else start
    last = max(last, start + timedelta(seconds=duration))
    # uniqueid and linkedid are found by shape after amaflags: cdr_csv writes uniqueid first and
    # linkedid later (newcdrcolumns), custom mappings put them where they like.
    ids = [c.strip() for c in cells[s + 7 :] if _UNIQUEID.fullmatch(c.strip())]
    clid = cells[4] if s == 9 else cells[0]
    return _Leg(
        row=row,
        cells=cells,
        raw=raw,
        start=start,
        last=last,
        billsec=billsec,
        disposition=cells[s + 5].strip().upper(),
        src=cells[1].strip(),
        dst=cells[2].strip(),
        dcontext=cells[3].strip().lower() if s >= 4 else "",
        clid=clid.strip(),
        key=ids[-1] if ids else None,
    )


def _asterisk_direction(leg: _Leg) -> tuple[str, str]:
    """(direction, the other party's number) from the first leg of a call."""
    src = leg.src or _clid_number(leg.clid)
    caller = "" if _is_hidden(src) else src
    if _INCOMING_CONTEXT.search(leg.dcontext):
        return "in", caller
    src_internal = _is_internal(src)
    if src_internal:
        # Extension to outside, or extension to extension (internal: the pipeline skips it by
        # the short number).
        return "out", leg.dst
    if _OUTGOING_CONTEXT.search(leg.dcontext) and _is_external(leg.dst):
        return "out", leg.dst  # caller id rewritten to our own line before dialling out
    return "in", caller


def _asterisk_call(legs: list[_Leg]) -> CallRecord:
    legs.sort(key=lambda leg: (leg.start, leg.row))
    direction, number = _asterisk_direction(legs[0])
    dispositions = {leg.disposition for leg in legs}
    if "ANSWERED" in dispositions:
        outcome = "answered"
    elif dispositions == {"BUSY"}:
        outcome = "busy"
    elif dispositions <= {"FAILED", "CONGESTION"}:
        outcome = "failed"
    else:  # no answer on some leg (a ring group: one busy, one not picking up)
        outcome = _not_answered(direction)
    by_row = sorted(legs, key=lambda leg: leg.row)
    raw = dict(by_row[0].raw)
    for leg in by_row[1:]:
        raw[f"row {leg.row}"] = _csv_line(leg.cells)  # every leg stays in the batch
    return CallRecord(
        row=by_row[0].row,
        raw=raw,
        started_at=legs[0].start,
        direction=direction,
        outcome=outcome,
        duration_s=sum(leg.billsec for leg in legs),
        number=number,
        contact_name=None,  # clid names are set by whoever dialled, often our own employee
        region=None,
        source="asterisk",
        call_id=legs[0].key,
    )


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


class _LegGroups:
    """Legs grouped into calls by linkedid/uniqueid with bounded memory (see _GROUP_WINDOW)."""

    def __init__(self) -> None:
        self.open: dict[str, list[_Leg]] = {}
        self.last: dict[str, datetime] = {}
        # (last seen, key) for every update; entries made stale by a later update are skipped
        # when popped. Finding the calls that went quiet costs O(log n) per leg this way.
        self.heap: list[tuple[datetime, str]] = []
        self.watermark: datetime | None = None

    def add(self, leg: _Leg) -> list[list[_Leg]]:
        """Calls complete after this leg: its own if it has no id, and any that went quiet."""
        done: list[list[_Leg]] = []
        if leg.key is None:
            done.append([leg])
        else:
            self.open.setdefault(leg.key, []).append(leg)
            prev = self.last.get(leg.key)
            if prev is None or leg.last > prev:
                self.last[leg.key] = leg.last
                heapq.heappush(self.heap, (leg.last, leg.key))
        if self.watermark is None or leg.last > self.watermark:
            self.watermark = leg.last
        cutoff = self.watermark - _GROUP_WINDOW
        while self.heap and self.heap[0][0] < cutoff:
            last, key = heapq.heappop(self.heap)
            if self.last.get(key) == last:
                done.append(self._pop(key))
        return done

    def _pop(self, key: str) -> list[_Leg]:
        del self.last[key]
        return self.open.pop(key)

    def rest(self) -> list[list[_Leg]]:
        self.heap.clear()
        groups = [self._pop(k) for k in list(self.open)]
        return sorted(groups, key=lambda g: min(leg.row for leg in g))


def _read_asterisk(
    path: Path, encoding: str | None, delimiter: str
) -> Iterator[CallRecord | CallLogError]:
    groups = _LegGroups()
    with _open_text(path, encoding, default="utf-8") as f:
        for row, cells in _numbered(f, delimiter, path.name):
            if not any(c.strip() for c in cells):
                continue
            try:
                leg = _asterisk_leg(row, cells)
            except ValueError as exc:
                yield CallLogError(row, str(exc), _raw_from([], cells))
                continue
            for legs in groups.add(leg):
                yield _asterisk_call(legs)
    for legs in groups.rest():
        yield _asterisk_call(legs)


# --------------------------------------------------------------------------------------------
# Mango Office statistics: headerless ';' CSV
# --------------------------------------------------------------------------------------------

_MANGO_FIELDS = [
    "records", "start", "finish", "answer", "from_extension", "from_number", "to_extension",
    "to_number", "disconnect_reason", "line_number", "location", "entry_id",
]  # fmt: skip
_EPOCH_MIN, _EPOCH_MAX = 946_684_800, 4_102_444_800  # 2000-01-01 .. 2100-01-01, in seconds


def _mango_times(cells: list[str]) -> bool:
    if len(cells) < 8 or not all(c.strip().isdigit() for c in cells[1:4]):
        return False
    start, finish, answer = (int(c) for c in cells[1:4])
    return (
        _EPOCH_MIN <= start <= _EPOCH_MAX
        and start <= finish <= _EPOCH_MAX
        and (answer == 0 or start <= answer <= finish)
    )


def _is_mango_header(cells: list[str]) -> bool:
    return [c.strip().lower() for c in cells[:3]] == _MANGO_FIELDS[:3]


def _looks_like_mango(rows: list[list[str]]) -> bool:
    if rows and _is_mango_header(rows[0]):
        rows = rows[1:]
    good = [r for r in rows if _mango_times(r)]
    return bool(good) and good[0] is rows[0] and len(good) >= 0.8 * len(rows)


def _mango_record(row: int, cells: list[str], raw: dict[str, str]) -> CallRecord:
    if len(cells) < 8:
        raise ValueError(f"expected at least 8 ';'-separated fields, found {len(cells)}")
    started = _from_epoch(cells[1])
    finish = _int(cells[2], "finish time")
    answer = _int(cells[3], "answer time") if cells[3].strip() else 0
    from_ext, from_number, to_ext, to_number = (c.strip() for c in cells[4:8])
    if from_ext and to_ext:
        direction, number = "out", to_ext  # internal: the pipeline skips it by the short number
    elif from_ext:
        direction, number = "out", to_number
        if not number:
            raise ValueError("no number")
    else:
        direction, number = "in", "" if _is_hidden(from_number) else from_number
    answered = answer > 0
    entry_id = cells[11].strip() if len(cells) > 11 else ""
    return CallRecord(
        row=row,
        raw=raw,
        started_at=started,
        direction=direction,
        outcome="answered" if answered else _not_answered(direction),
        duration_s=max(0, finish - answer) if answered else 0,
        number=number,
        contact_name=None,
        region=None,
        source="mango",
        call_id=entry_id or None,
    )


def _read_mango(
    path: Path, encoding: str | None, delimiter: str
) -> Iterator[CallRecord | CallLogError]:
    with _open_text(path, encoding) as f:
        for row, cells in _numbered(f, delimiter, path.name):
            if not any(c.strip() for c in cells) or (row == 1 and _is_mango_header(cells)):
                continue
            raw = _raw_from(_MANGO_FIELDS, cells)
            try:
                yield _mango_record(row, cells, raw)
            except ValueError as exc:
                yield CallLogError(row, str(exc), raw)


# --------------------------------------------------------------------------------------------
# CSV with a header: Sipuni and generic call reports (UIS/CoMagic, Zadarma, hand-made)
# --------------------------------------------------------------------------------------------


def _norm_header(h: str) -> str:
    h = h.strip().lstrip("\ufeff").lower().replace("ё", "е")
    h = re.sub(r"[\s_]+", " ", h)
    # Units are not part of the name: "Длительность разговора, сек", "Duration (sec)".
    h = re.sub(r"\s*[,(]\s*(?:сек|с|sec|s|секунд\w*|seconds|мин|min)\.?\)?$", "", h)
    return h.strip(" :*#№.")


_HEADERS: dict[str, str] = {}


def _headers(target: str, *names: str) -> None:
    for n in names:
        _HEADERS[_norm_header(n)] = target


_headers(
    "time",
    "Время", "Дата и время", "Дата", "Начало", "Дата звонка", "Время звонка", "Дата/время",
    "Дата время", "Начало звонка", "Время начала", "Дата начала", "Time", "Date", "Start",
    "Call time", "Call date", "Start time", "Date time", "Datetime", "Calldate", "Callstart",
    "Call start", "Started at", "start_time",
)  # fmt: skip
_headers(
    "direction",
    "Направление", "Тип", "Тип звонка", "Направление звонка", "Вид звонка", "Direction",
    "Type", "Call type", "Call direction",
)  # fmt: skip
_headers(
    "number",
    "Номер", "Телефон", "Абонент", "Клиент", "Номер телефона", "Номер абонента",
    "Телефон клиента", "Номер клиента", "Телефон абонента", "Контактный телефон", "Number",
    "Phone", "Phone number", "Contact number", "Contact phone", "contact_phone_number",
)  # fmt: skip
# The caller's number: the other party when nothing says where the call went, else the "from" side.
_headers("caller", "Caller", "clid", "Caller ID", "CallerID", "Звонящий", "Кто звонил")
_headers("from", "Откуда", "От", "From", "src", "Номер звонящего", "Calling number")
_headers("to", "Куда", "Кому", "To", "dst", "Destination", "Called number", "Номер назначения")
_headers(
    "duration",
    "Длительность", "Длительность разговора", "Продолжительность",
    "Продолжительность разговора", "Время разговора", "Duration", "Talk duration", "Talk time",
    "Conversation duration", "billsec", "seconds", "talk_duration",
)  # fmt: skip
# Ringing included: used only when there is no talk-time column.
_headers(
    "duration_total",
    "Длительность звонка", "Общая длительность", "Длительность вызова", "Call duration",
    "Total duration", "total_duration",
)  # fmt: skip
_headers(
    "status",
    "Статус", "Результат", "Статус звонка", "Результат звонка", "Состояние", "Status",
    "Disposition", "Call status", "Call result", "Result", "Outcome",
)  # fmt: skip
_headers("lost", "is_lost", "Lost", "Потерянный", "Пропущенный")
_headers(
    "name",
    "Имя", "Контакт", "Имя контакта", "Имя клиента", "ФИО", "Контактное лицо", "Name",
    "Contact", "Contact name", "Client name", "Customer name",
)  # fmt: skip
_headers(
    "call_id",
    "call_id", "ID звонка", "Идентификатор звонка", "Call ID", "entry_id", "call_session_id",
    "ID сессии", "ID сессии звонка", "Session ID",
)  # fmt: skip

_SIPUNI_REQUIRED = frozenset(_norm_header(h) for h in ("Тип", "Статус", "Время", "Откуда", "Куда"))
_SIPUNI_MARKERS = frozenset(_norm_header(h) for h in ("Схема", "Кто ответил"))
_HEADER_SEARCH_ROWS = 10
_CLOCK_ONLY = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_TOTAL_ROW = ("итого", "всего", "total")


@dataclass
class _CsvMap:
    header: list[str]
    fields: dict[str, list[int]] = field(default_factory=dict)  # field -> column indexes
    is_sipuni: bool = False

    def first(self, name: str) -> int | None:
        cols = self.fields.get(name)
        return cols[0] if cols else None

    @property
    def usable(self) -> bool:
        has_number = any(self.fields.get(f) for f in ("number", "from", "to"))
        return bool(self.fields.get("time")) and has_number


def _check_overrides(columns: dict[str, str]) -> dict[str, str]:
    out = {}
    for column, target in columns.items():
        if target not in (*CSV_FIELDS, IGNORE):
            raise UsageError(
                f"unknown field {target!r} for column {column!r}",
                hint=f"call log fields: {', '.join(CSV_FIELDS)}, or {IGNORE}",
            )
        out[_norm_header(column)] = target
    return out


def _build_map(header: list[str], overrides: dict[str, str]) -> _CsvMap:
    m = _CsvMap(header=header)
    for i, h in enumerate(header):
        nh = _norm_header(h)
        target = overrides.get(nh) or _HEADERS.get(nh)
        if target and target != IGNORE:
            m.fields.setdefault(target, []).append(i)
    # A caller-id column is the "from" side when the file says where calls went, else the number.
    callers = m.fields.pop("caller", [])
    if callers:
        if m.fields.get("to") and not m.fields.get("from"):
            m.fields["from"] = callers[:1]
        elif not m.fields.get("number"):
            m.fields["number"] = callers[:1]
    names = {_norm_header(h) for h in header}
    m.is_sipuni = _SIPUNI_REQUIRED <= names and bool(_SIPUNI_MARKERS & names)
    return m


def _find_header(rows: list[list[str]], overrides: dict[str, str]) -> tuple[int, _CsvMap] | None:
    """The first of the first rows that reads as a call-log header (most known columns wins)."""
    best: tuple[int, _CsvMap] | None = None
    best_score = 0
    for i, cells in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = {_norm_header(c) for c in cells}
        if overrides and not set(overrides) <= names:
            continue
        m = _build_map([c.strip().lstrip("\ufeff") for c in cells], overrides)
        score = sum(len(v) for v in m.fields.values())
        if m.usable and score > best_score:
            best, best_score = (i, m), score
    return best


def _rows_look_like_calls(m: _CsvMap, rows: list[list[str]]) -> bool:
    """Data rows confirm the header: a lead list with "Дата;Телефон;Статус" is not a call log
    unless its times parse and its statuses or directions are call words."""
    rows = [r for r in rows if any(c.strip() for c in r)][:20]
    if not rows:
        return bool(m.fields.get("direction"))
    good = 0
    for cells in rows:
        try:
            when = _time_text(m, cells)
            if not when:
                continue
            _parse_time(when)
        except ValueError:
            continue
        if (
            _parse_direction(_cell(cells, m.first("direction"))) is not None
            or _parse_status(_cell(cells, m.first("status"))) is not None
            or _parse_flag(_cell(cells, m.first("lost"))) is not None
        ):
            good += 1
    return good * 2 >= len(rows) and good > 0


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _time_text(m: _CsvMap, cells: list[str]) -> str:
    values = [v for v in (_cell(cells, i) for i in m.fields.get("time", [])) if v]
    if len(values) >= 2:
        # "Дата" and "Время" in separate columns: one holds the date, the other the clock.
        clocks = [v for v in values if _CLOCK_ONLY.fullmatch(v)]
        dates = [v for v in values if not _CLOCK_ONLY.fullmatch(v)]
        if clocks and dates:
            return f"{dates[0]} {clocks[0]}"
    return values[0] if values else ""


# Rules are tried in order, so the negative forms ("не отвечен", "no answer") win over the
# positive words they contain.
_STATUS_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "не отвеч", "неотвеч", "не принят", "непринят", "без ответа", "нет ответа",
            "no answer", "noanswer", "not answered", "unanswered", "пропущ", "missed",
            "потерян", "lost", "cancel", "отмен", "недозвон", "неуспеш", "no_answer",
        ),
        "missed",
    ),
    (("занят", "busy"), "busy"),
    (("отклон", "reject", "declin", "сброш"), "rejected"),
    (("голосов", "voicemail", "voice mail", "автоответ"), "voicemail"),
    (("заблок", "blocked", "черн"), "blocked"),
    (
        (
            "fail", "ошибк", "congestion", "chanunavail", "неудач", "не удал", "недоступ",
            "unavailable", "no money", "unallocated",
        ),
        "failed",
    ),
    (
        (
            "отвеч", "answer", "принят", "успеш", "success", "разговор", "состоял",
            "connected", "completed",
        ),
        "answered",
    ),
)  # fmt: skip


def _parse_status(value: str) -> str | None:
    v = value.strip().lower().replace("ё", "е")
    if not v:
        return None
    for words, outcome in _STATUS_RULES:
        if any(w in v for w in words):
            return outcome
    return None


def _parse_flag(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("true", "1", "да", "yes", "y", "+"):
        return True
    if v in ("false", "0", "нет", "no", "n", "-"):
        return False
    return None


# Direction words match as the first word of the value only, so that "Instagram" in a lead
# list's "Тип" column is not read as "in".
_IN_WORDS = frozenset({"in", "inc", "incoming", "inbound", "вх", "вход", "входящий", "входящая"})
_OUT_WORDS = frozenset({"out", "outgoing", "outbound", "исх", "исход", "исходящий", "исходящая"})
_INTERNAL_WORDS = frozenset({"internal", "local", "локальный", "внутренний", "внутр", "вн"})
# Phones export the outcome as the call "type": "Пропущенный", "MISSED", "Входящий пропущенный".
_TYPE_OUTCOMES = (
    (("пропущ", "missed"), "missed"),
    (("отклон", "rejected", "declined"), "rejected"),
    (("заблок", "blocked"), "blocked"),
    (("голосов", "voicemail"), "voicemail"),
)


def _parse_direction(value: str) -> tuple[str, str | None] | None:
    """(direction, the outcome the value implies) or None; "internal" is extension to extension."""
    v = value.strip().lower().replace("ё", "е")
    words = re.findall(r"\w+", v)
    if not words:
        return None
    first = words[0]
    implied = next((o for stems, o in _TYPE_OUTCOMES if any(s in v for s in stems)), None)
    if first in _INTERNAL_WORDS or first.startswith("внутрен"):
        return "internal", implied
    if first in _OUT_WORDS or first.startswith("исходящ"):
        return "out", implied
    if first in _IN_WORDS or first.startswith("входящ") or implied is not None:
        return "in", implied
    return None


def _infer_direction(m: _CsvMap, caller: str, callee: str) -> str:
    """No direction column: the side that is one of our extensions made or took the call."""
    if m.fields.get("number") and not (m.fields.get("from") or m.fields.get("to")):
        # One number per row and no direction: a call-tracking report, incoming by nature.
        return "in"
    if _is_internal(caller) and (_is_internal(callee) or not callee):
        return "internal"
    if _is_internal(caller):
        return "out"
    if not callee or _is_internal(callee) or _is_hidden(caller):
        return "in"
    raise ValueError(
        "cannot tell incoming from outgoing: no direction column and both sides are external "
        "numbers (map a direction column)"
    )


def _csv_record(m: _CsvMap, row: int, cells: list[str], raw: dict, source: str) -> CallRecord:
    when = _time_text(m, cells)
    if not when:
        raise ValueError("no date/time")
    started = _parse_time(when)

    number_col = m.first("number")
    caller = _clid_number(_cell(cells, m.first("from")) or _cell(cells, number_col))
    callee = _clid_number(_cell(cells, m.first("to")))
    implied = None
    dir_text = _cell(cells, m.first("direction"))
    if dir_text:
        parsed = _parse_direction(dir_text)
        if parsed is None:
            raise ValueError(f"unknown call direction {dir_text!r}")
        direction, implied = parsed
    else:
        direction = _infer_direction(m, caller, callee)

    if number_col is not None:
        number = _clid_number(_cell(cells, number_col))
    elif direction == "in":
        number = caller
    else:
        number = callee
    if direction == "internal":
        direction = "out"  # between two extensions: the pipeline skips it by the short number
    if _is_hidden(number):
        number = ""
    elif not number:
        raise ValueError("no phone number")

    talk_cols = m.fields.get("duration") or m.fields.get("duration_total") or []
    try:
        duration = _parse_duration(_cell(cells, talk_cols[0])) if talk_cols else None
    except ValueError:
        duration = None  # a bad duration does not make the call unreadable; raw keeps it

    outcome = _parse_status(_cell(cells, m.first("status"))) or implied
    if outcome is None:
        lost = _parse_flag(_cell(cells, m.first("lost")))
        if lost is not None:
            outcome = "missed" if lost else "answered"
    if outcome is None:
        if talk_cols:
            outcome = "answered" if duration else "missed"
        else:
            # Neither status nor duration: a journal of calls that took place (a manager's
            # hand-kept log); calling them all missed would be the worse guess.
            outcome = "answered"
    if outcome == "missed" and direction == "out":
        outcome = "failed"

    call_id = _cell(cells, m.first("call_id"))
    return CallRecord(
        row=row,
        raw=raw,
        started_at=started,
        direction=direction,
        outcome=outcome,
        duration_s=duration,
        number=number,
        contact_name=_clean_name(_cell(cells, m.first("name"))),
        region=None,
        source=source,
        call_id=call_id or None,
    )


def _read_table(
    path: Path,
    source: str,
    encoding: str | None,
    delimiter: str | None,
    overrides: dict[str, str],
) -> Iterator[CallRecord | CallLogError]:
    with _open_text(path, encoding) as f:
        delim = delimiter or sniff_delimiter(f.read(SAMPLE_BYTES))
        f.seek(0)
        rows = _numbered(f, delim, path.name)
        first = []
        for item in rows:
            first.append(item)
            if len(first) >= _HEADER_SEARCH_ROWS:
                break
        found = _find_header([cells for _, cells in first], overrides)
        if found is None:
            if overrides:
                raise UsageError(
                    f"{path.name}: no header row has all the mapped columns "
                    f"({', '.join(overrides)}) and a time and a number column"
                )
            raise InputFileError(
                f"{path.name}: no header with a time and a number column found",
                hint="map the columns, e.g. --map 'Дата=time' --map 'Телефон=number'",
            )
        index, m = found
        body: Iterable[tuple[int, list[str]]] = _chain(first[index + 1 :], rows)
        yield from _table_records(m, body, source)


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _table_records(
    m: _CsvMap, rows: Iterable[tuple[int, list[str]]], source: str
) -> Iterator[CallRecord | CallLogError]:
    for row, cells in rows:
        texts = [c.strip() for c in cells if c.strip()]
        if not texts or texts[0].lower().startswith(_TOTAL_ROW):
            continue  # blank lines and the "Итого" line under a report
        raw = _raw_from(m.header, cells)
        try:
            yield _csv_record(m, row, cells, raw, source)
        except ValueError as exc:
            yield CallLogError(row, str(exc), raw)
