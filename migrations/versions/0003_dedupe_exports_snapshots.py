"""dedupe candidates, not-duplicate marks, export members, metric snapshots

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_snapshots")),
    )
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_metric_snapshots_kind_at", ["kind", "taken_at"], unique=False)

    op.create_table(
        "export_members",
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["exports.id"],
            name=op.f("fk_export_members_export_id_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export_id", "customer_id", name=op.f("pk_export_members")),
    )
    op.create_table(
        "dedupe_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["a_id"],
            ["customers.id"],
            name=op.f("fk_dedupe_candidates_a_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["b_id"],
            ["customers.id"],
            name=op.f("fk_dedupe_candidates_b_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedupe_candidates")),
    )
    with op.batch_alter_table("dedupe_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dedupe_candidates_b_id"), ["b_id"], unique=False)
        batch_op.create_index("ix_dedupe_candidates_pair", ["a_id", "b_id"], unique=True)

    op.create_table(
        "not_duplicates",
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["a_id"],
            ["customers.id"],
            name=op.f("fk_not_duplicates_a_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["b_id"],
            ["customers.id"],
            name=op.f("fk_not_duplicates_b_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("a_id", "b_id", name=op.f("pk_not_duplicates")),
    )


def downgrade() -> None:
    op.drop_table("not_duplicates")
    with op.batch_alter_table("dedupe_candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_dedupe_candidates_pair")
        batch_op.drop_index(batch_op.f("ix_dedupe_candidates_b_id"))

    op.drop_table("dedupe_candidates")
    op.drop_table("export_members")
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_snapshots_kind_at")

    op.drop_table("metric_snapshots")
