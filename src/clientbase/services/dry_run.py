"""Dry runs: a change made in full inside its transaction, then rolled back.

The same checks, counts and errors as the real run (nothing is estimated), and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from clientbase.db.engine import write_transaction


class _RolledBack(Exception):
    """Raised at the end of a dry run's transaction so that it rolls back."""


@contextmanager
def changes(engine: Engine, *, dry_run: bool = False) -> Iterator[Connection]:
    """``write_transaction``, rolled back at the end when ``dry_run``."""
    try:
        with write_transaction(engine) as conn:
            yield conn
            if dry_run:
                raise _RolledBack
    except _RolledBack:
        pass
