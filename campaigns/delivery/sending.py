"""The sender: claim due outbox rows of a batch, stream them to the channel, record each outcome.

A row is claimed (queued -> sending, with a lease token and expiry) in its own transaction before any send, and
every result is written only where the row still holds that token, so two workers never send one row and a
reconciler that took over an expired lease is never overwritten. Before its send, each row is handed over: its
lease renewed, its attempt counted and `handed_at` set, where the row still holds the token and its run is still
sending (a row of a run paused meanwhile goes back to the queue instead, see claim_release.py). A row whose lease
was taken meanwhile (it waited behind slow sends) is not sent, since the reconciler may already have found it unsent
and queued it again, and a claim that never reached the provider costs the row no attempt.

Every send goes through one stream per kind of message (`channel.send_many` for SMS, `channel.place_many` for
calls), `concurrency` sends in flight. For SMS the database work for the next sends (claiming, handing over the
next `concurrency` rows in one statement) is done while sends are in flight, right after the channel has started the
next ones, and the outcomes are written a round at a time in a thread of their own (outcome_writer.py); a row
handed over longer than half a lease ago has its lease renewed again before its send. Calls are handed over one
at a time, right before each is placed and after the call limiter let it through (which may wait for a free call
slot), and claimed `call_claim_size` at a time.

Expired rows (expiry.py) are never claimed, and a claimed row is handed over only before its expiry. Alerts have a
lane of their own (`Lane`): before each send (at most every LANE_CHECK_SECONDS) an alert's sender says it is at
work, and a routine sender asks whether an alert is waiting or sending on its channel; if one is, it stops after the
sends in flight, gives back the rows it had claimed but not sent, and reports `yielded` (its job is enqueued again
behind the alert's). With `hold_routine_in_alert_area`, routine rows to grids an alert still has unsent rows in are
not claimed at all: they wait, queued, until the alert is out.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Select, and_, bindparam, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.broadcasts.schedules import window_opens_at
from campaigns.channels.base import OutgoingCall, OutgoingSms, RateLimiter, SendResult, SmsAndVoiceChannel
from campaigns.common.typed_sql import rowcount, table_of
from campaigns.delivery.claim_release import release_refused, run_is_sending
from campaigns.delivery.expiry import expire_queued, not_expired
from campaigns.delivery.outcome_writer import OutcomeWriter
from campaigns.models import Campaign, Contact, OutboxMessage, Run


class Lane(Protocol):
    """The alerts' priority lane, shared by every worker."""

    def alert_waiting(self, kind: str) -> bool:
        """Whether an alert is waiting for a worker or sending on channel `kind` ("sms" or "voice"): routine
        senders give way."""
        ...

    def alert_sending(self, kind: str) -> None:
        """An alert's sender is at work on channel `kind`: routine senders keep giving way a few seconds more."""
        ...


class NoLane:
    """No priority lane: routine senders never give way (tests and tools that send one run at a time)."""

    def alert_waiting(self, kind: str) -> bool:
        return False

    def alert_sending(self, kind: str) -> None:
        return None


class SendLimiters:
    """The limiter of SMS (`acquire`/`slow_down` themselves) and of calls (`for_channel("voice")`): what a worker
    gives `send_batch`, since calls have a rate and a cap on calls in progress of their own."""

    def __init__(self, sms: RateLimiter, voice: RateLimiter):
        self.sms = sms
        self.voice = voice

    def for_channel(self, channel: str) -> RateLimiter:
        return self.voice if channel == "voice" else self.sms

    def acquire(self) -> None:
        self.sms.acquire()

    def slow_down(self, seconds: float) -> None:
        self.sms.slow_down(seconds)


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
    hold_routine_in_alert_area: bool = False


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
    expired: int = 0
    alert: bool = False  # the batch is an alert's
    yielded: bool = False  # a routine batch stopped to let an alert through; its unsent rows are queued again


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


LANE_CHECK_SECONDS = 0.2  # how often a sender looks at the alerts' lane
CLAIM_ROUNDS = 5  # rows claimed at once: at most this many rounds of sends (claims are made while sends fly)
WRITE_EVERY_SECONDS = 1.0  # outcomes are written a round at a time, or at least this often at low rates


def send_batch(
    session_factory: sessionmaker[Session],
    channel: SmsAndVoiceChannel,
    limiter: RateLimiter,
    policy: SendPolicy,
    now: Callable[[], datetime],
    run_id: int,
    first_id: int,
    last_id: int,
    lane: Lane | None = None,
) -> BatchReport:
    """Send every due, queued row of run `run_id` with an id in [first_id, last_id]. Safe to run twice.

    The batch's SMS go first, through `channel.send_many`, then its calls through `channel.place_many`. Each kind
    is paced by its own limiter when `limiter` is a `SendLimiters`, else both by `limiter`. A routine batch stops
    early (`yielded`) when `lane` says an alert is waiting.
    """
    report = BatchReport()
    batch = (run_id, first_id, last_id)
    lane = lane or NoLane()
    _send_stream(session_factory, channel, limiter, policy, now, batch, report, "sms", lane)
    if report.yielded:
        return report
    call_policy = dataclasses.replace(policy, claim_size=min(policy.claim_size, policy.call_claim_size))
    return _send_stream(session_factory, channel, limiter, call_policy, now, batch, report, "voice", lane)


def _send_stream(session_factory: sessionmaker[Session], channel: SmsAndVoiceChannel, limiter: RateLimiter,
                 policy: SendPolicy, now: Callable[[], datetime], batch: tuple[int, int, int], report: BatchReport,
                 kind: str, lane: Lane) -> BatchReport:  # fmt: skip
    """Claim, hand over and send the batch's due rows of `kind` ("sms" or "voice") until none is left (or the
    stream gives way to an alert), writing their outcomes a round at a time."""
    policy = dataclasses.replace(policy, claim_size=min(policy.claim_size, CLAIM_ROUNDS * policy.concurrency))
    limiter = limiter_for(limiter, kind)
    stream = _Stream(session_factory, limiter, policy, now, batch, report, kind, lane)
    if not stream.started():
        return report
    results: Iterator[tuple[OutgoingSms | OutgoingCall, SendResult]]
    if kind == "voice":
        results = channel.place_many(stream.calls(), policy.concurrency)
    else:
        results = channel.send_many(stream.messages(), policy.concurrency)
    written: dict[str, list[tuple[ClaimedRow, SendResult]]] = defaultdict(list)
    writer = OutcomeWriter(session_factory, policy, report)
    try:
        waiting, since = 0, time.monotonic()
        for message, result in results:
            if result.throttled:
                limiter.slow_down(result.retry_after or 1.0)
            row, token = stream.in_flight.pop(message.outbox_id)
            written[token].append((row, taken_by(channel, result)))
            waiting += 1
            if waiting >= policy.concurrency or time.monotonic() - since >= WRITE_EVERY_SECONDS:
                writer.put(now(), written)
                written.clear()
                waiting, since = 0, time.monotonic()
                if kind == "sms" and not stream.stopping:
                    stream.prepare()
        writer.put(now(), written)
    finally:
        writer.close()
    if stream.stopping:
        stream.give_back()
    return report


def taken_by(channel: SmsAndVoiceChannel, result: SendResult) -> SendResult:
    """`result` naming the channel that took the send (stored in outbox.provider): the one the channel named (a
    routed channel's route, an attached voice channel), else the channel itself."""
    return result if result.provider else dataclasses.replace(result, provider=channel.name)


def limiter_for(limiter: RateLimiter, channel: str) -> RateLimiter:
    """The limiter that paces `channel` ("sms" or "voice"): its own one in `SendLimiters`, else `limiter` itself."""
    return limiter.for_channel(channel) if isinstance(limiter, SendLimiters) else limiter


def status_callback(policy: SendPolicy, row_id: int) -> str | None:
    """The SMS status callback URL of one row: it carries the outbox id."""
    return f"{policy.status_callback_url}?o={row_id}" if policy.status_callback_url else None


def outgoing_call(policy: SendPolicy, row: ClaimedRow) -> OutgoingCall:
    """The call for `row`'s current attempt; its TwiML and status URLs carry the outbox id and the attempt."""
    query = f"?o={row.id}&a={row.attempts}"
    twiml, status = (policy.call_urls[0] + query, policy.call_urls[1] + query) if policy.call_urls else (None, None)
    return OutgoingCall(row.id, row.attempts, row.to, row.language, twiml_url=twiml, status_callback_url=status)


class _Stream:
    """The batch's rows of one kind on their way to the channel: claimed, then handed over, then in flight."""

    def __init__(self, session_factory: sessionmaker[Session], limiter: RateLimiter, policy: SendPolicy,
                 now: Callable[[], datetime], batch: tuple[int, int, int], report: BatchReport,
                 kind: str, lane: Lane) -> None:  # fmt: skip
        self.session_factory = session_factory
        self.lane = lane
        self.lane_checked = float("-inf")
        self.stopping = False
        self.limiter = limiter
        self.policy = policy
        self.now = now
        self.batch = batch
        self.report = report
        self.kind = kind
        self.claimed: deque[ClaimedRow] = deque()
        self.token = ""
        self.ready: deque[tuple[ClaimedRow, str, datetime]] = deque()
        self.in_flight: dict[int, tuple[ClaimedRow, str]] = {}
        self.exhausted = False
        self.claimed_before = False

    def started(self) -> bool:
        """Claim the first rows; False when the batch has none of this kind due (the channel is not asked at all)."""
        self._claim()
        return not self.exhausted

    def messages(self) -> Iterator[OutgoingSms]:
        """The next SMS each time the channel can start a send: its row handed over a round ahead (renewed again
        if that was over half a lease ago), then a rate slot taken."""
        while self.lane_open():
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
            callback = status_callback(self.policy, row.id)
            yield OutgoingSms(outbox_id=row.id, to=row.to, body=row.body, status_callback_url=callback)

    def calls(self) -> Iterator[OutgoingCall]:
        """The next call each time the channel can place one: the call limiter lets it through first (it may wait
        for a free call slot), then its row is handed over."""
        while self.lane_open():
            if not self.claimed:
                if self.exhausted:
                    return
                self._claim()
                continue
            row = self.claimed.popleft()
            self.limiter.acquire()
            handed = _hand_over(self.session_factory, self.policy, self.now(), self.token, [row])
            if not handed:
                self.report.lost += 1
                continue
            self.in_flight[row.id] = (handed[0], self.token)
            yield outgoing_call(self.policy, handed[0])

    def lane_open(self) -> bool:
        """False once a routine stream must give way to an alert. An alert's stream tells the lane it is at work.
        The lane is asked at most every LANE_CHECK_SECONDS."""
        if self.stopping:
            return False
        clock = time.monotonic()
        if clock - self.lane_checked < LANE_CHECK_SECONDS:
            return True
        self.lane_checked = clock
        if self.report.alert:
            self.lane.alert_sending(self.kind)
        elif self.lane.alert_waiting(self.kind):
            self.stopping = True
            self.report.yielded = True
        return not self.stopping

    def give_back(self) -> None:
        """After giving way: the rows claimed but not sent go back to the queue (those handed over a round ahead
        too: they never reached the channel, so their attempt is not counted)."""
        at = self.now()
        release_refused(self.session_factory, self.token, [row.id for row in self.claimed], at)
        self.claimed.clear()
        if self.ready:
            with self.session_factory.begin() as session:
                _unhand(session, [(row.id, token) for row, token, _ in self.ready], at)
            self.ready.clear()

    def prepare(self) -> None:
        """Unless a round of handed-over rows is ready: hand over the next round, claiming more rows first if none
        are left (nothing once the batch has no more due rows)."""
        while len(self.ready) < self.policy.concurrency and not self.exhausted:
            if not self.claimed:
                self._claim()
                continue
            rows = [self.claimed.popleft() for _ in range(min(self.policy.concurrency, len(self.claimed)))]
            at = self.now()
            handed = _hand_over(self.session_factory, self.policy, at, self.token, rows)
            self.report.lost += len(rows) - len(handed)
            self.ready.extend((row, self.token, at) for row in handed)
            return

    def _claim(self) -> None:
        rows, self.token = _claim(self.session_factory, self.policy, self.now(), *self.batch, self.report, self.kind,
                                  expire=not self.claimed_before)  # fmt: skip
        self.claimed_before = True
        if not rows:
            self.exhausted = True
            return
        self.report.claimed += len(rows)
        self.claimed.extend(row for row in rows if not row.opted_out)
        opted_out = [row for row in rows if row.opted_out]
        if opted_out:
            with self.session_factory.begin() as session:
                _skip_opted_out(session, self.token, opted_out, self.now(), self.report)


def _claim(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, run_id: int, first_id: int,
           last_id: int, report: BatchReport, only: str | None = None,
           expire: bool = True) -> tuple[list[ClaimedRow], str]:  # fmt: skip
    """Claim due queued rows of the batch (of channel `only`, when given) under a new lease token. With `expire`
    (a stream's first claim), the batch's queued rows whose expiry has come end `expired` first; later claims
    just pass them by."""
    token = uuid.uuid4().hex
    with session_factory.begin() as session:
        run = session.get(Run, run_id)
        if run is None or run.status != "sending":
            return [], token
        campaign = session.get_one(Campaign, run.campaign_id)
        report.alert = campaign.kind == ALERT
        opens = window_opens_at(campaign.send_window, campaign.timezone, at)
        of_batch = and_(OutboxMessage.run_id == run_id, OutboxMessage.id.between(first_id, last_id))
        if expire:
            report.expired += expire_queued(session, at, of_batch)
        in_batch = and_(
            of_batch,
            OutboxMessage.status == "queued",
            OutboxMessage.next_attempt_at <= at,
            not_expired(at),
        )
        if only is not None:
            in_batch = and_(in_batch, OutboxMessage.channel == only)
        if policy.hold_routine_in_alert_area and not report.alert:
            in_batch = and_(in_batch, OutboxMessage.grid_id.not_in(alert_grids_open()))
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


def _hand_over(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, token: str,
               rows: list[ClaimedRow]) -> list[ClaimedRow]:  # fmt: skip
    """Hand `rows` over where they are still under `token`, their run is sending and they have not expired: renew
    their leases, count their attempts, set `handed_at`; returns those rows, updated. The others go back if still
    ours (run paused), or expire."""
    with session_factory.begin() as session:
        kept = set(
            session.scalars(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_([row.id for row in rows]),
                    OutboxMessage.lease_token == token,
                    run_is_sending(),
                    not_expired(at),
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


def alert_grids_open() -> Select[int]:
    """The grids where an alert that is sending still has rows not yet out (queued or claimed)."""
    alert_rows = aliased(OutboxMessage)
    return (
        select(alert_rows.grid_id)
        .join(Run, Run.id == alert_rows.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(Run.status == "sending", Campaign.kind == ALERT, alert_rows.status.in_(("queued", "sending")))
        .distinct()
    )


def _unhand(session: Session, rows: list[tuple[int, str]], at: datetime) -> None:
    """Rows handed over but never given to the channel (their stream gave way) go back to the queue, their attempt
    uncounted, where they are still under their claim's token."""
    outbox = table_of(OutboxMessage)
    session.connection().execute(
        outbox.update()
        .where(outbox.c.id == bindparam("row_id"), outbox.c.lease_token == bindparam("token"))
        .values(
            status="queued",
            attempts=outbox.c.attempts - 1,
            handed_at=None,
            lease_token=None,
            lease_expires_at=None,
            updated_at=at,
        ),
        [{"row_id": row_id, "token": token} for row_id, token in rows],
    )


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
