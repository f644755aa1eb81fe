from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientbase.cli.main import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# A PostgreSQL server URL (any database on it; the tests create their own). When set, every test
# that uses a base runs it on a fresh PostgreSQL database instead of a SQLite file.
PG_URL = os.environ.get("CLIENTBASE_TEST_PG") or None
ON_PG = PG_URL is not None


def sqlite_only(reason: str):
    """Mark a test that checks something only SQLite has (its file, its pragmas)."""
    return pytest.mark.skipif(ON_PG, reason=f"SQLite only: {reason}")


class _PgDatabases:
    """A fresh database per test, cloned from a template migrated once per session
    (CREATE DATABASE … TEMPLATE copies files, much faster than running the migrations)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"cbtest_{os.getpid()}"
        self.counter = itertools.count(1)
        self.template = f"{self.prefix}_tpl"
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        from clientbase.db.engine import make_engine
        from clientbase.db.migrate import ensure_schema

        engine = make_engine(self.url(self.template))
        ensure_schema(engine, None)
        engine.dispose()

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def create(self, migrated: bool = True) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self._execute(
            f'CREATE DATABASE "{name}" TEMPLATE "{self.template if migrated else "template0"}"'
        )
        return name

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def _pg():
    if not ON_PG:
        yield None
        return
    dbs = _PgDatabases(PG_URL)
    yield dbs
    dbs.close()


@pytest.fixture
def new_db(request, tmp_path: Path, _pg):
    """A factory of empty bases for this test: ``new_db("name")`` gives a SQLite file path in
    the test's folder, or the URL of a new PostgreSQL database (dropped after the test).
    ``migrated=False`` gives a database with no schema at all."""
    made: list[str] = []

    def make(name: str = "test", migrated: bool = True) -> str:
        if _pg is None:
            return str(tmp_path / f"{name}.sqlite3")
        made.append(_pg.create(migrated))
        return _pg.url(made[-1])

    yield make
    if made:
        _dispose_engines()
    for name in made:
        _pg.drop(name)


@pytest.fixture(scope="module")
def module_db(tmp_path_factory, _pg):
    """Like ``new_db`` for module-scoped fixtures: one base shared by a module's tests."""
    made: list[str] = []

    def make(name: str = "test") -> str:
        if _pg is None:
            return str(tmp_path_factory.mktemp(name) / f"{name}.sqlite3")
        made.append(_pg.create())
        return _pg.url(made[-1])

    yield make
    if made:
        _dispose_engines()
    for name in made:
        _pg.drop(name)


def _dispose_engines() -> None:
    """Close pooled connections the CLI left open so the database can be dropped."""
    import gc

    from sqlalchemy import Engine

    for obj in gc.get_objects():
        if isinstance(obj, Engine):
            obj.dispose()


class Cli:
    """Runs clientbase against one temporary database, as a user would from the shell."""

    def __init__(self, db: str | Path):
        self.db = db  # a SQLite file path, or a database URL
        self.runner = CliRunner()

    @property
    def url(self) -> str:
        db = str(self.db)
        return db if "://" in db else f"sqlite:///{db}"

    def __call__(self, *args: str, expect: int | None = 0):
        result = self.runner.invoke(app, ["--db", str(self.db), *map(str, args)])
        if expect is not None and result.exit_code != expect:
            raise AssertionError(
                f"exit {result.exit_code} (expected {expect})\nstdout:\n{result.stdout}\n"
                f"stderr:\n{result.stderr}\n{result.exception!r}"
            )
        return result

    def json(self, *args: str, expect: int | None = 0):
        return json.loads(self(*args, "--format", "json", expect=expect).stdout)

    def contacts(self) -> list[dict]:
        return self.json("contacts", "list")

    def engine(self):
        from clientbase.db.engine import make_engine

        return make_engine(self.url)


@pytest.fixture
def cli(new_db) -> Cli:
    return Cli(new_db())


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory, monkeypatch):
    """Tests never read the config file of whoever runs them, nor its language or region."""
    monkeypatch.setenv("CLIENTBASE_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))
    for name in ("CLIENTBASE_REGION", "CLIENTBASE_AREA_CODE", "CLIENTBASE_LANG", "LC_ALL"):
        monkeypatch.delenv(name, raising=False)
    # English unless a test asks for Russian, whatever the locale of whoever runs the suite.
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    yield
    from clientbase import i18n

    i18n.set_language("en")  # a command run in-process set the language for library calls too
