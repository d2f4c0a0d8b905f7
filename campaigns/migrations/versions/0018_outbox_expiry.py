"""outbox expiry (issue 15): a row not handed to a channel by its `expires_at` ends `expired`

Alerts' rows expire with the alert, routine rows GRIDCAST_OUTBOX_TTL_HOURS after planning; NULL never expires (rows
planned before this revision). The index serves the tick's pass over queued rows that expired.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_status_expires", ["status", "expires_at"], unique=False)


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'cancelled' WHERE status = 'expired'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_status_expires")
        batch.drop_column("expires_at")
