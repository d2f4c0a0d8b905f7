"""Inbound SMS, the confirmations they make and the keyword lists that classify them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, UtcDateTime, utcnow
from campaigns.models.outbox import ID_TYPE, Channel


class Intent(StrEnum):
    """What an inbound SMS says, as the classifier reads it."""

    CONFIRM = "confirm"
    ZERO_REPORT = "zero_report"
    INCIDENT = "incident"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    UNKNOWN = "unknown"


INTENTS = tuple(Intent)
_LOUDSPEAKER_ROW = f"channel = '{Channel.LOUDSPEAKER}'"


class InboundMessage(Base):
    """One SMS received from a phone, kept whole (every provider field), classified by a job after it arrived."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("provider", "provider_sid", name="uq_inbound_provider_sid"),
        Index("ix_inbound_from_received", "from_phone", "received_at"),
        Index("ix_inbound_intent_reviewed", "intent", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_sid: Mapped[str] = mapped_column(String(64))
    from_phone: Mapped[str] = mapped_column(String(32))
    to_phone: Mapped[str] = mapped_column(String(32), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    intent: Mapped[str | None] = mapped_column(String(16))
    counts: Mapped[dict | None] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(500))


class Confirmation(Base):
    """A recipient acknowledged a run: by SMS reply, a key pressed on a call, or a loudspeaker's play report."""

    __tablename__ = "confirmations"
    __table_args__ = (
        UniqueConstraint("run_id", "contact_id", name="uq_confirmations_run_contact"),
        # A village confirms a run once, however many of its loudspeakers report playing it (contact_id is NULL).
        Index("uq_confirmations_run_grid_loudspeaker", "run_id", "grid_id", unique=True,
              sqlite_where=text(_LOUDSPEAKER_ROW), postgresql_where=text(_LOUDSPEAKER_ROW)),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    grid_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReplyKeyword(Base):
    """A word that signals an intent in one language; staff extend these lists.

    `scope_grid_id` is the grid whose subtree the keyword applies to (the scope of the coordinator who added it);
    NULL means everywhere (an admin's keyword).
    """

    __tablename__ = "reply_keywords"
    __table_args__ = (UniqueConstraint("language", "intent", "keyword", "scope_grid_id", name="uq_reply_keywords"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(16))
    keyword: Mapped[str] = mapped_column(String(64))
    scope_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AutoReplyText(Base):
    """The text sent back for an intent in a language (acknowledgement, help); `enabled` turns it off."""

    __tablename__ = "auto_reply_texts"
    __table_args__ = (UniqueConstraint("language", "intent", name="uq_auto_reply_texts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
