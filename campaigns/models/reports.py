"""Daily report duties and the reports grids send for them (零报告制度)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, UtcDateTime, utcnow
from campaigns.models.contact import ContactRole


class ReportKind(StrEnum):
    """What a grid's daily report says: nothing to report, or an incident."""

    ZERO_REPORT = "zero_report"
    INCIDENT = "incident"


class ReportDuty(Base):
    """Which grids report every day (a level under a root grid), who may report, by when, with which fields."""

    __tablename__ = "report_duties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    root_grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"))
    level_id: Mapped[int] = mapped_column(ForeignKey("grid_levels.id", ondelete="RESTRICT"))
    reporter_roles: Mapped[list] = mapped_column(
        JSON, default=lambda: [ContactRole.GRID_LEADER.value, ContactRole.LIAISON.value]
    )
    fields: Mapped[list] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    deadline: Mapped[str] = mapped_column(String(5), default="10:00")
    reminder_times: Mapped[list] = mapped_column(JSON, default=list)
    escalation_delays: Mapped[list] = mapped_column(JSON, default=list)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DailyReport(Base):
    """A grid's report for one day of one duty: a zero report or an incident with counts and text."""

    __tablename__ = "daily_reports"
    __table_args__ = (
        UniqueConstraint("duty_id", "grid_id", "day", name="uq_daily_reports_duty_grid_day"),
        Index("ix_daily_reports_day_kind", "day", "kind"),
        Index("ix_daily_reports_duty_day_kind", "duty_id", "day", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("report_duties.id", ondelete="CASCADE"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DailyReportLine(Base):
    """One reporter's latest numbers and texts in a grid's daily report; the report's counts are their sum."""

    __tablename__ = "daily_report_lines"
    __table_args__ = (UniqueConstraint("report_id", "contact_id", name="uq_daily_report_lines_report_contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("daily_reports.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DutyNotice(Base):
    """A reminder or escalation already sent for a duty, day and grid, so the tick sends each only once."""

    __tablename__ = "duty_notices"
    __table_args__ = (UniqueConstraint("duty_id", "day", "grid_id", "step", name="uq_duty_notices"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("report_duties.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    grid_id: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    detail: Mapped[str] = mapped_column(Text, default="")
