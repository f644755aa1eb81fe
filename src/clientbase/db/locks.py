"""The lock every clientbase writer takes on PostgreSQL (SQLite locks the file itself): held by
writing transactions (db.engine) and by a schema upgrade (db.migrate), so the two queue."""

# Any constant that other applications sharing the server are unlikely to use: "cbase" in ASCII.
WRITE_LOCK_KEY = 0x6362617365
