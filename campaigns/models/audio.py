"""Audio: content-addressed MP3 clips and which clip speaks each campaign language or voice prompt.

The bytes live in the audio store (`audio/`), under their SHA-256; these rows say what a clip is and who made it.
`synthesis_key` (SHA-256 of engine, language and text) lets the same text in the same voice be synthesized once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, UtcDateTime, utcnow


class AudioClip(Base):
    """One normalized MP3 (44.1 kHz mono) in the audio store, known by its SHA-256."""

    __tablename__ = "audio_clips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    engine: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    synthesis_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CampaignAudio(Base):
    """The announcement audio of one campaign language: synthesized from the campaign's text or a staff recording."""

    __tablename__ = "campaign_audio"
    __table_args__ = (UniqueConstraint("campaign_id", "language", name="uq_campaign_audio_campaign_language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    clip_id: Mapped[int] = mapped_column(ForeignKey("audio_clips.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    clip: Mapped[AudioClip] = relationship(lazy="joined")


class VoicePrompt(Base):
    """A fixed phrase of the call flow in one language (e.g. `press_1_to_confirm`, `thanks`), as audio."""

    __tablename__ = "voice_prompts"
    __table_args__ = (UniqueConstraint("language", "phrase", name="uq_voice_prompts_language_phrase"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    phrase: Mapped[str] = mapped_column(String(32))
    clip_id: Mapped[int] = mapped_column(ForeignKey("audio_clips.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    clip: Mapped[AudioClip] = relationship(lazy="joined")
