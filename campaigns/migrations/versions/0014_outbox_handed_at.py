"""controls (issue 11): when a claimed outbox row's current attempt was handed to the channel

A row in `sending` with no `handed_at` was claimed but never handed to a provider, so pausing a run (or recovering
from a dead send job) can put it back in the queue at once. Rows already in `sending` when this runs may have been
handed over by an older worker: they are marked as handed, so they are settled by asking the provider, as before.

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-03 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox SET handed_at = COALESCE(updated_at, lease_expires_at) WHERE status = 'sending'")


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("handed_at")
