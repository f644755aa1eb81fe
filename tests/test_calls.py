"""Call-log readers against our own fixtures (tests/fixtures/calls, made by make_fixtures.py).

Each fixture imitates one real exporter and its quirks; the assertions are what a person would
check in the log itself: when, which way, answered or not, how long, with whom, and the row to
open the file at. Epoch-based logs are read with the machine's zone set to Moscow (UTC+3), so the
expected times are the wall-clock times a Moscow phone showed.
"""

from __future__ import annotations

import importlib.util
import time
from datetime import datetime
from pathlib import Path

import pytest

import clientbase.importers.calls.android
import clientbase.importers.calls.mango  # noqa: F401
from clientbase.errors import InputFileError, UsageError
from clientbase.importers import calls
from clientbase.importers.calls import (
    CallLogError,
    CallRecord,
    detect_call_log,
    read_call_log,
)

FIXTURES = Path(__file__).parent / "fixtures" / "calls"


@pytest.fixture(autouse=True)
def moscow_time(monkeypatch: pytest.MonkeyPatch):
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset (POSIX) to set the local zone")
    monkeypatch.setenv("TZ", "MSK-3")  # POSIX form: no tz database needed
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def read(name: str | Path, fmt: str | None = None, **options) -> list[CallRecord | CallLogError]:
    path = name if isinstance(name, Path) else FIXTURES / name
    if fmt is None:
        fmt = detect_call_log(path, path.read_bytes()[:65536])
        assert fmt is not None, f"{path.name} not recognised"
    return list(read_call_log(path, fmt, **options))


def split(items: list) -> tuple[list[CallRecord], list[CallLogError]]:
    records = [i for i in items if isinstance(i, CallRecord)]
    errors = [i for i in items if isinstance(i, CallLogError)]
    assert len(records) + len(errors) == len(items)
    return records, errors


def summary(r: CallRecord) -> tuple:
    return (r.row, r.started_at, r.direction, r.outcome, r.duration_s, r.number, r.contact_name)


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_fixtures_are_reproducible(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_call_fixtures", FIXTURES / "make_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.FIXTURES.items():
        assert (FIXTURES / name).read_bytes() == make(), f"{name} differs from make_fixtures.py"


# --- Android: SMS Backup & Restore ---------------------------------------------------------


def test_android_backup() -> None:
    records, errors = split(read("android_calls.xml"))
    assert [summary(r) for r in records] == [
        (5, dt("2024-03-05 14:03:22"), "in", "answered", 65, "+79161234567", "Ирина Соколова"),
        (6, dt("2024-03-05 15:10:00"), "out", "failed", 0, "89035551234", None),
        (7, dt("2024-03-05 15:30:45"), "out", "answered", 125, "89035551234", None),
        (8, dt("2024-03-06 09:00:05"), "in", "missed", 0, "", None),
        # line 9 repeats line 5 (an archive backup): yielded once
        (10, dt("2024-03-06 11:47:30"), "in", "rejected", 0, "+77011234567", "Маша 😀"),
        (11, dt("2024-03-06 18:20:00"), "in", "voicemail", 0, "84951112233", None),
        (13, dt("2024-03-07 08:15:00"), "in", "blocked", 0, "+375291234567", None),
        (14, dt("2024-03-07 12:00:00"), "in", "answered", 40, "+79169876543", "Пётр"),
        (15, dt("2024-03-07 19:45:10"), "in", "missed", 0, "", None),
    ]
    assert {r.source for r in records} == {"android"}
    assert {r.call_id for r in records} == {None}
    assert [r.region for r in records[:5]] == ["RU", None, None, None, "KZ"]
    # raw keeps every attribute as written, readable_date included (even though it is ignored)
    assert records[0].raw["readable_date"] == "5 мар. 2024 г. 14:03:22"
    assert records[0].raw["countryiso"] == "ru"
    assert records[3].raw["presentation"] == "2"
    assert len(errors) == 1
    assert (errors[0].row, errors[0].message) == (12, "not a timestamp: 'вчера'")
    assert errors[0].raw["contact_name"] == "Сосед"
    assert str(errors[0]) == "row 12: not a timestamp: 'вчера'"


def test_android_backup_on_one_line() -> None:
    records, errors = split(read("android_oneline.xml"))
    assert not errors
    assert [summary(r) for r in records] == [
        (1, dt("2024-03-05 14:03:22"), "in", "answered", 65, "+79161234567", "Ирина Соколова"),
        (1, dt("2024-03-05 15:30:45"), "out", "answered", 125, "89035551234", None),
    ]


def test_android_read_in_tiny_chunks_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunk boundaries fall inside tags, multi-byte letters and the surrogate-pair references.
    expected = read("android_calls.xml")
    for size in (1, 5, 7, 13):
        monkeypatch.setattr(calls.android, "_XML_CHUNK", size)
        got = read("android_calls.xml")
        assert [summary(r) if isinstance(r, CallRecord) else r.row for r in got] == [
            summary(r) if isinstance(r, CallRecord) else r.row for r in expected
        ]


def test_android_backup_cut_short(tmp_path: Path) -> None:
    data = (FIXTURES / "android_calls.xml").read_bytes()
    cut = data.index(b"<call", data.index(b'type="4"') - 200)  # in the middle of line 11
    path = tmp_path / "calls-cut.xml"
    path.write_bytes(data[: cut + 30])
    records, errors = split(read(path, "android"))
    assert [r.row for r in records] == [5, 6, 7, 8, 10]
    assert len(errors) == 1
    assert errors[0].row == 11
    assert "cut short" in errors[0].message


def test_xml_that_is_not_a_call_log(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.xml", "<?xml version='1.0'?><contacts><c n='1'/></contacts>")
    assert detect_call_log(path, path.read_bytes()) is None
    with pytest.raises(InputFileError, match="root element is <contacts>"):
        read(path, "android")
    garbage = write(tmp_path, "garbage.xml", "<calls count='1'><call number='1' <<<")
    with pytest.raises(InputFileError, match="not readable as XML"):
        read(garbage, "android")


def test_xml_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bomb.xml",
        '<?xml version="1.0"?><!DOCTYPE calls [<!ENTITY a "aaaaaaaaaa">]>'
        '<calls count="1"><call number="&a;" duration="0" date="1709636602000" type="1"/></calls>',
    )
    with pytest.raises(InputFileError, match="entities"):
        read(path, "android")


def test_xml_in_another_encoding(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<calls count="1">\n<call number="+79161234567" duration="5" '
        'date="1709636602000" type="1" contact_name="Ирина" />\n</calls>\n'
    )
    path = write(tmp_path, "calls.xml", text, encoding="cp1251")  # and no encoding= says so
    with pytest.raises(InputFileError, match="not readable as XML") as info:
        read(path, "android")
    assert "--encoding" in info.value.hint
    [record] = read(path, "android", encoding="cp1251")
    assert (record.row, record.contact_name) == (3, "Ирина")
    declared = write(tmp_path, "utf16.xml", text.replace("?>", ' encoding="UTF-16"?>'), "utf-16")
    assert detect_call_log(declared, declared.read_bytes()) == "android"
    assert [r.contact_name for r in read(declared)] == ["Ирина"]


def test_backup_times_stay_the_phone_s_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read on a machine in UTC: readable_date says what the phone showed (Moscow, 14:03:22),
    # and that is the time kept, not the machine's 11:03:22.
    monkeypatch.setenv("TZ", "UTC0")
    time.tzset()
    records, _ = split(read("android_oneline.xml"))
    assert records[0].started_at == dt("2024-03-05 14:03:22")


@pytest.mark.parametrize(
    ("readable", "expected"),
    [
        ("Mar 5, 2024 1:14:05 PM", "2024-03-05 13:14:05"),  # New York, UTC-5 (en-US locale)
        ("05.03.2024 13:14:05", "2024-03-05 13:14:05"),
        ("2024/03/05 午後1:14:05", "2024-03-05 13:14:05"),
        ("5 мар. 2024 г. 23:44:05", "2024-03-05 23:44:05"),  # India, UTC+5:30
        ("", "2024-03-05 18:14:05"),  # no clock: the machine's zone (UTC here)
        ("вчера", "2024-03-05 18:14:05"),
    ],
)
def test_readable_date_gives_the_phone_s_zone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, readable: str, expected: str
) -> None:
    monkeypatch.setenv("TZ", "UTC0")
    time.tzset()
    epoch = "1709662445000"  # 2024-03-05 18:14:05 UTC
    path = write(
        tmp_path,
        "calls.xml",
        f'<?xml version="1.0"?>\n<calls count="1">\n<call number="+12125550123" duration="5" '
        f'date="{epoch}" type="1" readable_date="{readable}" /></calls>\n',
    )
    records, errors = split(read(path))
    assert not errors
    assert records[0].started_at == dt(expected)


# --- OPPO --------------------------------------------------------------------------------------


def test_oppo_call_log() -> None:
    records, errors = split(read("oppo_calllog.xml"))
    assert not errors
    assert [summary(r) for r in records] == [
        (1, dt("2024-03-05 14:03:22"), "in", "answered", 42, "+79261112233", "Сантехник Олег"),
        (1, dt("2024-03-05 15:10:00"), "out", "failed", 0, "+79261112233", "Сантехник Олег"),
        (1, dt("2024-03-06 09:00:05"), "in", "missed", 0, "89857770011", None),
    ]
    assert {r.source for r in records} == {"oppo"}


# --- Asterisk ----------------------------------------------------------------------------------


def test_asterisk_master_csv() -> None:
    records, errors = split(read("asterisk_Master.csv"))
    by_row = {r.row: r for r in records}
    assert [summary(by_row[row]) for row in sorted(by_row)] == [
        # three legs (rows 1, 3, 4) of one call: ring group, answered by 102, transferred to 103
        (1, dt("2024-03-05 14:03:22"), "in", "answered", 210, "79161234567", None),
        (2, dt("2024-03-05 14:04:00"), "in", "busy", 0, "74957654321", None),
        (5, dt("2024-03-05 15:10:00"), "out", "answered", 126, "89035551234", None),
        (7, dt("2024-03-05 15:30:45"), "out", "failed", 0, "89261234567", None),
        # extension to extension: the other party is the dialled extension
        (8, dt("2024-03-06 09:00:05"), "out", "answered", 30, "102", None),
        # hidden caller
        (9, dt("2024-03-06 11:47:30"), "in", "missed", 0, "", None),
    ]
    assert by_row[1].call_id == "1709636602.10"
    assert by_row[5].call_id == "1709640600.16"
    assert {r.source for r in records} == {"asterisk"}
    # the first leg's columns by name, the other legs as their lines: nothing is lost
    assert by_row[1].raw["dcontext"] == "from-trunk"
    assert by_row[1].raw["linkedid"] == "1709636602.10"
    assert ",1709636602.12," in by_row[1].raw["row 3"]
    assert ",1709636730.14," in by_row[1].raw["row 4"]
    # the invalid byte in the caller name is replaced, the call is read
    assert by_row[5].raw["clid"] == '"Менеджер \ufffd Ольга" <101>'
    assert [(e.row, e.message) for e in errors] == [
        (6, "not an Asterisk CDR row: no start time followed by a disposition")
    ]
    assert errors[0].raw["column 2"] == "79160001122"


def test_asterisk_cdr_custom_layout() -> None:
    records, errors = split(read("asterisk_custom_Master.csv"))
    assert not errors
    assert [summary(r) for r in records] == [
        (1, dt("2024-03-07 12:00:00"), "in", "answered", 100, "79161234567", None),
        (2, dt("2024-03-07 19:45:10"), "out", "failed", 0, "84951112233", None),
    ]
    assert [r.call_id for r in records] == ["1709802000.30", "1709829910.32"]
    assert records[0].raw["clid"] == '"Клиент" <79161234567>'


def cdr_line(
    src: str, dst: str, ctx: str, start: str, end: str, billsec: int, disp: str, uid: str, lid: str
) -> str:
    """A 21-field cdr_csv row (newcdrcolumns): ..., uniqueid, userfield, peeraccount, linkedid."""
    answer = start if billsec else ""
    fields = ["", src, dst, ctx, f"<{src}>", "SIP/a-1", "SIP/b-2", "Dial", "SIP/b", start, answer]
    quoted = ",".join(f'"{f}"' for f in [*fields, end])
    return f'{quoted},{billsec + 5},{billsec},"{disp}","DOCUMENTATION","{uid}","","","{lid}",1'


def test_asterisk_groups_interleaved_legs_but_not_legs_hours_apart(tmp_path: Path) -> None:
    lines = [
        cdr_line("79161234567", "101", "from-trunk", "2024-03-05 10:00:00", "2024-03-05 10:00:20",
                 0, "NO ANSWER", "1.1", "1709622000.1"),
        cdr_line("79037654321", "101", "from-trunk", "2024-03-05 10:00:10", "2024-03-05 10:00:40",
                 25, "ANSWERED", "1709622010.3", "1709622010.3"),
        cdr_line("79161234567", "102", "from-trunk", "2024-03-05 10:00:00", "2024-03-05 10:01:00",
                 50, "ANSWERED", "1709622000.2", "1709622000.1"),
    ]  # fmt: skip
    # Ten hours of other calls, then a straggler leg with the first call's linkedid.
    for h in range(11, 21):
        lines.append(
            cdr_line("79260000000", "103", "from-trunk", f"2024-03-05 {h}:00:00",
                     f"2024-03-05 {h}:00:30", 20, "ANSWERED", f"17096{h}000.9", f"17096{h}000.9")
        )  # fmt: skip
    lines.append(
        cdr_line("79161234567", "104", "from-trunk", "2024-03-05 20:30:00", "2024-03-05 20:30:09",
                 0, "BUSY", "1709659800.7", "1709622000.1")
    )  # fmt: skip
    path = write(tmp_path, "Master.csv", "\n".join(lines) + "\n")
    assert detect_call_log(path, path.read_bytes()) == "asterisk"
    records, errors = split(read(path, "asterisk"))
    assert not errors
    first = [r for r in records if r.call_id == "1709622000.1"]
    assert [(r.row, r.outcome, r.duration_s) for r in first] == [
        (1, "answered", 50),
        (14, "busy", 0),
    ]
    assert len(records) == 1 + 1 + 10 + 1
    # The first call is yielded once the file has moved on by the window (6 hours), not at the
    # end: memory stays bounded on a year-long Master.csv.
    at_18 = next(i for i, r in enumerate(records) if r.started_at == dt("2024-03-05 18:00:00"))
    assert records.index(first[0]) < at_18


# --- Sipuni ------------------------------------------------------------------------------------


def test_sipuni_cp1251() -> None:
    records, errors = split(read("sipuni_cp1251.csv"))
    assert not errors
    assert [summary(r) for r in records] == [
        (2, dt("2024-03-05 10:15:07"), "in", "answered", 87, "79161234567", None),
        (3, dt("2024-03-05 10:20:41"), "in", "missed", 0, "79031112233", None),
        (4, dt("2024-03-05 11:02:13"), "out", "answered", 51, "89261234567", None),
        (5, dt("2024-03-05 11:30:00"), "out", "failed", 0, "+7 (926) 765-43-21", None),
    ]
    assert {r.source for r in records} == {"sipuni"}
    assert records[0].raw["Кто ответил"] == "201 Анна"
    assert records[1].raw["Состояние перезвона"] == "не перезвонили"


# --- Mango Office ------------------------------------------------------------------------------


def test_mango_stats() -> None:
    records, errors = split(read("mango_stats.csv"))
    assert [summary(r) for r in records] == [
        (1, dt("2024-03-05 14:03:22"), "in", "answered", 117, "79161234567", None),
        (2, dt("2024-03-05 15:10:00"), "in", "missed", 0, "79035551234", None),
        (3, dt("2024-03-05 15:30:45"), "out", "answered", 90, "89261234567", None),
        (5, dt("2024-03-06 11:47:30"), "out", "failed", 0, "89167654321", None),
        # internal: 101 -> 102, the other party is the extension
        (6, dt("2024-03-06 18:20:00"), "out", "answered", 55, "102", None),
    ]
    assert records[0].call_id == "MToxMDA2NjE2NzM6MjM1NjQ4ODk1Mg=="
    assert records[0].raw["to_extension"] == "101"
    assert [(e.row, e.message) for e in errors] == [(4, "not a timestamp: '17096x'")]


def test_mango_with_a_header_line(tmp_path: Path) -> None:
    data = (FIXTURES / "mango_stats.csv").read_text(encoding="utf-8")
    header = ";".join(calls.mango._MANGO_FIELDS)
    path = write(tmp_path, "stats.csv", header + "\n" + data)
    assert detect_call_log(path, path.read_bytes()) == "mango"
    records, _ = split(read(path, "mango"))
    assert [r.row for r in records] == [2, 3, 4, 6, 7]


# --- generic call CSV --------------------------------------------------------------------------


def test_russian_call_journal() -> None:
    records, errors = split(read("calls_ru.csv"))
    assert [summary(r) for r in records] == [
        (3, dt("2024-03-05 09:12"), "in", "answered", 135, "+7 916 123-45-67", "Ирина Соколова"),
        (4, dt("2024-03-05 09:40"), "out", "failed", 0, "8 (903) 555-12-34", None),
        (5, dt("2024-03-05 10:05"), "in", "missed", 0, "", None),  # "Скрытый номер"
        (7, dt("2024-03-06 12:30"), "out", "answered", 3930, "+7 926 111-22-33", "Олег"),
        (9, dt("2024-03-06 14:45"), "in", "busy", 45, "+7 985 777-00-11", None),
    ]
    assert {r.source for r in records} == {"calls-csv"}
    assert records[0].raw == {
        "Дата": "05.03.2024",
        "Время": "09:12",
        "Направление": "Входящий",
        "Номер": "+7 916 123-45-67",
        "Имя": "Ирина Соколова",
        "Длительность": "02:15",
        "Статус": "Принят",
    }
    # the title line and "Итого" are not calls; the two bad rows are reported, not dropped
    assert [(e.row, e.message) for e in errors] == [
        (6, "bad date/time '31.02.2024 11:00': day out of range"),
        (8, "no phone number"),
    ]


def test_uis_report() -> None:
    records, errors = split(read("calls_uis.csv"))
    assert not errors
    assert [(*summary(r), r.call_id) for r in records] == [
        (2, dt("2024-03-05 09:12:44"), "in", "answered", 128, "79161234567", None, "3215546781"),
        (3, dt("2024-03-05 09:20:11"), "in", "missed", 0, "79031112233", None, "3215546799"),
        (4, dt("2024-03-05 10:01:05"), "out", "answered", 117, "79261234567", None, "3215547012"),
        (5, dt("2024-03-05 10:30:00"), "out", "failed", 0, "79267654321", None, "3215547100"),
    ]


def test_zadarma_direction_from_the_extension_side() -> None:
    # No direction column: the side that is a short extension tells which way the call went.
    records, errors = split(read("calls_zadarma.csv"))
    assert not errors
    assert [summary(r) for r in records] == [
        (2, dt("2024-03-05 14:03:22"), "in", "answered", 65, "+79161234567", None),
        (3, dt("2024-03-05 15:10:00"), "out", "failed", 0, "79035551234", None),
        (4, dt("2024-03-05 15:30:45"), "out", "busy", 0, "79261234567", None),
    ]
    assert [r.call_id for r in records] == ["1709636602.1234", "1709640600.1250", "1709641845.1261"]


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("125", 125), ("125,0", 125), ("02:05", 125), ("1:02:05", 3725), ("2 мин 5 сек", 125),
     ("", None), ("долго", None)],
)  # fmt: skip
def test_duration_forms(tmp_path: Path, duration: str, seconds: int | None) -> None:
    path = write(
        tmp_path,
        "calls.csv",
        "Дата и время;Тип звонка;Телефон;Длительность разговора\n"
        f"05.03.2024 09:12:44;исходящий;+79161234567;{duration}\n",
    )
    [record] = read(path, "calls-csv")
    assert record.duration_s == seconds
    # no status column: the talk time decides; an unreadable duration counts as none
    assert record.outcome == ("answered" if seconds else "failed")


def test_status_words_and_direction_inference(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "log.csv",
        "Time,From,To,Disposition,Duration\n"
        "2024-03-05 09:00:00,79161234567,101,ANSWERED,30\n"
        "2024-03-05 09:05:00,102,89261234567,NO ANSWER,0\n"
        "2024-03-05 09:10:00,anonymous,101,NO ANSWER,0\n"
        "2024-03-05 09:15:00,101,102,ANSWERED,12\n"
        "2024-03-05 09:20:00,79161234567,79267654321,ANSWERED,12\n"
        "2024-03-05 09:25:00,103,84951112233,FAILED,0\n",
    )
    records, errors = split(read(path))
    assert [(r.row, r.direction, r.outcome, r.number) for r in records] == [
        (2, "in", "answered", "79161234567"),
        (3, "out", "failed", "89261234567"),
        (4, "in", "missed", ""),
        (5, "out", "answered", "102"),
        (7, "out", "failed", "84951112233"),
    ]
    assert [e.row for e in errors] == [6]
    assert "cannot tell incoming from outgoing" in errors[0].message


def test_phone_export_with_missed_as_a_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "calls.csv",
        "Date,Type,Number,Name,Duration\n"
        "2024-03-05 09:00:00,INCOMING,+79161234567,Irina,30\n"
        "2024-03-05 09:05:00,MISSED,+79161234567,Irina,0\n"
        "2024-03-05 09:06:00,Входящий пропущенный,+79161234567,(Unknown),0\n"
        "2024-03-05 09:10:00,REJECTED,+79031112233,,0\n",
    )
    records, _ = split(read(path))
    assert [(r.direction, r.outcome, r.contact_name) for r in records] == [
        ("in", "answered", "Irina"),
        ("in", "missed", "Irina"),
        ("in", "missed", None),
        ("in", "rejected", None),
    ]


def test_column_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "odd.csv",
        "Когда;Кто;Кому звонили;Итог;Разговор\n"
        "05.03.2024 09:00;101;+7 916 123-45-67;взял трубку;01:00\n"
        "05.03.2024 09:30;101;+7 926 765-43-21;;00:00\n",
    )
    assert detect_call_log(path, path.read_bytes()) is None  # nothing it recognises
    overrides = {"Когда": "time", "Кто": "from", "Кому звонили": "to", "Разговор": "duration"}
    records, errors = split(read(path, "calls-csv", columns=overrides))
    assert not errors
    assert [(r.direction, r.outcome, r.duration_s, r.number) for r in records] == [
        ("out", "answered", 60, "+7 916 123-45-67"),
        ("out", "failed", 0, "+7 926 765-43-21"),
    ]
    with pytest.raises(UsageError, match="unknown field 'when'"):
        read(path, "calls-csv", columns={"Когда": "when"})
    with pytest.raises(UsageError, match="mapped columns"):
        read(path, "calls-csv", columns={"Дата": "time"})
    with pytest.raises(InputFileError, match="no header"):
        read(path, "calls-csv")


def test_bad_options() -> None:
    with pytest.raises(UsageError, match="unknown call log format"):
        read_call_log(FIXTURES / "mango_stats.csv", "excel")
    with pytest.raises(UsageError, match="does not apply"):
        read_call_log(FIXTURES / "mango_stats.csv", "mango", columns={"x": "time"})
    with pytest.raises(UsageError, match="one character"):
        read_call_log(FIXTURES / "calls_ru.csv", "calls-csv", delimiter=";;")


def test_explicit_encoding_and_delimiter() -> None:
    records, _ = split(read("sipuni_cp1251.csv", "sipuni", encoding="cp1251", delimiter=";"))
    assert len(records) == 4
    wrong, _ = split(read("sipuni_cp1251.csv", "mango", encoding="utf-8"))
    assert wrong == []  # not Mango rows: all rejected, nothing made up


# --- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("android_calls.xml", "android"),
        ("android_oneline.xml", "android"),
        ("oppo_calllog.xml", "oppo"),
        ("asterisk_Master.csv", "asterisk"),
        ("asterisk_custom_Master.csv", "asterisk"),
        ("sipuni_cp1251.csv", "sipuni"),
        ("mango_stats.csv", "mango"),
        ("calls_ru.csv", "calls-csv"),
        ("calls_uis.csv", "calls-csv"),
        ("calls_zadarma.csv", "calls-csv"),
        ("contacts_cp1251.csv", None),  # ФИО;Телефон;E-mail
        ("leads.csv", None),  # Дата;Имя;Телефон;Статус with "новый", "в работе"
    ],
)
def test_detect(name: str, fmt: str | None) -> None:
    path = FIXTURES / name
    assert detect_call_log(path, path.read_bytes()) == fmt


def test_detect_on_a_cut_sample() -> None:
    # The pipeline passes the first bytes only: a sample ending mid-line (and mid-letter).
    for name, fmt in [("android_calls.xml", "android"), ("asterisk_Master.csv", "asterisk"),
                      ("calls_ru.csv", "calls-csv"), ("mango_stats.csv", "mango")]:  # fmt: skip
        path = FIXTURES / name
        data = path.read_bytes()
        assert detect_call_log(path, data[: len(data) // 2 + 1]) == fmt, name


def test_detect_rejects_other_files(tmp_path: Path) -> None:
    vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ирина\r\nTEL:+79161234567\r\nEND:VCARD\r\n".encode()
    assert detect_call_log(tmp_path / "a.vcf", vcard) is None
    assert detect_call_log(tmp_path / "a.csv", b"") is None
    assert detect_call_log(tmp_path / "a.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)) is None
    contacts = "Имя;Телефон;Тип\nИрина;+79161234567;Instagram\nОлег;+79261112233;Instagram\n"
    assert detect_call_log(tmp_path / "b.csv", contacts.encode()) is None
