"""The sender: claim due outbox rows of a batch, hand them to the channel, record each outcome.

A row is claimed (queued -> sending, with a lease token and expiry) in its own transaction before any send, and
every result is written only where the row still holds that token, so two workers never send one row and a
reconciler that took over an expired lease is never overwritten. Right before its send, each row is handed over:
its lease renewed, its attempt counted and `handed_at` set, where the row still holds the token and its run is still
sending (a row of a run paused meanwhile goes back to the queue instead, see claim_release.py). A row whose lease
was taken meanwhile (it waited in a long claim behind slow sends) is not sent, since the reconciler may already have
found it unsent and queued it again, and a claim that never reached the provider costs the row no attempt.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, cast

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from campaigns.broadcasts.schedules import window_opens_at
from campaigns.channels.base import (
    OutgoingCall,
    OutgoingSms,
    RateLimiter,
    SendResult,
    SmsAndVoiceChannel,
    SmsChannel,
)
from campaigns.channels.calls_attached import WithCalls
from campaigns.common.typed_sql import rowcount, table_of
from campaigns.delivery.claim_release import release_refused, run_is_sending
from campaigns.delivery.outcomes import record_outcomes
from campaigns.models import Campaign, Contact, OutboxMessage, Run

if TYPE_CHECKING:
    from campaigns.delivery.concurrent_sending import ManySmsChannel


@dataclass(frozen=True)
class SendPolicy:
    """How the sender behaves: attempts, lease length, rows (and calls) claimed at once, parallel sends, callback
    URLs."""

    max_attempts: int = 4
    lease_seconds: int = 120
    claim_size: int = 100
    concurrency: int = 8
    status_callback_url: str | None = None
    call_urls: tuple[str, str] | None = None  # (TwiML URL, call status URL); None in simulator mode
    call_claim_size: int = 10


@dataclass
class BatchReport:
    """What one batch job did."""

    claimed: int = 0
    accepted: int = 0
    retried: int = 0
    failed: int = 0
    ambiguous: int = 0
    skipped: int = 0
    lost: int = 0
    deferred_until: datetime | None = None


def send_batch(
    session_factory: sessionmaker[Session],
    channel: SmsAndVoiceChannel,
    limiter: RateLimiter,
    policy: SendPolicy,
    now: Callable[[], datetime],
    run_id: int,
    first_id: int,
    last_id: int,
) -> BatchReport:
    """Send every due, queued row of run `run_id` with an id in [first_id, last_id]. Safe to run twice.

    The batch's SMS go first: through `send_concurrently` for a channel with `send_many` (many sends in flight
    from one thread), else from a pool of threads. Then its calls (`place_call`), claimed `call_claim_size` at a time
    since calls go out far slower. Each channel is paced by its own limiter (`limiter.for_channel`, when it has one).
    """
    report = BatchReport()
    batch = (run_id, first_id, last_id)
    if hasattr(channel, "send_many"):
        from campaigns.delivery.concurrent_sending import send_concurrently  # it builds on this module

        report = send_concurrently(
            session_factory, cast("ManySmsChannel", channel), limiter, policy, now, *batch, "sms"
        )
    else:
        _send_rows(session_factory, channel, limiter, policy, now, batch, report, "sms")
    call_policy = dataclasses.replace(policy, claim_size=min(policy.claim_size, policy.call_claim_size))
    return _send_rows(session_factory, channel, limiter, call_policy, now, batch, report, "voice")


def _send_rows(session_factory: sessionmaker[Session], channel: SmsAndVoiceChannel, limiter: RateLimiter,
               policy: SendPolicy, now: Callable[[], datetime], batch: tuple[int, int, int],
               report: BatchReport, only: str) -> BatchReport:  # fmt: skip
    """Claim and send the batch's due rows of channel `only` from a pool of threads, until none is left."""
    with ThreadPoolExecutor(max_workers=policy.concurrency) as pool:
        while True:
            claimed, token = _claim(session_factory, policy, now(), *batch, report, only)
            if not claimed:
                return report
            report.claimed += len(claimed)
            sendable = [row for row in claimed if not row.opted_out]
            send = partial(_send_one, session_factory, channel, limiter, policy, now, token)
            pairs = [pair for pair in pool.map(send, sendable) if pair is not None]
            report.lost += len(sendable) - len(pairs)
            with session_factory.begin() as session:
                record_outcomes(session, token, policy, now(), pairs, report)
                _skip_opted_out(session, token, [row for row in claimed if row.opted_out], now(), report)


@dataclass(frozen=True)
class ClaimedRow:
    id: int
    run_id: int
    contact_id: int | None
    to: str
    body: str
    attempts: int
    opted_out: bool
    channel: str = "sms"
    language: str = ""


def _claim(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, run_id: int, first_id: int,
           last_id: int, report: BatchReport, only: str | None = None) -> tuple[list[ClaimedRow], str]:  # fmt: skip
    """Claim due queued rows of the batch (of channel `only`, when given) under a new lease token."""
    token = uuid.uuid4().hex
    with session_factory.begin() as session:
        run = session.get(Run, run_id)
        if run is None or run.status != "sending":
            return [], token
        campaign = session.get_one(Campaign, run.campaign_id)
        opens = window_opens_at(campaign.send_window, campaign.timezone, at)
        in_batch = and_(
            OutboxMessage.run_id == run_id,
            OutboxMessage.id.between(first_id, last_id),
            OutboxMessage.status == "queued",
            OutboxMessage.next_attempt_at <= at,
        )
        if only is not None:
            in_batch = and_(in_batch, OutboxMessage.channel == only)
        if opens > at:
            session.execute(update(OutboxMessage).where(in_batch).values(next_attempt_at=opens))
            report.deferred_until = opens
            return [], token
        ids = select(OutboxMessage.id).where(in_batch).order_by(OutboxMessage.id).limit(policy.claim_size)
        session.execute(
            update(OutboxMessage)
            .where(in_batch, OutboxMessage.id.in_(ids))
            .values(
                status="sending",
                lease_token=token,
                lease_expires_at=at + timedelta(seconds=policy.lease_seconds),
                handed_at=None,
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.run_id,
                OutboxMessage.contact_id,
                OutboxMessage.to,
                OutboxMessage.body,
                OutboxMessage.attempts,
                Contact.opted_out_at.is_not(None),
                OutboxMessage.channel,
                OutboxMessage.language,
            )
            .outerjoin(Contact, Contact.id == OutboxMessage.contact_id)
            .where(OutboxMessage.id.between(first_id, last_id), OutboxMessage.lease_token == token)
            .order_by(OutboxMessage.id)
        ).all()
    return [ClaimedRow(*row) for row in rows], token


def _send_one(session_factory: sessionmaker[Session], channel: SmsAndVoiceChannel, limiter: RateLimiter,
              policy: SendPolicy, now: Callable[[], datetime], token: str,
              row: ClaimedRow) -> tuple[ClaimedRow, SendResult] | None:  # fmt: skip
    limiter = limiter_for(limiter, row.channel)
    limiter.acquire()
    if not _renew_lease(session_factory, policy, now(), token, row.id):
        return None
    row = dataclasses.replace(row, attempts=row.attempts + 1)
    if row.channel == "voice":
        result = channel.place_call(outgoing_call(policy, row))
    else:
        callback = f"{policy.status_callback_url}?o={row.id}" if policy.status_callback_url else None
        result = channel.send_sms(OutgoingSms(outbox_id=row.id, to=row.to, body=row.body, status_callback_url=callback))
    if result.throttled:
        limiter.slow_down(result.retry_after or 1.0)
    return row, taken_by(channel, result, row.channel)


def taken_by(channel: SmsChannel, result: SendResult, kind: str = "sms") -> SendResult:
    """`result` naming the channel that took the send (stored in outbox.provider): the one a routed channel named,
    else the channel itself (for a call, the voice channel attached to an SMS-only one)."""
    if result.provider:
        return result
    taker = channel.voice if kind == "voice" and isinstance(channel, WithCalls) else channel
    return dataclasses.replace(result, provider=taker.name)


def limiter_for(limiter: RateLimiter, channel: str) -> RateLimiter:
    """The limiter that paces `channel` (calls have their own rate), or `limiter` itself when it has no others."""
    for_channel = getattr(limiter, "for_channel", None)
    return cast(RateLimiter, for_channel(channel)) if for_channel is not None else limiter


def outgoing_call(policy: SendPolicy, row: ClaimedRow) -> OutgoingCall:
    """The call for `row`'s current attempt; its TwiML and status URLs carry the outbox id and the attempt."""
    query = f"?o={row.id}&a={row.attempts}"
    twiml, status = (policy.call_urls[0] + query, policy.call_urls[1] + query) if policy.call_urls else (None, None)
    return OutgoingCall(row.id, row.attempts, row.to, row.language, twiml_url=twiml, status_callback_url=status)


def _renew_lease(
    session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, token: str, row_id: int
) -> bool:
    """Hand the row over: renew its lease, count its attempt and set `handed_at`, while it holds `token` and its run
    is sending; otherwise give it back if it is still ours (its run was paused or cancelled) and answer False."""
    with session_factory.begin() as session:
        renewed = rowcount(
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.lease_token == token, run_is_sending())
                .values(
                    lease_expires_at=at + timedelta(seconds=policy.lease_seconds),
                    attempts=OutboxMessage.attempts + 1,
                    handed_at=at,
                )
                .execution_options(synchronize_session=False)
            )
        )
    if renewed != 1:
        release_refused(session_factory, token, [row_id], at)
    return renewed == 1


def _skip_opted_out(session: Session, token: str, rows: list[ClaimedRow], at: datetime, report: BatchReport) -> None:
    if not rows:
        return
    outbox = table_of(OutboxMessage)
    session.connection().execute(
        outbox.update()
        .where(outbox.c.id == bindparam("row_id"), outbox.c.lease_token == token)
        .values(
            status="skipped",
            error_code="opted_out",
            error_message="the contact opted out",
            finished_at=at,
            lease_token=None,
            lease_expires_at=None,
            updated_at=at,
        ),
        [{"row_id": row.id} for row in rows],
    )
    report.skipped += len(rows)
