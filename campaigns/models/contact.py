"""Contacts: the people reachable by phone in a grid, with their role, language, channels and tags."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, UtcDateTime, utcnow
from campaigns.models.grid import Grid
from campaigns.models.outbox import Channel


class ContactRole(StrEnum):
    """A contact's duty in their grid."""

    HOUSEHOLD_HEAD = "household_head"
    LIAISON = "liaison"
    GRID_WORKER = "grid_worker"
    GRID_LEADER = "grid_leader"


class OptOutSource(StrEnum):
    """How a contact opted out (`opted_out_via`) when Gridcast itself records it; staff may give another word."""

    STAFF = "staff"
    SMS_STOP = "sms_stop"
    CARRIER_STOP = "carrier_stop"


class Contact(Base):
    """A person reachable by phone; the phone (E.164) belongs to exactly one contact."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_grid_role", "grid_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(16), index=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=lambda: [Channel.SMS.value, Channel.VOICE.value])
    households: Mapped[int] = mapped_column(Integer, default=1)
    opted_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opted_out_via: Mapped[str | None] = mapped_column(String(32))
    phone_problem: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    grid: Mapped[Grid] = relationship(lazy="joined")
    tag_rows: Mapped[list[ContactTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ContactTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class ContactTag(Base):
    """One tag on one contact (stable / monitored / tracked household, ...)."""

    __tablename__ = "contact_tags"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
