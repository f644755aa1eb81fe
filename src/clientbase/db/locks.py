"""The lock every clientbase writer takes on PostgreSQL (SQLite locks the file itself): held by
writing transactions (db.engine) and by a schema upgrade (db.migrate), so the two queue. And the
errors PostgreSQL answers a conflict with, which the command runs again (cli.main)."""

# Any constant that other applications sharing the server are unlikely to use: "cbase" in ASCII.
WRITE_LOCK_KEY = 0x6362617365

# SQLSTATEs PostgreSQL documents as "retry the transaction": serialization_failure and
# deadlock_detected.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
RETRIES = 5


def is_transient(exc: BaseException) -> bool:
    """True for an error the server asks us to answer by running the transaction again."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES
