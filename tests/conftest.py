from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientbase.cli.main import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Cli:
    """Runs clientbase against one temporary database, as a user would from the shell."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

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

        return make_engine(f"sqlite:///{self.db}")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "test.sqlite3")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory, monkeypatch):
    """Tests never read the config file of whoever runs them, nor its language or region."""
    monkeypatch.setenv("CLIENTBASE_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))
    for name in ("CLIENTBASE_REGION", "CLIENTBASE_AREA_CODE", "CLIENTBASE_LANG"):
        monkeypatch.delenv(name, raising=False)
