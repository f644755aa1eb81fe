"""`clientbase export audience` and `clientbase exports list`: a file per platform, consent,
sizes, splitting, diffs, the log, formula escaping and errors."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from conftest import EXAMPLES, write
from sqlalchemy import insert, select

from clientbase.db.models import export_members, exports, suppressions


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


# 1 and 2 granted (mobiles and emails), 3 granted with a Moscow landline, 4 withdrew, 5 never
# said, 6 granted with a landline only, 7 a company whose name is a spreadsheet formula.
SMALL = (
    "ФИО;Телефон;E-mail;Компания;Город;Согласие на рассылку\n"
    "Иванов Иван;+7 999 555-11-11;mail@yandex.ru;;Москва;да\n"
    "Петрова Мария;8 916 123-45-67;Maria.Petrova+shop@gmail.com;;Казань;да\n"
    "Сидоров Сергей;8 (495) 123-45-67;sidorov@mail.ru;;Казань;да\n"
    "Козлова Анна;8 903 111-22-33;;;Казань;нет\n"
    "Новиков Олег;8 905 222-33-44;novikov@mail.ru;;;\n"
    "Зайцев Денис;8 (495) 765-43-21;;;;да\n"
    ';8 906 333-44-55;;=HYPERLINK("http://x");;да\n'
)


@pytest.fixture
def small(cli, tmp_path):
    cli("import", write(tmp_path / "small.csv", SMALL))
    return cli


def export(cli, *args, expect=0):
    """An export that may replace the file of an earlier one (the tests re-export to one name)."""
    return cli.json("export", "audience", *args, "--force", expect=expect)


def test_yandex_file_bytes_and_consent(small, tmp_path):
    out = tmp_path / "y.csv"
    r = small("export", "audience", "--platform", "yandex", "--out", out)
    assert (
        out.read_bytes()
        == (
            "phone,email\n"
            f"{sha('79995551111')},{sha('mail@yandex.ru')}\n"
            f"{sha('79161234567')},{sha('maria.petrova+shop@gmail.com')}\n"
            f",{sha('sidorov@mail.ru')}\n"
            f"{sha('79063334455')},\n"
        ).encode()
    )
    assert "4 rows are below the minimum of 100 for Yandex Audiences" in r.stderr  # exit 0
    s = export(small, "--platform", "yandex", "--out", out, "--min-size", "4")
    assert (s["selected"], s["exported"], s["rows"]) == (7, 4, 4)
    assert s["left_out"] == {"withdrawn": 1, "unknown_consent": 1, "non_mobile": 1}
    assert s["dropped"] == {"withdrawn": 1, "unknown_consent": 2, "non_mobile": 2}
    assert (s["share_mobile"], s["share_email"]) == (0.75, 0.75)
    assert s["warnings"] == []
    assert s["files"][0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    # Unknown consent only when asked for; withdrawn never.
    s = export(small, "--platform", "yandex", "--out", out, "--include-unknown-consent")
    assert s["left_out"] == {"withdrawn": 1, "non_mobile": 1}
    text = out.read_text()
    assert sha("79052223344") in text and sha("novikov@mail.ru") in text
    assert sha("79031112233") not in text


def test_a_file_per_platform_from_the_small_base(small, tmp_path):
    g = tmp_path / "g.csv"
    export(small, "--platform", "google", "--out", g)
    assert g.read_text().splitlines() == [
        "Email,Phone,First Name,Last Name,Country,Zip",
        f"{sha('mail@yandex.ru')},{sha('+79995551111')},{sha('иван')},{sha('иванов')},RU,",
        f"{sha('mariapetrova@gmail.com')},{sha('+79161234567')},{sha('мария')},{sha('петрова')},RU,",
        f"{sha('sidorov@mail.ru')},,{sha('сергей')},{sha('сидоров')},RU,",
        f",{sha('+79063334455')},,,RU,",
    ]
    m = tmp_path / "m.csv"
    s = export(small, "--platform", "meta", "--out", m)
    assert m.read_text().splitlines()[:2] == [
        "email,phone,fn,ln,zip,country",
        f"{sha('mail@yandex.ru')},{sha('79995551111')},{sha('ivan')},{sha('ivanov')},,{sha('ru')}",
    ]
    assert (
        "6 Cyrillic names transliterated to Latin: Meta keeps only the letters a-z and "
        "would drop them" in s["notes"]
    )
    v = tmp_path / "v.csv"
    s = export(small, "--platform", "vk", "--out", v)
    assert [f["path"] for f in s["files"]] == [str(tmp_path / "v-phone.csv"),
                                               str(tmp_path / "v-email.csv")]  # fmt: skip
    assert (tmp_path / "v-phone.csv").read_text() == (
        f"id\n{md5('79995551111')}\n{md5('79161234567')}\n{md5('79063334455')}\n"
    )
    assert (tmp_path / "v-email.csv").read_text() == (
        f"id\n{md5('mail@yandex.ru')}\n{md5('maria.petrova+shop@gmail.com')}\n"
        f"{md5('sidorov@mail.ru')}\n"
    )
    assert sum("below the minimum of 2,000" in w for w in s["warnings"]) == 2
    t = tmp_path / "t.csv"
    export(small, "--platform", "tiktok", "--out", t)
    assert t.read_text().splitlines()[:2] == [
        "Phone_SHA256,Email_SHA256", f"{sha('79995551111')},{sha('mail@yandex.ru')}",
    ]  # fmt: skip
    export(small, "--platform", "tiktok", "--out", t, "--hash", "none")
    assert t.read_text().splitlines()[:2] == ["Phone,Email", "79995551111,mail@yandex.ru"]
    c = tmp_path / "c.csv"
    s = export(small, "--platform", "csv", "--out", c)
    assert c.read_bytes().decode() == (
        "name,phone,email\n"
        "Иванов Иван,79995551111,mail@yandex.ru\n"
        "Петрова Мария,79161234567,maria.petrova+shop@gmail.com\n"
        "Сидоров Сергей,74951234567,sidorov@mail.ru\n"  # a landline is fine for a plain list
        "Зайцев Денис,74957654321,\n"
        '"\'=HYPERLINK(""http://x"")",79063334455,\n'
    )
    assert s["hash"] == "none" and s["left_out"] == {"withdrawn": 1, "unknown_consent": 1}
    assert (
        "1 value starting with = + - @ prefixed with ' so a spreadsheet does not run them "
        "as formulas" in s["notes"]
    )


def test_xlsx_is_escaped_and_all_text(small, tmp_path):
    from openpyxl import load_workbook

    x = tmp_path / "list.xlsx"
    export(small, "--platform", "xlsx", "--out", x, "--set", "phone_format=e164")
    ws = load_workbook(x).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["name", "phone", "email"]
    assert rows[1] == ["Иванов Иван", "'+79995551111", "mail@yandex.ru"]
    assert rows[-1] == ['\'=HYPERLINK("http://x")', "'+79063334455", None]
    assert {c.data_type for r in ws.iter_rows() for c in r if c.value is not None} == {"s"}


def test_overrides_delimiter_encoding_and_hash(small, tmp_path):
    out = tmp_path / "c.csv"
    export(small, "--platform", "csv", "--out", out, "--set", "delimiter=;",
           "--set", "encoding=cp1251", "--set", "columns=name,phone")  # fmt: skip
    assert out.read_bytes().splitlines()[:2] == [
        b"name;phone", "Иванов Иван;79995551111".encode("cp1251"),
    ]  # fmt: skip
    s = export(small, "--platform", "yandex", "--out", out, "--hash", "none")
    assert out.read_text().splitlines()[1] == "79995551111,mail@yandex.ru"
    assert s["hash"] == "none"


def test_consent_per_identifier_and_suppression(small, tmp_path):
    out = tmp_path / "c.csv"
    # Петрова stops the email newsletter: her address leaves the upload, her phone stays.
    small("consent", "set", "2", "withdrawn", "--channel", "email")
    # Иванов withdraws ads consent for his address: he is out altogether, phone included.
    small("consent", "set", "1", "withdrawn", "--channel", "ads", "--value", "mail@yandex.ru")
    with small.engine().begin() as conn:
        conn.execute(
            insert(suppressions),
            [{"kind": "phone", "value": "+79063334455", "channel": "ads", "at": _now(),
              "source": "stop list"},
             {"kind": "email", "value": "sidorov@mail.ru", "channel": "email", "at": _now(),
              "source": "stop list"}],
        )  # fmt: skip
    s = export(small, "--platform", "csv", "--out", out, "--include-unknown-consent")
    assert out.read_text().splitlines() == [
        "name,phone,email",
        "Петрова Мария,79161234567,",
        "Сидоров Сергей,74951234567,",
        "Новиков Олег,79052223344,novikov@mail.ru",
        "Зайцев Денис,74957654321,",
    ]
    assert s["left_out"] == {"withdrawn": 2, "suppressed": 1}
    assert s["dropped"] == {"withdrawn": 4, "suppressed": 2}
    # For Yandex, Сидоров has nothing left: a suppressed address and a landline.
    s = export(small, "--platform", "yandex", "--out", out, "--min-size", "0")
    assert s["left_out"] == {"withdrawn": 2, "suppressed": 2, "unknown_consent": 1,
                             "non_mobile": 1}  # fmt: skip
    assert out.read_text().splitlines() == ["phone,email", f"{sha('79161234567')},"]


def test_a_plain_list_asks_the_identifiers_own_channel(small, tmp_path):
    out = tmp_path / "c.csv"
    small("consent", "set", "5", "granted", "--channel", "sms")  # Новиков: SMS yes, ads unknown
    export(small, "--platform", "csv", "--out", out, "--set", "columns=phone,email")
    assert "79052223344," in out.read_text().splitlines()  # his email's consent is unknown
    s = export(small, "--platform", "yandex", "--out", out)
    assert s["left_out"]["unknown_consent"] == 1 and sha("79052223344") not in out.read_text()
    # An ads refusal keeps him off a mailing list too.
    small("consent", "set", "5", "withdrawn", "--channel", "ads")
    s = export(small, "--platform", "csv", "--out", out)
    assert "79052223344" not in out.read_text() and s["left_out"]["withdrawn"] == 2


def test_no_to_mailings_on_the_card_is_never_overridden_by_an_ads_grant(small, tmp_path):
    # Козлова said "нет" to mailings on the card; later an ads consent was recorded. Her phone's
    # SMS and calls channels have no events of their own, so the card's "no" holds for them: she
    # is on no mailing list (not even with --include-unknown-consent) and no ad upload.
    small("consent", "set", "4", "granted", "--channel", "ads")
    out = tmp_path / "c.csv"
    s = export(small, "--platform", "csv", "--out", out, "--include-unknown-consent")
    assert "79031112233" not in out.read_text()
    assert s["left_out"]["withdrawn"] == 1 and "unknown_consent" not in s["left_out"]
    export(small, "--platform", "yandex", "--out", out, "--include-unknown-consent")
    assert sha("79031112233") not in out.read_text()
    export(small, "--platform", "xlsx", "--out", tmp_path / "c.xlsx", "--include-unknown-consent")
    from openpyxl import load_workbook

    cells = {c.value for row in load_workbook(tmp_path / "c.xlsx").active.rows for c in row}
    assert "79031112233" not in cells and "79161234567" in cells


def _now():
    from datetime import datetime

    return datetime.now()


def test_split_size_names_every_part(small, tmp_path):
    out = tmp_path / "list.csv"
    s = export(small, "--platform", "csv", "--out", out, "--include-unknown-consent",
               "--split-size", "2")  # fmt: skip
    assert [f["path"] for f in s["files"]] == [
        str(tmp_path / f"list-part{i}.csv") for i in (1, 2, 3)
    ]
    assert [f["rows"] for f in s["files"]] == [2, 2, 2]
    assert not out.exists()
    for f in s["files"]:
        with open(f["path"], "rb") as fh:
            data = fh.read()
        assert data.startswith(b"name,phone,email\n")
        assert hashlib.sha256(data).hexdigest() == f["sha256"]


def test_diff_since_last(small, tmp_path):
    out = tmp_path / "y.csv"
    first = export(small, "--platform", "yandex", "--out", out)
    small("consent", "set", "1", "withdrawn", "--channel", "ads")
    small("contacts", "forget", "7", "--yes")
    small("import", write(tmp_path / "new.csv", "ФИО;Телефон;E-mail;Согласие на рассылку\n"
                          "Орлов Павел;8 910 777-88-99;orlov@mail.ru;да\n"))  # fmt: skip
    s = export(small, "--platform", "yandex", "--out", out, "--diff-since", "last")
    assert s["diff"] == {
        "since": first["export_id"], "added": 1, "added_rows": 1, "removed": 2,
        "removed_rows": 1, "removed_no_longer_in_base": 1,
    }  # fmt: skip
    assert (tmp_path / "y-added.csv").read_text() == (
        f"phone,email\n{sha('79107778899')},{sha('orlov@mail.ru')}\n"
    )
    # Taking someone out is what a withdrawal asks for: his identifiers go in the removal file.
    assert (tmp_path / "y-removed.csv").read_text() == (
        f"phone,email\n{sha('79995551111')},{sha('mail@yandex.ru')}\n"
    )
    assert s["exported"] == 3 and s["warnings"] == []
    # Nothing changed since: an empty diff against the export just made.
    again = export(small, "--platform", "yandex", "--out", out, "--diff-since", "last")
    assert again["diff"]["since"] == s["export_id"]
    assert (again["diff"]["added"], again["diff"]["removed"]) == (0, 0)
    # Another platform has no history yet: everyone is an addition.
    g = export(small, "--platform", "google", "--out", tmp_path / "g.csv", "--diff-since", "last")
    assert g["diff"]["since"] is None and g["diff"]["added"] == 3
    assert any("no earlier export" in w for w in g["warnings"])
    assert (
        "there is no export 99"
        in small(
            "export",
            "audience",
            "-p",
            "yandex",
            "-o",
            out,
            "--diff-since",
            "99",
            "--force",
            expect=1,
        ).stderr
    )


def test_exports_list_and_log_hold_no_personal_data(small, tmp_path):
    export(small, "--platform", "yandex", "--out", tmp_path / "y.csv")
    export(small, "--platform", "csv", "--out", tmp_path / "c.csv", "--include-unknown-consent")
    export(small, "--platform", "vk", "--out", tmp_path / "v.csv")
    rows = small.json("exports", "list")
    assert [(r["id"], r["platform"], r["exported"], r["rows"]) for r in rows] == [
        (3, "vk", 4, 6), (2, "csv", 6, 6), (1, "yandex", 4, 4),
    ]  # fmt: skip
    assert rows[0]["files"] == [str(tmp_path / "v-phone.csv"), str(tmp_path / "v-email.csv")]
    assert rows[1]["sha256"] == hashlib.sha256((tmp_path / "c.csv").read_bytes()).hexdigest()
    assert rows[2]["left_out_by_reason"] == {"withdrawn": 1, "unknown_consent": 1, "non_mobile": 1}
    with small.engine().connect() as conn:
        logged = json.dumps([list(r) for r in conn.execute(select(exports)).all()],
                            ensure_ascii=False, default=str)  # fmt: skip
        members = sorted(conn.execute(select(export_members.c.customer_id).where(
            export_members.c.export_id == 1)).scalars())  # fmt: skip
    assert members == [1, 2, 3, 7]
    for personal in ("79995551111", "9995551111", "mail@yandex.ru", "yandex.ru", "Иванов",
                     "ivanov", "HYPERLINK", sha("79995551111"), md5("79995551111")):  # fmt: skip
        assert personal.lower() not in logged.lower(), personal
    table = small("exports", "list").stdout
    assert "yandex" in table and "3 exports" in table


def test_dry_run_writes_nothing(small, tmp_path):
    out = tmp_path / "y.csv"
    s = export(small, "--platform", "yandex", "--out", out, "--dry-run")
    assert (s["dry_run"], s["exported"], s["rows"], s["files"], s["export_id"]) == (
        True, 4, 4, [], None,
    )  # fmt: skip
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []
    assert small.json("exports", "list") == []


def test_table_summary(small, tmp_path):
    r = small("export", "audience", "-p", "yandex", "-o", tmp_path / "y.csv")
    assert "selected (all): 7 customers; exported 4 in 4 rows; hash sha256" in r.stdout
    assert "consent withdrawn or unsubscribed" in r.stdout
    assert "75% with a mobile phone, 75% with an email" in r.stdout
    assert "logged as export 1" in r.stdout
    assert r.stderr.startswith("warning: 4 rows are below the minimum")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "myspace", "-o", "{tmp}/a.csv"], "--platform 'myspace': unknown platform"),
        (["-p", "yandex", "-o", "{tmp}/no/such/dir/a.csv"], "does not exist"),
        (["-p", "yandex", "-o", "{tmp}"], "is a folder"),
        (["-p", "yandex", "-o", "{tmp}/a.csv", "--where", "city = 'Москва'", "--segment", "vip"],
         "give --segment or --where, not both"),
        (["-p", "yandex", "-o", "{tmp}/a.csv", "--hash", "md5"], "does not accept it"),
        (["-p", "yandex", "-o", "{tmp}/a.csv", "--set", "colour=red"], "unknown key 'colour'"),
        (["-p", "yandex", "-o", "{tmp}/a.csv", "--split-size", "0"], "--split-size 0"),
        (["-p", "yandex", "-o", "{tmp}/a.csv", "--diff-since", "yesterday"], "an export id or 'last'"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line(small, tmp_path, args, message):
    r = small("export", "audience", *(a.replace("{tmp}", str(tmp_path)) for a in args), expect=2)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clientbase: error: ")
    assert message in lines[0]
    assert not (tmp_path / "a.csv").exists()


def test_unwritable_out(small, tmp_path):
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        # As root permissions do not bind: /proc takes no new files from anyone.
        where = locked if not os.access(locked, os.W_OK) else Path("/proc")
        for platform in ("csv", "xlsx"):
            r = small("export", "audience", "-p", platform, "-o", where / "a.csv", expect=2)
            assert "cannot write there" in r.stderr and len(r.stderr.splitlines()) == 1
    finally:
        locked.chmod(0o700)
    assert small.json("exports", "list") == []


def test_out_that_is_not_a_regular_file_is_refused(small, tmp_path):
    # Writing happens beside --out and is renamed over it: a pipe or a device (/dev/stdout)
    # would be replaced by a plain file, so it is refused up front.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = small("export", "audience", "-p", "csv", "-o", fifo, expect=2)
    assert r.stderr.count("\n") == 1 and "not a regular file" in r.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert small.engine().connect().execute(select(exports.c.id)).first() is None


def test_where_and_segment_select(small, tmp_path):
    from clientbase.services.segments import create_segment

    out = tmp_path / "y.csv"
    s = export(small, "--platform", "yandex", "--out", out, "--where", "city = 'Москва'")
    assert (s["selected"], s["exported"], s["where"]) == (1, 1, "city = 'Москва'")
    assert out.read_text() == f"phone,email\n{sha('79995551111')},{sha('mail@yandex.ru')}\n"
    create_segment(small.engine(), "kazan", "city = 'Казань'")
    s = export(small, "--platform", "yandex", "--out", out, "--segment", "kazan")
    assert (s["selected"], s["exported"], s["segment"]) == (3, 2, "kazan")
    assert s["left_out"] == {"withdrawn": 1}
    # A diff compares with the last export of the same segment, not with the --where one.
    d = export(small, "--platform", "yandex", "--out", out, "--segment", "kazan",
               "--diff-since", "last")  # fmt: skip
    assert d["diff"]["since"] == s["export_id"] and d["diff"]["added"] == 0
    assert small.json("exports", "list")[0]["selection"] == "segment kazan"


def test_examples_a_file_per_platform(cli, tmp_path):
    cli("import", EXAMPLES, expect=3)  # three rows of the examples are rejected on purpose
    heads = {
        "yandex": "phone,email", "google": "Email,Phone,First Name,Last Name,Country,Zip",
        "meta": "email,phone,fn,ln,zip,country", "tiktok": "Phone_SHA256,Email_SHA256",
        "csv": "name,phone,email",
    }  # fmt: skip
    withdrawn = ("77012345678", "kozlova.kat@mail.kz")  # Козлова Екатерина said "нет"
    for platform, head in heads.items():
        out = tmp_path / f"{platform}.csv"
        s = export(cli, "--platform", platform, "--out", out)
        assert s["exported"] + sum(s["left_out"].values()) == s["selected"]
        assert s["left_out"]["withdrawn"] >= 1 and s["left_out"]["unknown_consent"] >= 1
        data = out.read_bytes()
        assert data.startswith(head.encode() + b"\n") and not data.startswith(b"\xef\xbb\xbf")
        lines = data.decode("utf-8").splitlines()
        assert len(lines) == s["rows"] + 1
        assert all(line.count(",") == head.count(",") for line in lines)
        for v in withdrawn:
            for hidden in (v, "+" + v, sha(v), sha("+" + v)):
                assert hidden not in data.decode(), (platform, hidden)
    # Иванов Иван Иванович (+7 916 123-45-67, ivanov.ii@mail.ru, said "да") in each rendering.
    assert (
        f"{sha('79161234567')},{sha('ivanov.ii@mail.ru')}" in (tmp_path / "yandex.csv").read_text()
    )
    google = (tmp_path / "google.csv").read_text()
    assert (
        f"{sha('ivanov.ii@mail.ru')},{sha('+79161234567')},{sha('иван')},{sha('иванов')},RU,"
        in google
    )
    assert sha("olgaivanova@gmail.com") in google  # the Gmail rule
    assert sha("olga.ivanova@gmail.com") in (tmp_path / "meta.csv").read_text()
    assert (
        "Иванов Иван Иванович,79161234567,ivanov.ii@mail.ru" in (tmp_path / "csv.csv").read_text()
    )
    s = export(cli, "--platform", "vk", "--out", tmp_path / "vk.csv")
    assert md5("79161234567") in (tmp_path / "vk-phone.csv").read_text()
    assert md5("ivanov.ii@mail.ru") in (tmp_path / "vk-email.csv").read_text()
    assert len(cli.json("exports", "list")) == 6


def test_worker_processes_write_the_same_file(small, tmp_path, monkeypatch):
    """A big base is scanned in ranges by worker processes; the file must not change."""
    from clientbase.services import export_scan as service

    one = tmp_path / "one.csv"
    export(small, "--platform", "google", "--out", one, "--include-unknown-consent")
    monkeypatch.setattr(service, "_RANGE", 2)
    monkeypatch.setattr(service, "_PARALLEL_FROM", 0)
    many = tmp_path / "many.csv"
    s = export(small, "--platform", "google", "--out", many, "--include-unknown-consent")
    assert many.read_bytes() == one.read_bytes()
    assert (s["exported"], s["left_out"]) == (5, {"withdrawn": 1, "non_mobile": 1})
    v = export(small, "--platform", "vk", "--out", tmp_path / "v.csv")
    assert [f["rows"] for f in v["files"]] == [3, 3]


def test_a_card_named_by_its_phone_has_no_name_in_a_plain_list(cli, tmp_path):
    cli("import", write(tmp_path / "p.csv", "Телефон;E-mail;Согласие на рассылку\n"
                        "+7 916 000-11-22;;да\n;anon@mail.ru;да\n"))  # fmt: skip
    out = tmp_path / "c.csv"
    export(cli, "--platform", "csv", "--out", out)
    assert out.read_text() == "name,phone,email\n,79160001122,\n,,anon@mail.ru\n"
