"""Where the database is (``--db`` flag, then ``CLIENTBASE_DB``, then the config file, then the
user data dir), and the config file itself: a flat TOML file of user defaults that
services.config checks and resolves."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from clientbase.errors import UsageError
from clientbase.i18n import _

ENV_DB = "CLIENTBASE_DB"
ENV_WAIT = "CLIENTBASE_WAIT"
ENV_CONFIG = "CLIENTBASE_CONFIG"
CONFIG_FILE_NAME = "config.toml"
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
    elif db := read_config(config_path(env)).get("db"):
        value, origin = str(db), "config"
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
        raise UsageError(
            _("{variable}={value!r}: expected a number of seconds, e.g. 900").format(
                variable=ENV_WAIT, value=value
            )
        )
    return seconds


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    # platformdirs is imported here, not at module level, to keep `clientbase --help` fast.
    from platformdirs import user_config_dir

    return Path(user_config_dir("clientbase", appauthor=False)) / CONFIG_FILE_NAME


# --- reading and writing the file ----------------------------------------------------------------


def read_config(path: Path | None = None) -> dict[str, object]:
    """The file's values as flat keys ("region", "lifecycle.lost_days"); {} when there is none."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(
            _("config {path}: cannot read it: {strerror}").format(path=path, strerror=exc.strerror)
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            _("config {path}: not valid TOML: {exc}").format(path=path, exc=exc),
            hint=_("fix or delete the file"),
        ) from None
    flat: dict[str, object] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{k}": v for k, v in value.items()})
        else:
            flat[name] = value
    return flat


def _toml_value(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string
    return repr(value)


def write_config_value(name: str, value: object, path: Path | None = None) -> None:
    """Store one (already checked) value in the file, keeping the others."""
    path = path or config_path()
    values = read_config(path)
    values[name] = value
    top = {k: v for k, v in values.items() if "." not in k}
    tables: dict[str, dict[str, object]] = {}
    for k, v in values.items():
        if "." in k:
            table, _, sub = k.partition(".")
            tables.setdefault(table, {})[sub] = v
    lines = ["# clientbase settings: clientbase config show / clientbase config set KEY VALUE"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    for table, items in tables.items():
        lines += ["", f"[{table}]", *(f"{k} = {_toml_value(v)}" for k, v in items.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)  # a crash midway leaves the old file, not half a new one
