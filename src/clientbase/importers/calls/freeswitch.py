"""FreeSWITCH Master.csv (mod_cdr_csv): headerless, every value in double quotes.

The default template of ``cdr_csv.conf.xml`` writes ``caller_id_name, caller_id_number,
destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec,
hangup_cause, uuid, bleg_uuid, accountcode`` and, in the "example" template, ``read_codec,
write_codec``. One row per call (the A leg); the context tells where the call started:
``public`` for calls from outside, ``default`` for our own phones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path

from clientbase.i18n import _
from clientbase.importers.calls.common import (
    CallLogError,
    CallRecord,
    _clean_name,
    _int,
    _is_hidden,
    _is_internal,
    _not_answered,
    _numbered,
    _open_text,
    _parse_time,
    _raw_from,
)
from clientbase.importers.calls.sides import OwnNumbers, context_direction, frequent_numbers

FIELDS = [
    "caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
    "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
    "accountcode", "read_codec", "write_codec",
]  # fmt: skip
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
# Q.850 cause names as FreeSWITCH writes them.
_CAUSE = re.compile(r"[A-Z][A-Z0-9_]{3,}")
_NOT_ANSWERED = frozenset(
    {"NO_ANSWER", "ORIGINATOR_CANCEL", "NO_USER_RESPONSE", "ALLOTTED_TIMEOUT", "LOSE_RACE",
     "PICKED_OFF", "NORMAL_CLEARING"}
)  # fmt: skip
_OUTCOMES = {
    "USER_BUSY": "busy",
    "CALL_REJECTED": "rejected",
    "SUBSCRIBER_ABSENT": "failed",
}
_OWN_SAMPLE_ROWS = 2000


def _is_row(cells: list[str]) -> bool:
    return (
        13 <= len(cells) <= 20
        and bool(_STAMP.fullmatch(cells[4].strip()))
        and bool(_CAUSE.fullmatch(cells[9].strip()))
        and cells[7].strip().isdigit()
        and cells[8].strip().isdigit()
    )


def looks_like_freeswitch(rows: list[list[str]]) -> bool:
    good = [r for r in rows if _is_row(r)]
    return bool(good) and good[0] is rows[0] and len(good) >= 0.8 * len(rows)


def _record(row: int, cells: list[str], own: OwnNumbers) -> CallRecord:
    if not _is_row(cells):
        raise ValueError(_("not a FreeSWITCH CDR row: no start time, durations and hangup cause"))
    raw = _raw_from(FIELDS, cells)
    name, caller, callee, context = (c.strip() for c in cells[:4])
    started = _parse_time(cells[4])
    billsec = _int(cells[8], "billsec")
    by_context = context_direction(context)
    if by_context == "in" or callee in own or (_is_internal(callee) and not _is_internal(caller)):
        direction, number = "in", "" if _is_hidden(caller) else caller
    elif _is_internal(caller) or caller in own or by_context == "out":
        direction, number = "out", callee
    else:
        direction, number = "in", "" if _is_hidden(caller) else caller
    cause = cells[9].strip()
    if billsec > 0:
        outcome = "answered"
    elif cause in _OUTCOMES:
        outcome = _OUTCOMES[cause]
    elif cause in _NOT_ANSWERED:
        outcome = _not_answered(direction)
    else:
        outcome = "failed"
    return CallRecord(
        row=row,
        raw=raw,
        started_at=started,
        direction=direction,
        outcome=outcome,
        duration_s=billsec,
        number=number,
        # The caller's name as the network sent it; for outgoing calls it is our own employee.
        contact_name=_clean_name(name) if direction == "in" else None,
        region=None,
        source="freeswitch",
        call_id=cells[10].strip() or None,
    )


def read_freeswitch(
    path: Path, encoding: str | None, delimiter: str, own: OwnNumbers
) -> Iterator[CallRecord | CallLogError]:
    with _open_text(path, encoding, default="utf-8") as f:
        rows = _numbered(f, delimiter, path.name)
        ahead = list(islice(rows, _OWN_SAMPLE_ROWS))
        calls = [(c[1], c[2]) for _, c in ahead if _is_row(c)]
        for number in frequent_numbers(calls):
            own.learn(number, _("in most calls of the log"))
        for row, cells in chain(ahead, rows):
            if not any(c.strip() for c in cells):
                continue
            try:
                yield _record(row, cells, own)
            except ValueError as exc:
                yield CallLogError(row, str(exc), _raw_from(FIELDS, cells))
