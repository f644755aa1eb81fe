#!/usr/bin/env python3
"""Time ``clientbase import`` on a large generated contact list.

    python benchmarks/bench_import.py                 # 1,000,000 rows
    python benchmarks/bench_import.py --rows 100000 --keep

Steps:

1. Generate the CSV with ``generate_contacts.py``. It is cached in ``/tmp/clientbase-bench/``
   by row count and seed, so a second run skips this.
2. Import it into a fresh database, ``/tmp/clientbase-bench/bench.db``.
3. Import the same file again. This must be fast: the file's hash is already known.
4. Run ``contacts list --format json --limit 100``.

Every step runs ``python -m clientbase`` as a child process with the interpreter running this
script, so it uses whatever ``clientbase`` is installed there. Wall time is measured around each
step. Peak RSS comes from ``ru_maxrss`` of that child, read with ``os.wait4``. This is the
per-child form of ``getrusage(RUSAGE_CHILDREN)``: the whole-process form would report the
largest child so far for every later step too.

The first import is also measured over its whole process tree (the cleaning workers are
grandchildren, so ``ru_maxrss`` does not see them): ``/proc`` is sampled every 0.1 s for the
summed RSS of all the processes and their CPU time (user + system), and the load average is
printed before and after, because on a shared machine the wall time says little without it.

    python benchmarks/bench_import.py --file contacts.csv   # time an existing file instead

Other scripts call ``import_file(path)``: it imports one file into a fresh base and returns an
``ImportFigures`` (wall s, CPU s of all processes, peak MB of all processes together, load
average, the import's JSON summary).

Exit code 3 from an import is expected, because the file has rows with no identity on purpose.
The script exits non-zero if a step fails any other way.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_contacts  # noqa: E402  (sibling script, not a package)

WORKDIR = Path(tempfile.gettempdir()) / "clientbase-bench"
EXIT_OK, EXIT_REJECTED = 0, 3


@dataclass
class Step:
    name: str
    rows: int | None
    wall: float
    peak_kib: int
    exit_code: int
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / 1024


def clientbase_cmd() -> list[str]:
    """``python -m clientbase`` for the installed package, or its console entry point."""
    if importlib.util.find_spec("clientbase") is None:
        sys.exit(
            f"bench_import: clientbase is not installed for {sys.executable} "
            "(pip install -e . in the repository)"
        )
    if importlib.util.find_spec("clientbase.__main__") is not None:
        return [sys.executable, "-m", "clientbase"]
    # no __main__ (yet): call the console-script function the wheel installs
    return [
        sys.executable,
        "-c",
        "import sys; sys.argv[0] = 'clientbase'; from clientbase.cli.main import run; run()",
    ]


def run_step(name: str, args: list[str], rows: int | None, timeout: float | None) -> Step:
    """Run one child, return its wall time, peak RSS, exit code and output."""
    # stdout is read from a pipe; stderr goes to a file, so neither can fill up and block.
    with tempfile.TemporaryFile(mode="w+b") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer is not None:
            timer.start()
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    peak = usage.ru_maxrss
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        peak //= 1024
    return Step(name, rows, wall, peak, proc.returncode, out.decode("utf-8", "replace"), stderr)


@dataclass
class ImportFigures:
    """One import measured over its whole process tree."""

    wall: float
    cpu: float  # user + system seconds of the command and every process it started
    peak_mb: float  # the largest sum of RSS of all those processes at one moment
    load_before: float  # 1-minute load average
    load_after: float
    exit_code: int
    summary: dict | None  # the import's JSON output
    # CPU seconds of the command itself, then of each process it started, largest first (the
    # cleaning workers; the fork server and the resource tracker take next to nothing).
    main_cpu: float = 0.0
    other_cpu: tuple[float, ...] = ()

    def line(self) -> str:
        return (
            f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU (all processes), "
            f"{self.peak_mb:.0f} MB peak (all processes), load {self.load_before:.1f} → "
            f"{self.load_after:.1f}"
        )

    def per_process(self) -> str:
        others = ", ".join(f"{c:.1f}" for c in self.other_cpu if c >= 0.05)
        return f"CPU s per process: main {self.main_cpu:.1f}; the others {others or '–'}"


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc; Linux only)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _usage(pid: int) -> tuple[float, int] | None:
    """(CPU seconds, RSS bytes) of one process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(stat[11]) + int(stat[12])) / tick, int(stat[21]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Watched:
    """A finished command watched with every process it started."""

    wall: float
    cpu: dict[int, float]  # CPU seconds (user + system) per process id, the command's included
    peak_bytes: int  # the largest sum of their RSS at one moment
    load_before: float  # 1-minute load average
    load_after: float
    exit_code: int
    stdout: str
    stderr: str


def watch_tree(args: list[str], timeout: float | None = None) -> tuple[int, Watched]:
    """Run a command, sampling its whole process tree from /proc every 0.1 s (workers a fork
    server starts are not waited for by the command, so its own rusage would miss them).
    Returns the command's process id and what was seen."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile(mode="w+b") as out, tempfile.TemporaryFile(mode="w+b") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        cpu: dict[int, float] = {}
        peak = 0
        deadline = None if timeout is None else t0 + timeout
        while proc.poll() is None:
            rss = 0
            for pid in _tree(proc.pid):
                u = _usage(pid)
                if u is not None:
                    cpu[pid] = max(cpu.get(pid, 0.0), u[0])
                    rss += u[1]
            peak = max(peak, rss)
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    watched = Watched(
        wall, cpu, peak, load_before, os.getloadavg()[0], proc.returncode, stdout, stderr
    )
    return proc.pid, watched


def run_tree(args: list[str], timeout: float | None = None) -> tuple[ImportFigures, str, str]:
    """Run a command and measure it with all the processes it starts."""
    pid, w = watch_tree(args, timeout)
    try:
        summary = json.loads(w.stdout)
    except json.JSONDecodeError:
        summary = None
    figures = ImportFigures(
        w.wall, sum(w.cpu.values()), w.peak_bytes / 2**20, w.load_before, w.load_after,
        w.exit_code, summary, w.cpu.get(pid, 0.0),
        tuple(sorted((c for p, c in w.cpu.items() if p != pid), reverse=True)),
    )  # fmt: skip
    return figures, w.stdout, w.stderr


def import_file(path: Path | str, db: Path | str | None = None, timeout: float | None = None):
    """Import one contact file into a fresh base (deleted afterwards) and measure it.

    ``db``: a SQLite path or a PostgreSQL URL (its clientbase tables are dropped before and
    after); by default ``/tmp/clientbase-bench/import-file.db``."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    db = db or WORKDIR / "import-file.db"
    remove_db(db)
    try:
        cmd = [*clientbase_cmd(), "--db", str(db), "-q", "import", str(path), "--format", "json"]
        figures, _, stderr = run_tree(cmd, timeout)
    finally:
        remove_db(db)
    if figures.exit_code not in (EXIT_OK, EXIT_REJECTED):
        raise RuntimeError(f"import failed with exit code {figures.exit_code}: {stderr[-2000:]}")
    return figures


def cached_dataset(stem: str, suffix: str, what: str, make) -> tuple[Path, dict]:
    """A generated file and its counts, from the cache in WORKDIR or made now by
    ``make(path) -> counts``."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = WORKDIR / f"{stem}{suffix}"
    meta = WORKDIR / f"{stem}.json"
    if path.exists() and meta.exists():
        counts = json.loads(meta.read_text())
        print(f"dataset: {path} (cached, {path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
        return path, counts
    print(f"dataset: generating {what} into {path} ...", file=sys.stderr)
    t0 = time.perf_counter()
    tmp = path.with_suffix(".part")
    counts = make(tmp)
    tmp.replace(path)
    meta.write_text(json.dumps(counts))
    print(
        f"dataset: {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:.0f} MB",
        file=sys.stderr,
    )
    return path, counts


def dataset(rows: int, seed: int, dup_rate: float, encoding: str) -> tuple[Path, dict]:
    return cached_dataset(
        f"contacts-{rows}-seed{seed}-dup{dup_rate:g}-{encoding}",
        ".csv",
        f"{rows:,} rows",
        lambda tmp: generate_contacts.write_csv(
            rows, tmp, seed=seed, dup_rate=dup_rate, encoding=encoding
        ),
    )


def print_report(path: Path, about: str, steps: list[Step], unit: str) -> None:
    """The machine line and the markdown table of timings, ready for a README."""
    print()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; file {path.stat().st_size / 1e6:.0f} MB {about}"
    )
    print()
    print(f"| step | {unit} | wall s | peak MB |")
    print("|---|---:|---:|---:|")
    for s in steps:
        rows = f"{s.rows:,}" if s.rows is not None else "–"
        print(f"| {s.name} | {rows} | {s.wall:.2f} | {s.peak_mb:.0f} |")


def compact(value, limit: int = 10):
    """The command's JSON with long lists cut short (the rejected rows, for one)."""
    if isinstance(value, dict):
        return {k: compact(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > limit:
            return [compact(v, limit) for v in value[:3]] + [f"... {len(value) - 3} more"]
        return [compact(v, limit) for v in value]
    return value


def remove_db(db: Path | str) -> None:
    """Delete the benchmark's SQLite file, or empty the server database given by --db (only
    clientbase's own tables are dropped)."""
    if "://" in str(db):
        from clientbase.db.engine import make_engine
        from clientbase.db.models import Base

        engine = make_engine(str(db))
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
        return
    db = Path(db)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for backup in db.parent.glob(db.name + ".*.bak"):
        backup.unlink()


def add_db_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--db",
        metavar="URL",
        help="a PostgreSQL database to run on instead of a SQLite file, e.g. "
        "'postgresql+psycopg://postgres@/bench?host=/tmp/pg' (its clientbase tables are "
        "dropped before and after)",
    )


def check(step: Step, allowed: tuple[int, ...]) -> None:
    if step.exit_code not in allowed:
        print(f"bench_import: {step.name} failed with exit code {step.exit_code}", file=sys.stderr)
        if step.stderr.strip():
            print(step.stderr.rstrip(), file=sys.stderr)
        sys.exit(1)


def print_json(label: str, text: str, full: bool) -> dict | list | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        print(f"{label}: (not JSON)\n{text.strip()[:2000]}")
        return None
    print(f"{label}:")
    print(json.dumps(data if full else compact(data), ensure_ascii=False, indent=2))
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time `clientbase import` on a generated file.")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows to generate (1,000,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.15)
    ap.add_argument("--encoding", choices=("utf-8", "cp1251"), default="utf-8")
    ap.add_argument(
        "--keep", action="store_true", help=f"keep the database ({WORKDIR}/bench.db) afterwards"
    )
    ap.add_argument("--full-json", action="store_true", help="print the JSON summary uncut")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step (none)")
    ap.add_argument("--file", type=Path, help="time this contact file instead of a generated one")
    add_db_option(ap)
    args = ap.parse_args(argv)

    if args.file is not None:
        path, expected = args.file, None
    else:
        path, expected = dataset(args.rows, args.seed, args.dup_rate, args.encoding)
    if args.db is None:
        WORKDIR.mkdir(parents=True, exist_ok=True)  # with --file nothing else made it
    db = args.db or WORKDIR / "bench.db"
    remove_db(db)
    cb = [*clientbase_cmd(), "--db", str(db)]
    steps: list[Step] = []
    try:
        figures, stdout, stderr = run_tree(
            [*cb, "-q", "import", str(path), "--format", "json"], args.timeout
        )
        rows = figures.summary["rows_read"] if figures.summary else args.rows
        first = Step(
            "import", rows, figures.wall, int(figures.peak_mb * 1024), figures.exit_code,
            stdout, stderr,
        )  # fmt: skip
        steps.append(first)
        check(first, (EXIT_OK, EXIT_REJECTED))
        print(
            f"import {rows:,} rows: {figures.line()}, {rows / first.wall:,.0f} rows/s, "
            f"exit {first.exit_code}"
        )
        summary = print_json("import summary", first.stdout, args.full_json)
        if expected is not None:
            print(
                "expected from the generator: "
                f"{expected['persons']:,} customers created, "
                f"{expected['duplicates']:,} rows folded into earlier ones, "
                f"{expected['rejects']:,} rejected; "
                f"{expected['garbage_phones']:,} invalid phones, "
                f"{expected['bad_emails']:,} invalid e-mails"
            )
        if isinstance(summary, dict) and expected is not None:
            for key, want in (("created", "persons"), ("rejected", "rejects")):
                if isinstance(summary.get(key), int) and summary[key] != expected[want]:
                    print(f"  note: {key} = {summary[key]:,}, expected {expected[want]:,}")

        again = run_step(
            "import again (same file)",
            [*cb, "-q", "import", str(path), "--format", "json"],
            rows,
            args.timeout,
        )
        steps.append(again)
        check(again, (EXIT_OK, EXIT_REJECTED))
        print(
            f"import again: {again.wall:.2f} s wall, {again.peak_mb:.0f} MB peak RSS, "
            f"exit {again.exit_code}"
        )
        print_json("second import summary", again.stdout, args.full_json)

        listing = run_step(
            "contacts list --limit 100",
            [*cb, "contacts", "list", "--format", "json", "--limit", "100"],
            None,
            args.timeout,
        )
        steps.append(listing)
        check(listing, (EXIT_OK,))
        try:
            n_listed = len(json.loads(listing.stdout))
        except (json.JSONDecodeError, TypeError):
            n_listed = "?"
        print(
            f"contacts list: {listing.wall:.2f} s wall, {listing.peak_mb:.0f} MB peak RSS, "
            f"{n_listed} customers"
        )
    finally:
        if not args.keep:
            remove_db(db)

    about = (
        f"({args.encoding}), dup rate {args.dup_rate:g}, seed {args.seed}"
        if args.file is None
        else ""
    )
    print_report(path, about, steps, "rows")
    print(f"\nimport, all processes: {figures.line()}")
    print(f"import, {figures.per_process()}")
    if args.keep:
        print(f"\ndatabase kept: {db}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
