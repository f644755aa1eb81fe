"""Phone call logs: Android and OPPO backups, Asterisk and FreeSWITCH CDRs, Sipuni, Mango
Office, generic CSV — one module per format, ``detect`` to tell them apart, ``common`` for the
record every reader yields (see its docstring for the outcome vocabulary and times).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from clientbase.errors import UsageError
from clientbase.i18n import _
from clientbase.importers.calls.android import _read_xml
from clientbase.importers.calls.asterisk import _read_asterisk
from clientbase.importers.calls.common import (
    CSV_FIELDS,
    FORMATS,
    OUTCOMES,
    CallLogError,
    CallRecord,
    _delimiter_option,
)
from clientbase.importers.calls.detect import detect_call_log
from clientbase.importers.calls.freeswitch import read_freeswitch
from clientbase.importers.calls.mango import _read_mango
from clientbase.importers.calls.sides import OwnNumbers
from clientbase.importers.calls.table import _check_overrides, _read_table
from clientbase.importers.sniff import check_encoding

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "OUTCOMES",
    "CallLogError",
    "CallRecord",
    "OwnNumbers",
    "detect_call_log",
    "read_call_log",
]


def read_call_log(
    path: Path,
    fmt: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: dict[str, str] | None = None,
    own_numbers: OwnNumbers | None = None,
) -> Iterator[CallRecord | CallLogError]:
    """Records of one call log, in file order; Asterisk calls come out when they are complete
    (see _GROUP_WINDOW), so a call spanning several rows follows calls that ended before it.

    ``columns`` ({"Column header": field}, fields in CSV_FIELDS or "ignore") applies to the
    formats with a header row (sipuni, calls-csv); keys that are numbers ({"5": "time"}) name
    columns by position (1 = the first) and read any CSV log without its header, whatever its
    format. ``own_numbers`` are the company's lines: never the other party, and they tell the
    direction; the reader adds the ones it learns from the log (a did column, the numbers in
    most calls). Raises UsageError for bad options and InputFileError (on iteration) when the
    file as a whole is not a readable log of ``fmt``.
    """
    if fmt not in FORMATS:
        raise UsageError(
            _("unknown call log format {fmt}").format(fmt=repr(fmt)),
            hint=_("formats: {names}").format(names=", ".join(FORMATS)),
        )
    own = own_numbers if own_numbers is not None else OwnNumbers()
    overrides = _check_overrides(columns or {})
    positional = bool(overrides) and all(k.isdigit() for k in overrides)
    if positional and fmt not in ("android", "oppo"):
        fmt = "calls-csv"  # the user's positions win over the column order a format implies
    if columns and fmt not in ("sipuni", "calls-csv"):
        raise UsageError(
            _("column mapping does not apply to {fmt} call logs (they have no header)").format(
                fmt=fmt
            ),
            hint=_("name columns by position instead: --map 1=time --map 3=number"),
        )
    if encoding:
        encoding = check_encoding(encoding)
    delim = _delimiter_option(delimiter)
    if fmt in ("android", "oppo"):
        return _read_xml(path, fmt, encoding)
    if fmt == "asterisk":
        return _read_asterisk(path, encoding, delim or ",", own)
    if fmt == "freeswitch":
        return read_freeswitch(path, encoding, delim or ",", own)
    if fmt == "mango":
        return _read_mango(path, encoding, delim or ";")
    return _read_table(path, fmt, encoding, delim, overrides, own)
