"""Mango Office statistics: headerless ';' CSV with Unix times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from clientbase.i18n import _
from clientbase.importers.calls.common import (
    CallLogError,
    CallRecord,
    _from_epoch,
    _int,
    _is_hidden,
    _not_answered,
    _numbered,
    _open_text,
    _raw_from,
)

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
        raise ValueError(
            _("expected at least 8 ';'-separated fields, found {n}").format(n=len(cells))
        )
    started = _from_epoch(cells[1])
    finish = _int(cells[2], _("finish time"))
    answer = _int(cells[3], _("answer time")) if cells[3].strip() else 0
    from_ext, from_number, to_ext, to_number = (c.strip() for c in cells[4:8])
    if from_ext and to_ext:
        direction, number = "out", to_ext  # internal: the pipeline skips it by the short number
    elif from_ext:
        direction, number = "out", to_number
        if not number:
            raise ValueError(_("no number"))
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
