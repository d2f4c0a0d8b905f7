"""The outbox: one row per recipient, channel and run. Its status only moves forward."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, UtcDateTime


class Channel(StrEnum):
    """How a campaign reaches people: an SMS, a voice call, or the village loudspeakers (no outbox row)."""

    SMS = "sms"
    VOICE = "voice"
    LOUDSPEAKER = "loudspeaker"


class OutboxStatus(StrEnum):
    """An outbox row's status; it only moves forward (queued -> sending -> sent -> delivered, or an end)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    EXPIRED = "expired"


class CallStatus(StrEnum):
    """Twilio's CallStatus of a call (the outbox row's `call_status`, a simulated call's `status`)."""

    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"


OUTBOX_STATUSES = tuple(OutboxStatus)
ID_TYPE = BigInteger().with_variant(Integer, "sqlite")


class OutboxMessage(Base):
    """One message or call to one recipient for one run, with its attempts, lease and provider's answer."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("run_id", "contact_id", "channel", name="uq_outbox_run_contact_channel"),
        Index("ix_outbox_run_status", "run_id", "status"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_provider_sid", "provider_sid"),
        Index("ix_outbox_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    grid_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    to: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handed_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime
    )  # the claimed attempt went to the channel; NULL: not yet
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(16))  # the SMS channel that took the row's last attempt
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    call_status: Mapped[str | None] = mapped_column(String(16))  # a call's last CallStatus (voice rows)
    call_attempt: Mapped[int | None] = mapped_column(Integer)  # the attempt `call_status` belongs to
    # not handed to a channel by then: `expired`, never sent late (an alert's expiry, else planning + the TTL)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
