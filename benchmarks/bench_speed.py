#!/usr/bin/env python3
"""The speed table: every big path of clientbase timed in one run, sqlite-utils beside it.

    python benchmarks/bench_speed.py                  # 1,000,000 contact rows, 1,000,000 order lines
    python benchmarks/bench_speed.py --rows 100000    # a quick run (order lines and customers scale too)

The files come from ``generate_contacts.py`` (messy Russian contact rows) and
``generate_orders.py`` (order lines of rows/10 customers), cached in the work directory. Every step
runs as a child process through the command line (``python -m clientbase …``), so the table holds
whatever the importers, analytics and dedupe do today. For each step it prints:

- wall seconds;
- CPU seconds, user + system, of the child and everything it started (``os.wait4``);
- peak MB: the largest sum of the resident sizes of the child and its descendants, sampled every
  20 ms from ``/proc`` (never less than the child's own ``ru_maxrss``);
- the target beside it, and whether it is met: "yes" when the wall time is within it, "CPU
  only" when the CPU seconds are but the wall time is not (the machine's other load), "no";
- the 1-minute load average when the step started: on a shared machine the wall seconds carry
  the neighbours' load, the CPU seconds much less.

sqlite-utils is not a dependency: it is installed into a virtual environment of its own in the work
directory on the first run (``pip install sqlite-utils``) and reused after; ``--no-sqlite-utils``
leaves its rows out.

The table is the issue's: one row per path, with what clientbase takes, the target, and in the
"side by side" column what the plain tools take for the same work: ``sqlite-utils insert --csv``
of the contact file (no cleaning at all) and a plain Python ``csv`` reader with one
``executemany`` into SQLite beside the contact import, ``sqlite-utils rows --limit 1`` beside the
start-up.

``--reuse-bases`` times the read paths only, on the bases an earlier run left in the work
directory (``contacts.db``, ``orders.db``, and ``sqlite-utils.db`` for its start-up figure when it
is there): the import rows are left out, for a machine too busy to import a million rows again,
and the generated files are not needed. Those bases are brought to this version's schema first
(`clientbase db upgrade`, not timed), so no timed step pays for a one-off upgrade.

The class filters run twice: the first of the day computes the classes of every customer and keeps
them (``fact_rows``), the second reads them back with an indexed query; both are shown. So that the
first one computes on reused bases too, the stored days of the order base are made out of date
first (its fact epoch moved on, as any import does).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The orders of generate_orders.py end on this day: the classes count back from it.
AS_OF = "2025-12-31"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Step:
    name: str
    wall: float
    cpu: float
    peak_mb: float
    code: int
    target: str
    note: str = ""
    beside: str = ""  # what the plain tools take for the same work
    load: float = 0.0  # 1-minute load average when the step started

    def met(self) -> str:
        """Whether the target's seconds hold: by the wall time, by the CPU time only, or not."""
        words = self.target.replace("≤", " ").replace(",", " ").split()
        limit = next((float(w) for w, unit in itertools.pairwise(words) if unit == "s"), None)
        if limit is None or self.note.startswith("failed"):
            return "—"
        if self.wall <= limit:
            return "yes"
        return "CPU only" if self.cpu <= limit else "no"

    def figures(self) -> str:
        if self.note.startswith("failed"):
            return self.note
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU, {self.peak_mb:.0f} MB"


def tree_rss_kb(pid: int) -> int:
    """Resident KB of ``pid`` and all its descendants, now (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_KB
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run(name: str, args: list[str], target: str, *, out: Path | None = None,
        timeout: float | None = None, env: dict | None = None) -> Step:  # fmt: skip
    """Run one step; stdout to ``out`` (or nowhere), stderr kept for the error message."""
    sink = open(out, "wb") if out else subprocess.DEVNULL
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = threading.Timer(timeout, proc.kill) if timeout else None
    if timer:
        timer.start()
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if timer:
        timer.cancel()
    if out:
        sink.close()  # type: ignore[union-attr]
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    step = Step(name, wall, cpu, max(peak[0], usage.ru_maxrss) / 1024, code, target, load=load)
    print(f"{name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {step.peak_mb:.0f} MB, exit {code}",
          file=sys.stderr)  # fmt: skip
    if code not in (0, 3):  # 3: an import that rejected some rows, as the generators intend
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        step.note = "failed: " + " / ".join(tail)
        print(f"  {step.note}", file=sys.stderr)
    return step


# The floor for reading the contact file into SQLite: csv rows straight into one table of text
# columns, one executemany, no cleaning, no matching.
PLAIN_LOAD = """
import csv, sqlite3, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    rows = csv.reader(f, delimiter=";")
    head = next(rows)
    db = sqlite3.connect(sys.argv[2])
    cols = ", ".join(f"c{i} TEXT" for i in range(len(head)))
    db.execute(f"CREATE TABLE contacts ({cols})")
    marks = ", ".join("?" * len(head))
    db.executemany(f"INSERT INTO contacts VALUES ({marks})",
                   (r + [None] * (len(head) - len(r)) if len(r) < len(head) else r[:len(head)]
                    for r in rows))
    db.commit()
"""


def stale_facts(db: Path) -> None:
    """Make the stored days of facts of ``db`` out of date (segments.cache: a day is valid at
    the epoch it was computed at), so the next class filter computes them, as after an import."""
    if not db.exists():
        return
    with sqlite3.connect(db) as conn:
        try:
            conn.execute("UPDATE fact_epoch SET n = n + 1")
        except sqlite3.OperationalError:
            pass  # an older base without stored facts


def cached(path: Path, make) -> Path:
    """``path``, generated first by the command ``make(part)`` returns unless it exists."""
    if not path.exists():
        part = path.with_name(path.name + ".part")
        subprocess.run(make(str(part)), check=True)
        part.replace(path)
    return path


def sqlite_utils(work: Path) -> Path:
    """The sqlite-utils command of a virtual environment kept in the work directory."""
    venv = work / "sqlite-utils-venv"
    exe = venv / "bin" / "sqlite-utils"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "sqlite-utils"], check=True)
    return exe


def fresh(db: Path) -> Path:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    return db


def lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1  # the header


def best_of(n: int, make) -> Step:
    steps = [make() for _ in range(n)]
    return min(steps, key=lambda s: s.wall)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="contact rows and order lines")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/clientbase-speed"),
                    help="files, bases and the sqlite-utils environment (kept between runs)")  # fmt: skip
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per step")
    ap.add_argument("--no-sqlite-utils", action="store_true")
    ap.add_argument("--skip", default="", help="comma-separated steps to leave out: dedupe, ...")
    ap.add_argument("--reuse-bases", action="store_true",
                    help="no imports: time the read paths on the bases of an earlier run")  # fmt: skip
    opt = ap.parse_args(argv)
    work = opt.work
    work.mkdir(parents=True, exist_ok=True)
    skip = {s.strip() for s in opt.skip.split(",") if s.strip()}
    n, customers = opt.rows, max(opt.rows // 10, 10)
    py = sys.executable
    contacts = work / f"contacts-{n}-seed{opt.seed}.csv"
    orders = work / f"orders-{n}-{customers}-seed{opt.seed}.csv"
    if not opt.reuse_bases:
        cached(contacts, lambda out: [py, str(HERE / "generate_contacts.py"), str(n), out,
                                      "--seed", str(opt.seed)])  # fmt: skip
        cached(orders, lambda out: [py, str(HERE / "generate_orders.py"), str(n), out,
                                    "--customers", str(customers), "--seed", str(opt.seed)])  # fmt: skip
    cb = [py, "-m", "clientbase"]
    cdb, odb = work / "contacts.db", work / "orders.db"
    t = opt.timeout
    steps: list[Step] = []
    sdb = work / "sqlite-utils.db"
    use_su = not opt.no_sqlite_utils and (not opt.reuse_bases or sdb.exists())
    if use_su:
        su = str(sqlite_utils(work))
    if not opt.reuse_bases:
        beside = []
        if use_su:
            plain = run("sqlite-utils insert --csv", [su, "insert", str(fresh(sdb)), "contacts",
                        str(contacts), "--csv", "--delimiter", ";"], "", timeout=t)  # fmt: skip
            beside.append(plain)
        python = run("Python csv + one executemany", [py, "-c", PLAIN_LOAD, str(contacts),
                     str(fresh(work / "plain.db"))], "", timeout=t)  # fmt: skip
        beside.append(python)
        imp = run(f"import {n:,} contacts",
                  [*cb, "--db", str(fresh(cdb)), "-q", "import", str(contacts), "--format",
                   "json"], "≤ 20 s, ≤ 500 MB", timeout=t)  # fmt: skip
        imp.beside = "; ".join(f"{b.name}, no cleaning: {b.figures()}" for b in beside)
        if use_su and not beside[0].note:
            imp.note = f"{imp.wall / beside[0].wall:.2f} × sqlite-utils (target ≤ 0.6)"
        steps.append(imp)
        steps.append(run(f"import {n:,} order lines", [*cb, "--db", str(fresh(odb)), "-q",
                         "import", str(orders), "--format", "json"], "≤ 25 s", timeout=t))  # fmt: skip
    else:
        for db in (cdb, odb):  # an earlier version's bases: the schema first, not timed
            subprocess.run([*cb, "--db", str(db), "-q", "db", "upgrade"], check=True)
    stale_facts(odb)
    asof = ["--as-of", AS_OF]
    for i, expr in enumerate(("abc = 'A'", "abc = 'A'", "rfm_segment = 'Champions'",
                              "lifecycle = 'sleeping'")):  # fmt: skip
        out = work / "class-filter.csv"
        when = "first of the day: computes and keeps the classes" if i == 0 else "classes kept"
        s = run(f'`contacts list --where "{expr}" --format csv` ({when})',
                [*cb, "--db", str(odb), "contacts", "list", "--where", expr, "--format", "csv",
                 *asof], "≤ 2 s" if i else "—", out=out, timeout=t)  # fmt: skip
        s.note = s.note or f"{lines(out):,} rows"
        steps.append(s)
    for i, expr in enumerate(("city = 'Москва'", "name contains 'Иван' and source = 'Авито'")):
        out = work / f"own-filter-{i}.csv"
        s = run(f'`contacts list --where "{expr}" --format csv` on the contact base',
                [*cb, "--db", str(cdb), "contacts", "list", "--where", expr, "--format", "csv"],
                "≤ 2 s", out=out, timeout=t)  # fmt: skip
        s.note = s.note or f"{lines(out):,} rows"
        steps.append(s)
    steps.append(run("`analyze abc-xyz`", [*cb, "--db", str(odb), "analyze", "abc-xyz",
                     "--format", "json", *asof], "≤ 3 s, ≤ 400 MB", timeout=t))  # fmt: skip
    steps.append(run("`analyze rfm`", [*cb, "--db", str(odb), "analyze", "rfm", "--format",
                     "json", *asof], "—", timeout=t))  # fmt: skip
    steps.append(run("`report --format html`", [*cb, "--db", str(odb), "report", "--format",
                     "html", *asof], "≤ 3 s, ≤ 400 MB", timeout=t))  # fmt: skip
    if "dedupe" not in skip:
        steps.append(run("`dedupe --dry-run`", [*cb, "--db", str(cdb), "dedupe", "--dry-run",
                         "--format", "json"], "—", timeout=t))  # fmt: skip
    start = best_of(3, lambda: run("start-up: `contacts list --limit 1` (best of 3)",
                    [*cb, "--db", str(cdb), "contacts", "list", "--limit", "1"], "≤ 0.4 s"))  # fmt: skip
    if use_su:
        rows = best_of(3, lambda: run("`sqlite-utils rows --limit 1`",
                       [su, "rows", str(sdb), "contacts", "--limit", "1"], ""))  # fmt: skip
        start.beside = f"{rows.name} (best of 3): {rows.figures()}"
    steps.append(start)
    print_table(steps, opt, contacts, orders, cdb, odb)
    return 1 if any(s.note.startswith("failed") for s in steps) else 0


def print_table(steps: list[Step], opt, contacts: Path, orders: Path, cdb: Path, odb: Path) -> None:
    def count(db: Path, sql: str) -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute(sql).fetchone()[0]

    def size(path: Path) -> str:
        return f" ({path.stat().st_size / 1e6:.0f} MB)" if path.exists() else ""

    live = "SELECT count(*) FROM customers WHERE merged_into_id IS NULL"
    try:
        about = (f"{count(cdb, live):,} customers from the contact file; "
                 f"{count(odb, live):,} customers, {count(odb, 'SELECT count(*) FROM orders'):,} "
                 "orders from the order lines")  # fmt: skip
    except sqlite3.Error:
        about = "(counts unavailable)"
    load = os.getloadavg()
    reused = " (bases of an earlier run, imports not timed)" if opt.reuse_bases else ""
    print(f"\n*{opt.rows:,} contact rows{size(contacts)}, {opt.rows:,} order lines"
          f"{size(orders)}{reused}: {about}. "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end.*\n")  # fmt: skip
    print("| path | wall s | CPU s | peak MB | load | target | met | side by side | note |")
    print("|---|---:|---:|---:|---:|---|---|---|---|")
    for s in steps:
        print(f"| {s.name} | {s.wall:.2f} | {s.cpu:.2f} | {s.peak_mb:.0f} | {s.load:.1f} | "
              f"{s.target} | {s.met()} | {s.beside or '—'} | {s.note} |")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
