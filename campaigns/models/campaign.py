"""Campaigns and their runs: what staff want said, to whom, over which channels, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, UtcDateTime, utcnow

CAMPAIGN_STATUSES = ("draft", "scheduled", "paused", "cancelled", "finished")
RUN_STATUSES = ("sending", "paused", "cancelled", "done")


class Campaign(Base):
    """A campaign: audience (grids, roles, tags, contacts), per-language texts, channels, schedule, send window."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scope_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"))
    channels: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["sms"])
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    fallback_language: Mapped[str | None] = mapped_column(String(16))
    schedule: Mapped[dict] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    send_window: Mapped[dict | None] = mapped_column(JSON)
    expects_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmation: Mapped[dict | None] = mapped_column(JSON)
    loudspeaker: Mapped[dict | None] = mapped_column(JSON)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Run(Base):
    """One occurrence of a campaign; owns the outbox rows of that occurrence."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("campaign_id", "occurrence_at", name="uq_runs_campaign_occurrence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    occurrence_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), default="sending", index=True)
    kind: Mapped[str] = mapped_column(String(16), default="regular", server_default="regular")
    parent_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    estimated_segments: Mapped[int | None] = mapped_column(Integer)  # the preview's SMS segments, set when planned
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alert: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[Campaign] = relationship(lazy="joined")
