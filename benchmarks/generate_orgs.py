#!/usr/bin/env python3
"""A labelled list of organisations for measuring dedupe: every row knows which one it is.

    python benchmarks/generate_orgs.py 20000 /tmp/orgs.csv --seed 1

Next to ``OUT.csv`` it writes ``OUT.truth.csv`` (``row,person``; data rows start at row 2).
Columns ``Компания;Адрес;Индекс;Телефон;Email;Город`` (``;``, CRLF, UTF-8, as Russian Excel
saves CSV). About half of the organisations come back in 1–3 more records, the way a
supplier list, a CRM export and an old spreadsheet name one company:

* the name with or without its legal form, in guillemets, straight quotes or none, spelled
  out ("Общество с ограниченной ответственностью"), in capitals, with a typo, and for a branch
  with branch wording ("ООО «Ромашка» — филиал на Ленина", "Ромашка (Ленина)", "Ромашка,
  филиал");
* the address as "ул. Ленина, д. 5", "Ленина улица 5", "улица Ленина, дом 5", "г. Москва, ул
  Ленина 5, оф. 12", sometimes with a typo in the street, sometimes missing; a postcode now and
  then;
* the phone in every format, a Moscow number often written without its area code
  ("234-56-78"), sometimes another number of the same office, sometimes none;
* the e-mail in another case, another mailbox of the same domain, or none;
* the city as "Москва", "г. Москва", "МСК", or none.

Hard negatives, organisations that are *not* the same: namesakes (the same brand in another
city or at another address, with their own phones), and branches of one chain (one brand, one
e-mail domain, different addresses and phones, each a customer of its own). Everything is drawn
from ``random.Random(seed)``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

from clientbase.normalize.names import transliterate

COLUMNS = ("Компания", "Адрес", "Индекс", "Телефон", "Email", "Город")

BRANDS = """Альфа Вектор Гранит Дельта Континент Лидер Мега Норд Орион Прогресс Ромашка Сфера
Техно Феникс Эталон Стиль Берёзка Меридиан Сигма Атлант Восток Импульс Кристалл Луч
Магистраль Оптима Партнёр Регион Старт Триумф Успех Фортуна Цитадель Энергия Янтарь Аврора
Байкал Велес Гелиос Домострой Жемчуг Зенит Исток Каскад Ладога Монолит Нева Олимп Пегас
Радуга Север Титан Урал Факел Хронос Эверест Юпитер""".split()
SUFFIXES = ("", "", "", "Строй", "Сервис", "Трейд", "Плюс", "Групп", "Мед", "Авто", "Логистик",
            "Консалт", "Маркет", "Снаб", "Пром", "Инвест", "Тех", "Софт", "Лаб", "Принт")  # fmt: skip
TAGS = ("", "", "", "", "-М", " 21", " Про", "-Юг", " 2000", "-Н", " Центр", " СПб")
FORMS = ("ООО", "ООО", "ООО", "АО", "ИП", "ЗАО", "ПАО")
FORMS_LONG = {"ООО": "Общество с ограниченной ответственностью", "АО": "Акционерное общество",
              "ЗАО": "Закрытое акционерное общество", "ПАО": "Публичное акционерное общество",
              "ИП": "Индивидуальный предприниматель"}  # fmt: skip
STREETS = """Ленина Мира Гагарина Советская Пушкина Садовая Лесная Школьная Октябрьская
Центральная Молодёжная Новая Заводская Кирова Чкалова Маяковского Горького Победы Строителей
Лермонтова Толстого Чехова Свердлова Комсомольская Пионерская Калинина Суворова Кутузова
Некрасова Фрунзе Мичурина Вокзальная Полевая Набережная Солнечная Зелёная""".split()
CITIES = (  # city, spellings, area code, postcode prefix, weight
    ("Москва", ("Москва", "г. Москва", "МСК", "москва"), "495", "10", 40),
    ("Москва", ("Москва", "г. Москва"), "499", "12", 10),
    ("Санкт-Петербург", ("Санкт-Петербург", "СПб", "г. Санкт-Петербург", "Питер"), "812", "19", 15),
    ("Казань", ("Казань", "г. Казань"), "843", "42", 8),
    ("Екатеринбург", ("Екатеринбург", "г. Екатеринбург", "Екб"), "343", "62", 8),
    ("Новосибирск", ("Новосибирск", "г. Новосибирск"), "383", "63", 7),
    ("Нижний Новгород", ("Нижний Новгород", "Н. Новгород"), "831", "60", 6),
    ("Самара", ("Самара", "г. Самара"), "846", "44", 6),
)
DOMAINS = ("ru", "ru", "com", "su", "рф")
FREE_MAIL = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru")
MAILBOXES = ("info", "office", "sales", "zakaz", "mail", "buh")


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 5:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.4:
        return s[:i] + s[i + 1 :]
    if op < 0.7:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + s[i] + s[i:]


def _latin(s: str) -> str:
    return "".join(c for c in transliterate(s).lower() if c.isalnum())


_USED_DOMAINS: set[str] = set()


def _org(rng: random.Random, oid: int, brand: str | None = None, city=None) -> dict:
    brand = brand or (rng.choice(BRANDS) + rng.choice(SUFFIXES) + rng.choice(TAGS))
    city = city or rng.choices(CITIES, weights=[c[4] for c in CITIES])[0]
    local = f"{rng.randrange(200, 1000)}{rng.randrange(0, 10000):04d}"
    # A domain belongs to one organisation: a second "Прогресс" registers another one.
    domain = f"{_latin(brand)}.{rng.choice(DOMAINS[:3])}"
    while domain in _USED_DOMAINS:
        domain = f"{_latin(brand)}-{rng.randrange(2, 1000)}.{rng.choice(DOMAINS[:3])}"
    _USED_DOMAINS.add(domain)
    email = (
        f"{rng.choice(MAILBOXES)}@{domain}"
        if rng.random() < 0.7
        else f"{_latin(brand)}{rng.randrange(1, 99)}@{rng.choice(FREE_MAIL)}"
    )
    return {
        "id": oid,
        "brand": brand,
        "form": rng.choice(FORMS),
        "city": city,
        "street": rng.choice(STREETS),
        "house": str(rng.randrange(1, 160)),
        "office": str(rng.randrange(1, 500)) if rng.random() < 0.4 else "",
        "zip": city[3] + f"{rng.randrange(0, 10000):04d}",
        "local": local,
        "other_local": f"{rng.randrange(200, 1000)}{rng.randrange(0, 10000):04d}",
        "email": email,
        "domain": domain,
        "branch": False,
    }


def _name(rng: random.Random, o: dict) -> str:
    b = _typo(rng, o["brand"]) if rng.random() < 0.08 else o["brand"]
    form = o["form"]
    r = rng.random()
    if o["branch"] and rng.random() < 0.7:
        st = o["street"]
        return rng.choice((f"{form} «{b}» — филиал на {st}", f"{b} ({st})", f"{b}, филиал",
                           f"{b} на {st}", f"{form} «{b}» (филиал, {st})"))  # fmt: skip
    if r < 0.3:
        s = f"{form} «{b}»"
    elif r < 0.45:
        s = f'{form} "{b}"'
    elif r < 0.6:
        s = f"{b} {form}"
    elif r < 0.7:
        s = f"{FORMS_LONG[form]} «{b}»"
    elif r < 0.85:
        s = b
    else:
        s = f"«{b}»"
    return s.upper() if rng.random() < 0.07 else s


def _address(rng: random.Random, o: dict) -> str:
    if rng.random() < 0.12:
        return ""
    st = _typo(rng, o["street"]) if rng.random() < 0.06 else o["street"]
    h, off = o["house"], o["office"]
    tail = ""
    if off and rng.random() < 0.6:
        tail = rng.choice((f", оф. {off}", f", офис {off}", f" оф {off}"))
    s = rng.choice((f"ул. {st}, д. {h}", f"{st} улица {h}", f"улица {st}, дом {h}",
                    f"ул {st} {h}", f"{st} ул., д.{h}", f"ул. {st}, {h}"))  # fmt: skip
    if rng.random() < 0.25:
        s = f"{rng.choice(o['city'][1])}, {s}"
    return s + tail


def _phone(rng: random.Random, o: dict) -> str:
    r = rng.random()
    if r < 0.12:
        return ""
    local = o["other_local"] if r < 0.2 else o["local"]
    code = o["city"][2]
    a, b, c = local[:3], local[3:5], local[5:]
    moscow = code in ("495", "499")
    shapes = [f"+7 ({code}) {a}-{b}-{c}", f"8 {code} {local}", f"8({code}){a}{b}{c}",
              f"+7{code}{local}", f"7 {code} {a} {b} {c}"]  # fmt: skip
    if moscow:
        shapes += [f"{a}-{b}-{c}", local, f"{a}-{b}-{c}"]
    s = rng.choice(shapes)
    if rng.random() < 0.1:
        s += f" доб. {rng.randrange(100, 999)}"
    return s


def _email(rng: random.Random, o: dict) -> str:
    r = rng.random()
    if r < 0.3:
        return ""
    if r < 0.38:
        box = rng.choice([m for m in MAILBOXES if not o["email"].startswith(m + "@")])
        return f"{box}@{o['domain']}"
    return o["email"].upper() if rng.random() < 0.1 else o["email"]


def _row(rng: random.Random, o: dict) -> dict[str, str]:
    return {
        "Компания": _name(rng, o),
        "Адрес": _address(rng, o),
        "Индекс": o["zip"] if rng.random() < 0.5 else "",
        "Телефон": _phone(rng, o),
        "Email": _email(rng, o),
        "Город": rng.choice(o["city"][1]) if rng.random() < 0.7 else "",
    }


def generate(n: int, seed: int = 1) -> tuple[list[dict[str, str]], list[int]]:
    """``n`` rows and, for each, the organisation it stands for."""
    rng = random.Random(seed)
    _USED_DOMAINS.clear()
    rows: list[dict[str, str]] = []
    truth: list[int] = []
    oid = 0
    while len(rows) < n:
        oid += 1
        kind = rng.random()
        orgs = [_org(rng, oid)]
        if kind < 0.06:
            # A chain: branches of one brand, one domain, own addresses and phones.
            base = orgs[0]
            for _ in range(rng.randrange(1, 3)):
                oid += 1
                b = _org(rng, oid, base["brand"], base["city"])
                b["form"], b["domain"] = base["form"], base["domain"]
                b["email"] = f"{_latin(b['street'])}@{base['domain']}"
                orgs.append(b)
            for b in orgs:
                b["branch"] = True
        elif kind < 0.14:
            # A namesake: the same brand elsewhere, with a domain of its own.
            oid += 1
            other = _org(rng, oid, orgs[0]["brand"])
            other["domain"] = f"{_latin(other['brand'])}-{_latin(other['city'][0])[:3]}.ru"
            other["email"] = f"{rng.choice(MAILBOXES)}@{other['domain']}"
            orgs.append(other)
        for o in orgs:
            copies = 1 if rng.random() < 0.5 else rng.choice((2, 2, 3, 4))
            for _ in range(copies):
                rows.append(_row(rng, o))
                truth.append(o["id"])
    rows, truth = rows[:n], truth[:n]
    order = list(range(len(rows)))
    rng.shuffle(order)
    return [rows[i] for i in order], [truth[i] for i in order]


def write_csv(path, rows, truth, truth_path) -> dict[str, int]:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter=";", lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
    with open(truth_path, "w", encoding="utf-8", newline="") as f:
        w2 = csv.writer(f)
        w2.writerow(("row", "person"))
        w2.writerows((i + 2, t) for i, t in enumerate(truth))
    sizes: dict[int, int] = {}
    for t in truth:
        sizes[t] = sizes.get(t, 0) + 1
    return {
        "rows": len(rows),
        "persons": len(sizes),
        "true_pairs": sum(k * (k - 1) // 2 for k in sizes.values()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a labelled organisation list.")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    out = Path(args.out)
    counts = write_csv(out, *generate(args.n, args.seed), out.with_suffix(".truth.csv"))
    print(counts, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
