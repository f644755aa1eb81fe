"""Asterisk Master.csv (cdr_csv, cdr_custom): headerless rows, one call over several legs."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, islice
from pathlib import Path

from clientbase.i18n import _
from clientbase.importers.calls.common import (
    CallLogError,
    CallRecord,
    _clid_number,
    _csv_line,
    _int,
    _is_external,
    _is_hidden,
    _is_internal,
    _not_answered,
    _numbered,
    _open_text,
    _parse_time,
    _raw_from,
)
from clientbase.importers.calls.sides import (
    OwnNumbers,
    channel_side,
    context_direction,
    frequent_numbers,
)

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
    channel: str
    dstchannel: str
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
        raise ValueError(_("not an Asterisk CDR row: no start time followed by a disposition"))
    names = _asterisk_names(s, len(cells))
    raw = _raw_from(names, cells)
    start = _cdr_time(cells[s])
    duration = _int(cells[s + 3], _("duration")) if cells[s + 3].strip() else 0
    billsec = _int(cells[s + 4], "billsec") if cells[s + 4].strip() else 0
    end_text = cells[s + 2].strip()
    last = _cdr_time(end_text) if _CDR_TIME.fullmatch(end_text) else start
    last = max(last, start + timedelta(seconds=duration))
    # uniqueid and linkedid are found by shape after amaflags: cdr_csv writes uniqueid first and
    # linkedid later (newcdrcolumns), custom mappings put them where they like.
    ids = [c.strip() for c in cells[s + 7 :] if _UNIQUEID.fullmatch(c.strip())]
    clid = cells[4] if s == 9 else cells[0]
    # cdr_csv: channel, dstchannel at 5, 6; the cdr_custom sample mapping: at 4, 5
    ch = 5 if s == 9 else 4 if s == 8 else None
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
        channel=cells[ch].strip() if ch is not None else "",
        dstchannel=cells[ch + 1].strip() if ch is not None else "",
        key=ids[-1] if ids else None,
    )


def _asterisk_direction(leg: _Leg, own: OwnNumbers) -> tuple[str, str]:
    """(direction, the other party's number) from the first leg of a call."""
    src = leg.src or _clid_number(leg.clid)
    caller = "" if _is_hidden(src) else src
    by_context = context_direction(leg.dcontext)
    if by_context == "in":
        return "in", caller
    if _is_internal(src):
        # Extension to outside, or extension to extension (internal: the pipeline skips it by
        # the short number).
        return "out", leg.dst
    if src in own and leg.dst not in own:
        return "out", leg.dst  # caller id rewritten to our own line before dialling out
    if leg.dst in own:
        return "in", caller
    if by_context == "out" and _is_external(leg.dst):
        return "out", leg.dst
    if channel_side(leg.channel) == "ours" and _is_external(leg.dst):
        return "out", leg.dst
    return "in", caller


def _asterisk_call(legs: list[_Leg], own: OwnNumbers) -> CallRecord:
    legs.sort(key=lambda leg: (leg.start, leg.row))
    direction, number = _asterisk_direction(legs[0], own)
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
    path: Path, encoding: str | None, delimiter: str, own: OwnNumbers
) -> Iterator[CallRecord | CallLogError]:
    groups = _LegGroups()
    with _open_text(path, encoding, default="utf-8") as f:
        rows = _numbered(f, delimiter, path.name)
        ahead = list(islice(rows, _OWN_SAMPLE_ROWS))
        _learn_own_numbers(ahead, own)
        for row, cells in chain(ahead, rows):
            if not any(c.strip() for c in cells):
                continue
            try:
                leg = _asterisk_leg(row, cells)
            except ValueError as exc:
                yield CallLogError(row, str(exc), _raw_from([], cells))
                continue
            for legs in groups.add(leg):
                yield _asterisk_call(legs, own)
    for legs in groups.rest():
        yield _asterisk_call(legs, own)


_OWN_SAMPLE_ROWS = 2000


def _learn_own_numbers(rows: list[tuple[int, list[str]]], own: OwnNumbers) -> None:
    """A number on one side of most calls (the line outgoing calls show as their caller id)
    is the company's own."""
    calls = []
    for _row, cells in rows:
        s = _asterisk_anchor(cells)
        if s is not None:
            calls.append((cells[1], cells[2]))
    for number in frequent_numbers(calls):
        own.learn(number, _("in most calls of the log"))
