"""A big first load into an empty base drops the loaded tables' secondary indexes (and on
PostgreSQL their foreign keys) and builds them again at the end: afterwards the schema is exactly
the one the migrations make, and a load that fails halfway leaves the schema as it was."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from clientbase.importers import contacts, pipeline
from tests.conftest import Cli, write
from tests.test_import_fast_paths import _mixed_list


def _schema(cli: Cli) -> dict[str, list[tuple]]:
    """Every index and constraint of the base, by its definition as the database states it."""
    with cli.engine().connect() as conn:
        if conn.dialect.name == "postgresql":
            indexes = conn.execute(
                text(
                    "SELECT tablename, indexname, indexdef FROM pg_indexes "
                    "WHERE schemaname = current_schema() ORDER BY 1, 2"
                )
            ).all()
            constraints = conn.execute(
                text(
                    "SELECT c.conrelid::regclass::text, c.conname, c.contype, "
                    "pg_get_constraintdef(c.oid), c.convalidated "
                    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                    "WHERE n.nspname = current_schema() ORDER BY 1, 2"
                )
            ).all()
        else:
            indexes = conn.execute(
                text(
                    "SELECT tbl_name, name, sql FROM sqlite_master "
                    "WHERE type = 'index' ORDER BY 1, 2"
                )
            ).all()
            # SQLite keeps a table's foreign keys in its CREATE TABLE text.
            constraints = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY 1")
            ).all()
    return {"indexes": [tuple(r) for r in indexes], "constraints": [tuple(r) for r in constraints]}


def _big_first_load(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)  # a first big load, as for a big file
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 50)


def test_after_a_first_load_the_schema_is_the_migrated_one(new_db, tmp_path, monkeypatch):
    fresh, loaded = Cli(new_db("fresh")), Cli(new_db("loaded"))
    fresh("db", "upgrade")  # migrated, nothing imported
    _big_first_load(monkeypatch)
    path = write(tmp_path / "list.csv", _mixed_list(300, seed=11))
    summary = loaded.json("import", str(path), expect=None)
    assert summary["created"] > 150
    schema = _schema(loaded)
    assert schema == _schema(fresh)
    names = {name for _table, name, _def in schema["indexes"]}
    assert {ix.name for ix in pipeline.DEFERRED_INDEXES} <= names
    with loaded.engine().connect() as conn:
        # the rebuilt indexes and keys hold the loaded rows: a lookup by name finds them all
        by_name = conn.execute(
            text(
                "SELECT count(*) FROM customers c JOIN contact_points p ON p.customer_id = c.id "
                "WHERE c.display_name >= ''"
            )
        ).scalar()
        assert by_name > summary["created"] // 2
    if loaded.url.startswith("postgresql"):
        fks = {c[1] for c in schema["constraints"] if c[2] == "f"}
        assert {fk.name for fk in pipeline.DEFERRED_FOREIGN_KEYS} <= fks
        # and the keys are enforced again
        with pytest.raises(Exception, match="fk_contact_points_customer_id_customers"):
            with loaded.engine().begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO contact_points (customer_id, kind, value_raw, valid, "
                        "consent, created_at) VALUES (999999, 'phone', 'x', true, 'unknown', "
                        "now())"
                    )
                )


def test_a_first_load_that_fails_halfway_leaves_the_schema_as_it_was(new_db, tmp_path, monkeypatch):
    cli = Cli(new_db())
    cli("db", "upgrade")
    before = _schema(cli)
    _big_first_load(monkeypatch)
    calls = []
    write_chunk = contacts.ContactWriter.write_chunk

    def fail_on_the_third(self, chunk):
        calls.append(len(chunk))
        if len(calls) == 3:  # the indexes and keys are gone by now, rows are in
            raise OSError("the disk went away")
        return write_chunk(self, chunk)

    monkeypatch.setattr(contacts.ContactWriter, "write_chunk", fail_on_the_third)
    path = write(tmp_path / "list.csv", _mixed_list(300, seed=12))
    result = cli("import", str(path), expect=None)
    assert result.exit_code != 0
    assert len(calls) == 3
    assert _schema(cli) == before
    with cli.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM imports")).scalar() == 0
    # and the same file goes in afterwards, indexes and keys built as for any first load
    monkeypatch.setattr(contacts.ContactWriter, "write_chunk", write_chunk)
    assert cli.json("import", str(path), expect=None)["created"] > 150
    assert _schema(cli) == before
