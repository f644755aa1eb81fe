"""written copies: every file the tool wrote that holds personal data

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "written_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("export_id", sa.Integer(), nullable=True),
        sa.Column("import_ids", sa.JSON(), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["exports.id"],
            name=op.f("fk_written_copies_export_id_exports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_written_copies")),
    )
    with op.batch_alter_table("written_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_written_copies_path"), ["path"], unique=False)
    # The exports logged so far name their files: they are copies too.
    conn = op.get_bind()
    table = sa.table(
        "written_copies",
        sa.column("kind", sa.String),
        sa.column("path", sa.String),
        sa.column("written_at", sa.DateTime),
        sa.column("size_bytes", sa.Integer),
        sa.column("sha256", sa.String),
        sa.column("export_id", sa.Integer),
    )
    rows = []
    for export_id, created_at, params in conn.execute(
        sa.text("SELECT id, created_at, params FROM exports ORDER BY id")
    ):
        p = json.loads(params) if isinstance(params, str) else params or {}
        for f in p.get("files") or []:
            rows.append({"kind": "export", "path": f["path"], "written_at": created_at,
                         "size_bytes": f.get("bytes"), "sha256": f.get("sha256"),
                         "export_id": export_id})  # fmt: skip
    if rows:
        conn.execute(sa.insert(table), rows)


def downgrade() -> None:
    with op.batch_alter_table("written_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_written_copies_path"))
    op.drop_table("written_copies")
