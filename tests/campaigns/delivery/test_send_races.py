"""Races the fault tests found, each pinned down deterministically: the sender against the reconciler, the
dispatcher against a killed worker's job, concurrent status callbacks."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

from rq.job import Job, JobStatus
from sqlalchemy import event, select, update

from campaigns.channels.base import BaseSmsChannel, LookupResult, OutgoingSms, SendResult
from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.delivery.status_updates import apply_status
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.planning import launch_campaign
from tests.factories import NOW, make_campaign
from tests.fakes import NoLimit
from workers.dispatching import enqueue_batches

SYSTEM = Actor.system()


class Provider(BaseSmsChannel):
    """A channel that remembers what it accepted and finds it again on lookup, like a real provider."""

    name = "provider"

    def __init__(self, on_send=None):
        self.accepted: dict[int, list[str]] = {}
        self.on_send = on_send
        self._sids = itertools.count(1)
        self._lock = threading.Lock()

    def send_sms(self, message: OutgoingSms) -> SendResult:
        with self._lock:
            sid = f"SM{next(self._sids):032d}"
            self.accepted.setdefault(message.outbox_id, []).append(sid)
        if self.on_send:
            self.on_send(message)
        return SendResult("accepted", provider_sid=sid)

    def find_sms(self, message: OutgoingSms, since) -> LookupResult:
        sids = self.accepted.get(message.outbox_id)
        return LookupResult(found=bool(sids), provider_sid=sids[-1] if sids else None)


def launched_batch(session_factory, tree):
    with session_factory.begin() as session:
        launch_campaign(session, SYSTEM, make_campaign(session, tree)["id"], NOW)
        return due_batches(session, NOW, 500)[0]


def send_with_a_slow_first_send(session_factory, batch, max_attempts: int):
    """Send `batch` one row at a time; the first send outlasts the lease and the tick's reconciler runs meanwhile."""
    clock = {"now": NOW}

    def slow_first_send(message):
        if clock["now"] == NOW:
            clock["now"] = NOW + timedelta(minutes=5)
            reconcile_expired(session_factory, provider, max_attempts, clock["now"])

    provider = Provider(on_send=slow_first_send)
    policy = SendPolicy(lease_seconds=120, concurrency=1, max_attempts=max_attempts)
    first = send_batch(session_factory, provider, NoLimit(), policy, lambda: clock["now"], *_ids(batch))
    send_batch(session_factory, provider, NoLimit(), policy, lambda: clock["now"], *_ids(batch))
    return provider, first


def test_rows_taken_by_the_reconciler_during_a_long_claim_are_not_sent(session_factory, people):
    """A claim's later rows wait behind slow sends; meanwhile their lease expires and the tick's reconciler finds
    them unsent and queues them again. The stale claim must not send them too (it used to: every one of them
    reached the provider twice)."""
    batch = launched_batch(session_factory, people)
    provider, first = send_with_a_slow_first_send(session_factory, batch, max_attempts=4)
    assert sorted(len(sids) for sids in provider.accepted.values()) == [1, 1, 1]
    assert first.lost == 2
    with session_factory() as session:
        rows = session.execute(select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.provider_sid)).all()
    assert {(row.status, row.provider_sid) for row in rows} == {("sent", provider.accepted[row.id][0]) for row in rows}


def test_a_claim_that_never_reached_the_provider_costs_no_attempt(session_factory, people):
    """With one attempt allowed, rows whose claim was lost before their send are sent, not failed unsent."""
    batch = launched_batch(session_factory, people)
    provider, _ = send_with_a_slow_first_send(session_factory, batch, max_attempts=1)
    with session_factory() as session:
        rows = session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert sorted(tuple(row) for row in rows) == [("sent", 1)] * 3
    assert sorted(len(sids) for sids in provider.accepted.values()) == [1, 1, 1]


def test_the_reconciler_leaves_a_row_whose_lease_was_renewed_meanwhile(session_factory, people):
    """The reconciler lists the expired rows, then settles them one by one, a lookup each. A sender may renew the
    lease of a listed row in between and send it: that row must not be taken over, found unsent and queued again
    (it used to be, and was then sent twice)."""
    batch = launched_batch(session_factory, people)
    expired = NOW - timedelta(seconds=1)
    with session_factory.begin() as session:
        session.execute(
            update(OutboxMessage).values(
                status="sending", lease_token="worker", lease_expires_at=expired, handed_at=NOW
            )
        )

    class RenewingMeanwhile(Provider):
        def find_sms(self, message, since):
            with session_factory.begin() as session:  # the sender renews the other rows to send them now
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id != message.outbox_id)
                    .values(lease_expires_at=NOW + timedelta(seconds=120))
                )
            return LookupResult(found=False)

    report = reconcile_expired(session_factory, RenewingMeanwhile(), 4, NOW)
    assert report.requeued == 1
    with session_factory() as session:
        rows = session.execute(select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.lease_token)).all()
    assert sorted(tuple(row) for row in rows) == [
        (batch.first_id, "queued", None),
        (batch.first_id + 1, "sending", "worker"),
        (batch.first_id + 2, "sending", "worker"),
    ]


def test_concurrent_callbacks_never_move_a_row_backwards(session_factory, engine, people):
    """Twilio posts `sent` and `delivered` nearly together. The `sent` request touches the row first and is held
    up there while the `delivered` one runs to its end; once released, `sent` must not undo `delivered` (on SQLite
    it did: it had read `sending`, and wrote `sent` over the newer row)."""
    batch = launched_batch(session_factory, people)
    row_id = batch.first_id
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(status="sending"))
    delivered = threading.Event()
    held: dict[str, int] = {}

    def hold_sent_after_its_first_outbox_statement(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == held.get("thread") and "outbox" in statement and not held.get("done"):
            held["done"] = 1
            delivered.wait(timeout=2)  # on PostgreSQL the row lock makes `delivered` wait for `sent` instead

    def callback(status: str) -> None:
        with session_factory.begin() as session:
            apply_status(session, row_id, status, provider_sid="SMrace", error_code=None, now=NOW)

    def sent_callback():
        held["thread"] = threading.get_ident()
        callback("sent")

    event.listen(engine, "after_cursor_execute", hold_sent_after_its_first_outbox_statement)
    try:
        first = threading.Thread(target=sent_callback)
        first.start()
        while not held.get("done") and first.is_alive():
            time.sleep(0.001)
        second = threading.Thread(target=lambda: (callback("delivered"), delivered.set()))
        second.start()
        first.join()
        second.join()
    finally:
        event.remove(engine, "after_cursor_execute", hold_sent_after_its_first_outbox_statement)
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert (row.status, row.provider_sid) == ("delivered", "SMrace")


def test_an_ambiguous_send_waits_no_longer_than_the_lease(session_factory, people):
    batch = launched_batch(session_factory, people)

    class Ambiguous(Provider):
        def send_sms(self, message):
            return SendResult("ambiguous", error_code="timeout")

    report = send_batch(session_factory, Ambiguous(), NoLimit(), SendPolicy(lease_seconds=5), lambda: NOW, *_ids(batch))
    assert report.ambiguous == 3
    with session_factory() as session:
        leases = set(session.scalars(select(OutboxMessage.lease_expires_at)))
    assert leases == {NOW + timedelta(seconds=5)}


def test_the_started_job_of_a_killed_worker_is_replaced(session_factory, people, sends):
    """SIGKILL leaves a batch's job "started" in Redis for minutes; once no row of the batch is under a live lease
    (the reconciler settled the killed worker's claim), the tick enqueues the batch again. It used not to."""
    batch = launched_batch(session_factory, people)
    assert enqueue_batches(sends.connection, [batch]) == 1
    Job.fetch(batch.job_id, connection=sends.connection).set_status(JobStatus.STARTED)
    sends.remove(batch.job_id)  # a worker took it, then was killed
    with session_factory.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == batch.first_id)
            .values(status="sending", lease_token="live", lease_expires_at=NOW + timedelta(seconds=30))
        )
        working = due_batches(session, NOW, 500)
    assert working == [batch] and working[0].leased
    assert enqueue_batches(sends.connection, working) == 0  # a sender holds a lease: the job is alive
    with session_factory() as session:
        abandoned = due_batches(session, NOW + timedelta(seconds=31), 500)
    assert not abandoned[0].leased
    assert enqueue_batches(sends.connection, abandoned) == 1
    assert sends.job_ids == [batch.job_id]


def _ids(batch):
    return batch.run_id, batch.first_id, batch.last_id
