"""loudspeakers feed v2 (issue 15): per-item states reported by terminals, and each terminal's device state

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("device_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("device_state_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("device_detail", sa.String(length=200), nullable=True))
    op.create_table(
        "speaker_item_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"], name=op.f("fk_speaker_item_states_speaker_id_speakers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_speaker_item_states_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_item_states")),
        sa.UniqueConstraint("speaker_id", "run_id", "language", name="uq_speaker_item_states_item"),
    )
    op.create_index(op.f("ix_speaker_item_states_speaker_id"), "speaker_item_states", ["speaker_id"], unique=False)
    op.create_index(op.f("ix_speaker_item_states_run_id"), "speaker_item_states", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_speaker_item_states_run_id"), table_name="speaker_item_states")
    op.drop_index(op.f("ix_speaker_item_states_speaker_id"), table_name="speaker_item_states")
    op.drop_table("speaker_item_states")
    with op.batch_alter_table("speakers") as batch:
        batch.drop_column("device_detail")
        batch.drop_column("device_state_at")
        batch.drop_column("device_state")
