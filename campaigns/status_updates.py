"""Provider status callbacks applied to outbox rows; a status only ever moves forward.

Twilio's MessageStatus values are ranked; a callback that ranks at or below the row's current status changes
nothing, so a late `sent` never undoes `delivered`, and a repeated callback is harmless.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import OutboxMessage

PROVIDER_STATUS = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
RANK = {
    "queued": 0,
    "sending": 1,
    "unknown": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "cancelled": 3,
    "skipped": 3,
}


def apply_status(
    session: Session,
    outbox_id: int,
    provider_status: str,
    *,
    provider_sid: str | None,
    error_code: str | None,
    now: datetime,
) -> bool:
    """Apply one provider callback to outbox row `outbox_id`; True when the row changed.

    Any callback at all settles an ambiguous send: the provider has the message, so it is never resent.
    """
    status = PROVIDER_STATUS.get((provider_status or "").strip().lower())
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.id == outbox_id).with_for_update())
    if status is None or row is None:
        return False
    if provider_sid and row.provider_sid and provider_sid != row.provider_sid:
        return False
    changed = False
    if provider_sid and not row.provider_sid:
        row.provider_sid, changed = provider_sid, True
    if RANK[status] > RANK[row.status]:
        row.status = status
        row.lease_token = None
        row.lease_expires_at = None
        row.sent_at = row.sent_at or now
        if RANK[status] == 3:
            row.finished_at = now
            if error_code:
                row.error_code = error_code
        changed = True
    if changed:
        row.updated_at = now
    return changed
