#!/usr/bin/env python3
"""Generate a large phone address-book export (.vcf) for benchmarking ``clientbase import``.

    python benchmarks/generate_vcards.py 50000 /tmp/contacts.vcf --seed 1

What an Android phone writes when a shop owner taps "Export to .vcf", with the iPhone cards
that came along when contacts were moved between phones:

* about 80 % of the cards are **vCard 2.1 (Android)**. ``N`` and ``FN`` are quoted-printable UTF-8
  (``N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98…``), broken into lines of at most 76
  characters by soft line breaks (a line ends in ``=``, the next one is not indented). A break
  often falls inside a two-byte Cyrillic letter (``=D0=`` / ``=9F…``). ``TEL;CELL:``,
  ``TEL;HOME:``, ``TEL;WORK:``; ORG, TITLE and NOTE quoted-printable too; a base64 ``PHOTO``
  folded with a leading space and ended by a blank line.
* about 20 % are **vCard 3.0 (iPhone)**: plain UTF-8, ``TEL;type=CELL;type=VOICE;type=pref:``,
  Apple groups (``item1.TEL:`` with ``item1.X-ABLabel:_$!<Other>!$_`` on the next line), lines
  longer than 75 octets folded with CRLF + space, ``PHOTO;ENCODING=b``, and year-less birthdays as
  ``BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-22``.

Each person has 1–3 phones (a mobile; a city landline for ~45 %; a second mobile for ~15 %),
an e-mail for ~40 %, a birthday for ~30 % (``1985-02-01``, ``19850201``, no-year ``--0322``),
ORG/TITLE for ~15 %, a NOTE for ~10 % and a PHOTO (a few KB) for ~5 %. Phones are written as
people type them: ``8 (916) 123-45-67``, ``+7 916 123 45 67``, ``89161234567``, …

About 3 % of the cards (``--dup-rate``) are an earlier person again, as after moving contacts
between phones twice: the same mobile in another format, the same name, sometimes the other
vCard version. Every phone and e-mail of a person comes from a bijection of the person's serial
number (the tables and number spaces of ``generate_contacts.py``), so distinct persons never share
a key. After a correct import of a fresh database: customers created = persons, rows folded =
intended duplicates, rejected = 0. The counts go to stderr.

Output is CRLF, no BOM, written in batches; memory is constant for any N (a repeated person is
recomputed from their number; the photos come from a small pool built once).
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_contacts import (  # noqa: E402  (sibling script, not a package)
    CITY_SPACE,
    DOMAINS,
    FIRST_LAT,
    MOBILE_SPACE,
    N_COMBOS,
    N_PHONE_FORMATS,
    S_F_LAT,
    S_M_LAT,
    SECOND_CODES,
    SECOND_SPACE,
    SUBS,
    fmt_phone,
    identity,
    mix,
    number_in,
    weyl_multiplier,
)

CRLF = b"\r\n"
BATCH = 2_000  # cards per write
QP_MAX = 76  # longest quoted-printable line, the soft-break '=' included
FOLD_AT = 75  # vCard 3.0 folds lines longer than 75 octets

COMPANIES = (
    'ООО "Ромашка"',
    'ООО "СтройДом"',
    "ИП Сидоров",
    "ИП Королёва Н.В.",
    "Автосервис «Колесо»",
    'ООО "ТехСнаб"',
    'АО "Уралмет"',
    "Салон «Жасмин»",
    "Шиномонтаж на Лесной",
    'ООО "Цветы Оптом"',
    "Пекарня «Колос»",
    'ООО "Логистик-Трейд"',
    "Магазин «Рыболов»",
    "Стоматология «Улыбка»",
    'ООО "Гермес"',
)
TITLES = (
    "директор",
    "менеджер",
    "бухгалтер",
    "снабженец",
    "прораб",
    "администратор",
    "закупщик",
    "главный инженер",
    "",
    "",
)
NOTES = (
    "постоянный клиент",
    "перезвонить",
    "скидка 5%",
    "VIP",
    "доставка курьером",
    "предпочитает WhatsApp",
    "звонить после 18:00",
    "оптовик, счёт на юрлицо",
    "карта лояльности №" + "0457",
    "жена Марина, тоже клиент",
    "брал в рассрочку\r\nостался долг 2000 р.",
    "код домофона 45К\r\nпод. 3, эт. 7",
)
AB_LABELS = (
    "_$!<Other>!$_",
    "_$!<Work>!$_",
    "_$!<Home>!$_",
    "_$!<Mobile>!$_",
    "рабочий",
    "дача",
    "домашний",
    "_$!<Main>!$_",
)
PHOTO_POOL = 8  # distinct "JPEG"s, 2-5 KB each, shared by all the photo cards


# --- encodings -----------------------------------------------------------------------------------


def qp(text: str) -> str:
    """Quoted-printable UTF-8 the way Android writes it: every byte as =XX, spaces included."""
    return "=" + text.encode().hex("=").upper() if text else ""


def qp_property(header: str, value: str) -> list[bytes]:
    """``header:value`` (value already =XX-encoded) broken by soft line breaks into lines of at
    most QP_MAX characters. A break never splits an =XX escape, but it may split a letter."""
    if len(header) + 1 + len(value) <= QP_MAX:
        return [f"{header}:{value}".encode("ascii")]
    lines: list[bytes] = []
    prefix = header + ":"
    pos, end = 0, len(value)
    while True:
        room = QP_MAX - 1 - len(prefix)  # keep one character for the soft-break '='
        if end - pos <= room + 1:  # the rest fits on this line without a '='
            lines.append((prefix + value[pos:]).encode("ascii"))
            return lines
        cut = pos + room
        if value[cut - 1] == "=":  # do not cut "=XX" after its '=' ...
            cut -= 1
        elif value[cut - 2] == "=":  # ... or after its first hex digit
            cut -= 2
        lines.append((prefix + value[pos:cut] + "=").encode("ascii"))
        prefix, pos = "", cut


def text21(name: str, params: str, text: str) -> list[bytes]:
    """A 2.1 text property: plain when ASCII on one line (as Android does), else QP UTF-8."""
    if text.isascii() and "\n" not in text:
        return [f"{name}:{text}".encode("ascii")]
    return qp_property(f"{name};{params}", qp(text))


def fold(line: str) -> list[bytes]:
    """A vCard 3.0 line folded at 75 octets with CRLF + space, never inside a UTF-8 letter."""
    data = line.encode()
    if len(data) <= FOLD_AT:
        return [data]
    out: list[bytes] = []
    pos, limit = 0, FOLD_AT
    while len(data) - pos > limit:
        cut = pos + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back off to the letter's start
            cut -= 1
        out.append(data[pos:cut] if not out else b" " + data[pos:cut])
        pos, limit = cut, FOLD_AT - 1
    out.append(data[pos:] if not out else b" " + data[pos:])
    return out


def esc3(text: str) -> str:
    """Escape a 3.0 text value."""
    return (
        text.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def photo_pool(seed: int) -> tuple[list[list[bytes]], list[list[bytes]]]:
    """(Android 2.1 lines, iPhone 3.0 lines) for each photo of the pool."""
    rng = random.Random(seed ^ 0x5EED)
    v21, v30 = [], []
    for _ in range(PHOTO_POOL):
        size = 2_000 + int(rng.random() * 3_000)
        jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size) + b"\xff\xd9"
        b64 = base64.b64encode(jpeg).decode("ascii")
        # Android: the whole property folded at 75 characters with CRLF + space, then a blank line.
        text = "PHOTO;ENCODING=BASE64;JPEG:" + b64
        lines = [text[:75].encode("ascii")]
        lines += [b" " + text[i : i + 74].encode("ascii") for i in range(75, len(text), 74)]
        v21.append([*lines, b""])
        v30.append(fold("PHOTO;ENCODING=b;TYPE=JPEG:" + b64))
    return v21, v30


# --- persons -------------------------------------------------------------------------------------


class VPerson:
    """Everything about person number ``p``, derived from ``p`` alone (no stored state)."""

    __slots__ = (
        "bday",
        "bday_form",
        "email",
        "extra",
        "first",
        "fmt",
        "landline",
        "last",
        "middle",
        "mobile",
        "name_style",
        "note",
        "org",
        "photo",
        "second",
        "title",
        "v30",
    )

    def __init__(self, p: int, salt: int, slots: tuple[int, int]) -> None:
        h, h2, s_idx, f_idx, num, male, self.first, self.middle, self.last = identity(
            p, salt, slots
        )
        ns = h % 100
        # 0: Last First Middle, 1: Last First, 2: First Middle (no surname), 3: first name only
        self.name_style = 0 if ns < 50 else 1 if ns < 85 else 2 if ns < 93 else 3

        self.mobile = number_in(MOBILE_SPACE, p, salt)
        self.fmt = (h >> 8) % N_PHONE_FORMATS
        k = (h >> 16) % 100
        # other salts than the mobile's, so a person's numbers do not share their last digits
        self.landline = number_in(CITY_SPACE, p, salt + 1) if k >= 55 else None
        self.second = number_in(SECOND_SPACE, p, salt + 2) if k >= 85 else None
        self.extra = (h >> 56) & 0xFF  # small choices: phone types, labels, header order

        self.email = ""
        if (h >> 24) % 100 < 40:
            fl = FIRST_LAT[f_idx]
            sl = S_M_LAT[s_idx] if male else S_F_LAT[s_idx]
            tail = str(num) if num else ""
            local = f"{fl}.{sl}{tail}" if (h >> 31) & 1 else f"{sl}.{fl}{tail}"
            self.email = f"{local}@{DOMAINS[(h >> 40) % len(DOMAINS)]}"

        self.bday = None
        if (h >> 32) % 100 < 30:
            self.bday = (1950 + (h2 >> 32) % 56, 1 + (h2 >> 40) % 12, 1 + (h2 >> 48) % 28)
        self.bday_form = (h2 >> 56) % 10  # 0-6 full date, 7 compact, 8-9 no year
        self.org = self.title = ""
        if (h >> 48) % 100 < 15:
            self.org = COMPANIES[(h2 >> 8) % len(COMPANIES)]
            self.title = TITLES[(h2 >> 12) % len(TITLES)]
        self.note = NOTES[(h2 >> 20) % len(NOTES)] if (h2 >> 8) % 100 < 10 else ""
        self.photo = (h2 >> 28) % PHOTO_POOL if (h2 >> 16) % 100 < 5 else -1
        self.v30 = (h2 >> 24) % 100 < 20

    def n_parts(self) -> tuple[str, str, str]:
        s = self.name_style
        if s == 0:
            return self.last, self.first, self.middle
        if s == 1:
            return self.last, self.first, ""
        if s == 2:
            return "", self.first, self.middle
        return "", self.first, ""

    def tels(self, fmt: int) -> list[tuple[str, str]]:
        """[(kind, number as typed)]: kind is cell, home, work or cell2."""
        out = [("cell", fmt_phone(fmt, *self.mobile))]
        if self.landline is not None:
            out.append(("work" if self.extra & 1 else "home", fmt_phone(fmt ^ 3, *self.landline)))
        if self.second is not None:
            out.append(("cell2", fmt_phone((fmt + 5) % N_PHONE_FORMATS, *self.second)))
        return out


def full_name(last: str, first: str, middle: str) -> str:
    return " ".join(x for x in (first, middle, last) if x)


def bday_text(y: int, m: int, d: int, form: int, v30: bool) -> str:
    if form <= 6:
        return f"{y}-{m:02d}-{d:02d}"
    if form == 7:
        return f"{y}{m:02d}{d:02d}"
    if v30:
        return f"1604-{m:02d}-{d:02d}"  # with X-APPLE-OMIT-YEAR=1604
    return f"--{m:02d}{d:02d}"


# --- cards ---------------------------------------------------------------------------------------

TEL21 = {"cell": "TEL;CELL", "home": "TEL;HOME", "work": "TEL;WORK", "cell2": "TEL;CELL"}
TEL30 = {
    "cell": "TEL;type=CELL;type=VOICE;type=pref",
    "home": "TEL;type=HOME;type=VOICE",
    "work": "TEL;type=WORK;type=VOICE",
    "cell2": "TEL;type=CELL;type=VOICE",
}
QP_PARAMS = ("CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE", "ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8")


def card21(pers: VPerson, fmt: int, photos: list[list[bytes]] | None) -> list[bytes]:
    """An Android vCard 2.1 card (photos None: leave the photo out)."""
    last, first, middle = pers.n_parts()
    params = QP_PARAMS[1 if pers.extra % 13 == 0 else 0]  # the order varies between phones
    out = [b"BEGIN:VCARD", b"VERSION:2.1"]
    out += qp_property(f"N;{params}", ";".join((qp(last), qp(first), qp(middle), "", "")))
    out += qp_property(f"FN;{params}", qp(full_name(last, first, middle)))
    for kind, number in pers.tels(fmt):
        head = TEL21[kind] + (";PREF" if kind == "cell" and pers.extra & 2 else "")
        out.append(f"{head}:{number}".encode())
    if pers.email:
        out.append(f"EMAIL;{'WORK' if pers.org else 'HOME'}:{pers.email}".encode())
    if pers.org:
        out += text21("ORG", params, pers.org)
        if pers.title:
            out += text21("TITLE", params, pers.title)
    if photos is not None and pers.photo >= 0:
        out += photos[pers.photo]
    if pers.note:
        out += text21("NOTE", params, pers.note)
    if pers.bday is not None:
        out.append(f"BDAY:{bday_text(*pers.bday, pers.bday_form, False)}".encode())
    out.append(b"END:VCARD")
    return out


def card30(pers: VPerson, fmt: int, photos: list[list[bytes]] | None) -> list[bytes]:
    """An iPhone vCard 3.0 card."""
    last, first, middle = pers.n_parts()
    out = [b"BEGIN:VCARD", b"VERSION:3.0", b"PRODID:-//Apple Inc.//iPhone OS 17.4//EN"]
    out += fold(f"N:{esc3(last)};{esc3(first)};{esc3(middle)};;")
    out += fold(f"FN:{esc3(full_name(last, first, middle))}")
    if pers.org:
        out += fold(f"ORG:{esc3(pers.org)};")
        if pers.title:
            out += fold(f"TITLE:{esc3(pers.title)}")
    if pers.email:
        out += fold(f"EMAIL;type=INTERNET;type=HOME;type=pref:{pers.email}")
    item = 0
    for kind, number in pers.tels(fmt):
        if kind == "cell" and not pers.extra & 4:
            out.append(f"{TEL30[kind]}:{number}".encode())
        else:  # a number with a label of its own: an Apple group
            item += 1
            label = AB_LABELS[(pers.extra >> 3) % len(AB_LABELS)] if kind != "cell" else "мобильный"
            out.append(f"item{item}.TEL:{number}".encode())
            out += fold(f"item{item}.X-ABLabel:{label}")
    if pers.note:
        out += fold(f"NOTE:{esc3(pers.note)}")
    if pers.bday is not None:
        text = bday_text(*pers.bday, pers.bday_form, True)
        head = "BDAY;X-APPLE-OMIT-YEAR=1604" if text.startswith("1604-") else "BDAY"
        out.append(f"{head}:{text}".encode())
    if photos is not None and pers.photo >= 0:
        out += photos[pers.photo]
    out.append(b"END:VCARD")
    return out


def generate(
    n: int, counts: dict[str, int], *, seed: int = 1, dup_rate: float = 0.03
) -> Iterator[list[bytes]]:
    """Yield batches of encoded cards (each ending in CRLF); fill ``counts`` when done."""
    if n >= len(SECOND_CODES) * SUBS:
        raise ValueError(f"at most {len(SECOND_CODES) * SUBS - 1} cards")
    rng = random.Random(seed)
    rnd = rng.random
    salt = mix(seed) & 0xFFFFFFFF
    n_slots = N_COMBOS * (n // N_COMBOS + 1)
    slots = (n_slots, weyl_multiplier(n_slots, 0.3819660113))
    p21, p30 = photo_pool(seed)
    c = dict.fromkeys(
        ("persons", "duplicates", "v30", "photos", "emails", "birthdays", "orgs", "notes", "tels"),
        0,
    )
    batch: list[bytes] = []
    for _ in range(n):
        if c["persons"] and rnd() < dup_rate:
            # an earlier person again: the mobile in another format, maybe the other version
            c["duplicates"] += 1
            pers = VPerson(int(rnd() * c["persons"]), salt, slots)
            fmt = (pers.fmt + 1 + int(rnd() * (N_PHONE_FORMATS - 1))) % N_PHONE_FORMATS
            v30 = pers.v30 if rnd() < 0.5 else not pers.v30
            photos = None  # the photo did not survive the move
        else:
            pers = VPerson(c["persons"], salt, slots)
            c["persons"] += 1
            fmt, v30 = pers.fmt, pers.v30
            photos = p30 if v30 else p21
            c["photos"] += pers.photo >= 0
        lines = card30(pers, fmt, photos) if v30 else card21(pers, fmt, photos)
        c["v30"] += v30
        c["emails"] += bool(pers.email)
        c["birthdays"] += pers.bday is not None
        c["orgs"] += bool(pers.org)
        c["notes"] += bool(pers.note)
        c["tels"] += 1 + (pers.landline is not None) + (pers.second is not None)
        lines.append(b"")
        batch.append(CRLF.join(lines))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    yield batch
    counts.update(cards=n, **c)


def write_vcf(n: int, out: str | Path, *, seed: int = 1, dup_rate: float = 0.03) -> dict[str, int]:
    """Write the file (``-`` = stdout) and return the counts."""
    counts: dict[str, int] = {}
    if str(out) == "-":
        stream = open(sys.stdout.fileno(), "wb", closefd=False)
    else:
        stream = open(out, "wb")
    with stream:
        for batch in generate(n, counts, seed=seed, dup_rate=dup_rate):
            stream.write(b"".join(batch))
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate a phone address-book export (.vcf, Android 2.1 + iPhone 3.0)."
    )
    ap.add_argument("n", type=int, help="number of cards")
    ap.add_argument("out", help="output file, or - for stdout")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.03, help="share of repeated persons")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if not 0 <= args.dup_rate < 0.995:
        ap.error("--dup-rate must be in [0, 0.995)")
    t0 = time.perf_counter()
    c = write_vcf(args.n, args.out, seed=args.seed, dup_rate=args.dup_rate)
    dt = time.perf_counter() - t0
    print(
        f"{c['cards']} cards: {c['persons']} distinct persons (expected customers), "
        f"{c['duplicates']} intended duplicates, 0 rejects; {c['cards'] - c['v30']} vCard 2.1, "
        f"{c['v30']} vCard 3.0; {c['tels']} phones, {c['emails']} e-mails, "
        f"{c['birthdays']} birthdays, {c['orgs']} with ORG, {c['notes']} notes, "
        f"{c['photos']} photos; {dt:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
