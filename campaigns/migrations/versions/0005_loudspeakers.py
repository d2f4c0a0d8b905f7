"""loudspeakers (issue 5, speakers)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LOUDSPEAKER_ONLY = sa.text("channel = 'loudspeaker'")


def upgrade() -> None:
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("play_slots", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_play_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["grid_id"], ["grids.id"], name=op.f("fk_speakers_grid_id_grids"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_speakers_token_hash")),
    )
    op.create_index(op.f("ix_speakers_grid_id"), "speakers", ["grid_id"], unique=False)
    op.create_table(
        "speaker_plays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"], name=op.f("fk_speaker_plays_speaker_id_speakers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_speaker_plays_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_plays")),
        sa.UniqueConstraint("speaker_id", "run_id", "played_at", name="uq_speaker_plays_report"),
    )
    op.create_index(op.f("ix_speaker_plays_speaker_id"), "speaker_plays", ["speaker_id"], unique=False)
    op.create_index(op.f("ix_speaker_plays_run_id"), "speaker_plays", ["run_id"], unique=False)
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("loudspeaker", sa.JSON(), nullable=True))
    op.create_index(
        "uq_confirmations_run_grid_loudspeaker",
        "confirmations",
        ["run_id", "grid_id"],
        unique=True,
        sqlite_where=LOUDSPEAKER_ONLY,
        postgresql_where=LOUDSPEAKER_ONLY,
    )


def downgrade() -> None:
    op.drop_index("uq_confirmations_run_grid_loudspeaker", table_name="confirmations")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("loudspeaker")
    op.drop_index(op.f("ix_speaker_plays_run_id"), table_name="speaker_plays")
    op.drop_index(op.f("ix_speaker_plays_speaker_id"), table_name="speaker_plays")
    op.drop_table("speaker_plays")
    op.drop_index(op.f("ix_speakers_grid_id"), table_name="speakers")
    op.drop_table("speakers")
