"""fact cache: per-day customer facts (classes, lifecycle, purchase figures) for indexed filters

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_epoch")),
    )
    op.execute(sa.text("INSERT INTO fact_epoch (id, n) VALUES (1, 0)"))
    op.create_table(
        "fact_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("settings_key", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("classes", sa.Boolean(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("spellings", sa.JSON(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_days")),
    )
    op.create_table(
        "fact_rows",
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("last_contact", sa.DateTime(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=True),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.Column("avg_check", sa.Float(), nullable=True),
        sa.Column("first_order", sa.DateTime(), nullable=True),
        sa.Column("last_order", sa.DateTime(), nullable=True),
        sa.Column("discount_share", sa.Float(), nullable=True),
        sa.Column("discount_orders", sa.Integer(), nullable=True),
        sa.Column("orders_12m", sa.Integer(), nullable=True),
        sa.Column("lifecycle", sa.String(length=16), nullable=True),
        sa.Column("warmth", sa.String(length=16), nullable=True),
        sa.Column("abc", sa.String(length=1), nullable=True),
        sa.Column("xyz", sa.String(length=1), nullable=True),
        sa.Column("rfm_segment", sa.String(length=40), nullable=True),
        sa.Column("ltv", sa.Float(), nullable=True),
        sa.Column("vip", sa.Integer(), nullable=True),
        sa.Column("one_time_buyer", sa.Integer(), nullable=True),
        sa.Column("discount_seeker", sa.Integer(), nullable=True),
        sa.Column("loyal", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("day_id", "customer_id", name=op.f("pk_fact_rows")),
    )
    with op.batch_alter_table("fact_rows", schema=None) as batch_op:
        batch_op.create_index("ix_fact_rows_abc", ["day_id", "abc"], unique=False)
        batch_op.create_index("ix_fact_rows_rfm_segment", ["day_id", "rfm_segment"], unique=False)
        batch_op.create_index(
            "ix_fact_rows_lifecycle", ["day_id", "lifecycle", "warmth"], unique=False
        )


def downgrade() -> None:
    op.drop_table("fact_rows")
    op.drop_table("fact_days")
    op.drop_table("fact_epoch")
