"""Confirmations: which run a reply acknowledges, and who has (not) confirmed a run (recording one is
campaigns.delivery.confirmations)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from campaigns.common.pagination import check_page
from campaigns.identity.access import Actor, scope_condition
from campaigns.loudspeakers.village_confirmations import village_confirmations
from campaigns.models import Campaign, Channel, Confirmation, Contact, Grid, OutboxMessage, OutboxStatus, Run, RunKind
from campaigns.runs.progress import load_run

CONFIRM_WINDOW = timedelta(days=7)
# Rows that reached (or may have reached) the phone; a queued, skipped, cancelled, failed or undelivered row did not.
REACHED_STATUSES = (OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.UNKNOWN)
# Escalations go to leaders about others, and system runs carry auto-replies: neither is answered by "1".
ANSWERABLE_KINDS = (RunKind.REGULAR, RunKind.REMINDER)
REPLY_CHANNELS = (Channel.SMS, Channel.VOICE)


def reached(run_id, contact_id):
    """SQL condition: run `run_id` has a message or call row that reached contact `contact_id`."""
    row = aliased(OutboxMessage)
    return exists().where(
        row.run_id == run_id,
        row.contact_id == contact_id,
        row.channel.in_(REPLY_CHANNELS),
        row.status.in_(REACHED_STATUSES),
    )


def run_awaiting_reply(session: Session, contact_id: int, at: datetime) -> int | None:
    """The run a reply from `contact_id` at `at` answers: the most recent run of the last 7 days whose campaign
    expects a reply and whose message or call reached this contact. A reminder run stands for the run it reminds
    of, and only when that run reached the contact too."""
    confirmed_run = func.coalesce(Run.parent_run_id, Run.id)
    row = session.execute(
        select(confirmed_run)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(
            reached(Run.id, contact_id),
            reached(confirmed_run, contact_id),
            Campaign.expects_reply.is_(True),
            Run.kind.in_(ANSWERABLE_KINDS),
            Run.occurrence_at <= at,
            Run.occurrence_at >= at - CONFIRM_WINDOW,
        )
        .order_by(Run.occurrence_at.desc(), Run.id.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


def run_confirmations(
    session: Session, actor: Actor, run_id: int, *, confirmed: bool | None = None, page: int = 1, per_page: int = 50
) -> dict[str, Any]:
    """The run's recipients in the caller's scope, each with whether, when and how they confirmed, and the
    villages a loudspeaker confirmed (`villages`, campaigns/loudspeakers/village_confirmations.py).

    `confirmed` keeps only those who did (True) or did not (False); the counts always cover every recipient.
    """
    check_page(page, per_page)
    run = load_run(session, actor, run_id)
    recipients = select(OutboxMessage.contact_id).where(OutboxMessage.run_id == run.id).distinct().scalar_subquery()
    sms_row = and_(
        OutboxMessage.run_id == run.id, OutboxMessage.contact_id == Contact.id, OutboxMessage.channel == Channel.SMS
    )
    base = (
        select(Contact, Grid, Confirmation, OutboxMessage.status)
        .join(Grid, Grid.id == Contact.grid_id)
        .outerjoin(Confirmation, and_(Confirmation.run_id == run.id, Confirmation.contact_id == Contact.id))
        .outerjoin(OutboxMessage, sms_row)
        .where(Contact.id.in_(recipients), scope_condition(actor, Grid.path))
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    confirmed_count = (
        session.scalar(select(func.count()).select_from(base.where(Confirmation.id.is_not(None)).subquery())) or 0
    )
    if confirmed is not None:
        base = base.where(Confirmation.id.is_not(None) if confirmed else Confirmation.id.is_(None))
    shown = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        base.order_by(Grid.path, Contact.name, Contact.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    villages = village_confirmations(session, actor, run.id)
    return {
        "run_id": run.id,
        "villages": villages,
        "villages_confirmed": len(villages),
        "recipients": total,
        "confirmed": confirmed_count,
        "not_confirmed": total - confirmed_count,
        "items": [_recipient(contact, grid, confirmation, status) for contact, grid, confirmation, status in rows],
        "total": shown,
        "page": page,
        "per_page": per_page,
    }


def _recipient(contact: Contact, grid: Grid, confirmation: Confirmation | None, status: str | None) -> dict:
    return {
        "contact_id": contact.id,
        "name": contact.name,
        "phone": contact.phone,
        "role": contact.role,
        "language": contact.language,
        "grid_id": grid.id,
        "grid_code": grid.code,
        "grid_name": grid.name,
        "message_status": status,
        "confirmed": confirmation is not None,
        "confirmed_at": confirmation.confirmed_at.isoformat() if confirmation else None,
        "channel": confirmation.channel if confirmation else None,
        "inbound_id": confirmation.inbound_id if confirmation else None,
    }
