"""`report` and `analyze abc-xyz` read orders and customers: they load neither what the import
cleans with (phone and e-mail parsers, the column mapping, the import pipeline) nor the option
validation library, which together took about a second of each run on a million-line base."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import insert

from clientbase.config import resolve_db
from clientbase.db.engine import open_database, write_transaction
from clientbase.db.models import customers, interactions, orders

T0 = datetime(2025, 1, 1)
# Whole packages (and modules) none of the two commands needs.
NOT_NEEDED = ("clientbase.importers", "clientbase.normalize.phones", "clientbase.normalize.emails",
              "clientbase.normalize.names", "clientbase.services.card", "phonenumbers",
              "email_validator", "pydantic")  # fmt: skip
# ...but for the settings the import keeps in the base (the segments read the own numbers).
READ_SETTINGS = ("clientbase.importers", "clientbase.importers.settings")

SCRIPT = """
import sys
from clientbase.cli.main import run
sys.argv = ['clientbase', '--db', *sys.argv[1:]]
try:
    run()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print()
print(code, *sorted(m for m in sys.modules
                    if m.startswith(NOT_NEEDED) and m not in READ_SETTINGS))
"""


@pytest.fixture
def db(new_db):
    url = new_db("imports")
    engine = open_database(resolve_db(url))
    with write_transaction(engine) as conn:
        for n in range(12):
            cid = conn.execute(
                insert(customers).values(display_name=f"Покупатель {n}", status="active",
                                         created_at=T0, updated_at=T0)
            ).inserted_primary_key[0]  # fmt: skip
            for month in range(1, 1 + n % 6 + 1):
                conn.execute(
                    insert(orders).values(customer_id=cid, ordered_at=datetime(2025, month, 3),
                                          amount=100 * (n + 1) + month, created_at=T0)
                )  # fmt: skip
        conn.execute(
            insert(interactions).values(customer_id=cid, kind="reminder", note="позвонить",
                                        due_at=datetime(2025, 12, 1), occurred_at=T0,
                                        created_at=T0)
        )  # fmt: skip
    engine.dispose()
    return url


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--format", "html", "--as-of", "2025-12-31"],
        ["report", "--format", "json", "--period", "month", "--as-of", "2025-12-31"],
        ["analyze", "abc-xyz", "--format", "json"],
        ["analyze", "abc-xyz", "--by", "manager", "--format", "csv"],
    ],
)
def test_the_report_and_abc_xyz_load_only_what_they_read(db, args):
    done = subprocess.run(
        [sys.executable, "-c", f"NOT_NEEDED, READ_SETTINGS = {NOT_NEEDED!r}, {READ_SETTINGS!r}\n"
         + SCRIPT, db, *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    output, last = done.stdout.rstrip().rsplit("\n", 1)
    assert last == "0", done.stdout[-2000:] + done.stderr  # exit 0, and none of them loaded
    assert len(output) > 200  # the report or the table was printed
