"""The listings of two versions of clientbase, byte for byte, on the same data.

    python benchmarks/compare_listing.py --before-src /tmp/old/src \\
        --contacts OLD.db NEW.db --orders OLD.db NEW.db [--runs 1]

Runs every command of ``COMMANDS`` (contact listings: own-column filters, and/or, classes,
CSV / JSON / table, --limit, the whole base) with the version whose sources are in
``--before-src`` (its ``clientbase`` package, put first on PYTHONPATH) on the first base of each
pair, and with the installed version on the second: a base at an older schema stays readable by
the older code while the newer one reads its upgraded copy. Prints, per command, the size and
whether the two outputs are identical, and the CPU seconds (user + system of the command) of
each; exits 1 if any output differs. The outputs go to a temporary directory and are compared
by SHA-256, so a million-row listing is never held in memory.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (base, arguments of `clientbase contacts list`)
COMMANDS = [
    ("contacts", ["--where", "city = 'Москва'", "--format", "csv"]),
    ("contacts", ["--where", "city = 'Москва'", "--format", "json"]),
    ("contacts", ["--where", "city = 'Москва'", "--limit", "30"]),
    ("contacts", ["--where", "name contains 'Иван'", "--format", "csv"]),
    ("contacts", ["--where", "name contains 'Иван' and source = 'Авито'", "--format", "csv"]),
    ("contacts", ["--where", "city = 'Казань' or source = 'Авито'", "--format", "csv"]),
    ("contacts", ["--where", "not city in ('Москва', 'Санкт-Петербург') and gender = 'ж'",
                  "--format", "csv", "--columns", "id,name,phones,lifecycle"]),
    ("contacts", ["--where", "city = null", "--format", "csv", "--limit", "5000"]),
    ("contacts", ["--limit", "1"]),
    ("contacts", ["--limit", "50", "--format", "json"]),
    ("contacts", ["--format", "csv"]),
    ("contacts", ["--where", "has_phone and city = 'Москва'", "--format", "csv"]),
    ("orders", ["--where", "abc = 'A'", "--format", "csv", "--as-of", "2025-12-31"]),
    ("orders", ["--where", "rfm_segment = 'Champions'", "--format", "csv", "--as-of",
                "2025-12-31"]),
    ("orders", ["--where", "lifecycle = 'sleeping'", "--format", "csv", "--as-of", "2025-12-31"]),
    ("orders", ["--where", "id <= 50000", "--format", "csv", "--as-of", "2025-12-31"]),
    ("orders", ["--format", "csv", "--as-of", "2025-12-31"]),
    # a day whose facts are not kept: the stages of the listed buyers computed
    ("orders", ["--where", "id <= 3000", "--format", "csv", "--as-of", "2025-10-31"]),
    ("orders", ["--where", "id <= 50000", "--format", "csv", "--as-of", "2025-10-31"]),
]  # fmt: skip


def run(src: str | None, db: Path, args: list[str], out: Path) -> tuple[float, float]:
    """Runs one listing into ``out``; (CPU seconds, wall seconds)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "clientbase", "--db", str(db), "contacts", "list", *args]
    start = time.perf_counter()
    with out.open("wb") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(args)}: exit {code}: {err.strip()}")
    return usage.ru_utime + usage.ru_stime, wall


def digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before-src", required=True, help="the src/ folder of the earlier version")
    p.add_argument("--contacts", nargs=2, type=Path, required=True, metavar=("BEFORE", "AFTER"))
    p.add_argument("--orders", nargs=2, type=Path, required=True, metavar=("BEFORE", "AFTER"))
    p.add_argument("--runs", type=int, default=1, help="runs of each side (CPU: the least)")
    a = p.parse_args()
    bases = {"contacts": a.contacts, "orders": a.orders}
    differ = 0
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| command | bytes | identical | CPU s before | CPU s after |")
    print("|---|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="compare-listing-") as tmp:
        for base, args in COMMANDS:
            before_db, after_db = bases[base]
            cpu = {"before": [], "after": []}
            sums = {}
            for _ in range(a.runs):
                for side, src, db in (
                    ("before", a.before_src, before_db),
                    ("after", None, after_db),
                ):
                    out = Path(tmp) / f"{side}.out"
                    cpu[side].append(run(src, db, args, out)[0])
                    sums[side] = (digest(out), out.stat().st_size)
            same = sums["before"] == sums["after"]
            differ += not same
            shown = " ".join(f"'{x}'" if " " in x else x for x in args)
            print(f"| {base}: `{shown}` | {sums['after'][1]:,} | {'yes' if same else '**NO**'}"
                  f" | {min(cpu['before']):.2f} | {min(cpu['after']):.2f} |", flush=True)  # fmt: skip
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
