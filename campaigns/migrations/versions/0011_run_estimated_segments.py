"""run figures (issue 11): the SMS segments the preview estimated for a run, kept beside the segments sent

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03 05:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("estimated_segments", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("estimated_segments")
