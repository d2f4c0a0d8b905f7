"""send_batch's one stream of sends across claims (claim first, lease renewed and attempt counted before each send,
outcomes under the token), through a channel with its own `send_many` and through the thread-pool one that every
channel with only `send_sms` gets from BaseSmsChannel."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from sqlalchemy import select, update

from campaigns.channels.base import SendResult
from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.delivery.status_updates import apply_status
from campaigns.identity.access import Actor
from campaigns.models import Contact, OutboxMessage
from campaigns.runs.planning import launch_campaign
from tests.factories import NOW, add_contact, make_campaign
from tests.fakes import NoLimit, ScriptedChannel

GROUP = "62302510120101"


class ConcurrentChannel(ScriptedChannel):
    """A ScriptedChannel with a `send_many` of its own, in one thread: it takes `concurrency` messages before the
    first answer comes back, like requests in flight, and calls `on_take(message)` as it takes each one."""

    def __init__(self, answers=None, on_take=None):
        super().__init__(answers)
        self.on_take = on_take or (lambda message: None)

    def send_many(self, messages, concurrency):
        in_flight = deque()
        for message in messages:
            self.on_take(message)
            in_flight.append(message)
            if len(in_flight) == concurrency:
                first = in_flight.popleft()
                yield first, self.send_sms(first)
        while in_flight:
            first = in_flight.popleft()
            yield first, self.send_sms(first)


def launch(session_factory, tree, extra: int = 0):
    """The campaign to 齐哈玛镇 (three SMS recipients) plus `extra` more contacts; returns (run id, batch)."""
    with session_factory.begin() as session:
        for n in range(extra):
            add_contact(session, tree[GROUP], f"+86139{n:08d}", f"牧民{n}", channels=["sms"])
        planned = launch_campaign(session, Actor.system(), make_campaign(session, tree)["id"], NOW)
        [batch] = due_batches(session, NOW, 500)
    return planned.run_id, batch


def rows(session_factory) -> dict[str, OutboxMessage]:
    with session_factory() as session:
        return {row.to: row for row in session.scalars(select(OutboxMessage))}


def send(session_factory, channel, batch, policy=None, now=lambda: NOW, limiter=None):
    return send_batch(session_factory, channel, limiter or NoLimit(), policy or SendPolicy(), now, batch.run_id,
                      batch.first_id, batch.last_id)  # fmt: skip


def test_each_outcome_is_recorded_under_the_claim(session_factory, people):
    answers = {
        "+8613800000002": [SendResult("retry", error_code="30005", error_message="unknown handset")],
        "+8613800000003": [SendResult("failed", error_code="21211", error_message="invalid", bad_number=True)],
    }
    channel = ConcurrentChannel(answers)
    _, batch = launch(session_factory, people)
    report = send(session_factory, channel, batch)
    assert (report.claimed, report.accepted, report.retried, report.failed, report.lost) == (3, 1, 1, 1, 0)
    found = rows(session_factory)
    assert {to: row.status for to, row in found.items()} == {
        "+8613800000001": "sent", "+8613800000002": "queued", "+8613800000003": "failed"}  # fmt: skip
    assert all(row.attempts == 1 and row.lease_token is None for row in found.values())
    assert found["+8613800000001"].provider_sid == f"SM{1:032d}"
    assert found["+8613800000002"].next_attempt_at == NOW + timedelta(seconds=30)
    with session_factory() as session:
        assert session.get(Contact, found["+8613800000003"].contact_id).phone_problem.startswith("21211")


def test_many_claims_and_rounds_send_every_row_once(session_factory, people):
    channel = ConcurrentChannel()
    _, batch = launch(session_factory, people, extra=40)
    report = send(session_factory, channel, batch, SendPolicy(claim_size=7, concurrency=3))
    found = rows(session_factory)
    assert len(found) == 43 and report.claimed == 43 and report.accepted == 43
    assert sorted(message.outbox_id for message in channel.sent) == sorted(row.id for row in found.values())
    assert all(row.status == "sent" and row.attempts == 1 and row.lease_token is None for row in found.values())
    assert len({row.provider_sid for row in found.values()}) == 43


def test_a_row_whose_lease_was_taken_before_its_renewal_is_not_sent(session_factory, people):
    _, batch = launch(session_factory, people, extra=7)

    def steal_the_last_row(message):
        if message.outbox_id == batch.first_id:
            with session_factory.begin() as session:
                session.execute(update(OutboxMessage).where(OutboxMessage.id == last_id).values(lease_token="other"))

    last_id = batch.first_id + 9
    channel = ConcurrentChannel(on_take=steal_the_last_row)
    report = send(session_factory, channel, batch, SendPolicy(claim_size=10, concurrency=2))
    assert report.lost == 1 and report.accepted == 9
    assert last_id not in {message.outbox_id for message in channel.sent}
    with session_factory() as session:
        stolen = session.get(OutboxMessage, last_id)
    assert (stolen.status, stolen.lease_token, stolen.attempts) == ("sending", "other", 0)


def test_a_renewal_older_than_half_a_lease_is_renewed_again_before_the_send(session_factory, people):
    _, batch = launch(session_factory, people)
    clock = {"now": NOW}

    def stall_then_steal(message):
        if message.outbox_id == batch.first_id:  # the second row is renewed with the first, one round ahead
            clock["now"] = NOW + timedelta(seconds=61)
            with session_factory.begin() as session:
                session.execute(update(OutboxMessage).where(OutboxMessage.id == batch.first_id + 1)
                                .values(lease_token="reconciler"))  # fmt: skip

    channel = ConcurrentChannel(on_take=stall_then_steal)
    report = send(session_factory, channel, batch, SendPolicy(concurrency=2), now=lambda: clock["now"])
    assert batch.first_id + 1 not in {message.outbox_id for message in channel.sent}
    assert report.lost == 1 and report.accepted == 2


def test_opted_out_rows_are_skipped_and_throttling_slows_every_sender(session_factory, people):
    _, batch = launch(session_factory, people)
    with session_factory.begin() as session:
        session.execute(update(Contact).where(Contact.phone == "+8613800000003").values(opted_out_at=NOW))
    answers = {"+8613800000002": [SendResult("retry", error_code="20429", throttled=True, retry_after=5.0)]}
    limiter = NoLimit()
    report = send(session_factory, ConcurrentChannel(answers), batch, limiter=limiter)
    assert (report.skipped, report.accepted, report.retried) == (1, 1, 1)
    assert limiter.slowed == [5.0] and limiter.acquired == 2
    found = rows(session_factory)
    assert found["+8613800000003"].status == "skipped" and found["+8613800000003"].attempts == 0
    assert found["+8613800000002"].next_attempt_at == NOW + timedelta(seconds=5)


def test_rows_not_yet_due_are_not_claimed(session_factory, people):
    _, batch = launch(session_factory, people)
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=NOW + timedelta(hours=1)))
    channel = ConcurrentChannel()
    assert send(session_factory, channel, batch).claimed == 0 and channel.sent == []


def test_a_callback_that_comes_before_the_outcome_is_written_is_kept(session_factory, people):
    _, batch = launch(session_factory, people)

    def deliver_the_first_row(message):
        if message.outbox_id == batch.first_id + 2:  # the first row was sent, its outcome not written yet
            with session_factory.begin() as session:
                apply_status(session, batch.first_id, "delivered", provider_sid=f"SM{1:032d}", error_code=None, now=NOW)

    send(session_factory, ConcurrentChannel(on_take=deliver_the_first_row), batch, SendPolicy(concurrency=2))
    with session_factory() as session:
        first = session.get(OutboxMessage, batch.first_id)
    assert (first.status, first.provider_sid, first.lease_token) == ("delivered", f"SM{1:032d}", None)
