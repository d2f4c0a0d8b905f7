"""voice calls (issue 5, calls)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("call_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("call_attempt", sa.Integer(), nullable=True))
    op.create_table(
        "simulated_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("played", sa.JSON(), nullable=False),
        sa.Column("keys", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_simulated_calls_outbox_id_outbox"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulated_calls")),
        sa.UniqueConstraint("sid", name=op.f("uq_simulated_calls_sid")),
    )
    op.create_index(op.f("ix_simulated_calls_phone"), "simulated_calls", ["phone"], unique=False)
    op.create_index(op.f("ix_simulated_calls_outbox_id"), "simulated_calls", ["outbox_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_simulated_calls_outbox_id"), table_name="simulated_calls")
    op.drop_index(op.f("ix_simulated_calls_phone"), table_name="simulated_calls")
    op.drop_table("simulated_calls")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("call_attempt")
        batch.drop_column("call_status")
