"""`contacts list --format csv` streams tuples (services.contacts.iter_contact_rows): the same
values, under the same columns, as the customers `iter_contacts` lists."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from clientbase.services.contacts import (
    ROW_FIELDS,
    iter_contact_rows,
    iter_contacts,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COLUMNS = sorted(ROW_FIELDS)


@pytest.fixture
def base(cli):
    for name in ("клиенты_магазин.csv", "google_contacts.csv", "продажи_2025.csv"):
        cli("import", str(EXAMPLES / name), expect=None)
    ids = [c["id"] for c in cli.json("contacts", "list")]
    cli("tag", "add", "опт", *map(str, ids[::3]))
    cli("tag", "add", "VIP", *map(str, ids[::4]))
    cli("note", str(ids[0]), "перезвонить", "--as", "call")
    cli("contacts", "archive", str(ids[1]))
    cli("dedupe", "merge", str(ids[2]), str(ids[5]))
    return ids


def test_every_column_holds_what_the_listing_holds(cli, base):
    engine = cli.engine()
    for kwargs in ({}, {"ids": base[::2]}, {"search": "ова"}, {"limit": 3},
                   {"ids": base, "limit": 4}):  # fmt: skip
        want = [tuple(c[k] for k in COLUMNS) for c in iter_contacts(engine, **kwargs)]
        got = list(iter_contact_rows(engine, COLUMNS, page=2, **kwargs))
        assert got == want, kwargs
        assert want  # the case lists someone


def test_the_csv_is_the_same_whatever_the_way(cli, base):
    where = "orders >= 1 or tags contains 'опт'"
    quick = cli("contacts", "list", "--where", where, "--format", "csv").stdout
    # --sort takes the way through the full listing; by id it keeps the order
    full = cli("contacts", "list", "--where", where, "--format", "csv", "--sort", "id").stdout
    assert quick == full
    rows = list(csv.reader(io.StringIO(quick)))
    assert len(rows) > 3 and rows[0][0] == "id"
    picked = cli("contacts", "list", "--format", "csv", "--columns", "id,tags,phones,calls").stdout
    first = list(csv.reader(io.StringIO(picked)))[1]
    assert first[0] == str(base[0]) and first[3] == "1"  # the call written down above
