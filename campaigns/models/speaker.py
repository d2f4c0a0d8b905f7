"""Village loudspeakers (村村响): terminals that poll for announcements, and the plays they report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, UtcDateTime, utcnow
from campaigns.models.grid import Grid


class Speaker(Base):
    """A loudspeaker terminal in a grid: its token (only the SHA-256 is kept), languages and daily play slots."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(JSON)
    play_slots: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    token_issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_play_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device_state: Mapped[str | None] = mapped_column(String(16))  # normal, fault, recovered: its last heartbeat's
    device_state_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device_detail: Mapped[str | None] = mapped_column(String(200))

    grid: Mapped[Grid] = relationship(lazy="joined")


class SpeakerPlay(Base):
    """A speaker played an announcement (a run) `times` times at `played_at`; a repeated report is one row."""

    __tablename__ = "speaker_plays"
    __table_args__ = (UniqueConstraint("speaker_id", "run_id", "played_at", name="uq_speaker_plays_report"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    played_at: Mapped[datetime] = mapped_column(UtcDateTime)
    times: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SpeakerItemState(Base):
    """Where a speaker is with one feed item (a run in a language): received, downloaded, playing, played, failed or
    cancelled, as of `state_at` (the terminal's time), reported at `reported_at`."""

    __tablename__ = "speaker_item_states"
    __table_args__ = (UniqueConstraint("speaker_id", "run_id", "language", name="uq_speaker_item_states_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    state_at: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
