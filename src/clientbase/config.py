"""Where the database is: ``--db`` flag, then ``CLIENTBASE_DB``, then the user data dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DB = "CLIENTBASE_DB"
ENV_WAIT = "CLIENTBASE_WAIT"
DEFAULT_FILE_NAME = "clientbase.sqlite3"


@dataclass(frozen=True)
class DatabaseLocation:
    url: str  # SQLAlchemy URL
    path: Path | None  # the file, for SQLite databases; None for server databases
    origin: str  # "--db", "CLIENTBASE_DB" or "default": shown by `db info` to end the guessing


def default_db_path() -> Path:
    # platformdirs is imported here, not at module level, to keep `clientbase --help` fast.
    from platformdirs import user_data_dir

    return Path(user_data_dir("clientbase", appauthor=False)) / DEFAULT_FILE_NAME


def resolve_db(flag: str | None, env: dict[str, str] | None = None) -> DatabaseLocation:
    env = os.environ if env is None else env
    if flag:
        value, origin = flag, "--db"
    elif env.get(ENV_DB):
        value, origin = env[ENV_DB], ENV_DB
    else:
        value, origin = str(default_db_path()), "default"
    return location_from(value, origin)


def location_from(value: str, origin: str = "--db") -> DatabaseLocation:
    if "://" in value:
        path = None
        if value.startswith("sqlite:///") and value != "sqlite:///:memory:":
            path = Path(value[len("sqlite:///") :]).expanduser()
        return DatabaseLocation(url=value, path=path, origin=origin)
    path = Path(value).expanduser().resolve()
    return DatabaseLocation(url=f"sqlite:///{path}", path=path, origin=origin)


def resolve_wait(flag: float | None, env: dict[str, str] | None = None) -> float | None:
    """Seconds to wait for another writer: ``--wait``, then ``CLIENTBASE_WAIT``; None for the
    built-in default."""
    from clientbase.errors import UsageError

    env = os.environ if env is None else env
    if flag is not None:
        return flag
    value = env.get(ENV_WAIT, "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise UsageError(f"{ENV_WAIT}={value!r}: expected a number of seconds, e.g. 900")
    return seconds
