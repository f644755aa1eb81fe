"""Alembic environment for clientbase.

clientbase runs migrations itself (clientbase.db.migrate) and hands over an open connection in
``config.attributes["connection"]``; plain ``alembic`` with a sqlalchemy.url works as well.
Batch mode is on because SQLite can only ALTER a table by copying it.
"""

from alembic import context
from sqlalchemy import create_engine

from clientbase.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        run_with(conn)
