"""alerts (issue 15): a campaign may be an emergency alert, and a county may let its admins skip approval for the
most severe ones

Campaigns get `kind` ("routine" or "alert"), the alert's event type, severity, validity window (valid_from,
expires_at), drill flag, message type (alert, update, cancel) and the campaign an update or cancel refers to.
Grids get `alert_skip_extreme_approval`, the county's rule for extreme alerts.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="routine"))
        batch.add_column(sa.Column("event_type", sa.String(100), nullable=True))
        batch.add_column(sa.Column("severity", sa.String(16), nullable=True))
        batch.add_column(sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("is_drill", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("msg_type", sa.String(16), nullable=True))
        batch.add_column(sa.Column("references_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_campaigns_kind"), ["kind"], unique=False)
        batch.create_index(batch.f("ix_campaigns_references_id"), ["references_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_campaigns_references_id_campaigns"), "campaigns", ["references_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
    with op.batch_alter_table("grids") as batch:
        batch.add_column(
            sa.Column("alert_skip_extreme_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("grids") as batch:
        batch.drop_column("alert_skip_extreme_approval")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint("fk_campaigns_references_id_campaigns", type_="foreignkey")
        batch.drop_index("ix_campaigns_references_id")
        batch.drop_index("ix_campaigns_kind")
        for column in ("references_id", "msg_type", "is_drill", "expires_at", "valid_from", "severity", "event_type",
                       "kind"):  # fmt: skip
            batch.drop_column(column)
