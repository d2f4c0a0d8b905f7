"""A contact's history for staff: the messages sent to them (with the campaign), their replies, their
confirmations and the daily reports they sent (with their own numbers and texts), newest first, within the
caller's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.directory.contacts import get_contact
from campaigns.identity.access import Actor
from campaigns.models import Campaign, Confirmation, DailyReport, DailyReportLine, InboundMessage, OutboxMessage, Run
from campaigns.models.campaign import AUTOMATIC_RUN_KINDS


def _stamp(value) -> str | None:
    return value.isoformat() if value else None


def contact_history(session: Session, actor: Actor, contact_id: int, limit: int = 100) -> dict[str, Any]:
    """The contact (NotFound outside the caller's scope) with their last `limit` messages, replies,
    confirmations and daily reports."""
    contact = get_contact(session, actor, contact_id)
    messages = session.execute(
        select(OutboxMessage, Campaign.id, Campaign.name, Run.kind)
        .join(Run, Run.id == OutboxMessage.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(OutboxMessage.contact_id == contact_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    replies = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.contact_id == contact_id)
        .order_by(InboundMessage.received_at.desc())
        .limit(limit)
    ).all()
    confirmations = session.execute(
        select(Confirmation, Campaign.name)
        .join(Run, Run.id == Confirmation.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(Confirmation.contact_id == contact_id)
        .order_by(Confirmation.confirmed_at.desc())
        .limit(limit)
    ).all()
    reports = session.execute(
        select(DailyReport, DailyReportLine)
        .join(DailyReportLine, DailyReportLine.report_id == DailyReport.id)
        .where(DailyReportLine.contact_id == contact_id)
        .order_by(DailyReport.day.desc(), DailyReport.id.desc())
        .limit(limit)
    ).all()
    return {
        "contact": contact,
        "messages": [
            {
                "id": row.id,
                "campaign_id": None if kind in AUTOMATIC_RUN_KINDS else campaign_id,
                "campaign": name,
                "run_kind": kind,
                "run_id": row.run_id,
                "channel": row.channel,
                "status": row.status,
                "body": row.body,
                "sent_at": _stamp(row.sent_at),
                "error": row.error_message,
            }
            for row, campaign_id, name, kind in messages
        ],
        "replies": [
            {"id": row.id, "body": row.body, "intent": row.intent, "received_at": _stamp(row.received_at)}
            for row in replies
        ],
        "confirmations": [
            {"run_id": row.run_id, "campaign": name, "channel": row.channel, "at": _stamp(row.confirmed_at)}
            for row, name in confirmations
        ],
        "reports": [
            {"id": row.id, "date": row.day.isoformat(), "kind": row.kind, "counts": line.counts, "text": line.text}
            for row, line in reports
        ],
    }
