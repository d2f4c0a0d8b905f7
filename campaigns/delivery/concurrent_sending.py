"""The sender for a channel with `send_many` (many sends in flight from one thread): one stream of sends per batch.

Same guarantees as `send_batch`'s one-at-a-time path: rows are claimed with a lease token before any send, each
row's lease is renewed (and its attempt counted) where it still holds the token before its send, a row whose lease
was taken meanwhile is not sent, and every outcome is written under the token. What differs is the rhythm: the
channel keeps `concurrency` sends in flight across claims, and the database work for the next sends (claiming,
renewing the next `concurrency` leases) and for the last ones (writing their outcomes) is done while sends are in
flight, right after the channel has started the next ones. So a renewed row waits at most about one round of
sends; one that waited longer than half a lease is renewed again before its send.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import OutgoingSms, RateLimiter, SendResult, SmsChannel
from campaigns.common.typed_sql import rowcount
from campaigns.delivery.claim_release import release_refused, run_is_sending
from campaigns.delivery.outcomes import record_outcomes
from campaigns.delivery.sending import (
    BatchReport,
    ClaimedRow,
    SendPolicy,
    _claim,
    _skip_opted_out,
    limiter_for,
    taken_by,
)
from campaigns.models import OutboxMessage


class ManySmsChannel(SmsChannel, Protocol):
    """A channel that keeps many sends in flight from one thread (TwilioChannel)."""

    def send_many(self, messages: Iterable[OutgoingSms], concurrency: int) -> Iterator[tuple[OutgoingSms, SendResult]]:
        """Send `messages`, up to `concurrency` in flight; yield each (message, result) as its answer comes."""
        ...


CLAIM_ROUNDS = 5  # rows claimed at once: at most this many rounds of sends (claims are made while sends fly)
WRITE_EVERY_SECONDS = 1.0  # outcomes are written a round at a time, or at least this often at low rates


def send_concurrently(
    session_factory: sessionmaker[Session],
    channel: ManySmsChannel,
    limiter: RateLimiter,
    policy: SendPolicy,
    now: Callable[[], datetime],
    run_id: int,
    first_id: int,
    last_id: int,
    only: str | None = None,
) -> BatchReport:
    """`send_batch` through `channel.send_many`: every due, queued row of the batch (of channel `only`, when given),
    many sends in flight."""
    policy = dataclasses.replace(policy, claim_size=min(policy.claim_size, CLAIM_ROUNDS * policy.concurrency))
    limiter = limiter_for(limiter, only or "sms")
    stream = _Stream(session_factory, limiter, policy, now, (run_id, first_id, last_id), only)
    written: dict[str, list[tuple[ClaimedRow, SendResult]]] = defaultdict(list)
    waiting, since = 0, time.monotonic()
    for message, result in channel.send_many(stream.messages(), policy.concurrency):
        if result.throttled:
            limiter.slow_down(result.retry_after or 1.0)
        row, token = stream.in_flight.pop(message.outbox_id)
        written[token].append((row, taken_by(channel, result)))
        waiting += 1
        if waiting >= policy.concurrency or time.monotonic() - since >= WRITE_EVERY_SECONDS:
            _write(session_factory, policy, now(), written, stream.report)
            waiting, since = 0, time.monotonic()
            stream.prepare()
    _write(session_factory, policy, now(), written, stream.report)
    return stream.report


def _write(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime,
           written: dict[str, list[tuple[ClaimedRow, SendResult]]], report: BatchReport) -> None:  # fmt: skip
    if not written:
        return
    with session_factory.begin() as session:
        for token, pairs in written.items():
            record_outcomes(session, token, policy, at, pairs, report)
    written.clear()


class _Stream:
    """The batch's rows on their way to the channel: claimed, then renewed one round ahead, then in flight."""

    def __init__(self, session_factory: sessionmaker[Session], limiter: RateLimiter, policy: SendPolicy,
                 now: Callable[[], datetime], batch: tuple[int, int, int],
                 only: str | None = None) -> None:  # fmt: skip
        self.only = only
        self.session_factory = session_factory
        self.limiter = limiter
        self.policy = policy
        self.now = now
        self.batch = batch
        self.report = BatchReport()
        self.claimed: deque[ClaimedRow] = deque()
        self.token = ""
        self.ready: deque[tuple[ClaimedRow, str, datetime]] = deque()
        self.in_flight: dict[int, tuple[ClaimedRow, str]] = {}
        self.exhausted = False

    def messages(self) -> Iterator[OutgoingSms]:
        """The next message each time the channel can start a send, its row renewed and a rate slot taken."""
        while True:
            if not self.ready:
                self.prepare()
            if not self.ready:
                if self.exhausted:
                    return
                continue
            row, token, renewed_at = self.ready.popleft()
            self.limiter.acquire()
            if self.now() - renewed_at > timedelta(seconds=self.policy.lease_seconds / 2) and not _extend(
                self.session_factory, self.policy, self.now(), token, row.id
            ):
                self.report.lost += 1
                continue
            self.in_flight[row.id] = (row, token)
            callback = f"{self.policy.status_callback_url}?o={row.id}" if self.policy.status_callback_url else None
            yield OutgoingSms(outbox_id=row.id, to=row.to, body=row.body, status_callback_url=callback)

    def prepare(self) -> None:
        """Unless a round of renewed rows is ready: renew the next round's leases, claiming more rows first if none
        are left (nothing once the batch has no more due rows)."""
        while len(self.ready) < self.policy.concurrency and not self.exhausted:
            if not self.claimed:
                self._claim()
                continue
            rows = [self.claimed.popleft() for _ in range(min(self.policy.concurrency, len(self.claimed)))]
            at = self.now()
            renewed = _renew_leases(self.session_factory, self.policy, at, self.token, rows)
            self.report.lost += len(rows) - len(renewed)
            self.ready.extend((row, self.token, at) for row in renewed)
            return

    def _claim(self) -> None:
        rows, self.token = _claim(self.session_factory, self.policy, self.now(), *self.batch, self.report, self.only)
        if not rows:
            self.exhausted = True
            return
        self.report.claimed += len(rows)
        self.claimed.extend(row for row in rows if not row.opted_out)
        opted_out = [row for row in rows if row.opted_out]
        if opted_out:
            with self.session_factory.begin() as session:
                _skip_opted_out(session, self.token, opted_out, self.now(), self.report)


def _renew_leases(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, token: str,
                  rows: list[ClaimedRow]) -> list[ClaimedRow]:  # fmt: skip
    """Hand `rows` over where they are still under `token` and their run is sending: renew their leases, count their
    attempts, set `handed_at`; returns those rows, updated. The others go back if still ours (run paused)."""
    with session_factory.begin() as session:
        kept = set(
            session.scalars(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_([row.id for row in rows]), OutboxMessage.lease_token == token, run_is_sending()
                )
                .values(
                    lease_expires_at=at + timedelta(seconds=policy.lease_seconds),
                    attempts=OutboxMessage.attempts + 1,
                    handed_at=at,
                )
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
        )
    release_refused(session_factory, token, [row.id for row in rows if row.id not in kept], at)
    return [dataclasses.replace(row, attempts=row.attempts + 1) for row in rows if row.id in kept]


def _extend(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, token: str, row_id: int) -> bool:
    """Renew one row's lease again (its attempt is already counted); False when the lease was taken."""
    with session_factory.begin() as session:
        return (
            rowcount(
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, OutboxMessage.lease_token == token)
                    .values(lease_expires_at=at + timedelta(seconds=policy.lease_seconds))
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )
