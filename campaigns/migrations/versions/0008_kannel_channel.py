"""kannel channel (issue 7): which SMS channel took each outbox row

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("provider", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("provider")
