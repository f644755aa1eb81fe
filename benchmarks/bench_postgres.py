#!/usr/bin/env python3
"""PostgreSQL against SQLite on the same machine, in one run, on a server started here.

    python benchmarks/bench_postgres.py                        # contacts 100,000 and 1,000,000
    python benchmarks/bench_postgres.py --rows 100000 --orders-lines 0

Steps:

1. Start a throwaway PostgreSQL server (Debian's ``initdb`` + ``pg_ctl``; as the ``postgres``
   user when run as root) in a temporary directory, on a Unix socket only, with the server's
   default settings (durable: fsync and synchronous commit on). It is stopped and deleted at
   the end, also after a failure.
2. For each ``--rows`` size: import the generated contact CSV (``generate_contacts.py``, cached
   as by ``bench_import.py``) into a new SQLite file, then into a new PostgreSQL database, and
   compare the two: wall time, the CPU of the command's whole process tree (the cleaning
   workers included, sampled from ``/proc`` as ``bench_import.py`` does) and of the server's
   processes, and that both imports counted the same customers, duplicates and rejects.
   ``--file`` imports an existing contact CSV instead of a generated one.
3. Import ``--orders-lines`` generated order lines (``generate_orders.py``) into PostgreSQL and
   time ``analyze abc-xyz`` (and ``--by manager``) there; with ``--orders-sqlite`` on SQLite too.

The load average before each step is printed with it: the figures of a shared machine mean
little without it. Besides the wall-time ratio, the CPU ratio is printed: the command's tree and
the server on PostgreSQL against the command's tree on SQLite (whose engine runs inside the
command), the figure that holds on a busy machine too. Targets: a 1,000,000-row contact import on PostgreSQL in at most 1.5 times
the SQLite time; ``analyze abc-xyz`` on 1,000,000 order lines on PostgreSQL in at most 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_import  # noqa: E402  (sibling scripts, not a package)
import bench_orders  # noqa: E402

RATIO_TARGET, ANALYZE_TARGET = 1.5, 5.0
COUNTS = ("rows_read", "created", "duplicates", "rejected")


@dataclass
class Timing:
    step: str
    backend: str
    wall: float
    cpu: float  # the command and every process it started (its cleaning workers)
    server_cpu: float | None  # the PostgreSQL server's processes
    peak_mb: float  # the largest sum of RSS of the command's processes at one moment
    load: float  # 1-minute load average when the step began
    exit_code: int
    stdout: str
    stderr: str


class Server:
    """A PostgreSQL server of its own for the run, in a temporary directory."""

    def __init__(self, port: int, directory: Path | None = None):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        found = shutil.which("initdb")
        if not bins and found is None:
            sys.exit("bench_postgres: no initdb found (apt-get install postgresql)")
        self.bin = bins[-1].parent if bins else Path(found).parent
        self.port = port
        if directory is not None:
            directory.mkdir(parents=True)  # a new one: it is deleted at the end
            self.dir = directory
        else:
            self.dir = Path(tempfile.mkdtemp(prefix="clientbase-bench-pg."))
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.root:
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_quote, cmd))]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._run(self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        opts = f"-c listen_addresses='' -k {self.dir} -p {self.port}"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w",
                  "-o", opts, "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.dir}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=str(self.dir), port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:  # fmt: skip
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _children(self) -> list[int]:
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def wait_for_backends(self, limit: float = 30.0) -> None:
        """Until the backends of the command that ended are gone (and their CPU time is
        counted in the postmaster's): a backend's process title names its client, [local]."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            titles = []
            for child in self._children():
                try:
                    titles.append(Path(f"/proc/{child}/cmdline").read_bytes())
                except FileNotFoundError:
                    pass
            if not any(b"[local]" in t for t in titles):
                return
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU the server has used so far: the postmaster, the backends it has reaped (its
        children's time) and the processes alive now."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        tick = os.sysconf("SC_CLK_TCK")
        total = _proc_cpu(pid, children=True)
        for child in self._children():
            total += _proc_cpu(child, children=False)
        return total / tick


def _quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def _proc_cpu(pid: int, children: bool) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # ended meanwhile; its time is in the postmaster's now
        return 0
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return utime + stime + (cutime + cstime if children else 0)


def run(step: str, backend: str, args: list[str], server: Server | None) -> Timing:
    """Run one command, measured over its whole process tree, and the server's CPU meanwhile."""
    server_before = server.cpu_seconds() if server else None
    figures, stdout, stderr = bench_import.run_tree(args)
    if server is not None:
        server.wait_for_backends()
    server_cpu = server.cpu_seconds() - server_before if server else None
    return Timing(step, backend, figures.wall, figures.cpu, server_cpu, figures.peak_mb,
                  figures.load_before, figures.exit_code, stdout, stderr)  # fmt: skip


def check(t: Timing, allowed=(bench_import.EXIT_OK, bench_import.EXIT_REJECTED)) -> Timing:
    if t.exit_code not in allowed:
        print(f"bench_postgres: {t.step} on {t.backend} failed (exit {t.exit_code})")
        print(t.stderr.rstrip())
        raise SystemExit(1)
    server = f", server {t.server_cpu:.1f} s CPU" if t.server_cpu is not None else ""
    print(
        f"{t.step} on {t.backend}: {t.wall:.1f} s wall, {t.cpu:.1f} s CPU (command and its "
        f"workers){server}, "
        f"{t.peak_mb:.0f} MB peak, load {t.load:.1f} before",
        flush=True,
    )
    return t


def counts(t: Timing) -> dict:
    try:
        summary = json.loads(t.stdout)
    except json.JSONDecodeError:
        return {}
    return {k: summary.get(k) for k in COUNTS}


def total_cpu(t: Timing) -> float:
    return t.cpu + (t.server_cpu or 0.0)


def contacts(rows: int, server: Server, work: Path, seed: int, path: Path | None) -> list[Timing]:
    if path is None:
        path, _ = bench_import.dataset(rows, seed, 0.15, "utf-8")
    cb = bench_import.clientbase_cmd()
    sqlite_db = work / f"contacts-{rows}.sqlite3"
    bench_import.remove_db(sqlite_db)
    lite = check(run(f"import {rows:,} contacts", "SQLite",
                     [*cb, "--db", str(sqlite_db), "-q", "import", str(path), "--format", "json"],
                     None))  # fmt: skip
    bench_import.remove_db(sqlite_db)
    url = server.create_database(f"contacts_{rows}")
    pg = check(run(f"import {rows:,} contacts", "PostgreSQL",
                   [*cb, "--db", url, "-q", "import", str(path), "--format", "json"],
                   server))  # fmt: skip
    if counts(lite) != counts(pg):
        print(f"bench_postgres: the imports differ: SQLite {counts(lite)}, PostgreSQL {counts(pg)}")
        raise SystemExit(1)
    print(f"  same counts on both: {counts(pg)}; PostgreSQL / SQLite = {pg.wall / lite.wall:.2f} "
          f"wall, {total_cpu(pg) / total_cpu(lite):.2f} CPU")  # fmt: skip
    return [lite, pg]


def orders(lines: int, customers: int, server: Server, work: Path, sqlite_too: bool, seed: int):
    path, _ = bench_orders.dataset(lines, customers, seed)
    cb = bench_import.clientbase_cmd()
    targets = [("PostgreSQL", server.create_database(f"orders_{lines}"))]
    if sqlite_too:
        targets.insert(0, ("SQLite", str(work / f"orders-{lines}.sqlite3")))
    timings = []
    for backend, db in targets:
        on = server if backend == "PostgreSQL" else None
        if on is None:
            bench_import.remove_db(db)
        timings.append(check(run(f"import {lines:,} order lines", backend,
                                 [*cb, "--db", db, "-q", "import", str(path), "--format", "json"],
                                 on)))  # fmt: skip
        for extra in ([], ["--by", "manager"]):
            name = " ".join(["analyze abc-xyz", *extra])
            timings.append(check(run(name, backend,
                                     [*cb, "--db", db, "analyze", "abc-xyz", *extra,
                                      "--format", "json"], on), allowed=(0,)))  # fmt: skip
        if on is None:
            bench_import.remove_db(db)
    return timings


def report(timings: list[Timing]) -> None:
    import platform

    print()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| step | backend | wall s | CPU s (command + workers) | CPU s (server) | CPU s (all) "
          "| load before |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|")
    for t in timings:
        server = f"{t.server_cpu:.1f}" if t.server_cpu is not None else "–"
        print(f"| {t.step} | {t.backend} | {t.wall:.1f} | {t.cpu:.1f} | {server} | "
              f"{total_cpu(t):.1f} | {t.load:.1f} |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="clientbase on PostgreSQL against SQLite.")
    ap.add_argument("--rows", default="100000,1000000",
                    help="contact rows to import, comma-separated (100000,1000000)")  # fmt: skip
    ap.add_argument("--orders-lines", type=int, default=1_000_000,
                    help="order lines for abc-xyz (1,000,000; 0 skips it)")  # fmt: skip
    ap.add_argument("--orders-customers", type=int, default=100_000)
    ap.add_argument("--orders-sqlite", action="store_true",
                    help="import and analyse the orders on SQLite too")  # fmt: skip
    ap.add_argument("--file", type=Path,
                    help="import this contact CSV instead of generating --rows rows")  # fmt: skip
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=5630, help="the server's port number (5630)")
    ap.add_argument("--server-dir", type=Path,
                    help="a new directory for the server (default: a temporary one)")  # fmt: skip
    args = ap.parse_args(argv)
    sizes = [int(r) for r in args.rows.split(",") if r.strip()]
    if args.file is not None:  # one import of that file; the size is its line count
        with args.file.open("rb") as f:
            sizes = [sum(1 for _ in f) - 1]

    server = Server(args.port, args.server_dir)
    work = Path(tempfile.mkdtemp(prefix="clientbase-bench-work."))
    timings: list[Timing] = []
    try:
        server.start()
        for rows in sizes:
            timings += contacts(rows, server, work, args.seed, args.file)
        if args.orders_lines:
            timings += orders(args.orders_lines, args.orders_customers, server, work,
                              args.orders_sqlite, args.seed)  # fmt: skip
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(timings)
    for rows in sizes:
        lite, pg = (t for t in timings if t.step == f"import {rows:,} contacts")
        ratio = pg.wall / lite.wall
        verdict = "met" if ratio <= RATIO_TARGET else "NOT met"
        print(f"\n{rows:,} contacts: PostgreSQL {ratio:.2f} x SQLite (wall); "
              f"target <= {RATIO_TARGET:g} x: {verdict}")  # fmt: skip
        print(f"  CPU: PostgreSQL {pg.cpu:.1f} s command + {pg.server_cpu:.1f} s server = "
              f"{total_cpu(pg):.1f} s, SQLite {total_cpu(lite):.1f} s: "
              f"{total_cpu(pg) / total_cpu(lite):.2f} x")  # fmt: skip
    slow = [t for t in timings if t.step.startswith("analyze") and t.backend == "PostgreSQL"]
    if slow:
        worst = max(t.wall for t in slow)
        verdict = "met" if worst <= ANALYZE_TARGET else "NOT met"
        print(f"abc-xyz on PostgreSQL: {worst:.2f} s at most; target <= {ANALYZE_TARGET:g} s: "
              f"{verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
