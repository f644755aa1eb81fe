"""Every file of the hostile corpus through `clientbase import`, in a child process.

For each case: the exit code is one of ours (0, 1, 2, 3); stderr is at most one line and never a
traceback; a file that is read has every row accounted for — rows read equals the rows the
generator wrote, and equals rows imported plus rows rejected; a refused file is refused with one
line naming it. The child's peak memory over the whole run (taken from the kernel when it exits,
worker processes included) stays under 500 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hostile.generate import build

HERE = Path(__file__).resolve().parent
PEAK_LIMIT_MB = 500


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    results = root / "results.json"
    with (root / "stdout").open("wb") as out, (root / "stderr").open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, str(HERE / "driver.py"), str(root / "corpus"), str(root / "db"),
             str(results)],
            stdout=out, stderr=err,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, (root / "stderr").read_text()
    cases = build(root / "corpus")  # the same files again: deterministic
    return cases, json.loads(results.read_text()), usage.ru_maxrss / 1024


def test_corpus_is_big_enough(corpus_run):
    cases, results, _ = corpus_run
    assert len(cases) >= 40 and set(results) == {c.name for c in cases}


def test_every_hostile_file_is_read_or_refused_in_one_line(corpus_run):
    cases, results, _ = corpus_run
    problems = []
    for case in cases:
        r = results[case.name]
        where = f"{case.name}: exit {r['exit']}, stderr {r['stderr']!r}"
        lines = r["stderr"].splitlines()
        if r["exit"] not in (0, 1, 2, 3) or r["exception"] or len(lines) > 1:
            problems.append(where)
            continue
        if "Traceback" in r["stderr"] or "internal error" in r["stderr"]:
            problems.append(where)
            continue
        if case.refused is not None:
            if r["exit"] != 1 or case.refused.lower() not in r["stderr"].lower():
                problems.append(f"{where}: expected a refusal saying {case.refused!r}")
            continue
        if r["exit"] not in (0, 3):
            problems.append(where)
            continue
        s = json.loads(r["stdout"])
        imported = s["created"] + s["updated"] + s["unchanged"] + s["duplicates"]
        imported += s["skipped_rows"]
        if not (s["rows_read"] == case.rows == imported + s["rejected"]):
            problems.append(
                f"{case.name}: rows read {s['rows_read']}, in the file {case.rows}, "
                f"imported {imported} + rejected {s['rejected']}"
            )
    assert problems == []


def test_peak_memory_stays_low(corpus_run):
    _, _, peak_mb = corpus_run
    assert peak_mb < PEAK_LIMIT_MB
