"""The analyses' outputs on a base, written to a folder, to hold two versions of the code to the
same bytes: run it with the version before (``--out before``), then with the version after
(``--out after --compare before``); it names every file that differs.

    python benchmarks/same_outputs.py --db /tmp/x/orders.db --out /tmp/x/before
    python benchmarks/same_outputs.py --db /tmp/x/orders.db --out /tmp/x/after --compare /tmp/x/before

The commands are those a user runs (``clientbase`` of the active environment, or ``--exe``);
the report's time of making (``generated_at``) is the one part that may differ and is blanked.
Each command's CPU seconds (user + system) and peak memory are printed beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2025-12-31"
COMMANDS = {
    "abc_xyz.json": ["analyze", "abc-xyz", "--format", "json"],
    "abc_xyz.csv": ["analyze", "abc-xyz", "--format", "csv"],
    "abc_xyz_by_manager.json": ["analyze", "abc-xyz", "--by", "manager", "--format", "json"],
    # the cells with margins, by weeks (day numbers in SQL), over a window of the history
    "abc_xyz_margin_weeks.json": [
        "analyze",
        "abc-xyz",
        "--metric",
        "margin",
        "--period",
        "week",
        "--from",
        "2025-01-01",
        "--to",
        "2025-09-30",
        "--format",
        "json",
    ],
    "rfm.json": ["analyze", "rfm", "--format", "json", "--as-of", AS_OF],
    "rfm.csv": ["analyze", "rfm", "--format", "csv", "--as-of", AS_OF],
    "ltv.json": ["analyze", "ltv", "--format", "json", "--as-of", AS_OF],
    "ltv_cohort.csv": ["analyze", "ltv", "--method", "cohort", "--format", "csv", "--as-of", AS_OF],
    "churn.json": ["analyze", "churn", "--format", "json", "--as-of", AS_OF],
    # the customers' groups (db.joined texts of every customer's manager or channel)
    "churn_by_channel.json": [*"analyze churn --by channel --format json --as-of".split(), AS_OF],
    "ltv_cohort_by_manager.json": [
        *"analyze ltv --method cohort --by manager --format json --as-of".split(),
        AS_OF,
    ],
    "report.json": ["report", "--format", "json", "--as-of", AS_OF],
    "report.html": ["report", "--format", "html", "--as-of", AS_OF],
    "report_month.json": ["report", "--format", "json", "--period", "month", "--as-of", AS_OF],
    "report_today.json": ["report", "--format", "json"],
    "report_year.json": ["report", "--format", "json", "--period", "year", "--as-of", AS_OF],
}
# The one part of a report that changes from run to run: when it was made (the HTML joins the
# day and the time with a no-break space).
_MADE = re.compile(rb"\d{4}-\d{2}-\d{2}(?: |\xc2\xa0)\d{2}:\d{2}(?::\d{2})?(?=\W)")


def _blank_made(name: str, data: bytes) -> bytes:
    if not name.startswith("report"):
        return data
    if name.endswith(".json"):
        return re.sub(rb'"generated_at": "[^"]*"', b'"generated_at": ""', data)
    return _MADE.sub(b"<made>", data)


def run(exe: str, db: str, out: Path, only: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, args in COMMANDS.items():
        if only and name not in only:
            continue
        t = time.perf_counter()
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(
                [*shlex.split(exe), "--db", db, *args], stdout=stdout, stderr=stderr
            )
            # wait4: this command's own CPU and peak memory, not a sum over the runs
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t
            code = proc.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            text, errors = stdout.read(), stderr.read()
        cpu = usage.ru_utime + usage.ru_stime
        if code not in (0, 4):
            sys.exit(f"{name}: exit {code}: {errors.decode()[-500:]}")
        (out / name).write_bytes(_blank_made(name, text))
        with open("/proc/loadavg") as fh:
            load = fh.read().split()[0]
        print(
            f"{name:28} {wall:6.2f} s wall {cpu:6.2f} s CPU "
            f"{usage.ru_maxrss // 1024:5} MB peak, load {load}",
            flush=True,
        )


def compare(out: Path, other: Path) -> int:
    bad = 0
    for name in sorted(p.name for p in other.iterdir()):
        a, b = (
            (other / name).read_bytes(),
            (out / name).read_bytes() if (out / name).exists() else None,
        )
        same = a == b
        bad += not same
        digest = hashlib.sha256(a).hexdigest()[:16]
        print(f"{'same' if same else 'DIFFERENT':9} {name} ({len(a):,} bytes, sha256 {digest})")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--compare", type=Path, help="a folder an earlier run wrote")
    ap.add_argument(
        "--exe",
        default=str(Path(sys.executable).with_name("clientbase")),
        help="the command to run, e.g. 'python -m clientbase' with PYTHONPATH set to another tree",
    )
    ap.add_argument("--only", nargs="*", default=[], help="file names of COMMANDS")
    a = ap.parse_args()
    run(a.exe, a.db, a.out, a.only)
    if a.compare:
        sys.exit(1 if compare(a.out, a.compare) else 0)


if __name__ == "__main__":
    main()
