"""Call logs with a header row: Sipuni and generic call reports (UIS/CoMagic, Zadarma, hand-made)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clientbase.errors import InputFileError, UsageError
from clientbase.i18n import _
from clientbase.importers.calls.common import (
    CSV_FIELDS,
    IGNORE,
    CallLogError,
    CallRecord,
    _clean_name,
    _clid_number,
    _is_hidden,
    _is_internal,
    _numbered,
    _open_text,
    _parse_duration,
    _parse_time,
    _raw_from,
)
from clientbase.importers.calls.sides import (
    OwnNumbers,
    channel_side,
    context_direction,
    frequent_numbers,
)
from clientbase.importers.sniff import (
    SAMPLE_BYTES,
    sniff_delimiter,
)


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
# What a PBX writes (Asterisk/FreePBX cdr, FreeSWITCH): the number dialled from outside, the
# dialplan context and the channels; they tell the direction (see sides.py).
_headers("did", "did", "DID", "Входящая линия", "Номер линии", "Линия", "Virtual phone number",
         "virtual_phone_number", "Виртуальный номер")  # fmt: skip
_headers("context", "dcontext", "context", "Контекст")
_headers("channel", "channel", "channel name", "Канал")
_headers("dstchannel", "dstchannel", "destination channel")
_headers("talk", "billsec")
_headers("caller", "cnum", "caller id number", "caller_id_number")
_headers("caller_name", "cnam", "caller id name", "caller_id_name", "Имя звонящего")
_headers("to", "destination number", "destination_number")
_headers(
    "call_id",
    "uniqueid", "linkedid", "uuid", "call_id", "ID звонка", "Идентификатор звонка", "Call ID", "entry_id", "call_session_id",
    "ID сессии", "ID сессии звонка", "Session ID",
)  # fmt: skip

_SIPUNI_REQUIRED = frozenset(_norm_header(h) for h in ("Тип", "Статус", "Время", "Откуда", "Куда"))
_SIPUNI_MARKERS = frozenset(_norm_header(h) for h in ("Схема", "Кто ответил"))
_HEADER_SEARCH_ROWS = 10
_OWN_SAMPLE_ROWS = 2000  # rows read ahead to learn the company's own numbers from
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
    """``--map`` for a call log: by column name, or by position (``5=time``, 1 = the first
    column) in a file without a header; not both."""
    positional = [c for c in columns if c.strip().isdigit()]
    if positional and len(positional) != len(columns):
        raise UsageError(
            _("--map: name the columns either by header or by position (1, 2, …), not both")
        )
    if any(int(c) < 1 for c in positional):
        raise UsageError(_("--map: positions count from 1 (the first column)"))
    out = {}
    for column, target in columns.items():
        if target not in (*CSV_FIELDS, IGNORE):
            raise UsageError(
                _("unknown field {field} for column {column}").format(
                    field=repr(target), column=repr(column)
                ),
                hint=_("call log fields: {fields}, or {ignore}").format(
                    fields=", ".join(CSV_FIELDS), ignore=IGNORE
                ),
            )
        out[column.strip() if column.strip().isdigit() else _norm_header(column)] = target
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
        elif not m.fields.get("number") and not m.fields.get("from"):
            m.fields["number"] = callers[:1]
        # A caller id next to src/dst (Asterisk clid) names the caller: '"Иван" <7916…>'.
        m.fields.setdefault("caller_id", callers[:1])
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


def _infer_direction(
    m: _CsvMap, cells: list[str], caller: str, callee: str, own: OwnNumbers
) -> str:
    """No direction column: the side that is ours (an own number, an extension, the channel of
    one of our phones) made or took the call; a dialled-in number (did) or an incoming dialplan
    context mean the call came from outside."""
    if m.fields.get("number") and not (m.fields.get("from") or m.fields.get("to")):
        # One number per row and no direction: a call-tracking report, incoming by nature.
        return "in"
    if _cell(cells, m.first("did")):
        return "out" if _is_internal(caller) else "in"
    if caller in own and callee not in own:
        return "out"
    if callee in own and caller not in own:
        return "in"
    by_context = context_direction(_cell(cells, m.first("context")))
    if by_context == "in":
        return "in"
    if _is_internal(caller) and (_is_internal(callee) or not callee):
        return "internal"
    if _is_internal(caller):
        return "out"
    if by_context == "out":
        return "out"
    side = channel_side(_cell(cells, m.first("channel")))
    if side is not None:
        return "out" if side == "ours" else "in"
    if channel_side(_cell(cells, m.first("dstchannel"))) == "ours":
        return "in"
    if not callee or _is_internal(callee) or _is_hidden(caller):
        return "in"
    raise ValueError(
        _(
            "cannot tell incoming from outgoing: no direction column and both sides are external "
            "numbers (map a direction column, or name the company's numbers with --own-number)"
        )
    )


def _csv_record(
    m: _CsvMap, row: int, cells: list[str], raw: dict, source: str, own: OwnNumbers
) -> CallRecord:
    when = _time_text(m, cells)
    if not when:
        raise ValueError(_("no date/time"))
    started = _parse_time(when)

    number_col = m.first("number")
    caller = _clid_number(_cell(cells, m.first("from")) or _cell(cells, number_col))
    callee = _clid_number(_cell(cells, m.first("to")))
    implied = None
    dir_text = _cell(cells, m.first("direction"))
    if dir_text:
        parsed = _parse_direction(dir_text)
        if parsed is None:
            raise ValueError(_("unknown call direction {text}").format(text=repr(dir_text)))
        direction, implied = parsed
    else:
        direction = _infer_direction(m, cells, caller, callee, own)

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
        raise ValueError(_("no phone number"))

    talk_cols = m.fields.get("talk") or m.fields.get("duration") or []
    talk_cols = talk_cols or m.fields.get("duration_total") or []
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
        contact_name=_clean_name(_cell(cells, m.first("name")))
        or (_caller_name(m, cells) if direction == "in" else None),
        region=None,
        source=source,
        call_id=call_id or None,
    )


def _caller_name(m: _CsvMap, cells: list[str]) -> str | None:
    """The name the network gave an incoming caller (cnam, or the quoted part of a clid);
    on outgoing calls it is our own employee, so it is not asked for then."""
    name = _cell(cells, m.first("caller_name"))
    if not name:
        clid = _cell(cells, m.first("caller_id"))
        if "<" in clid:
            name = clid[: clid.index("<")].strip().strip('"').strip()
    if not name or sum(c.isdigit() for c in name) >= 6:
        return None  # the number again, not a name
    return _clean_name(name)


def _positional_map(overrides: dict[str, str], width: int) -> _CsvMap:
    """``--map 5=time``: columns by position (1 = the first) in a file without a header."""
    header = [f"column {i + 1}" for i in range(width)]
    m = _CsvMap(header=header)
    for key, target in overrides.items():
        if target != IGNORE:
            m.fields.setdefault(target, []).append(int(key) - 1)
    if not m.usable:
        raise UsageError(
            _(
                "the positional --map needs a time column and a number column "
                "(number, or from and to), e.g. --map 1=time --map 3=number"
            )
        )
    return m


def _learn_own_numbers(m: _CsvMap, rows: list[tuple[int, list[str]]], own: OwnNumbers) -> None:
    """Before the first record: the numbers dialled in (did) and the numbers in most calls of
    the log are the company's own lines."""
    did = m.first("did")
    sides = [m.first(f) for f in ("from", "to", "number") if m.first(f) is not None]
    calls = []
    for _row, cells in rows:
        if did is not None and (value := _clid_number(_cell(cells, did))):
            if not _is_internal(value):
                own.learn(value, _("did column"))
        calls.append(tuple(_clid_number(_cell(cells, i)) for i in sides))
    if m.first("direction") is None:
        for number in frequent_numbers(calls):
            own.learn(number, _("in most calls of the log"))


def _read_table(
    path: Path,
    source: str,
    encoding: str | None,
    delimiter: str | None,
    overrides: dict[str, str],
    own: OwnNumbers,
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
        if overrides and all(k.isdigit() for k in overrides):
            width = max((len(c) for _, c in first), default=0)
            m = _positional_map(overrides, max(width, *(int(k) for k in overrides)))
            found = (-1, m)
        else:
            found = _find_header([cells for _, cells in first], overrides)
        if found is None:
            if overrides:
                raise UsageError(
                    _(
                        "{file}: no header row has all the mapped columns ({columns}) "
                        "and a time and a number column"
                    ).format(file=path.name, columns=", ".join(overrides))
                )
            raise InputFileError(
                _("{file}: no header with a time and a number column found").format(file=path.name),
                hint=_(
                    "map the columns by name (--map 'Дата=time' --map 'Телефон=number') or, "
                    "in a file without a header, by position (--map 1=time --map 3=number)"
                ),
            )
        index, m = found
        body = first[index + 1 :]
        for item in rows:  # a sample of the log to learn the company's own numbers from
            if len(body) >= _OWN_SAMPLE_ROWS:
                body.append(item)
                break
            body.append(item)
        _learn_own_numbers(m, body, own)
        yield from _table_records(m, _chain(body, rows), source, own)


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _table_records(
    m: _CsvMap, rows: Iterable[tuple[int, list[str]]], source: str, own: OwnNumbers
) -> Iterator[CallRecord | CallLogError]:
    for row, cells in rows:
        texts = [c.strip() for c in cells if c.strip()]
        if not texts or texts[0].lower().startswith(_TOTAL_ROW):
            continue  # blank lines and the "Итого" line under a report
        raw = _raw_from(m.header, cells)
        try:
            yield _csv_record(m, row, cells, raw, source, own)
        except ValueError as exc:
            yield CallLogError(row, str(exc), raw)
