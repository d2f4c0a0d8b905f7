"""audio clips and campaign audio (issue 5, audio)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audio_clips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("synthesis_key", sa.String(length=64), nullable=True),
        sa.Column("original_filename", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audio_clips")),
        sa.UniqueConstraint("sha256", name=op.f("uq_audio_clips_sha256")),
        sa.UniqueConstraint("synthesis_key", name=op.f("uq_audio_clips_synthesis_key")),
    )
    op.create_table(
        "voice_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("phrase", sa.String(length=32), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["audio_clips.id"], name=op.f("fk_voice_prompts_clip_id_audio_clips"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_prompts")),
        sa.UniqueConstraint("language", "phrase", name="uq_voice_prompts_language_phrase"),
    )
    op.create_table(
        "campaign_audio",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_audio_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["audio_clips.id"], name=op.f("fk_campaign_audio_clip_id_audio_clips"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_audio")),
        sa.UniqueConstraint("campaign_id", "language", name="uq_campaign_audio_campaign_language"),
    )
    op.create_index(op.f("ix_campaign_audio_campaign_id"), "campaign_audio", ["campaign_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_audio_campaign_id"), table_name="campaign_audio")
    op.drop_table("campaign_audio")
    op.drop_table("voice_prompts")
    op.drop_table("audio_clips")
