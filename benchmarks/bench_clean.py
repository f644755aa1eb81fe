"""The cleaning workers' share of a contact import, alone: CPU per chunk, a profile, and a digest
of every cleaned chunk to prove that two versions of the cleaning give the same output.

The CSV is read once with the import's own reader and chunked as the import chunks it; the
chunks are kept in a pickle file next to the input (``--jobs``), so later runs time nothing but
the cleaning (``clean_rows_packed``, what a worker process runs for each chunk)::

    python benchmarks/bench_clean.py --file contacts.csv --jobs /tmp/me/jobs.pkl
    python benchmarks/bench_clean.py --jobs /tmp/me/jobs.pkl --profile 20     # cProfile, top 20
    python benchmarks/bench_clean.py --jobs /tmp/me/jobs.pkl --digest new.txt
    PYTHONPATH=/tmp/old/src python benchmarks/bench_clean.py --jobs ... --digest old.txt
    cmp old.txt new.txt                                                       # equal output

The digest of a chunk is the sha256 of the ``repr`` of what the worker hands back, so it covers
every value, its type and order, and every reason and warning text (``--named``: of what the
in-process path returns, named tuples with their class names).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import os
import pickle
import pstats
import sys
import time
from pathlib import Path

from clientbase.importers import clean
from clientbase.importers.mapping import build_mapping, header_score, to_record
from clientbase.importers.region import region_for
from clientbase.importers.tabular import read_csv
from clientbase.normalize.phones import split_phones

CHUNK_ROWS = 5000  # as the import pipeline chunks a table


def write_jobs(csv_path: Path, jobs_path: Path, rows: int | None) -> int:
    """Read the CSV as the import does and store its chunks as the workers receive them."""
    table = read_csv(csv_path, encoding=None, delimiter=None, header_score=header_score)
    mapping = build_mapping(table.header, {})
    chunks = []
    chunk: list = []
    count = 0
    for item in table.rows:
        chunk.append(item)
        count += 1
        if len(chunk) >= CHUNK_ROWS:
            chunks.append(chunk)
            chunk = []
        if rows is not None and count >= rows:
            break
    if chunk:
        chunks.append(chunk)
    first = chunks[0] if chunks else []
    numbers = (
        part
        for n, cells in first
        if not clean.is_blank(cells)
        for cell, _label in to_record(mapping, n, cells, None).phones
        for part in split_phones(cell)
    )
    region = region_for(numbers, "RU", chosen=False).region
    with jobs_path.open("wb") as f:
        pickle.dump(len(chunks), f)
        for c in chunks:
            pickle.dump((mapping, c, None, region, None), f, protocol=pickle.HIGHEST_PROTOCOL)
    return count


def read_jobs(jobs_path: Path):
    with jobs_path.open("rb") as f:
        for _ in range(pickle.load(f)):
            yield pickle.load(f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, help="the CSV to chunk (writes --jobs)")
    ap.add_argument("--jobs", type=Path, required=True, help="the chunks, as pickled by --file")
    ap.add_argument("--rows", type=int, help="only the first ROWS rows of --file")
    ap.add_argument("--chunks", type=int, help="clean only the first CHUNKS chunks")
    ap.add_argument("--profile", type=int, metavar="N", help="cProfile, the top N by own time")
    ap.add_argument("--digest", type=Path, help="write one sha256 line per cleaned chunk")
    ap.add_argument(
        "--named", action="store_true", help="clean_rows (named tuples, in-process) instead"
    )
    args = ap.parse_args()
    if args.file:
        n = write_jobs(args.file, args.jobs, args.rows)
        print(f"{n:,} rows chunked into {args.jobs}")
    clean.worker_init()  # as in a worker: no cyclic GC
    cleaning = clean.clean_rows if args.named else clean.clean_rows_packed
    profiler = cProfile.Profile() if args.profile else None
    digests = []
    cpu = 0.0
    rows = 0
    for i, job in enumerate(read_jobs(args.jobs)):
        if args.chunks is not None and i >= args.chunks:
            break
        t0 = time.process_time()
        if profiler is not None:
            profiler.enable()
        out = cleaning(job)
        if profiler is not None:
            profiler.disable()
        cpu += time.process_time() - t0
        rows += len(job[1])
        if args.digest:
            digests.append(hashlib.sha256(repr(out).encode()).hexdigest())
        del out
    gc.enable()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"cleaned {rows:,} rows: {cpu:.2f} s CPU (load average {load})")
    if args.digest:
        args.digest.write_text("\n".join(digests) + "\n")
        print(f"{len(digests)} chunk digests in {args.digest}")
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
