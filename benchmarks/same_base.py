"""Two SQLite bases built from the same files, compared row for row: customers, contact points,
the raw rows with their outcome (the raw record decoded, so its two stored forms compare as the
same row), consents, tags, changes, calls, the duplicate pairs found and the batches' counts.

    python benchmarks/same_base.py /tmp/x/before.db /tmp/x/after.db

Holds two versions of the import to the same result: import the same file(s) into an empty
base with each, then compare. What legitimately differs between two runs is blanked: the times
a run stamps (``created_at``, ``updated_at``, a batch's start and end, and any other time equal
to one of those stamps) and the batch's file path. Prints one line per table and, for a table
that differs, its first differing rows; exits 1 if any table differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys

from clientbase.importers.rawrow import batch_headers, read_raw

# (table, ORDER BY): every row of each, in a fixed order.
TABLES = [
    ("imports", "id"),
    ("customers", "id"),
    ("contact_points", "id"),
    ("import_rows", "import_id, sheet, row_number, id"),
    ("consents", "id"),
    ("tags", "id"),
    ("customer_tags", "customer_id, tag_id"),
    ("import_changes", "id"),
    ("interactions", "id"),
    ("orders", "id"),
    ("dedupe_candidates", "id"),
]
STAMPED = {"created_at", "updated_at", "started_at", "finished_at"}
PER_RUN = {"file_path"}  # where the file was when it was imported


def _stamps(db: sqlite3.Connection) -> set:
    """The times this base's runs stamped on what they wrote."""
    out: set = set()
    for table, _order in TABLES:
        cols = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for col in sorted(cols & STAMPED):
            out.update(v for (v,) in db.execute(f"SELECT DISTINCT {col} FROM {table}") if v)
    return out


def rows(path: str, table: str, order: str):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    stamps = _stamps(db)
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    headers = {
        bid: batch_headers(json.loads(opt) if opt else None)
        for bid, opt in db.execute("SELECT id, options FROM imports")
    }
    cur = db.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}")
    for values in cur:
        row = dict(zip(cols, values, strict=True))
        for col in cols:
            if col in STAMPED or col in PER_RUN or (row[col] in stamps and col.endswith("at")):
                row[col] = "<run>"
        if table == "import_rows" and row["raw"] is not None:
            header = headers.get(row["import_id"], {}).get(row["sheet"] or "")
            row["raw"] = read_raw(row["raw"], header)
        if table == "imports" and row.get("options"):
            opts = json.loads(row["options"])
            row["options"] = {k: v for k, v in opts.items() if k != "raw_header"}
        yield json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
    db.close()


def compare(a: str, b: str, show: int = 3) -> bool:
    same = True
    for table, order in TABLES:
        ha, hb = hashlib.sha256(), hashlib.sha256()
        na = nb = 0
        first: list[tuple[str, str]] = []
        ia, ib = rows(a, table, order), rows(b, table, order)
        while True:
            ra, rb = next(ia, None), next(ib, None)
            if ra is None and rb is None:
                break
            if ra is not None:
                ha.update(ra.encode())
                na += 1
            if rb is not None:
                hb.update(rb.encode())
                nb += 1
            if ra != rb and len(first) < show:
                first.append((ra or "(none)", rb or "(none)"))
        ok = ha.digest() == hb.digest()
        same &= ok
        print(f"{table:18} {na:>10,} / {nb:>10,} rows  {'same' if ok else 'DIFFERENT'}")
        for ra, rb in first:
            print(f"   a: {ra[:300]}\n   b: {rb[:300]}")
    return same


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--show", type=int, default=3, help="differing rows shown per table")
    args = ap.parse_args()
    sys.exit(0 if compare(args.a, args.b, args.show) else 1)


if __name__ == "__main__":
    main()
