"""SQLite's floor for a first load: the rows an import wrote, inserted again and nothing else.

    python benchmarks/sqlite_floor.py /tmp/x/imported.db
    python benchmarks/sqlite_floor.py /tmp/x/imported.db --journal DELETE   # as a first load

Reads the customers, contact points and raw rows of a base an import built (only the columns it
filled, in id order), then, in a new base with the same schema and the same pragmas as
clientbase's connections, times one ``executemany`` per table inside one transaction, the
secondary indexes a first load builds at its end (``pipeline.DEFERRED_INDEXES``; the index of
contact points by customer is kept during the load, as the import keeps it) and the commit. No
cleaning, no matching, no Python per row beyond the driver's binding: whatever the import's main
process spends on top of these figures is its own work. Prints CPU seconds (and wall seconds,
which only mean something on an idle machine) per step. ``--journal DELETE``: the load with a
rollback journal, as a first load into an empty base writes (see engine.write_transaction); the
default is the write-ahead log every other transaction uses.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from clientbase.db.engine import CACHE_KIB
from clientbase.importers.pipeline import DEFERRED_INDEXES

TABLES = ("customers", "contact_points", "import_rows")


def floor(source: Path, target: Path, journal: str = "WAL") -> dict[str, float]:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in (f"journal_mode={journal}", "synchronous=NORMAL", "foreign_keys=ON",
                   f"cache_size=-{CACHE_KIB}"):  # fmt: skip
        dst.execute(f"PRAGMA {pragma}")
    deferred = {ix.name for ix in DEFERRED_INDEXES}
    for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
    ):
        dst.execute(sql)
    later = []
    for name, sql in src.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ):
        if name in deferred:
            later.append(sql)
        else:
            dst.execute(sql)
    figures: dict[str, float] = {}
    dst.execute("BEGIN")
    batches = src.execute("SELECT * FROM imports").fetchall()
    if batches:
        marks = ", ".join("?" * len(batches[0]))
        dst.executemany(f"INSERT INTO imports VALUES ({marks})", batches)
    for table in TABLES:
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
        filled = [
            c
            for c in cols
            if src.execute(f"SELECT 1 FROM {table} WHERE {c} IS NOT NULL LIMIT 1").fetchone()
        ]
        rows = src.execute(f"SELECT {', '.join(filled)} FROM {table} ORDER BY id").fetchall()
        sql = f"INSERT INTO {table} ({', '.join(filled)}) VALUES ({', '.join('?' * len(filled))})"
        figures[f"{table}: {len(rows):,} rows, {len(filled)} columns"] = _timed(
            lambda sql=sql, rows=rows: dst.executemany(sql, rows)
        )
        del rows
    figures[f"{len(later)} secondary indexes built at the end"] = _timed(
        lambda: [dst.execute(sql) for sql in later]
    )
    figures["commit"] = _timed(lambda: dst.execute("COMMIT"))
    src.close()
    dst.close()
    return figures


def _timed(step) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    step()
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path, help="a SQLite base an import built")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sqlite-floor.db")
    ap.add_argument(
        "--journal",
        default="WAL",
        help="the journal mode of the load (WAL, as clientbase's connections; DELETE: a rollback "
        "journal, whose pages are written once instead of to the log and again at the checkpoint)",
    )
    args = ap.parse_args()
    figures = floor(args.db, args.work, args.journal)
    print("| step | CPU s | wall s |\n|---|---:|---:|")
    for step, (cpu, wall) in figures.items():
        print(f"| {step} | {cpu:.2f} | {wall:.2f} |")
    cpu = sum(c for c, _ in figures.values())
    wall = sum(w for _, w in figures.values())
    print(f"| all of it | {cpu:.2f} | {wall:.2f} |")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.work}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
