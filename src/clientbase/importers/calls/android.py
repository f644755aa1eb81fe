"""Android "SMS Backup & Restore" and OPPO call-log backups (XML)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from xml.parsers import expat

from clientbase.errors import InputFileError
from clientbase.i18n import _
from clientbase.importers.calls.common import (
    CallLogError,
    CallRecord,
    _clean_name,
    _from_epoch,
    _from_epoch_utc,
    _int,
    _is_hidden,
)

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
    raise InputFileError(_("the XML file declares entities; refusing to expand them"))


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
                    _("{file}: not an {fmt} call log (the root element is <{name}>)").format(
                        file=path.name, fmt=fmt, name=name
                    )
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
                        _("{file}: not readable as XML: {error} (line {line})").format(
                            file=path.name, error=expat.ErrorString(exc.code), line=exc.lineno
                        ),
                        hint=_("if the file is not UTF-8 and does not say so, give --encoding"),
                    ) from exc
                for line, attrs in found:
                    yield from _android_item(line, attrs, fmt, seen)
                yield CallLogError(
                    exc.lineno,
                    _(
                        "the file is broken or cut short here ({error}); "
                        "nothing after this point was read"
                    ).format(error=expat.ErrorString(exc.code)),
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
        raise ValueError(_("no date"))
    started = _local_time(date, a.get("readable_date", ""))
    kind = a.get("type", "").strip()
    if kind not in _ANDROID_TYPES:
        raise ValueError(
            _("unknown call type {kind}").format(kind=repr(kind)) if kind else _("no call type")
        )
    direction, outcome = _ANDROID_TYPES[kind]
    duration = _int(a["duration"], _("duration")) if a.get("duration", "").strip() else None
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


# The clock in readable_date, whatever the locale around it: "5 мар. 2024 г. 14:03:22",
# "Mar 5, 2024 2:03:22 PM", "05.03.2024 14:03", "2024/03/05 午後2:03:22".
_CLOCK = re.compile(
    r"(?:(?P<ampm1>AM|PM|am|pm|午前|午後)\s*)?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:\s*(?P<ampm2>AM|PM|am|pm|a\.m\.|p\.m\.))?(?!\d)"
)


def _local_time(date: str, readable: str) -> datetime:
    """The time the phone showed. ``date`` is an instant (epoch milliseconds); SMS Backup &
    Restore writes the phone's own wall clock next to it in ``readable_date``. Their difference
    is the phone's UTC offset, so the call keeps the local time it had where it was made,
    whatever zone the machine reading the backup is in. Without a readable clock, the machine's
    zone stands in for the phone's."""
    utc = _from_epoch_utc(date)
    offset = _offset_from_clock(utc, readable)
    if offset is None:
        return _from_epoch(date)
    return utc + offset


def _offset_from_clock(utc: datetime, readable: str) -> timedelta | None:
    clocks = list(_CLOCK.finditer(readable))
    if not clocks:
        return None
    m = clocks[-1]  # the time comes after the date in every locale we know
    h, mi = int(m["h"]), int(m["m"])
    ampm = (m["ampm1"] or m["ampm2"] or "").lower().replace(".", "")
    if ampm in ("pm", "午後") and h < 12:
        h += 12
    elif ampm in ("am", "午前") and h == 12:
        h = 0
    if h > 23 or mi > 59:
        return None
    shown = h * 60 + mi
    now = utc.hour * 60 + utc.minute
    diff = (shown - now) % (24 * 60)
    if diff > 14 * 60:  # zones run from UTC-12 to UTC+14
        diff -= 24 * 60
    quarter = round(diff / 15) * 15  # every zone offset is a multiple of 15 minutes
    if abs(diff - quarter) > 1:
        return None  # a clock that does not fit the instant: not the time of this call
    return timedelta(minutes=quarter)
