#!/usr/bin/env python3
"""Time ``clientbase import`` on a CRM contact export whose work-phone column holds one office
switchboard number on half the rows.

    python benchmarks/bench_switchboard.py                   # 60,000 and 180,000 rows
    python benchmarks/bench_switchboard.py --rows 60000 --keep

The file imitates a Bitrix24 contact export as the project's reference describes it: cp1251,
``;``, every value quoted with inner quotes doubled, CRLF, multi-line comments, the columns
ID / Обращение / Имя / Фамилия / Отчество / Дата рождения / Адрес / Рабочий телефон / Мобильный
телефон / … / Ответственный. About 12 % of the rows repeat an earlier person (the same mobile,
an e-mail or not); the "Рабочий телефон" of half the rows is the office's one number, so the
number ends up on a third of all the customers, each a different person.

Every row on that number is weighed against the customers already on it (could the row be one of
them?), which made the import grow with the square of the file. Two sizes are timed so the
growth shows: three times the rows should take about three times as long, not nine. Files are
cached in ``/tmp/clientbase-bench/`` by size and seed; the database is deleted before each run.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_import import (  # noqa: E402  (sibling scripts, not a package)
    EXIT_OK,
    EXIT_REJECTED,
    WORKDIR,
    cached_dataset,
    clientbase_cmd,
    print_report,
    remove_db,
    run_step,
)

OFFICE = "+7 (495) 123-45-67"
HEADER = ["ID", "Обращение", "Имя", "Фамилия", "Отчество", "Дата рождения", "Адрес",
          "Рабочий телефон", "Мобильный телефон", "Домашний телефон", "Рабочий e-mail",
          "Частный e-mail", "Контакт Telegram", "Название компании", "Должность", "Комментарий",
          "Источник", "Ответственный"]  # fmt: skip
MEN = ["Иван", "Сергей", "Дмитрий", "Алексей", "Юрий", "Пётр", "Андрей", "Михаил"]
WOMEN = ["Анна", "Ольга", "Елена", "Наталья", "Ирина", "Алёна", "Мария", "Татьяна"]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
            "Новиков", "Фёдоров", "Морозов"]  # fmt: skip
FATHERS = ["Иванович", "Петрович", "Сергеевич", "Алексеевич", ""]
COMPANIES = ['ООО "Ромашка"', "ИП Петров", 'АО "Вектор"', "", "", ""]
NOTES = ["", "", "перезвонить\r\nпосле обеда", 'просил "не беспокоить"', "VIP"]


def _quoted(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


def write_export(rows: int, path: Path, seed: int) -> dict:
    """The export, and how many distinct people its rows name."""
    rnd = random.Random(seed)
    people: list[dict] = []
    lines = [";".join(map(_quoted, HEADER))]
    for i in range(1, rows + 1):
        if people and rnd.random() < 0.12:
            p = rnd.choice(people)
        else:
            woman = rnd.random() < 0.5
            first = rnd.choice(WOMEN if woman else MEN)
            father = rnd.choice(FATHERS)
            if woman and father:
                father = father[:-2] + "на"
            p = {"first": first, "last": rnd.choice(SURNAMES) + ("а" if woman else ""),
                 "father": father,
                 "mobile": f"+7 9{rnd.randint(10, 99)} {rnd.randint(100, 999)}-"
                           f"{rnd.randint(10, 99)}-{rnd.randint(10, 99)}",
                 "email": f"user{i}@{rnd.choice(['mail.ru', 'yandex.ru', 'gmail.com'])}"}  # fmt: skip
            people.append(p)
        born = rnd.choice(["", f"{rnd.randint(1, 28):02d}.{rnd.randint(1, 12):02d}."
                               f"{rnd.randint(1950, 2003)}"])  # fmt: skip
        row = [str(i), rnd.choice(["г-н", "г-жа", ""]), p["first"], p["last"], p["father"], born,
               rnd.choice(["", "г. Москва, ул. Тверская, д. 1"]), rnd.choice(["", OFFICE]),
               p["mobile"], "", rnd.choice(["", p["email"]]), rnd.choice(["", p["email"]]),
               rnd.choice(["", "@" + p["first"].lower()]), rnd.choice(COMPANIES),
               rnd.choice(["", "менеджер", "директор"]), rnd.choice(NOTES),
               rnd.choice(["Сайт", "Звонок", "Реклама", "Выставка"]),
               rnd.choice(["Анна Смирнова", "Олег Петров"])]  # fmt: skip
        lines.append(";".join(map(_quoted, row)))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    return {"rows": rows, "people": len(people)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time an import with an office number on many rows.")
    ap.add_argument("--rows", type=int, action="append", help="rows (60,000 and 180,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help=f"keep the last database in {WORKDIR}")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per import (none)")
    args = ap.parse_args(argv)
    sizes = args.rows or [60_000, 180_000]
    db = WORKDIR / "switchboard.db"
    steps, path = [], None
    for n in sizes:
        path, made = cached_dataset(
            f"switchboard-{n}-seed{args.seed}", ".csv", f"{n:,} rows",
            lambda tmp, n=n: write_export(n, tmp, args.seed),
        )  # fmt: skip
        remove_db(db)
        cmd = [*clientbase_cmd(), "--db", str(db), "-q", "import", str(path), "--format", "json"]
        step = run_step(f"import {n:,} rows, one number on half", cmd, n, args.timeout)
        if step.exit_code not in (EXIT_OK, EXIT_REJECTED):
            print(
                f"bench_switchboard: import failed with exit code {step.exit_code}", file=sys.stderr
            )
            print(step.stderr.rstrip(), file=sys.stderr)
            return 1
        summary = json.loads(step.stdout)
        with_office = _customers_on(db, OFFICE)
        print(f"{n:,} rows ({made['people']:,} people named): {step.wall:.1f} s, "
              f"{summary['created']:,} customers, {summary['duplicates']:,} rows folded, "
              f"{with_office:,} customers on the office number")  # fmt: skip
        steps.append(step)
    if len(steps) > 1:
        a, b = steps[0], steps[-1]
        print(f"{b.rows / a.rows:.1f} × the rows took {b.wall / a.wall:.1f} × the time")
    print_report(path, "(the last file), Bitrix24-style, cp1251", steps, "rows")
    if not args.keep:
        remove_db(db)
    return 0


def _customers_on(db: Path, number: str) -> int:
    digits = "".join(c for c in number if c.isdigit())
    with sqlite3.connect(db) as conn:
        (n,) = conn.execute(
            "SELECT count(DISTINCT customer_id) FROM contact_points WHERE kind = 'phone' "
            "AND value = ?",
            ("+" + digits,),
        ).fetchone()
    return n


if __name__ == "__main__":
    sys.exit(main())
