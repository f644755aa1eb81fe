"""customers by city: an index the listing's filters on the city read instead of the table

A filter on the city (`contacts list --where "city = 'Москва'"`) finds its customers and their
spellings (`SELECT DISTINCT city`) in this index alone: it holds the two columns every listing
tests as well (merged away, status), so SQLite never reads the customers' rows for it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_city", ["city", "merged_into_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_city")
