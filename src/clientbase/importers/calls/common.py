"""What every call-log reader yields, and the value helpers they share.

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

Times are the local times of the place the call was made, as naive datetimes like every time in
the base. An Android backup carries the phone's own clock next to each instant
(``readable_date``), so its calls keep the time the phone showed wherever the backup is read;
other epoch values (OPPO milliseconds, Mango seconds) are converted to the zone of the machine
running the import. Text times are kept as written (see ``normalize.dates.parse_datetime``).
All times are truncated to whole seconds so that the same call from two sources (the phone and
the PBX) compares equal.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clientbase.errors import InputFileError, UsageError
from clientbase.i18n import _
from clientbase.importers.sniff import (
    detect_encoding,
)
from clientbase.normalize.dates import parse_datetime
from clientbase.normalize.phones import is_short_or_internal

FORMATS = ("android", "oppo", "asterisk", "freeswitch", "sipuni", "mango", "calls-csv")
OUTCOMES = ("answered", "missed", "rejected", "voicemail", "blocked", "busy", "failed")
# Fields a calls-csv column can be mapped to with ``columns`` ("ignore" drops a guessed column).
CSV_FIELDS = (
    "time", "direction", "number", "from", "to", "duration", "status", "name", "call_id", "did",
    "context", "channel",
)  # fmt: skip
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


def _epoch_seconds(text: str) -> int:
    """Unix seconds or milliseconds → whole seconds; ValueError for anything else."""
    s = text.strip()
    try:
        value = int(s) if s.lstrip("-").isdigit() else int(float(s))
    except (ValueError, OverflowError):
        raise ValueError(_("not a timestamp: {text}").format(text=repr(text))) from None
    seconds = value // 1000 if value >= _MS_THRESHOLD else value
    if seconds <= 0:
        raise ValueError(_("no date (timestamp {text})").format(text=repr(text)))
    return seconds


def _from_epoch(text: str) -> datetime:
    """Unix seconds or milliseconds → naive local time (the machine's zone), whole seconds."""
    try:
        return datetime.fromtimestamp(_epoch_seconds(text))
    except (OverflowError, OSError):
        raise ValueError(_("timestamp out of range: {text}").format(text=repr(text))) from None


def _from_epoch_utc(text: str) -> datetime:
    """Unix seconds or milliseconds → naive UTC time, whole seconds."""
    try:
        return datetime.fromtimestamp(_epoch_seconds(text), UTC).replace(tzinfo=None)
    except (OverflowError, OSError):
        raise ValueError(_("timestamp out of range: {text}").format(text=repr(text))) from None


def _parse_time(text: str) -> datetime:
    s = text.strip()
    if s.isdigit() and len(s) in (10, 13):  # an epoch stamp in a CSV time column
        return _from_epoch(s)
    try:
        dt = parse_datetime(s)
    except ValueError as exc:
        raise ValueError(
            _("bad date/time {text}: {error}").format(text=repr(text), error=exc)
        ) from None
    return dt.replace(microsecond=0)


def _int(text: str, what: str) -> int:
    s = text.strip().replace(",", ".")
    try:
        # cdr_custom with ${CDR(billsec,f)} writes "12.345"; talk time is counted in whole seconds
        return int(s) if s.isdigit() else int(float(s))
    except (ValueError, OverflowError):
        raise ValueError(_("bad {what} {value}").format(what=what, value=repr(text))) from None


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
    raise ValueError(_("bad duration {text}").format(text=repr(text)))


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


def _delimiter_option(delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    if delimiter in ("\\t", "tab", "TAB"):
        return "\t"
    if len(delimiter) != 1:
        raise UsageError(
            _("the delimiter must be one character, not {value}").format(value=repr(delimiter))
        )
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


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()
