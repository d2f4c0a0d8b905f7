"""Reconciling rows left in `sending`: a worker died, or the provider's answer was lost or ambiguous.

Such a row is never resent blindly. If a status callback arrived it has already moved on. Otherwise the channel
that took it (`outbox.provider`) is asked whether it has the message (`find_sms`) or the call (`find_call`): yes ->
`sent`; certainly not -> back to `queued` (or `failed` after the last attempt); cannot tell -> `unknown`, shown to
staff. A message taken by a channel this deployment no longer has cannot be looked up: `unknown`. A row that was
claimed but never handed to a channel (`handed_at` unset) goes straight back to the queue, without asking. A row is
taken over only if its lease is still expired at that moment: its sender may have renewed the lease to send it while
earlier rows of the list were being looked up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import LookupResult, OutgoingCall, OutgoingSms, SmsAndVoiceChannel
from campaigns.common.typed_sql import rowcount
from campaigns.models import Channel, OutboxMessage, OutboxStatus

LOOKUP_MARGIN = timedelta(minutes=10)


@dataclass
class ReconcileReport:
    """How the expired leases were settled."""

    found: int = 0
    requeued: int = 0
    failed: int = 0
    unknown: int = 0


def reconcile_expired(
    session_factory: sessionmaker[Session],
    channel: SmsAndVoiceChannel,
    max_attempts: int,
    now: datetime,
    limit: int = 500,
    grace: timedelta = timedelta(0),
) -> ReconcileReport:
    """Settle up to `limit` rows whose lease expired in `sending` more than `grace` ago.

    The tick passes the provider timeout as `grace`: a send started just before its lease ran out is then
    answered (or timed out) before anyone asks the provider about it, so an accepted message is never missed.
    """
    report = ReconcileReport()
    cutoff = now - grace
    with session_factory.begin() as session:
        expired = session.execute(
            select(OutboxMessage.id, OutboxMessage.lease_token)
            .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_expires_at < cutoff)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
    for row_id, old_token in expired:
        _settle(session_factory, channel, max_attempts, now, cutoff, row_id, old_token, report)
    return report


def _settle(session_factory: sessionmaker[Session], channel: SmsAndVoiceChannel, max_attempts: int, now: datetime,
            cutoff: datetime, row_id: int, old_token: str | None, report: ReconcileReport) -> None:  # fmt: skip
    token = uuid.uuid4().hex
    with session_factory.begin() as session:
        taken = rowcount(
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.lease_expires_at < cutoff,
                )
                .where(OutboxMessage.lease_token == old_token if old_token else OutboxMessage.lease_token.is_(None))
                .values(lease_token=token, lease_expires_at=now + timedelta(minutes=5))
            )
        )
        row = session.get(OutboxMessage, row_id) if taken else None
        if row is None:
            return
        if row.handed_at is None:  # claimed by a sender that died before handing it over: never sent, no one to ask
            row.status, row.lease_token, row.lease_expires_at, row.updated_at = OutboxStatus.QUEUED, None, None, now
            report.requeued += 1
            return
        message = OutgoingSms(outbox_id=row.id, to=row.to, body=row.body, provider=row.provider)
        call = OutgoingCall(row.id, row.attempts, row.to, row.language) if row.channel == Channel.VOICE else None
        since = (row.updated_at or now) - LOOKUP_MARGIN
        attempts = row.attempts
    if call:
        lookup = channel.find_call(call, since)
    elif message.provider and not channel.holds(message.provider):
        lookup = LookupResult(found=None)  # another channel took it: only that one could say
    else:
        lookup = channel.find_sms(message, since)
    with session_factory.begin() as session:
        guard = (OutboxMessage.id == row_id) & (OutboxMessage.lease_token == token)
        done = {"lease_token": None, "lease_expires_at": None, "updated_at": now}
        if lookup.found:
            values = {"status": OutboxStatus.SENT, "provider_sid": lookup.provider_sid, "sent_at": now, **done}
            report.found += 1
        elif lookup.found is False and attempts < max_attempts:
            values = {"status": OutboxStatus.QUEUED, "next_attempt_at": now, **done}
            report.requeued += 1
        elif lookup.found is False:
            values = {
                "status": OutboxStatus.FAILED,
                "finished_at": now,
                "error_message": "not accepted by the provider",
                **done,
            }
            report.failed += 1
        else:
            values = {
                "status": OutboxStatus.UNKNOWN,
                "error_message": "the provider could not confirm this send",
                **done,
            }
            report.unknown += 1
        session.execute(update(OutboxMessage).where(guard).values(**values))
