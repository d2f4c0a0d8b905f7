"""The phone simulator's call log: what each simulated call played and which keys the phone pressed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, UtcDateTime, utcnow


class SimulatedCall(Base):
    """One call placed to a simulated phone: its final status, the audio it played in order, the keys pressed."""

    __tablename__ = "simulated_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    played: Mapped[list[str]] = mapped_column(JSON, default=list)
    keys: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
