"""Campaigns and their runs: what staff want said, to whom, over which channels, and when."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, UtcDateTime, utcnow
from campaigns.models.outbox import Channel


class CampaignStatus(StrEnum):
    """A campaign's status. `sending` is only shown (a scheduled or finished campaign whose run is sending), never
    stored; `system` marks the hidden row that carries automatic runs."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FINISHED = "finished"
    SYSTEM = "system"


class RunStatus(StrEnum):
    """A run's status."""

    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class RunKind(StrEnum):
    """What a run is: a campaign occurrence, one of its confirmation follow-ups, or an automatic run."""

    REGULAR = "regular"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DUTY_REMINDER = "duty_reminder"
    DUTY_ESCALATION = "duty_escalation"
    AUTO_REPLY = "auto_reply"


# The statuses a campaign row holds and staff filter by (neither the shown-only `sending` nor the hidden `system`).
CAMPAIGN_STATUSES = (
    CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED, CampaignStatus.CANCELLED,
    CampaignStatus.FINISHED,
)  # fmt: skip
RUN_STATUSES = tuple(RunStatus)
# A campaign's own runs: an occurrence ("regular") and its confirmation follow-ups ("reminder", "escalation").
CAMPAIGN_RUN_KINDS = (RunKind.REGULAR, RunKind.REMINDER, RunKind.ESCALATION)
# Automatic runs, owned by a report duty or by the inbox; their campaign row (status "system") is never shown.
AUTOMATIC_RUN_KINDS = (RunKind.DUTY_REMINDER, RunKind.DUTY_ESCALATION, RunKind.AUTO_REPLY)
RUN_KINDS = tuple(RunKind)
SYSTEM_STATUS = CampaignStatus.SYSTEM


def occurrence_key(occurrence_at: datetime) -> str:
    """The natural key of a campaign occurrence: its UTC time, e.g. "2026-11-23T00:00:00+00:00"."""
    return occurrence_at.astimezone(UTC).isoformat()


def _default_run_key(context) -> str:
    return occurrence_key(context.get_current_parameters()["occurrence_at"])


class Campaign(Base):
    """A campaign: audience (grids, roles, tags, contacts), per-language texts, channels, schedule, send window."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.DRAFT.value, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scope_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"))
    channels: Mapped[list[str]] = mapped_column(JSON, default=lambda: [Channel.SMS.value])
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
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # hidden from the default list since then
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Alerts (campaigns.runs.alerts): kind "alert", with their event, severity, validity window and drill flag;
    # an update or cancel names the alert it refers to.
    kind: Mapped[str] = mapped_column(String(16), default="routine", server_default="routine", index=True)
    event_type: Mapped[str | None] = mapped_column(String(100))
    severity: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    msg_type: Mapped[str | None] = mapped_column(String(16))
    references_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), index=True)


class Run(Base):
    """One run of sending; owns its outbox rows. `kind` says what it is (RUN_KINDS) and `run_key` which one it is
    among its owner's runs of that kind: a campaign occurrence's UTC time (the default), "41:2" for the second
    reminder of run 41, "2026-11-23 reminder 08:00" for a duty's step of a day, "2026-11-23 #2" for the day's
    second auto-reply run. Duty runs name their duty in `duty_id`."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "run_key", name="uq_runs_campaign_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    occurrence_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.SENDING.value, index=True)
    kind: Mapped[str] = mapped_column(String(16), default=RunKind.REGULAR.value, server_default=RunKind.REGULAR.value)
    run_key: Mapped[str] = mapped_column(String(64), default=_default_run_key)
    duty_id: Mapped[int | None] = mapped_column(ForeignKey("report_duties.id", ondelete="CASCADE"), index=True)
    parent_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    estimated_segments: Mapped[int | None] = mapped_column(Integer)  # the preview's SMS segments, set when planned
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alert: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[Campaign] = relationship(lazy="joined")
