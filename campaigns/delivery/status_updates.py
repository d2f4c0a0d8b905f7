"""Provider status callbacks applied to outbox rows; a status only ever moves forward.

Twilio's MessageStatus values are ranked; a callback that ranks at or below the row's current status changes
nothing, so a late `sent` never undoes `delivered`, and a repeated callback is harmless. The rank is compared in
the UPDATE itself: on SQLite a row read first and written later could have moved on in between.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from campaigns.channels.kannel.callbacks import KANNEL, delivery_report
from campaigns.common.typed_sql import rowcount
from campaigns.models import OutboxMessage, OutboxStatus

PROVIDER_STATUS = {
    "accepted": OutboxStatus.SENT,
    "scheduled": OutboxStatus.SENT,
    "queued": OutboxStatus.SENT,
    "sending": OutboxStatus.SENT,
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
    "canceled": OutboxStatus.FAILED,
}
RANK = {
    OutboxStatus.QUEUED: 0,
    OutboxStatus.SENDING: 1,
    OutboxStatus.UNKNOWN: 1,
    OutboxStatus.SENT: 2,
    OutboxStatus.DELIVERED: 3,
    OutboxStatus.UNDELIVERED: 3,
    OutboxStatus.FAILED: 3,
    OutboxStatus.CANCELLED: 3,
    OutboxStatus.SKIPPED: 3,
    OutboxStatus.EXPIRED: 3,
}


def apply_status(
    session: Session,
    outbox_id: int,
    provider_status: str,
    *,
    provider_sid: str | None,
    error_code: str | None,
    now: datetime,
    error_message: str | None = None,
    provider: str | None = None,
) -> bool:
    """Apply one provider callback to outbox row `outbox_id`; True when the row changed.

    Any callback at all settles an ambiguous send: the provider has the message, so it is never resent. Each
    change is one conditional UPDATE, so concurrent callbacks cannot undo one another on any database. With
    `provider` (the channel the callback came from) a row another channel took is left alone, and a row no channel
    is recorded for yet is marked as that channel's.
    """
    status = PROVIDER_STATUS.get((provider_status or "").strip().lower())
    if status is None:
        return False
    this_message = OutboxMessage.id == outbox_id
    if provider:
        this_message &= OutboxMessage.provider.is_(None) | (OutboxMessage.provider == provider)
        _update(session, this_message & OutboxMessage.provider.is_(None), provider=provider)
    if provider_sid:
        this_message &= OutboxMessage.provider_sid.is_(None) | (OutboxMessage.provider_sid == provider_sid)
        unbound = this_message & OutboxMessage.provider_sid.is_(None)
        bound = _update(session, unbound, provider_sid=provider_sid, updated_at=now)
    else:
        bound = 0
    behind = [name for name, rank in RANK.items() if rank < RANK[status]]
    values: dict[str, Any] = {
        "status": status,
        "lease_token": None,
        "lease_expires_at": None,
        "sent_at": func.coalesce(OutboxMessage.sent_at, literal(now, OutboxMessage.sent_at.type)),
        "updated_at": now,
    }
    if RANK[status] == 3:
        values["finished_at"] = now
        if error_code:
            values["error_code"] = error_code
        if error_message:
            values["error_message"] = error_message[:500]
    moved = _update(session, this_message & OutboxMessage.status.in_(behind), **values)
    return bool(bound or moved)


def _update(session: Session, condition: ColumnElement[bool], **values: Any) -> int:
    return rowcount(session.execute(update(OutboxMessage).where(condition).values(**values)))


def apply_kannel_report(session: Session, outbox_id: int, dlr_type: str, answer: str | None, now: datetime) -> bool:
    """Apply one Kannel delivery report to outbox row `outbox_id`; True when the row changed.

    The report proves Kannel has the message, so the row is marked as taken by Kannel (a report can arrive before
    the sender has written Kannel's answer). A row another channel took is left alone. A failure keeps the SMSC's
    answer as the reason. ValueError when `dlr_type` is not one of Kannel's.
    """
    report = delivery_report(dlr_type, answer)
    provider = session.scalar(select(OutboxMessage.provider).where(OutboxMessage.id == outbox_id))
    if provider not in (None, KANNEL):
        return False
    if provider is None:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.provider.is_(None))
            .values(provider=KANNEL)
        )
    return apply_status(
        session,
        outbox_id,
        report.status,
        provider_sid=None,
        error_code=report.error_code,
        error_message=report.reason,
        now=now,
    )
