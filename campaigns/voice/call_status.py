"""Twilio's CallStatus callbacks applied to voice outbox rows; a call's status only moves forward, and a call that
was not answered is tried again later.

Every callback names the outbox row and the attempt it belongs to (`?o=<id>&a=<attempt>`), so a late callback of
an earlier attempt changes nothing. Within an attempt the call's statuses are ranked (queued < initiated < ringing
< in-progress < completed | busy | no-answer | failed | canceled) and a callback that ranks at or below the one
recorded changes nothing; the comparison is in the UPDATE itself, like `apply_status`. The row's outbox status
follows through `apply_status`: a call Twilio has is `sent`, an answered one `delivered`. A busy, unanswered or
failed call goes back to `queued`, due after the retry delay, while tries remain (the claim then waits for the send
window to open); after the last try it ends `undelivered` (busy, no-answer) or `failed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaigns.common.typed_sql import rowcount
from campaigns.delivery.status_updates import apply_status
from campaigns.models import CallStatus, Channel, OutboxMessage, OutboxStatus

CALL_STATUS_RANK = {
    CallStatus.QUEUED: 0,
    CallStatus.INITIATED: 1,
    CallStatus.RINGING: 2,
    CallStatus.IN_PROGRESS: 3,
    CallStatus.COMPLETED: 4,
    CallStatus.BUSY: 4,
    CallStatus.NO_ANSWER: 4,
    CallStatus.FAILED: 4,
    CallStatus.CANCELED: 4,
}
MESSAGE_STATUS = {
    CallStatus.QUEUED: OutboxStatus.SENT,
    CallStatus.INITIATED: OutboxStatus.SENT,
    CallStatus.RINGING: OutboxStatus.SENT,
    CallStatus.IN_PROGRESS: OutboxStatus.SENT,
    CallStatus.COMPLETED: OutboxStatus.DELIVERED,
    CallStatus.BUSY: OutboxStatus.UNDELIVERED,
    CallStatus.NO_ANSWER: OutboxStatus.UNDELIVERED,
    CallStatus.FAILED: OutboxStatus.FAILED,
    CallStatus.CANCELED: OutboxStatus.FAILED,
}
TRIED_AGAIN = (CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED)
IN_FLIGHT = (OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.UNKNOWN)


@dataclass(frozen=True)
class CallRetryPolicy:
    """How often and how long after an unanswered, busy or failed call the recipient is called again."""

    max_tries: int = 3
    delay: timedelta = timedelta(minutes=30)


def apply_call_status(
    session: Session,
    outbox_id: int,
    attempt: int,
    call_status: str,
    *,
    call_sid: str | None,
    now: datetime,
    retry: CallRetryPolicy,
) -> bool:
    """Apply one CallStatus callback of attempt `attempt` to voice row `outbox_id`; True when the row changed."""
    status = (call_status or "").strip().lower()
    rank = CALL_STATUS_RANK.get(status)
    if rank is None:
        return False
    this_attempt = (
        (OutboxMessage.id == outbox_id) & (OutboxMessage.channel == Channel.VOICE) & (OutboxMessage.attempts == attempt)
    )
    behind = [name for name, other in CALL_STATUS_RANK.items() if other < rank]
    newer = (
        OutboxMessage.call_attempt.is_(None)
        | (OutboxMessage.call_attempt < attempt)
        | OutboxMessage.call_status.is_(None)
        | OutboxMessage.call_status.in_(behind)
    )
    values = {"call_status": status, "call_attempt": attempt, "updated_at": now}
    if call_sid:
        values["provider_sid"] = call_sid  # the attempt names the call: its sid replaces an earlier attempt's
    if not _update(session, this_attempt & newer, **values):
        return False
    if status in TRIED_AGAIN and attempt < retry.max_tries:
        _update(
            session,
            this_attempt & OutboxMessage.status.in_(IN_FLIGHT),
            status=OutboxStatus.QUEUED,
            next_attempt_at=now + retry.delay,
            error_code=status,
            error_message=f"call {attempt} of {retry.max_tries}: {status}; calling again later",
            lease_token=None,
            lease_expires_at=None,
            updated_at=now,
        )
        return True
    apply_status(session, outbox_id, MESSAGE_STATUS[status], provider_sid=None, error_code=None, now=now)
    if status in TRIED_AGAIN or status == CallStatus.CANCELED:
        _update(
            session,
            (OutboxMessage.id == outbox_id)
            & (OutboxMessage.status.in_((OutboxStatus.UNDELIVERED, OutboxStatus.FAILED))),
            error_code=status,
            error_message=f"call {attempt} of {retry.max_tries}: {status}"[:500],
        )
    return True


def _update(session: Session, condition, **values) -> int:
    return rowcount(
        session.execute(
            update(OutboxMessage).where(condition).values(**values).execution_options(synchronize_session=False)
        )
    )


ACTIVE_CALL_STATUSES = (CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING, CallStatus.IN_PROGRESS)
STALE_CALL = timedelta(minutes=15)


def active_calls(session: Session, now: datetime, stale: timedelta = STALE_CALL) -> int:
    """Calls in progress: voice rows whose current attempt was handed to the provider (its lease renewed, the
    attempt counted) and has no final CallStatus yet, touched within `stale` (a call whose last callback was lost
    stops counting then)."""
    current_attempt_open = (
        OutboxMessage.call_attempt.is_(None)
        | (OutboxMessage.call_attempt < OutboxMessage.attempts)
        | OutboxMessage.call_status.in_(ACTIVE_CALL_STATUSES)
    )
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.channel == Channel.VOICE,
            OutboxMessage.status.in_((OutboxStatus.SENDING, OutboxStatus.SENT)),
            OutboxMessage.attempts > 0,
            current_attempt_open,
            OutboxMessage.updated_at >= now - stale,
        )
    )
